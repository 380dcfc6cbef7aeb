"""hotspotpatrol:exportbriefing, rendered and read back: the PDF through poppler (pdfinfo, pdftotext),
the PNG pages through QImage pixels.

The data is the bundled sample matched by hotspotpatrol:matchtracks (8 zones, 6 units with real
looking callsigns). Expected texts come from the coverage and visits GeoPackages (the algorithm's
input), expected pseudonyms from HMAC-SHA256 computed here with hashlib, expected colours from the
Okabe-Ito palette the issue fixes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import shutil
import subprocess
import warnings

import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsGeometry,
    QgsProcessingException,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtGui import QColor, QImage

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
    reason="poppler-utils (pdfinfo, pdftotext) not installed",
)

CALLSIGNS = ("NE21", "NE22", "NE31", "NE32", "PC4471", "PC5102")
KEY = "briefing-test-key"
PALETTE = {"not visited": "#bdbdbd", "below target": "#e69f00", "on target": "#009e73", "above target": "#0072b2"}
PNG_DPI = 150
RIGHT_COLUMN_MM = 170  # A4: the map is left of it, the key figures, legend and tables right of it
ALG = "hotspotpatrol:exportbriefing"


def pseudonym(unit: str, key: str = KEY) -> str:
    return "U-" + hmac.new(key.encode(), unit.encode(), hashlib.sha256).hexdigest()[:6]


def pdf_pages(path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


def pdf_page_size(path) -> tuple[float, float]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    m = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", out, re.M)
    return float(m.group(1)), float(m.group(2))


def pdf_text(path, page: int | None = None, left_mm: float | None = None) -> str:
    """The text of the PDF (or one page, or the part of a page right of ``left_mm``)."""
    args = ["pdftotext", "-layout"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    if left_mm is not None:
        x = round(left_mm / 25.4 * 72)
        args += ["-x", str(x), "-y", "0", "-W", str(2000 - x), "-H", "2000"]
    return subprocess.run(args + [str(path), "-"], capture_output=True, text=True, check=True).stdout


def blend(colour: str, alpha: float) -> tuple[int, int, int]:
    c = QColor(colour)
    return tuple(round(v * alpha + 255 * (1 - alpha)) for v in (c.red(), c.green(), c.blue()))


def close(rgb, expected, tol=18) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(rgb, expected))


def pixel(image: QImage, x: float, y: float) -> tuple[int, int, int]:
    c = QColor(image.pixel(int(round(x)), int(round(y))))
    return c.red(), c.green(), c.blue()


# ---------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def matched(tmp_path_factory, qgis_app, qgis_processing, sample_gpkg):
    """The sample matched once: coverage, visits and waypoint visits GeoPackages."""
    from qgis import processing
    from qgis.core import QgsApplication, QgsProcessingContext, QgsProcessingFeedback

    from hotspot_patrol_plugin.processing.provider import HotspotPatrolProvider

    registry = QgsApplication.processingRegistry()
    if registry.providerById("hotspotpatrol") is None:
        from tests.integration import conftest

        conftest._KEEP.append(HotspotPatrolProvider())
        registry.addProvider(conftest._KEEP[-1])
    out = tmp_path_factory.mktemp("matched")
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    processing.run(
        "hotspotpatrol:matchtracks",
        {
            "TRACKS": f"{sample_gpkg}|layername=pings",
            "UNIT_FIELD": "callsign",
            "TIME_FIELD": "time",
            "ZONES": f"{sample_gpkg}|layername=zones",
            "WAYPOINTS": f"{sample_gpkg}|layername=waypoints",
            "VISITS": str(out / "visits.gpkg"),
            "COVERAGE": str(out / "coverage.gpkg"),
            "WAYPOINT_VISITS": str(out / "waypoint_visits.gpkg"),
        },
        context=context,
        feedback=QgsProcessingFeedback(),
    )
    return {
        "coverage": str(out / "coverage.gpkg"),
        "visits": str(out / "visits.gpkg"),
        "waypoints": f"{sample_gpkg}|layername=waypoints",
        "dir": out,
    }


def run_export(run_alg, params, feedback=None):
    return run_alg(ALG, params, feedback=feedback)


@pytest.fixture(scope="module")
def coverage_rows(matched):
    layer = QgsVectorLayer(matched["coverage"], "coverage", "ogr")
    rows = {
        f["zone_id"]: {k: f[k] for k in ("name", "priority", "visits", "dwell_median_min", "status")}
        for f in layer.getFeatures()
    }
    return rows


@pytest.fixture(scope="module")
def visits_rows(matched):
    layer = QgsVectorLayer(matched["visits"], "visits", "ogr")
    return [{"zone": f["zone_id"], "unit": f["unit_id"], "pass": bool(f["pass_through"])} for f in layer.getFeatures()]


_PACKS = {}


@pytest.fixture()
def pack(run_alg, matched, tmp_path_factory):
    """The A4 pack with PNG pages, made once for the module."""
    if "a4" not in _PACKS:
        out = tmp_path_factory.mktemp("pack")
        params = {
            "COVERAGE": matched["coverage"],
            "VISITS": matched["visits"],
            "WAYPOINTS": matched["waypoints"],
            "TITLE": "Test briefing",
            "AREA": "Sample town centre",
            "PSEUDONYMISE_KEY": KEY,
            "OUTPUT": str(out / "pack.pdf"),
            "PNG_FOLDER": str(out / "png"),
        }
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = run_export(run_alg, params)
        _PACKS["a4"] = {
            "result": result,
            "pdf": out / "pack.pdf",
            "png": out / "png",
            "warnings": [str(w.message) for w in caught],
        }
    return _PACKS["a4"]


# ---------------------------------------------------------------------------- the PDF
def _null(v) -> bool:
    return v is None or (hasattr(v, "isNull") and v.isNull())


def test_pdf_has_an_overview_page_and_one_page_per_zone(pack, coverage_rows):
    assert pack["pdf"].is_file()
    assert len(coverage_rows) <= 15  # the sample: its zones table fits on page 1
    assert pdf_pages(pack["pdf"]) == 1 + len(coverage_rows) == pack["result"]["PAGES"]
    assert pdf_page_size(pack["pdf"]) == pytest.approx((842, 595), abs=1)  # A4 landscape


def test_page_one_lists_every_zone_with_the_coverage_numbers(pack, coverage_rows):
    text = pdf_text(pack["pdf"], 1)
    pages = len(coverage_rows) + 1
    assert "Test briefing" in text and "Sample town centre" in text
    assert f"Produced {dt.date.today().day} {dt.date.today():%B %Y}" in text
    assert "on target: median visit 10–15 min" in text
    assert "below target: median visit under 10 min" in text
    assert "above target: median visit over 15 min" in text
    lines = pdf_text(pack["pdf"], 1, left_mm=RIGHT_COLUMN_MM).splitlines()  # the table, not the map labels
    for page, zone_id in enumerate(sorted(coverage_rows), start=2):
        row = coverage_rows[zone_id]
        line = next(ln for ln in lines if re.match(rf"\s*{re.escape(zone_id)}\s", ln))
        cells = re.split(r"\s{2,}", line.strip())
        assert cells[0] == zone_id
        assert row["name"].startswith(cells[1].rstrip("…")), (cells, row["name"])
        assert f" {row['visits']} " in f" {line} ", line
        if not _null(row["dwell_median_min"]):
            assert f"{row['dwell_median_min']:.1f} min" in line, line
        assert row["status"] in line, line
        if not _null(row["priority"]):
            assert re.search(rf"\b{row['priority']}\b", line), line
        assert cells[-1] == str(page), line
    counts = [sum(r["status"] == s for r in coverage_rows.values()) for s in PALETTE]
    assert re.search(r"\s+".join(str(c) for c in counts), text), counts
    assert f"Page 1 of {pages}" in text


def test_each_zone_page_has_its_figures_and_pseudonymised_visits(pack, coverage_rows, visits_rows):
    pages = len(coverage_rows) + 1
    for page, zone_id in enumerate(sorted(coverage_rows), start=2):
        text = pdf_text(pack["pdf"], page)
        row = coverage_rows[zone_id]
        title = re.search(rf"^\s*{re.escape(zone_id)} · (.+?)\s{{2,}}", text, re.M)
        assert title and row["name"].startswith(title.group(1).rstrip("…")), (page, text[:300])
        assert f"Page {page} of {pages}" in text
        if not _null(row["dwell_median_min"]):
            assert f"{row['dwell_median_min']:.1f} min" in text
        if not _null(row["priority"]):
            assert f"Priority {row['priority']}" in text
        counted = [v for v in visits_rows if v["zone"] == zone_id and not v["pass"]]
        assert re.search(rf"Counted visits\s+{len(counted)}\b", text), text
        seen = {pseudonym(v["unit"]) for v in counted}
        listed = set(re.findall(r"U-[0-9a-f]{6}", text))
        assert listed <= seen and (listed or not counted), (zone_id, listed, seen)


def test_officer_ids_never_appear_in_the_pack(pack, visits_rows):
    text = pdf_text(pack["pdf"])
    for callsign in CALLSIGNS:
        assert callsign not in text
    assert {pseudonym(v["unit"]) for v in visits_rows if not v["pass"]} & set(re.findall(r"U-[0-9a-f]{6}", text))
    # nor in the data layers the pack's layout keeps in the project
    layout = QgsProject.instance().layoutManager().layoutByName(pack["result"]["LAYOUT"])
    visits_layer = next(
        lay for lay in layout.multiFrames() if lay.vectorLayer().name().startswith("Visits")
    ).vectorLayer()
    units = {f["unit"] for f in visits_layer.getFeatures()}
    assert units and not units & set(CALLSIGNS)
    assert "unit_id" not in visits_layer.fields().names()


def test_unit_ids_are_shown_only_when_asked(run_alg, matched, tmp_path):
    out = tmp_path / "ids.pdf"
    run_export(
        run_alg,
        {"COVERAGE": matched["coverage"], "VISITS": matched["visits"], "SHOW_UNIT_IDS": True, "OUTPUT": str(out)},
    )
    text = pdf_text(out)
    assert sum(c in text for c in CALLSIGNS) >= 4
    assert not re.search(r"U-[0-9a-f]{6}", text)


def test_without_a_key_a_random_key_still_hides_the_ids(run_alg, matched, tmp_path):
    from qgis.core import QgsProcessingFeedback

    class Feedback(QgsProcessingFeedback):
        warnings_ = []

        def pushWarning(self, text):
            self.warnings_.append(text)

    fb = Feedback()
    out = tmp_path / "nokey.pdf"
    run_export(run_alg, {"COVERAGE": matched["coverage"], "VISITS": matched["visits"], "OUTPUT": str(out)}, fb)
    text = pdf_text(out)
    assert not any(c in text for c in CALLSIGNS)
    assert re.findall(r"U-[0-9a-f]{6}", text)
    assert not {pseudonym(c) for c in CALLSIGNS} & set(re.findall(r"U-[0-9a-f]{6}", text))
    assert any("random" in w for w in fb.warnings_)


# ---------------------------------------------------------------------------- PNG pages
def test_png_pages_match_the_pdf_and_are_not_blank(pack):
    files = sorted(pack["png"].glob("page_*.png"))
    assert len(files) == pack["result"]["PAGES"] == pack["result"]["PNG_FILES"]
    for f in files:
        image = QImage(str(f))
        assert abs(image.width() - 297 / 25.4 * PNG_DPI) <= 1 and abs(image.height() - 210 / 25.4 * PNG_DPI) <= 1
        colours = {image.pixel(x, y) for x in range(0, image.width(), 23) for y in range(0, image.height(), 23)}
        assert len(colours) > 20, f"{f.name} looks blank"


def _map_to_pixels(map_item, image):
    """A function from map coordinates to image pixels for a map item of the layout's first pages."""
    extent = map_item.extent()
    pos = map_item.pagePositionWithUnits()
    size = map_item.sizeWithUnits()
    scale = image.width() / 297.0  # px per mm on an A4 landscape page

    def to_px(x, y):
        mx = pos.x() + (x - extent.xMinimum()) / extent.width() * size.width()
        my = pos.y() + (extent.yMaximum() - y) / extent.height() * size.height()
        return mx * scale, my * scale

    return to_px, scale


