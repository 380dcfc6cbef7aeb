"""Patrol plans <-> QGIS: zones and patrols read into core.plans records, travel times over a road
network (QGIS's network analysis), and the schedule, routes and feasibility written to sinks."""

from __future__ import annotations

import math
import re

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFields,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingException,
    QgsProcessingUtils,
)
from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QTime

from ..core import fields as F
from ..core import plans as P
from . import compat, fieldtypes
from .crs import transformer, working_crs

# SCHEDULE / ROUTES / FEASIBILITY field names (the issue fixes the first eight of SCHEDULE)
DAY, PATROL, SEQ, ARRIVE, LEAVE, TRAVEL_MIN = "day", "patrol", "seq", "arrive", "leave", "travel_min"
ZONE_NAME, MODE, DWELL, SEED = "zone_name", "mode", "dwell_min", "plan_seed"
STOPS, FIRST, LAST, ZONES, TRAVEL_TOTAL = "stops", "first_arrive", "last_leave", "zones", "travel_total_min"

_SPEC = re.compile(r"(foot|vehicle|car|van|walk|detour|x|×)\s*[:=]?\s*([0-9]*\.?[0-9]+)", re.I)


def _plain(value):
    if value is None or (hasattr(value, "isNull") and not isinstance(value, str) and value.isNull()):
        return None
    return value


def _int_or_none(value):
    value = _plain(value)
    try:
        return None if value is None or str(value).strip() == "" else int(float(value))
    except (TypeError, ValueError):
        return None


def _float_or_none(value):
    value = _plain(value)
    try:
        return None if value is None or str(value).strip() == "" else float(value)
    except (TypeError, ValueError):
        return None


def _text_or_none(value):
    value = _plain(value)
    if value is None:
        return None
    if hasattr(value, "toString") and not isinstance(value, str):
        value = value.toString("yyyy-MM-dd") if isinstance(value, QDate) else value.toString()
    text = str(value).strip()
    return text or None


def read_zones(source, to_work, feedback) -> tuple[list, list, list]:
    """Plan zones (a point on the surface of each polygon, in the working CRS), their geometries in
    the source CRS (for maps) and sentences about what was left out."""
    names = source.fields().names()
    if F.ZONE_ID not in names:
        raise QgsProcessingException(
            f"The zones layer has no '{F.ZONE_ID}' field: use the workspace zones "
            "or the HOTSPOTS output of 'Identify hot spots'."
        )
    zones, geoms, notes = [], [], []
    skipped = {"no geometry": [], "no zone_id": []}
    for feat in source.getFeatures():
        zid = _text_or_none(feat[F.ZONE_ID])
        if zid is None:
            skipped["no zone_id"].append(feat.id())
            continue
        if not feat.hasGeometry() or feat.geometry().isEmpty():
            skipped["no geometry"].append(zid)
            continue
        pt = feat.geometry().pointOnSurface().asPoint()
        x, y = to_work([pt.x()], [pt.y()]) if to_work is not None else ([pt.x()], [pt.y()])

        def get(name, conv, feat=feat):
            return conv(feat[name]) if name in names else None

        zones.append(
            P.PlanZone(
                zid,
                float(x[0]),
                float(y[0]),
                name=get(F.NAME, _text_or_none) or "",
                priority=get(F.PRIORITY, _int_or_none),
                visits_per_day=get(F.VISITS_PER_DAY, _int_or_none),
                target_min=get(F.TARGET_MIN, _float_or_none),
                target_max=get(F.TARGET_MAX, _float_or_none),
                active_from=get(F.ACTIVE_FROM, _text_or_none),
                active_to=get(F.ACTIVE_TO, _text_or_none),
            )
        )
        geoms.append(QgsGeometry(feat.geometry()))
    for reason, items in skipped.items():
        if items:
            notes.append(f"{len(items)} zone(s) left out with {reason}: {', '.join(map(str, items[:5]))}.")
            feedback.pushWarning(notes[-1])
    return zones, geoms, notes


def parse_patrol_count(text: str) -> list | None:
    """'2' -> two foot patrols; '2 foot, 1 vehicle' -> three; anything else None."""
    text = (text or "").strip()
    if re.fullmatch(r"\d+", text):
        n = int(text)
        return [P.Patrol(f"P{i + 1}", P.FOOT) for i in range(n)] if n > 0 else []
    parts = re.findall(r"(\d+)\s*(foot|vehicle)s?", text, re.I)
    if parts and re.fullmatch(r"[\s,;+and0-9a-z]*", text, re.I):
        out = []
        for n, mode in parts:
            out += [P.Patrol(f"{mode[0].upper()}{i + 1}", mode.lower()) for i in range(int(n))]
        return out
    return None


