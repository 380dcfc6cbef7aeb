"""The patrol workspace: a ``zones`` polygon table and a ``waypoints`` point table.

Stored in a GeoPackage by default, or in a database schema (PostGIS) with the same tables. Tables
are created through QGIS's provider-connection API (``createVectorTable``) and everything else uses
only QGIS layer APIs, so the panels work the same on both. Edits go through each layer's edit
buffer (``beginEditCommand`` ... ``endEditCommand``): Undo/Redo work and nothing is written until
the user saves.

Defaults (next ``HS-nnn`` id, target band, visits per day, created/modified, a waypoint's zone by
location) are default-value expressions on the layers, so QGIS's own digitising tools fill them
in too; they are set again whenever a workspace layer is found in a project.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsDefaultValue,
    QgsEditorWidgetSetup,
    QgsFeatureRequest,
    QgsFieldConstraints,
    QgsFields,
    QgsFillSymbol,
    QgsGeometry,
    QgsMarkerSymbol,
    QgsPointXY,
    QgsProject,
    QgsProviderRegistry,
    QgsRectangle,
    QgsSingleSymbolRenderer,
    QgsUnitTypes,
    QgsVectorFileWriter,
    QgsVectorLayer,
    QgsVectorLayerUtils,
    QgsWkbTypes,
)

from ..core import fields as F
from ..core import validation as V
from ..core.crs import metric_crs_for
from ..paths import resource
from . import compat, fieldtypes
from . import settings as S
from .styles import label_layer

ZONES_TABLE = "zones"
WAYPOINTS_TABLE = "waypoints"
ROLE_PROPERTY = "hotspot_patrol/role"
ZONES_ROLE, WAYPOINTS_ROLE = "zones", "waypoints"
GROUP_NAME = "Patrol workspace"
ZONE_STYLE, WAYPOINT_STYLE = "workspace_zones.qml", "workspace_waypoints.qml"

#: fields a layer must have to count as a workspace table (so PostGIS tables are found too)
REQUIRED_ZONE_FIELDS = (F.ZONE_ID, F.NAME, F.TARGET_MIN, F.TARGET_MAX)
REQUIRED_WAYPOINT_FIELDS = (F.WAYPOINT_ID, F.ZONE_ID, F.KIND)
#: a COVERAGE output of hotspotpatrol:matchtracks keeps the zone fields: these tell it apart
COVERAGE_MARKERS = (F.ZONE_ID, F.VISITS, F.STATUS)


def _next_id_expression(id_field: str, prefix: str) -> str:
    """Highest PREFIX-number among the layer's ids (edit buffer included) + 1, as PREFIX-nnn;
    the same rule as core.validation.next_id (prefixes are plain letters and '-')."""
    n = f"coalesce(maximum(to_int(regexp_substr(trim(\"{id_field}\"), '^{prefix}([0-9]+)$'))), 0) + 1"
    return f"with_variable('n', {n}, '{prefix}' || if(@n < 10, '00', if(@n < 100, '0', '')) || to_string(@n))"


ZONE_ID_EXPRESSION = _next_id_expression(F.ZONE_ID, V.ZONE_ID_PREFIX)
WAYPOINT_ID_EXPRESSION = _next_id_expression(F.WAYPOINT_ID, V.WAYPOINT_ID_PREFIX)
TIME_CONSTRAINT = '"{f}" IS NULL OR regexp_match("{f}", \'^([01]?[0-9]|2[0-3]):[0-5][0-9]$\')'


class WorkspaceError(Exception):
    """A workspace could not be created or opened; the message is meant for the user."""


@dataclass
class Workspace:
    zones: QgsVectorLayer | None = None
    waypoints: QgsVectorLayer | None = None

    @property
    def name(self) -> str:
        layer = self.zones or self.waypoints
        if layer is None:
            return ""
        parts = _decode(layer)
        if parts.get("path"):
            return os.path.basename(parts["path"])
        return ".".join(p for p in (parts.get("dbname"), parts.get("schema")) if p) or layer.name()

    def layers(self) -> list[QgsVectorLayer]:
        return [lyr for lyr in (self.zones, self.waypoints) if lyr is not None]


# --- schema --------------------------------------------------------------------------------------


def zone_fields() -> QgsFields:
    fs = QgsFields()
    for name, kind, length in (
        (F.ZONE_ID, fieldtypes.STRING, 20),
        (F.NAME, fieldtypes.STRING, 100),
        (F.PRIORITY, fieldtypes.INT, 0),
        (F.TARGET_MIN, fieldtypes.DOUBLE, 0),
        (F.TARGET_MAX, fieldtypes.DOUBLE, 0),
        (F.VISITS_PER_DAY, fieldtypes.INT, 0),
        (F.ACTIVE_FROM, fieldtypes.STRING, 5),
        (F.ACTIVE_TO, fieldtypes.STRING, 5),
        (F.NOTES, fieldtypes.STRING, 0),
        (F.CREATED, fieldtypes.DATETIME, 0),
        (F.MODIFIED, fieldtypes.DATETIME, 0),
    ):
        fs.append(fieldtypes.field(name, kind, length))
    return fs


def waypoint_fields() -> QgsFields:
    fs = QgsFields()
    for name, kind, length in (
        (F.WAYPOINT_ID, fieldtypes.STRING, 20),
        (F.NAME, fieldtypes.STRING, 100),
        (F.ZONE_ID, fieldtypes.STRING, 20),
        (F.KIND, fieldtypes.STRING, 50),
        (F.DWELL_MIN, fieldtypes.DOUBLE, 0),
        (F.NOTES, fieldtypes.STRING, 0),
    ):
        fs.append(fieldtypes.field(name, kind, length))
    return fs


# --- create / open -------------------------------------------------------------------------------


def _connection(provider: str, uri_or_name: str):
    md = QgsProviderRegistry.instance().providerMetadata(provider)
    if md is None:
        raise WorkspaceError(f"QGIS has no '{provider}' data provider.")
    if provider != "ogr":
        try:
            conn = md.findConnection(uri_or_name)
        except Exception:  # noqa: BLE001 - QgsProviderConnectionException and friends
            conn = None
        if conn is not None:
            return conn
    try:
        return md.createConnection(uri_or_name, {})
    except Exception as e:  # noqa: BLE001
        raise WorkspaceError(f"Cannot connect to {uri_or_name}: {e}") from e


def create(
    provider: str,
    uri_or_name: str,
    schema: str = "",
    crs: QgsCoordinateReferenceSystem | None = None,
    overwrite: bool = False,
) -> Workspace:
    """Create the two tables in a GeoPackage (provider 'ogr', a file path) or a database schema
    (e.g. 'postgres', a connection name or URI) and return them as (unstyled) layers."""
    crs = crs if crs is not None and crs.isValid() else QgsCoordinateReferenceSystem(S.get(S.DEFAULT_CRS))
    conn = _connection(provider, uri_or_name)
    if not overwrite:
        existing = _table_names(conn, schema)
        clash = [t for t in (ZONES_TABLE, WAYPOINTS_TABLE) if t in existing]
        if clash:
            raise WorkspaceError(f"{uri_or_name} already has {' and '.join(clash)}: open it instead.")
    options = {} if provider == "ogr" else {"geometryColumn": "geom"}
    try:
        conn.createVectorTable(schema, ZONES_TABLE, zone_fields(), compat.WKB_MULTIPOLYGON, crs, overwrite, options)
        conn.createVectorTable(schema, WAYPOINTS_TABLE, waypoint_fields(), compat.WKB_POINT, crs, overwrite, options)
    except Exception as e:  # noqa: BLE001 - QgsProviderConnectionException
        raise WorkspaceError(f"Cannot create the workspace tables in {uri_or_name}: {e}") from e
    return _open(provider, conn, uri_or_name, schema)


def create_geopackage(path: str, crs: QgsCoordinateReferenceSystem | None = None) -> Workspace:
    """A new GeoPackage holding the two (empty) tables. An existing file is replaced: the file
    dialog has asked before overwriting."""
    crs = crs if crs is not None and crs.isValid() else QgsCoordinateReferenceSystem(S.get(S.DEFAULT_CRS))
    if os.path.exists(path):
        os.remove(path)
    context = QgsProject.instance().transformContext()
    for table, fields, wkb in (
        (ZONES_TABLE, zone_fields(), compat.WKB_MULTIPOLYGON),
        (WAYPOINTS_TABLE, waypoint_fields(), compat.WKB_POINT),
    ):
        options = QgsVectorFileWriter.SaveVectorOptions()
        options.driverName = "GPKG"
        options.layerName = table
        if table == WAYPOINTS_TABLE:
            options.actionOnExistingFile = QgsVectorFileWriter.ActionOnExistingFile.CreateOrOverwriteLayer
        writer = QgsVectorFileWriter.create(path, fields, wkb, crs, context, options)
        failed = writer.hasError() != QgsVectorFileWriter.WriterError.NoError
        message = writer.errorMessage()
        del writer  # closes the file
        if failed:
            raise WorkspaceError(f"Cannot create {path}: {message}")
    return open_geopackage(path)


def open_geopackage(path: str) -> Workspace:
    if not os.path.isfile(path):
        raise WorkspaceError(f"{path} does not exist.")
    return _open("ogr", _connection("ogr", path), path, "")


def open_database(provider: str, uri_or_name: str, schema: str) -> Workspace:
    return _open(provider, _connection(provider, uri_or_name), uri_or_name, schema)


def _table_names(conn, schema: str) -> set[str]:
    try:
        return {t.tableName() for t in conn.tables(schema)}
    except Exception:  # noqa: BLE001 - a new, empty GeoPackage
        return set()


def _table_uri(conn, schema: str, table: str) -> str:
    """The table's layer URI with its geometry column: QGIS 3.22's postgres connection leaves the
    column out of ``tableUri``, and the layer then opens with no geometry and no CRS."""
    from qgis.core import QgsDataSourceUri

    uri = conn.tableUri(schema, table)
    ds = QgsDataSourceUri(uri)
    if ds.table() and not ds.geometryColumn():
        try:
            column = conn.table(schema, table).geometryColumn()
        except Exception:  # noqa: BLE001 - a GeoPackage URI, or a table without geometry
            column = ""
        if column:
            ds.setGeometryColumn(column)
            return ds.uri(False)
    return uri


def _open(provider: str, conn, label: str, schema: str) -> Workspace:
    names = _table_names(conn, schema)
    if ZONES_TABLE not in names:
        raise WorkspaceError(f"{label} has no '{ZONES_TABLE}' table: it is not a patrol workspace.")
    title = os.path.splitext(os.path.basename(label))[0] if provider == "ogr" else schema or label
    ws = Workspace()
    for table, role in ((ZONES_TABLE, ZONES_ROLE), (WAYPOINTS_TABLE, WAYPOINTS_ROLE)):
        if table not in names:
            continue
        layer = QgsVectorLayer(_table_uri(conn, schema, table), f"{table} ({title})", provider)
        if not layer.isValid():
            raise WorkspaceError(f"Cannot open {table} in {label}.")
        required = REQUIRED_ZONE_FIELDS if role == ZONES_ROLE else REQUIRED_WAYPOINT_FIELDS
        missing = [n for n in required if layer.fields().indexOf(n) < 0]
        if missing:
            raise WorkspaceError(f"{table} in {label} lacks the field(s) {', '.join(missing)}.")
        layer.setCustomProperty(ROLE_PROPERTY, role)
        setattr(ws, role, layer)
    return ws


def add_to_project(ws: Workspace, project: QgsProject | None = None) -> Workspace:
    """Add the layers (styled and configured) in a group at the top of the layer tree; layers of
    the same tables already in the project are reused instead of added twice."""
    project = project or QgsProject.instance()
    present = {(lyr.providerType(), lyr.source()): lyr for lyr in project.mapLayers().values()}
    if not present and ws.zones is not None and ws.zones.crs().isValid():
        project.setCrs(ws.zones.crs())  # an empty project takes the workspace's CRS: nothing reprojected
    group = None
    for role in (WAYPOINTS_ROLE, ZONES_ROLE):
        layer = getattr(ws, role)
        if layer is None:
            continue
        same = present.get((layer.providerType(), layer.source()))
        if same is not None:
            same.setCustomProperty(ROLE_PROPERTY, role)
            setattr(ws, role, same)
            continue
        style(layer, role)
        if group is None:
            group = project.layerTreeRoot().insertGroup(0, f"{GROUP_NAME}: {ws.name}")
        project.addMapLayer(layer, False)
        group.addLayer(layer)
    configure(ws)
    return ws


# --- finding workspace layers in a project --------------------------------------------------------


def _decode(layer) -> dict:
    try:
        return dict(QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source()))
    except Exception:  # noqa: BLE001
        return {}


def _container(layer) -> tuple:
    """What a layer's table lives in: the GeoPackage file, or the database and schema."""
    p = _decode(layer)
    return (
        layer.providerType(),
        p.get("path") or "",
        p.get("dbname") or "",
        p.get("host") or "",
        p.get("service") or "",
        p.get("schema") or "",
    )