def test_page_one_shows_each_zone_in_its_status_colour(pack, matched):
    layout = QgsProject.instance().layoutManager().layoutByName(pack["result"]["LAYOUT"])
    map_item = layout.itemById("hp_overview_map")
    image = QImage(str(pack["png"] / "page_01.png"))
    to_px, px_per_mm = _map_to_pixels(map_item, image)
    metres_per_mm = map_item.scale() / 1000.0
    coverage = QgsVectorLayer(matched["coverage"], "coverage", "ogr")
    checked, statuses = 0, set()
    for f in coverage.getFeatures():
        expected = blend(PALETTE[f["status"]], (90 if f["status"] == "not visited" else 110) / 255)  # translucent
        geom = f.geometry()
        inner = geom.buffer(-0.8 * metres_per_mm, 4)  # clear of the outline
        cx, cy = to_px(geom.centroid().asPoint().x(), geom.centroid().asPoint().y())
        box = geom.boundingBox()
        hits = total = 0
        for i in range(1, 30):
            for j in range(1, 30):
                x = box.xMinimum() + box.width() * i / 30
                y = box.yMinimum() + box.height() * j / 30
                if not inner.contains(QgsGeometry.fromWkt(f"POINT({x} {y})")):
                    continue
                px, py = to_px(x, y)
                if abs(py - cy) < 2.8 * px_per_mm and abs(px - cx) < 7 * px_per_mm:
                    continue  # the zone id label sits on the centroid (ids only on the overview)
                total += 1
                hits += close(pixel(image, px, py), expected)
        if total >= 3:
            checked += 1
            statuses.add(f["status"])
            assert hits >= 0.8 * total, (f["zone_id"], f["status"], hits, total)
    assert checked >= min(2, coverage.featureCount()), (checked, statuses)