def read_patrols(text, context, work_crs, feedback) -> list:
    """PATROLS: a number, counts per mode, or a point layer (id, mode foot/vehicle, start location)."""
    counted = parse_patrol_count(str(text or "2"))
    if counted is not None:
        if not counted:
            raise QgsProcessingException("PATROLS is 0: plan at least one patrol.")
        return counted
    layer = QgsProcessingUtils.mapLayerFromString(str(text), context)
    if layer is None or not hasattr(layer, "getFeatures"):
        raise QgsProcessingException(
            f"PATROLS '{text}' is neither a number (e.g. 2, or '2 foot, 1 vehicle') nor a point layer of patrols."
        )
    if compat.geometry_type(layer.wkbType()) != compat.GEOM_POINT:
        raise QgsProcessingException(f"The patrols layer '{layer.name()}' must be a point layer.")
    names = [n.lower() for n in layer.fields().names()]
    real = layer.fields().names()
    id_field = next(
        (real[names.index(c)] for c in ("patrol", "patrol_id", "id", "callsign", "name") if c in names), None
    )
    mode_field = next((real[names.index(c)] for c in ("mode", "type") if c in names), None)
    to_work = transformer(layer.crs(), work_crs)
    patrols = []
    for i, feat in enumerate(layer.getFeatures(), start=1):
        pid = _text_or_none(feat[id_field]) if id_field else None
        pid = pid or f"P{i}"
        mode = (_text_or_none(feat[mode_field]) or P.FOOT).lower() if mode_field else P.FOOT
        mode = {"car": P.VEHICLE, "van": P.VEHICLE, "walk": P.FOOT, "walking": P.FOOT}.get(mode, mode)
        if mode not in (P.FOOT, P.VEHICLE):
            raise QgsProcessingException(
                f"Patrol {pid} (feature {feat.id()}): mode '{mode}' is neither foot nor vehicle."
            )
        x = y = None
        if feat.hasGeometry() and not feat.geometry().isEmpty():
            pt = feat.geometry().asPoint()
            xs, ys = to_work([pt.x()], [pt.y()]) if to_work is not None else ([pt.x()], [pt.y()])
            x, y = float(xs[0]), float(ys[0])
        patrols.append(P.Patrol(pid, mode, x, y))
    if not patrols:
        raise QgsProcessingException(f"The patrols layer '{layer.name()}' has no features.")
    return patrols


def parse_travel(text: str) -> tuple[P.Travel, str | None]:
    """TRAVEL: 'foot 4.5, vehicle 25, detour 1.3' (any subset; km/h), or a line layer for network
    times, optionally followed by speeds: 'roads.gpkg; foot 4.5, vehicle 30'. Returns the speeds and
    the layer reference (None: straight lines)."""
    text = (text or "").strip()
    speeds = dict(P.DEFAULT_SPEEDS_KMH)
    detour = P.DEFAULT_DETOUR
    layer_ref = None
    head, _, rest = text.partition(";")
    if head and not _SPEC.search(head) and not re.fullmatch(r"[\s0-9.,]*", head):
        layer_ref, text = head.strip(), rest
    for key, value in _SPEC.findall(text):
        key = key.lower()
        if key in ("detour", "x", "×"):
            detour = float(value)
        else:
            speeds[{"car": P.VEHICLE, "van": P.VEHICLE, "walk": P.FOOT}.get(key, key)] = float(value)
    leftover = _SPEC.sub("", text)
    if re.search(r"[a-z]", re.sub(r"km/?h|and|×", "", leftover, flags=re.I), re.I):
        raise QgsProcessingException(
            f"TRAVEL '{text}' is not understood: write e.g. 'foot 4.5, vehicle 25, detour 1.3' (km/h), or a "
            "road line layer, optionally with speeds after a ';'."
        )
    return P.Travel(speeds_kmh=speeds, detour=detour), layer_ref


