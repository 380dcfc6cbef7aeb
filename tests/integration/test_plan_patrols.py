"""hotspotpatrol:planpatrols through Processing: the written SCHEDULE, ROUTES and FEASIBILITY read back
from a GeoPackage, the briefing pack read back through poppler.

Zones are 60 m squares in British National Grid whose centres (the planned spot) are known, so
travel times are worked out here with math.hypot; local times are checked against zoneinfo.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest
from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsProcessingException, QgsVectorLayer

ALG = "hotspotpatrol:planpatrols"
LONDON = ZoneInfo("Europe/London")
CENTRES = {
    "HS-001": (430000.0, 433000.0),
    "HS-002": (430400.0, 433000.0),
    "HS-003": (430400.0, 433300.0),
    "HS-004": (429700.0, 433300.0),
}
NAMES = {"HS-001": "Market Street", "HS-002": "Bus Station", "HS-003": "Park Gate", "HS-004": "Canal Steps"}


def zones_layer():
    layer = QgsVectorLayer(
        "Polygon?crs=EPSG:27700&field=zone_id:string&field=name:string&field=priority:integer"
        "&field=visits_per_day:integer",
        "zones",
        "memory",
    )
    feats = []
    for i, (zid, (x, y)) in enumerate(CENTRES.items()):
        f = QgsFeature(layer.fields())
        f.setGeometry(QgsGeometry.fromRect(QgsGeometry.fromPointXY(QgsPointXY(x, y)).buffer(30, 1).boundingBox()))
        f.setAttributes([zid, NAMES[zid], i + 1, 3])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def read(path):
    layer = QgsVectorLayer(path, "x", "ogr")
    assert layer.isValid(), path
    return [{n: f[n] for n in layer.fields().names()} | {"_geom": f.geometry()} for f in layer.getFeatures()]


def local(value):
    """A written date-time (a local wall-clock time in the GeoPackage) as an aware datetime."""
    d, t = value.date(), value.time()
    return dt.datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), t.second(), tzinfo=LONDON)


@pytest.fixture()
def planned(run_alg, tmp_path):
    def run(**extra):
        params = {
            "ZONES": zones_layer(),
            "FIRST_DAY": "2026-06-05",
            "LAST_DAY": "2026-06-06",
            "SHIFT_START": "18:00",
            "SHIFT_END": "02:00",
            "PATROLS": "1 foot, 1 vehicle",
            "SEED": 17,
            "SCHEDULE": str(tmp_path / "schedule.gpkg"),
            "ROUTES": str(tmp_path / "routes.gpkg"),
            "FEASIBILITY": str(tmp_path / "feasibility.gpkg"),
        } | extra
        return run_alg(ALG, params)

    return run


def test_schedule_keeps_every_rule_as_written(planned, tmp_path):
    res = planned()
    rows = read(res["SCHEDULE"])
    assert set(rows[0]) >= {"day", "patrol", "seq", "zone_id", "arrive", "leave", "travel_min"}
    assert res["SEED_USED"] == 17 and {r["plan_seed"] for r in rows} == {"17"}
    assert len(rows) == 4 * 3 * 2 == res["VISITS_PLANNED"]  # 3 visits a day to each of 4 zones, 2 days
    speeds = {"foot": 4.5, "vehicle": 25.0}
    by_patrol = {}
    for r in rows:
        by_patrol.setdefault((r["day"], r["patrol"]), []).append(r)
    for (day, _patrol), stops in by_patrol.items():
        stops.sort(key=lambda r: r["seq"])
        day = dt.date.fromisoformat(str(day))
        start = dt.datetime(day.year, day.month, day.day, 18, tzinfo=LONDON)
        end = start + dt.timedelta(hours=8)
        for a, b in zip(stops, stops[1:]):
            (x0, y0), (x1, y1) = CENTRES[a["zone_id"]], CENTRES[b["zone_id"]]
            need = math.hypot(x1 - x0, y1 - y0) * 1.3 / (speeds[a["mode"]] * 1000 / 60)
            gap = (local(b["arrive"]) - local(a["leave"])).total_seconds() / 60
            assert gap >= need - 1e-6 and b["travel_min"] == math.ceil(round(need, 6))
        for r in stops:
            assert start <= local(r["arrive"]) and local(r["leave"]) <= end
            assert (local(r["leave"]) - local(r["arrive"])).total_seconds() == 15 * 60
    by_zone = {}
    for r in rows:
        by_zone.setdefault((r["day"], r["zone_id"]), []).append(local(r["arrive"]))
    for times in by_zone.values():
        times.sort()
        assert all((b - a).total_seconds() >= 60 * 60 for a, b in zip(times, times[1:]))
    feas = read(res["FEASIBILITY"])
    assert len(feas) == 8 and all(f["planned"] == f["wanted"] == 3 for f in feas)


def test_routes_pass_through_the_stops_in_order(planned):
    res = planned()
    sched = read(res["SCHEDULE"])
    routes = read(res["ROUTES"])
    assert len(routes) == len({(r["day"], r["patrol"]) for r in sched})
    for route in routes:
        stops = sorted(
            (r for r in sched if str(r["day"]) == route["day"] and r["patrol"] == route["patrol"]),
            key=lambda r: r["seq"],
        )
        line = route["_geom"].asPolyline()
        assert route["stops"] == len(stops) == len(line)
        for pt, stop in zip(line, stops):
            assert (pt.x(), pt.y()) == pytest.approx(CENTRES[stop["zone_id"]], abs=1e-6)


def test_same_seed_same_plan_other_seed_other_plan(planned, tmp_path):
    def times(res):
        return [
            (r["patrol"], r["zone_id"], local(r["arrive"]))
            for r in sorted(read(res["SCHEDULE"]), key=lambda r: (r["day"], r["patrol"], r["seq"]))
        ]

    a = times(planned(SCHEDULE=str(tmp_path / "a.gpkg")))
    b = times(planned(SCHEDULE=str(tmp_path / "b.gpkg")))
    c = times(planned(SCHEDULE=str(tmp_path / "c.gpkg"), SEED=18))
    assert a == b and a != c


def test_patrol_layer_start_and_mode(planned, tmp_path):
    layer = QgsVectorLayer("Point?crs=EPSG:27700&field=patrol:string&field=mode:string", "patrols", "memory")
    f = QgsFeature(layer.fields())
    f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(430000.0, 432000.0)))  # 1 km south of HS-001
    f.setAttributes(["NE21", "foot"])
    layer.dataProvider().addFeatures([f])
    from qgis.core import QgsProject

    QgsProject.instance().addMapLayer(layer)
    try:
        res = planned(PATROLS=layer.id(), LAST_DAY="2026-06-05")
    finally:
        QgsProject.instance().removeMapLayer(layer.id())
    rows = sorted(read(res["SCHEDULE"]), key=lambda r: r["seq"])
    assert {r["patrol"] for r in rows} == {"NE21"} and {r["mode"] for r in rows} == {"foot"}
    x, y = CENTRES[rows[0]["zone_id"]]
    need = math.hypot(x - 430000.0, y - 432000.0) * 1.3 / (4.5 * 1000 / 60)
    assert rows[0]["travel_min"] == math.ceil(round(need, 6))
    assert local(rows[0]["arrive"]) >= dt.datetime(2026, 6, 5, 18, tzinfo=LONDON) + dt.timedelta(minutes=need)


def test_shortfall_explained_in_the_summary(planned):
    res = planned(PATROLS="1", SHIFT_END="19:00", LAST_DAY="2026-06-05")
    # one foot patrol, one hour: at most 4 visits of 15 min, and 12 were asked for
    assert res["VISITS_SHORT"] > 0
    line = next(x for x in res["SUMMARY"].split("\n") if x.startswith("Fri 5 Jun: "))
    assert re.search(r"get[s]? \d of 3 visits", line) and line.endswith(".")


@pytest.mark.parametrize(
    "key,value,message",
    [
        ("SHIFT_START", "25:00", "shift start '25:00' is not a time of day"),
        ("PATROLS", "lots", "neither a number"),
        ("TRAVEL", "bicycle 12", "neither speeds"),
        ("TRAVEL", "foot 4.5, bicycle 12", "not understood"),
        ("MIN_SPACING", 200.0, "minimum spacing"),
    ],
)
def test_bad_input_one_sentence(planned, key, value, message):
    with pytest.raises(QgsProcessingException, match=message):
        planned(**{key: value})


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils (pdfinfo, pdftotext) not installed")
def test_briefing_pack_one_page_per_patrol_and_day(planned, tmp_path):
    pdf = tmp_path / "pack.pdf"
    res = planned(BRIEFING=str(pdf))
    routes = read(res["ROUTES"])
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1)) == len(routes) == 4
    sched = read(res["SCHEDULE"])
    for page, route in enumerate(sorted(routes, key=lambda r: (r["day"], r["patrol"])), start=1):
        text = subprocess.run(
            ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        d = dt.date.fromisoformat(route["day"])
        assert f"Patrol {route['patrol']} · {d.strftime('%A')} {d.day} {d.strftime('%B %Y')}" in text
        for r in sched:
            if str(r["day"]) == route["day"] and r["patrol"] == route["patrol"]:
                assert re.search(
                    rf"\b{r['seq']}\s+{local(r['arrive']):%H:%M}\s+{local(r['leave']):%H:%M}\s+"
                    rf"{r['zone_id']}\s+{NAMES[r['zone_id']]}",
                    text,
                ), (page, r["seq"])


def test_travel_over_a_road_network(run_alg, tmp_path):
    """Two zones 200 m apart joined only by an 800 m road round three sides of a rectangle: on foot
    at 4.5 km/h (75 m a minute) a leg takes 800 / 75 = 10.7 -> 11 minutes (QGIS measures on the
    ellipsoid: 800.4 m, still 11), not the straight line's 200 x 1.3 / 75 = 3.5 -> 4."""
    from qgis.core import QgsProject

    zones = QgsVectorLayer("Polygon?crs=EPSG:27700&field=zone_id:string&field=visits_per_day:integer", "z", "memory")
    feats = []
    for zid, x in (("A", 430000.0), ("B", 430200.0)):
        f = QgsFeature(zones.fields())
        f.setGeometry(
            QgsGeometry.fromRect(QgsGeometry.fromPointXY(QgsPointXY(x, 433000.0)).buffer(20, 1).boundingBox())
        )
        f.setAttributes([zid, 3])
        feats.append(f)
    zones.dataProvider().addFeatures(feats)
    roads = QgsVectorLayer("LineString?crs=EPSG:27700", "roads", "memory")
    road = QgsFeature(roads.fields())
    road.setGeometry(
        QgsGeometry.fromPolylineXY(
            [
                QgsPointXY(430000, 433000),
                QgsPointXY(430000, 433300),
                QgsPointXY(430200, 433300),
                QgsPointXY(430200, 433000),
            ]
        )
    )
    roads.dataProvider().addFeatures([road])
    QgsProject.instance().addMapLayer(roads)
    try:
        res = run_alg(
            ALG,
            {
                "ZONES": zones,
                "FIRST_DAY": "2026-06-05",
                "PATROLS": "1",
                "SEED": 3,
                "TRAVEL": f"{roads.id()}; foot 4.5",
                "SCHEDULE": str(tmp_path / "s.gpkg"),
                "ROUTES": "TEMPORARY_OUTPUT",
                "FEASIBILITY": "TEMPORARY_OUTPUT",
            },
        )
    finally:
        QgsProject.instance().removeMapLayer(roads.id())
    rows = sorted(read(res["SCHEDULE"]), key=lambda r: r["seq"])
    legs = [(a, b) for a, b in zip(rows, rows[1:]) if a["zone_id"] != b["zone_id"]]
    assert legs
    for a, b in legs:
        assert b["travel_min"] == 11
        assert (local(b["arrive"]) - local(a["leave"])).total_seconds() >= 11 * 60