def test_zone_pages_show_the_status_chip_and_the_faded_zone(pack, matched):
    layout = QgsProject.instance().layoutManager().layoutByName(pack["result"]["LAYOUT"])
    coverage = {f["zone_id"]: f["status"] for f in QgsVectorLayer(matched["coverage"], "c", "ogr").getFeatures()}
    for page, zone_id in enumerate(sorted(coverage), start=2):
        image = QImage(str(pack["png"] / f"page_{page:02d}.png"))
        s = image.width() / 297.0
        # the chip: a 4.2 mm square 95 mm from the right margin, 8 mm below the top margin
        chip = pixel(image, (297 - 10 - 95 + 2.1) * s, (10 + 8 + 2.1) * s)
        assert close(chip, QColor(PALETTE[coverage[zone_id]]).getRgb()[:3], 6), (zone_id, chip)
        if coverage[zone_id] == "not visited":
            continue  # grey and hatched: no single colour to look for
        # the zone's own fill, faded so the visit paths read on top of it
        map_item = layout.itemById("hp_zone_map")
        pos, size = map_item.pagePositionWithUnits(), map_item.sizeWithUnits()
        faded = blend(PALETTE[coverage[zone_id]], 90 / 255)
        found = sum(
            close(pixel(image, x, y), faded, 10)
            for x in range(int(pos.x() * s) + 5, int((pos.x() + size.width()) * s) - 5, 6)
            for y in range(int(pos.y() * s) + 5, int((pos.y() + size.height()) * s) - 5, 6)
        )
        assert found > 30, (zone_id, found)


