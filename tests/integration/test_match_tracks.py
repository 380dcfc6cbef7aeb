"""hotspotpatrol:matchtracks through Processing, on hand-made layers with hand-computed answers.

Geometry used throughout (British National Grid metres): zone Z1 is the square (0,0)-(100,100)
offset to (430000, 432000). Unit A walks along y=50 at 1/6 m/s with a ping every 240 s from
x=-10: pings at x=-10, 30, 70, 110 (t=0, 240, 480, 720 s after 12:00:00). It crosses x=0 at
t=60 s and x=100 at t=660 s: entry 12:01:00, exit 12:11:00, dwell 10 min ("target"), 2 pings inside.
Unit B drives through: (-20,50) at t=0 and (120,50) at t=70: entry t=10, exit t=60, 50 s (pass-through).
"""

from __future__ import annotations

import datetime as dt

import pytest
from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingException,
    QgsProject,
    QgsVectorLayer,
)

OX, OY = 430000.0, 432000.0
T0 = dt.datetime(2026, 11, 20, 12, 0, 0, tzinfo=dt.timezone.utc)  # November: London = UTC


def epoch(seconds_after_t0: float) -> int:
    return int((T0.timestamp() + seconds_after_t0) * 1000)


def point_layer(rows, fields="unit:string&field=t:string", crs="EPSG:27700", name="pings"):
    layer = QgsVectorLayer(f"Point?crs={crs}&field={fields}", name, "memory")
    feats = []
    for row in rows:
        *attrs, x, y = row
        f = QgsFeature(layer.fields())
        f.setAttributes(list(attrs))
        if x is not None:
            f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x, y)))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def zone_layer(wkts, crs="EPSG:27700"):
    layer = QgsVectorLayer(f"Polygon?crs={crs}&field=zone_id:string&field=name:string", "zones", "memory")
    feats = []
    for zid, wkt in wkts:
        f = QgsFeature(layer.fields())
        f.setAttributes([zid, f"zone {zid}"])
        f.setGeometry(QgsGeometry.fromWkt(wkt))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def square(x0, y0, x1, y1):
    ring = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    return "POLYGON((" + ", ".join(f"{OX + x} {OY + y}" for x, y in ring) + "))"


def iso(seconds_after_t0):
    return (T0 + dt.timedelta(seconds=seconds_after_t0)).strftime("%Y-%m-%dT%H:%M:%S")


A_ROWS = [("A", iso(240 * i), OX - 10 + 40 * i, OY + 50) for i in range(4)]
B_ROWS = [("B", iso(0), OX - 20, OY + 50), ("B", iso(70), OX + 120, OY + 50)]


def run_match(run_alg, tracks, zones, **extra):
    params = {
        "TRACKS": tracks,
        "UNIT_FIELD": "unit",
        "TIME_FIELD": "t",
        "ZONES": zones,
        "VISITS": "memory:",
        "COVERAGE": "memory:",
    }
    params.update(extra)
    res = run_alg("hotspotpatrol:matchtracks", params)
    ctx_layer = QgsProject.instance().mapLayer
    visits = res["VISITS"] if isinstance(res["VISITS"], QgsVectorLayer) else ctx_layer(res["VISITS"])
    coverage = res["COVERAGE"] if isinstance(res["COVERAGE"], QgsVectorLayer) else ctx_layer(res["COVERAGE"])
    return res, visits, coverage


def by_unit(visits):
    return {f["unit_id"]: f for f in visits.getFeatures()}


def ms(qdt):
    return qdt.toMSecsSinceEpoch()


