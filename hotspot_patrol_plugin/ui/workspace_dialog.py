"""New / open a patrol workspace: a GeoPackage file or a schema of a database connection."""

from __future__ import annotations

from dataclasses import dataclass

from qgis.core import QgsCoordinateReferenceSystem, QgsProviderRegistry
from qgis.gui import (
    QgsDatabaseSchemaComboBox,
    QgsFileWidget,
    QgsProjectionSelectionWidget,
    QgsProviderConnectionComboBox,
)
from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ..qgis_io import settings as S

DB_PROVIDER = "postgres"


@dataclass
class WorkspaceChoice:
    provider: str  # "ogr" (GeoPackage) or "postgres"
    uri: str  # GeoPackage path, or connection name
    schema: str = ""
    crs: QgsCoordinateReferenceSystem | None = None


def _has_connections(provider: str) -> bool:
    md = QgsProviderRegistry.instance().providerMetadata(provider)
    try:
        return md is not None and bool(md.connections())
    except Exception:  # noqa: BLE001 - a provider without the connections API
        return False


class WorkspaceDialog(QDialog):
    def __init__(self, create: bool, parent=None, default_dir: str = ""):
        super().__init__(parent)
        self.create = create
        self.setObjectName("HotspotPatrolWorkspaceDialog")
        self.setWindowTitle("New Patrol Workspace" if create else "Open Patrol Workspace")
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "A patrol workspace holds two tables, <b>zones</b> (hot spot polygons) and <b>waypoints</b>. "
            + (
                "They are created empty and added to the project."
                if create
                else "Both are added to the project; the panels follow them."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        form = QFormLayout()
        self.gpkg_radio = QRadioButton("GeoPackage file")
        self.gpkg_radio.setToolTip("Keep the workspace in one .gpkg file (the default; easy to share)")
        self.gpkg_radio.setChecked(True)
        self.file = QgsFileWidget()
        self.file.setObjectName("workspace_file")
        self.file.setFilter("GeoPackage (*.gpkg *.GPKG)")
        self.file.setStorageMode(QgsFileWidget.StorageMode.SaveFile if create else QgsFileWidget.StorageMode.GetFile)
        self.file.setConfirmOverwrite(True)
        if default_dir:
            self.file.setDefaultRoot(default_dir)
        self.file.setToolTip("The GeoPackage file" + (" to create (an existing file is replaced)" if create else ""))
        form.addRow(self.gpkg_radio, self.file)

        self.db_radio = QRadioButton("PostgreSQL schema")
        self.db_radio.setToolTip(
            "Keep the workspace in tables 'zones' and 'waypoints' of a PostGIS schema, "
            "through one of your QGIS database connections"
        )
        db = QWidget()
        dbl = QFormLayout(db)
        dbl.setContentsMargins(0, 0, 0, 0)
        self.connection = QgsProviderConnectionComboBox(DB_PROVIDER)
        self.connection.setToolTip("A PostgreSQL connection set up in the Data Source Manager")
        self.schema = QgsDatabaseSchemaComboBox(DB_PROVIDER, self.connection.currentConnection())
        self.schema.setToolTip("The schema that holds (or will hold) the zones and waypoints tables")
        self.schema.comboBox().setToolTip(self.schema.toolTip())
        self.connection.connectionChanged.connect(lambda name: self.schema.setConnectionName(name, DB_PROVIDER))
        dbl.addRow("Connection", self.connection)
        dbl.addRow("Schema", self.schema)
        form.addRow(self.db_radio, db)
        has_db = _has_connections(DB_PROVIDER)
        self.db_radio.setEnabled(has_db)
        db.setEnabled(False)
        if not has_db:
            self.db_radio.setToolTip(
                "No PostgreSQL connection is set up in QGIS (Data Source Manager ▸ PostgreSQL ▸ New)"
            )
        self.gpkg_radio.toggled.connect(lambda on: (self.file.setEnabled(on), db.setEnabled(not on)))

        self.crs = QgsProjectionSelectionWidget()
        self.crs.setCrs(QgsCoordinateReferenceSystem(S.get(S.DEFAULT_CRS)))
        self.crs.setToolTip(
            "CRS of the new tables: a projected CRS in metres (default British National Grid, "
            "EPSG:27700; change the default in Options ▸ Hotspot Patrol)"
        )
        if create:
            form.addRow("CRS", self.crs)
        else:
            self.crs.hide()
        layout.addLayout(form)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create" if create else "Open")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.file.fileChanged.connect(lambda *_: self._update())
        self.gpkg_radio.toggled.connect(lambda *_: self._update())
        self._update()

    def _update(self):
        ok = bool(self.file.filePath()) if self.gpkg_radio.isChecked() else bool(self.connection.currentConnection())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def choice(self) -> WorkspaceChoice:
        crs = self.crs.crs() if self.create else None
        if self.gpkg_radio.isChecked():
            path = self.file.filePath()
            if self.create and not path.lower().endswith(".gpkg"):
                path += ".gpkg"
            return WorkspaceChoice("ogr", path, "", crs)
        return WorkspaceChoice(
            DB_PROVIDER, self.connection.currentConnection(), self.schema.currentSchema() or "public", crs
        )
