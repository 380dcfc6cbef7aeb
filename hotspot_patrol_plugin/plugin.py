"""Wiring only: the Processing provider, one toolbar, menu entries, docks. unload() mirrors initGui().

Each action and each dock is one line in ``initGui``; ``unload`` removes whatever was added.
"""

from __future__ import annotations

from qgis.core import Qgis, QgsApplication, QgsMessageLog
from qgis.PyQt.QtCore import QCoreApplication, Qt
from qgis.PyQt.QtGui import QIcon

try:  # Qt6 moved QAction to QtGui
    from qgis.PyQt.QtGui import QAction
except ImportError:  # Qt5
    from qgis.PyQt.QtWidgets import QAction

from .paths import resource
from .processing.provider import HotspotPatrolProvider

MENU = "&Hotspot Patrol"
LOG_TAG = "Hotspot Patrol"
TOOLBAR, MENU_ONLY = True, False


def tr(text: str) -> str:
    return QCoreApplication.translate("HotspotPatrol", text)


def _icon(name: str) -> QIcon:
    """A plugin icon (resources/icons/<name>) or a QGIS theme icon ("/mAction….svg")."""
    return QgsApplication.getThemeIcon(name) if name.startswith("/") else QIcon(resource("icons", name))


def install_translation():
    """The user's language from resources/i18n/hotspot_patrol_<locale>.qm, when a translator made one
    (e.g. _cy for Welsh); returns the translator (kept by the plugin) or None."""
    from qgis.core import QgsSettings
    from qgis.PyQt.QtCore import QLocale, QTranslator

    locale = str(QgsSettings().value("locale/userLocale", "") or QLocale().name())[:2]
    try:
        path = resource("i18n", f"hotspot_patrol_{locale}.qm")
    except FileNotFoundError:
        return None
    translator = QTranslator()
    if locale and translator.load(path):
        QCoreApplication.installTranslator(translator)
        return translator
    return None