def _has(layer, names) -> bool:
    fs = layer.fields()
    return all(fs.indexOf(n) >= 0 for n in names)


def is_coverage_layer(layer) -> bool:
    """A COVERAGE output (its fields), not a briefing pack's copy of one."""
    from .styles import BRIEFING_ROLE

    return (
        isinstance(layer, QgsVectorLayer)
        and layer.isValid()
        and _has(layer, COVERAGE_MARKERS)
        and layer.geometryType() == compat.GEOM_POLYGON
        and layer.customProperty(ROLE_PROPERTY) != BRIEFING_ROLE
    )


def is_zones_layer(layer) -> bool:
    if not isinstance(layer, QgsVectorLayer) or not layer.isValid():
        return False
    if layer.geometryType() != compat.GEOM_POLYGON or not _has(layer, REQUIRED_ZONE_FIELDS):
        return False
    return layer.customProperty(ROLE_PROPERTY) == ZONES_ROLE or not is_coverage_layer(layer)


def is_waypoints_layer(layer) -> bool:
    return (
        isinstance(layer, QgsVectorLayer)
        and layer.isValid()
        and layer.geometryType() == compat.GEOM_POINT
        and _has(layer, REQUIRED_WAYPOINT_FIELDS)
    )


def _tree_order(project: QgsProject) -> list:
    ordered = [node.layer() for node in project.layerTreeRoot().findLayers() if node.layer() is not None]
    rest = [lyr for lyr in project.mapLayers().values() if lyr not in ordered]
    return ordered + rest


