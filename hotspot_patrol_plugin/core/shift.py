"""During the shift: visits and coverage kept up to date as pings arrive, and which zones are due.

``ShiftEngine`` follows a growing set of pings. It keeps, per unit, the *tail* of its track: the
pings from its last *checkpoint* on (a ping outside every zone, at least ``merge_gap`` after the
end of the unit's previous visit and at least ``late_tolerance`` older than the newest ping seen);
visits that began before a unit's checkpoint are *frozen* (final), the others are provisional and
are worked out again, by ``core.matching.match`` on the tail only, whenever that unit has new pings.

Why this gives exactly what one ``match`` over all the pings gives: a unit's visits depend on its
own pings only; every segment, crossing and interval is computed from its two pings alone; and at
a checkpoint the unit is outside every zone and no earlier visit can merge with a later one (the
gap is at least ``merge_gap``). So the visits from the tail are those of the whole track that begin
after the checkpoint, to the last bit (tests/unit/test_shift.py replays whole days to prove it).

Late pings (older than the unit's newest) are merged back exactly as long as they are not older
than the unit's checkpoint, which is never within ``late_tolerance`` of the newest ping seen; older
ones are counted and left out. A unit's repeated pings (same time) count once, the first to arrive.

``WallClock`` turns wall-clock times without an offset into UTC as they arrive, the repeated autumn
hour included, and ``zone_board`` ranks the zones: minutes since the last qualifying visit, presence
this shift against the plan, units inside now and a due-now score.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from . import matching as M
from . import times as T
from .definitions import DEFAULT_TIMEZONE, TARGET_MIN_MIN

DEFAULT_LATE_TOLERANCE = 120.0  # seconds
DEFAULT_PRIORITY = 3.0
DEFAULT_VISITS_PER_DAY = 3.0

DUE_OK, DUE_SOON, DUE_NOW, DUE_OVERDUE, DUE_NOT_PLANNED = "ok", "soon", "due", "overdue", "not planned"
#: due-now score thresholds: below SOON ok, below 1 soon, below OVERDUE due, above overdue
SOON, OVERDUE = 0.75, 1.5
#: colours of the due classes (the dock's table and the map layer share them)
DUE_COLOURS = {  # Okabe-Ito (colour-blind safe), as the coverage styles
    DUE_OK: "#009e73",
    DUE_SOON: "#f0e442",
    DUE_NOW: "#e69f00",
    DUE_OVERDUE: "#d55e00",
    DUE_NOT_PLANNED: "#bdbdbd",
}


# --------------------------------------------------------------------------- visits helpers
_VISIT_COLUMNS = ("area", "unit", "entry", "exit", "pings", "band", "pass_through")


def empty_visits() -> M.Visits:
    z = np.zeros(0)
    return M.Visits(
        area=z.astype(np.int64),
        unit=z.astype(np.int64),
        entry=z,
        exit=z,
        pings=z.astype(np.int64),
        band=np.zeros(0, dtype=object),
        pass_through=z.astype(bool),
    )


def take_visits(v: M.Visits, rows: np.ndarray) -> M.Visits:
    """The visits at ``rows`` (indices or a boolean mask), paths included."""
    rows = np.flatnonzero(rows) if np.asarray(rows).dtype == bool else np.asarray(rows, dtype=np.int64)
    lo, hi = v.path_offsets[rows], v.path_offsets[rows + 1]
    count = hi - lo
    offsets = np.r_[0, np.cumsum(count)].astype(np.int64)
    src = np.arange(int(offsets[-1])) - np.repeat(offsets[:-1] - lo, count)
    cols = {c: getattr(v, c)[rows] for c in _VISIT_COLUMNS}
    return M.Visits(**cols, path_xy=v.path_xy[src].reshape(-1, 2), path_offsets=offsets)


def concat_visits(parts: list[M.Visits]) -> M.Visits:
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_visits()
    if len(parts) == 1:
        return parts[0]
    cols = {c: np.concatenate([getattr(p, c) for p in parts]) for c in _VISIT_COLUMNS}
    shift = np.cumsum([0] + [len(p.path_xy) for p in parts[:-1]])
    offsets = np.concatenate([[0]] + [p.path_offsets[1:] + s for p, s in zip(parts, shift)])
    return M.Visits(**cols, path_xy=np.concatenate([p.path_xy for p in parts]), path_offsets=offsets.astype(np.int64))


# --------------------------------------------------------------------------- the engine
@dataclass
class UpdateReport:
    """What one ``update`` did (counts of pings)."""

    received: int = 0
    accepted: int = 0
    unusable: int = 0  # no unit, time or coordinates
    duplicates: int = 0  # a unit's ping at a time it already had
    too_late: int = 0  # older than the unit's checkpoint: left out
    late: int = 0  # older than the unit's newest ping but merged back exactly
    units_rerun: int = 0
    pings_rerun: int = 0
    seconds: float = 0.0


@dataclass
class _Tail:
    unit: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    x: np.ndarray = field(default_factory=lambda: np.zeros(0))
    y: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def take(self, rows) -> _Tail:
        return _Tail(self.unit[rows], self.t[rows], self.x[rows], self.y[rows])

    @staticmethod
    def concat(parts) -> _Tail:
        return _Tail(*(np.concatenate([getattr(p, c) for p in parts]) for c in ("unit", "t", "x", "y")))

    def __len__(self) -> int:
        return len(self.t)


class ShiftEngine:
    """Incremental visit matching over a growing set of pings (see the module docstring).

    ``areas`` is a ``matching.PolygonAreas`` (or ``DiscAreas``) in a metric CRS, ``params`` the
    matching parameters (the analysis period must be left open: the engine follows all pings)."""

    def __init__(
        self, areas, n_areas: int, params: M.MatchParams, late_tolerance: float = DEFAULT_LATE_TOLERANCE, qualify_s=None
    ):
        params.check()
        if params.period_start is not None or params.period_end is not None:
            raise ValueError("the shift engine follows every ping: leave the analysis period open")
        if not np.isfinite(late_tolerance) or late_tolerance < 0:
            raise ValueError(f"late tolerance must be a number of seconds >= 0, not {late_tolerance!r}")
        self.areas = areas
        self.n_areas = int(n_areas)
        self.params = params
        self.late_tolerance = float(late_tolerance)
        self.labels: list = []  # unit code -> label
        self._label_code: dict = {}
        self.tail = _Tail()
        self.frozen_parts: list[M.Visits] = []
        self.provisional = empty_visits()
        self._frozen_cache: M.Visits | None = empty_visits()
        self.checkpoint = np.zeros(0)  # per unit: time of its checkpoint ping (-inf: none yet)
        self.last_ping = np.zeros(0)  # per unit: time of its newest ping
        self.watermark = -np.inf  # newest ping time seen
        self.totals = UpdateReport()
        # per area, kept as visits freeze: the dwell that makes a visit qualify (seconds), the end of
        # the last qualifying frozen visit, and the presence of frozen counted visits as disjoint
        # intervals (area, start, end) sorted by area then start
        self.qualify_s = (
            np.full(self.n_areas, params.target_min) if qualify_s is None else np.asarray(qualify_s, dtype=float).copy()
        )
        self.frozen_last_qualifying = np.full(self.n_areas, np.nan)
        self.presence_iv = (np.zeros(0, np.int64), np.zeros(0), np.zeros(0))

    # ------------------------------------------------------------------ units
    def _codes(self, unit) -> np.ndarray:
        labels = pd.Index(self.labels, dtype=object)
        values = pd.Index(np.asarray(unit, dtype=object))
        codes = labels.get_indexer(values) if len(labels) else np.full(len(values), -1)
        new = codes < 0
        if new.any():
            for label in pd.unique(values[new]):
                self._label_code[label] = len(self.labels)
                self.labels.append(label)
            self.checkpoint = np.r_[self.checkpoint, np.full(len(self.labels) - len(self.checkpoint), -np.inf)]
            self.last_ping = np.r_[self.last_ping, np.full(len(self.labels) - len(self.last_ping), -np.inf)]
            codes = np.asarray(codes, dtype=np.int64)
            codes[new] = pd.Index(self.labels, dtype=object).get_indexer(values[new])
        return np.asarray(codes, dtype=np.int64)

    # ------------------------------------------------------------------ update
    def update(self, unit, t, x, y) -> UpdateReport:
        """Take new pings (unit labels, UTC epoch seconds, metric x, y) in arrival order."""
        import time

        started = time.perf_counter()
        t = np.asarray(t, dtype=np.float64)
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        unit = np.asarray(unit, dtype=object)
        rep = UpdateReport(received=len(t))
        ok = np.isfinite(t) & np.isfinite(x) & np.isfinite(y) & ~pd.isna(unit)
        rep.unusable = int((~ok).sum())
        if not ok.all():
            unit, t, x, y = unit[ok], t[ok], x[ok], y[ok]
        if len(t) == 0:
            self._add_totals(rep, started)
            return rep
        codes = self._codes(unit)
        too_late = t < self.checkpoint[codes]
        rep.too_late = int(too_late.sum())
        if rep.too_late:
            keep = ~too_late
            codes, t, x, y = codes[keep], t[keep], x[keep], y[keep]
        if len(t) == 0:
            self._add_totals(rep, started)
            return rep
        rep.late = int((t < self.last_ping[codes]).sum())
        np.maximum.at(self.last_ping, codes, t)
        self.watermark = max(self.watermark, float(t.max()))

        affected = np.unique(codes)
        sel = np.isin(self.tail.unit, affected)
        old = self.tail.take(sel)
        tracks = M.Tracks.build(np.r_[old.unit, codes], np.r_[old.t, t], np.r_[old.x, x], np.r_[old.y, y])
        rep.duplicates = tracks.duplicates
        rep.accepted = len(t) - tracks.duplicates
        rep.units_rerun, rep.pings_rerun = len(affected), len(tracks)
        visits = M.match(tracks, self.areas, self.params)

        cut_t, cut_from = self._checkpoints(tracks, visits)
        self.checkpoint[affected] = np.maximum(self.checkpoint[affected], cut_t[affected])
        freeze = visits.entry < self.checkpoint[visits.unit]
        if freeze.any():
            newly = take_visits(visits, freeze)
            self.frozen_parts.append(newly)
            self._frozen_cache = None
            self._freeze_summaries(newly)
        keep_prov = ~np.isin(self.provisional.unit, affected)
        self.provisional = concat_visits([take_visits(self.provisional, keep_prov), take_visits(visits, ~freeze)])
        rest = self.tail.take(~sel)
        new_tail = _Tail(tracks.unit, tracks.t, tracks.x, tracks.y).take(np.arange(len(tracks)) >= cut_from)
        self.tail = _Tail.concat([rest, new_tail])
        self._add_totals(rep, started)
        return rep

    def _freeze_summaries(self, v: M.Visits) -> None:
        counted = ~v.pass_through
        qual = counted & (v.exit - v.entry >= self.qualify_s[v.area])
        np.fmax.at(self.frozen_last_qualifying, v.area[qual], v.exit[qual])
        if not counted.any():
            return
        a, s, e = v.area[counted], v.entry[counted], v.exit[counted]
        # the frozen intervals a new one may touch end at or after the earliest new start
        pa, ps, pe = self.presence_iv
        touch = pe >= s.min()
        merged = union_intervals(np.r_[pa[touch], a], np.r_[ps[touch], s], np.r_[pe[touch], e])
        keep = ~touch
        na, ns, ne = (np.r_[x[keep], y] for x, y in zip(self.presence_iv, merged))
        order = np.lexsort((ns, na))
        self.presence_iv = (na[order], ns[order], ne[order])

    def _add_totals(self, rep: UpdateReport, started: float) -> None:
        import time

        rep.seconds = time.perf_counter() - started
        for name in ("received", "accepted", "unusable", "duplicates", "too_late", "late"):
            setattr(self.totals, name, getattr(self.totals, name) + getattr(rep, name))

    def _checkpoints(self, tracks: M.Tracks, visits: M.Visits) -> tuple[np.ndarray, np.ndarray]:
        """Per unit code: the time of its new checkpoint (-inf when it has none), and per ping of
        ``tracks`` the index of its unit's checkpoint ping, else its first (the tail kept from there).

        A ping qualifies when the unit is in no zone then (outside every visit), it is at least
        ``merge_gap`` after the exit of every earlier visit of the unit, and it is not within
        ``late_tolerance`` of the newest ping seen (a late ping may still land before it)."""
        n = len(tracks)
        mg = self.params.merge_gap
        # events: visits (kind 0) and pings (kind 1) by unit, then time, visits first at equal times
        unit = np.r_[visits.unit, tracks.unit]
        when = np.r_[visits.entry, tracks.t]
        kind = np.r_[np.zeros(len(visits), np.int8), np.ones(n, np.int8)]
        value = np.r_[visits.exit, np.full(n, -np.inf)]
        order = np.lexsort((kind, when, unit))
        u_sorted = unit[order]
        group = np.cumsum(np.r_[True, u_sorted[1:] != u_sorted[:-1]])
        running = M._group_cummax(value[order], group)  # latest exit of the visits begun so far
        reach = np.empty(len(order))
        reach[order] = running
        reach = reach[len(visits) :]  # per ping
        free = (tracks.t > reach) & (tracks.t >= reach + mg)
        free &= tracks.t <= self.watermark - self.late_tolerance
        # per unit: its last free ping, else its first ping (the old checkpoint: nothing new frozen)
        starts = np.flatnonzero(np.r_[True, tracks.unit[1:] != tracks.unit[:-1]]) if n else np.zeros(0, np.int64)
        idx = np.arange(n)
        last_free = np.where(free, idx, -1)
        if n:
            last_free = np.maximum.reduceat(last_free, starts)
        first = np.where(last_free >= 0, last_free, starts)
        units = tracks.unit[starts]
        cut_t = np.full(len(self.labels), -np.inf)
        cut_t[units] = np.where(last_free >= 0, tracks.t[first], -np.inf)
        per_ping = np.repeat(first, np.diff(np.r_[starts, n])) if n else np.zeros(0, np.int64)
        return cut_t, per_ping

    # ------------------------------------------------------------------ results
    @property
    def frozen(self) -> M.Visits:
        if self._frozen_cache is None:
            self._frozen_cache = concat_visits(self.frozen_parts)
            self.frozen_parts = [self._frozen_cache] if len(self._frozen_cache) else []
        return self._frozen_cache

    def visits(self) -> M.Visits:
        """All visits so far: frozen ones, then provisional ones (the open ones among them)."""
        return concat_visits([self.frozen, self.provisional])

    def coverage(self) -> M.Coverage:
        return M.coverage(self.visits(), self.n_areas, self.params)

    @property
    def n_frozen(self) -> int:
        return sum(len(p) for p in self.frozen_parts)

    def open_provisional(self, now: float) -> np.ndarray:
        """Rows of ``provisional`` still open at ``now``: the unit's newest ping is inside the zone
        and not more than ``max_gap`` ago (its track may still go on)."""
        v = self.provisional
        last = self.last_ping[v.unit] if len(v) else np.zeros(0)
        is_open = (v.exit == last) & (now - last <= self.params.max_gap) & (last <= now)
        return np.flatnonzero(is_open)

    def open_visits(self, now: float) -> np.ndarray:
        """Rows of ``visits()`` still open at ``now`` (see ``open_provisional``)."""
        return self.n_frozen + self.open_provisional(now)

    def unit_label(self, codes) -> np.ndarray:
        labels = np.empty(len(self.labels), dtype=object)
        labels[:] = self.labels
        return labels[np.asarray(codes, dtype=np.int64)]


# --------------------------------------------------------------------------- wall-clock times
class WallClock:
    """Times of arriving pings to UTC seconds, as ``times.parse_times`` does for a whole day.

    Wall-clock times without an offset in the repeated autumn hour have two readings; each is read
    as the one nearer to the unit's newest ping so far (its first ping of the hour: the earlier
    reading). Pings every few seconds to minutes then resolve as a whole day's ping order does."""

    def __init__(self, timezone: str = DEFAULT_TIMEZONE):
        self.timezone = timezone
        self.last: dict = {}

    def resolve(self, values, units) -> T.ParsedTimes:
        units = np.asarray(units, dtype=object)
        parsed = T.parse_times(values, self.timezone, group=units)
        seconds = parsed.seconds
        problem = parsed.problem.copy()
        # naive values: read in two zones 12 h apart they differ; values with an offset do not
        a = T.parse_times(values, "Etc/GMT+12").seconds
        b = T.parse_times(values, "UTC").seconds
        naive = np.isfinite(b) & (a != b)
        if naive.any():
            wall = pd.to_datetime(b[naive], unit="s")
            n = int(naive.sum())
            dst = wall.tz_localize(self.timezone, ambiguous=np.ones(n, bool), nonexistent="NaT")
            std = wall.tz_localize(self.timezone, ambiguous=np.zeros(n, bool), nonexistent="NaT")
            d = T._to_seconds(dst)
            s = T._to_seconds(std)
            amb_sub = np.isfinite(d) & (d != s)
            if amb_sub.any():
                amb = np.zeros(len(seconds), dtype=bool)
                rows = np.flatnonzero(naive)[amb_sub]
                amb[rows] = True
                dsec = np.full(len(seconds), np.nan)
                ssec = np.full(len(seconds), np.nan)
                dsec[rows], ssec[rows] = d[amb_sub], s[amb_sub]
                self._settle(units, seconds, problem, amb, dsec, ssec)
        good = (problem == T.OK) & np.isfinite(seconds)
        if good.any():
            frame = pd.DataFrame({"u": units[good], "t": seconds[good]}).groupby("u", sort=False)["t"].max()
            for u, tmax in frame.items():
                self.last[u] = max(float(tmax), self.last.get(u, -np.inf))
        return T.ParsedTimes(seconds, problem, parsed.date_order, parsed.note)

    def _settle(self, units, seconds, problem, amb, dsec, ssec) -> None:
        """Each ambiguous row gets the reading nearer to its unit's newest time before it; a unit's
        rows are taken in order, but only those from its first ambiguous row to its last."""
        ok = (problem == T.OK) & np.isfinite(seconds) & ~amb
        groups = pd.Series(np.arange(len(units))).groupby(pd.Series(units, dtype=object), sort=False).indices
        for u in pd.unique(units[amb]):
            rows = groups[u]
            where = np.flatnonzero(amb[rows])
            lo, hi = where[0], where[-1]
            before = rows[:lo][ok[rows[:lo]]]
            last = self.last.get(u)
            if len(before):
                last = max(float(seconds[before].max()), -np.inf if last is None else last)
            for r in rows[lo : hi + 1]:  # only a unit's pings of the repeated hour pass here
                if amb[r]:
                    pick = dsec[r] if last is None or abs(dsec[r] - last) <= abs(ssec[r] - last) else ssec[r]
                    seconds[r] = pick
                    problem[r] = T.OK
                elif not ok[r]:
                    continue
                last = seconds[r] if last is None else max(last, seconds[r])


