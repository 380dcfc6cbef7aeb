"""Map tools of the planner panels: click a point (snapping honoured), optionally previewing a shape."""

from __future__ import annotations

from qgis.core import QgsApplication, QgsPointLocator, QgsPointXY
from qgis.gui import QgsMapToolEmitPoint, QgsRubberBand, QgsSnapIndicator
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor

from ..qgis_io import compat


class PointTool(QgsMapToolEmitPoint):
    """Emits ``picked(point)`` (map CRS, snapped when snapping is on) on each left click.

    ``preview`` (optional) maps a point in map coordinates to a QgsGeometry in map coordinates that
    follows the cursor, e.g. the circle a click would add. Esc or a right click ends the tool.
    """

    picked = pyqtSignal(QgsPointXY)

    def __init__(self, canvas, preview=None):
        super().__init__(canvas)
        self.preview = preview
        self.setCursor(QgsApplication.getThemeCursor(QgsApplication.Cursor.CapturePoint))
        self.indicator = QgsSnapIndicator(canvas)
        self.band = None
        if preview is not None:
            self.band = QgsRubberBand(canvas, compat.GEOM_POLYGON)
            self.band.setColor(QColor(213, 94, 0, 200))
            self.band.setFillColor(QColor(213, 94, 0, 40))
            self.band.setWidth(2)

    def _point(self, event) -> QgsPointXY:
        match = event.mapPointMatch()
        return QgsPointXY(match.point()) if match.isValid() else QgsPointXY(event.mapPoint())

    def canvasMoveEvent(self, event):
        self.indicator.setMatch(event.mapPointMatch())
        if self.band is not None:
            geom = self.preview(self._point(event))
            if geom is not None:
                self.band.setToGeometry(geom, None)

    def canvasReleaseEvent(self, event):
        if event.button() == Qt.MouseButton.RightButton:
            self.canvas().unsetMapTool(self)
            return
        if event.button() == Qt.MouseButton.LeftButton:
            self.picked.emit(self._point(event))

    def keyPressEvent(self, event):
        if event.key() == Qt.Key.Key_Escape:
            self.canvas().unsetMapTool(self)
            event.ignore()

    def deactivate(self):
        self.indicator.setMatch(QgsPointLocator.Match())
        if self.band is not None:
            self.band.reset(compat.GEOM_POLYGON)
        super().deactivate()

    def cleanup(self) -> None:
        """Remove the canvas items (call before dropping the tool)."""
        if self.canvas().mapTool() is self:
            self.canvas().unsetMapTool(self)
        if self.band is not None:
            self.band.reset(compat.GEOM_POLYGON)
            self.canvas().scene().removeItem(self.band)
            self.band = None
        self.indicator = None
