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
import os
import re
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsVectorLayer
from test_plan_patrols import CENTRES, NAMES, local, read, zones_layer

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


def known_day(run_alg, tmp_path, **extra):
    """Plan, pings from the plan with the four deviations, matchtracks, compliance: the schedule
    rows, the wrong zone, the expected (status, offset, dwell, band) per planned visit, the results."""
    zones = zones_layer()
    plan = run_alg(
        "hotspotpatrol:planpatrols",
        {
            "ZONES": zones,
            "FIRST_DAY": "2026-06-05",
            "SHIFT_START": "18:00",
            "SHIFT_END": "22:00",
            "PATROLS": "1",
            "SEED": 5,
            "SCHEDULE": str(tmp_path / "schedule.gpkg"),
            "ROUTES": "TEMPORARY_OUTPUT",
            "FEASIBILITY": "TEMPORARY_OUTPUT",
        },
    )
    sched = sorted(read(plan["SCHEDULE"]), key=lambda r: r["seq"])
    assert len(sched) >= 6
    arrive = [local(r["arrive"]).timestamp() for r in sched]
    # which planned visit gets which deviation: the late one needs room before the next stop
    late = next(i for i in range(1, len(sched) - 1) if arrive[i + 1] - arrive[i] >= 40 * 60)
    rest = [i for i in range(len(sched)) if i != late]
    short, missed, wrong = rest[1], rest[2], rest[3]
    # the wrong zone: one with no planned visit within the 30-minute tolerance of that time
    away = {
        z: min([abs(a - arrive[wrong]) for r, a in zip(sched, arrive) if r["zone_id"] == z] or [1e9]) for z in CENTRES
    }
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
    matched = run_alg(
        "hotspotpatrol:matchtracks",
        {
            "TRACKS": pings_layer(actual),
            "UNIT_FIELD": "unit",
            "TIME_FIELD": "time",
            "ZONES": zones,
            "MAX_GAP": 90,
            "VISITS": str(tmp_path / "visits.gpkg"),
            "COVERAGE": "TEMPORARY_OUTPUT",
        },
    )
    mapping = QgsVectorLayer("None?field=callsign:string&field=patrol:string", "map", "memory")
    f = QgsFeature(mapping.fields())
    f.setAttributes([UNIT, "P1"])
    mapping.dataProvider().addFeatures([f])
    res = run_alg(
        "hotspotpatrol:compliance",
        {
            "SCHEDULE": plan["SCHEDULE"],
            "VISITS": matched["VISITS"],
            "ZONES": zones,
            "UNIT_PATROL": mapping,
            "UNIT_FIELD": "callsign",
            "PATROL_FIELD": "patrol",
            "PLANNED_VISITS": str(tmp_path / "planned.gpkg"),
            "BY_ZONE": str(tmp_path / "by_zone.gpkg"),
            "BY_PATROL_DAY": str(tmp_path / "by_day.gpkg"),
        }
        | extra,
    )
    return sched, wrong_zone, expected, res


def test_known_deviations_are_found(run_alg, tmp_path):
    sched, wrong_zone, expected, res = known_day(run_alg, tmp_path)
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