def find(project: QgsProject | None = None, prefer=None) -> Workspace:
    """The workspace layers of a project: ``prefer`` (a zones or waypoints layer, e.g. the active
    one) when it is one, else the topmost zones layer; waypoints from the same file or schema."""
    project = project or QgsProject.instance()
    layers = _tree_order(project)
    zones = [lyr for lyr in layers if is_zones_layer(lyr)]
    waypoints = [lyr for lyr in layers if is_waypoints_layer(lyr)]
    flagged = [lyr for lyr in zones if lyr.customProperty(ROLE_PROPERTY) == ZONES_ROLE]
    z = prefer if prefer in zones else (flagged or zones or [None])[0]
    if prefer in waypoints:
        w = prefer
        if z is None or _container(z) != _container(w):
            z = next((lyr for lyr in zones if _container(lyr) == _container(w)), z)
    else:
        same = [lyr for lyr in waypoints if z is not None and _container(lyr) == _container(z)]
        w = (same or waypoints or [None])[0]
    return Workspace(z, w)


def find_coverage(project: QgsProject | None = None, exclude=()) -> QgsVectorLayer | None:
    """The COVERAGE output the panels follow: the most recent matchtracks run's, else the topmost
    layer with the coverage fields (zone_id, visits, status); never a briefing pack's copy."""
    from .styles import RUN_PROPERTY

    project = project or QgsProject.instance()
    found = [lyr for lyr in _tree_order(project) if lyr not in exclude and is_coverage_layer(lyr)]
    runs = [lyr for lyr in found if lyr.customProperty(RUN_PROPERTY)]
    if runs:
        return max(runs, key=lambda lyr: str(lyr.customProperty(RUN_PROPERTY)))
    return found[0] if found else None


#: the fields of hotspotpatrol:importtracks' output (a layer of pings)
IMPORTED_PINGS_FIELDS = ("unit_id", "time", "source_file")


def is_imported_pings(layer) -> bool:
    return (
        isinstance(layer, QgsVectorLayer)
        and layer.isValid()
        and layer.geometryType() == compat.GEOM_POINT
        and _has(layer, IMPORTED_PINGS_FIELDS)
    )


