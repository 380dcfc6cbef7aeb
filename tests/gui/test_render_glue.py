"""Pictures of the fixed screens (issue 15), checked by pixel and saved for the README.

Each test renders what the user sees to a PNG under the test's tmp folder (and, with
HP_UPDATE_DOCS=1, to docs/): the coverage map of the bundled sample, the start panel.
"""

from __future__ import annotations

import os
import shutil

import pytest
from qgis.core import QgsProject

UPDATE_DOCS = bool(os.environ.get("HP_UPDATE_DOCS"))


def _save(image, tmp_path, root, name):
    out = tmp_path / name
    assert image.save(str(out))
    screens = root / "out" / "screens"  # kept to look at (out/ is not committed)
    screens.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(out, screens / name)
    if UPDATE_DOCS:
        shutil.copyfile(out, root / "docs" / name)
    return out


def _render(layers, extent, size=(1200, 900)):
    from qgis.core import QgsMapRendererParallelJob, QgsMapSettings
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(layers[-1].crs())
    settings.setExtent(extent)
    settings.setOutputSize(QSize(*size))
    settings.setBackgroundColor(QColor("white"))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    return job.renderedImage()


@pytest.fixture()
def provider(qgis_app, qgis_processing):
    from qgis.core import QgsApplication

    from hotspot_patrol_plugin.processing.provider import HotspotPatrolProvider

    registry = QgsApplication.processingRegistry()
    if registry.providerById("hotspotpatrol") is None:
        _KEEP.append(HotspotPatrolProvider())
        registry.addProvider(_KEEP[-1])
    return registry.providerById("hotspotpatrol")


_KEEP = []


def test_coverage_map_of_the_sample_reads_at_a_glance(provider, qgis_new_project, sample_gpkg, root, tmp_path):
    """The sample matched with the defaults, as Processing loads it: translucent status fills with a
    status-coloured outline, visit lines in colours no fill uses, one label per zone."""
    from qgis import processing
    from qgis.core import QgsRectangle, QgsVectorLayer

    s = str(sample_gpkg)
    pings = QgsVectorLayer(f"{s}|layername=pings", "pings", "ogr")
    zones = QgsVectorLayer(f"{s}|layername=zones", "zones", "ogr")
    before = set(QgsProject.instance().mapLayers())
    processing.runAndLoadResults(
        "hotspotpatrol:matchtracks",
        {
            "TRACKS": pings,
            "UNIT_FIELD": "callsign",
            "TIME_FIELD": "time",
            "ZONES": zones,
            "VISITS": "TEMPORARY_OUTPUT",
            "COVERAGE": "TEMPORARY_OUTPUT",
        },
    )
    added = [QgsProject.instance().mapLayer(i) for i in set(QgsProject.instance().mapLayers()) - before]
    coverage = next(lyr for lyr in added if "status" in lyr.fields().names())
    visits = next(lyr for lyr in added if "band" in lyr.fields().names())
    ext = QgsRectangle(429300, 433100, 431300, 434600)  # the city centre, where the zones cluster
    image = _render([visits, coverage], ext)
    out = _save(image, tmp_path, root, "demo_coverage.png")
    colours = {image.pixelColor(x, y).name() for x in range(0, 1200, 2) for y in range(0, 900, 2)}
    assert "#111111" in colours  # in-band visit lines, near-black on the green
    green = "#" + "".join(f"{round(v * 110 / 255 + 255 * (1 - 110 / 255)):02x}" for v in (0, 158, 115))
    assert green in colours  # the translucent "on target" fill
    print(out)


