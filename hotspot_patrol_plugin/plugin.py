"""Wiring only: the Processing provider, one toolbar, menu entries. unload() mirrors initGui()."""
from __future__ import annotations

from qgis.core import Qgis, QgsApplication, QgsMessageLog
from qgis.PyQt.QtGui import QIcon

try:  # Qt6 moved QAction to QtGui
    from qgis.PyQt.QtGui import QAction
except ImportError:  # Qt5
    from qgis.PyQt.QtWidgets import QAction

from .paths import resource
from .processing.provider import HotspotPatrolProvider

MENU = "&Hotspot Patrol"
LOG_TAG = "Hotspot Patrol"


class HotspotPatrolPlugin:
    def __init__(self, iface):
        self.iface = iface
        self.provider = None
        self.toolbar = None
        self.actions = []
        self.dependency_problems = []
        self.planner = None

    # Processing is registered here so qgis_process sees the provider without a GUI
    def initProcessing(self):  # noqa: N802 - QGIS API
        if self.provider is None:
            provider = HotspotPatrolProvider()
            # the registry takes ownership; it refuses (and deletes) a duplicate id
            if QgsApplication.processingRegistry().addProvider(provider):
                self.provider = provider

    def initGui(self):  # noqa: N802 - QGIS API
        self.initProcessing()
        self.check_dependencies()
        self.toolbar = self.iface.addToolBar("Hotspot Patrol")
        self.toolbar.setObjectName("HotspotPatrolToolbar")
        self._add_action("import_tracks.svg", "Import officer tracks…", self._import_tracks)
        self._add_action(
            "hotspot_patrol.svg", "Match officer tracks to hot spots…",
            lambda: self._open_algorithm("hotspotpatrol:matchtracks"),
        )
        # the planner panels (zones, waypoints), their Vector-menu entries and the options page;
        # with a missing or clashing shapely (e.g. another GEOS: it would crash QGIS) the panels
        # still edit, but leave the geometry checks off
        from .core import validation
        from .ui.planner import PlannerUi

        if self.dependency_problems:
            validation.AVAILABLE = False

        self.planner = PlannerUi(self.iface)
        self.planner.initGui()

    def _add_action(self, icon: str, text: str, slot) -> QAction:
        action = QAction(QIcon(resource("icons", icon)), text, self.iface.mainWindow())
        action.setObjectName("hotspotpatrol_" + text.split()[0].lower())
        action.triggered.connect(slot)
        self.iface.addPluginToVectorMenu(MENU, action)
        self.toolbar.addAction(action)
        self.actions.append(action)
        return action

    def _import_tracks(self):
        from .ui.track_import_dialog import ImportTracksDialog

        ImportTracksDialog(self.iface.mainWindow()).exec()

    @staticmethod
    def _open_algorithm(alg_id: str):
        from qgis import processing

        processing.execAlgorithmDialog(alg_id, {})

    def check_dependencies(self) -> list[str]:
        """One message (bar + log) naming the command that installs what is missing."""
        from .processing.base import dependency_problems

        self.dependency_problems = dependency_problems()
        if self.dependency_problems:
            text = "Hotspot Patrol's analysis tools are disabled: " + " ".join(self.dependency_problems)
            QgsMessageLog.logMessage(text, LOG_TAG, Qgis.MessageLevel.Warning)
            self.iface.messageBar().pushMessage(LOG_TAG, text, Qgis.MessageLevel.Warning, 0)
        return self.dependency_problems

    def unload(self):
        if self.planner is not None:
            self.planner.unload()
            self.planner = None
        for action in self.actions:
            self.iface.removePluginVectorMenu(MENU, action)
            if self.toolbar is not None:
                self.toolbar.removeAction(action)
            action.deleteLater()
        self.actions = []
        if self.toolbar is not None:
            self.toolbar.deleteLater()
            self.toolbar = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
