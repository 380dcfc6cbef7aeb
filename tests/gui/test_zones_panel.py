"""The zones panel through its own actions: workspace, digitising, import, undo, checks, zoom."""

from __future__ import annotations

import pytest
from planner_helpers import answer_dialog, map_click, square
from qgis.core import QgsFeature, QgsProject, QgsRectangle, QgsVectorLayer
from qgis.PyQt.QtCore import Qt

from hotspot_patrol_plugin.core import fields as F
from hotspot_patrol_plugin.core import validation as V
from hotspot_patrol_plugin.qgis_io import settings as S
from hotspot_patrol_plugin.qgis_io import workspace as W
from hotspot_patrol_plugin.qgis_io.styles import STATUS_COLOURS
from hotspot_patrol_plugin.ui.rows_model import KEY_ROLE

X, Y = 530000.0, 180000.0


@pytest.fixture()
def dock(planner, qtbot):
    d = planner.zones_dock
    d.resize(400, 640)
    d.show()
    qtbot.waitExposed(d)
    return d


def texts(dock):
    return [row.problem.message for row in dock.problems.rows]


def column(dock, key):
    return [c.key for c in dock.model.columns].index(key)


def cell(dock, row, key, role=Qt.ItemDataRole.DisplayRole):
    return dock.proxy.index(row, column(dock, key)).data(role)


def test_without_a_workspace_the_panel_offers_new_and_open(planner, dock):
    assert dock.stack.currentIndex() == 0
    assert not dock.action_draw.isEnabled() and not dock.action_edit.isEnabled()


def test_new_workspace_through_the_dialog(planner, dock, tmp_path, qgis_iface):
    path = tmp_path / "plan"

    def fill(dialog):
        assert dialog.crs.crs().authid() == "EPSG:27700"  # the default CRS setting
        dialog.file.setFilePath(str(path))

    answer_dialog(fill)
    dock.action_new.trigger()
    ws = planner.controller.ws
    assert ws.zones is not None and ws.zones.source().startswith(str(path) + ".gpkg")
    assert (tmp_path / "plan.gpkg").is_file()
    assert dock.stack.currentIndex() == 1 and "plan.gpkg" in dock.workspace_label.text()
    assert planner.waypoints_dock.stack.currentIndex() == 1
    assert any("Created workspace plan.gpkg" in m for m in qgis_iface.messageBar().get_messages(3))


def test_open_workspace_through_the_dialog(planner, dock, tmp_path):
    W.create_geopackage(str(tmp_path / "old.gpkg"))
    answer_dialog(lambda d: d.file.setFilePath(str(tmp_path / "old.gpkg")))
    dock.action_open.trigger()
    assert planner.controller.ws.zones.customProperty(W.ROLE_PROPERTY) == "zones"
    cancelled_before = len(QgsProject.instance().mapLayers())
    answer_dialog(accept=False)
    dock.action_open.trigger()
    assert len(QgsProject.instance().mapLayers()) == cancelled_before


def test_circle_zone_click_adds_to_the_edit_buffer_and_undo_redo_work(
    planner, workspace, dock, canvas, tmp_path, qgis_iface
):
    qgis_iface.openFeatureForm.reset_mock()
    dock.radius.setValue(60)
    dock.action_circle.trigger()
    tool = planner.controller.circle_tool
    assert canvas.mapTool() is tool and dock.action_circle.isChecked()
    at = map_click(tool, canvas, X, Y)
    z = workspace.zones
    assert z.featureCount() == 1 and z.isEditable() and z.isModified()
    (f,) = z.getFeatures()
    assert f[F.ZONE_ID] == "HS-001" and f[F.TARGET_MIN] == 10 and f[F.TARGET_MAX] == 15
    c = f.geometry().centroid().asPoint()
    assert (c.x(), c.y()) == pytest.approx((at.x(), at.y()), abs=0.01)
    assert f.geometry().area() == pytest.approx(3.14159 * 60**2, rel=0.01)
    # the attribute form opens for the new zone (name, band ...), as after QGIS's own digitising
    assert qgis_iface.openFeatureForm.call_count == 1
    assert S.get(S.CIRCLE_RADIUS) == 60
    # nothing written until saved
    assert W.open_geopackage(str(tmp_path / "patrol.gpkg")).zones.featureCount() == 0
    assert dock.model.rowCount() == 1 and "unsaved edits" in dock.status.text()
    assert dock.action_undo.isEnabled() and dock.action_save.isEnabled()
    dock.action_undo.trigger()
    assert z.featureCount() == 0 and dock.model.rowCount() == 0
    dock.action_redo.trigger()
    assert z.featureCount() == 1 and dock.model.rowCount() == 1
    dock.action_save.trigger()
    assert not z.isModified() and W.open_geopackage(str(tmp_path / "patrol.gpkg")).zones.featureCount() == 1
    # Esc ends the tool; the action follows the canvas
    canvas.unsetMapTool(tool)
    assert not dock.action_circle.isChecked()