def track_fields(layer, sample: int = 200) -> tuple[str | None, str | None]:
    """The unit and time fields of a point layer of pings, chosen by the import's own detection
    (core.columns: names first, then values) from its first ``sample`` features."""
    import pandas as pd

    from ..core import columns

    names = [n for n in layer.fields().names() if n.lower() != "fid"]
    if not names:
        return None, None
    rows = []
    request = QgsFeatureRequest().setFlags(compat.REQUEST_NO_GEOMETRY).setLimit(sample)
    for f in layer.getFeatures(request):
        row = []
        for n in names:
            v = plain(f[n])
            row.append(v.toString("yyyy-MM-ddTHH:mm:ss") if hasattr(v, "toString") and not isinstance(v, str) else v)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=names, dtype=object)
    frame["hp_x"], frame["hp_y"] = 0.0, 0.0  # the position is the geometry: keep it off the fields
    try:
        d = columns.detect(frame, x="hp_x", y="hp_y")
    except (KeyError, ValueError):
        return None, None
    if d.date:  # a date field and a clock field: matching wants one time field
        return d.unit, None
    return d.unit, d.time


def find_tracks(project: QgsProject | None = None, prefer=None):
    """The pings layer to match, with its unit and time fields: ``prefer`` (e.g. the active layer)
    when it is a point layer whose unit and time are found, else the most recently added such layer
    (an import's output first); (None, None, None) when there is none. Waypoints are never pings."""
    project = project or QgsProject.instance()
    candidates = [
        lyr
        for lyr in project.mapLayers().values()
        if isinstance(lyr, QgsVectorLayer)
        and lyr.isValid()
        and lyr.geometryType() == compat.GEOM_POINT
        and not is_waypoints_layer(lyr)
    ]
    if prefer in candidates:
        candidates.remove(prefer)
        candidates.insert(0, prefer)
    else:  # the import's output (unit_id, time) first, then the newest layer
        order = list(project.mapLayers())
        candidates.sort(key=lambda lyr: (not _has(lyr, ("unit_id", "time")), -order.index(lyr.id())))
    for layer in candidates:
        unit, when = track_fields(layer)
        if unit and when:
            return layer, unit, when
    return None, None, None


#: police.uk's street-level crime CSV (and similar exports): the fields Identify hot spots uses
CRIME_DATE_NAMES = ("Month", "month", "date", "Date", "crime_date", "occurred", "reported_date")
CRIME_TYPE_NAMES = ("Crime type", "crime_type", "Crime Type", "offence", "offence_type", "category", "type")


def crime_fields(layer) -> dict:
    """Identify hot spots' DATE_FIELD and TYPE_FIELD for a crime layer, where its fields say so
    (police.uk: Month, Crime type)."""
    names = layer.fields().names()
    out = {}
    for key, candidates in (("DATE_FIELD", CRIME_DATE_NAMES), ("TYPE_FIELD", CRIME_TYPE_NAMES)):
        hit = next((n for n in candidates if n in names), None)
        if hit:
            out[key] = hit
    return out


def find_crimes(project: QgsProject | None = None, prefer=None):
    """A crime point layer for Identify hot spots: ``prefer`` when it is a point layer that is not
    the plugin's (pings, waypoints), else the first point layer with a crime type field."""
    project = project or QgsProject.instance()
    points = [
        lyr
        for lyr in _tree_order(project)
        if isinstance(lyr, QgsVectorLayer)
        and lyr.isValid()
        and lyr.geometryType() == compat.GEOM_POINT
        and not is_waypoints_layer(lyr)
    ]
    if prefer in points and "TYPE_FIELD" in crime_fields(prefer):
        return prefer
    return next((lyr for lyr in points if "TYPE_FIELD" in crime_fields(lyr)), None)


def find_output(role: str, project: QgsProject | None = None) -> QgsVectorLayer | None:
    """The most recent output of one role (styles.COVERAGE_ROLE, VISITS_ROLE) loaded by a run."""
    from .styles import RUN_PROPERTY

    project = project or QgsProject.instance()
    runs = [
        lyr
        for lyr in project.mapLayers().values()
        if isinstance(lyr, QgsVectorLayer)
        and lyr.customProperty(ROLE_PROPERTY) == role
        and lyr.customProperty(RUN_PROPERTY)
    ]
    return max(runs, key=lambda lyr: str(lyr.customProperty(RUN_PROPERTY))) if runs else None


def coverage_by_zone(layer: QgsVectorLayer | None) -> dict[str, tuple[str, int]]:
    """zone_id -> (status, visits) from a coverage layer."""
    if layer is None:
        return {}
    out = {}
    request = QgsFeatureRequest().setFlags(compat.REQUEST_NO_GEOMETRY)
    request.setSubsetOfAttributes([F.ZONE_ID, F.VISITS, F.STATUS], layer.fields())
    for f in layer.getFeatures(request):
        zid = plain(f[F.ZONE_ID])
        if zid is not None:
            out[str(zid)] = (plain(f[F.STATUS]), plain(f[F.VISITS]))
    return out


# --- layer configuration -------------------------------------------------------------------------


def configure(ws: Workspace) -> None:
    """Defaults, constraints, editor widgets and aliases (kept in the project, not in the tables)."""
    if ws.zones is not None:
        _configure_zones(ws.zones)
    if ws.waypoints is not None:
        _configure_waypoints(ws.waypoints, ws.zones)


def _setup(layer, name, alias=None, default=None, on_update=False, widget=None, config=None, read_only=False):
    idx = layer.fields().indexOf(name)
    if idx < 0:
        return -1
    if alias:
        layer.setFieldAlias(idx, alias)
    if default is not None:
        layer.setDefaultValueDefinition(idx, QgsDefaultValue(default, on_update))
    if widget:
        layer.setEditorWidgetSetup(idx, QgsEditorWidgetSetup(widget, config or {}))
    if read_only:
        form = layer.editFormConfig()
        form.setReadOnly(idx, True)
        layer.setEditFormConfig(form)
    return idx