def test_briefing_pack_of_the_sample(provider, qgis_new_project, sample_gpkg, root, tmp_path):
    """The sample's briefing pack, pages as PNG: page 1 (map, status tiles, zone table) and the
    first zone page (docs/briefing_page1.png, docs/briefing_zone_page.png)."""
    from qgis import processing
    from qgis.core import QgsVectorLayer
    from qgis.PyQt.QtGui import QImage

    s = str(sample_gpkg)
    pings = QgsVectorLayer(f"{s}|layername=pings", "pings", "ogr")
    zones = QgsVectorLayer(f"{s}|layername=zones", "zones", "ogr")
    waypoints = QgsVectorLayer(f"{s}|layername=waypoints", "waypoints", "ogr")
    res = processing.run(
        "hotspotpatrol:matchtracks",
        {
            "TRACKS": pings,
            "UNIT_FIELD": "callsign",
            "TIME_FIELD": "time",
            "ZONES": zones,
            "VISITS": "memory:",
            "COVERAGE": "memory:",
        },
    )
    pages = tmp_path / "pages"
    out = processing.run(
        "hotspotpatrol:exportbriefing",
        {
            "COVERAGE": res["COVERAGE"],
            "VISITS": res["VISITS"],
            "WAYPOINTS": waypoints,
            "TITLE": "Leeds city centre hot spots",
            "AREA": "Leeds city centre",
            "PSEUDONYMISE_KEY": "sample-key",
            "ORDER": "status",
            "OUTPUT": str(tmp_path / "pack.pdf"),
            "PNG_FOLDER": str(pages),
        },
    )
    assert out["PAGES"] >= 3
    if shutil.which("pdfinfo"):  # the PDF's own title, as a reader's title bar shows it
        import subprocess

        info = subprocess.run(["pdfinfo", str(tmp_path / "pack.pdf")], capture_output=True, text=True).stdout
        assert "Title:           Leeds city centre hot spots" in info
    for page, name in ((1, "briefing_page1.png"), (3, "briefing_zone_page.png")):
        image = QImage(str(pages / f"page_{page:02d}.png"))
        assert not image.isNull()
        _save(image, tmp_path, root, name)


def test_leeds_hot_spots_map(provider, qgis_new_project, root, tmp_path):
    """The Gi* grid and the patrol-sized zones of the Leeds sample (docs/hotspots_leeds.png)."""
    from qgis import processing
    from qgis.core import QgsRectangle, QgsVectorLayer

    from hotspot_patrol_plugin.qgis_io import hotspot_styles as S

    csv = root / "resources" / "sample" / "crime" / "leeds_city_centre_2018-07_street.csv"
    crimes = QgsVectorLayer(
        f"file://{csv}?type=csv&xField=Longitude&yField=Latitude&crs=EPSG:4326", "crimes", "delimitedtext"
    )
    res = processing.run(
        "hotspotpatrol:identifyhotspots",
        {
            "INPUT": crimes,
            "MAX_ZONE_AREA": 50_000,
            "GRID": "memory:",
            "HOTSPOTS": "memory:",
            "CONCENTRATION": "memory:",
        },
    )
    grid, zones = res["GRID"], res["HOTSPOTS"]
    S.apply_grid_style(grid)
    S.apply_hotspots_style(zones)
    for f in zones.getFeatures():
        print(f["zone_id"], f["name"], f["priority"], f["crimes"], round(f["area_m2"]), f["cells"])
    ext = QgsRectangle(zones.extent())
    ext.grow(250)
    image = _render([zones, grid], ext, (1200, 900))
    print(_save(image, tmp_path, root, "hotspots_leeds.png"))


def test_start_panel(qgis_iface, qgis_new_project, provider, root, tmp_path, qtbot):
    """The first-start panel as a right-hand dock shows it (400 x 800 px, 9 pt), every step's button
    live (docs/start_panel.png)."""
    from qgis.PyQt.QtGui import QFont
    from qgis.PyQt.QtWidgets import QApplication

    import hotspot_patrol_plugin

    old = QApplication.font()
    QApplication.setFont(QFont("DejaVu Sans", 9))
    plugin = hotspot_patrol_plugin.classFactory(qgis_iface)
    plugin.initGui()
    try:
        dock = plugin.start_dock
        dock.setFloating(True)
        dock.resize(400, 1150)
        dock.show()
        qtbot.waitExposed(dock)
        assert [b.text() for b in dock.buttons.values()] == [
            "Load sample data",
            "Identify hot spots…",
            "Open the Zones panel",
            "Plan patrols…",
            "Import officer tracks…",
            "Match officer tracks…",
            "Export briefing pack…",
            "Shift: zones due now",
            "Evaluate hot spot patrols…",
            "Public patrol report…",
        ]
        assert all(b.isEnabled() for b in dock.buttons.values())
        print(_save(dock.grab().toImage(), tmp_path, root, "start_panel.png"))
    finally:
        plugin.unload()
        QApplication.setFont(old)
