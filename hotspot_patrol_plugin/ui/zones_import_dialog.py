"""Import zones: pick a polygon layer and map its fields onto the zone fields."""

from __future__ import annotations

from qgis.gui import QgsFieldComboBox, QgsMapLayerComboBox
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
)

from ..core import fields as F
from ..qgis_io import compat
from ..qgis_io.workspace import guess_mapping

#: zone fields offered for mapping (created/modified are always set by the workspace)
TARGETS = [
    (
        F.ZONE_ID,
        "Zone id",
        "Kept; only a missing id or one already in the workspace gets a new HS-nnn (the message names them)",
    ),
    (F.NAME, "Name", "The zone's name"),
    (F.PRIORITY, "Priority", "Priority 1 (highest) to 5"),
    (F.TARGET_MIN, "Target from (min)", "Lower end of the target visit length, minutes"),
    (F.TARGET_MAX, "Target to (min)", "Upper end of the target visit length, minutes"),
    (F.VISITS_PER_DAY, "Visits per day", "How many visits the zone should get per day"),
    (F.ACTIVE_FROM, "Patrolled from", "Time of day (HH:MM) from which the zone is patrolled"),
    (F.ACTIVE_TO, "Patrolled until", "Time of day (HH:MM) until which the zone is patrolled"),
    (F.NOTES, "Notes", "Free text"),
]


class ImportZonesDialog(QDialog):
    def __init__(self, zones_layer, parent=None, source=None):
        super().__init__(parent)
        self.setObjectName("HotspotPatrolImportZonesDialog")
        self.setWindowTitle("Import Zones")
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Copies polygons into the workspace's zones through the edit buffer: check them, "
            "then save (or undo). Unmapped fields get the workspace defaults."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        top = QFormLayout()
        self.layer = QgsMapLayerComboBox()
        self.layer.setObjectName("import_source")
        self.layer.setFilters(compat.LAYER_FILTER_POLYGON)
        if zones_layer is not None:
            self.layer.setExceptedLayerList([zones_layer])
        self.layer.setToolTip("The polygon layer to copy zones from, e.g. the output of a hot spot analysis")
        top.addRow("Copy polygons from", self.layer)
        self.selected_only = QCheckBox("Selected features only")
        self.selected_only.setToolTip("Copy only the features selected in that layer")
        top.addRow("", self.selected_only)
        layout.addLayout(top)

        box = QGroupBox("Fields")
        box.setToolTip("Which field of the source layer fills each zone field (“not set” uses the default)")
        form = QFormLayout(box)
        self.combos = {}
        for name, label, tip in TARGETS:
            combo = QgsFieldComboBox()
            combo.setObjectName(f"map_{name}")
            combo.setAllowEmptyFieldName(True)
            combo.setToolTip(f"{tip}. Source field for {name}.")
            form.addRow(label, combo)
            self.combos[name] = combo
        layout.addWidget(box)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.layer.layerChanged.connect(self._layer_changed)
        if source is not None:
            self.layer.setLayer(source)
        self._layer_changed(self.layer.currentLayer())

    def _layer_changed(self, layer):
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(layer is not None)
        names = layer.fields().names() if layer is not None else []
        guess = guess_mapping(names)
        for name, combo in self.combos.items():
            combo.setLayer(layer)
            combo.setField(guess.get(name) or "")
        self.selected_only.setEnabled(layer is not None and layer.selectedFeatureCount() > 0)
        self.selected_only.setChecked(layer is not None and layer.selectedFeatureCount() > 0)

    def mapping(self) -> dict:
        return {name: (combo.currentField() or None) for name, combo in self.combos.items()}

    def source(self):
        return self.layer.currentLayer()