def _constraint(layer, idx, kind, hard=False):
    strength = (
        QgsFieldConstraints.ConstraintStrength.ConstraintStrengthHard
        if hard
        else QgsFieldConstraints.ConstraintStrength.ConstraintStrengthSoft
    )
    layer.setFieldConstraint(idx, kind, strength)


def _range(lo, hi, step=1, precision=0):
    return {"Min": lo, "Max": hi, "Step": step, "Precision": precision, "AllowNull": True, "Style": "SpinBox"}


def _time_widget():
    return {"field_format": "HH:mm", "display_format": "HH:mm", "calendar_popup": False, "allow_null": True}


def _configure_zones(layer: QgsVectorLayer) -> None:
    unique = QgsFieldConstraints.Constraint.ConstraintUnique
    not_null = QgsFieldConstraints.Constraint.ConstraintNotNull
    idx = _setup(layer, F.ZONE_ID, "Zone id", ZONE_ID_EXPRESSION)
    _constraint(layer, idx, not_null, hard=True)
    _constraint(layer, idx, unique, hard=True)
    idx = _setup(layer, F.NAME, "Name")
    _constraint(layer, idx, not_null)
    _setup(layer, F.PRIORITY, "Priority (1 = highest)", "3", widget="Range", config=_range(1, 5))
    tmin = S.get(S.TARGET_MIN)
    tmax = S.get(S.TARGET_MAX)
    _setup(layer, F.TARGET_MIN, "Target visit from (min)", f"{tmin:g}", widget="Range", config=_range(0, 600, 1, 1))
    idx = _setup(layer, F.TARGET_MAX, "Target visit to (min)", f"{tmax:g}", widget="Range", config=_range(0, 600, 1, 1))
    if idx >= 0:
        band = f'"{F.TARGET_MIN}" IS NULL OR "{F.TARGET_MAX}" IS NULL OR "{F.TARGET_MIN}" <= "{F.TARGET_MAX}"'
        layer.setConstraintExpression(idx, band, "target_min must not be above target_max")
    _setup(
        layer, F.VISITS_PER_DAY, "Visits per day", str(S.get(S.VISITS_PER_DAY)), widget="Range", config=_range(0, 96)
    )
    for name, alias in (
        (F.ACTIVE_FROM, "Patrolled from (HH:MM, empty = all day)"),
        (F.ACTIVE_TO, "Patrolled until (HH:MM)"),
    ):
        idx = _setup(layer, name, alias, widget="DateTime", config=_time_widget())
        if idx >= 0:
            layer.setConstraintExpression(idx, TIME_CONSTRAINT.format(f=name), "a time of day as HH:MM")
    _setup(layer, F.NOTES, "Notes", widget="TextEdit", config={"IsMultiline": True, "UseHtml": False})
    _setup(layer, F.CREATED, "Created", "now()", read_only=True)
    _setup(layer, F.MODIFIED, "Modified", "now()", on_update=True, read_only=True)
    layer.setDisplayExpression(f"\"{F.ZONE_ID}\" || ' ' || coalesce(\"{F.NAME}\", '')")


def _configure_waypoints(layer: QgsVectorLayer, zones: QgsVectorLayer | None) -> None:
    idx = _setup(layer, F.WAYPOINT_ID, "Waypoint id", WAYPOINT_ID_EXPRESSION)
    _constraint(layer, idx, QgsFieldConstraints.Constraint.ConstraintUnique)
    _setup(layer, F.NAME, "Name")
    if zones is not None:
        _setup(
            layer,
            F.ZONE_ID,
            "Zone (from location)",
            f"array_first(overlay_within('{zones.id()}', \"{F.ZONE_ID}\"))",
            on_update=True,
            read_only=True,
        )
    _setup(
        layer, F.KIND, "Kind (shop, park entrance, transport stop…)", widget="UniqueValues", config={"Editable": True}
    )
    _setup(layer, F.DWELL_MIN, "Dwell (min)", widget="Range", config=_range(0, 600, 1, 1))
    _setup(layer, F.NOTES, "Notes", widget="TextEdit", config={"IsMultiline": True, "UseHtml": False})
    layer.setDisplayExpression(f"\"{F.WAYPOINT_ID}\" || ' ' || coalesce(\"{F.NAME}\", '')")


def style(layer: QgsVectorLayer, role: str) -> None:
    """The shared workspace styles (resources/styles/workspace_*.qml, through qgis_io.styles, which
    also draws the waypoints' presence radius); a plain, clear style when they cannot be used."""
    try:
        from . import styles

        if role == ZONES_ROLE:
            styles.apply_workspace_zones_style(layer)
        else:
            styles.apply_workspace_waypoints_style(layer, S.get(S.WAYPOINT_RADIUS))
        return
    except (ImportError, AttributeError, RuntimeError):  # analysis dependencies missing, no QML
        pass
    qml = resource("styles", ZONE_STYLE if role == ZONES_ROLE else WAYPOINT_STYLE)
    if os.path.isfile(qml):
        _msg, ok = layer.loadNamedStyle(qml)
        if ok:
            layer.triggerRepaint()
            return
    if role == ZONES_ROLE:
        symbol = QgsFillSymbol.createSimple(
            {"color": "213,94,0,45", "outline_color": "#d55e00", "outline_width": "0.6", "style": "solid"}
        )
        label = f'"{F.ZONE_ID}"'
    else:
        symbol = QgsMarkerSymbol.createSimple(
            {"name": "circle", "color": "#cc79a7", "outline_color": "#ffffff", "outline_width": "0.4", "size": "3"}
        )
        label = f'"{F.WAYPOINT_ID}"'
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    label_layer(layer, label, "#5a2500" if role == ZONES_ROLE else "#4a1d3a")


