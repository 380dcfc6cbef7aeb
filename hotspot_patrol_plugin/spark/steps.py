"""What Spark's executors run: one unit's pings -> that unit's visits, and one zone's visits -> its
coverage, each by calling the plugin's own core exactly as ``processing/match_tracks.py`` does
(``times.parse_times``, ``matching.Tracks.build``, ``matching.match``, ``matching.coverage``).

Visits never cross units, so matching each unit alone gives the rows matching all units at once
gives; coverage is summed per zone from that zone's visits (presence is their union, not a sum).
The functions take and return pandas frames (``applyInPandas``) and import no Spark."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from ..core import matching as M
from ..core import status as ST
from ..core.times import PROBLEM_TEXT, parse_times
from .inputs import transform_finite, transformer

DUPLICATE = "duplicate ping (same unit and time)"
USED = "pings used"

#: the rows the unit step returns: visits (kind "zone"/"waypoint") and skipped-ping counts
STAGE_SCHEMA = (
    "kind string, area long, area_id string, unit_id string, entry double, exit double, entry_ms long, "
    "exit_ms long, day string, dwell_min double, pings long, band string, pass_through boolean, "
    "geometry binary, reason string, n long"
)
COVERAGE_SCHEMA = (
    "area long, zone_id string, visits long, visits_short long, visits_target long, visits_long long, "
    "dwell_total_min double, dwell_median_min double, presence_min double, units long, "
    "first_entry_ms long, last_exit_ms long, status string, band_min double, band_max double, days long, "
    "per_day double"
)
COVERAGE_DAILY_SCHEMA = "day string, " + COVERAGE_SCHEMA


@dataclass
class Context:
    """Everything a task needs, plain values (pickled to the executors once per task)."""

    params: M.MatchParams
    timezone: str
    date_order: str
    pings_crs: str
    work_crs: str
    out_crs: str
    zone_ids: list
    zone_wkb: list  # working CRS, grown by the boundary tolerance
    waypoint_ids: list
    waypoint_xy: list  # working CRS
    waypoint_radius: float
    token: str  # identifies the zones and waypoints, for the per-worker cache
    zone_tmin: list | None = None  # each zone's own band (seconds), when the zones carry one
    zone_tmax: list | None = None


_CACHE: dict = {}


def _areas(ctx: Context):
    """(zone areas, waypoint discs, transforms), built once per Python worker and reused across
    tasks (PolygonAreas prepares geometries and edge tables: worth keeping)."""
    got = _CACHE.get(ctx.token)
    if got is None:
        _CACHE.clear()
        zones = M.PolygonAreas(shapely.from_wkb(np.asarray(ctx.zone_wkb, dtype=object)))
        discs = None
        if ctx.waypoint_ids:
            xy = np.asarray(ctx.waypoint_xy, dtype=float).reshape(-1, 2)
            discs = M.DiscAreas(xy[:, 0], xy[:, 1], ctx.waypoint_radius)
        to_out = transformer(ctx.work_crs, ctx.out_crs)
        clip = (
            zones.geoms
            if to_out is None
            else shapely.transform(zones.geoms, lambda xy: np.column_stack(to_out(xy[:, 0], xy[:, 1])))
        )
        got = (zones, discs, transformer(ctx.pings_crs, ctx.work_crs), to_out, clip)
        _CACHE[ctx.token] = got
    return got


def output_ms(seconds: np.ndarray) -> np.ndarray:
    """UTC seconds -> integer milliseconds, rounded as the plugin rounds what it writes
    (``np.round(s * 1000) / 1000``, then to whole milliseconds)."""
    s = np.round(np.asarray(seconds, dtype=float) * 1000.0) / 1000.0
    return np.round(s * 1000.0).astype(np.int64)


def local_day(ms: np.ndarray, timezone: str) -> np.ndarray:
    """The date (YYYY-MM-DD) in ``timezone`` of UTC milliseconds."""
    if len(ms) == 0:
        return np.zeros(0, dtype=object)
    stamps = pd.to_datetime(pd.Series(ms), unit="ms", utc=True).dt.tz_convert(timezone)
    return stamps.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)


def _empty_stage() -> pd.DataFrame:
    return pd.DataFrame({c.split()[0]: pd.Series(dtype=_DTYPES[c.split()[1]]) for c in STAGE_SCHEMA.split(", ")})


_DTYPES = {"string": object, "double": "float64", "long": "int64", "boolean": bool, "binary": object}


def _skipped_rows(counts: dict, kind: str = "skipped") -> pd.DataFrame:
    frame = _empty_stage().reindex(range(len(counts)))
    frame["kind"] = kind
    frame["reason"] = list(counts)
    frame["n"] = np.asarray(list(counts.values()), dtype=np.int64)
    frame["pings"] = 0
    frame["pass_through"] = False
    for c in ("entry_ms", "exit_ms"):
        frame[c] = 0
    return frame


def unit_step(pdf: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """The pings of a few units (columns unit, time, x, y, row; a unit-hash bucket) -> their visits
    and skipped counts. Visits never cross units, so each bucket is matched as the plugin matches
    the whole layer, and in the same sequence: times parsed (each unit's ping order settles the
    repeated autumn hour), coordinates to the working CRS, rows without a unit, a usable time or a
    position skipped by reason, ``Tracks.build``, ``match`` against the zones and the waypoints."""
    pdf = pdf.sort_values("row", kind="stable")  # the file order, which the autumn hour relies on
    zones, discs, to_work, to_out, clip = _areas(ctx)
    units = pdf["unit"].to_numpy(dtype=object)
    no_unit = pd.isna(units) | (units == "")
    codes, labels = pd.factorize(np.where(no_unit, None, units), sort=True)
    x = pdf["x"].to_numpy(dtype=float, na_value=np.nan)
    y = pdf["y"].to_numpy(dtype=float, na_value=np.nan)
    times = pdf["time"]
    values = times.to_numpy(dtype=float, na_value=np.nan) if times.dtype.kind in "fiu" else times.to_numpy(dtype=object)
    parsed = parse_times(values, ctx.timezone, group=codes, date_order=ctx.date_order)
    x, y = transform_finite(to_work, x, y)
    bad_xy = ~(np.isfinite(x) & np.isfinite(y))
    bad_time = np.isnan(parsed.seconds)
    skipped: dict[str, int] = {}
    if no_unit.any():
        skipped["no unit id"] = int(no_unit.sum())
    if (bad_xy & ~no_unit).any():
        skipped["missing or invalid coordinates"] = int((bad_xy & ~no_unit).sum())
    rest = ~no_unit & ~bad_xy
    for code in np.unique(parsed.problem[rest & bad_time]):
        skipped[PROBLEM_TEXT[int(code)]] = int((rest & bad_time & (parsed.problem == code)).sum())
    keep = rest & ~bad_time
    tracks = M.Tracks.build(codes[keep], parsed.seconds[keep], x[keep], y[keep])
    if tracks.duplicates:
        skipped[DUPLICATE] = tracks.duplicates
    parts = [_skipped_rows(skipped)] if skipped else []
    parts.append(_skipped_rows({USED: len(tracks)}, "used"))
    labels = np.asarray(labels, dtype=object)
    visits = M.match(tracks, zones, ctx.params)
    if ctx.zone_tmin is not None:  # bands follow each zone's own band (matching.coverage's visit_band)
        tmin, tmax = np.asarray(ctx.zone_tmin, float), np.asarray(ctx.zone_tmax, float)
        visits.band = ST.band(visits.dwell, tmin[visits.area], tmax[visits.area])
    parts.append(_visit_rows("zone", visits, ctx.zone_ids, labels, to_out, ctx, clip))
    if discs is not None:
        parts.append(_visit_rows("waypoint", M.match(tracks, discs, ctx.params), ctx.waypoint_ids, labels, to_out, ctx))
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _visit_rows(
    kind: str,
    visits: M.Visits,
    area_ids: list,
    labels: np.ndarray,
    to_out,
    ctx: Context,
    clip: np.ndarray | None = None,
) -> pd.DataFrame:
    n = len(visits)
    if n == 0:
        return _empty_stage()
    xy = visits.path_xy
    if to_out is not None and len(xy):
        xy = np.column_stack(to_out(xy[:, 0], xy[:, 1]))
    index = np.repeat(np.arange(n), np.diff(visits.path_offsets))
    lines = shapely.linestrings(xy, indices=index)
    if clip is not None:
        lines = M.clip_paths(lines, visits.area, clip)  # the same cut matchtracks draws
    entry_ms, exit_ms = output_ms(visits.entry), output_ms(visits.exit)
    return pd.DataFrame(
        {
            "kind": kind,
            "area": visits.area.astype(np.int64),
            "area_id": np.asarray(area_ids, dtype=object)[visits.area],
            "unit_id": labels[visits.unit],
            "entry": visits.entry.astype(float),
            "exit": visits.exit.astype(float),
            "entry_ms": entry_ms,
            "exit_ms": exit_ms,
            "day": local_day(entry_ms, ctx.timezone),
            "dwell_min": np.round(visits.dwell / 60.0, 4),
            "pings": visits.pings.astype(np.int64),
            "band": visits.band.astype(object),
            "pass_through": visits.pass_through.astype(bool),
            "geometry": shapely.to_wkb(lines).tolist(),
            "reason": None,
            "n": np.zeros(n, dtype=np.int64),
        }
    )


def plan_slice(plan: dict, index) -> dict:
    """The plan keywords of ``matching.coverage`` for some zones (plan values are per zone)."""
    return {k: (v if k == "timezone" or v is None else [v[i] for i in index]) for k, v in plan.items()}


def zone_coverage(pdf: pd.DataFrame, params: M.MatchParams, plan: dict) -> dict:
    """Coverage of one zone from its visits (columns area, unit_id, entry, exit, band,
    pass_through): ``matching.coverage`` on them with the zone's own plan, rounded as the plugin
    writes it."""
    pdf = pdf.sort_values(["unit_id", "entry", "exit"], kind="stable")
    unit, _ = pd.factorize(pdf["unit_id"].to_numpy(dtype=object), sort=True)
    n = len(pdf)
    visits = M.Visits(
        area=np.zeros(n, dtype=np.int64),
        unit=unit.astype(np.int64),
        entry=pdf["entry"].to_numpy(dtype=float),
        exit=pdf["exit"].to_numpy(dtype=float),
        pings=np.zeros(n, dtype=np.int64),
        band=pdf["band"].to_numpy(dtype=object),
        pass_through=pdf["pass_through"].to_numpy(dtype=bool),
    )
    area = int(pdf["area"].iloc[0])
    return coverage_row(M.coverage(visits, 1, params, **plan_slice(plan, [area])), 0)


def coverage_row(cov: M.Coverage, i: int) -> dict:
    def num(v):
        v = float(v)
        return None if np.isnan(v) else round(v, 4)

    def ms(v):
        v = float(v)
        return None if np.isnan(v) else int(output_ms(np.array([v]))[0])

    return {
        "visits": int(cov.visits[i]),
        "visits_short": int(cov.visits_short[i]),
        "visits_target": int(cov.visits_target[i]),
        "visits_long": int(cov.visits_long[i]),
        "dwell_total_min": num(cov.dwell_total_min[i]),
        "dwell_median_min": num(cov.dwell_median_min[i]),
        "presence_min": num(cov.presence_min[i]),
        "units": int(cov.units[i]),
        "first_entry_ms": ms(cov.first_entry[i]),
        "last_exit_ms": ms(cov.last_exit[i]),
        "status": str(cov.status[i]),
        "band_min": num(cov.target_min[i] / 60),
        "band_max": num(cov.target_max[i] / 60),
        "days": int(cov.days[i]),
        "per_day": num(round(float(cov.per_day[i]), 2)),
    }


def unit_function(ctx: Context):
    """``unit_step`` bound to its context, as the plain function ``applyInPandas`` expects."""

    def visits_of_unit(pdf: pd.DataFrame) -> pd.DataFrame:
        return unit_step(pdf, ctx)

    return visits_of_unit


def coverage_function(params: M.MatchParams, plan: dict, timezone: str | None = None):
    """``coverage_step`` bound to the parameters and the zones' plan; with ``timezone``, its per-day
    twin (days local to it)."""

    def coverage_of_zone(pdf: pd.DataFrame) -> pd.DataFrame:
        if timezone is None:
            return coverage_step(pdf, params, plan)
        return coverage_daily_step(pdf, params, plan, timezone)

    return coverage_of_zone


def coverage_step(pdf: pd.DataFrame, params: M.MatchParams, plan: dict) -> pd.DataFrame:
    """One zone's visits -> one coverage row."""
    row = {"area": int(pdf["area"].iloc[0]), "zone_id": str(pdf["area_id"].iloc[0])}
    row.update(zone_coverage(pdf, params, plan))
    return pd.DataFrame([row]).astype({"first_entry_ms": "Int64", "last_exit_ms": "Int64"})