def test_circle_preview_follows_the_cursor(planner, workspace, dock, canvas):
    dock.radius.setValue(40)
    geom = planner.controller.circle_preview(canvas.center())
    assert geom.area() == pytest.approx(3.14159 * 40**2, rel=0.01)


def test_draw_zone_starts_qgis_polygon_digitising_on_the_zones_layer(planner, workspace, dock, qgis_iface):
    add_feature = qgis_iface.actionAddFeature()
    add_feature.trigger.reset_mock()
    dock.action_draw.trigger()
    assert qgis_iface.activeLayer() is workspace.zones
    assert workspace.zones.isEditable()
    add_feature.trigger.assert_called_once()


def test_toggle_editing_asks_like_qgis_when_there_are_unsaved_edits(planner, workspace, dock, qgis_iface):
    z = workspace.zones
    dock.action_edit.trigger()
    assert z.isEditable() and dock.action_edit.isChecked()
    dock.action_edit.trigger()  # nothing changed: just stops
    assert not z.isEditable() and not dock.action_edit.isChecked()
    W.add_feature(z, square(X, Y, 50))
    toggle = qgis_iface.actionToggleEditing()
    toggle.trigger.reset_mock()
    dock.action_edit.trigger()  # unsaved edits: QGIS's own Stop Editing (Save / Discard / Cancel)
    toggle.trigger.assert_called_once()
    assert qgis_iface.activeLayer() is z and z.isEditable() and dock.action_edit.isChecked()


def test_import_zones_through_the_dialog_with_matching_field_names(planner, workspace, dock, qgis_iface):
    src = QgsVectorLayer(
        "Polygon?crs=EPSG:27700&field=zone_id:string&field=name:string&field=priority:integer&field=gi_z:double",
        "Gi* hot spots",
        "memory",
    )
    for i, (zid, name, prio) in enumerate([("A-1", "Market", 1), ("A-2", "Park", 2)]):
        f = QgsFeature(src.fields())
        f.setGeometry(square(X + 200 * i, Y, 80))
        f.setAttributes([zid, name, prio, 3.2])
        src.dataProvider().addFeature(f)
    QgsProject.instance().addMapLayer(src)
    seen = {}

    def fill(dialog):
        seen["source"] = dialog.source()
        seen["mapping"] = dialog.mapping()

    answer_dialog(fill)
    qgis_iface.setActiveLayer(src)
    dock.action_import.trigger()
    assert seen["source"] is src
    assert seen["mapping"][F.ZONE_ID] == "zone_id" and seen["mapping"][F.NAME] == "name"
    assert seen["mapping"][F.PRIORITY] == "priority" and seen["mapping"][F.TARGET_MIN] is None
    assert sorted(f[F.ZONE_ID] for f in workspace.zones.getFeatures()) == ["A-1", "A-2"]
    assert dock.model.rowCount() == 2
    assert any("Imported 2 zones from Gi* hot spots" in m for m in qgis_iface.messageBar().get_messages(3))
    dock.action_undo.trigger()  # the whole import is one step
    assert workspace.zones.featureCount() == 0