def network_matrices(layer_ref, context, zones, patrols, travel: P.Travel, work_crs, feedback) -> P.Travel:
    """Shortest-path minutes over a road line layer (QGIS network analysis, both directions) from
    every zone and patrol start to every zone, at each mode's speed (no detour factor)."""
    from qgis.analysis import QgsGraphAnalyzer, QgsGraphBuilder, QgsNetworkDistanceStrategy, QgsVectorLayerDirector

    layer = QgsProcessingUtils.mapLayerFromString(str(layer_ref), context)
    if layer is None or not hasattr(layer, "getFeatures"):
        raise QgsProcessingException(
            f"TRAVEL '{layer_ref}' is neither speeds (e.g. 'foot 4.5, vehicle 25, "
            "detour 1.3') nor a road line layer QGIS can open."
        )
    if compat.geometry_type(layer.wkbType()) != compat.GEOM_LINE:
        raise QgsProcessingException(f"TRAVEL: the layer '{layer.name()}' must be a line layer of roads or paths.")
    director = QgsVectorLayerDirector(layer, -1, "", "", "", QgsVectorLayerDirector.Direction.DirectionBoth)
    director.addStrategy(QgsNetworkDistanceStrategy())
    builder = QgsGraphBuilder(work_crs, True, 0.5)
    starts = [p for p in patrols if p.has_start]
    pts = [QgsPointXY(z.x, z.y) for z in zones] + [QgsPointXY(p.x, p.y) for p in starts]
    feedback.pushInfo(f"Building the road network from '{layer.name()}' ({layer.featureCount()} lines)…")
    tied = director.makeGraph(builder, pts, feedback)
    graph = builder.graph()
    n_z, n_n = len(zones), len(pts)
    metres = np.full((n_n, n_z), np.inf)
    vid = [graph.findVertex(p) for p in tied]
    for i, v in enumerate(vid):
        if feedback.isCanceled():
            break
        if v < 0:
            continue
        _, cost = QgsGraphAnalyzer.dijkstra(graph, v, 0)
        for j in range(n_z):
            if vid[j] >= 0 and cost[vid[j]] >= 0 and math.isfinite(cost[vid[j]]):
                metres[i, j] = cost[vid[j]]
        # the walk from the point to where it joins the network, both ends
    snap = np.array([math.hypot(p.x() - t.x(), p.y() - t.y()) for p, t in zip(pts, tied)])
    metres = metres + snap[:, None] + snap[None, :n_z]
    np.fill_diagonal(metres[:n_z], 0.0)
    mats = {m: metres / (travel.speeds_kmh[m] * 1000.0 / 60.0) for m in {p.mode for p in patrols}}
    return P.Travel(travel.speeds_kmh, 1.0, mats)


# ----------------------------------------------------------------------------- writing
def _qdate(d) -> QDate:
    return QDate(d.year, d.month, d.day)


def local_qdatetime(ts) -> QDateTime:
    """A tz-aware pandas Timestamp as the local clock time with its UTC offset."""
    return QDateTime(
        QDate(ts.year, ts.month, ts.day),
        QTime(ts.hour, ts.minute, ts.second),
        Qt.TimeSpec.OffsetFromUTC,
        int(ts.utcoffset().total_seconds()),
    )


def schedule_fields() -> QgsFields:
    fs = QgsFields()
    for name, kind in (
        (DAY, fieldtypes.DATE if hasattr(fieldtypes, "DATE") else fieldtypes.STRING),
        (PATROL, fieldtypes.STRING),
        (SEQ, fieldtypes.INT),
        (F.ZONE_ID, fieldtypes.STRING),
        (ARRIVE, fieldtypes.DATETIME),
        (LEAVE, fieldtypes.DATETIME),
        (TRAVEL_MIN, fieldtypes.DOUBLE),
        (ZONE_NAME, fieldtypes.STRING),
        (MODE, fieldtypes.STRING),
        (DWELL, fieldtypes.DOUBLE),
        (SEED, fieldtypes.STRING),
    ):
        fs.append(fieldtypes.field(name, kind))
    return fs


def schedule_features(result: P.PlanResult, fields: QgsFields) -> list:
    out = []
    date_field = fields.field(DAY).type() != fieldtypes.STRING
    for r in result.schedule.itertuples(index=False):
        f = QgsFeature(fields)
        f.setAttributes(
            [
                _qdate(r.day) if date_field else r.day.isoformat(),
                r.patrol,
                int(r.seq),
                r.zone_id,
                local_qdatetime(r.arrive),
                local_qdatetime(r.leave),
                None if r.travel_min != r.travel_min else float(r.travel_min),
                r.zone_name,
                r.mode,
                float(r.dwell_min),
                str(result.seed),
            ]
        )
        out.append(f)
    return out


