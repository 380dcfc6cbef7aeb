"""Coverage: each area's visits by band, dwell, presence, units and status over a period."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import status as _status
from .tracks import BAND_LONG, BAND_SHORT, BAND_TARGET, MatchParams
from .visits import Visits, _group_cummax


@dataclass
class Coverage:
    visits: np.ndarray
    visits_short: np.ndarray
    visits_target: np.ndarray
    visits_long: np.ndarray
    dwell_total_min: np.ndarray
    dwell_median_min: np.ndarray
    presence_min: np.ndarray
    units: np.ndarray
    first_entry: np.ndarray
    last_exit: np.ndarray
    status: np.ndarray
    #: each area's own band (seconds), days in the period it is patrolled, counted visits per day
    target_min: np.ndarray | None = None
    target_max: np.ndarray | None = None
    days: np.ndarray | None = None
    per_day: np.ndarray | None = None
    planned_per_day: np.ndarray | None = None
    #: per visit: inside its zone's active hours/dates (False visits are listed, not counted)
    visit_active: np.ndarray | None = None
    visit_band: np.ndarray | None = None


STATUS_NOT_VISITED = _status.STATUS_NOT_VISITED
STATUS_BELOW = _status.STATUS_BELOW
STATUS_ON = _status.STATUS_ON
STATUS_ABOVE = _status.STATUS_ABOVE


def _active_spec(values_from, values_to, n_areas):
    """Per area: kind (0 none, 1 hours of the day, 2 dates), lower and upper bound.

    Hours are "HH:MM" (minutes of the day; from > to wraps past midnight); dates "YYYY-MM-DD"
    (days since 1970, both ends included). Anything else, or nothing, means always active."""
    import re

    kind = np.zeros(n_areas, dtype=np.int8)
    lo = np.zeros(n_areas)
    hi = np.zeros(n_areas)
    hhmm = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
    day = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})")
    for i in range(n_areas):
        a = values_from[i] if values_from is not None else None
        b = values_to[i] if values_to is not None else None
        a, b = (None if v is None or str(v).strip() in ("", "NULL") else str(v) for v in (a, b))
        if a is None and b is None:
            continue
        ha, hb = (hhmm.match(v) if v else None for v in (a, b))
        if (ha or a is None) and (hb or b is None):
            kind[i] = 1
            lo[i] = int(ha.group(1)) * 60 + int(ha.group(2)) if ha else 0
            hi[i] = int(hb.group(1)) * 60 + int(hb.group(2)) if hb else 24 * 60
            continue
        da, db = (day.match(v) if v else None for v in (a, b))
        if (da or a is None) and (db or b is None):
            kind[i] = 2
            lo[i] = (pd.Timestamp(da.group(1)) - pd.Timestamp(0)).days if da else -1e9
            hi[i] = (pd.Timestamp(db.group(1)) - pd.Timestamp(0)).days if db else 1e9
    return kind, lo, hi


def _local_days_minutes(seconds: np.ndarray, timezone: str) -> tuple[np.ndarray, np.ndarray]:
    """Local calendar day (days since 1970) and minute of the day of UTC epoch seconds."""
    if not len(seconds):
        return np.zeros(0), np.zeros(0)
    local = pd.to_datetime(pd.Series(seconds), unit="s", utc=True).dt.tz_convert(timezone).dt.tz_localize(None)
    wall = local.to_numpy().astype("datetime64[s]").astype(np.int64)
    return (wall // 86400).astype(float), (wall % 86400) / 60.0


def coverage(
    visits: Visits,
    n_areas: int,
    params: MatchParams,
    *,
    target_min=None,
    target_max=None,
    visits_per_day=None,
    active_from=None,
    active_to=None,
    timezone: str = "UTC",
) -> Coverage:
    """Per-area summary of counted visits (pass-throughs excluded).

    Keyword-only, per area (all optional; without them every area uses ``params``' band and is
    always active, which is the summary as it has always been):

    * ``target_min``/``target_max``: the area's band in seconds (see ``status.zone_band``); bands
      and statuses follow it;
    * ``active_from``/``active_to``: "HH:MM" hours of the day or "YYYY-MM-DD" dates (local to
      ``timezone``) when the area is patrolled; visits entering outside them are not counted, and
      days outside its dates are not in its ``days``;
    * ``visits_per_day``: the plan, reported beside ``per_day`` (counted visits / ``days``).

    ``days`` is the local calendar days of the period (``params.period_start``..``period_end``,
    else from the first entry to the last exit of all visits) within each area's active dates.
    """
    tmin = np.full(n_areas, params.target_min) if target_min is None else np.asarray(target_min, float)
    tmax = np.full(n_areas, params.target_max) if target_max is None else np.asarray(target_max, float)
    all_band = (
        visits.band
        if target_min is None and target_max is None
        else _status.band(visits.dwell, tmin[visits.area], tmax[visits.area])
    )
    kind, act_lo, act_hi = _active_spec(active_from, active_to, n_areas)
    active = np.ones(len(visits), dtype=bool)
    if kind.any() and len(visits):
        vday, vmin = _local_days_minutes(visits.entry, timezone)
        k, a, b = kind[visits.area], act_lo[visits.area], act_hi[visits.area]
        hours = np.where(a <= b, (vmin >= a) & (vmin < b), (vmin >= a) | (vmin < b))
        dates = (vday >= a) & (vday <= b)
        active = np.where(k == 1, hours, np.where(k == 2, dates, True))
    keep = ~visits.pass_through & active
    area = visits.area[keep]
    unit = visits.unit[keep]
    entry, exit_ = visits.entry[keep], visits.exit[keep]
    dwell = exit_ - entry
    band = all_band[keep]

    def count(mask):
        return np.bincount(area[mask], minlength=n_areas).astype(np.int64)

    n = count(np.ones(len(area), dtype=bool))
    total = np.bincount(area, weights=dwell, minlength=n_areas) / 60.0
    median = np.full(n_areas, np.nan)
    first = np.full(n_areas, np.nan)
    last = np.full(n_areas, np.nan)
    presence = np.zeros(n_areas)
    units = np.zeros(n_areas, dtype=np.int64)
    if len(area):
        order = np.lexsort((dwell, area))
        sd, sa = dwell[order], area[order]
        starts = np.flatnonzero(np.r_[True, sa[1:] != sa[:-1]])
        ends = np.r_[starts[1:], len(sa)]
        size = ends - starts
        lo = starts + (size - 1) // 2
        hi = starts + size // 2
        median[sa[starts]] = (sd[lo] + sd[hi]) / 2.0 / 60.0
        np.fmin.at(first, area, entry)
        np.fmax.at(last, area, exit_)
        # presence: union of all units' intervals in the area
        order = np.lexsort((exit_, entry, area))
        pa, ps, pe = area[order], entry[order], exit_[order]
        run_end = _group_cummax(pe, np.cumsum(np.r_[True, pa[1:] != pa[:-1]]))
        prev = np.r_[-np.inf, run_end[:-1]]
        new = np.r_[True, pa[1:] != pa[:-1]] | (ps > prev)
        first_i = np.flatnonzero(new)
        block_end = np.maximum.reduceat(pe, first_i)
        np.add.at(presence, pa[first_i], (block_end - ps[first_i]) / 60.0)
        pairs = np.unique(area * (unit.max() + 1) + unit)
        units = np.bincount(pairs // (unit.max() + 1), minlength=n_areas).astype(np.int64)
    status = _status.status(median * 60.0, tmin, tmax)
    # days of the period, each area's within its active dates
    start, end = params.period_start, params.period_end
    if start is None and len(visits):
        start = float(np.min(visits.entry))
    if end is None and len(visits):
        end = float(np.max(visits.exit))
    days = np.zeros(n_areas)
    if start is not None and end is not None and end >= start:
        (d0, d1), _ = _local_days_minutes(np.array([start, max(end - 1e-6, start)]), timezone)
        a = np.where(kind == 2, np.maximum(act_lo, d0), d0)
        b = np.where(kind == 2, np.minimum(act_hi, d1), d1)
        days = np.maximum(b - a + 1, 0)
    per_day = np.where(days > 0, n / np.where(days > 0, days, 1), np.nan)
    return Coverage(
        target_min=tmin,
        target_max=tmax,
        days=days.astype(np.int64),
        per_day=per_day,
        planned_per_day=None if visits_per_day is None else np.asarray(visits_per_day, dtype=float),
        visit_active=active,
        visit_band=all_band,
        visits=n,
        visits_short=count(band == BAND_SHORT),
        visits_target=count(band == BAND_TARGET),
        visits_long=count(band == BAND_LONG),
        dwell_total_min=total,
        dwell_median_min=median,
        presence_min=presence,
        units=units,
        first_entry=first,
        last_exit=last,
        status=status,
    )