# --------------------------------------------------------------------------- the zone board
@dataclass
class ZoneInfo:
    """The zones as the board needs them; ``target_min`` in seconds (per zone), ``priority`` 1
    (highest) to 5, ``visits_per_day`` planned visits when there is no schedule."""

    ids: np.ndarray
    names: np.ndarray
    priority: np.ndarray
    visits_per_day: np.ndarray
    target_min: np.ndarray

    @classmethod
    def build(
        cls,
        ids,
        names=None,
        priority=None,
        visits_per_day=None,
        target_min_s=None,
        default_target_min_s: float = TARGET_MIN_MIN * 60.0,
    ) -> ZoneInfo:
        n = len(ids)

        def num(v, default):
            if v is None:
                return np.full(n, float(default))
            a = pd.to_numeric(pd.Series(list(v)), errors="coerce").to_numpy(dtype=float)
            return np.where(np.isfinite(a), a, default)

        names = np.array(
            ["" if s is None else str(s) for s in (names if names is not None else [""] * n)], dtype=object
        )
        return cls(
            np.asarray(ids, dtype=object),
            names,
            num(priority, DEFAULT_PRIORITY),
            num(visits_per_day, DEFAULT_VISITS_PER_DAY),
            num(target_min_s, default_target_min_s),
        )


