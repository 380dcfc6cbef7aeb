"""hotspotpatrol:compliance on a day whose pings are made from a known plan with known deviations.

planpatrols plans one foot patrol over four 60 m zones; pings are then written for one unit that
follows the plan except: one visit 20 minutes late, one only 5 minutes long, one missed, one made
in the wrong zone. matchtracks measures the visits from the pings and compliance compares. Each
visit's pings sit at the zone centre, with one ping 200 m south a minute before and after, so the
measured entry is 9 s before the first inside ping (the path crosses the edge 30 m out, 170 of 200 m
along a one-minute leg) and the exit 9 s after the last: the offsets and dwells below follow.
"""
from __future__ import annotations

import datetime as dt

import pytest
from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsVectorLayer
from test_plan_patrols import CENTRES, local, read, zones_layer

UNIT = "NE21"


def pings_layer(actual):
    layer = QgsVectorLayer("Point?crs=EPSG:27700&field=unit:string&field=time:string", "pings", "memory")
    feats = []

    def add(t, x, y):
        f = QgsFeature(layer.fields())
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x, y)))
        f.setAttributes([UNIT, dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")])
        feats.append(f)

    for zone, entry, dwell_min in actual:
        x, y = CENTRES[zone]
        t_in = entry + 9
        t_out = entry + dwell_min * 60 - 9
        add(t_in - 60, x, y - 200)
        t = t_in
        while t < t_out:
            add(t, x, y)
            t += 30
        add(t_out, x, y)
        add(t_out + 60, x, y - 200)
    layer.dataProvider().addFeatures(feats)
    return layer


def test_known_deviations_are_found(run_alg, tmp_path):
    zones = zones_layer()
    plan = run_alg("hotspotpatrol:planpatrols", {
        "ZONES": zones, "FIRST_DAY": "2026-06-05", "SHIFT_START": "18:00", "SHIFT_END": "22:00", "PATROLS": "1",
        "SEED": 5, "SCHEDULE": str(tmp_path / "schedule.gpkg"), "ROUTES": "TEMPORARY_OUTPUT",
        "FEASIBILITY": "TEMPORARY_OUTPUT"})
    sched = sorted(read(plan["SCHEDULE"]), key=lambda r: r["seq"])
    assert len(sched) >= 6
    arrive = [local(r["arrive"]).timestamp() for r in sched]
    # which planned visit gets which deviation: the late one needs room before the next stop
    late = next(i for i in range(1, len(sched) - 1) if arrive[i + 1] - arrive[i] >= 40 * 60)
    rest = [i for i in range(len(sched)) if i != late]
    short, missed, wrong = rest[1], rest[2], rest[3]
    # the wrong zone: one with no planned visit within the 30-minute tolerance of that time
    away = {z: min([abs(a - arrive[wrong]) for r, a in zip(sched, arrive) if r["zone_id"] == z] or [1e9])
            for z in CENTRES}
    wrong_zone = max(away, key=away.get)
    assert away[wrong_zone] > 31 * 60
    actual, expected = [], []
    for i, r in enumerate(sched):
        if i == late:
            actual.append((r["zone_id"], arrive[i] + 20 * 60, 12))
            expected.append(("late", 20.0, 12.0, "target"))
        elif i == short:
            actual.append((r["zone_id"], arrive[i], 5))
            expected.append(("short", 0.0, 5.0, "short"))
        elif i == missed:
            expected.append(("missed", None, None, None))
        elif i == wrong:
            actual.append((wrong_zone, arrive[i], 12))
            expected.append(("missed", None, None, None))
        else:
            actual.append((r["zone_id"], arrive[i], 12))
            expected.append(("on plan", 0.0, 12.0, "target"))
    matched = run_alg("hotspotpatrol:matchtracks", {
        "TRACKS": pings_layer(actual), "UNIT_FIELD": "unit", "TIME_FIELD": "time", "ZONES": zones, "MAX_GAP": 90,
        "VISITS": str(tmp_path / "visits.gpkg"), "COVERAGE": "TEMPORARY_OUTPUT"})
    mapping = QgsVectorLayer("None?field=callsign:string&field=patrol:string", "map", "memory")
    f = QgsFeature(mapping.fields())
    f.setAttributes([UNIT, "P1"])
    mapping.dataProvider().addFeatures([f])
    res = run_alg("hotspotpatrol:compliance", {
        "SCHEDULE": plan["SCHEDULE"], "VISITS": matched["VISITS"], "ZONES": zones, "UNIT_PATROL": mapping,
        "UNIT_FIELD": "callsign", "PATROL_FIELD": "patrol",
        "PLANNED_VISITS": str(tmp_path / "planned.gpkg"), "BY_ZONE": str(tmp_path / "by_zone.gpkg"),
        "BY_PATROL_DAY": str(tmp_path / "by_day.gpkg")})
    got = sorted(read(res["PLANNED_VISITS"]), key=lambda r: r["seq"])
    assert len(got) == len(sched)
    for r, (status, offset, dwell, band) in zip(got, expected):
        assert r["status"] == status, r["seq"]
        if offset is None:
            assert not r["made"] and not r["unit_id"]
        else:
            assert r["made"] and r["unit_id"] == UNIT
            assert r["arrival_offset_min"] == pytest.approx(offset, abs=0.02)
            assert r["dwell_min"] == pytest.approx(dwell, abs=0.02) and r["band"] == band
    n = len(sched)
    day = read(res["BY_PATROL_DAY"])
    assert len(day) == 1 and day[0]["planned"] == n and day[0]["made"] == n - 2
    assert day[0]["on_target"] == n - 3
    assert day[0]["share_made"] == pytest.approx((n - 2) / n, abs=1e-4)  # written to 4 decimals
    by_zone = {r["zone_id"]: r for r in read(res["BY_ZONE"])}
    assert by_zone[wrong_zone]["unplanned"] == 1
    assert sum(r["unplanned"] for r in by_zone.values()) == 1
    assert all(not r["_geom"].isEmpty() for r in by_zone.values())
    assert res["SUMMARY"].startswith(f"{n - 2} of {n} planned visits made")