# ---------------------------------------------------------------------------- the layout in the project
def test_the_layout_is_added_to_the_project_for_editing(pack, coverage_rows):
    from qgis.core import QgsPrintLayout

    layout = QgsProject.instance().layoutManager().layoutByName(pack["result"]["LAYOUT"])
    assert isinstance(layout, QgsPrintLayout)
    atlas = layout.atlas()
    assert atlas.enabled() and atlas.coverageLayer().featureCount() == len(coverage_rows)
    assert QgsProject.instance().mapLayer(atlas.coverageLayer().id()) is not None
    assert layout.pageCollection().pageCount() == 2  # overview + the atlas page
    for item_id in ("hp_overview_map", "hp_zone_map", "hp_locator_map", "hp_overview_legend"):
        assert layout.itemById(item_id) is not None, item_id
    group = next(
        g
        for g in QgsProject.instance().layerTreeRoot().findGroups()
        if g.name().startswith("Briefing pack: Test briefing")
    )
    assert not group.itemVisibilityChecked()
    names = {node.layer().name() for node in group.findLayers()}
    assert {
        "Zones (briefing)",
        "Zone outline (briefing)",
        "Visits (briefing, pseudonymised)",
        "Waypoints (briefing)",
    } <= names


def test_input_layers_are_not_modified(run_alg, matched, tmp_path):
    def snapshot(path):
        layer = QgsVectorLayer(path, "x", "ogr")
        return (
            layer.fields().names(),
            sorted((f.id(), tuple(str(a) for a in f.attributes()), f.geometry().asWkt(3)) for f in layer.getFeatures()),
        )

    before = {k: snapshot(matched[k]) for k in ("coverage", "visits")}
    project_layer = QgsVectorLayer(matched["coverage"], "coverage in project", "ogr")
    QgsProject.instance().addMapLayer(project_layer)
    renderer_type = project_layer.renderer().type()
    run_export(
        run_alg,
        {
            "COVERAGE": project_layer,
            "VISITS": matched["visits"],
            "PSEUDONYMISE_KEY": KEY,
            "OUTPUT": str(tmp_path / "p.pdf"),
        },
    )
    assert {k: snapshot(matched[k]) for k in ("coverage", "visits")} == before
    assert project_layer.renderer().type() == renderer_type
    assert "hp_page" not in project_layer.fields().names()
    QgsProject.instance().removeMapLayer(project_layer.id())


