"""The planner panels' controller: follows the workspace in the project, reads and checks it, and
turns panel actions into edits through the layers' edit buffers (qgis_io.workspace does the edits,
core.validation the checks; the docks only show what they are given)."""

from __future__ import annotations

import os

from qgis.core import (
    Qgis,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsProject,
    QgsRectangle,
    QgsSettings,
)
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QObject, QTimer
from qgis.PyQt.QtWidgets import QDialog

from ..core import fields as F
from ..core import validation as V
from ..qgis_io import compat
from ..qgis_io import settings as S
from ..qgis_io import workspace as W
from .map_tools import PointTool
from .problems_widget import icon

TITLE = "Hotspot Patrol"
ZONES, WAYPOINTS = W.ZONES_ROLE, W.WAYPOINTS_ROLE
FEATURE_ZOOM_PAD_M = 40.0


def _status_style() -> tuple[dict, dict]:
    """status -> map colour (as the coverage style draws it), status -> short label for the table.

    Imported lazily: the coverage style module needs the analysis dependencies (pandas), and the
    panels must work without them."""
    try:
        from ..core.status import STATUS_SHORT
        from ..qgis_io.styles import STATUS_COLOURS
    except ImportError:
        return {}, {}
    return dict(STATUS_COLOURS), dict(STATUS_SHORT)