def priority_weight(priority: np.ndarray) -> np.ndarray:
    """Priority 1 (highest) weighs 5/3, 3 weighs 1, 5 weighs 1/3: (6 - priority) / 3."""
    p = np.clip(np.asarray(priority, dtype=float), 1, 5)
    return (6.0 - p) / 3.0


@dataclass
class Plan:
    """Per zone: visits and presence minutes planned in the shift, and presence planned by now."""

    visits: np.ndarray
    minutes_total: np.ndarray
    minutes_by_now: np.ndarray
    source: str


def plan_from_visits_per_day(zones: ZoneInfo, shift_start: float, shift_end: float, now: float) -> Plan:
    """No schedule: ``visits_per_day`` visits of the zone's target minimum in the shift, spread evenly."""
    total = zones.visits_per_day * zones.target_min / 60.0
    frac = np.clip((now - shift_start) / max(shift_end - shift_start, 1e-9), 0.0, 1.0)
    return Plan(zones.visits_per_day.astype(float), total, total * frac, "visits_per_day")


SCHEDULE_FIELDS = ("day", "patrol", "seq", "zone_id", "arrive", "leave")


def plan_from_schedule(
    schedule: pd.DataFrame,
    zones: ZoneInfo,
    shift_start: float,
    shift_end: float,
    now: float,
    timezone: str = DEFAULT_TIMEZONE,
) -> tuple[Plan, dict[str, int]]:
    """A planpatrols SCHEDULE (day, patrol, seq, zone_id, arrive, leave as local date-times) to the
    plan of the shift: its stops overlapping [shift_start, shift_end], cut to it. Returns the plan
    and the rows left out, by reason."""
    missing = [f for f in ("zone_id", "arrive", "leave") if f not in schedule.columns]
    if missing:
        raise ValueError(
            f"the schedule has no field {', '.join(missing)} (a planpatrols SCHEDULE has {', '.join(SCHEDULE_FIELDS)})"
        )
    skipped: dict[str, int] = {}
    zid = (
        schedule["zone_id"]
        .astype(object)
        .where(schedule["zone_id"].notna(), None)
        .map(lambda v: None if v is None else str(v))
    )
    index = pd.Index([str(z) for z in zones.ids])
    pos = index.get_indexer(zid.fillna("\0"))
    a = T.parse_times(schedule["arrive"].to_numpy(), timezone).seconds
    b = T.parse_times(schedule["leave"].to_numpy(), timezone).seconds
    bad_zone = pos < 0
    bad_time = ~bad_zone & ~(np.isfinite(a) & np.isfinite(b) & (b >= a))
    if bad_zone.any():
        skipped["zone_id not among the zones"] = int(bad_zone.sum())
    if bad_time.any():
        skipped["arrive/leave missing, unreadable or leave before arrive"] = int(bad_time.sum())
    ok = ~bad_zone & ~bad_time & (b >= shift_start) & (a <= shift_end)
    pos, a, b = pos[ok], np.maximum(a[ok], shift_start), np.minimum(b[ok], shift_end)
    n = len(zones.ids)
    visits = np.bincount(pos, minlength=n).astype(float)
    total = np.bincount(pos, weights=b - a, minlength=n) / 60.0
    by_now = np.bincount(pos, weights=np.clip(np.minimum(b, now) - a, 0, None), minlength=n) / 60.0
    return Plan(visits, total, by_now, "schedule"), skipped