# --- reading for the panels and the checks -------------------------------------------------------


def plain(value):
    """A layer attribute as a plain Python value (None for NULL)."""
    if value is None:
        return None
    if hasattr(value, "isNull") and not isinstance(value, str) and value.isNull():
        return None
    return value


def _needs_metric(crs: QgsCoordinateReferenceSystem) -> bool:
    if crs.isGeographic():
        return True
    if QgsUnitTypes.encodeUnit(crs.mapUnits()) != "meters":
        return True
    return crs.authid() in ("EPSG:3857", "EPSG:900913")  # metres only on the equator


def metric_crs(layer: QgsVectorLayer, extent=None) -> QgsCoordinateReferenceSystem:
    """The layer's CRS when it is projected in metres; else BNG in Great Britain, else UTM, chosen
    at the centre of ``extent`` (default: the layer's features, edit buffer included)."""
    crs = layer.crs()
    if not crs.isValid() or not _needs_metric(crs):
        return crs
    if extent is None:
        extent = QgsRectangle()
        for f in layer.getFeatures(QgsFeatureRequest().setNoAttributes()):
            if f.hasGeometry():
                extent.combineExtentWith(f.geometry().boundingBox())
    centre = extent.center() if not extent.isNull() else QgsPointXY(0, 0)
    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    ll = QgsCoordinateTransform(crs, wgs84, QgsProject.instance()).transform(centre)
    return QgsCoordinateReferenceSystem(metric_crs_for(max(-180.0, min(180.0, ll.x())), max(-90.0, min(90.0, ll.y()))))


def _to_shapely(geom: QgsGeometry, transform: QgsCoordinateTransform | None):
    if not V.AVAILABLE:
        return None
    import shapely

    if geom is None or geom.isNull() or geom.isEmpty():
        return None
    g = QgsGeometry(geom)
    if QgsWkbTypes.isCurvedType(g.wkbType()):
        g = QgsGeometry(g.constGet().segmentize())
    if transform is not None:
        g.transform(transform)
    return shapely.from_wkb(bytes(g.asWkb()))


def _transform(src, dst) -> QgsCoordinateTransform | None:
    if src == dst or not src.isValid() or not dst.isValid():
        return None
    return QgsCoordinateTransform(src, dst, QgsProject.instance())


@dataclass
class Snapshot:
    """The workspace read for the panels: records for the checks, in ``crs`` (metres)."""

    crs: QgsCoordinateReferenceSystem = field(default_factory=QgsCoordinateReferenceSystem)
    zones: list = field(default_factory=list)  # core.validation.Zone
    waypoints: list = field(default_factory=list)  # core.validation.Waypoint
    zone_areas: dict = field(default_factory=dict)  # fid -> m²
    waypoint_extra: dict = field(default_factory=dict)  # fid -> {kind, dwell_min}


def read(ws: Workspace) -> Snapshot:
    """Every zone and waypoint, edit buffer included, with geometries in a metric CRS."""
    base = ws.zones or ws.waypoints
    snap = Snapshot(crs=metric_crs(base) if base is not None else QgsCoordinateReferenceSystem())
    if ws.zones is not None:
        to_work = _transform(ws.zones.crs(), snap.crs)
        for f in ws.zones.getFeatures():
            g = _to_shapely(f.geometry(), to_work)
            snap.zones.append(
                V.Zone(
                    key=f.id(),
                    zone_id=_text(f, F.ZONE_ID),
                    name=_text(f, F.NAME),
                    geometry=g,
                    target_min=_value(f, F.TARGET_MIN),
                    target_max=_value(f, F.TARGET_MAX),
                    priority=_value(f, F.PRIORITY),
                    active_from=_text(f, F.ACTIVE_FROM),
                    active_to=_text(f, F.ACTIVE_TO),
                )
            )
            snap.zone_areas[f.id()] = float(g.area) if g is not None else None
    if ws.waypoints is not None:
        to_work = _transform(ws.waypoints.crs(), snap.crs)
        for f in ws.waypoints.getFeatures():
            snap.waypoints.append(
                V.Waypoint(
                    key=f.id(),
                    waypoint_id=_text(f, F.WAYPOINT_ID),
                    name=_text(f, F.NAME),
                    geometry=_to_shapely(f.geometry(), to_work),
                    zone_id=_text(f, F.ZONE_ID),
                )
            )
            snap.waypoint_extra[f.id()] = {F.KIND: _text(f, F.KIND), F.DWELL_MIN: _value(f, F.DWELL_MIN)}
    return snap


def _value(feature, name):
    idx = feature.fields().indexOf(name)
    return plain(feature.attribute(idx)) if idx >= 0 else None


def _text(feature, name):
    v = _value(feature, name)
    return None if v is None else str(v)


def zone_at(zones: QgsVectorLayer, point: QgsGeometry, crs: QgsCoordinateReferenceSystem) -> str | None:
    """The zone_id of the zone (edit buffer included) that ``point`` (in ``crs``) lies in."""
    if not V.AVAILABLE:
        return None
    snap = read(Workspace(zones, None))
    g = _to_shapely(point, _transform(crs, snap.crs))
    return V.zone_for_point(g, snap.zones) if g is not None else None


# --- edits through the edit buffer ---------------------------------------------------------------


def _editable(layer: QgsVectorLayer) -> None:
    if not layer.isEditable() and not layer.startEditing():
        raise WorkspaceError(f"{layer.name()} cannot be edited (read-only data source?).")


