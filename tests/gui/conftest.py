"""Fixtures for the planner panels: the panels wired to pytest-qgis's iface, a workspace in tmp_path."""

from __future__ import annotations

import pytest

BNG_CENTRE = (530000.0, 180000.0)  # central London, British National Grid


@pytest.fixture(autouse=True)
def clean_settings(qgis_app):
    """Each test starts from the declared defaults and leaves no Hotspot Patrol settings behind."""
    from qgis.core import QgsSettings

    from hotspot_patrol_plugin.qgis_io.settings import PREFIX

    QgsSettings().remove(PREFIX.rstrip("/"))
    yield
    QgsSettings().remove(PREFIX.rstrip("/"))


@pytest.fixture()
def canvas(qgis_iface):
    """The iface's canvas in BNG, showing 1.6 km x 1.2 km around BNG_CENTRE."""
    from qgis.core import QgsCoordinateReferenceSystem, QgsRectangle

    c = qgis_iface.mapCanvas()
    c.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:27700"))
    x, y = BNG_CENTRE
    c.setExtent(QgsRectangle(x - 800, y - 600, x + 800, y + 600))
    c.refresh()
    return c


@pytest.fixture()
def planner(qgis_iface, qgis_new_project, canvas):
    """The planner panels as the plugin wires them (docks, controller, options page)."""
    from hotspot_patrol_plugin.ui.planner import PlannerUi

    ui = PlannerUi(qgis_iface)
    ui.initGui()
    yield ui
    ui.unload()


@pytest.fixture()
def workspace(planner, tmp_path):
    """A new GeoPackage workspace (EPSG:27700) added to the project and followed by the panels."""
    from hotspot_patrol_plugin.qgis_io import workspace as W

    ws = W.create_geopackage(str(tmp_path / "patrol.gpkg"))
    planner.controller._adopt(ws, "Created")
    assert planner.controller.ws.zones is ws.zones
    return ws
