"""The Shift dock following growing pings layers: a real PostGIS table a writer thread appends to
(with the dock's connection killed mid-shift), a GeoPackage and a CSV a feed appends to.

Expected visits come from one ``matching.match`` over every row in the table at the end (read
back with psycopg2, not through the dock), expected times from hand arithmetic.
"""

from __future__ import annotations

import csv
import threading
import time

import numpy as np
import pandas as pd
import pytest
from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsProject, QgsRectangle, QgsVectorLayer

from hotspot_patrol_plugin.core import matching as M
from hotspot_patrol_plugin.qgis_io import live_source as L
from hotspot_patrol_plugin.ui.shift_dock import LIVE, ShiftSetup, ShiftUi

X0, Y0 = 530000.0, 180000.0
T0 = pd.Timestamp("2026-11-20T19:00:00Z").timestamp()
ZONES = [(0, 0, 100, 100), (400, 0, 480, 120), (150, 300, 260, 380)]  # offsets from X0, Y0
PARAMS = M.MatchParams(max_gap=300.0, merge_gap=60.0, min_dwell=60.0, target_min=300.0, target_max=900.0)


def zones_layer():
    layer = QgsVectorLayer(
        "Polygon?crs=EPSG:27700&field=zone_id:string&field=name:string&field=priority:integer", "zones", "memory"
    )
    feats = []
    for i, (a, b, c, d) in enumerate(ZONES):
        f = QgsFeature(layer.fields())
        f.setGeometry(QgsGeometry.fromRect(QgsRectangle(X0 + a, Y0 + b, X0 + c, Y0 + d)))
        f.setAttributes([f"Z{i + 1}", f"Zone {i + 1}", 1 + i])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def scenario(seed=7, minutes=90):
    """Three units walking between the zones' centres and loitering, a ping every 20-40 s."""
    rng = np.random.default_rng(seed)
    centres = [((a + c) / 2, (b + d) / 2) for a, b, c, d in ZONES]
    rows = []
    for u in ("NE21", "NE22", "PC4471"):
        t = T0 + rng.uniform(0, 60)
        x, y = rng.uniform(-200, 600), rng.uniform(-200, 500)
        while t < T0 + minutes * 60:
            tx, ty = centres[int(rng.integers(len(centres)))]
            while abs(tx - x) + abs(ty - y) > 1 and t < T0 + minutes * 60:
                dt = rng.uniform(20, 40)
                step = min(1.4 * dt / max(np.hypot(tx - x, ty - y), 1e-9), 1.0)
                x, y = x + (tx - x) * step, y + (ty - y) * step
                t += dt
                rows.append((u, t, X0 + x, Y0 + y))
            until = t + rng.uniform(120, 900)
            while t < until:
                t += rng.uniform(20, 40)
                rows.append((u, t, X0 + x + rng.normal(0, 4), Y0 + y + rng.normal(0, 4)))
    df = pd.DataFrame(rows, columns=["unit", "t", "x", "y"]).sort_values("t", kind="stable").reset_index(drop=True)
    return df


def expected_visits(unit, t, x, y):
    from shapely.geometry import box

    geoms = np.empty(len(ZONES), dtype=object)
    geoms[:] = [box(X0 + a, Y0 + b, X0 + c, Y0 + d) for a, b, c, d in ZONES]
    labels, codes = np.unique(np.asarray(unit, dtype=object).astype(str), return_inverse=True)
    v = M.match(M.Tracks.build(codes, t, x, y), M.PolygonAreas(geoms), PARAMS)
    return sorted(zip(v.area.tolist(), labels[v.unit].tolist(), v.entry.tolist(), v.exit.tolist()))


def engine_visits(engine):
    v = engine.visits()
    return sorted(zip(v.area.tolist(), [str(u) for u in engine.unit_label(v.unit)], v.entry.tolist(), v.exit.tolist()))


# --------------------------------------------------------------------------- PostGIS
def _insert(conn, rows, first_key):
    with conn.cursor() as cur:
        cur.executemany(
            'INSERT INTO live_pings (fid, unit, "time", geom) VALUES (%s, %s, to_timestamp(%s), '
            "ST_SetSRID(ST_MakePoint(%s, %s), 27700))",
            [(first_key + i, u, float(tt), float(xx), float(yy)) for i, (u, tt, xx, yy) in enumerate(rows)],
        )


