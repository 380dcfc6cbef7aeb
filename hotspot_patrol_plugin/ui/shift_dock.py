"""The Shift dock: which hot spots are due a visit now, refreshed as the pings layer grows.

``ShiftDock`` only shows what it is given and emits signals; ``ShiftController`` does the work:
it reads the zones (qgis_io.tracks), follows the pings (qgis_io.live_source), keeps the visits up
to date (core.shift.ShiftEngine), ranks the zones (core.shift.zone_board) and updates the live map
layer in place. ``ShiftUi`` wires the two for plugin.py (one dock, one toggle action).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateTransform,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
)
from qgis.gui import QgsDateTimeEdit, QgsDockWidget, QgsFieldComboBox, QgsMapLayerComboBox
from qgis.PyQt.QtCore import QCoreApplication, QDateTime, Qt, QTimer, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..core import matching as M
from ..core import shift as S
from ..core.definitions import DEFAULT_TIMEZONE
from .rows_model import KEY_ROLE, Column, FilterProxy, RowsModel

OBJECT_NAME = "HotspotPatrolShiftDock"
LIVE, REPLAY = "live", "replay"
SPEEDS = (1, 10, 30, 60, 120, 300)

if hasattr(Qgis, "LayerFilter"):  # QGIS >= 3.34
    _POINTS = Qgis.LayerFilter.PointLayer
    _POLYGONS = Qgis.LayerFilter.PolygonLayer
    _TABLES = Qgis.LayerFilter.NoGeometry
else:
    from qgis.core import QgsMapLayerProxyModel

    _POINTS = QgsMapLayerProxyModel.Filter.PointLayer
    _POLYGONS = QgsMapLayerProxyModel.Filter.PolygonLayer
    _TABLES = QgsMapLayerProxyModel.Filter.NoGeometry


def tr(text: str) -> str:
    return QCoreApplication.translate("HotspotPatrolShift", text)


def _minutes(v) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:,.0f}"


COLUMNS = [
    Column("zone_id", "Zone", "The zone's id; coloured as on the map by how due a visit is"),
    Column("name", "Name", "The zone's name"),
    Column(
        "due_score",
        "Due",
        "Due-now score: minutes since the last qualifying visit ÷ the zone's spacing "
        "(the shift's length ÷ its planned visits) × priority weight ((6 − priority) ÷ 3); 1 = due now",
        numeric=True,
        fmt=lambda v: f"{v:.2f}",
    ),
    Column(
        "minutes_since",
        "Since",
        "Minutes since the last qualifying visit (dwell ≥ the target minimum) "
        "ended; since the shift began when there was none",
        numeric=True,
        fmt=_minutes,
    ),
    Column(
        "presence",
        "Presence",
        "Presence minutes this shift (the union of all units' counted visits) / "
        "minutes planned by now (from the plan, else visits_per_day × the target minimum spread over the "
        "shift)",
        numeric=True,
    ),
    Column("inside", "Inside", "Units inside the zone now (their newest ping is in it and recent)"),
]


# --------------------------------------------------------------------------- the widget
class ShiftDock(QgsDockWidget):
    """Setup, controls, a banner, the sorted zone table. No logic: see ShiftController."""

    startRequested = pyqtSignal()
    stopRequested = pyqtSignal()
    refreshRequested = pyqtSignal()
    playToggled = pyqtSignal(bool)
    speedChanged = pyqtSignal(float)
    intervalChanged = pyqtSignal(int)
    zoneActivated = pyqtSignal(str)

    def __init__(self, parent=None):
        super().__init__(tr("Hotspot Patrol: Shift"), parent)
        self.setObjectName(OBJECT_NAME)
        self.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 2, 4, 4)
        layout.setSpacing(4)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.pings = QgsMapLayerComboBox()
        self.pings.setFilters(_POINTS)
        self.pings.setToolTip(tr("The pings layer the AVL feed writes to (PostGIS table, GeoPackage or CSV)"))
        self.unit_field = QgsFieldComboBox()
        self.time_field = QgsFieldComboBox()
        self.pings.layerChanged.connect(self.unit_field.setLayer)
        self.pings.layerChanged.connect(self.time_field.setLayer)
        fields_row = QHBoxLayout()
        fields_row.addWidget(self.unit_field)
        fields_row.addWidget(self.time_field)
        self.zones = QgsMapLayerComboBox()
        self.zones.setFilters(_POLYGONS)
        self.schedule = QgsMapLayerComboBox()
        self.schedule.setFilters(_TABLES)
        self.schedule.setAllowEmptyLayer(True)
        self.schedule.setToolTip(
            tr(
                "A planpatrols SCHEDULE table (day, patrol, seq, zone_id, arrive, leave); "
                "empty: visits_per_day × the target minimum"
            )
        )
        self.shift_start = QgsDateTimeEdit()
        self.shift_end = QgsDateTimeEdit()
        for w in (self.shift_start, self.shift_end):
            w.setDisplayFormat("yyyy-MM-dd HH:mm")
            w.setAllowNull(False)
        times = QHBoxLayout()
        times.addWidget(self.shift_start)
        times.addWidget(QLabel("–"))
        times.addWidget(self.shift_end)
        form.addRow(tr("Pings"), self.pings)
        form.addRow(tr("Unit, time"), fields_row)
        form.addRow(tr("Zones"), self.zones)
        form.addRow(tr("Plan"), self.schedule)
        form.addRow(tr("Shift"), times)
        layout.addLayout(form)

        controls = QHBoxLayout()
        self.mode = QComboBox()
        self.mode.addItem(tr("Live"), LIVE)
        self.mode.addItem(tr("Replay"), REPLAY)
        self.mode.setToolTip(
            tr(
                "Live follows the growing pings layer; Replay plays the shift's pings again "
                "at the chosen speed (training, demos)"
            )
        )
        self.start = QPushButton(tr("Start"))
        self.start.setObjectName("hotspotpatrol_shift_start")
        self.start.setCheckable(True)
        self.refresh = QPushButton(tr("Refresh"))
        self.refresh.setObjectName("hotspotpatrol_shift_refresh")
        self.refresh.setToolTip(tr("Read the new pings now"))
        self.interval = QSpinBox()
        self.interval.setRange(0, 3600)
        self.interval.setSuffix(tr(" s"))
        self.interval.setSpecialValueText(tr("manual"))
        self.interval.setToolTip(
            tr(
                "Refresh every … seconds (the pings layer's own refresh interval when it has "
                "one: Layer Properties ▸ Rendering ▸ Refresh layer at interval)"
            )
        )
        self.play = QPushButton(tr("Play"))
        self.play.setCheckable(True)
        self.play.setObjectName("hotspotpatrol_shift_play")
        self.speed = QComboBox()
        for s in SPEEDS:
            self.speed.addItem(f"{s}×", float(s))
        self.speed.setToolTip(tr("Replay speed: shift minutes played per real minute"))
        for w in (self.mode, self.start, self.refresh, self.interval, self.play, self.speed):
            controls.addWidget(w)
        layout.addLayout(controls)

        self.banner = QLabel()
        self.banner.setObjectName("hotspotpatrol_shift_banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "QLabel { background: #fde2dd; color: #7a1405; border: 1px solid #d55e00; padding: 4px; }"
        )
        self.banner.hide()
        layout.addWidget(self.banner)
        self.status = QLabel()
        self.status.setObjectName("hotspotpatrol_shift_status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        self.model = RowsModel(COLUMNS, self)
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("hotspotpatrol_shift_table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the name gives way (elided)
        header.setStretchLastSection(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setWordWrap(False)
        self.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        self.table.doubleClicked.connect(self._activated)
        layout.addWidget(self.table, 1)
        self.setWidget(body)

        self.start.toggled.connect(lambda on: self.startRequested.emit() if on else self.stopRequested.emit())
        self.refresh.clicked.connect(self.refreshRequested)
        self.play.toggled.connect(self.playToggled)
        self.speed.currentIndexChanged.connect(lambda *_: self.speedChanged.emit(float(self.speed.currentData())))
        self.interval.valueChanged.connect(self.intervalChanged)
        self.mode.currentIndexChanged.connect(lambda *_: self._mode_changed())
        self._mode_changed()
        self.set_running(False)

    def _mode_changed(self):
        replay = self.mode.currentData() == REPLAY
        self.play.setVisible(replay)
        self.speed.setVisible(replay)

    def _activated(self, index):
        key = self.proxy.data(index, KEY_ROLE)
        if key is not None:
            self.zoneActivated.emit(str(key))

    # ------------------------------------------------------------------ shown state
    def set_running(self, running: bool) -> None:
        for w in (
            self.pings,
            self.unit_field,
            self.time_field,
            self.zones,
            self.schedule,
            self.shift_start,
            self.shift_end,
            self.mode,
        ):
            w.setEnabled(not running)
        self.refresh.setEnabled(running)
        self.play.setEnabled(running)
        if self.start.isChecked() != running:
            self.start.blockSignals(True)
            self.start.setChecked(running)
            self.start.blockSignals(False)
        self.start.setText(tr("Stop") if running else tr("Start"))

    def show_setup(
        self, pings, unit_field, time_field, zones, schedule, start: QDateTime, end: QDateTime, mode: str, speed: float
    ) -> None:
        """Show the choices a shift was started with (when it was started from code)."""
        self.pings.setLayer(pings)
        self.unit_field.setLayer(pings)
        self.time_field.setLayer(pings)
        self.unit_field.setField(unit_field)
        self.time_field.setField(time_field)
        self.zones.setLayer(zones)
        self.schedule.setLayer(schedule)
        self.shift_start.setDateTime(start)
        self.shift_end.setDateTime(end)
        self.mode.setCurrentIndex(max(self.mode.findData(mode), 0))
        i = self.speed.findData(float(speed))
        if i >= 0:
            self.speed.blockSignals(True)
            self.speed.setCurrentIndex(i)
            self.speed.blockSignals(False)

    def show_rows(self, rows: list[dict]) -> None:
        self.model.set_rows(rows)
        self.proxy.sort(
            self.table.horizontalHeader().sortIndicatorSection(), self.table.horizontalHeader().sortIndicatorOrder()
        )

    def show_banner(self, text: str | None) -> None:
        self.banner.setText(text or "")
        self.banner.setVisible(bool(text))

    def show_status(self, text: str) -> None:
        self.status.setText(text)

    def set_playing(self, playing: bool) -> None:
        self.play.blockSignals(True)
        self.play.setChecked(playing)
        self.play.setText(tr("Pause") if playing else tr("Play"))
        self.play.blockSignals(False)


# --------------------------------------------------------------------------- the controller
@dataclass
class ShiftSetup:
    """What a shift follows, as plain values (the dock's choices, or a test's)."""

    pings_layer: object
    unit_field: str
    time_field: str
    zones_layer: object
    shift_start: float  # UTC epoch seconds
    shift_end: float
    mode: str = LIVE
    speed: float = 60.0
    schedule_layer: object = None
    zone_id_field: str = ""
    timezone: str = DEFAULT_TIMEZONE
    late_tolerance: float = S.DEFAULT_LATE_TOLERANCE
    params: M.MatchParams | None = None
    lookback: float = 6 * 3600.0  # pings from this long before the shift (the last visits before it)


class ShiftController:
    """Follows one shift: reads the zones once, then on every refresh the new pings."""

    def __init__(self, iface, dock: ShiftDock, default_interval_s: int = 30):
        self.iface = iface
        self.dock = dock
        self.setup: ShiftSetup | None = None
        self.engine: S.ShiftEngine | None = None
        self.source = None
        self.due_layer = None
        self.board = None
        self.last_report: S.UpdateReport | None = None
        self.error: str | None = None
        self.timer = QTimer()
        self.timer.timeout.connect(self.refresh)
        dock.interval.setValue(default_interval_s)
        dock.startRequested.connect(self.start_from_dock)
        dock.stopRequested.connect(self.stop)
        dock.refreshRequested.connect(self.refresh)
        dock.playToggled.connect(self.play)
        dock.speedChanged.connect(self.set_speed)
        dock.intervalChanged.connect(lambda *_: self._arm_timer())
        dock.zoneActivated.connect(self.zoom_to)
        speed_index = dock.speed.findData(60.0)
        dock.speed.setCurrentIndex(max(speed_index, 0))
        now = QDateTime.currentDateTime()
        dock.shift_start.setDateTime(now.addSecs(-4 * 3600))
        dock.shift_end.setDateTime(now.addSecs(4 * 3600))

    # ------------------------------------------------------------------ start / stop
    def start_from_dock(self) -> None:
        d = self.dock
        setup = ShiftSetup(
            pings_layer=d.pings.currentLayer(),
            unit_field=d.unit_field.currentField(),
            time_field=d.time_field.currentField(),
            zones_layer=d.zones.currentLayer(),
            shift_start=d.shift_start.dateTime().toSecsSinceEpoch(),
            shift_end=d.shift_end.dateTime().toSecsSinceEpoch(),
            mode=d.mode.currentData(),
            speed=float(d.speed.currentData()),
            schedule_layer=d.schedule.currentLayer(),
        )
        try:
            self.start(setup)
        except (ValueError, QgsProcessingException) as e:
            d.show_banner(str(e))
            d.set_running(False)

    def start(self, setup: ShiftSetup) -> None:
        """Read the zones and the plan, make the engine, the source and the live layer; first refresh."""
        from ..qgis_io import live_source as L
        from ..qgis_io.areas import read_areas
        from ..qgis_io.crs import transformer, working_crs
        from ..qgis_io.tracks import read_tracks

        if setup.pings_layer is None or setup.zones_layer is None:
            raise ValueError(tr("Choose a pings layer and a zones layer first."))
        if not setup.unit_field or not setup.time_field:
            raise ValueError(tr("Choose the pings layer's unit and time fields first."))
        if setup.shift_end <= setup.shift_start:
            raise ValueError(tr("The shift ends before it starts."))
        self.stop()
        zones_layer = setup.zones_layer
        work = working_crs(zones_layer.crs(), zones_layer.extent())
        feedback = QgsProcessingFeedback()
        id_field = setup.zone_id_field or ("zone_id" if zones_layer.fields().indexFromName("zone_id") >= 0 else None)
        areas = read_areas(zones_layer, "zone", id_field, transformer(zones_layer.crs(), work), feedback, True)
        if not areas.ids:
            raise ValueError(tr("The zones layer has no zones with a geometry."))
        params = S.params_open(setup.params or M.MatchParams())
        self.zones = self._zone_info(areas, params)
        self.engine = S.ShiftEngine(
            M.PolygonAreas(areas.geoms), len(areas.ids), params, setup.late_tolerance, qualify_s=self.zones.target_min
        )
        self.setup = setup
        self.schedule = self._read_schedule(setup.schedule_layer)
        to_work = transformer(setup.pings_layer.crs(), work)
        if setup.mode == REPLAY:
            tr_ = read_tracks(
                setup.pings_layer,
                setup.pings_layer,
                None,
                setup.unit_field,
                setup.time_field,
                setup.timezone,
                to_work,
                feedback,
            )
            self.source = L.ReplaySource(
                tr_.unit_labels[tr_.unit], tr_.t, tr_.x, tr_.y, setup.speed, start=setup.shift_start
            )
        else:
            self.source = L.source_for(
                setup.pings_layer,
                setup.unit_field,
                setup.time_field,
                to_work,
                setup.timezone,
                setup.late_tolerance,
                since=setup.shift_start - setup.lookback,
            )
        self._areas = areas
        self._make_layer(areas)
        self.dock.show_setup(
            setup.pings_layer,
            setup.unit_field,
            setup.time_field,
            zones_layer,
            setup.schedule_layer,
            self._qdatetime(setup.shift_start),
            self._qdatetime(setup.shift_end),
            setup.mode,
            setup.speed,
        )
        self.dock.set_running(True)
        self.dock.set_playing(False)
        self.refresh()
        self._arm_timer()

    @staticmethod
    def _qdatetime(seconds: float) -> QDateTime:
        return QDateTime.fromSecsSinceEpoch(int(seconds))

    def local_clock(self, seconds: float) -> str:
        """The time of day in the shift's time zone."""
        import pandas as pd

        when = pd.Timestamp(seconds, unit="s", tz="UTC").tz_convert(self.setup.timezone)
        return when.strftime("%H:%M:%S")

    def _zone_info(self, areas, params) -> S.ZoneInfo:
        def column(name):
            vals = []
            for f in areas.features:
                i = f.fields().indexFromName(name)
                v = f.attribute(i) if i >= 0 else None
                vals.append(None if v is None or (hasattr(v, "isNull") and v.isNull()) else v)
            return vals if any(v is not None for v in vals) else None

        target = column("target_min")
        return S.ZoneInfo.build(
            areas.ids,
            names=column("name"),
            priority=column("priority"),
            visits_per_day=column("visits_per_day"),
            target_min_s=None if target is None else [None if v is None else float(v) * 60.0 for v in target],
            default_target_min_s=params.target_min,
        )

    def _read_schedule(self, layer):
        if layer is None:
            return None
        import pandas as pd

        from ..qgis_io.layers import _plain

        names = layer.fields().names()
        rows = [[_plain(f.attribute(n)) for n in names] for f in layer.getFeatures()]
        return pd.DataFrame(rows, columns=names)

    def _make_layer(self, areas) -> None:
        from qgis.core import QgsGeometry

        from ..qgis_io import live_source as L

        zones_layer = self.setup.zones_layer
        geoms = [QgsGeometry(f.geometry()) for f in areas.features]
        for g in geoms:
            g.convertToMultiType()
        project = QgsProject.instance()
        old = self.due_layer if self._layer_in_project() else None
        if old is not None and list(old.fid) == list(areas.ids):
            return  # the same zones: the layer on the map carries on
        if old is not None:
            project.removeMapLayer(old.layer.id())
        self.due_layer = L.DueLayer(areas.ids, geoms, zones_layer.crs(), tr("Shift: zones due now"))
        project.addMapLayer(self.due_layer.layer)

    def _layer_in_project(self) -> bool:
        """The live layer still exists and is in the project (a new project deletes it)."""
        if self.due_layer is None:
            return False
        try:
            return QgsProject.instance().mapLayer(self.due_layer.layer.id()) is not None
        except RuntimeError:  # the C++ layer is gone
            return False

    def stop(self) -> None:
        self.timer.stop()
        if self.source is not None and hasattr(self.source, "close"):
            self.source.close()
        if self.source is not None and hasattr(self.source, "pause"):
            self.source.pause()
        self.dock.set_running(False)

    # ------------------------------------------------------------------ refresh
    def interval_ms(self) -> int:
        """The pings layer's own refresh interval when set (QGIS's layer auto refresh), else the dock's;
        a replay refreshes every second."""
        if self.setup is not None and self.setup.mode == REPLAY:
            return 1000
        layer = self.setup.pings_layer if self.setup else None
        if layer is not None and layer.hasAutoRefreshEnabled() and layer.autoRefreshInterval() > 0:
            return int(layer.autoRefreshInterval())
        return int(self.dock.interval.value()) * 1000

    def _arm_timer(self) -> None:
        self.timer.stop()
        if self.engine is not None and self.dock.start.isChecked() and self.interval_ms() > 0:
            self.timer.start(self.interval_ms())

    def refresh(self) -> bool:
        """New pings into the engine, then the table and the map. False when the fetch failed (the
        banner says why; the state is kept and the next refresh carries on)."""
        from ..qgis_io.live_source import SourceError

        if self.engine is None:
            return False
        started = time.perf_counter()
        try:
            batch = self.source.fetch()
        except SourceError as e:
            self.error = str(e)
            self.dock.show_banner(self.error)
            return False
        self.error = None
        self.dock.show_banner(None)
        report = self.engine.update(batch.unit, batch.t, batch.x, batch.y)
        report.unusable += sum(batch.skipped.values())
        self.last_report = report
        self._show(time.perf_counter() - started, batch)
        if getattr(self.source, "finished", False) and self.source.playing:
            self.play(False)
        return True

    def now(self) -> float:
        return float(self.source.now())

    def _show(self, seconds: float, batch) -> None:
        setup, now = self.setup, self.now()
        plan = None
        if self.schedule is not None:
            try:
                plan, _ = S.plan_from_schedule(
                    self.schedule, self.zones, setup.shift_start, setup.shift_end, now, setup.timezone
                )
            except ValueError as e:
                self.dock.show_banner(str(e))
        self.board = S.zone_board(self.engine, self.zones, now, setup.shift_start, setup.shift_end, plan)
        if not self._layer_in_project():  # removed from the project by hand: put it back
            self._make_layer(self._areas)
        self.due_layer.update(self.board)
        self.dock.show_rows(self.rows(self.board))
        rep, totals = self.last_report, self.engine.totals
        clock = self.local_clock(now)
        mode = tr("Replay") if setup.mode == REPLAY else tr("Live")
        text = (
            f"{mode} · {clock} · {rep.accepted:,} new pings ({totals.accepted:,} this shift) · "
            f"refresh {seconds * 1000:.0f} ms"
        )
        late = totals.too_late + totals.unusable
        if late:
            text += f" · {late:,} left out (too late or unusable)"
        self.dock.show_status(text)

    @staticmethod
    def rows(board) -> list[dict]:
        rows = []
        for r in board.itertuples(index=False):
            colour = S.DUE_COLOURS.get(r.due)
            rows.append(
                {
                    "_key": r.zone_id,
                    "zone_id": r.zone_id,
                    "name": r.name,
                    "due_score": float(r.due_score),
                    "minutes_since": float(r.minutes_since),
                    "presence": f"{r.presence_min:,.0f} / {r.planned_by_now_min:,.0f}",
                    "inside": r.inside,
                    "_colours": {"zone_id": colour, "due_score": colour},
                    "_sort": {"presence": float(r.presence_min) - float(r.planned_by_now_min)},
                    "_tooltip": f"{r.zone_id}: {r.due}; presence {r.presence_min:,.0f} min this shift, "
                    f"{r.planned_by_now_min:,.0f} planned by now, {r.planned_min:,.0f} for the shift",
                }
            )
        return rows

    # ------------------------------------------------------------------ replay
    def play(self, on: bool) -> None:
        if self.source is None or not hasattr(self.source, "play"):
            return
        if on:
            self.source.play()
        else:
            self.source.pause()
        self.dock.set_playing(on)

    def set_speed(self, speed: float) -> None:
        if self.source is not None and hasattr(self.source, "set_speed"):
            self.source.set_speed(speed)

    # ------------------------------------------------------------------ map
    def zoom_to(self, zone_id: str) -> None:
        if self.due_layer is None:
            return
        fid = self.due_layer.fid.get(str(zone_id))
        if fid is None:
            return
        layer = self.due_layer.layer
        box = layer.getFeature(fid).geometry().boundingBox()
        canvas = self.iface.mapCanvas()
        dest = canvas.mapSettings().destinationCrs()
        if dest.isValid() and dest != layer.crs():
            box = QgsCoordinateTransform(layer.crs(), dest, QgsProject.instance()).transformBoundingBox(box)
        box.scale(3.0)
        canvas.setExtent(box)
        canvas.refresh()
        canvas.flashFeatureIds(layer, [fid])

    def unload(self) -> None:
        self.stop()
        if self._layer_in_project():
            QgsProject.instance().removeMapLayer(self.due_layer.layer.id())
        self.due_layer = None


class ShiftUi:
    """The dock and its controller, as plugin.py adds them (``toggle_action`` for the toolbar/View menu)."""

    def __init__(self, iface):
        self.iface = iface
        self.dock = ShiftDock(iface.mainWindow())
        self.controller = ShiftController(iface, self.dock)
        self.toggle_action = self.dock.toggleViewAction()
        self.toggle_action.setIcon(QgsApplication.getThemeIcon("/mIconTemporal.svg"))
        self.toggle_action.setObjectName("hotspotpatrol_shift")
        self.toggle_action.setText(tr("Shift: zones due now"))
        self.toggle_action.setToolTip(tr("During the shift: which hot spots are due a visit now"))

    def unload(self):
        self.controller.unload()