def test_a3_paper(run_alg, matched, tmp_path):
    out = tmp_path / "a3.pdf"
    res = run_export(
        run_alg,
        {
            "COVERAGE": matched["coverage"],
            "VISITS": matched["visits"],
            "PSEUDONYMISE_KEY": KEY,
            "PAPER": "A3",
            "OUTPUT": str(out),
        },
    )
    assert pdf_page_size(out) == pytest.approx((1191, 842), abs=1)
    assert pdf_pages(out) == res["PAGES"] == 1 + QgsVectorLayer(matched["coverage"], "c", "ogr").featureCount()


def test_a_style_band_different_from_the_default_reaches_the_legend(run_alg, matched, tmp_path):
    out = tmp_path / "band.pdf"
    run_export(run_alg, {"COVERAGE": matched["coverage"], "TARGET_MIN": 12, "TARGET_MAX": 20, "OUTPUT": str(out)})
    text = pdf_text(out, 1)
    assert "on target: median visit 12–20 min" in text
    assert "below target: median visit under 12 min" in text


# ---------------------------------------------------------------------------- long tables
def synthetic_coverage(n: int) -> QgsVectorLayer:
    """n square zones in a row, statuses cycling, a quarter not visited."""
    fields = (
        "zone_id:string&field=name:string&field=priority:integer&field=visits:integer"
        "&field=visits_short:integer&field=visits_target:integer&field=visits_long:integer"
        "&field=dwell_total_min:double&field=dwell_median_min:double&field=presence_min:double"
        "&field=units:integer&field=first_entry:datetime&field=last_exit:datetime&field=status:string"
    )
    layer = QgsVectorLayer(f"Polygon?crs=EPSG:27700&field={fields}", "synthetic coverage", "memory")
    statuses = ("not visited", "below target", "on target", "above target")
    medians = (None, 6.0, 12.5, 19.0)
    feats = []
    for i in range(n):
        k = i % 4
        f = QgsFeature(layer.fields())
        visits = 0 if k == 0 else 3 + i % 5
        f.setAttributes(
            [
                f"Z-{i + 1:02d}",
                f"Street {i + 1}",
                1 + i % 5,
                visits,
                visits if k == 1 else 0,
                visits if k == 2 else 0,
                visits if k == 3 else 0,
                None if k == 0 else visits * medians[k],
                medians[k],
                None if k == 0 else visits * medians[k],
                0 if k == 0 else 2,
                None,
                None,
                statuses[k],
            ]
        )
        x, y = 430000 + (i % 10) * 400, 432000 + (i // 10) * 400
        f.setGeometry(QgsGeometry.fromWkt(f"POLYGON(({x} {y},{x + 120} {y},{x + 120} {y + 90},{x} {y + 90},{x} {y}))"))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    assert layer.crs() == QgsCoordinateReferenceSystem("EPSG:27700")
    return layer


def test_a_long_zones_table_continues_on_extra_pages(run_alg, tmp_path):
    layer = synthetic_coverage(60)
    out = tmp_path / "long.pdf"
    res = run_export(run_alg, {"COVERAGE": layer, "OUTPUT": str(out)})
    pages = pdf_pages(out)
    assert pages == res["PAGES"] > 61
    overview = pages - 60
    text = "\n".join(pdf_text(out, p) for p in range(1, overview + 1))
    assert "Zones (continued)" in pdf_text(out, 2)
    # table rows (two frames side by side on a continuation page share a text line)
    rows = [cell.strip() for ln in text.splitlines() for cell in re.split(r"\s{3,}(?=Z-\d\d\b)", ln)]
    for i in range(60):  # every zone listed once in the overview table, with its page number
        zone = f"Z-{i + 1:02d}"
        row = [r for r in rows if re.match(rf"{zone}\s+Street {i + 1}\b", r)]
        assert len(row) == 1 and row[0].endswith(f" {overview + i + 1}"), (zone, row)
        assert zone in pdf_text(out, overview + i + 1)
    assert f"Page {pages} of {pages}" in pdf_text(out, pages)
    assert "not visited" in pdf_text(out, overview + 1)


# ---------------------------------------------------------------------------- bad input
def test_a_layer_without_coverage_fields_is_refused_in_one_sentence(run_alg, tmp_path, sample_gpkg):
    zones = f"{sample_gpkg}|layername=zones"
    with pytest.raises(QgsProcessingException) as err:
        run_export(run_alg, {"COVERAGE": zones, "OUTPUT": str(tmp_path / "x.pdf")})
    message = str(err.value)
    assert "is not a COVERAGE output" in message and "visits" in message
    assert message.count(". ") == 0 and "\n" not in message
    assert not (tmp_path / "x.pdf").exists()


def test_an_empty_coverage_layer_is_refused(run_alg, tmp_path):
    layer = synthetic_coverage(0)
    with pytest.raises(QgsProcessingException, match="has no zones"):
        run_export(run_alg, {"COVERAGE": layer, "OUTPUT": str(tmp_path / "x.pdf")})


def test_an_unwritable_output_is_refused(run_alg, matched, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    # one sentence naming the place (the shared output check in HotspotAlgorithm, or the pack's own)
    with pytest.raises(QgsProcessingException, match="Cannot write the briefing pack|a-file for the output OUTPUT"):
        run_export(run_alg, {"COVERAGE": matched["coverage"], "OUTPUT": str(blocker / "pack.pdf")})


def test_a_visits_layer_of_the_wrong_kind_is_refused(run_alg, matched, tmp_path):
    lines = QgsVectorLayer("LineString?crs=EPSG:27700&field=zone_id:string", "lines", "memory")
    with pytest.raises(QgsProcessingException, match="is not a VISITS output"):
        run_export(run_alg, {"COVERAGE": matched["coverage"], "VISITS": lines, "OUTPUT": str(tmp_path / "x.pdf")})


def test_no_deprecated_qgis_api_is_used(pack):
    deprecated = [w for w in pack["warnings"] if "deprecated" in w.lower()]
    assert deprecated == []


def test_background_layers_from_files_are_kept_with_the_layout(run_alg, matched, tmp_path, sample_gpkg):
    """A background given as a path is loaded for the run only; the pack's layout must keep it."""
    out = tmp_path / "bg.pdf"
    res = run_export(
        run_alg,
        {
            "COVERAGE": matched["coverage"],
            "BACKGROUND": [f"{sample_gpkg}|layername=zones"],
            "TITLE": "With background",
            "OUTPUT": str(out),
        },
    )
    layout = QgsProject.instance().layoutManager().layoutByName(res["LAYOUT"])
    layers = layout.itemById("hp_overview_map").layers()
    background = [lay for lay in layers if not lay.name().endswith("(briefing)")]
    assert len(background) == 1 and QgsProject.instance().mapLayer(background[0].id()) is background[0]
    assert background[0].isValid() and background[0].featureCount() > 0
    assert background[0] in layout.itemById("hp_zone_map").layers()
    text = pdf_text(out, 1).replace("\n", " ")
    # the footer says what the pack shows in the reader's words, never the analyst's layer names
    assert "background map" in text and background[0].name() not in text


def test_a_coverage_layer_in_longitude_latitude_is_drawn_in_metres(run_alg, tmp_path):
    from qgis.core import QgsCoordinateTransform

    bng = synthetic_coverage(4)
    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    layer = QgsVectorLayer(
        f"Polygon?crs=EPSG:4326&field={bng.dataProvider().dataSourceUri().split('field=', 1)[1]}",
        "coverage 4326",
        "memory",
    )
    transform = QgsCoordinateTransform(bng.crs(), wgs84, QgsProject.instance())
    feats = []
    for f in bng.getFeatures():
        g = QgsGeometry(f.geometry())
        g.transform(transform)
        nf = QgsFeature(layer.fields())
        nf.setAttributes(f.attributes())
        nf.setGeometry(g)
        feats.append(nf)
    layer.dataProvider().addFeatures(feats)
    out = tmp_path / "wgs84.pdf"
    res = run_export(run_alg, {"COVERAGE": layer, "OUTPUT": str(out)})
    assert pdf_pages(out) == res["PAGES"] == 5
    layout = QgsProject.instance().layoutManager().layoutByName(res["LAYOUT"])
    zone_map = layout.itemById("hp_zone_map")
    assert zone_map.crs().authid() == "EPSG:27700"
    assert re.search(r"\b\d+ m\b", pdf_text(out, 2))  # a scale bar in metres


def test_the_algorithm_runs_on_the_main_thread(provider):
    """It builds a layout and adds it to the project: QGIS must not run it in a background thread."""
    from qgis.core import QgsApplication

    from hotspot_patrol_plugin.qgis_io import compat

    alg = QgsApplication.processingRegistry().algorithmById(ALG)
    assert alg.flags() & compat.ALG_NO_THREADING
    assert {p.name() for p in alg.parameterDefinitions()} >= {
        "COVERAGE",
        "VISITS",
        "WAYPOINTS",
        "BACKGROUND",
        "TITLE",
        "PAPER",
        "PSEUDONYMISE_KEY",
        "SHOW_UNIT_IDS",
        "OUTPUT",
        "PNG_FOLDER",
    }
    assert "PAGES" in {o.name() for o in alg.outputDefinitions()}