class PlannerController(QObject):
    def __init__(self, iface, zones_dock, waypoints_dock, project: QgsProject | None = None, parent=None):
        super().__init__(parent)
        self.iface = iface
        self.project = project or QgsProject.instance()
        self.docks = {ZONES: zones_dock, WAYPOINTS: waypoints_dock}
        self.ws = W.Workspace()
        self.coverage = None
        self.snapshot = W.Snapshot()
        self.problems = {ZONES: [], WAYPOINTS: []}
        self.circle_tool = None
        self.waypoint_tool = None
        self._configured = set()
        self._layer_links = []
        self._links = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.refresh)
        self._detect_timer = QTimer(self)
        self._detect_timer.setSingleShot(True)
        self._detect_timer.setInterval(0)
        self._detect_timer.timeout.connect(lambda: self.detect(force=True))

    # --- lifetime ----------------------------------------------------------------------------------
    def start(self) -> None:
        p = self.project
        self._link(self._links, p.layersAdded, self._layers_added)
        self._link(self._links, p.layersWillBeRemoved, self._layers_removing)
        self._link(self._links, p.cleared, self._project_cleared)
        self._link(self._links, self.iface.currentLayerChanged, self._current_layer_changed)
        self._link(self._links, self.iface.mapCanvas().mapToolSet, self._map_tool_set)
        self._link(self._links, S.notifier.changed, self._setting_changed)
        self.detect(force=True)  # a workspace already in the project, or the empty state

    def stop(self) -> None:
        """Disconnect everything and remove the map tools (plugin unload)."""
        self._timer.stop()
        self._detect_timer.stop()
        self._unlink(self._layer_links)
        self._unlink(self._links)
        for tool in (self.circle_tool, self.waypoint_tool):
            if tool is not None and not sip.isdeleted(tool):
                tool.cleanup()
                tool.deleteLater()
        self.circle_tool = self.waypoint_tool = None
        self.ws = W.Workspace()
        self.coverage = None

    @staticmethod
    def _link(store, signal, slot):
        signal.connect(slot)
        store.append((signal, slot))

    @staticmethod
    def _unlink(store):
        while store:
            signal, slot = store.pop()
            try:
                signal.disconnect(slot)
            except (TypeError, RuntimeError):  # the sender is already gone
                pass

    # --- following the project -------------------------------------------------------------------
    def _layers_added(self, layers):
        for layer in layers:  # an import's pings: small dots coloured by unit, not QGIS's random symbol
            if W.is_imported_pings(layer):
                from ..qgis_io.styles import apply_pings_style

                apply_pings_style(layer, "unit_id")
        if any(W.is_zones_layer(lyr) or W.is_waypoints_layer(lyr) or W.is_coverage_layer(lyr) for lyr in layers):
            self.detect()
        # Processing marks, names and styles its outputs just after adding them: look again then
        for layer in layers:
            if W.is_coverage_layer(layer) and hasattr(layer, "customPropertyChanged"):
                self._link(self._links, layer.customPropertyChanged, self._property_changed)

    def _property_changed(self, key: str) -> None:
        from ..qgis_io.styles import RUN_PROPERTY

        if key == RUN_PROPERTY:
            self._detect_timer.start()

    def _layers_removing(self, ids):
        ours = {lyr.id() for lyr in self.ws.layers()}
        if self.coverage is not None:
            ours.add(self.coverage.id())
        if ours & set(ids):
            self._unlink(self._layer_links)
            gone = set(ids)
            self.ws = W.Workspace(
                *(None if lyr is None or lyr.id() in gone else lyr for lyr in (self.ws.zones, self.ws.waypoints))
            )
            if self.coverage is not None and self.coverage.id() in gone:
                self.coverage = None
            self._detect_timer.start()  # after the removal, find what is left

    def _project_cleared(self):
        self._unlink(self._layer_links)
        self.ws = W.Workspace()
        self.coverage = None
        self._configured.clear()
        self.refresh()

    def _current_layer_changed(self, layer):
        if (
            layer is not None
            and layer not in self.ws.layers()
            and (W.is_zones_layer(layer) or W.is_waypoints_layer(layer))
        ):
            self.detect(prefer=layer)

    def _map_tool_set(self, new_tool, _old=None):
        self.docks[ZONES].action_circle.setChecked(new_tool is not None and new_tool is self.circle_tool)
        self.docks[WAYPOINTS].action_add.setChecked(new_tool is not None and new_tool is self.waypoint_tool)

    def _setting_changed(self, key: str) -> None:
        """Options ▸ Hotspot Patrol was applied: new defaults, checks and waypoint rings now."""
        if key in (S.TARGET_MIN.key, S.TARGET_MAX.key, S.VISITS_PER_DAY.key):
            W.configure(self.ws)
        elif key == S.WAYPOINT_RADIUS.key and self.ws.waypoints is not None:
            W.style(self.ws.waypoints, W.WAYPOINTS_ROLE)
        elif key in (S.MIN_ZONE_WIDTH.key, S.MAX_ZONE_AREA.key):
            self.schedule_refresh()

    def detect(self, prefer=None, force: bool = False) -> W.Workspace:
        """Find the workspace (and coverage) layers in the project and show them."""
        if prefer is None:
            prefer = self.ws.zones or self.ws.waypoints
        ws = W.find(self.project, prefer)
        coverage = W.find_coverage(self.project, exclude=ws.layers())
        if (
            force
            or ws.zones is not self.ws.zones
            or ws.waypoints is not self.ws.waypoints
            or coverage is not self.coverage
        ):
            self._set_workspace(ws, coverage)
        return self.ws

    def _set_workspace(self, ws: W.Workspace, coverage) -> None:
        self._unlink(self._layer_links)
        self.ws, self.coverage = ws, coverage
        fresh = [lyr for lyr in ws.layers() if lyr.id() not in self._configured]
        if fresh:
            W.configure(ws)
            self._configured.update(lyr.id() for lyr in ws.layers())
        for layer in ws.layers():
            for signal in (
                layer.layerModified,
                layer.editingStopped,
                layer.afterRollBack,
                layer.dataChanged,
                layer.attributeValueChanged,
                layer.geometryChanged,
                layer.featureAdded,
                layer.featuresDeleted,
            ):
                self._link(self._layer_links, signal, self.schedule_refresh)
            self._link(self._layer_links, layer.editingStarted, self.show_edit_state)
            self._link(self._layer_links, layer.undoStack().indexChanged, self.show_edit_state)
            self._link(self._layer_links, layer.nameChanged, self.show_edit_state)
        if coverage is not None:
            self._link(self._layer_links, coverage.dataChanged, self.schedule_refresh)
        self.refresh()

    # --- reading and showing -------------------------------------------------------------------------
    def schedule_refresh(self, *_):
        self._timer.start()

    def limits(self) -> V.Limits:
        return V.Limits(min_width_m=S.get(S.MIN_ZONE_WIDTH), max_area_m2=S.get(S.MAX_ZONE_AREA))

    def refresh(self) -> None:
        """Read the workspace (edit buffers included), run the checks, update both panels."""
        self._timer.stop()
        ws = self.ws
        self.snapshot = W.read(ws) if ws.layers() else W.Snapshot()
        snap = self.snapshot
        note = ""
        if not V.AVAILABLE:
            self.problems = {ZONES: [], WAYPOINTS: []}
            note = "Checks need shapely 2 (see the Hotspot Patrol message)"
        else:
            self.problems = {
                ZONES: V.check_zones(snap.zones, self.limits()) if ws.zones is not None else [],
                WAYPOINTS: V.check_waypoints(snap.waypoints, snap.zones) if ws.waypoints is not None else [],
            }
        zd, wd = self.docks[ZONES], self.docks[WAYPOINTS]
        label = ws.name or None
        for dock, layer in ((zd, ws.zones), (wd, ws.waypoints)):
            if layer is None:
                dock.show_workspace(None)
                continue
            dock.show_workspace(f"{label} · {layer.crs().authid()}", f"{layer.name()}: {layer.publicSource()}")
        coverage = W.coverage_by_zone(self.coverage)
        zd.show_coverage(self.coverage.name() if self.coverage is not None else None)
        zd.show_rows(self._zone_rows(snap, coverage))
        wd.show_rows(self._waypoint_rows(snap))
        checked = V.AVAILABLE
        zd.show_problems(self.problems[ZONES], checked and ws.zones is not None, note)
        wd.show_problems(self.problems[WAYPOINTS], checked and ws.waypoints is not None, note)
        self.show_edit_state()

    def _decorations(self, problems):
        by_key = {}
        for p in problems:
            for k in p.keys:
                by_key.setdefault(k, []).append(p)
        out = {}
        for k, ps in by_key.items():
            error = any(p.is_error for p in ps)
            out[k] = (
                icon("/mIconCritical.svg" if error else "/mIconWarning.svg"),
                "\n".join(f"• {p.message}" for p in ps),
            )
        return out

    def _zone_rows(self, snap, coverage) -> list[dict]:
        marks = self._decorations(self.problems[ZONES])
        colours, short = _status_style() if coverage else ({}, {})
        rows = []
        for z in snap.zones:
            status, visits = coverage.get(V.text(z.zone_id) or "", (None, None))
            prio = V.number(z.priority)
            row = {
                "_key": z.key,
                F.ZONE_ID: z.zone_id,
                F.NAME: z.name,
                F.PRIORITY: int(prio) if prio is not None else None,
                "area": snap.zone_areas.get(z.key),
                F.STATUS: status,
                F.VISITS: visits,
                "coverage": None
                if status is None
                else f"{visits if visits is not None else '–'} · {short.get(status, status)}",
            }
            row["_sort"] = {"coverage": -1 if visits is None else int(visits)}
            if status in colours:
                row["_colours"] = {"coverage": colours[status]}
            if z.key in marks:
                row["_icon"], row["_tooltip"] = marks[z.key]
            rows.append(row)
        return rows

    def _waypoint_rows(self, snap) -> list[dict]:
        marks = self._decorations(self.problems[WAYPOINTS])
        rows = []
        for w in snap.waypoints:
            extra = snap.waypoint_extra.get(w.key, {})
            row = {
                "_key": w.key,
                F.WAYPOINT_ID: w.waypoint_id,
                F.NAME: w.name,
                F.ZONE_ID: w.zone_id,
                F.KIND: extra.get(F.KIND),
                F.DWELL_MIN: V.number(extra.get(F.DWELL_MIN)),
            }
            if w.key in marks:
                row["_icon"], row["_tooltip"] = marks[w.key]
            rows.append(row)
        return rows

    def show_edit_state(self, *_):
        for role, layer in ((ZONES, self.ws.zones), (WAYPOINTS, self.ws.waypoints)):
            dock = self.docks[role]
            if layer is None or sip.isdeleted(layer):
                dock.show_edit_state(False, False, False, False, False)
                dock.show_status("")
                continue
            stack = layer.undoStack()
            editable, modified = layer.isEditable(), layer.isModified()
            dock.show_edit_state(True, editable, modified, stack.canUndo(), stack.canRedo())
            n = dock.model.rowCount()
            text = f"{n} {role if n != 1 else role[:-1]}"
            if role == ZONES and self.coverage is not None:
                text += f" · coverage: {self.coverage.name()}"
            if modified:
                text += " · unsaved edits"
            elif editable:
                text += " · editing"
            dock.show_status(text)

    # --- opening the plugin's algorithms with the plugin's own layers -------------------------------
    def algorithm_defaults(self, alg_id: str) -> dict:
        """Parameters to open an algorithm's dialog with: the workspace, the imported pings (unit and
        time fields found as the import finds them), the most recent coverage and visits."""
        from ..qgis_io import styles

        self.detect()
        ws = self.ws
        params = {}
        if alg_id.endswith(":matchtracks"):
            active = self.iface.activeLayer()
            tracks, unit, when = W.find_tracks(self.project, prefer=active)
            if tracks is not None:
                params.update({"TRACKS": tracks.id(), "UNIT_FIELD": unit, "TIME_FIELD": when})
            if ws.zones is not None:
                params["ZONES"] = ws.zones.id()
            if ws.waypoints is not None and ws.waypoints.featureCount() > 0:
                params["WAYPOINTS"] = ws.waypoints.id()
        elif alg_id.endswith(":identifyhotspots"):
            from ..processing.identify_hotspots import PATROL_ZONE_AREA

            params["MAX_ZONE_AREA"] = PATROL_ZONE_AREA  # zones a patrol can cover (a few street segments)
            crimes = W.find_crimes(self.project, prefer=self.iface.activeLayer())
            if crimes is not None:
                params["INPUT"] = crimes.id()
                params.update(W.crime_fields(crimes))
        elif alg_id.endswith(":exportbriefing"):
            coverage = W.find_coverage(self.project, exclude=ws.layers())
            if coverage is not None:
                params["COVERAGE"] = coverage.id()
            visits = W.find_output(styles.VISITS_ROLE, self.project)
            if visits is not None and coverage is not None and coverage.customProperty(styles.RUN_PROPERTY):
                params["VISITS"] = visits.id()
            if ws.waypoints is not None and ws.waypoints.featureCount() > 0:
                params["WAYPOINTS"] = ws.waypoints.id()
        return params

    # --- workspace ---------------------------------------------------------------------------------
    def _message(self, text: str, level=Qgis.MessageLevel.Info, duration: int = 5) -> None:
        self.iface.messageBar().pushMessage(TITLE, text, level, duration)

    def _project_dir(self) -> str:
        path = self.project.absolutePath()
        return path or os.path.expanduser("~")

    def new_workspace(self) -> W.Workspace | None:
        from .workspace_dialog import WorkspaceDialog

        dialog = WorkspaceDialog(True, self.iface.mainWindow(), self._project_dir())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        c = dialog.choice()
        try:
            if c.provider == "ogr":
                ws = W.create_geopackage(c.uri, c.crs)
            else:
                ws = W.create(c.provider, c.uri, c.schema, c.crs)
        except W.WorkspaceError as e:
            self._message(str(e), Qgis.MessageLevel.Critical, 0)
            return None
        return self._adopt(ws, "Created")

    def open_workspace(self) -> W.Workspace | None:
        from .workspace_dialog import WorkspaceDialog

        dialog = WorkspaceDialog(False, self.iface.mainWindow(), self._project_dir())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        c = dialog.choice()
        try:
            ws = W.open_geopackage(c.uri) if c.provider == "ogr" else W.open_database(c.provider, c.uri, c.schema)
        except W.WorkspaceError as e:
            self._message(str(e), Qgis.MessageLevel.Critical, 0)
            return None
        return self._adopt(ws, "Opened")

    def _adopt(self, ws: W.Workspace, verb: str) -> W.Workspace:
        W.add_to_project(ws, self.project)
        self._configured.update(lyr.id() for lyr in ws.layers())
        self.detect(prefer=ws.zones)
        self._message(f"{verb} workspace {ws.name}.", Qgis.MessageLevel.Success)
        return ws

    # --- editing ------------------------------------------------------------------------------------
    def layer(self, role: str):
        return self.ws.zones if role == ZONES else self.ws.waypoints

    def toggle_editing(self, role: str) -> None:
        layer = self.layer(role)
        if layer is None:
            return
        if not layer.isEditable():
            if not layer.startEditing():
                self._message(f"{layer.name()} cannot be edited.", Qgis.MessageLevel.Warning)
        elif not layer.isModified():
            layer.rollBack()
        else:  # unsaved edits: let QGIS ask Save / Discard / Cancel, exactly as its own button does
            self.iface.setActiveLayer(layer)
            self.iface.actionToggleEditing().trigger()
        self.show_edit_state()

    def save(self, role: str) -> bool:
        layer = self.layer(role)
        if layer is None or not layer.isEditable():
            return False
        ok = layer.commitChanges(False)
        if not ok:
            self._message(
                f"Could not save {layer.name()}: " + "; ".join(layer.commitErrors()), Qgis.MessageLevel.Critical, 0
            )
        self.refresh()
        return ok

    def undo(self, role: str) -> None:
        layer = self.layer(role)
        if layer is not None:
            layer.undoStack().undo()
            self.refresh()

    def redo(self, role: str) -> None:
        layer = self.layer(role)
        if layer is not None:
            layer.undoStack().redo()
            self.refresh()

    def _require(self, role: str):
        layer = self.layer(role)
        if layer is None:
            self._message(f"No {role} layer: create or open a patrol workspace first.", Qgis.MessageLevel.Warning)
        return layer

    def draw_zone(self) -> None:
        """QGIS's own polygon digitising on the zones layer; the layer's defaults fill the form."""
        layer = self._require(ZONES)
        if layer is None:
            return
        self.iface.setActiveLayer(layer)
        if not layer.isEditable():
            layer.startEditing()
        self.iface.actionAddFeature().trigger()

    def _to_layer(self, point, layer):
        src = self.iface.mapCanvas().mapSettings().destinationCrs()
        if src == layer.crs() or not src.isValid():
            return point
        return QgsCoordinateTransform(src, layer.crs(), self.project).transform(point)

    def _to_map(self, geom: QgsGeometry, layer) -> QgsGeometry:
        dst = self.iface.mapCanvas().mapSettings().destinationCrs()
        g = QgsGeometry(geom)
        if dst.isValid() and dst != layer.crs():
            g.transform(QgsCoordinateTransform(layer.crs(), dst, self.project))
        return g

    def circle_radius(self) -> float:
        return float(self.docks[ZONES].radius.value())

    def circle_preview(self, map_point) -> QgsGeometry | None:
        layer = self.ws.zones
        if layer is None:
            return None
        centre = self._to_layer(map_point, layer)
        return self._to_map(W.circle(centre, self.circle_radius(), layer.crs()), layer)

    def circle_tool_toggled(self, on: bool) -> None:
        canvas = self.iface.mapCanvas()
        if not on:
            if self.circle_tool is not None and canvas.mapTool() is self.circle_tool:
                canvas.unsetMapTool(self.circle_tool)
            return
        if self._require(ZONES) is None:
            self.docks[ZONES].action_circle.setChecked(False)
            return
        if self.circle_tool is None:
            self.circle_tool = PointTool(canvas, self.circle_preview)
            self.circle_tool.picked.connect(self.add_circle_zone)
        canvas.setMapTool(self.circle_tool)

    def add_circle_zone(self, map_point, open_form: bool = True):
        layer = self._require(ZONES)
        if layer is None:
            return None
        radius = self.circle_radius()
        S.put(S.CIRCLE_RADIUS, radius)
        geom = W.circle(self._to_layer(map_point, layer), radius, layer.crs())
        try:
            feature = W.add_feature(layer, geom, {}, f"Add circle zone ({radius:g} m)")
        except W.WorkspaceError as e:
            self._message(str(e), Qgis.MessageLevel.Critical)
            return None
        self.refresh()
        if open_form and not self._suppress_form(layer):
            self.iface.openFeatureForm(layer, feature, False, True)
            self.refresh()
        return feature

    @staticmethod
    def _suppress_form(layer) -> bool:
        suppress = layer.editFormConfig().suppress()
        if suppress == compat.FORM_SUPPRESS_ON:
            return True
        if suppress == compat.FORM_SUPPRESS_OFF:
            return False
        return QgsSettings().value("qgis/digitizing/disable_enter_attribute_values_dialog", False, type=bool)

    def import_zones(self):
        from .zones_import_dialog import ImportZonesDialog

        layer = self._require(ZONES)
        if layer is None:
            return None
        dialog = ImportZonesDialog(layer, self.iface.mainWindow(), self.iface.activeLayer())
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.source() is None:
            return None
        return self.import_from(dialog.source(), dialog.mapping(), dialog.selected_only.isChecked())

    def import_from(self, source, mapping: dict, selected_only: bool = False):
        layer = self._require(ZONES)
        if layer is None:
            return None
        try:
            result = W.import_zones(source, layer, mapping, selected_only)
        except W.WorkspaceError as e:
            self._message(str(e), Qgis.MessageLevel.Critical)
            return None
        self.refresh()
        text = f"Imported {result.added} zone{'s' if result.added != 1 else ''} from {source.name()}"
        if result.renames:
            shown = ", ".join(f"{old} → {new}" for old, new in result.renames[:5])
            more = f" and {result.renamed - 5} more" if result.renamed > 5 else ""
            text += (
                f"; {result.renamed} already used in the workspace got a new id ({shown}{more}); "
                f"every other zone kept its id"
            )
        if result.skipped:
            text += f"; {result.skipped} skipped (no polygon)"
        level = Qgis.MessageLevel.Success if result.added and not result.renames else Qgis.MessageLevel.Warning
        self._message(text + ". Check them, then save (or undo).", level, 0 if result.renames else 5)
        return result

    def delete_selected(self, role: str) -> int:
        layer = self.layer(role)
        keys = self.docks[role].selected_keys()
        if layer is None or not keys:
            return 0
        try:
            n = W.delete_features(layer, keys, f"Delete {len(keys)} {role}")
        except W.WorkspaceError as e:
            self._message(str(e), Qgis.MessageLevel.Critical)
            return 0
        self.refresh()
        return n

    def waypoint_tool_toggled(self, on: bool) -> None:
        canvas = self.iface.mapCanvas()
        if not on:
            if self.waypoint_tool is not None and canvas.mapTool() is self.waypoint_tool:
                canvas.unsetMapTool(self.waypoint_tool)
            return
        if self._require(WAYPOINTS) is None:
            self.docks[WAYPOINTS].action_add.setChecked(False)
            return
        if self.waypoint_tool is None:
            self.waypoint_tool = PointTool(canvas)
            self.waypoint_tool.picked.connect(self.add_waypoint)
        canvas.setMapTool(self.waypoint_tool)

    def add_waypoint(self, map_point):
        """Add a waypoint where the map was clicked; zone_id from the zone it lies in."""
        layer = self._require(WAYPOINTS)
        if layer is None:
            return None
        point = QgsGeometry.fromPointXY(self._to_layer(map_point, layer))
        zone_id = W.zone_at(self.ws.zones, point, layer.crs()) if self.ws.zones is not None else None
        try:
            feature = W.add_feature(layer, point, {F.ZONE_ID: zone_id}, "Add waypoint")
        except W.WorkspaceError as e:
            self._message(str(e), Qgis.MessageLevel.Critical)
            return None
        self.refresh()
        if zone_id is None:
            wid = W.plain(feature[F.WAYPOINT_ID]) or "The new waypoint"
            self._message(
                f"{wid} lies outside every zone: move it into its zone or draw a zone around it.",
                Qgis.MessageLevel.Warning,
                8,
            )
        return feature

    def assign_zones(self) -> int:
        if self._require(WAYPOINTS) is None or self.ws.zones is None or not V.AVAILABLE:
            return 0
        try:
            n = W.assign_zones(self.ws)
        except W.WorkspaceError as e:
            self._message(str(e), Qgis.MessageLevel.Critical)
            return 0
        self.refresh()
        self._message(
            f"Updated the zone of {n} waypoint{'s' if n != 1 else ''}."
            if n
            else "Every waypoint already has the zone it lies in."
        )
        return n

    # --- zoom and select ---------------------------------------------------------------------------
    def _record(self, role: str, key):
        records = self.snapshot.zones if role == ZONES else self.snapshot.waypoints
        return next((r for r in records if r.key == key), None)

    def zoom_to_feature(self, role: str, key) -> None:
        layer = self.layer(role)
        if layer is None:
            return
        layer.selectByIds([key])
        rec = self._record(role, key)
        if rec is not None and rec.geometry is not None and not rec.geometry.is_empty:
            x0, y0, x1, y1 = rec.geometry.bounds
            pad = FEATURE_ZOOM_PAD_M if role == WAYPOINTS else max(10.0, 0.25 * max(x1 - x0, y1 - y0))
            self._zoom((x0 - pad, y0 - pad, x1 + pad, y1 + pad))
        else:
            self.iface.mapCanvas().zoomToFeatureIds(layer, [key])
        self.iface.mapCanvas().flashFeatureIds(layer, [key])

    def zoom_to_problem(self, role: str, problem) -> None:
        layer = self.layer(role)
        if layer is None:
            return
        keys = [k for k in problem.keys if self._record(role, k) is not None]
        layer.selectByIds(keys)
        if problem.bounds is not None:
            x0, y0, x1, y1 = problem.bounds
            pad = 0.15 * max(x1 - x0, y1 - y0, 20.0)
            self._zoom((x0 - pad, y0 - pad, x1 + pad, y1 + pad))
        if keys:
            self.iface.mapCanvas().flashFeatureIds(layer, keys)
        self.docks[role].select_keys(keys)

    def _zoom(self, bounds) -> None:
        canvas = self.iface.mapCanvas()
        rect = QgsRectangle(*bounds)
        dst = canvas.mapSettings().destinationCrs()
        if self.snapshot.crs.isValid() and dst.isValid() and dst != self.snapshot.crs:
            rect = QgsCoordinateTransform(self.snapshot.crs, dst, self.project).transformBoundingBox(rect)
        canvas.setExtent(rect)
        canvas.refresh()