def test_postgis_live_shift_with_a_writer_and_a_dropped_connection(postgis_server, qgis_iface, qgis_new_project):
    df = scenario()
    # the table as the feed leaves it at 19:20; the rest arrives while the dock refreshes, in chunks of
    # 2 minutes whose rows come shuffled (late pings of up to 2 minutes)
    first = df[df.t < T0 + 20 * 60]
    start = pd.DataFrame(
        {"unit": first.unit, "time": pd.to_datetime(first.t, unit="s", utc=True), "x": first.x, "y": first.y}
    )
    postgis_server.load_points("live_pings", start, 27700)
    pings = QgsVectorLayer(postgis_server.qgis_uri("live_pings"), "pings", "postgres")
    assert pings.isValid(), pings.error().summary()
    zones = zones_layer()
    QgsProject.instance().addMapLayers([pings, zones])

    ui = ShiftUi(qgis_iface)
    c = ui.controller
    c.start(ShiftSetup(pings, "unit", "time", zones, T0, T0 + 4 * 3600, mode=LIVE, params=PARAMS))
    assert isinstance(c.source, L.PostgisSource) and c.source.key == "fid"
    assert c.engine.totals.accepted == len(first)

    rest = df[df.t >= T0 + 20 * 60]
    chunks = [g.sample(frac=1.0, random_state=1) for _, g in rest.groupby(((rest.t - T0) // 120).astype(int))]
    done = threading.Event()
    errors = []

    def writer():
        try:
            conn = postgis_server.connect()
            key = len(first) + 1
            for chunk in chunks:
                _insert(conn, list(chunk.itertuples(index=False, name=None)), key)
                key += len(chunk)
                time.sleep(0.01)
            conn.close()
        except Exception as e:  # noqa: BLE001 - reported by the test
            errors.append(e)
        finally:
            done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    refreshes, killed, banner_seen, recovered = 0, False, False, False
    while not done.is_set() or refreshes < 3:
        ok = c.refresh()
        refreshes += 1
        if killed and not ok:
            banner_seen = ui.dock.banner.isVisibleTo(ui.dock) and "lost" in ui.dock.banner.text()
        elif killed and ok and banner_seen:
            recovered = not ui.dock.banner.isVisibleTo(ui.dock)
        if not killed and c.engine.totals.accepted > len(first) + 50:
            before = len(c.engine.visits()) + len(c.engine.tail)
            postgis_server.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'Hotspot Patrol shift dock'"
            )
            killed = True
            assert before > 0
        time.sleep(0.02)
    thread.join()
    assert not errors
    assert killed and banner_seen and recovered
    c.refresh()
    assert not ui.dock.banner.isVisibleTo(ui.dock)

    # nothing lost, nothing twice: the same visits as one match over the whole table
    rows = postgis_server.execute('SELECT unit, extract(epoch FROM "time"), ST_X(geom), ST_Y(geom) FROM live_pings')
    unit, t, x, y = (np.array(col) for col in zip(*rows))
    want = expected_visits(unit, t.astype(float), x.astype(float), y.astype(float))
    assert len(want) > 5
    assert engine_visits(c.engine) == want
    assert c.engine.totals.accepted == len(df) and c.engine.totals.duplicates == 0
    ui.unload()


def test_postgis_time_watermark_finds_late_rows_and_reads_none_twice(postgis_server, qgis_app):
    """Without an integer key the source asks for ``time > watermark - late tolerance`` and drops the
    rows of that window it has already read."""
    start = pd.DataFrame(
        {
            "unit": ["A", "A"],
            "time": pd.to_datetime([T0, T0 + 30], unit="s", utc=True),
            "x": [X0, X0 + 10],
            "y": [Y0, Y0],
        }
    )
    postgis_server.load_points("time_pings", start, 27700)
    layer = QgsVectorLayer(postgis_server.qgis_uri("time_pings"), "pings", "postgres")
    src = L.PostgisSource(layer, "unit", "time", late_tolerance=600.0)
    src.key = None  # as for a view or a table without an integer key
    b = src.fetch()
    assert b.t.tolist() == [T0, T0 + 30]
    conn = postgis_server.connect()
    with conn.cursor() as cur:
        cur.execute(
            'INSERT INTO time_pings (fid, unit, "time", geom) VALUES '
            "(3, 'A', to_timestamp(%s), ST_SetSRID(ST_MakePoint(%s, %s), 27700)), "
            "(4, 'B', to_timestamp(%s), ST_SetSRID(ST_MakePoint(%s, %s), 27700))",
            (T0 + 60, X0 + 20, Y0, T0 + 10, X0, Y0),
        )  # B's ping is 50 s late
    conn.close()
    b = src.fetch()
    assert sorted(zip(b.unit.tolist(), b.t.tolist())) == [("A", T0 + 60), ("B", T0 + 10)]
    assert len(src.fetch()) == 0


def test_postgis_first_read_starts_at_the_look_back(postgis_server, qgis_app):
    """The first query asks only for pings from ``since`` on, in the time column's own type."""
    times = pd.to_datetime([T0 - 7200, T0 - 60, T0 + 30], unit="s", utc=True)
    for table, column in (("since_tz", times), ("since_text", times.strftime("%Y-%m-%dT%H:%M:%S"))):
        df = pd.DataFrame({"unit": ["A", "A", "A"], "time": column, "x": [X0] * 3, "y": [Y0] * 3})
        postgis_server.load_points(table, df, 27700)
        layer = QgsVectorLayer(postgis_server.qgis_uri(table), "pings", "postgres")
        src = L.PostgisSource(layer, "unit", "time", since=T0 - 600)
        # November: the text's local London time is UTC
        assert src.fetch().t.tolist() == [T0 - 60, T0 + 30], table
        assert "%s" in src.query()[0] and src.watermark == 3


def test_postgis_unreachable_raises_one_sentence(postgis_server, qgis_app):
    start = pd.DataFrame({"unit": ["A"], "time": pd.to_datetime([T0], unit="s", utc=True), "x": [X0], "y": [Y0]})
    postgis_server.load_points("gone_pings", start, 27700)
    layer = QgsVectorLayer(postgis_server.qgis_uri("gone_pings"), "pings", "postgres")
    src = L.PostgisSource(layer, "unit", "time")
    assert len(src.fetch()) == 1
    postgis_server.execute("DROP TABLE gone_pings")
    with pytest.raises(L.SourceError, match="could not be read .*next refresh tries again"):
        src.fetch()
    assert src.watermark == 1  # kept
    postgis_server.load_points("gone_pings", start, 27700)
    assert len(src.fetch()) == 0  # back: nothing new since


# --------------------------------------------------------------------------- files
def test_geopackage_source_reads_only_new_rows(sample_gpkg, qgis_app):
    layer = QgsVectorLayer(f"{sample_gpkg}|layername=pings", "pings", "ogr")
    src = L.source_for(layer, "callsign", "time")
    assert isinstance(src, L.GeoPackageSource)
    first = src.fetch()
    assert len(first) == 2851
    assert first.t.min() == pd.Timestamp("2026-11-20T19:00:20Z").timestamp()  # November: London = UTC
    f = QgsFeature(layer.fields())
    f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(431100.0, 434200.0)))
    f.setAttribute("callsign", "NE99")
    f.setAttribute("time", "2026-11-20T23:10:00")
    assert layer.dataProvider().addFeatures([f])[0]
    new = src.fetch()
    assert new.unit.tolist() == ["NE99"]
    assert new.t.tolist() == [pd.Timestamp("2026-11-20T23:10:00Z").timestamp()]
    assert (new.x.tolist(), new.y.tolist()) == ([431100.0], [434200.0])
    assert len(src.fetch()) == 0