def test_hand_computed_visits_and_coverage(run_alg):
    tracks = point_layer(A_ROWS + B_ROWS)
    zones = zone_layer([("Z1", square(0, 0, 100, 100))])
    res, visits, coverage = run_match(run_alg, tracks, zones)
    assert res["VISIT_COUNT"] == 2 and res["SKIPPED_ROWS"] == 0
    v = by_unit(visits)
    a, b = v["A"], v["B"]
    assert a["zone_id"] == "Z1"
    assert ms(a["entry_time"]) == epoch(60) and ms(a["exit_time"]) == epoch(660)
    assert a["dwell_min"] == pytest.approx(10.0)
    assert a["pings"] == 2 and a["band"] == "target" and a["pass_through"] in (False, 0)
    (path,) = a.geometry().asMultiPolyline()
    assert [(round(p.x() - OX, 6), round(p.y() - OY, 6)) for p in path] == [(0, 50), (30, 50), (70, 50), (100, 50)]
    assert ms(b["entry_time"]) == epoch(10) and ms(b["exit_time"]) == epoch(60)
    assert b["dwell_min"] == pytest.approx(50 / 60, abs=1e-4) and b["pass_through"] in (True, 1)
    assert b["pings"] == 0 and b["band"] == "short"
    (z,) = list(coverage.getFeatures())
    assert z["zone_id"] == "Z1" and z["name"] == "zone Z1"
    assert (z["visits"], z["visits_short"], z["visits_target"], z["visits_long"]) == (1, 0, 1, 0)
    assert z["dwell_total_min"] == pytest.approx(10.0) and z["dwell_median_min"] == pytest.approx(10.0)
    assert z["presence_min"] == pytest.approx(10.0) and z["units"] == 1
    assert ms(z["first_entry"]) == epoch(60) and ms(z["last_exit"]) == epoch(660)
    assert z["status"] == "on target"
    assert coverage.crs().authid() == "EPSG:27700" and visits.crs().authid() == "EPSG:27700"


def test_tracks_in_another_crs_are_transformed(run_alg):
    to_ll = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem("EPSG:27700"), QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance()
    )
    rows = []
    for unit, t, x, y in A_ROWS:
        p = to_ll.transform(QgsPointXY(x, y))
        rows.append((unit, t, p.x(), p.y()))
    tracks = point_layer(rows, crs="EPSG:4326")
    zones = zone_layer([("Z1", square(0, 0, 100, 100))])
    _, visits, _ = run_match(run_alg, tracks, zones)
    (a,) = list(visits.getFeatures())
    # the round trip through WGS 84 moves points by far less than a millimetre: times within 10 ms
    assert abs(ms(a["entry_time"]) - epoch(60)) <= 10 and abs(ms(a["exit_time"]) - epoch(660)) <= 10


def test_zones_in_geographic_crs_are_measured_in_bng(run_alg):
    to_ll = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem("EPSG:27700"), QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance()
    )
    g = QgsGeometry.fromWkt(square(0, 0, 100, 100))
    g.transform(to_ll)
    zones = zone_layer([("Z1", g.asWkt(12))], crs="EPSG:4326")
    _, visits, coverage = run_match(run_alg, point_layer(A_ROWS), zones, BOUNDARY_TOLERANCE=0)
    (a,) = list(visits.getFeatures())
    assert abs(ms(a["entry_time"]) - epoch(60)) <= 50 and abs(ms(a["exit_time"]) - epoch(660)) <= 50
    assert visits.crs().authid() == "EPSG:4326"


def test_boundary_tolerance_grows_zones(run_alg):
    # grown by 10 m the square spans x=-10..110: A is inside from its first ping to its last
    _, visits, _ = run_match(
        run_alg, point_layer(A_ROWS), zone_layer([("Z1", square(0, 0, 100, 100))]), BOUNDARY_TOLERANCE=10
    )
    (a,) = list(visits.getFeatures())
    assert ms(a["entry_time"]) == epoch(0) and ms(a["exit_time"]) == epoch(720) and a["pings"] == 4


def test_period_clips_visits(run_alg):
    from qgis.PyQt.QtCore import QDateTime, QTimeZone

    start = QDateTime.fromMSecsSinceEpoch(epoch(300), QTimeZone.utc())
    _, visits, coverage = run_match(
        run_alg, point_layer(A_ROWS), zone_layer([("Z1", square(0, 0, 100, 100))]), PERIOD_START=start
    )
    (a,) = list(visits.getFeatures())
    assert ms(a["entry_time"]) == epoch(300) and ms(a["exit_time"]) == epoch(660)
    assert a["dwell_min"] == pytest.approx(6.0) and a["band"] == "short"
    (z,) = list(coverage.getFeatures())
    assert z["status"] == "below target"