def coverage_daily_step(pdf: pd.DataFrame, params: M.MatchParams, plan: dict, timezone: str) -> pd.DataFrame:
    """One zone's visits that began on one (local) day -> one coverage row for that day (the days
    counted are that one day)."""
    day = str(pdf["day"].iloc[0])
    row = {"day": day, "area": int(pdf["area"].iloc[0]), "zone_id": str(pdf["area_id"].iloc[0])}
    start = pd.Timestamp(day).tz_localize(timezone).timestamp()
    one_day = M.MatchParams(**{**params.__dict__, "period_start": start, "period_end": start + 1.0})
    row.update(zone_coverage(pdf, one_day, plan))
    return pd.DataFrame([row]).astype({"first_entry_ms": "Int64", "last_exit_ms": "Int64"})


def not_visited(index: list, zone_ids: list, params: M.MatchParams, plan: dict) -> list[dict]:
    """Coverage rows of zones (by index) no visit reached (``matching.coverage`` of no visits)."""
    empty = M.Visits(
        area=np.zeros(0, np.int64),
        unit=np.zeros(0, np.int64),
        entry=np.zeros(0),
        exit=np.zeros(0),
        pings=np.zeros(0, np.int64),
        band=np.zeros(0, dtype=object),
        pass_through=np.zeros(0, bool),
    )
    cov = M.coverage(empty, len(index), params, **plan_slice(plan, index))
    return [{"area": a, "zone_id": str(zone_ids[a]), **coverage_row(cov, i)} for i, a in enumerate(index)]