def _compatible(geometry: QgsGeometry, layer: QgsVectorLayer) -> QgsGeometry:
    g = QgsGeometry(geometry)
    if QgsWkbTypes.isMultiType(layer.wkbType()) and not g.isMultipart():
        g.convertToMultiType()
    elif not QgsWkbTypes.isMultiType(layer.wkbType()) and g.isMultipart():
        g.convertToSingleType()
    return g


def add_feature(
    layer: QgsVectorLayer, geometry: QgsGeometry, attributes: dict | None = None, command: str = "Add feature"
):
    """Add one feature with the layer's defaults (and ``attributes`` by field name) as one undoable
    edit command; returns it (its id is the edit buffer's temporary id)."""
    _editable(layer)
    fields = layer.fields()
    attrs = {fields.indexOf(k): v for k, v in (attributes or {}).items() if fields.indexOf(k) >= 0}
    feature = QgsVectorLayerUtils.createFeature(
        layer, _compatible(geometry, layer), attrs, layer.createExpressionContext()
    )
    layer.beginEditCommand(command)
    if not layer.addFeature(feature):
        layer.destroyEditCommand()
        raise WorkspaceError(f"Could not add the feature to {layer.name()}.")
    layer.endEditCommand()
    return feature


def delete_features(layer: QgsVectorLayer, fids, command: str = "Delete features") -> int:
    fids = list(fids)
    if not fids:
        return 0
    _editable(layer)
    layer.beginEditCommand(command)
    ok = layer.deleteFeatures(fids)
    if not ok:
        layer.destroyEditCommand()
        raise WorkspaceError(f"Could not delete from {layer.name()}.")
    layer.endEditCommand()
    return len(fids)


def circle(centre: QgsPointXY, radius_m: float, crs: QgsCoordinateReferenceSystem, segments: int = 16) -> QgsGeometry:
    """A circle polygon of ``radius_m`` metres (``segments`` per quarter) around ``centre``, in ``crs``;
    built in a metric CRS when ``crs`` is not one."""
    if not _needs_metric(crs):
        return QgsGeometry.fromPointXY(centre).buffer(radius_m, segments)
    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    ll = QgsCoordinateTransform(crs, wgs84, QgsProject.instance()).transform(centre)
    work = QgsCoordinateReferenceSystem(metric_crs_for(ll.x(), ll.y()))
    there = QgsCoordinateTransform(crs, work, QgsProject.instance())
    g = QgsGeometry.fromPointXY(there.transform(centre)).buffer(radius_m, segments)
    g.transform(QgsCoordinateTransform(work, crs, QgsProject.instance()))
    return g


def assign_zones(ws: Workspace) -> int:
    """Set every waypoint's zone_id from its location (one undoable command); returns how many
    changed."""
    if ws.waypoints is None or ws.zones is None:
        return 0
    snap = read(ws)
    located = V.zones_for_points([w.geometry for w in snap.waypoints], snap.zones)
    changes = {w.key: z for w, z in zip(snap.waypoints, located) if V.text(w.zone_id) != z}
    if not changes:
        return 0
    layer = ws.waypoints
    _editable(layer)
    idx = layer.fields().indexOf(F.ZONE_ID)
    layer.beginEditCommand("Assign zones from location")
    for fid, zid in changes.items():
        layer.changeAttributeValue(fid, idx, zid)
    layer.endEditCommand()
    return len(changes)


@dataclass
class ImportResult:
    added: int = 0
    skipped: int = 0
    renames: list = field(default_factory=list)  # (id in the source, id given), in import order

    @property
    def renamed(self) -> int:
        return len(self.renames)


def import_zones(
    source: QgsVectorLayer, target: QgsVectorLayer, mapping: dict, selected_only: bool = False, feedback=None
) -> ImportResult:
    """Copy polygons from ``source`` into the zones layer (one undoable edit command).

    ``mapping``: zones field name -> source field name (or None: the zones layer's default).
    Ids are kept: only a zone whose mapped zone_id is empty, already in the workspace or repeated in
    the source gets a new HS-nnn id, one above every id in the workspace and in the source, so the
    other zones keep the id they have in the analysis and in earlier briefings.
    """
    result = ImportResult()
    _editable(target)
    t = _transform(source.crs(), target.crs())
    fields = target.fields()
    taken = {V.text(plain(f[F.ZONE_ID])) for f in target.getFeatures()} - {None}
    src_index = {dst: source.fields().indexOf(src) for dst, src in mapping.items() if src}
    id_index = src_index.get(F.ZONE_ID, -1)
    incoming = set()
    if id_index >= 0:
        request = QgsFeatureRequest().setFlags(compat.REQUEST_NO_GEOMETRY).setSubsetOfAttributes([id_index])
        rows = source.getSelectedFeatures(request) if selected_only else source.getFeatures(request)
        incoming = {V.text(plain(f.attribute(id_index))) for f in rows} - {None}
    features = source.getSelectedFeatures() if selected_only else source.getFeatures()
    target.beginEditCommand(f"Import zones from {source.name()}")
    try:
        for f in features:
            geom = QgsGeometry(f.geometry())
            if geom.isNull() or geom.isEmpty() or geom.type() != compat.GEOM_POLYGON:
                result.skipped += 1
                continue
            if t is not None:
                geom.transform(t)
            attrs = {}
            for dst, si in src_index.items():
                if si < 0 or fields.indexOf(dst) < 0:
                    continue
                value = plain(f.attribute(si))
                if value is None:
                    continue
                converted = _convert(value, fields.field(dst))
                if converted is not None:
                    attrs[dst] = converted
            zid = V.text(attrs.get(F.ZONE_ID))
            if zid is None or zid in taken:
                given = V.next_id(taken | incoming)
                if zid is not None:
                    result.renames.append((zid, given))
                zid = given
            taken.add(zid)
            attrs[F.ZONE_ID] = zid
            idx_attrs = {fields.indexOf(k): v for k, v in attrs.items()}
            feature = QgsVectorLayerUtils.createFeature(
                target, _compatible(geom, target), idx_attrs, target.createExpressionContext()
            )
            if target.addFeature(feature):
                result.added += 1
            else:
                result.skipped += 1
            if feedback is not None and feedback.isCanceled():
                break
    except Exception:
        target.destroyEditCommand()
        raise
    if result.added:
        target.endEditCommand()
    else:
        target.destroyEditCommand()
    return result


