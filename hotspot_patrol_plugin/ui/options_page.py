"""The "Hotspot Patrol" page in Settings ▸ Options: the settings declared in qgis_io/settings.py."""

from __future__ import annotations

from qgis.core import QgsCoordinateReferenceSystem
from qgis.gui import (
    QgsDoubleSpinBox,
    QgsOptionsPageWidget,
    QgsOptionsWidgetFactory,
    QgsProjectionSelectionWidget,
    QgsSpinBox,
)
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QFormLayout, QGroupBox, QLabel, QVBoxLayout

from ..paths import resource
from ..qgis_io import settings as S

TITLE = "Hotspot Patrol"


class OptionsPage(QgsOptionsPageWidget):
    NAME = "HotspotPatrolOptionsPage"  # QGIS finds the page by this object name (showOptionsDialog)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName(self.NAME)
        layout = QVBoxLayout(self)
        self.widgets = {}

        new = QGroupBox("New workspaces and zones")
        f1 = QFormLayout(new)
        crs = QgsProjectionSelectionWidget()
        crs.setCrs(QgsCoordinateReferenceSystem(S.get(S.DEFAULT_CRS)))
        crs.setToolTip(S.DEFAULT_CRS.tooltip)
        self.widgets[S.DEFAULT_CRS] = crs
        f1.addRow(S.DEFAULT_CRS.label, crs)
        for setting in (S.TARGET_MIN, S.TARGET_MAX, S.VISITS_PER_DAY, S.WAYPOINT_RADIUS):
            f1.addRow(setting.label, self._spin(setting))
        layout.addWidget(new)

        checks = QGroupBox("Zone checks")
        f2 = QFormLayout(checks)
        for setting in (S.MIN_ZONE_WIDTH, S.MAX_ZONE_AREA):
            f2.addRow(setting.label, self._spin(setting))
        layout.addWidget(checks)
        note = QLabel("Defaults apply to zones created from now on; existing zones keep their values.")
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addStretch(1)

    def _spin(self, setting):
        if setting.type is int:
            w = QgsSpinBox()
        else:
            w = QgsDoubleSpinBox()
            w.setDecimals(0 if setting.maximum >= 1000 else 1)
        w.setRange(setting.minimum, setting.maximum)
        w.setClearValue(setting.default)
        w.setShowClearButton(True)
        w.setSuffix(setting.suffix)
        w.setValue(S.get(setting))
        w.setToolTip(f"{setting.tooltip} Default {setting.default:g}{setting.suffix}.")
        w.setObjectName(setting.key.replace("/", "_"))
        self.widgets[setting] = w
        return w

    def apply(self):
        for setting, w in self.widgets.items():
            if setting is S.DEFAULT_CRS:
                crs = w.crs()
                if crs.isValid():
                    S.put(setting, crs.authid() or crs.toWkt())
            else:
                S.put(setting, w.value())


class OptionsFactory(QgsOptionsWidgetFactory):
    def __init__(self):
        super().__init__(TITLE, QIcon(resource("icons", "hotspot_patrol.svg")))

    def createWidget(self, parent):
        return OptionsPage(parent)
