"""hotspotpatrol:evaluate through Processing, on hand-placed crimes whose counts are known.

British National Grid metres. Treated zone T1 = square 1000-1100 x 1000-1100 (offset by X0, Y0),
control C1 = square 2000-2100 x 1000-1100; BUFFER 50 m, so the treated ring is 950-1150 minus the
square, the control ring likewise around C1. Crimes are placed at the centres of those areas:
treated 20 before / 10 after, control 20 / 20, treated ring 8 / 6, control ring 5 / 5 (before in
June, after in July 2026; 30 days vs 31 days, so the before counts are scaled by 30/31).
By hand (time weight w = 30/31): ΔT = 10 − 20/w, ΔCt = 20 − 20/w, ΔD = 6 − 8/w, ΔCd = 5 − 5/w.
"""

from __future__ import annotations

import math

import pytest
from qgis.core import QgsFeature, QgsField, QgsGeometry, QgsPointXY, QgsVectorLayer

X0, Y0 = 430000.0, 433000.0
W = 30 / 31


def _zones(squares):
    layer = QgsVectorLayer("Polygon?crs=EPSG:27700&field=zone_id:string", "zones", "memory")
    feats = []
    for zid, (x, y) in squares.items():
        f = QgsFeature(layer.fields())
        f.setAttributes([zid])
        f.setGeometry(
            QgsGeometry.fromRect(
                __import__("qgis.core", fromlist=["QgsRectangle"]).QgsRectangle(
                    X0 + x, Y0 + y, X0 + x + 100, Y0 + y + 100
                )
            )
        )
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def _crimes(spec):
    layer = QgsVectorLayer("Point?crs=EPSG:27700", "crimes", "memory")
    layer.dataProvider().addAttributes(
        [
            QgsField("date", __import__("qgis.PyQt.QtCore", fromlist=["QVariant"]).QVariant.String),
            QgsField("type", __import__("qgis.PyQt.QtCore", fromlist=["QVariant"]).QVariant.String),
        ]
    )
    layer.updateFields()
    feats = []
    for (x, y), date, kind, n in spec:
        for _ in range(n):
            f = QgsFeature(layer.fields())
            f.setAttributes([date, kind])
            f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(X0 + x, Y0 + y)))
            feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


SPEC = [
    ((1050, 1050), "2026-06-10", "Burglary", 20),
    ((1050, 1050), "2026-07-10", "Burglary", 10),
    ((2050, 1050), "2026-06-11", "Burglary", 20),
    ((2050, 1050), "2026-07-11", "Burglary", 20),
    ((1050, 975), "2026-06-12", "Burglary", 8),
    ((1050, 975), "2026-07-12", "Burglary", 6),
    ((2050, 975), "2026-06-13", "Burglary", 5),
    ((2050, 975), "2026-07-13", "Burglary", 5),
    ((1050, 1050), "2025-01-01", "Burglary", 3),
]  # outside both periods


def _params(tmp_path, **extra):
    p = {
        "CRIMES": _crimes(SPEC),
        "DATE_FIELD": "date",
        "TYPE_FIELD": "type",
        "TREATED": _zones({"T1": (1000, 1000)}),
        "CONTROL": _zones({"C1": (2000, 1000)}),
        "BUFFER": 50,
        "BEFORE_START": "2026-06-01",
        "BEFORE_END": "2026-06-30",
        "AFTER_START": "2026-07-01",
        "AFTER_END": "2026-07-31",
        "OUTPUT": "memory:",
        "AREAS": "memory:",
        "SUMMARY": "memory:",
        "CHART": str(tmp_path / "chart.png"),
    }
    p.update(extra)
    return p


