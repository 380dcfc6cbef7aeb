"""The waypoints panel: list, filter, add by clicking the map, assign zones, check."""

from __future__ import annotations

from ..core import fields as F
from .panel import PlannerDock, make_action
from .rows_model import Column

OBJECT_NAME = "HotspotPatrolWaypointsDock"

COLUMNS = [
    Column(F.WAYPOINT_ID, "Id", "waypoint_id: the waypoint's unique id (WP-001 …)"),
    Column(F.NAME, "Name", "The waypoint's name"),
    Column(F.ZONE_ID, "Zone", "The zone it lies in (filled in from its location)"),
    Column(F.KIND, "Kind", "What it is: shop, park entrance, transport stop …"),
    Column(
        F.DWELL_MIN, "Dwell", "Planned dwell at the waypoint (minutes)", numeric=True, fmt=lambda v: f"{float(v):g}"
    ),
]


class WaypointsDock(PlannerDock):
    what = "waypoints"

    def __init__(self, parent=None, icon_size=None):
        super().__init__("Waypoints", OBJECT_NAME, COLUMNS, parent, icon_size)
        self.action_add = make_action(
            self,
            "/mActionCapturePoint.svg",
            "Add Waypoint",
            "Click the map to add a waypoint (snapping honoured); its zone is filled in from its location, "
            "with a warning when it lies outside every zone",
            "hotspotpatrol_add_waypoint",
            checkable=True,
        )
        self.action_assign = make_action(
            self,
            "/algorithms/mAlgorithmSelectLocation.svg",
            "Assign Zones",
            "Set every waypoint's zone_id from the zone it lies in (one undoable edit)",
            "hotspotpatrol_assign_zones",
        )
        self.action_delete = make_action(
            self,
            "/mActionDeleteSelectedFeatures.svg",
            "Delete Waypoints",
            "Delete the waypoints selected in the table (undoable until you save)",
            "hotspotpatrol_delete_waypoints",
        )
        for a in (self.action_add, self.action_assign, self.action_delete):
            self.toolbar.addAction(a)

    def show_edit_state(self, has_layer, editable, modified, can_undo, can_redo):
        super().show_edit_state(has_layer, editable, modified, can_undo, can_redo)
        self.action_add.setEnabled(has_layer)
        self.action_assign.setEnabled(has_layer)
        self._selection_changed()

    def _selection_changed(self, *_):
        self.action_delete.setEnabled(self.action_add.isEnabled() and bool(self.selected_keys()))