def test_csv_source_rereads_and_keeps_the_new_lines(tmp_path, qgis_app):
    path = tmp_path / "feed.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["unit", "time", "x", "y"])
        w.writerow(["A", "2026-07-01T10:00:00", X0, Y0])
        w.writerow(["A", "2026-07-01T10:00:30", X0 + 10, Y0])
    uri = f"file://{path}?type=csv&xField=x&yField=y&crs=EPSG:27700&detectTypes=no"
    layer = QgsVectorLayer(uri, "feed", "delimitedtext")
    assert layer.isValid()
    src = L.source_for(layer, "unit", "time")
    assert isinstance(src, L.LayerSource)
    b = src.fetch()
    # July: London is UTC+1, so 10:00 local is 09:00 UTC
    assert b.t.tolist() == [
        pd.Timestamp("2026-07-01T09:00:00Z").timestamp(),
        pd.Timestamp("2026-07-01T09:00:30Z").timestamp(),
    ]
    with open(path, "a", newline="") as fh:
        csv.writer(fh).writerow(["B", "2026-07-01T10:01:00", X0 + 20, Y0])
        csv.writer(fh).writerow(["", "2026-07-01T10:01:00", X0 + 20, Y0])
    b = src.fetch()
    assert b.unit.tolist() == ["B"] and b.skipped == {"no unit id": 1}
    assert len(src.fetch()) == 0


def test_replay_source_plays_at_speed():
    clock = [100.0]
    src = L.ReplaySource(
        ["A", "A", "B"], [T0, T0 + 60, T0 + 90], [0, 1, 2], [0, 0, 0], speed=60.0, clock=lambda: clock[0]
    )
    assert src.fetch().t.tolist() == [T0]
    src.play()
    clock[0] += 1.0  # one real second at 60x: one replay minute
    assert src.fetch().t.tolist() == [T0 + 60]
    src.pause()
    clock[0] += 10.0
    assert len(src.fetch()) == 0
    src.advance(30)
    assert src.fetch().unit.tolist() == ["B"] and src.finished