def route_fields() -> QgsFields:
    fs = QgsFields()
    for name, kind in (
        (DAY, fieldtypes.STRING),
        (PATROL, fieldtypes.STRING),
        (MODE, fieldtypes.STRING),
        (STOPS, fieldtypes.INT),
        (ZONES, fieldtypes.STRING),
        (FIRST, fieldtypes.STRING),
        (LAST, fieldtypes.STRING),
        (TRAVEL_TOTAL, fieldtypes.DOUBLE),
        (SEED, fieldtypes.STRING),
    ):
        fs.append(fieldtypes.field(name, kind))
    return fs


def route_features(result: P.PlanResult, fields: QgsFields, to_out) -> list:
    """One line per patrol and day through its stops in order (from its start when it has one)."""
    sched = result.schedule
    out = []
    for day, patrol, mode, pts, ids in result.routes:
        rows = sched[(sched.day == day) & (sched.patrol == patrol)].sort_values(SEQ)
        xs = np.array([p[0] for p in pts], dtype=float)
        ys = np.array([p[1] for p in pts], dtype=float)
        if to_out is not None:
            xs, ys = to_out(xs, ys)
        line = [QgsPointXY(float(x), float(y)) for x, y in zip(xs, ys)]
        if len(line) == 1:
            line = line * 2
        f = QgsFeature(fields)
        f.setGeometry(QgsGeometry.fromPolylineXY(line))
        f.setAttributes(
            [
                day.isoformat(),
                patrol,
                mode,
                len(rows),
                " → ".join(ids),
                rows.arrive.iloc[0].strftime("%H:%M"),
                rows.leave.iloc[-1].strftime("%H:%M"),
                float(np.nansum(rows.travel_min)),
                str(result.seed),
            ]
        )
        out.append(f)
    return out


def stop_features(result: P.PlanResult, fields: QgsFields, to_out) -> list:
    """Numbered stops (points at the zones' planned spot) for maps and the briefing pack."""
    out = []
    s = result.schedule
    if not len(s):
        return out
    xs, ys = s.x.to_numpy(float), s.y.to_numpy(float)
    if to_out is not None:
        xs, ys = to_out(xs, ys)
    for r, x, y in zip(s.itertuples(index=False), xs, ys):
        f = QgsFeature(fields)
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(x), float(y))))
        f.setAttributes(
            [
                r.day.isoformat(),
                r.patrol,
                int(r.seq),
                r.zone_id,
                r.zone_name,
                r.arrive.strftime("%H:%M"),
                r.leave.strftime("%H:%M"),
                None if r.travel_min != r.travel_min else float(r.travel_min),
            ]
        )
        out.append(f)
    return out


def stop_fields() -> QgsFields:
    fs = QgsFields()
    for name, kind in (
        (DAY, fieldtypes.STRING),
        (PATROL, fieldtypes.STRING),
        (SEQ, fieldtypes.INT),
        (F.ZONE_ID, fieldtypes.STRING),
        (ZONE_NAME, fieldtypes.STRING),
        (ARRIVE, fieldtypes.STRING),
        (LEAVE, fieldtypes.STRING),
        (TRAVEL_MIN, fieldtypes.DOUBLE),
    ):
        fs.append(fieldtypes.field(name, kind))
    return fs


def feasibility_fields() -> QgsFields:
    fs = QgsFields()
    for name, kind in (
        (DAY, fieldtypes.STRING),
        (F.ZONE_ID, fieldtypes.STRING),
        (F.PRIORITY, fieldtypes.INT),
        ("wanted", fieldtypes.INT),
        ("planned", fieldtypes.INT),
        ("shortfall", fieldtypes.INT),
        ("longest_gap_min", fieldtypes.DOUBLE),
        ("shortest_spacing_min", fieldtypes.DOUBLE),
        ("note", fieldtypes.STRING),
    ):
        fs.append(fieldtypes.field(name, kind))
    return fs


def feasibility_features(result: P.PlanResult, fields: QgsFields) -> list:
    out = []
    for r in result.feasibility.itertuples(index=False):
        f = QgsFeature(fields)

        def num(v):
            return None if v is None or v != v else float(v)

        f.setAttributes(
            [
                r.day.isoformat(),
                r.zone_id,
                int(r.priority),
                int(r.wanted),
                int(r.planned),
                int(r.shortfall),
                num(r.longest_gap_min),
                num(r.shortest_spacing_min),
                r.note,
            ]
        )
        out.append(f)
    return out


def working_crs_for(source) -> QgsCoordinateReferenceSystem:
    return working_crs(source.sourceCrs(), source.sourceExtent())