def test_evaluate_hand_counts(run_alg, tmp_path):
    res = run_alg("hotspotpatrol:evaluate", _params(tmp_path))
    local = (10 - 20 / W) - (20 - 20 / W)
    disp = (6 - 8 / W) - (5 - 5 / W)
    var = 10 + 20 / W**2 + 20 + 20 / W**2 + 6 + 8 / W**2 + 5 + 5 / W**2
    assert res["WDD_LOCAL"] == pytest.approx(local, abs=1e-9)
    assert res["WDD_DISPLACEMENT"] == pytest.approx(disp, abs=1e-9)
    assert res["WDD_TOTAL"] == pytest.approx(local + disp, abs=1e-9)
    assert res["WDD_SE"] == pytest.approx(math.sqrt(var), abs=1e-9)
    assert res["WDD_Z"] == pytest.approx((local + disp) / math.sqrt(var), abs=1e-9)
    assert res["WDD_P"] == pytest.approx(math.erfc(abs(res["WDD_Z"]) / math.sqrt(2)), abs=1e-12)
    # WDQ with before counts in after-period units: success = 10/20 − (20/W)/(20/W) = −0.5,
    # buffer = 6/20 − (8/W)/(20/W) = 0.3 − 0.4 = −0.1 → WDQ = 0.2 (diffusion)
    assert res["WDQ"] == pytest.approx(0.2, abs=1e-9)
    assert res["TNE"] == pytest.approx((20 / W * 20 / (20 / W) - 10) + (8 / W * 20 / (20 / W) - 6), abs=1e-9)
    assert res["CRIMES_USED"] == 20 + 10 + 20 + 20 + 8 + 6 + 5 + 5  # the 3 from 2025 are outside both periods
    assert "fewer" in res["HEADLINE"]
    assert "ROI" not in res or res["ROI"] is None
    feats = list(res["OUTPUT"].getFeatures())
    assert len(feats) == 1
    f = feats[0]
    assert (
        f["treated_before"],
        f["treated_after"],
        f["control_before"],
        f["ring_before"],
        f["ring_control_after"],
    ) == (20, 10, 20, 8, 5)
    assert f["result"] in ("fewer crimes", "no clear change") and "zone T1" in f["sentence"]
    summary = {g["group"]: g for g in res["SUMMARY"].getFeatures()}
    assert set(summary) == {"all zones", "Burglary"}
    assert summary["all zones"]["wdd_total"] == pytest.approx(local + disp, abs=1e-9)
    png = (tmp_path / "chart.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_evaluate_automatic_control_and_rings(run_alg, tmp_path):
    import shapely

    res = run_alg("hotspotpatrol:evaluate", _params(tmp_path, CONTROL=None, CHART=None))
    assert "chosen automatically" in res["CONTROL_CHOICE"] and "C-T1" in res["CONTROL_CHOICE"]
    areas = res["AREAS"]
    geoms = {}
    for f in areas.getFeatures():
        geoms.setdefault(f["role"], []).append(shapely.from_wkb(bytes(f.geometry().asWkb())))
    zones = shapely.union_all(geoms["treated"] + geoms["control"])
    for ring in geoms["ring"] + geoms.get("control ring", []):
        assert shapely.area(shapely.intersection(ring, zones)) == pytest.approx(0, abs=1e-6)
    # the control copy is the same size as the treated zone
    assert shapely.area(geoms["control"][0]) == pytest.approx(shapely.area(geoms["treated"][0]))


def test_evaluate_roi_with_costs(run_alg, tmp_path):
    costs = tmp_path / "costs.csv"
    costs.write_text("crime type,cost\nBurglary,5930\n")
    coverage = QgsVectorLayer(
        "None?field=zone_id:string&field=presence_min:double&field=dwell_total_min:double", "coverage", "memory"
    )
    f = QgsFeature(coverage.fields())
    f.setAttributes(["T1", 600.0, 900.0])
    coverage.dataProvider().addFeatures([f])
    res = run_alg(
        "hotspotpatrol:evaluate",
        _params(
            tmp_path, CRIME_COSTS=str(costs), PATROL_COST=40, COVERAGE=coverage, COST_SOURCE="test costs", CHART=None
        ),
    )
    prevented = -res["WDD_TOTAL"]
    # by hand: benefit = 5930 × prevented; patrol cost = 900 min = 15 h × 40 = 600
    assert res["ROI"] == pytest.approx(5930 * prevented / 600, abs=1e-6)
    assert res["ROI_LOW"] == pytest.approx(-5930 * res["WDD_CI_HIGH"] / 600, abs=1e-6)
    assert res["BREAK_EVEN_COST"] == pytest.approx(5930 * prevented / 15, abs=1e-6)
    assert "test costs" in res["HEADLINE"]


def test_evaluate_bad_periods(run_alg, tmp_path):
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="overlap"):
        run_alg("hotspotpatrol:evaluate", _params(tmp_path, AFTER_START="2026-06-15"))
