"""The planner panels inside the plugin: load/unload/load leaves nothing behind; options page; tooltips."""

from __future__ import annotations

import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsProject, QgsVectorLayer
from qgis.gui import QgsDockWidget
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QCoreApplication, QEvent, Qt
from qgis.PyQt.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
)

import hotspot_patrol_plugin
from hotspot_patrol_plugin.qgis_io import settings as S
from hotspot_patrol_plugin.qgis_io import workspace as W
from hotspot_patrol_plugin.ui.options_page import OptionsFactory, OptionsPage
from hotspot_patrol_plugin.ui.workspace_dialog import WorkspaceDialog
from hotspot_patrol_plugin.ui.zones_import_dialog import ImportZonesDialog


@pytest.fixture()
def spied_iface(qgis_iface, monkeypatch):
    calls = {k: [] for k in ("dock+", "dock-", "options+", "options-", "menu+", "menu-", "tb+", "tb-")}
    monkeypatch.setattr(qgis_iface, "addDockWidget", lambda area, d: calls["dock+"].append((area, d)))
    monkeypatch.setattr(qgis_iface, "removeDockWidget", lambda d: calls["dock-"].append(d))
    monkeypatch.setattr(qgis_iface, "registerOptionsWidgetFactory", calls["options+"].append)
    monkeypatch.setattr(qgis_iface, "unregisterOptionsWidgetFactory", calls["options-"].append)
    monkeypatch.setattr(qgis_iface, "addPluginToVectorMenu", lambda m, a: calls["menu+"].append((m, a)))
    monkeypatch.setattr(qgis_iface, "removePluginVectorMenu", lambda m, a: calls["menu-"].append((m, a)))
    monkeypatch.setattr(qgis_iface, "addVectorToolBarIcon", calls["tb+"].append)
    monkeypatch.setattr(qgis_iface, "removeVectorToolBarIcon", calls["tb-"].append)
    return calls


def _flush_deletes():
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def test_load_unload_load_leaves_no_dock_action_factory_tool_or_connection(
    qgis_iface, qgis_new_project, canvas, spied_iface, tmp_path
):
    calls = spied_iface
    for round_ in range(2):
        plugin = hotspot_patrol_plugin.classFactory(qgis_iface)
        plugin.initGui()
        planner = plugin.planner
        docks = [d for _, d in calls["dock+"][-4:]]
        assert [d.objectName() for d in docks] == [
            "HotspotPatrolZonesDock",
            "HotspotPatrolWaypointsDock",
            "HotspotPatrolStartDock",
            "HotspotPatrolShiftDock",
        ]
        assert all(isinstance(d, QgsDockWidget) for d in docks)
        assert all(area == Qt.DockWidgetArea.RightDockWidgetArea for area, _ in calls["dock+"][-4:])
        factory = calls["options+"][-1]
        assert isinstance(factory, OptionsFactory) and factory.title() == "Hotspot Patrol"
        assert {m for m, _ in calls["menu+"]} == {"&Hotspot Patrol"}
        menu = [a.text() for _, a in calls["menu+"][-15:]]
        assert menu == [
            "Zones Panel",
            "Waypoints Panel",
            "New Workspace…",
            "Open Workspace…",
            "Options…",
            "Load sample data",
            "Identify hot spots…",
            "Plan patrols…",
            "Import officer tracks…",
            "Match officer tracks…",
            "Export briefing pack…",
            "Shift: zones due now",
            "Evaluate hot spot patrols…",
            "Public patrol report…",
            "Start here",
        ]
        # use it: a workspace, a map tool, an edit
        ws = W.create_geopackage(str(tmp_path / f"round{round_}.gpkg"))
        planner.controller._adopt(ws, "Created")
        planner.zones_dock.action_circle.trigger()
        assert canvas.mapTool() is planner.controller.circle_tool
        plugin.unload()
        assert canvas.mapTool() is None
        assert sorted(map(id, calls["dock-"][-4:])) == sorted(map(id, docks))
        assert calls["options-"] == calls["options+"]
        assert sorted(id(a) for _, a in calls["menu-"]) == sorted(id(a) for _, a in calls["menu+"])
        assert calls["tb-"] == calls["tb+"]
        assert plugin.planner is None and planner.controller is None
        _flush_deletes()
        assert all(sip.isdeleted(d) for d in docks)
        # nothing still listens: project and iface signals reach no deleted panel (pytest-qt would
        # fail the test on an exception raised in a slot)
        QgsProject.instance().removeMapLayers([ws.zones.id(), ws.waypoints.id()])
        again = W.add_to_project(W.open_geopackage(str(tmp_path / f"round{round_}.gpkg")))
        qgis_iface.currentLayerChanged.emit(again.zones)
        canvas.mapToolSet.emit(None, None)
        QgsProject.instance().removeAllMapLayers()
        _flush_deletes()
    assert len(calls["dock+"]) == 8 and len(calls["options+"]) == 2