def test_waypoints_use_a_disc(run_alg):
    wp = point_layer([("W1", OX + 50, OY + 50)], fields="waypoint_id:string", name="waypoints")
    res = run_alg(
        "hotspotpatrol:matchtracks",
        {
            "TRACKS": point_layer(A_ROWS),
            "UNIT_FIELD": "unit",
            "TIME_FIELD": "t",
            "ZONES": zone_layer([("Z1", square(0, 0, 100, 100))]),
            "WAYPOINTS": wp,
            "WAYPOINT_RADIUS": 25,
            "VISITS": "memory:",
            "COVERAGE": "memory:",
            "WAYPOINT_VISITS": "memory:",
        },
    )
    layer = res["WAYPOINT_VISITS"]
    layer = layer if isinstance(layer, QgsVectorLayer) else QgsProject.instance().mapLayer(layer)
    (w,) = list(layer.getFeatures())
    # the disc spans x=25..75 on y=50: crossings at t=(25+10)*6=210 s and (75+10)*6=510 s
    assert w["waypoint_id"] == "W1"
    assert ms(w["entry_time"]) == epoch(210) and ms(w["exit_time"]) == epoch(510) and w["pings"] == 2


def test_epoch_millisecond_numbers_and_iso_offsets(run_alg):
    rows = [("A", epoch(240 * i), x, y) for i, (_, _, x, y) in enumerate(A_ROWS)]
    tracks = point_layer(rows, fields="unit:string&field=t:long")
    _, visits, _ = run_match(run_alg, tracks, zone_layer([("Z1", square(0, 0, 100, 100))]))
    (a,) = list(visits.getFeatures())
    assert ms(a["entry_time"]) == epoch(60)
    # the same instants written with a +01:00 offset
    rows = [
        ("A", (T0 + dt.timedelta(seconds=240 * i, hours=1)).strftime("%Y-%m-%dT%H:%M:%S+01:00"), x, y)
        for i, (_, _, x, y) in enumerate(A_ROWS)
    ]
    _, visits, _ = run_match(run_alg, point_layer(rows), zone_layer([("Z1", square(0, 0, 100, 100))]))
    (a,) = list(visits.getFeatures())
    assert ms(a["entry_time"]) == epoch(60) and ms(a["exit_time"]) == epoch(660)


def test_autumn_fall_back_hour_resolved_by_ping_order(run_alg):
    # 2026-10-25: London clocks go back at 02:00 BST -> 01:00 GMT. Unit A pings every 20 min of
    # wall time 00:50, 01:10, 01:30, 01:50 (BST), 01:10, 01:30 (GMT) walking east at 1/12 m/s
    walls = ["00:50", "01:10", "01:30", "01:50", "01:10", "01:30"]
    first = dt.datetime(2026, 10, 24, 23, 50, tzinfo=dt.timezone.utc)
    utc = [first + dt.timedelta(minutes=20 * i) for i in range(6)]
    rows = [("A", f"2026-10-25 {w}:00", OX - 50 + 100 * i, OY + 50) for i, w in enumerate(walls)]
    _, visits, _ = run_match(run_alg, point_layer(rows), zone_layer([("Z1", square(0, 0, 400, 100))]), MAX_GAP=1500)
    (a,) = list(visits.getFeatures())
    # x=0 is reached half-way between pings 0 and 1; x=400 half-way between pings 4 and 5
    assert ms(a["entry_time"]) == int((utc[0].timestamp() + 600) * 1000)
    assert ms(a["exit_time"]) == int((utc[4].timestamp() + 600) * 1000)
    assert a["dwell_min"] == pytest.approx(80.0)