def pdf_text(pdf) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm, pdftotext) not installed")
def test_compliance_briefing_page(run_alg, tmp_path):
    """The page's figures, worked out here from the deviations written into the pings: every planned
    visit lasts 15 minutes; a made visit lasts 12 minutes except the short one (5)."""
    pdf = tmp_path / "compliance.pdf"
    sched, wrong_zone, expected, res = known_day(run_alg, tmp_path, BRIEFING=str(pdf))
    assert res["BRIEFING"] == str(pdf)
    text = pdf_text(pdf)
    n = len(sched)
    pct = round(100 * (n - 2) / n)
    assert f"{n - 2} of {n} planned visits made ({pct}%), {n - 3} on target" in text
    zones_planned = len({r["zone_id"] for r in sched})
    assert f"Friday 5 June 2026 · 1 patrol · {zones_planned} zones planned" in text
    # per zone: planned, made, on target, made %, presence delivered / planned, unplanned
    for zone in CENTRES:
        rows = [e for r, e in zip(sched, expected) if r["zone_id"] == zone]
        made = [e for e in rows if e[0] != "missed"]
        on_target = [e for e in made if e[3] == "target"]
        delivered = sum(e[2] for e in made)
        share = f"{round(100 * len(made) / len(rows))}%" if rows else "–"
        planned_min = f"{15 * len(rows)}" if rows else "0"
        pattern = (
            rf"{zone}\s+{NAMES[zone]}\s+{len(rows)}\s+{len(made)}\s+{len(on_target)}\s+{share}\s+"
            rf"{delivered:.0f}\s*/\s*{planned_min}\s+{1 if zone == wrong_zone else 0}\n"
        )
        assert re.search(pattern, text), (zone, pattern)
    # per patrol and day
    delivered = sum(e[2] for e in expected if e[0] != "missed")
    pattern = (
        rf"Fri 5 Jun\s+P1\s+{n}\s+{n - 2}\s+{n - 3}\s+{pct}%\s+{round(100 * (n - 3) / n)}%\s+"
        rf"{delivered:.0f}\s*/\s*{15 * n}\n"
    )
    assert re.search(pattern, text), pattern
    # the planned visits not made as planned: two missed, one late by 20 minutes, one short
    for r, (status, offset, dwell, _) in zip(sched, expected):
        if status == "on plan":
            continue
        planned_at = f"{local(r['arrive']):%H:%M}"
        tail = r"–\s+–\s+–" if offset is None else rf"\+{offset:.0f} min\s+{dwell:.0f} min\s+{UNIT}"
        pattern = rf"Fri 5 Jun\s+P1\s+{r['seq']}\s+{r['zone_id']}\s+{planned_at}\s+{status}\s+{tail}\n"
        assert re.search(pattern, text), pattern
    # units only as they are in VISITS, and only in that table: no other ids, no tracks
    assert text.count(UNIT) == 2
    # look at it: out/screens (and docs/ with HP_UPDATE_DOCS=1)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "110",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(tmp_path / "compliance_page"),
        ],
        check=True,
    )
    png = tmp_path / "compliance_page.png"
    assert png.stat().st_size > 20_000
    root = Path(__file__).resolve().parents[2]
    screens = root / "out" / "screens"
    screens.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(png, screens / png.name)
    if os.environ.get("HP_UPDATE_DOCS"):
        shutil.copyfile(png, root / "docs" / png.name)


def test_compliance_briefing_needs_the_zones(run_alg, tmp_path):
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="give ZONES"):
        known_day(run_alg, tmp_path, ZONES=None, BRIEFING=str(tmp_path / "c.pdf"))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdfinfo, pdftotext) not installed")