def union_intervals(area, a, b):
    """Per area, the union of closed intervals [a, b]: disjoint intervals (area, start, end)."""
    if not len(area):
        return area, a, b
    order = np.lexsort((b, a, area))
    area, a, b = area[order], a[order], b[order]
    new_area = np.r_[True, area[1:] != area[:-1]]
    run = M._group_cummax(b, np.cumsum(new_area))
    new = new_area | (a > np.r_[-np.inf, run[:-1]])
    first = np.flatnonzero(new)
    return area[first], a[first], np.maximum.reduceat(b, first)


def _clipped_minutes(area, a, b, n_areas, start, end) -> np.ndarray:
    """Minutes of disjoint intervals within [start, end], summed per area."""
    lo, hi = np.maximum(a, start), np.minimum(b, end)
    ok = hi > lo
    return np.bincount(area[ok], weights=hi[ok] - lo[ok], minlength=n_areas) / 60.0


def presence_between(visits: M.Visits, n_areas: int, start: float, end: float) -> np.ndarray:
    """Presence minutes per area within [start, end]: the union of counted visits, cut to it."""
    keep = ~visits.pass_through
    return _clipped_minutes(
        *union_intervals(visits.area[keep], visits.entry[keep], visits.exit[keep]), n_areas, start, end
    )