def test_bad_rows_are_skipped_and_counted(run_alg):
    rows = A_ROWS + [
        ("A", "yesterday-ish", OX, OY),
        ("A", "", OX, OY),
        (None, iso(5), OX, OY),
        ("C", iso(5), None, None),
        ("A", "2026-03-29T01:30:00", OX, OY),
    ]
    res, visits, _ = run_match(run_alg, point_layer(rows), zone_layer([("Z1", square(0, 0, 100, 100))]))
    assert res["SKIPPED_ROWS"] == 5
    reasons = res["SKIPPED_REASONS"]
    for text in (
        "unparseable time: 1",
        "missing time: 1",
        "no unit id: 1",
        "missing or invalid coordinates: 1",
        "does not exist",
    ):
        assert text in reasons
    (a,) = list(visits.getFeatures())
    assert ms(a["entry_time"]) == epoch(60)


def test_empty_pings_stop_the_run_instead_of_unvisited_zones(run_alg):
    """No pings is no answer: "not visited" everywhere would read as a finding (issue 13, 12)."""
    with pytest.raises(QgsProcessingException, match="The officer pings layer has no features"):
        run_match(run_alg, point_layer([]), zone_layer([("Z1", square(0, 0, 100, 100))]))


def test_inputs_are_not_modified(run_alg):
    tracks = point_layer(A_ROWS + B_ROWS)
    zones = zone_layer([("Z1", square(0, 0, 100, 100))])
    before = ([f.attributes() for f in tracks.getFeatures()], [f.attributes() for f in zones.getFeatures()])
    run_match(run_alg, tracks, zones)
    after = ([f.attributes() for f in tracks.getFeatures()], [f.attributes() for f in zones.getFeatures()])
    assert before == after
    assert tracks.fields().names() == ["unit", "t"] and zones.fields().names() == ["zone_id", "name"]


@pytest.mark.parametrize(
    "problem, message",
    [
        ("invalid", "invalid polygon"),
        ("timezone", "Unknown time zone"),
        ("field", "does not exist"),
        ("band", "target band is empty"),
    ],
)
def test_bad_input_stops_with_one_sentence(run_alg, problem, message):
    zones = zone_layer([("Z1", square(0, 0, 100, 100))])
    extra = {}
    tracks = point_layer(A_ROWS)
    if problem == "invalid":  # a bow-tie
        bow_tie = f"POLYGON(({OX} {OY}, {OX + 100} {OY + 100}, {OX + 100} {OY}, {OX} {OY + 100}, {OX} {OY}))"
        zones = zone_layer([("Z1", square(0, 0, 100, 100)), ("BAD", bow_tie)])
    elif problem == "timezone":
        extra["TIMEZONE"] = "Mars/Olympus"
    elif problem == "field":
        extra["ZONE_ID_FIELD"] = "nope"
    elif problem == "band":
        extra.update(TARGET_MIN=20, TARGET_MAX=15)
    with pytest.raises(QgsProcessingException) as err:
        run_match(run_alg, tracks, zones, **extra)
    assert message in str(err.value)
    if problem == "invalid":
        assert "BAD" in str(err.value) and "Fix geometries" in str(err.value)


def test_gpkg_output_reads_back_the_same_instants(run_alg, tmp_path):
    # fractional crossing times: x=0 at t=60.5 s when the first ping is at x=-10.0833...
    rows = [("A", iso(240 * i), OX - 10 - 1 / 12 + 40 * i, OY + 50) for i in range(4)]
    out = str(tmp_path / "visits.gpkg")
    res = run_alg(
        "hotspotpatrol:matchtracks",
        {
            "TRACKS": point_layer(rows),
            "UNIT_FIELD": "unit",
            "TIME_FIELD": "t",
            "ZONES": zone_layer([("Z1", square(0, 0, 100, 100))]),
            "VISITS": out,
            "COVERAGE": "memory:",
        },
    )
    layer = QgsVectorLayer(res["VISITS"], "v", "ogr")
    (a,) = list(layer.getFeatures())
    tol = 500 if Qgis.QGIS_VERSION_INT < 34000 else 1
    assert abs(ms(a["entry_time"]) - (epoch(0) + 60500)) <= tol
    assert abs(ms(a["exit_time"]) - (epoch(0) + 660500)) <= tol