def _convert(value, fld):
    """``value`` in ``fld``'s type (text cut to its length), or None when it does not fit."""
    if fld.type() == fieldtypes.STRING:
        value = str(value).strip()
        if fld.length() > 0:
            value = value[: fld.length()]
        return value or None
    try:
        return fld.convertCompatible(value)
    except (ValueError, TypeError):
        return None


def guess_mapping(source_fields, target_names=F.WORKSPACE_ZONE_FIELDS) -> dict:
    """Zones field -> source field: same name (any case), else a common synonym, else None."""
    synonyms = {
        F.ZONE_ID: ("zoneid", "zone", "hotspot_id", "hs_id", "id"),
        F.NAME: ("label", "title", "zone_name", "location"),
        F.PRIORITY: ("rank", "prio"),
        F.NOTES: ("note", "comment", "comments", "description"),
    }
    by_lower = {n.lower(): n for n in source_fields}
    out = {}
    for name in target_names:
        if name in (F.CREATED, F.MODIFIED):
            continue
        hit = by_lower.get(name.lower())
        if hit is None:
            hit = next((by_lower[s] for s in synonyms.get(name, ()) if s in by_lower), None)
        out[name] = hit
    return out


# --- the bundled sample --------------------------------------------------------------------------

SAMPLE_GPKG = ("sample", "hotspot_patrol_sample.gpkg")
SAMPLE_CRIMES = ("sample", "crime", "leeds_city_centre_2018-07_street.csv")
SAMPLE_GROUP = "Hotspot Patrol sample (Leeds)"


def load_sample(folder: str, project: QgsProject | None = None) -> list:
    """Add the bundled sample to the project: police.uk street crime for central Leeds (July 2018),
    six units' evening pings, ten hot spot zones and their waypoints, in one group.

    The GeoPackage is copied into ``folder`` first (QGIS may write to a GeoPackage it opens, and the
    installed plugin's files must stay as shipped). An empty project is set to British National Grid,
    the sample's CRS, so nothing is reprojected on the fly."""
    import shutil

    project = project or QgsProject.instance()
    os.makedirs(folder, exist_ok=True)
    gpkg = os.path.join(folder, SAMPLE_GPKG[-1])
    if not os.path.exists(gpkg):
        shutil.copyfile(resource(*SAMPLE_GPKG), gpkg)
    csv = resource(*SAMPLE_CRIMES)
    uri = (
        f"file://{csv}?type=csv&delimiter=,&xField=Longitude&yField=Latitude&crs=EPSG:4326"
        "&spatialIndex=yes&subsetIndex=no&watchFile=no"
    )
    layers = [
        QgsVectorLayer(uri, "Sample crimes (police.uk, Leeds, July 2018)", "delimitedtext"),
        QgsVectorLayer(f"{gpkg}|layername=pings", "Sample officer pings", "ogr"),
        QgsVectorLayer(f"{gpkg}|layername=waypoints", "Sample waypoints", "ogr"),
        QgsVectorLayer(f"{gpkg}|layername=zones", "Sample hot spot zones", "ogr"),
    ]
    bad = [lyr.name() for lyr in layers if not lyr.isValid()]
    if bad:
        raise WorkspaceError(f"The sample could not be opened ({', '.join(bad)}): reinstall the plugin.")
    wgs84, bng = QgsCoordinateReferenceSystem("EPSG:4326"), QgsCoordinateReferenceSystem("EPSG:27700")
    _usable_transform(project, wgs84, bng)
    _usable_transform(project, bng, wgs84)
    if not project.mapLayers():
        project.setCrs(bng)
    group = project.layerTreeRoot().insertGroup(0, SAMPLE_GROUP)
    for layer in reversed(layers):  # zones on top, crimes at the bottom
        project.addMapLayer(layer, False)
        group.addLayer(layer)
    from .hotspot_styles import apply_crime_points_style
    from .styles import apply_pings_style, apply_workspace_waypoints_style, apply_workspace_zones_style

    apply_crime_points_style(layers[0])
    apply_pings_style(layers[1], "callsign")
    apply_workspace_waypoints_style(layers[2])
    apply_workspace_zones_style(layers[3])
    return layers


def _usable_transform(project: QgsProject, src, dst) -> None:
    """Pin the project's transform between ``src`` and ``dst`` to the best operation installed here,
    when the one PROJ prefers needs a grid that is not (QGIS would warn "Cannot use preferred
    transform" on every draw). Projects that already choose one keep it."""
    from qgis.core import QgsDatumTransform

    context = project.transformContext()
    if context.hasTransform(src, dst):
        return
    ops = QgsDatumTransform.operations(src, dst)
    if not ops or ops[0].isAvailable:
        return
    usable = next((op for op in ops if op.isAvailable), None)
    if usable is not None:
        context.addCoordinateOperation(src, dst, usable.proj)
        project.setTransformContext(context)