# ----------------------------------------------------------------------------- compliance inputs
def _epoch(value, local_tz: str | None):
    """A date-time attribute as UTC epoch seconds. Values with an offset or in UTC are exact; values
    without one are local wall-clock times in ``local_tz`` (SCHEDULE) or UTC when it is None (VISITS,
    as matchtracks writes them)."""
    import pandas as pd

    value = _plain(value)
    if value is None:
        return None, None
    if isinstance(value, QDateTime):
        if not value.isValid():
            return None, None
        if value.timeSpec() == Qt.TimeSpec.LocalTime:
            text = value.toString("yyyy-MM-ddTHH:mm:ss")
        else:
            return value.toMSecsSinceEpoch() / 1000.0, None
    else:
        text = str(value)
    ts = pd.Timestamp(text) if text else None
    if ts is None or ts is pd.NaT:
        return None, None
    if ts.tzinfo is not None:
        return ts.timestamp(), None
    if local_tz is None:
        return ts.tz_localize("UTC").timestamp(), None
    return None, ts.strftime("%Y-%m-%d %H:%M:%S")


def _times(values, local_tz):
    from ..core.compliance import wall_to_utc

    out = np.full(len(values), np.nan)
    wall_i, wall_t = [], []
    for i, v in enumerate(values):
        e, wall = _epoch(v, local_tz)
        if e is not None:
            out[i] = e
        elif wall is not None:
            wall_i.append(i)
            wall_t.append(wall)
    if wall_t:
        out[wall_i] = wall_to_utc(wall_t, local_tz)
    return out


def read_schedule(source, timezone: str, feedback):
    """SCHEDULE rows as a frame with UTC epoch arrive/leave; rows without times are left out."""
    import pandas as pd

    names = source.fields().names()
    missing = [f for f in (DAY, PATROL, SEQ, F.ZONE_ID, ARRIVE, LEAVE) if f not in names]
    if missing:
        raise QgsProcessingException(
            f"The schedule layer is not a SCHEDULE output of 'Plan randomised hot spot "
            f"patrols': it has no field {', '.join(missing)}."
        )
    rows = [
        [
            _text_or_none(f[DAY]),
            _text_or_none(f[PATROL]),
            _int_or_none(f[SEQ]),
            _text_or_none(f[F.ZONE_ID]),
            f[ARRIVE],
            f[LEAVE],
        ]
        for f in source.getFeatures()
    ]
    df = pd.DataFrame(rows, columns=["day", "patrol", "seq", "zone_id", "arrive", "leave"])
    df["arrive_utc"] = _times(df["arrive"].tolist(), timezone)
    df["leave_utc"] = _times(df["leave"].tolist(), timezone)
    bad = df["arrive_utc"].isna() | df["leave_utc"].isna() | df["zone_id"].isna()
    if bad.any():
        feedback.pushWarning(f"{int(bad.sum())} schedule row(s) without a zone or readable arrive/leave left out.")
    return df[~bad].drop(columns=["arrive", "leave"]).reset_index(drop=True)


def read_visits(source, feedback):
    import pandas as pd

    names = source.fields().names()
    missing = [
        f
        for f in (F.ZONE_ID, F.UNIT_ID, F.ENTRY_TIME, F.EXIT_TIME, F.DWELL_MIN, F.BAND, F.PASS_THROUGH)
        if f not in names
    ]
    if missing:
        raise QgsProcessingException(
            f"The visits layer is not a VISITS output of 'Match officer tracks to hot "
            f"spots': it has no field {', '.join(missing)}."
        )
    rows = [
        [
            _text_or_none(f[F.ZONE_ID]),
            _text_or_none(f[F.UNIT_ID]),
            f[F.ENTRY_TIME],
            f[F.EXIT_TIME],
            _float_or_none(f[F.DWELL_MIN]),
            _text_or_none(f[F.BAND]),
            bool(_plain(f[F.PASS_THROUGH]) or False),
        ]
        for f in source.getFeatures()
    ]
    df = pd.DataFrame(rows, columns=["zone_id", "unit_id", "entry", "exit", "dwell_min", "band", "pass_through"])
    df["entry_utc"] = _times(df["entry"].tolist(), None)
    df["exit_utc"] = _times(df["exit"].tolist(), None)
    bad = df["entry_utc"].isna() | df["exit_utc"].isna() | df["zone_id"].isna()
    if bad.any():
        feedback.pushWarning(f"{int(bad.sum())} visit(s) without a zone or readable entry/exit left out.")
    return df[~bad].drop(columns=["entry", "exit"]).reset_index(drop=True)


