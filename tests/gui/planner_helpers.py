"""Helpers for the planner panel tests: clicks on the map, answering dialogs, squares."""

from __future__ import annotations


def map_click(tool, canvas, x, y, button=None):
    """A left click of ``tool`` at map coordinates (x, y), as the canvas would deliver it."""
    from qgis.core import QgsPointXY
    from qgis.gui import QgsMapMouseEvent
    from qgis.PyQt.QtCore import QEvent, QPoint, Qt

    pixel = canvas.getCoordinateTransform().transform(QgsPointXY(x, y))
    pos = QPoint(round(pixel.x()), round(pixel.y()))
    button = button or Qt.MouseButton.LeftButton
    tool.canvasMoveEvent(QgsMapMouseEvent(canvas, QEvent.Type.MouseMove, pos, Qt.MouseButton.NoButton))
    tool.canvasReleaseEvent(QgsMapMouseEvent(canvas, QEvent.Type.MouseButtonRelease, pos, button))
    return canvas.getCoordinateTransform().toMapCoordinates(pos)


def answer_dialog(fill=None, accept=True):
    """Handle the next modal dialog: ``fill(dialog)``, then accept (or reject) it."""
    from qgis.PyQt.QtCore import QTimer
    from qgis.PyQt.QtWidgets import QApplication

    def handle():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, handle)
            return
        if fill is not None:
            fill(dialog)
        if accept:
            dialog.accept()
        else:
            dialog.reject()

    QTimer.singleShot(0, handle)


def square(x0, y0, size):
    from qgis.core import QgsGeometry

    return QgsGeometry.fromWkt(
        f"Polygon(({x0} {y0}, {x0 + size} {y0}, {x0 + size} {y0 + size}, {x0} {y0 + size}, {x0} {y0}))"
    )
