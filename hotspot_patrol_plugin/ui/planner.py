"""Wiring of the planner panels: two docks, their controller, menu entries and the options page.

``PlannerUi.unload()`` undoes everything ``initGui()`` did: docks, actions, Vector-menu entries,
toolbar icons, the options page factory, map tools and every signal connection.
"""

from __future__ import annotations

from qgis.PyQt import sip
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QIcon

try:  # Qt6 moved QAction to QtGui
    from qgis.PyQt.QtGui import QAction
except ImportError:  # Qt5
    from qgis.PyQt.QtWidgets import QAction

from ..paths import resource
from .controller import WAYPOINTS, ZONES, PlannerController
from .options_page import OptionsFactory, OptionsPage
from .panel import theme_icon
from .waypoints_dock import WaypointsDock
from .zones_dock import ZonesDock

MENU = "&Hotspot Patrol"


def add_tabbed(iface, first, dock) -> None:
    """Add ``dock`` on the right as a tab beside ``first`` (not stacked below it), ``first`` in front.

    At QGIS's start the window restores its dock layout after the plugins load, which undoes a
    tabbing done in initGui: so it is done again once QGIS has finished starting."""
    iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window = iface.mainWindow()

    def tabify(*_):
        if sip.isdeleted(first) or sip.isdeleted(dock) or not hasattr(window, "tabifyDockWidget"):
            return
        window.tabifyDockWidget(first, dock)
        first.raise_()

    tabify()
    if not window.isVisible() and hasattr(iface, "initializationCompleted"):
        try:
            iface.initializationCompleted.connect(tabify)
        except TypeError:  # a stand-in iface (tests) without the signal
            pass


class PlannerUi:
    def __init__(self, iface):
        self.iface = iface
        self.zones_dock = None
        self.waypoints_dock = None
        self.controller = None
        self.options_factory = None
        self.options_action = None
        self.menu_actions = []
        self.toolbar_actions = []
        self._links = []

    def initGui(self):  # mirrors the plugin API
        window = self.iface.mainWindow()
        size = self.iface.iconSize(True)
        self.zones_dock = ZonesDock(window, size)
        self.waypoints_dock = WaypointsDock(window, size)
        self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.zones_dock)
        add_tabbed(self.iface, self.zones_dock, self.waypoints_dock)
        self.controller = PlannerController(self.iface, self.zones_dock, self.waypoints_dock)
        self._wire()

        # Vector ▸ Hotspot Patrol: the panels (checkable) and the workspace commands
        for dock, icon, text in (
            (self.zones_dock, "/mIconPolygonLayer.svg", "Zones Panel"),
            (self.waypoints_dock, "/mIconPointLayer.svg", "Waypoints Panel"),
        ):
            toggle = dock.toggleViewAction()
            toggle.setIcon(theme_icon(icon))
            toggle.setText(text)
            toggle.setToolTip(f"Show or hide the Hotspot Patrol {text.lower()}")
            self.iface.addPluginToVectorMenu(MENU, toggle)
            self.iface.addVectorToolBarIcon(toggle)
            self.menu_actions.append(toggle)
            self.toolbar_actions.append(toggle)
        for action in (self.zones_dock.action_new, self.zones_dock.action_open):
            self.iface.addPluginToVectorMenu(MENU, action)
            self.menu_actions.append(action)
        self.options_action = QAction(
            QIcon(resource("icons", "hotspot_patrol.svg")), "Options…", self.iface.mainWindow()
        )
        self.options_action.setToolTip("Hotspot Patrol settings (defaults of new zones, zone checks)")
        self._link(
            self.options_action.triggered,
            lambda *_: self.iface.showOptionsDialog(self.iface.mainWindow(), OptionsPage.NAME),
        )
        self.iface.addPluginToVectorMenu(MENU, self.options_action)
        self.menu_actions.append(self.options_action)

        self.options_factory = OptionsFactory()
        self.iface.registerOptionsWidgetFactory(self.options_factory)
        self.controller.start()

    def _link(self, signal, slot):
        signal.connect(slot)
        self._links.append((signal, slot))

    def plan_patrols(self):
        """Plan randomised patrols, the dialog prefilled with the workspace zones and the last settings."""
        from .plan_action import open_plan_dialog

        return open_plan_dialog(self.iface, self.controller.layer(ZONES))

    def _wire(self):
        c, z, w = self.controller, self.zones_dock, self.waypoints_dock
        for dock, role in ((z, ZONES), (w, WAYPOINTS)):
            self._link(dock.action_new.triggered, lambda *_: c.new_workspace())
            self._link(dock.action_open.triggered, lambda *_: c.open_workspace())
            self._link(dock.action_edit.triggered, lambda *_, r=role: c.toggle_editing(r))
            self._link(dock.action_save.triggered, lambda *_, r=role: c.save(r))
            self._link(dock.action_undo.triggered, lambda *_, r=role: c.undo(r))
            self._link(dock.action_redo.triggered, lambda *_, r=role: c.redo(r))
            self._link(dock.featureActivated, lambda key, r=role: c.zoom_to_feature(r, key))
            self._link(dock.problemActivated, lambda p, r=role: c.zoom_to_problem(r, p))
        self._link(z.action_draw.triggered, lambda *_: c.draw_zone())
        self._link(z.action_circle.toggled, c.circle_tool_toggled)
        self._link(z.action_import.triggered, lambda *_: c.import_zones())
        self._link(z.action_delete.triggered, lambda *_: c.delete_selected(ZONES))
        self._link(z.action_plan.triggered, lambda *_: self.plan_patrols())
        self._link(w.action_add.toggled, c.waypoint_tool_toggled)
        self._link(w.action_assign.triggered, lambda *_: c.assign_zones())
        self._link(w.action_delete.triggered, lambda *_: c.delete_selected(WAYPOINTS))
        from ..qgis_io import settings as S

        z.radius.setValue(S.get(S.CIRCLE_RADIUS))

    def unload(self):
        if self.controller is not None:
            self.controller.stop()
        while self._links:
            signal, slot = self._links.pop()
            try:
                signal.disconnect(slot)
            except (TypeError, RuntimeError):
                pass
        for action in self.menu_actions:
            self.iface.removePluginVectorMenu(MENU, action)
        for action in self.toolbar_actions:
            self.iface.removeVectorToolBarIcon(action)
        self.menu_actions, self.toolbar_actions = [], []
        if self.options_action is not None:
            self.options_action.deleteLater()
            self.options_action = None
        if self.options_factory is not None:
            self.iface.unregisterOptionsWidgetFactory(self.options_factory)
            self.options_factory = None
        for dock in (self.zones_dock, self.waypoints_dock):
            if dock is not None:
                self.iface.removeDockWidget(dock)
                dock.setParent(None)
                dock.deleteLater()
        self.zones_dock = self.waypoints_dock = None
        if self.controller is not None:
            self.controller.deleteLater()
            self.controller = None