def test_checks_are_shown_inline_with_fix_hints(planner, workspace, dock):
    z = workspace.zones
    c = planner.controller
    W.add_feature(z, square(X, Y, 100), {F.NAME: "Market"})  # HS-001
    W.add_feature(z, square(X + 50, Y, 100), {F.NAME: "Station"})  # HS-002 overlaps HS-001
    W.add_feature(z, square(X + 400, Y, 20), {F.NAME: "Kiosk"})  # HS-003 too small
    W.add_feature(z, square(X + 600, Y, 100), {F.TARGET_MIN: 20, F.TARGET_MAX: 5, F.NAME: None})  # HS-004
    c.refresh()
    assert sorted(texts(dock)) == sorted(
        [
            "HS-001 and HS-002 overlap by 5,000 m².",
            "HS-003 is only 20 m across (GPS needs at least 25 m).",
            "HS-004 has no name.",
            "HS-004: target_min (20 min) is above target_max (5 min).",
        ]
    )
    assert dock.problems.summary.text() == "1 error · 3 warnings"
    row = dock.problems.rows[0]
    assert row.problem.is_error and "Swap the two values" in row.text.text()
    # the table marks the zones involved
    r = dock.proxy_row_of(next(p.keys[0] for p in c.problems["zones"] if p.code == V.TARGET_BAND))
    assert "target_min" in cell(dock, r, F.ZONE_ID, Qt.ItemDataRole.ToolTipRole)
    # fixing a problem clears it after the edit (through the edit buffer)
    hs4 = next(f for f in z.getFeatures() if f[F.ZONE_ID] == "HS-004")
    z.changeAttributeValue(hs4.id(), z.fields().indexOf(F.TARGET_MAX), 25)
    c.refresh()
    assert not any("target_min" in t for t in texts(dock))


def test_checks_and_defaults_follow_the_settings(planner, workspace, dock, qtbot):
    W.add_feature(workspace.zones, square(X, Y, 300), {F.NAME: "Whole estate"})  # 0.09 km²
    planner.controller.refresh()
    assert texts(dock) == ["HS-001 covers 90,000 m² (limit 50,000 m²)."]  # default: a few street segments
    S.put(S.MAX_ZONE_AREA, 100_000)  # as the options page does: the panel re-checks by itself
    qtbot.waitUntil(lambda: texts(dock) == [], timeout=2000)
    assert dock.problems.summary.text() == "No problems found in the zones"
    S.put(S.TARGET_MIN, 8)
    S.put(S.VISITS_PER_DAY, 6)
    f = W.add_feature(workspace.zones, square(X + 2000, Y, 60), {F.NAME: "New"})
    assert f[F.TARGET_MIN] == 8 and f[F.VISITS_PER_DAY] == 6 and f[F.TARGET_MAX] == 15


def test_zoom_to_problem_selects_and_zooms(planner, workspace, dock, canvas):
    z = workspace.zones
    a = W.add_feature(z, square(X, Y, 100), {F.NAME: "Market"})
    b = W.add_feature(z, square(X + 60, Y, 100), {F.NAME: "Station"})
    planner.controller.refresh()
    canvas.setExtent(QgsRectangle(X - 5000, Y - 5000, X + 5000, Y + 5000))
    (row,) = dock.problems.rows
    row.zoom_button.click()
    assert sorted(z.selectedFeatureIds()) == sorted([a.id(), b.id()])
    extent = canvas.extent()
    assert extent.contains(QgsRectangle(X + 60, Y, X + 100, Y + 100))  # the shared area
    assert extent.width() < 500
    assert sorted(dock.selected_keys()) == sorted([a.id(), b.id()])


