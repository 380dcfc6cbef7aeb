"""The zones panel: list, filter, digitise (polygon, circle), import and check hot spot zones."""

from __future__ import annotations

from qgis.gui import QgsDoubleSpinBox
from qgis.PyQt.QtCore import pyqtSignal

from ..core import fields as F
from ..qgis_io import settings as S
from .panel import PlannerDock, make_action
from .rows_model import Column

OBJECT_NAME = "HotspotPatrolZonesDock"

COLUMNS = [
    Column(F.ZONE_ID, "Id", "zone_id: the zone's unique id (HS-001 …)"),
    Column(F.NAME, "Name", "The zone's name as officers know it"),
    Column(F.PRIORITY, "Prio", "Priority, 1 (highest) to 5", numeric=True),
    Column("area", "Area m²", "Area in square metres", numeric=True, fmt=lambda v: f"{v:,.0f}"),
    Column(
        "coverage",
        "Coverage",
        "Visits and status from the coverage layer in the project (matched tracks): "
        "on, below or above the target band, or not visited; coloured as on the map",
        numeric=False,
    ),
]


class ZonesDock(PlannerDock):
    what = "zones"

    #: the "Circle zone" radius changed (metres)
    radiusChanged = pyqtSignal(float)

    def __init__(self, parent=None, icon_size=None):
        super().__init__("Patrol zones", OBJECT_NAME, COLUMNS, parent, icon_size)
        self.action_draw = make_action(
            self,
            "/mActionCapturePolygon.svg",
            "Draw Zone",
            "Draw a zone outline on the map with QGIS's polygon tool (snapping honoured); the form opens "
            "with the next id and the default target band filled in",
            "hotspotpatrol_draw_zone",
        )
        self.action_circle = make_action(
            self,
            "/mActionCircleCenterPoint.svg",
            "Draw Circle Zone",
            "Click the map to add a circular zone of the radius set next to this button — quick for small hot spots",
            "hotspotpatrol_circle_zone",
            checkable=True,
        )
        self.radius = QgsDoubleSpinBox()
        self.radius.setObjectName("hotspotpatrol_circle_radius")
        self.radius.setRange(S.CIRCLE_RADIUS.minimum, S.CIRCLE_RADIUS.maximum)
        self.radius.setDecimals(0)
        self.radius.setSingleStep(5)
        self.radius.setSuffix(" m")
        self.radius.setClearValue(S.CIRCLE_RADIUS.default)
        self.radius.setShowClearButton(False)
        self.radius.setMaximumWidth(self.radius.fontMetrics().horizontalAdvance("00000 m") + 40)
        self.radius.setToolTip(
            "Radius of circle zones (metres). A zone must be at least 25 m across for GPS to tell inside from outside."
        )
        self.radius.valueChanged.connect(self.radiusChanged)
        self.action_import = make_action(
            self,
            "/mActionSharingImport.svg",
            "Import Zones…",
            "Copy polygons from another layer (e.g. a hot spot analysis) into the workspace, mapping "
            "its fields to the zone fields",
            "hotspotpatrol_import_zones",
        )
        self.action_delete = make_action(
            self,
            "/mActionDeleteSelectedFeatures.svg",
            "Delete Zones",
            "Delete the zones selected in the table (undoable until you save)",
            "hotspotpatrol_delete_zones",
        )
        self.action_plan = make_action(
            self,
            "/mIconTemporal.svg",
            "Plan Patrols…",
            "Plan randomised patrols for these zones (Koper visits at unpredictable times)",
            "hotspotpatrol_plan_patrols",
        )
        # Import first: in a narrow dock the toolbar's overflow hides the last buttons, not this one
        for a in (self.action_import, self.action_draw, self.action_circle):
            self.toolbar.addAction(a)
        self.toolbar.addWidget(self.radius)
        self.toolbar.addAction(self.action_delete)
        self.toolbar.addAction(self.action_plan)
        self.set_column_visible("coverage", False)

    def show_edit_state(self, has_layer, editable, modified, can_undo, can_redo):
        super().show_edit_state(has_layer, editable, modified, can_undo, can_redo)
        for a in (self.action_draw, self.action_circle, self.action_import):
            a.setEnabled(has_layer)
        self.action_delete.setEnabled(has_layer and bool(self.selected_keys()))

    def _selection_changed(self, *_):
        self.action_delete.setEnabled(self.action_draw.isEnabled() and bool(self.selected_keys()))

    def show_coverage(self, name: str | None) -> None:
        """Show the status and visits columns when a coverage layer is in the project."""
        self.set_column_visible("coverage", name is not None)
