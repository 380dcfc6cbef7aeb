"""Renders both panels with a realistic workspace to docs/*.png (the README shows them).

The docks are drawn at 400 x 640 px, what a right-hand dock gets on a 1366 x 768 screen, with a
9 pt sans font (QGIS's usual UI font size; the offscreen default would be 12 pt).
"""

from __future__ import annotations

import os

import pytest
from planner_helpers import square
from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsProject, QgsVectorLayer
from qgis.PyQt.QtGui import QFont, QImage
from qgis.PyQt.QtWidgets import QApplication

from hotspot_patrol_plugin.core import fields as F
from hotspot_patrol_plugin.qgis_io import workspace as W

SIZE = (400, 640)
X, Y = 530000.0, 180000.0


@pytest.fixture()
def ui_font(qgis_app):
    old = QApplication.font()
    QApplication.setFont(QFont("DejaVu Sans", 9))
    yield
    QApplication.setFont(old)


def _plan(ws):
    zones = [  # name, centre offset, radius or square size, priority
        ("Market St / bus station", (0, 0), 60, 1),
        ("Riverside park gate", (95, 10), 45, 2),
        ("High St north", (330, 0), 70, 2),
        ("Station forecourt", (0, 200), 50, 3),
        ("Canal towpath steps", (200, 220), 11, 4),
        (None, (420, 230), 55, 3),
    ]
    for name, (dx, dy), r, prio in zones:
        W.add_feature(
            ws.zones, W.circle(QgsPointXY(X + dx, Y + dy), r, ws.zones.crs()), {F.NAME: name, F.PRIORITY: prio}
        )
    W.add_feature(
        ws.zones,
        QgsGeometry.fromWkt(
            f"Polygon(({X + 600} {Y}, {X + 700} {Y + 100}, {X + 700} {Y}, {X + 600} {Y + 100}, {X + 600} {Y}))"
        ),
        {F.NAME: "Car park (redraw)", F.PRIORITY: 5},
    )
    W.add_feature(
        ws.zones,
        square(X - 150, Y - 150, 90),
        {F.NAME: "Library square", F.PRIORITY: 3, F.TARGET_MIN: 10, F.TARGET_MAX: 15},
    )
    for (dx, dy), kind, name, dwell in [
        ((10, 10), "shop", "Late-night off-licence", 5),
        ((110, 20), "park entrance", "North gate", 10),
        ((330, -20), "transport stop", "Bus stop K", 5),
        ((260, 120), "transport stop", "Tram stop", None),
        ((-110, -100), "public space", "Library steps", 8),
    ]:
        W.add_feature(
            ws.waypoints,
            QgsGeometry.fromPointXY(QgsPointXY(X + dx, Y + dy)),
            {F.KIND: kind, F.NAME: name, F.DWELL_MIN: dwell},
        )
    cov = QgsVectorLayer(
        "Polygon?crs=EPSG:27700&field=zone_id:string&field=visits:integer&field=status:string",
        "Coverage (last week)",
        "memory",
    )
    for zid, visits, status in [
        ("HS-001", 19, "on target"),
        ("HS-002", 8, "below target"),
        ("HS-003", 0, "not visited"),
        ("HS-004", 12, "above target"),
        ("HS-005", 3, "below target"),
        ("HS-006", 15, "on target"),
    ]:
        f = QgsFeature(cov.fields())
        f.setAttributes([zid, visits, status])
        cov.dataProvider().addFeature(f)
    QgsProject.instance().addMapLayer(cov)


def _render(dock, path):
    dock.resize(*SIZE)
    dock.show()
    QApplication.processEvents()
    dock.grab().save(str(path))
    return QImage(str(path))


def test_render_panels(ui_font, planner, workspace, root, qtbot, tmp_path):
    # HP_UPDATE_DOCS=1 writes the README's images; otherwise the test leaves the tree untouched
    out = root / "docs" if os.environ.get("HP_UPDATE_DOCS") else tmp_path
    _plan(workspace)
    planner.controller.refresh()
    zones = _render(planner.zones_dock, out / "zones_panel.png")
    planner.waypoints_dock.table.selectRow(1)
    waypoints = _render(planner.waypoints_dock, out / "waypoints_panel.png")
    assert (zones.width(), zones.height()) == SIZE and (waypoints.width(), waypoints.height()) == SIZE
    zd = planner.zones_dock
    assert zd.model.rowCount() == 8 and not zd.table.isColumnHidden(4)
    assert zd.problems.summary.text() == "1 error · 3 warnings"
    assert planner.waypoints_dock.problems.summary.text() == "1 warning"