def shift_presence(engine: ShiftEngine, start: float, end: float) -> np.ndarray:
    """``presence_between(engine.visits(), ...)`` from the engine's frozen presence intervals and its
    provisional visits, without going over every visit: frozen intervals that end before the
    earliest provisional visit begins cannot overlap one, and are summed as they are."""
    v = engine.provisional
    counted = ~v.pass_through
    pa, ps, pe = engine.presence_iv
    first = v.entry[counted].min() if counted.any() else np.inf
    alone = pe < first
    out = _clipped_minutes(pa[alone], ps[alone], pe[alone], engine.n_areas, start, end)
    merged = union_intervals(
        np.r_[pa[~alone], v.area[counted]], np.r_[ps[~alone], v.entry[counted]], np.r_[pe[~alone], v.exit[counted]]
    )
    return out + _clipped_minutes(*merged, engine.n_areas, start, end)


BOARD_COLUMNS = (
    "zone_id",
    "name",
    "priority",
    "due_score",
    "due",
    "minutes_since",
    "last_visit_end",
    "presence_min",
    "planned_by_now_min",
    "planned_min",
    "planned_visits",
    "units_inside",
    "inside",
)


def zone_board(
    engine: ShiftEngine,
    zones: ZoneInfo,
    now: float,
    shift_start: float,
    shift_end: float,
    plan: Plan | None = None,
    unit_names=None,
) -> pd.DataFrame:
    """One row per zone, most due first.

    * ``minutes_since``: since the end of the last qualifying visit (counted, dwell >= the zone's
      target minimum; a visit still going on that has reached it counts as ending now), or since
      the shift began when there was none;
    * ``presence_min``: presence within [shift_start, now]; ``planned_*`` from the plan;
    * ``due_score``: minutes_since / spacing x priority weight, where spacing = the shift's length
      / the visits planned in it; 1 means a visit is due now. Zones with no visit planned score 0.
    """
    n = engine.n_areas
    plan = plan or plan_from_visits_per_day(zones, shift_start, shift_end, now)
    if not np.array_equal(engine.qualify_s, zones.target_min):
        raise ValueError("the engine's qualifying dwell differs from the zones' target minimum")
    # the last qualifying visit: frozen ones kept by the engine, provisional ones here (one still
    # going on that has reached the target counts as ending now)
    v = engine.provisional
    open_rows = engine.open_provisional(now)
    exit_now = v.exit.copy()
    exit_now[open_rows] = np.maximum(exit_now[open_rows], now)
    qual = ~v.pass_through & (v.exit - v.entry >= engine.qualify_s[v.area]) & (v.entry <= now)
    last = engine.frozen_last_qualifying.copy()
    np.fmax.at(last, v.area[qual], np.minimum(exit_now[qual], now))
    since_from = np.where(np.isfinite(last), last, shift_start)
    minutes_since = np.maximum(now - since_from, 0.0) / 60.0
    spacing = (shift_end - shift_start) / 60.0 / np.where(plan.visits > 0, plan.visits, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(plan.visits > 0, minutes_since / spacing * priority_weight(zones.priority), 0.0)
    due = np.full(n, DUE_OK, dtype=object)
    due[score >= SOON] = DUE_SOON
    due[score >= 1.0] = DUE_NOW
    due[score >= OVERDUE] = DUE_OVERDUE
    due[plan.visits <= 0] = DUE_NOT_PLANNED
    inside: list[list] = [[] for _ in range(n)]
    labels = engine.unit_label(v.unit[open_rows]) if len(open_rows) else []
    if unit_names is not None:
        labels = [unit_names(u) for u in labels]
    for a, lab in zip(v.area[open_rows], labels):
        if lab not in inside[a]:
            inside[a].append(lab)
    frame = pd.DataFrame(
        {
            "zone_id": zones.ids,
            "name": zones.names,
            "priority": zones.priority,
            "due_score": score,
            "due": due,
            "minutes_since": minutes_since,
            "last_visit_end": last,
            "presence_min": shift_presence(engine, shift_start, now),
            "planned_by_now_min": plan.minutes_by_now,
            "planned_min": plan.minutes_total,
            "planned_visits": plan.visits,
            "units_inside": np.array([len(i) for i in inside], dtype=np.int64),
            "inside": [", ".join(str(u) for u in sorted(i, key=str)) for i in inside],
        }
    )
    frame["_order"] = np.arange(n)
    frame = frame.sort_values(["due_score", "priority", "_order"], ascending=[False, True, True], kind="stable")
    return frame.drop(columns="_order").reset_index(drop=True)


def params_open(params: M.MatchParams) -> M.MatchParams:
    """The same parameters with the analysis period left open (what the engine needs)."""
    return replace(params, period_start=None, period_end=None)