def utc_qdatetime(seconds) -> QDateTime | None:
    if seconds is None or seconds != seconds:
        return None
    return QDateTime.fromMSecsSinceEpoch(int(round(seconds * 1000)), Qt.TimeSpec.UTC)


# ----------------------------------------------------------------------------- compliance outputs
_PLANNED_COLUMNS = (
    ("day", "s"),
    ("patrol", "s"),
    ("seq", "i"),
    (F.ZONE_ID, "s"),
    ("arrive", "t"),
    ("leave", "t"),
    ("made", "b"),
    ("status", "s"),
    (F.UNIT_ID, "s"),
    ("entry", "t"),
    ("exit", "t"),
    ("arrival_offset_min", "d"),
    (F.DWELL_MIN, "d"),
    (F.BAND, "s"),
)
_SUMMARY_COLUMNS = (
    ("planned", "i"),
    ("made", "i"),
    ("on_target", "i"),
    ("share_made", "d"),
    ("share_on_target", "d"),
    ("planned_min", "d"),
    ("delivered_min", "d"),
    ("delivered_share", "d"),
)
_KIND = {
    "s": fieldtypes.STRING,
    "i": fieldtypes.INT,
    "d": fieldtypes.DOUBLE,
    "b": fieldtypes.BOOL,
    "t": fieldtypes.DATETIME,
}


def _fields(columns) -> QgsFields:
    fs = QgsFields()
    for name, kind in columns:
        fs.append(fieldtypes.field(name, _KIND[kind]))
    return fs


def _value(v, kind):
    if v is None or (isinstance(v, float) and v != v):
        return None
    return {"s": str, "i": int, "d": lambda x: round(float(x), 4), "b": bool, "t": utc_qdatetime}[kind](v)


def compliance_outputs(result, zones_source, keys) -> list:
    """(key, fields, features, wkb type, crs) for PLANNED_VISITS, BY_ZONE (zone polygons when given)
    and BY_PATROL_DAY. Entry/exit/arrive/leave are written in UTC, like matchtracks' VISITS."""
    p = result.planned.rename(
        columns={
            "arrive_utc": "arrive",
            "leave_utc": "leave",
            "entry_utc": "entry",
            "exit_utc": "exit",
            "unit_id": F.UNIT_ID,
        }
    )
    planned_fields = _fields(_PLANNED_COLUMNS)
    planned = []
    for row in p.to_dict("records"):
        f = QgsFeature(planned_fields)
        f.setAttributes([_value(row.get(n), k) for n, k in _PLANNED_COLUMNS])
        planned.append(f)
    zone_cols = ((F.ZONE_ID, "s"), *_SUMMARY_COLUMNS, ("unplanned", "i"))
    zone_fields = _fields(zone_cols)
    geoms = {}
    crs = QgsCoordinateReferenceSystem()
    if zones_source is not None:
        crs = zones_source.sourceCrs()
        for feat in zones_source.getFeatures():
            zid = _text_or_none(feat[F.ZONE_ID]) if F.ZONE_ID in zones_source.fields().names() else None
            if zid is not None:
                geoms[zid] = QgsGeometry(feat.geometry())
    by_zone = []
    for row in result.by_zone.to_dict("records"):
        f = QgsFeature(zone_fields)
        f.setAttributes([_value(row.get(n), k) for n, k in zone_cols])
        if row[F.ZONE_ID] in geoms:
            f.setGeometry(geoms[row[F.ZONE_ID]])
        by_zone.append(f)
    day_cols = (("day", "s"), ("patrol", "s"), *_SUMMARY_COLUMNS)
    day_fields = _fields(day_cols)
    by_day = []
    for row in result.by_patrol_day.to_dict("records"):
        f = QgsFeature(day_fields)
        f.setAttributes([_value(row.get(n), k) for n, k in day_cols])
        by_day.append(f)
    zone_wkb = zones_source.wkbType() if zones_source is not None else compat.WKB_NO_GEOMETRY
    return [
        (keys.PLANNED_VISITS, planned_fields, planned, compat.WKB_NO_GEOMETRY, QgsCoordinateReferenceSystem()),
        (keys.BY_ZONE, zone_fields, by_zone, zone_wkb, crs),
        (keys.BY_PATROL_DAY, day_fields, by_day, compat.WKB_NO_GEOMETRY, QgsCoordinateReferenceSystem()),
    ]