class HotspotPatrolPlugin:
    def __init__(self, iface):
        self.iface = iface
        self.translator = install_translation()
        self.provider = None
        self.toolbar = None
        self.actions = []
        self.menu_actions = []
        self.docks = []
        self.dependency_problems = []
        self.planner = None
        self.start_dock = None
        self.shift = None

    # Processing is registered here so qgis_process sees the provider without a GUI
    def initProcessing(self):
        if self.provider is None:
            provider = HotspotPatrolProvider()
            # the registry takes ownership; it refuses (and deletes) a duplicate id
            if QgsApplication.processingRegistry().addProvider(provider):
                self.provider = provider

    def initGui(self):
        self.initProcessing()
        self.check_dependencies()
        self.toolbar = self.iface.addToolBar(tr("Hotspot Patrol"))
        self.toolbar.setObjectName("HotspotPatrolToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        # the planner panels (zones, waypoints), their Vector-menu entries and the options page;
        # with a missing or clashing shapely (e.g. another GEOS: it would crash QGIS) the panels
        # still edit, but leave the geometry checks off
        from .core import validation
        from .ui.planner import PlannerUi
        from .ui.start_dock import StartDock

        if self.dependency_problems:
            validation.AVAILABLE = False
        self.planner = PlannerUi(self.iface)
        self.planner.initGui()
        self.start_dock = self._add_dock(StartDock(self.iface.mainWindow()))

        # the order of work: one line per action (name, icon, text, tooltip, slot, on the toolbar?)
        self._add_action(
            "sample",
            "/mActionAddLayer.svg",
            tr("Load sample data"),
            tr("Add the bundled sample: Leeds crime, officer pings, zones and waypoints"),
            self._load_sample,
            MENU_ONLY,
        )
        self._add_action(
            "identify",
            "/mIconHeatmap.svg",
            tr("Identify hot spots…"),
            tr("Gi* hot spots from a crime layer, cut into zones to patrol"),
            lambda: self._open_algorithm("hotspotpatrol:identifyhotspots"),
            TOOLBAR,
        )
        self._add_action(
            "zones",
            "/mIconPolygonLayer.svg",
            tr("Open the Zones panel"),
            tr("The patrol workspace's zones: create, import, draw and check them"),
            lambda: self._show_dock(self.planner.zones_dock),
            None,
        )
        self._add_action(
            "plan",
            "/mIconTemporal.svg",
            tr("Plan patrols…"),
            tr("Randomised Koper patrol schedules for the workspace zones, with a briefing pack"),
            lambda: self.planner.plan_patrols(),
            TOOLBAR,
        )
        self._add_action(
            "import",
            "import_tracks.svg",
            tr("Import officer tracks…"),
            tr("Read GPS exports (CSV, GPX, GeoJSON, NMEA) into one layer of pings"),
            self._import_tracks,
            TOOLBAR,
        )
        self._add_action(
            "match",
            "hotspot_patrol.svg",
            tr("Match officer tracks…"),
            tr("Match officer tracks to hot spots: visits, dwell and coverage per zone"),
            lambda: self._open_algorithm("hotspotpatrol:matchtracks"),
            TOOLBAR,
        )
        self._add_action(
            "brief",
            "/mActionSaveAsPDF.svg",
            tr("Export briefing pack…"),
            tr("A PDF briefing pack from the latest coverage"),
            lambda: self._open_algorithm("hotspotpatrol:exportbriefing"),
            TOOLBAR,
        )
        self._add_shift_dock()
        self._add_action(
            "evaluate",
            "/mActionCalculateField.svg",
            tr("Evaluate hot spot patrols…"),
            tr("Did it work? WDD/WDQ against comparison areas, displacement, dosage and ROI"),
            lambda: self._open_algorithm("hotspotpatrol:evaluate"),
            MENU_ONLY,
        )
        self._add_action(
            "report",
            "/mActionFileSaveAs.svg",
            tr("Public patrol report…"),
            tr("A public HTML and PDF report: no officer ids, small counts suppressed"),
            lambda: self._open_algorithm("hotspotpatrol:transparencyreport"),
            MENU_ONLY,
        )
        self._add_action(
            "start",
            "/mActionHelpContents.svg",
            tr("Start here"),
            tr("The order of work, with a button for each step"),
            lambda: self._show_dock(self.start_dock),
            MENU_ONLY,
        )
        self._first_start()

    # --- wiring helpers: one call per action or dock ---------------------------------------------------
    def _add_action(self, name: str, icon: str, text: str, tip: str, slot, toolbar: bool | None) -> QAction:
        """An action in Vector ▸ Hotspot Patrol (and on the toolbar when ``toolbar``; in neither when
        None: then only the start panel's button shows it), triggering ``slot``."""
        action = QAction(_icon(icon), text, self.iface.mainWindow())
        action.setObjectName("hotspotpatrol_" + name)
        action.setToolTip(tip)
        action.triggered.connect(lambda *_: slot())
        if toolbar is not None:
            self.iface.addPluginToVectorMenu(MENU, action)
            self.menu_actions.append(action)
        if toolbar:
            self.toolbar.addAction(action)
        self.actions.append(action)
        if self.start_dock is not None:
            self.start_dock.connect_action(action)
        return action

    def _add_dock(self, dock):
        """A dock on the right, a tab beside the Zones panel (not stacked below it)."""
        from .ui.planner import add_tabbed

        add_tabbed(self.iface, self.planner.zones_dock, dock)
        self.docks.append(dock)
        return dock

    def _add_shift_dock(self) -> None:
        """The Shift panel (zones due a visit now): hidden until its toolbar toggle is pressed."""
        from .ui.shift_dock import ShiftUi

        self.shift = ShiftUi(self.iface)
        self._add_dock(self.shift.dock).hide()
        self.toolbar.addAction(self.shift.toggle_action)
        self.iface.addPluginToVectorMenu(MENU, self.shift.toggle_action)
        if self.start_dock is not None:
            self.start_dock.connect_action(self.shift.toggle_action)

    @staticmethod
    def _show_dock(dock) -> None:
        if dock is not None:
            dock.setUserVisible(True) if hasattr(dock, "setUserVisible") else dock.show()
            dock.raise_()

    def _first_start(self) -> None:
        """The start panel opens by itself once, on the first start; later from the menu."""
        from .qgis_io import settings as S

        if S.get(S.START_PANEL_SHOWN):
            self.start_dock.hide()
            return
        S.put(S.START_PANEL_SHOWN, 1)
        self._show_dock(self.start_dock)
        window = self.iface.mainWindow()
        if not window.isVisible() and hasattr(self.iface, "initializationCompleted"):
            try:  # at QGIS's start: in front once QGIS has restored its panels
                self.iface.initializationCompleted.connect(lambda *_: self._show_dock(self.start_dock))
            except TypeError:  # a stand-in iface (tests) without the signal
                pass

    # --- what the actions do ----------------------------------------------------------------------
    def _import_tracks(self):
        from .ui.track_import_dialog import ImportTracksDialog

        ImportTracksDialog(self.iface.mainWindow()).exec()

    def _open_algorithm(self, alg_id: str):
        """The algorithm's dialog, opened with the plugin's own layers (workspace, pings, coverage)."""
        from qgis import processing

        params = self.planner.controller.algorithm_defaults(alg_id) if self.planner is not None else {}
        processing.execAlgorithmDialog(alg_id, params)

    def _load_sample(self):
        import os

        from qgis.core import QgsApplication as App

        from .qgis_io import workspace as W

        try:
            layers = W.load_sample(os.path.join(App.qgisSettingsDirPath(), "hotspot_patrol", "sample"))
        except W.WorkspaceError as e:
            self.iface.messageBar().pushMessage(LOG_TAG, str(e), Qgis.MessageLevel.Critical, 0)
            return
        canvas = self.iface.mapCanvas()
        extent = layers[-1].extent()
        extent.scale(1.3)
        canvas.setExtent(extent)
        canvas.refresh()
        self.iface.messageBar().pushMessage(
            LOG_TAG,
            tr("Sample loaded: try Identify hot spots on the crimes, then Match officer tracks."),
            Qgis.MessageLevel.Success,
            8,
        )

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
        if self.shift is not None:  # its toggle belongs to the dock: removed, not deleted
            self.shift.unload()
            self.iface.removePluginVectorMenu(MENU, self.shift.toggle_action)
            if self.toolbar is not None:
                self.toolbar.removeAction(self.shift.toggle_action)
            self.shift = None
        for dock in self.docks:
            self.iface.removeDockWidget(dock)
            dock.setParent(None)
            dock.deleteLater()
        self.docks, self.start_dock = [], None
        if self.planner is not None:
            self.planner.unload()
            self.planner = None
        for action in self.menu_actions:
            self.iface.removePluginVectorMenu(MENU, action)
        for action in self.actions:
            if self.toolbar is not None:
                self.toolbar.removeAction(action)
            action.deleteLater()
        self.actions, self.menu_actions = [], []
        if self.toolbar is not None:
            self.toolbar.deleteLater()
            self.toolbar = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        if self.translator is not None:
            QCoreApplication.removeTranslator(self.translator)
            self.translator = None