def test_double_click_zooms_to_and_selects_the_zone(planner, workspace, dock, canvas, qtbot):
    z = workspace.zones
    W.add_feature(z, square(X, Y, 100), {F.NAME: "Market"})
    far = W.add_feature(z, square(X + 3000, Y + 2000, 60), {F.NAME: "Far away"})
    planner.controller.refresh()
    canvas.setExtent(QgsRectangle(X - 500, Y - 500, X + 500, Y + 500))
    r = dock.proxy_row_of(far.id())
    rect = dock.table.visualRect(dock.proxy.index(r, 1))
    qtbot.mouseClick(dock.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(dock.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert z.selectedFeatureIds() == [far.id()]
    assert canvas.extent().contains(QgsRectangle(X + 3000, Y + 2000, X + 3060, Y + 2060))
    assert canvas.extent().width() < 400


def test_filter_and_sort(planner, workspace, dock):
    for i, name in enumerate(["Market", "Park gate", "Bus station"]):
        W.add_feature(workspace.zones, square(X + 200 * i, Y, 40 + 20 * i), {F.NAME: name, F.PRIORITY: 3 - i})
    planner.controller.refresh()
    dock.filter.setText("park")
    assert dock.proxy.rowCount() == 1 and cell(dock, 0, F.NAME) == "Park gate"
    dock.filter.setText("")
    dock.table.sortByColumn(column(dock, "area"), Qt.SortOrder.DescendingOrder)
    assert [cell(dock, i, F.NAME) for i in range(3)] == ["Bus station", "Park gate", "Market"]
    dock.table.sortByColumn(column(dock, F.PRIORITY), Qt.SortOrder.AscendingOrder)
    assert [cell(dock, i, F.PRIORITY) for i in range(3)] == ["1", "2", "3"]


def test_delete_selected_zones_is_undoable(planner, workspace, dock):
    a = W.add_feature(workspace.zones, square(X, Y, 50), {F.NAME: "A"})
    W.add_feature(workspace.zones, square(X + 200, Y, 50), {F.NAME: "B"})
    planner.controller.refresh()
    assert not dock.action_delete.isEnabled()
    dock.select_keys([a.id()])
    assert dock.action_delete.isEnabled()
    dock.action_delete.trigger()
    assert [f[F.NAME] for f in workspace.zones.getFeatures()] == ["B"]
    dock.action_undo.trigger()
    assert workspace.zones.featureCount() == 2


def test_coverage_status_and_visits_coloured_like_the_map(planner, workspace, dock):
    assert dock.table.isColumnHidden(column(dock, "coverage"))
    for i in range(3):
        W.add_feature(workspace.zones, square(X + 200 * i, Y, 50), {F.NAME: f"Z{i}"})
    cov = QgsVectorLayer(
        "Polygon?crs=EPSG:27700&field=zone_id:string&field=name:string&field=target_min:double"
        "&field=target_max:double&field=visits:integer&field=status:string",
        "Coverage",
        "memory",
    )
    for zid, visits, status in [
        ("HS-001", 6, "on target"),
        ("HS-002", 2, "below target"),
        ("HS-003", 0, "not visited"),
    ]:
        f = QgsFeature(cov.fields())
        f.setAttributes([zid, None, 10, 15, visits, status])
        cov.dataProvider().addFeature(f)
    QgsProject.instance().addMapLayer(cov)
    assert planner.controller.coverage is cov and planner.controller.ws.zones is workspace.zones
    assert not dock.table.isColumnHidden(column(dock, "coverage"))
    dock.table.sortByColumn(column(dock, F.ZONE_ID), Qt.SortOrder.AscendingOrder)
    assert [cell(dock, i, "coverage") for i in range(3)] == ["6 · on target", "2 · below", "0 · not visited"]
    colours = [cell(dock, i, "coverage", Qt.ItemDataRole.BackgroundRole).color().name() for i in range(3)]
    assert colours == [STATUS_COLOURS["on target"], STATUS_COLOURS["below target"], STATUS_COLOURS["not visited"]]
    assert "coverage: Coverage" in dock.status.text()
    QgsProject.instance().removeMapLayer(cov.id())
    planner.controller._detect_timer.timeout.emit()
    assert planner.controller.coverage is None and dock.table.isColumnHidden(column(dock, "coverage"))


def test_panel_follows_the_workspace_selected_in_the_legend(planner, workspace, dock, tmp_path, qgis_iface):
    other = W.add_to_project(W.create_geopackage(str(tmp_path / "other.gpkg")))
    assert planner.controller.ws.zones is workspace.zones
    qgis_iface.currentLayerChanged.emit(other.zones)
    assert planner.controller.ws.zones is other.zones and planner.controller.ws.waypoints is other.waypoints
    assert "other.gpkg" in dock.workspace_label.text()
    QgsProject.instance().removeMapLayers([other.zones.id(), other.waypoints.id()])
    planner.controller._detect_timer.timeout.emit()
    assert planner.controller.ws.zones is workspace.zones


def test_key_role_is_the_feature_id(planner, workspace, dock):
    f = W.add_feature(workspace.zones, square(X, Y, 50), {F.NAME: "A"})
    planner.controller.refresh()
    assert dock.proxy.index(0, 0).data(KEY_ROLE) == f.id()
