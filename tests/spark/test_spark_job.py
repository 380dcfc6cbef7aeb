"""The Spark job against the plugin: the same visits and coverage as hotspotpatrol:matchtracks.

One real local[2] Spark session (a subprocess with the Spark venv's Python, tests/spark/harness.py)
runs every case; the plugin's matchtracks runs here through processing.run on the same inputs.
The reference is the plugin's own output, with its writer's rounding to the second (QGIS < 3.40
cuts GeoPackage milliseconds) switched off so that times compare to the millisecond.
Skipped, loudly, when .spark-venv (make setup-spark) or Java >= 17 is missing.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SPARK_PY = ROOT / ".spark-venv" / "bin" / "python"
SAMPLE = ROOT / "resources" / "sample" / "hotspot_patrol_sample.gpkg"
sys.path.insert(0, str(ROOT / "scripts"))


def _why_missing() -> str | None:
    if not SPARK_PY.exists():
        return f"{SPARK_PY} is missing (run `make setup-spark`)"
    java = shutil.which("java")
    if java is None:
        return "no java on PATH (run `make setup-spark`)"
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    m = re.search(r'version "(\d+)', out)
    if not m or int(m.group(1)) < 17:
        return f"Spark 4 needs Java >= 17; java -version says: {out.splitlines()[0] if out else '?'}"
    probe = subprocess.run([str(SPARK_PY), "-c", "import pyspark, pyarrow, shapely"], capture_output=True, text=True)
    if probe.returncode:
        return f"the Spark venv cannot import pyspark/pyarrow/shapely ({probe.stderr.strip().splitlines()[-1]})"
    return None


MISSING = _why_missing()
if MISSING:
    sys.__stderr__.write("\n" + "!" * 100 + f"\n!!! SPARK TESTS SKIPPED: {MISSING}\n" + "!" * 100 + "\n")
    pytest.skip(f"SPARK TESTS SKIPPED: {MISSING}", allow_module_level=True)

from qgis.core import (  # noqa: E402
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsVectorLayer,
)

from tests.integration.conftest import provider, run_alg  # noqa: E402, F401 - fixtures

BNG = "EPSG:27700"
VISIT_KEYS = ("unit_id", "entry_time", "exit_time", "dwell_min", "pings", "band", "pass_through")
COVERAGE_KEYS = (
    "visits",
    "visits_short",
    "visits_target",
    "visits_long",
    "dwell_total_min",
    "dwell_median_min",
    "presence_min",
    "units",
    "first_entry",
    "last_exit",
    "status",
    "band_min",
    "band_max",
    "days",
    "per_day",
)


# --------------------------------------------------------------------------- inputs
def write_zones_gpkg(
    path: Path, rows, crs: str = BNG, layer: str = "zones", geom_type: str = "polygon", id_name: str = "zone_id"
) -> str:
    """(id, WKT) rows as a GeoPackage layer written with OGR (no code under test involved)."""
    from osgeo import ogr, osr

    ogr.UseExceptions()
    srs = osr.SpatialReference()
    srs.SetFromUserInput(crs)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ds = (
        ogr.GetDriverByName("GPKG").Open(str(path), 1)
        if path.exists()
        else ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    )
    kind = {"polygon": ogr.wkbPolygon, "point": ogr.wkbPoint}[geom_type]
    lyr = ds.CreateLayer(layer, srs, kind, options=["GEOMETRY_NAME=geom", "FID=fid"])
    lyr.CreateField(ogr.FieldDefn(id_name, ogr.OFTString))
    for ident, wkt in rows:
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField(id_name, ident)
        f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(f)
    ds = None
    return f"{path}|layername={layer}"


def write_pings_csv(path: Path, rows, header=("unit", "time", "x", "y")) -> None:
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for r in rows:
            w.writerow(["" if v is None else (repr(v) if isinstance(v, float) else v) for v in r])


def pings_layer(rows, time_type: str = "string", crs: str = BNG) -> QgsVectorLayer:
    """The same rows as a QGIS memory layer (what an analyst would feed matchtracks)."""
    layer = QgsVectorLayer(f"Point?crs={crs}&field=unit:string&field=time:{time_type}", "pings", "memory")
    feats = []
    for unit, t, x, y in rows:
        f = QgsFeature(layer.fields())
        f.setAttributes([unit, t])
        if x is not None and y is not None:
            f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x, y)))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def synth_rows(seed: int, n_zones: int, n_units: int, hours: float, ping_s: float, start: float):
    import synth

    zones = synth.make_zones(n_zones, seed=seed)
    unit, t, x, y = synth.make_tracks(zones, n_units, hours, ping_s=ping_s, seed=seed + 1, start=start)
    return zones, unit, t, x, y


# --------------------------------------------------------------------------- the plugin's side
def plugin_run(run_alg, monkeypatch, pings, zones, waypoints=None, **params):  # noqa: F811
    from hotspot_patrol_plugin.qgis_io import tracks

    monkeypatch.setattr(tracks, "ROUND_TO_SECOND", False)
    p = {
        "TRACKS": pings,
        "UNIT_FIELD": "unit",
        "TIME_FIELD": "time",
        "ZONES": zones,
        "VISITS": "memory:",
        "COVERAGE": "memory:",
        "WAYPOINT_VISITS": "memory:",
    }
    if waypoints is not None:
        p["WAYPOINTS"] = waypoints
    p.update(params)
    res = run_alg("hotspotpatrol:matchtracks", p)

    def layer(key):
        v = res.get(key)
        return v if isinstance(v, QgsVectorLayer) or v is None else QgsProject.instance().mapLayer(v)

    reasons = (
        {}
        if res["SKIPPED_REASONS"] == "none"
        else dict((k, int(v)) for k, v in (part.rsplit(": ", 1) for part in res["SKIPPED_REASONS"].split("; ")))
    )
    return layer("VISITS"), layer("COVERAGE"), layer("WAYPOINT_VISITS") if waypoints is not None else None, reasons


def _value(v):
    if hasattr(v, "toMSecsSinceEpoch"):
        return v.toMSecsSinceEpoch() if v.isValid() else None
    if v is None or (hasattr(v, "isNull") and v.isNull()):
        return None
    if isinstance(v, float):
        return round(v, 4)
    return v


def plugin_visits(layer, id_name="zone_id"):
    rows = []
    for f in layer.getFeatures():
        rows.append(tuple([f[id_name]] + [_value(f[k]) if k != "pass_through" else bool(f[k]) for k in VISIT_KEYS]))
    return sorted(rows)


def plugin_paths(layer, id_name="zone_id"):
    return {
        (f[id_name], f["unit_id"], _value(f["entry_time"])): np.array([(p.x(), p.y()) for p in f.geometry().vertices()])
        for f in layer.getFeatures()
    }


def plugin_coverage(layer):
    return {f["zone_id"]: tuple(_value(f[k]) for k in COVERAGE_KEYS) for f in layer.getFeatures()}


# --------------------------------------------------------------------------- the Spark side
def spark_visits(rows, id_name="zone_id"):
    return sorted(
        tuple([r[id_name]] + [r[k] if not isinstance(r[k], float) else round(r[k], 4) for k in VISIT_KEYS])
        for r in rows or []
    )


def spark_paths(rows, id_name="zone_id"):
    import shapely

    return {
        (r[id_name], r["unit_id"], r["entry_time"]): shapely.get_coordinates(shapely.from_wkt(r["geometry"]))
        for r in rows or []
    }


def spark_coverage(rows):
    return {
        r["zone_id"]: tuple(round(r[k], 4) if isinstance(r[k], float) else r[k] for k in COVERAGE_KEYS) for r in rows
    }


def equal_visits(spark_rows, plugin_layer, id_name="zone_id"):
    got, want = spark_visits(spark_rows, id_name), plugin_visits(plugin_layer, id_name)
    assert len(got) == len(want)
    assert got == want
    return len(got)


def equal_paths(spark_rows, plugin_layer, id_name="zone_id"):
    got, want = spark_paths(spark_rows, id_name), plugin_paths(plugin_layer, id_name)
    assert got.keys() == want.keys()
    for k in want:
        assert got[k].shape == want[k].shape and np.allclose(got[k], want[k], rtol=0, atol=1e-6), k


# --------------------------------------------------------------------------- the cases, run once
T_AUTUMN = dt.datetime(2026, 10, 24, 23, 20, tzinfo=dt.timezone.utc)  # 00:20 BST on the night of 25 Oct


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    """Builds every case's inputs, runs them all in one Spark session, returns inputs + results."""
    import pyproj

    tmp = tmp_path_factory.mktemp("spark")
    built, specs = {}, []

    def add(name, argv, **kw):
        out = tmp / name / "out"
        specs.append({"name": name, "argv": [*argv, "--out", str(out)], "parquet": kw.pop("parquet", None)})
        built[name] = kw

    # 1. the bundled sample: the plugin reads the GeoPackage, Spark a CSV export of its pings
    import sqlite3
    import struct

    con = sqlite3.connect(SAMPLE)
    rows = [
        (u, t, *struct.unpack("<dd", bytes(g)[-16:]))
        for _, g, u, t in con.execute("SELECT fid, geom, callsign, time FROM pings ORDER BY fid")
    ]
    con.close()
    (tmp / "sample").mkdir()
    write_pings_csv(tmp / "sample" / "pings.csv", rows)
    add(
        "sample",
        [
            "--pings",
            str(tmp / "sample" / "pings.csv"),
            "--zones",
            str(SAMPLE),
            "--waypoints",
            f"{SAMPLE}|layername=waypoints",
        ],
    )

    # 2. random city, pings in lon/lat as Parquet with epoch-millisecond times; every parameter moved
    zones, unit, t, x, y = synth_rows(11, 12, 6, 3.0, 20.0, 1784000000.0)
    lon, lat = pyproj.Transformer.from_crs(BNG, "EPSG:4326", always_xy=True).transform(x, y)
    d = tmp / "lonlat"
    d.mkdir()
    zrows = [(f"Z{i:02d}", g.wkt) for i, g in enumerate(zones)]
    zsrc = write_zones_gpkg(d / "zones.gpkg", zrows)
    prow = [(f"U{u}", int(round(tt * 1000)), float(a), float(b)) for u, tt, a, b in zip(unit, t, lon, lat)]
    write_pings_csv(d / "pings.csv", prow, header=("unit", "time", "lon", "lat"))
    period = ("2026-07-14T06:00:00", "2026-07-14T07:30:00")  # London (BST): 05:00-06:30 UTC
    add(
        "lonlat",
        [
            "--pings",
            str(d / "pings.parquet"),
            "--zones",
            zsrc,
            "--max-gap",
            "120",
            "--merge-gap",
            "150",
            "--min-dwell",
            "30",
            "--boundary-tolerance",
            "5",
            "--target-min",
            "5",
            "--target-max",
            "12",
            "--period-start",
            period[0],
            "--period-end",
            period[1],
        ],
        parquet={
            str(d / "pings.csv"): (
                str(d / "pings.parquet"),
                {"unit": "string", "time": "int64", "lon": "float64", "lat": "float64"},
            )
        },
        pings=prow,
        zones=zsrc,
        period=period,
    )

    # 3. zones as a WKT table in lon/lat (measured in BNG), day-first local times, bad rows
    zones, unit, t, x, y = synth_rows(21, 10, 5, 2.0, 30.0, 1784800000.0)
    to_ll = pyproj.Transformer.from_crs(BNG, "EPSG:4326", always_xy=True)
    import shapely

    zll = [shapely.transform(g, lambda xy: np.column_stack(to_ll.transform(xy[:, 0], xy[:, 1]))) for g in zones]
    d = tmp / "wkt"
    d.mkdir()
    with open(d / "zones.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["zone_id", "wkt"])
        for i, g in enumerate(zll):
            w.writerow([f"W{i}", shapely.to_wkt(g, rounding_precision=-1)])
    london = dt.timezone(dt.timedelta(hours=1))  # July: BST
    prow = [
        (
            f" V{u} " if i % 7 == 0 else f"V{u}",
            dt.datetime.fromtimestamp(tt, london).strftime("%d/%m/%Y %H:%M:%S"),
            float(a),
            float(b),
        )
        for i, (u, tt, a, b) in enumerate(zip(unit, t, x, y))
    ]
    prow += [
        ("", prow[3][1], prow[3][2], prow[3][3]),
        ("V1", "not a time", prow[5][2], prow[5][3]),
        ("V2", prow[8][1], None, None),
        prow[10],
        ("V3", "31/06/2026 10:00:00", prow[9][2], prow[9][3]),
    ]
    write_pings_csv(d / "pings.csv", prow)
    add(
        "wkt",
        [
            "--pings",
            str(d / "pings.csv"),
            "--pings-crs",
            BNG,
            "--zones",
            str(d / "zones.csv"),
            "--zones-crs",
            "EPSG:4326",
        ],
        pings=prow,
        zones=[(f"W{i}", shapely.to_wkt(g, rounding_precision=-1)) for i, g in enumerate(zll)],
    )

    # 4. the autumn clock change: naive local times through the repeated hour, and waypoints
    zones, unit, t, x, y = synth_rows(31, 8, 4, 3.0, 45.0, T_AUTUMN.timestamp())
    d = tmp / "autumn"
    d.mkdir()
    lon_tz = __import__("zoneinfo").ZoneInfo("Europe/London")
    prow = [
        (f"N{u}", dt.datetime.fromtimestamp(tt, lon_tz).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3], float(a), float(b))
        for u, tt, a, b in zip(unit, t, x, y)
    ]
    write_pings_csv(d / "pings.csv", prow)
    zsrc = write_zones_gpkg(d / "areas.gpkg", [(f"A{i}", g.wkt) for i, g in enumerate(zones)])
    cents = shapely.centroid(zones)
    wsrc = write_zones_gpkg(
        d / "areas.gpkg",
        [(f"P{i}", c.wkt) for i, c in enumerate(cents[:5])],
        layer="waypoints",
        geom_type="point",
        id_name="waypoint_id",
    )
    add(
        "autumn",
        ["--pings", str(d / "pings.csv"), "--zones", zsrc, "--waypoints", wsrc, "--waypoint-radius", "40"],
        pings=prow,
        zones=zsrc,
        waypoints=wsrc,
    )

    # bad input: a damaged Parquet file, a missing column, an invalid polygon
    d = tmp / "bad"
    d.mkdir()
    (d / "broken.parquet").write_bytes(b"PAR1" + os.urandom(300) + b"not parquet")
    add("bad_parquet", ["--pings", str(d / "broken.parquet"), "--zones", str(SAMPLE)])
    write_pings_csv(d / "no_time.csv", [(u, x, y) for u, _, x, y in rows[:50]], header=("unit", "x", "y"))
    add("missing_column", ["--pings", str(d / "no_time.csv"), "--zones", str(SAMPLE)])
    bow = write_zones_gpkg(
        d / "bowtie.gpkg", [("OK", "POLYGON((0 0,10 0,10 10,0 10,0 0))"), ("BOW", "POLYGON((0 0,10 10,10 0,0 10,0 0))")]
    )
    add("invalid_polygon", ["--pings", str(tmp / "sample" / "pings.csv"), "--zones", bow])
    write_pings_csv(d / "no_times.csv", [(u, "soon", x, y) for u, _, x, y in rows[:40]])
    add("nothing_usable", ["--pings", str(d / "no_times.csv"), "--zones", str(SAMPLE)])

    (tmp / "cases.json").write_text(json.dumps(specs))
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1", PYSPARK_PYTHON=str(SPARK_PY))
    proc = subprocess.run(
        [
            "nice",
            "-n",
            "10",
            str(SPARK_PY),
            str(ROOT / "tests" / "spark" / "harness.py"),
            str(tmp / "cases.json"),
            str(tmp / "results.json"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=str(tmp),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((tmp / "results.json").read_text())
    return {"tmp": tmp, "built": built, "results": results}


def ok(cases, name):
    r = cases["results"][name]
    assert r["code"] == 0, r["stderr"]
    return r


# --------------------------------------------------------------------------- proven equal
def test_sample_equals_matchtracks(cases, run_alg, monkeypatch):  # noqa: F811
    r = ok(cases, "sample")
    pings = QgsVectorLayer(f"{SAMPLE}|layername=pings", "pings", "ogr")
    zones = QgsVectorLayer(f"{SAMPLE}|layername=zones", "zones", "ogr")
    wps = QgsVectorLayer(f"{SAMPLE}|layername=waypoints", "waypoints", "ogr")
    p = {"UNIT_FIELD": "callsign"}
    visits, coverage, wvisits, skipped = plugin_run(run_alg, monkeypatch, pings, zones, wps, **p)
    assert equal_visits(r["visits"], visits) == 87  # the sample's visits (README / demo)
    equal_paths(r["visits"], visits)
    assert spark_coverage(r["coverage"]) == plugin_coverage(coverage)
    assert equal_visits(r["waypoint_visits"], wvisits, "waypoint_id") > 0
    assert r["summary"]["skipped_reasons"] == skipped == {}
    # the GeoPackage the analyst opens: every zone, the same figures, the plugin's style
    layer = QgsVectorLayer(str(cases["tmp"] / "sample" / "out" / "coverage.gpkg") + "|layername=coverage", "c", "ogr")
    assert layer.isValid() and layer.featureCount() == 10 and layer.crs().authid() == BNG
    want = plugin_coverage(coverage)

    # QGIS 3.22 reads GeoPackage milliseconds through a float (.276 comes back as .275): the times
    # are checked as stored, the rest as QGIS shows them
    def no_times(cov):
        return {z: v[:8] + v[10:] for z, v in cov.items()}

    assert no_times(plugin_coverage(layer)) == no_times(want)
    import sqlite3

    con = sqlite3.connect(str(cases["tmp"] / "sample" / "out" / "coverage.gpkg"))
    stored = dict((z, (a, b)) for z, a, b in con.execute("SELECT zone_id, first_entry, last_exit FROM coverage"))
    con.close()

    def iso(ms):
        return (
            None
            if ms is None
            else dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        )

    assert stored == {z: (iso(v[8]), iso(v[9])) for z, v in want.items()}
    assert layer.renderer().type() == "categorizedSymbol" and layer.renderer().classAttribute() == "status"
    labels = {c.value(): c.label() for c in layer.renderer().categories()}
    assert labels["on target"] == "on target: median visit 10–15 min"


def test_lonlat_parquet_with_every_parameter_equals_matchtracks(cases, run_alg, monkeypatch):  # noqa: F811
    r = ok(cases, "lonlat")
    b = cases["built"]["lonlat"]
    pings = pings_layer([(u, float(t), x, y) for u, t, x, y in b["pings"]], "double", "EPSG:4326")
    zones = QgsVectorLayer(b["zones"], "zones", "ogr")
    visits, coverage, _, skipped = plugin_run(
        run_alg,
        monkeypatch,
        pings,
        zones,
        MAX_GAP=120,
        MERGE_GAP=150,
        MIN_DWELL=30,
        BOUNDARY_TOLERANCE=5,
        TARGET_MIN=5,
        TARGET_MAX=12,
        PERIOD_START=b["period"][0],
        PERIOD_END=b["period"][1],
    )
    assert equal_visits(r["visits"], visits) > 20
    equal_paths(r["visits"], visits)
    assert spark_coverage(r["coverage"]) == plugin_coverage(coverage)
    assert r["summary"]["pings_crs"] == "EPSG:4326" and r["summary"]["working_crs"] == BNG
    # clipped to the period (05:00-06:30 UTC)
    utc = dt.timezone.utc
    lo, hi = dt.datetime(2026, 7, 14, 5, tzinfo=utc).timestamp() * 1000, dt.datetime(2026, 7, 14, 6, 30, tzinfo=utc)
    assert all(lo <= v["entry_time"] <= v["exit_time"] <= hi.timestamp() * 1000 for v in r["visits"])


def test_wkt_zones_day_first_times_and_bad_rows_equal_matchtracks(cases, run_alg, monkeypatch):  # noqa: F811
    r = ok(cases, "wkt")
    b = cases["built"]["wkt"]
    zones = QgsVectorLayer("Polygon?crs=EPSG:4326&field=zone_id:string", "zones", "memory")
    feats = []
    for zid, wkt in b["zones"]:
        f = QgsFeature(zones.fields())
        f.setAttributes([zid])
        f.setGeometry(QgsGeometry.fromWkt(wkt))
        feats.append(f)
    zones.dataProvider().addFeatures(feats)
    visits, coverage, _, skipped = plugin_run(run_alg, monkeypatch, pings_layer(b["pings"]), zones)
    assert equal_visits(r["visits"], visits) > 10
    assert spark_coverage(r["coverage"]) == plugin_coverage(coverage)
    # the rows skipped, by reason, as the plugin counts them
    assert r["summary"]["skipped_reasons"] == skipped
    assert skipped == {
        "no unit id": 1,
        "missing or invalid coordinates": 1,
        "unparseable time": 2,
        "duplicate ping (same unit and time)": 1,
    }
    assert r["summary"]["working_crs"] == BNG and "day-first" in r["summary"]["date_order"]


def test_autumn_clock_change_and_waypoints_equal_matchtracks(cases, run_alg, monkeypatch):  # noqa: F811
    r = ok(cases, "autumn")
    b = cases["built"]["autumn"]
    zones = QgsVectorLayer(b["zones"], "zones", "ogr")
    wps = QgsVectorLayer(b["waypoints"], "waypoints", "ogr")
    visits, coverage, wvisits, skipped = plugin_run(
        run_alg, monkeypatch, pings_layer(b["pings"]), zones, wps, WAYPOINT_RADIUS=40
    )
    assert equal_visits(r["visits"], visits) > 10
    assert spark_coverage(r["coverage"]) == plugin_coverage(coverage)
    assert equal_visits(r["waypoint_visits"], wvisits, "waypoint_id") > 0
    equal_paths(r["waypoint_visits"], wvisits, "waypoint_id")
    assert r["summary"]["skipped_reasons"] == skipped == {}
    # the repeated hour was read both ways: visits in BST and in GMT after 01:00 UTC
    entries = [v["entry_time"] for v in r["visits"]]
    change = dt.datetime(2026, 10, 25, 1, tzinfo=dt.timezone.utc).timestamp() * 1000
    assert min(entries) < change - 1800_000 and max(entries) > change + 1800_000


def test_daily_coverage_adds_up_to_the_period(cases):
    r = ok(cases, "sample")
    total = {c["zone_id"]: c["visits"] for c in r["coverage"]}
    daily: dict = {}
    for c in r["coverage_daily"]:
        daily[c["zone_id"]] = daily.get(c["zone_id"], 0) + c["visits"]
    assert all(daily.get(z, 0) == n for z, n in total.items())
    assert {v["day"] for v in r["visits"]} <= {c["day"] for c in r["coverage_daily"]}


# --------------------------------------------------------------------------- bad input
def one_sentence(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text and "at org.apache" not in text and "Py4J" not in text
    return lines[0]


def test_damaged_parquet_is_one_sentence(cases):
    r = cases["results"]["bad_parquet"]
    assert r["code"] == 2
    line = one_sentence(r["stderr"])
    assert "broken.parquet could not be read as PARQUET" in line


def test_missing_column_is_one_sentence(cases):
    r = cases["results"]["missing_column"]
    assert r["code"] == 2
    line = one_sentence(r["stderr"])
    assert "The pings have no time column 'time' (their columns: unit, x, y); name it with --time-col." in line


def test_invalid_polygon_is_one_sentence(cases):
    r = cases["results"]["invalid_polygon"]
    assert r["code"] == 2
    line = one_sentence(r["stderr"])
    assert "Zone feature 2 (zone_id 'BOW') has an invalid polygon (Self-intersection" in line
    assert line.endswith("run 'Fix geometries' on the zones layer and use its output.")


def test_no_usable_ping_is_one_sentence(cases):
    r = cases["results"]["nothing_usable"]
    assert r["code"] == 2 and r["coverage"] is None
    assert one_sentence(r["stderr"]).endswith("None of the 40 pings can be used (unparseable time: 40).")


def test_command_line_on_a_damaged_file_exits_nonzero_without_a_stack_trace(cases):
    """The real command line (its own JVM): exit code 2 and one sentence on stderr."""
    tmp = cases["tmp"]
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1", PYSPARK_PYTHON=str(SPARK_PY), PYTHONPATH=str(ROOT))
    argv = [
        "nice",
        "-n",
        "10",
        str(SPARK_PY),
        "-m",
        "hotspot_patrol_plugin.spark",
        "--master",
        "local[2]",
        "--pings",
        str(tmp / "bad" / "broken.parquet"),
        "--zones",
        str(SAMPLE),
        "--out",
        str(tmp / "cli_out"),
    ]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 2
    ours = [ln for ln in proc.stderr.splitlines() if ln.startswith("hotspot-patrol spark:")]
    assert len(ours) == 1 and "could not be read as PARQUET" in ours[0]
    assert "Traceback" not in proc.stderr and "at org.apache" not in proc.stderr