def test_panels_pick_up_a_workspace_already_in_the_project(qgis_iface, qgis_new_project, canvas, spied_iface, tmp_path):
    ws = W.add_to_project(W.create_geopackage(str(tmp_path / "ws.gpkg")))
    plugin = hotspot_patrol_plugin.classFactory(qgis_iface)
    plugin.initGui()
    try:
        assert plugin.planner.controller.ws.zones is ws.zones
        assert plugin.planner.zones_dock.stack.currentIndex() == 1
    finally:
        plugin.unload()


def test_options_page_reads_and_writes_the_settings(qgis_app):
    factory = OptionsFactory()
    page = factory.createWidget(None)
    assert isinstance(page, OptionsPage) and page.objectName() == OptionsPage.NAME
    assert page.widgets[S.MAX_ZONE_AREA].value() == 50_000 and page.widgets[S.MIN_ZONE_WIDTH].value() == 25
    assert page.widgets[S.DEFAULT_CRS].crs().authid() == "EPSG:27700"
    page.widgets[S.MAX_ZONE_AREA].setValue(500_000)
    page.widgets[S.TARGET_MIN].setValue(8)
    page.widgets[S.VISITS_PER_DAY].setValue(5)
    page.widgets[S.DEFAULT_CRS].setCrs(QgsCoordinateReferenceSystem("EPSG:32630"))
    page.apply()
    assert S.get(S.MAX_ZONE_AREA) == 500_000 and S.get(S.TARGET_MIN) == 8 and S.get(S.VISITS_PER_DAY) == 5
    assert S.get(S.DEFAULT_CRS) == "EPSG:32630"
    again = factory.createWidget(None)
    assert again.widgets[S.MAX_ZONE_AREA].value() == 500_000
    for setting in S.ALL:
        assert setting.full_key.startswith("hotspot_patrol/")


def _controls_without_tooltip(root):
    skip_parents = (QAbstractSpinBox, QComboBox, QDialogButtonBox, QLineEdit, QAbstractItemView)  # their insides
    missing = []
    for w in root.findChildren((QAbstractButton, QLineEdit, QAbstractSpinBox, QComboBox, QAbstractItemView)):
        if isinstance(w, QHeaderView) or w.window() is not root.window():  # headers, combo popups
            continue
        parent = w.parentWidget()
        if isinstance(parent, skip_parents) or type(parent).__name__ in (
            "QgsFileWidget",
            "QgsProjectionSelectionWidget",
            "QComboBoxPrivateContainer",
        ):
            continue
        if type(w).__name__ == "QComboBoxListView" or w.objectName().startswith("qt_"):
            continue
        if not w.toolTip():
            missing.append(
                f"{type(w).__name__} {w.objectName()!r} {getattr(w, 'text', lambda: '')()!r} "
                f"in {type(parent).__name__} {parent.objectName()!r}"
            )
    return missing


def test_every_control_has_a_tooltip(planner, workspace):
    assert _controls_without_tooltip(planner.zones_dock) == []
    assert _controls_without_tooltip(planner.waypoints_dock) == []
    assert _controls_without_tooltip(WorkspaceDialog(True)) == []
    assert _controls_without_tooltip(WorkspaceDialog(False)) == []
    src = QgsVectorLayer("Polygon?crs=EPSG:27700&field=zone_id:string", "src", "memory")
    QgsProject.instance().addMapLayer(src)
    assert _controls_without_tooltip(ImportZonesDialog(workspace.zones, None, src)) == []
    assert _controls_without_tooltip(OptionsPage()) == []