def test_a_week_of_patrols_flows_onto_further_pages(qgis_new_project, tmp_path):
    """40 zones, 5 patrols x 7 days, 8 planned visits each: every zone, patrol-day and off-plan visit
    is printed once, with the counts that follow from the rules the visits were made by."""
    import pandas as pd
    from qgis.core import QgsProject

    from hotspot_patrol_plugin.core import compliance as C
    from hotspot_patrol_plugin.qgis_io import plan_briefing

    base = dt.datetime(2026, 6, 1, 17, 0, tzinfo=dt.timezone.utc).timestamp()  # 18:00 BST
    plan, act, zone_of = [], [], {}
    for d in range(7):
        for p in range(5):
            for j in range(8):
                zone = f"HS-{(p * 7 + d * 3 + j) % 40 + 1:03d}"
                arrive = base + d * 86400 + j * 1800
                plan.append(
                    {
                        "day": f"2026-06-{d + 1:02d}",
                        "patrol": f"P{p + 1}",
                        "seq": j + 1,
                        "zone_id": zone,
                        "arrive_utc": arrive,
                        "leave_utc": arrive + 900,
                    }
                )
                zone_of[(d, p, j)] = zone
                if j % 4 == 3:
                    continue  # missed
                dwell = 5.0 if j % 5 == 0 else 12.0
                act.append(
                    {
                        "zone_id": zone,
                        "unit_id": f"U-{p + 1}",
                        "entry_utc": arrive + 120,
                        "exit_utc": arrive + 120 + dwell * 60,
                        "dwell_min": dwell,
                        "band": "short" if dwell < 10 else "target",
                        "pass_through": False,
                    }
                )
    result = C.check(pd.DataFrame(plan), pd.DataFrame(act))
    layer = QgsVectorLayer("Polygon?crs=EPSG:27700&field=zone_id:string&field=name:string", "zones", "memory")
    feats = []
    for i in range(40):
        f = QgsFeature(layer.fields())
        x, y = 430000 + (i % 8) * 100, 433000 + (i // 8) * 100
        f.setGeometry(QgsGeometry.fromRect(QgsGeometry.fromPointXY(QgsPointXY(x, y)).buffer(25, 1).boundingBox()))
        f.setAttributes([f"HS-{i + 1:03d}", f"Street {i + 1}"])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    pdf = tmp_path / "week.pdf"
    pages = plan_briefing.export_compliance_pack(
        result, layer, C.ComplianceParams(), str(pdf), QgsProject.instance(), "Europe/London", png_folder=str(tmp_path)
    )
    text = pdf_text(pdf)
    assert pages > 1 and text.count("\f") == pages
    assert re.search(rf"\b{pages}\s*/\s*{pages}\n", text)  # the page numbers
    assert "Continued · 1 June – 7 June 2026 · 5 patrols · 40 zones planned" in text
    n, missed, short = 7 * 5 * 8, 7 * 5 * 2, 7 * 5 * 2  # j = 3, 7 missed; j = 0, 5 short
    assert (
        f"{n - missed} of {n} planned visits made ({round(100 * (n - missed) / n)}%), {n - missed - short} on "
        "target" in text
    )
    for i in range(40):
        zone = f"HS-{i + 1:03d}"
        keys = [k for k, z in zone_of.items() if z == zone]
        made = [k for k in keys if k[2] % 4 != 3]
        on = [k for k in made if k[2] % 5 != 0]
        delivered = sum(5 if k[2] % 5 == 0 else 12 for k in made)
        share = round(100 * len(made) / len(keys))
        row = (
            rf"{zone}\s+Street {i + 1}\s+{len(keys)}\s+{len(made)}\s+{len(on)}\s+{share}%\s+{delivered}"
            rf"\s*/\s*{15 * len(keys)}\s+0(?=\s)"
        )
        assert len(re.findall(row, text)) == 1, row
    for d in range(7):
        for p in range(5):
            day = dt.date(2026, 6, d + 1)
            # 8 planned: 2 missed (j = 3, 7), 2 short (j = 0, 5: 5 min), 4 on target (12 min): 58 of 120 min
            row = rf"{day:%a} {day.day} Jun\s+P{p + 1}\s+8\s+6\s+4\s+75%\s+50%\s+58\s*/\s*120(?=\s)"
            assert len(re.findall(row, text)) == 1, row
            for j in (0, 3, 5, 7):  # the visits not made as planned, in order
                status = "missed" if j % 4 == 3 else "short"
                local_at = dt.datetime.fromtimestamp(base + d * 86400 + j * 1800, ZoneInfo("Europe/London"))
                row = (
                    rf"{day:%a} {day.day} Jun\s+P{p + 1}\s+{j + 1}\s+{zone_of[(d, p, j)]}\s+{local_at:%H:%M}\s+"
                    rf"{status}\s+"
                )
                assert len(re.findall(row, text)) == 1, row
    assert len(list(tmp_path.glob("compliance_*.png"))) == pages
