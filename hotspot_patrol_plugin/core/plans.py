"""Randomised Koper patrol plans: who visits which hot spot when, day by day.

Pure scheduling (numpy/pandas, no QGIS). The rules a plan keeps (see DOMAIN.md, "Plans"):

* every zone gets its ``visits_per_day`` inside its window (the shift, narrowed by the zone's
  ``active_from``/``active_to`` times of day) when the patrols can deliver them; when they cannot,
  higher-priority zones (1 = highest) keep theirs first, and the plan says exactly which zones lose
  visits and what would cover them (one more patrol of a mode, or a longer shift), found by
  planning the day again with that change;
* **spacing** is measured between the starts of two visits to the same zone: never below
  ``min_spacing``; the **gaps** (window start -> first visit, visit -> next visit, last visit ->
  window end) are kept within ``max_spacing`` wherever the requested visits and the patrols allow;
* a patrol is in one place at a time and every leg's travel time fits between leaving one zone
  and arriving at the next (straight line x detour factor at the mode's speed, or a travel-time
  matrix, e.g. road network times worked out by QGIS);
* unpredictable: each zone's visit times are drawn at random every day (random gaps within the
  spacing limits) and patrols take them in that order, so orders and times change from day to
  day and from seed to seed. The seed is recorded; the plan reports the entropy of start times
  per zone and compares itself with a naive round-robin rota planned in the same run.

Times inside are whole minutes from the day's shift start; shift start and end are local clock
times in the plan's time zone (a shift may cross midnight; daylight-saving changes give a longer
or shorter night, not a wrong one).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import secrets
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .definitions import DEFAULT_TIMEZONE

FOOT, VEHICLE = "foot", "vehicle"
DEFAULT_SPEEDS_KMH = {FOOT: 4.5, VEHICLE: 25.0}
DEFAULT_DETOUR = 1.3
DEFAULT_PRIORITY = 3
ENTROPY_BIN_MIN = 15  # start times are binned by quarter hour for the entropy
REPEAT_WINDOW_MIN = 15  # "same time as yesterday": within a quarter of an hour
FIX_SHIFT_STEP_MIN = 15
FIX_SHIFT_MAX_MIN = 240
AWAY_PENALTY_MIN = 30.0  # a patrol takes a zone outside its own area only if it is this much sooner
_TIME = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")
_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")


class PlanError(ValueError):
    """Bad input for a plan, said in one sentence."""


# ----------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class PlanZone:
    zone_id: str
    x: float
    y: float
    name: str = ""
    priority: int | None = None  # 1 (highest) .. 5; empty = 3
    visits_per_day: int | None = None  # empty: one more than the fewest that keep gaps within max_spacing
    target_min: float | None = None  # the dwell is DWELL kept inside the zone's band
    target_max: float | None = None
    active_from: str | None = None  # HH:MM (time of day), or YYYY-MM-DD (first date planned)
    active_to: str | None = None  # HH:MM, or YYYY-MM-DD (last date planned)


@dataclass(frozen=True)
class Patrol:
    patrol_id: str
    mode: str = FOOT
    x: float | None = None  # start location (metres); None: starts at its first stop
    y: float | None = None

    @property
    def has_start(self) -> bool:
        return self.x is not None and self.y is not None


@dataclass(frozen=True)
class Travel:
    """Straight line x ``detour`` at ``speeds_kmh[mode]``, or ``matrices[mode]``: minutes between
    nodes, nodes being the zones in input order, then the start locations of the patrols that have
    one (in patrol order)."""

    speeds_kmh: dict = field(default_factory=lambda: dict(DEFAULT_SPEEDS_KMH))
    detour: float = DEFAULT_DETOUR
    matrices: dict | None = None

    def check(self, modes) -> None:
        for mode in modes:
            if self.matrices is not None and mode in self.matrices:
                continue
            speed = self.speeds_kmh.get(mode)
            if speed is None or not speed > 0:
                raise PlanError(f"No travel speed for {mode} patrols: give one in km/h, e.g. '{mode} 5'.")
        if not self.detour >= 1:
            raise PlanError(f"The detour factor ({self.detour:g}) must be 1 or more.")


@dataclass(frozen=True)
class PlanParams:
    first_day: dt.date
    last_day: dt.date | None = None
    shift_start: str = "18:00"
    shift_end: str = "02:00"
    timezone: str = DEFAULT_TIMEZONE
    dwell: float = 15.0
    min_spacing: float = 60.0
    max_spacing: float = 120.0
    seed: int | None = None
    extra_minutes: int = 0  # the shift made longer (used to find what covers a shortfall)

    def days(self) -> list[dt.date]:
        last = self.last_day or self.first_day
        return [self.first_day + dt.timedelta(days=i) for i in range((last - self.first_day).days + 1)]

    def check(self) -> None:
        if self.last_day is not None and self.last_day < self.first_day:
            raise PlanError(f"The last day ({self.last_day}) is before the first day ({self.first_day}).")
        if len(self.days()) > 366:
            raise PlanError("A plan covers at most a year of days.")
        for name, value in (("shift start", self.shift_start), ("shift end", self.shift_end)):
            if not _TIME.match(str(value or "")):
                raise PlanError(f"The {name} '{value}' is not a time of day: write it as HH:MM, e.g. 18:00.")
        if self.shift_start.strip() == self.shift_end.strip():
            raise PlanError("The shift starts and ends at the same time: give a window such as 18:00–02:00.")
        if not self.dwell > 0:
            raise PlanError(f"The dwell ({self.dwell:g} min) must be more than 0 minutes.")
        if self.min_spacing < 0 or self.max_spacing <= 0:
            raise PlanError("The minimum and maximum spacing must be positive minutes.")
        if self.min_spacing > self.max_spacing:
            raise PlanError(
                f"The minimum spacing ({self.min_spacing:g} min) is above the maximum ({self.max_spacing:g} min)."
            )
        try:
            pd.Timestamp(0).tz_localize(self.timezone)
        except Exception:
            raise PlanError(f"Unknown time zone '{self.timezone}': use an IANA name such as Europe/London.") from None


# ----------------------------------------------------------------------------- clock
def _hhmm(text: str) -> int:
    m = _TIME.match(str(text))
    return int(m.group(1)) * 60 + int(m.group(2))


def local_instant(day: dt.date, minutes: int, timezone: str, later: bool = False) -> float:
    """UTC epoch seconds of the local clock time ``minutes`` after midnight of ``day`` (may exceed a
    day). A clock time skipped in spring is moved forward; a repeated autumn time is its first
    occurrence, or its second with ``later``."""
    wall = pd.Timestamp(day) + pd.Timedelta(minutes=minutes)
    ts = wall.tz_localize(timezone, ambiguous=not later, nonexistent="shift_forward")
    return ts.timestamp()


@dataclass
class _Window:
    """One day's shift: UTC epoch of its start and its length in whole minutes."""

    day: dt.date
    t0: float
    length: int


def shift_window(day: dt.date, params: PlanParams) -> _Window:
    start, end = _hhmm(params.shift_start), _hhmm(params.shift_end)
    if end <= start:
        end += 24 * 60
    t0 = local_instant(day, start, params.timezone)
    t1 = local_instant(day, end, params.timezone, later=True)
    return _Window(day, t0, int(round((t1 - t0) / 60.0)) + int(params.extra_minutes))


def _parse_date(text) -> dt.date | None:
    m = _DATE.match(str(text or ""))
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def zone_window(zone: PlanZone, win: _Window, params: PlanParams, shift_end_min: int) -> tuple[int, int] | None:
    """The zone's window on this shift as minutes from the shift start, or None when not planned."""
    a_from, a_to = _parse_date(zone.active_from), _parse_date(zone.active_to)
    if (a_from and win.day < a_from) or (a_to and win.day > a_to):
        return None
    lo, hi = 0, shift_end_min
    f = zone.active_from if zone.active_from and _TIME.match(str(zone.active_from)) else None
    t = zone.active_to if zone.active_to and _TIME.match(str(zone.active_to)) else None
    if f is None and t is None:
        return lo, hi
    fm = _hhmm(f) if f else 0
    tm = _hhmm(t) if t else 24 * 60
    if tm <= fm:
        tm += 24 * 60
    best = None
    for shift in (-1, 0, 1):  # the active period on the day before, of and after the shift's date
        a = (local_instant(win.day, fm + shift * 1440, params.timezone) - win.t0) / 60.0
        b = (local_instant(win.day, tm + shift * 1440, params.timezone, later=True) - win.t0) / 60.0
        a, b = max(lo, int(math.ceil(a))), min(hi, int(math.floor(b)))
        if b > a and (best is None or b - a > best[1] - best[0]):
            best = (a, b)
    return best


# ----------------------------------------------------------------------------- travel
def travel_matrix(zones: list[PlanZone], patrols: list[Patrol], travel: Travel, mode: str) -> np.ndarray:
    """Minutes (whole, rounded up) from every node to every zone; nodes: zones, patrol starts, and a
    last 'nowhere' node (a patrol without a start location before its first stop) at 0 minutes."""
    starts = [p for p in patrols if p.has_start]
    n_z, n_n = len(zones), len(zones) + len(starts)
    if travel.matrices is not None and mode in travel.matrices:
        m = np.asarray(travel.matrices[mode], dtype=float)
        if m.shape[0] < n_n or m.shape[1] < n_z:
            raise PlanError(
                f"The {mode} travel-time matrix is {m.shape[0]}x{m.shape[1]}; it needs {n_n} rows "
                f"(zones, then patrol starts) and {n_z} columns."
            )
        minutes = m[:n_n, :n_z]
        if not np.all(np.isfinite(minutes)):
            bad = np.argwhere(~np.isfinite(minutes))[0]
            name = zones[bad[0]].zone_id if bad[0] < n_z else starts[bad[0] - n_z].patrol_id
            raise PlanError(
                f"No {mode} route from {name} to {zones[bad[1]].zone_id} on the network: "
                "connect it, or plan with straight-line travel."
            )
    else:
        xs = np.array([z.x for z in zones] + [p.x for p in starts], dtype=float)
        ys = np.array([z.y for z in zones] + [p.y for p in starts], dtype=float)
        dist = np.hypot(xs[:, None] - xs[None, :n_z], ys[:, None] - ys[None, :n_z])
        minutes = dist * travel.detour / (travel.speeds_kmh[mode] * 1000.0 / 60.0)
    out = np.zeros((n_n + 1, n_z))
    out[:n_n] = np.ceil(np.round(minutes, 6))
    return out


def straight_minutes(x0, y0, x1, y1, speed_kmh: float, detour: float) -> float:
    return float(np.ceil(np.round(math.hypot(x1 - x0, y1 - y0) * detour / (speed_kmh * 1000.0 / 60.0), 6)))


# ----------------------------------------------------------------------------- one day
@dataclass
class _DayProblem:
    window: _Window
    zone_index: np.ndarray  # indices (into all zones) of the zones planned this day
    a: np.ndarray  # window start/end per planned zone (minutes from shift start)
    b: np.ndarray
    dwell: np.ndarray
    wanted: np.ndarray  # visits asked for
    cap: np.ndarray  # visits that fit min_spacing apart in the window
    priority: np.ndarray

    @property
    def fit(self) -> np.ndarray:
        return np.minimum(self.wanted, self.cap)


@dataclass
class _DayPlan:
    patrol: np.ndarray  # per stop
    zone: np.ndarray  # index into all zones
    start: np.ndarray  # minutes from shift start
    end: np.ndarray
    travel: np.ndarray  # minutes from the previous stop (NaN: no start location)
    delivered: np.ndarray  # per planned zone of the day problem


def _visits_needed(a: int, b: int, dwell: int, mx: float) -> int:
    """The fewest visits keeping every gap (window start, visits, window end) within ``mx``."""
    return max(1, int(math.ceil((b - a) / mx)) - 1)


def _dwell_for(zone: PlanZone, dwell: float) -> int:
    lo = zone.target_min if zone.target_min is not None and zone.target_min > 0 else None
    hi = zone.target_max if zone.target_max is not None and zone.target_max > 0 else None
    d = float(dwell)
    if lo is not None and hi is not None and lo <= hi:
        d = min(max(d, lo), hi)
    return max(1, int(round(d)))


def _bounded_split(total: float, lo: np.ndarray, hi: np.ndarray, rng, alpha: float) -> np.ndarray:
    """Random non-negative parts of ``total``, each within [lo, hi] (sum(lo) <= total <= sum(hi))."""
    free = total - lo.sum()
    x = lo + free * rng.dirichlet(np.full(len(lo), alpha))
    for _ in range(50):
        over = np.clip(x - hi, 0, None)
        excess = over.sum()
        if excess <= 1e-9:
            break
        x = np.minimum(x, hi)
        room = hi - x
        x = x + excess * room / room.sum()
    return x


def _targets(a: int, b: int, k: int, dwell: int, mn: float, mx: float, rng) -> np.ndarray:
    """k random visit start times in [a, b - dwell], gaps within [mn, mx] (with some slack for
    travel when there is room), the gaps from the window's start and to its end within mx."""
    if k <= 0:
        return np.zeros(0)
    total = float(b - a)
    lo = np.array([0.0] + [mn] * (k - 1) + [float(dwell)])
    hi = np.full(k + 1, float(mx))
    alpha = 2.0
    if hi.sum() < total:  # too few visits for max_spacing: spread them about evenly
        hi = np.full(k + 1, np.inf)
        alpha = 25.0
    slack = min(15.0, (mx - mn) / 4.0)
    lo2, hi2 = lo.copy(), hi.copy()
    lo2[1:-1] += slack
    hi2 = hi2 - slack
    hi2[np.isinf(hi)] = np.inf
    if lo2.sum() <= total <= hi2.sum() and np.all(lo2 <= hi2):
        lo, hi = lo2, hi2
    gaps = _bounded_split(total, lo, hi, rng, alpha)
    return np.floor(a + np.cumsum(gaps[:-1]) + 1e-9)


def _dispatch(
    prob: _DayProblem,
    demand: np.ndarray,
    zones,
    patrols: list[Patrol],
    mats: dict,
    start_node: np.ndarray,
    params: PlanParams,
    rng,
) -> _DayPlan:
    """Place the day's visits. Each zone gets random target times (random gaps within the spacing
    limits); then, again and again, the patrol that is free soonest takes the zone visit it can
    start soonest, counting travel half again (so patrols work nearby zones), a visit starting no
    sooner than a little before its target and never inside the minimum spacing."""
    n = len(prob.a)
    mn, mx = float(params.min_spacing), float(params.max_spacing)
    end_of_duty = prob.window.length
    early = min(15.0, (mx - mn) / 4.0)  # the slack the targets keep inside the spacing limits
    k = np.minimum(demand, prob.fit).astype(int)
    targets = [_targets(int(prob.a[i]), int(prob.b[i]), int(k[i]), int(prob.dwell[i]), mn, mx, rng) for i in range(n)]
    width = int(k.max()) if n and k.max() > 0 else 1
    tgt = np.full((n, width + 1), np.inf)
    for i, t in enumerate(targets):
        tgt[i, : len(t)] = t
    n_p = len(patrols)
    free = np.zeros(n_p)
    loc = start_node.copy()
    active = np.ones(n_p, dtype=bool)
    modes = sorted(mats)
    mode_of = np.array([modes.index(p.mode) for p in patrols])
    stacked = np.stack([mats[m] for m in modes])[:, :, prob.zone_index]  # (modes, nodes, planned zones)
    nowhere = stacked.shape[1] - 1
    last = np.full(n, -np.inf)
    done = np.zeros(n, dtype=int)
    latest = (prob.b - prob.dwell).astype(float)
    rows = np.arange(n)
    xy = np.array([[z.x, z.y] for z in zones])[prob.zone_index] if n else np.zeros((0, 2))
    home = patrol_areas(xy, k * (prob.dwell + 10.0), patrols, rng)
    out_p, out_z, out_s, out_t = [], [], [], []
    while active.any():
        p = int(np.flatnonzero(active)[np.argmin(free[active])])
        target = tgt[rows, done]
        pending = done < k
        trav = stacked[mode_of[p], loc[p]]
        earliest = np.where(np.isfinite(last), last + mn, prob.a)
        start = np.maximum(np.maximum(free[p] + trav, earliest), target - early)
        ok = pending & (start <= latest) & (start + prob.dwell <= end_of_duty)
        if not ok.any():
            active[p] = False
            continue
        away = (home != p) * AWAY_PENALTY_MIN
        score = np.where(ok, np.maximum(target, start - early) + 0.5 * trav + away + 2.0 * rng.random(n), np.inf)
        i = int(np.argmin(score))
        s = float(start[i])
        out_p.append(p)
        out_z.append(int(prob.zone_index[i]))
        out_s.append(s)
        out_t.append(np.nan if loc[p] == nowhere else float(trav[i]))
        free[p] = s + prob.dwell[i]
        loc[p] = int(prob.zone_index[i])
        last[i] = s
        done[i] += 1
    start_arr = np.array(out_s, dtype=float)
    zone_arr = np.array(out_z, dtype=int)
    dwell_of = np.zeros(int(prob.zone_index.max()) + 1 if n else 1)
    dwell_of[prob.zone_index] = prob.dwell
    return _DayPlan(
        np.array(out_p, dtype=int),
        zone_arr,
        start_arr,
        start_arr + (dwell_of[zone_arr] if len(zone_arr) else 0),
        np.array(out_t, dtype=float),
        done,
    )


def patrol_areas(xy: np.ndarray, work: np.ndarray, patrols: list[Patrol], rng, rounds: int = 12) -> np.ndarray:
    """Each zone's home patrol: zones split into compact groups of about equal work (visits x
    minutes), one per patrol, starting from the patrols' start locations when they have them
    ("a few hot spots per officer"). Patrols still help elsewhere when their own zones can wait."""
    n, n_p = len(xy), len(patrols)
    if n_p == 1 or n == 0:
        return np.zeros(n, dtype=int)
    centres = np.empty((n_p, 2))
    first = int(rng.integers(n))
    centres[0] = xy[first]
    for j in range(1, n_p):  # farthest-point start
        d = np.min(np.hypot(xy[:, None, 0] - centres[None, :j, 0], xy[:, None, 1] - centres[None, :j, 1]), axis=1)
        centres[j] = xy[int(np.argmax(d))]
    for j, p in enumerate(patrols):
        if p.has_start:
            centres[j] = (p.x, p.y)
    cap = work.sum() / n_p * 1.15 + 1e-9
    home = np.zeros(n, dtype=int)
    for _ in range(rounds):
        dist = np.hypot(xy[:, None, 0] - centres[None, :, 0], xy[:, None, 1] - centres[None, :, 1])
        load = np.zeros(n_p)
        order = np.argsort(dist.min(axis=1) - dist.max(axis=1))  # the most clear-cut zones choose first
        for i in order:
            for j in np.argsort(dist[i]):
                if load[j] + work[i] <= cap or j == np.argsort(dist[i])[-1]:
                    home[i] = j
                    load[j] += work[i]
                    break
        for j, p in enumerate(patrols):
            if not p.has_start and (home == j).any():
                centres[j] = xy[home == j].mean(axis=0)
    return home


def _day_rng(seed: int, day_no: int):
    return np.random.default_rng([int(seed), int(day_no)])


def _plan_day(prob, zones, patrols, mats, start_node, params, seed, day_no):
    """The day planned for the most visits, dropping lower-priority visits first when short.
    Returns (plan, demand it delivers)."""
    demand = prob.fit.copy()
    first = True
    while True:
        plan = _dispatch(prob, demand, zones, patrols, mats, start_node, params, _day_rng(seed, day_no))
        short = demand - plan.delivered
        if short.sum() == 0:
            return plan, demand
        cut = max(1, int(short.sum()) // 2) if first else 1
        first = False
        for _ in range(cut):
            live = np.flatnonzero(demand > 0)
            if not len(live):
                break
            # lowest priority (highest number) first, then the zone asking most, then the last listed
            order = np.lexsort((-live, -demand[live], -prob.priority[live]))
            demand[live[order[0]]] -= 1


def _covers(prob, zones, patrols, mats, start_node, params, seed, day_no) -> bool:
    plan = _dispatch(prob, prob.wanted, zones, patrols, mats, start_node, params, _day_rng(seed, day_no))
    return bool(np.all(plan.delivered >= prob.wanted))


# ----------------------------------------------------------------------------- result
@dataclass
class Shortfall:
    day: dt.date
    zones: list  # [(zone_id, planned, wanted)]
    extra_patrol: list  # modes of which one more patrol covers the day
    longer_shift_min: int | None  # the shortest extension (minutes) that covers it, None if <= 4 h does not
    sentence: str = ""


@dataclass
class Measures:
    """What a sergeant compares between two plans (the randomised plan and the round-robin rota)."""

    zone_days: int = 0
    zone_days_covered: int = 0  # zone-days with every requested visit
    zones_visited: int = 0  # zones with at least one visit in the plan
    visits_wanted: int = 0
    visits_delivered: int = 0
    idle_min: float = 0.0
    duty_min: float = 0.0
    entropy_bits: float = 0.0  # mean over zones of the entropy of start times (quarter-hour bins)
    repeat_share: float | None = None  # visits at the same time (+-15 min) as the zone's visit the day before
    long_gaps: int = 0  # gaps over max_spacing

    @property
    def idle_share(self) -> float:
        return self.idle_min / self.duty_min if self.duty_min else 0.0


@dataclass
class PlanResult:
    schedule: pd.DataFrame  # day, patrol, seq, zone_id, zone_name, mode, arrive, leave, travel_min, ...
    feasibility: pd.DataFrame  # per zone and day: wanted, planned, shortfall, longest gap ...
    routes: list  # [(day, patrol_id, mode, [(x, y), ...], [zone_id ...])]
    shortfalls: list
    warnings: list
    seed: int
    measures: Measures
    rota: Measures
    rota_schedule: pd.DataFrame

    def summary_lines(self) -> list[str]:
        m, r = self.measures, self.rota
        lines = [f"Seed {self.seed}."]
        lines.append(
            f"Plan: {m.visits_delivered} of {m.visits_wanted} visits, {m.zone_days_covered} of {m.zone_days} "
            f"zone-days fully covered, {m.long_gaps} gaps over the maximum spacing, idle {m.idle_share:.0%} "
            f"of patrol time, start-time entropy {m.entropy_bits:.2f} bits per zone"
            + (f", {m.repeat_share:.0%} of visits at yesterday's time" if m.repeat_share is not None else "")
            + "."
        )
        lines.append(
            f"Round-robin rota: {r.visits_delivered} of {r.visits_wanted} visits, {r.zone_days_covered} of "
            f"{r.zone_days} zone-days fully covered, {r.long_gaps} gaps over the maximum spacing, idle "
            f"{r.idle_share:.0%}, entropy {r.entropy_bits:.2f} bits"
            + (f", {r.repeat_share:.0%} of visits at yesterday's time" if r.repeat_share is not None else "")
            + "."
        )
        if not self.shortfalls:
            lines.append("Every zone gets its visits on every day.")
        lines.extend(s.sentence for s in self.shortfalls)
        lines.extend(self.warnings)
        return lines


# ----------------------------------------------------------------------------- words
def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _minutes_text(m: int) -> str:
    return f"{m}-minute" if m < 120 or m % 60 else f"{m // 60}-hour"


def shortfall_sentence(s: Shortfall) -> str:
    groups: dict = {}
    for zid, got, want in s.zones:
        groups.setdefault((got, want), []).append(zid)
    parts = []
    for (got, want), ids in sorted(groups.items(), key=lambda kv: (kv[0][0] - kv[0][1], kv[0])):
        verb = "gets" if len(ids) == 1 else "get"
        parts.append(f"{_join(ids)} {verb} {got} of {want} visit{'s' if want != 1 else ''}")
    them = "it" if len(s.zones) == 1 else "them"
    fixes = []
    if s.extra_patrol:
        fixes.append(f"one more {' or '.join(s.extra_patrol)} patrol")
    if s.longer_shift_min:
        fixes.append(f"a {_minutes_text(s.longer_shift_min)} longer shift")
    if fixes:
        tail = f"{' or '.join(fixes)} covers {them}"
    else:
        tail = (
            f"neither one more patrol nor a shift up to {FIX_SHIFT_MAX_MIN // 60} hours longer covers {them}: "
            "lower visits_per_day, shorten the dwell or the spacing, or add patrols"
        )
    return f"{s.day.strftime('%a')} {s.day.day} {s.day.strftime('%b')}: {'; '.join(parts)}: {tail}."


# ----------------------------------------------------------------------------- the plan
def _check_inputs(zones: list[PlanZone], patrols: list[Patrol], travel: Travel) -> None:
    if not zones:
        raise PlanError("There are no zones to plan.")
    if not patrols:
        raise PlanError("There are no patrols: give a number of patrols or a layer of patrols.")
    ids = [z.zone_id for z in zones]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise PlanError(f"Zone ids must be unique; repeated: {', '.join(dup[:5])}.")
    pids = [p.patrol_id for p in patrols]
    dup = sorted({i for i in pids if pids.count(i) > 1})
    if dup:
        raise PlanError(f"Patrol ids must be unique; repeated: {', '.join(dup[:5])}.")
    for z in zones:
        if not (np.isfinite(z.x) and np.isfinite(z.y)):
            raise PlanError(f"Zone {z.zone_id} has no location.")
        if z.visits_per_day is not None and z.visits_per_day < 0:
            raise PlanError(f"Zone {z.zone_id}: visits_per_day ({z.visits_per_day}) is negative.")
    for p in patrols:
        if p.mode not in (FOOT, VEHICLE):
            raise PlanError(f"Patrol {p.patrol_id}: mode '{p.mode}' is neither foot nor vehicle.")
    travel.check({p.mode for p in patrols})


def _day_problem(zones, win, params, warnings, wanted: dict | None = None) -> _DayProblem:
    mn, mx = float(params.min_spacing), float(params.max_spacing)
    idx, a, b, dwell, want, cap, prio = [], [], [], [], [], [], []
    for i, z in enumerate(zones):
        w = zone_window(z, win, params, win.length)
        if w is None:
            continue
        d = _dwell_for(z, params.dwell)
        if w[1] - w[0] < d:
            warnings.add(f"{z.zone_id}: its active window on this shift is shorter than one visit; not planned.")
            continue
        k = z.visits_per_day if z.visits_per_day is not None else _visits_needed(w[0], w[1], d, mx) + 1
        if wanted is not None:
            k = wanted.get(i, 0)
        k_fit = (int((w[1] - d - w[0]) // mn) + 1) if mn > 0 else k
        if k and k > k_fit:
            warnings.add(f"{z.zone_id}: {k} visits do not fit {mn:g} minutes apart in its window; at most {k_fit} do.")
        if k and k < _visits_needed(w[0], w[1], d, mx):
            warnings.add(
                f"{z.zone_id}: {k} visit{'s' if k != 1 else ''} a day leave gaps over {mx:g} minutes in "
                f"its {w[1] - w[0]}-minute window; {_visits_needed(w[0], w[1], d, mx)} would not."
            )
        idx.append(i)
        a.append(w[0])
        b.append(w[1])
        dwell.append(d)
        want.append(int(k))
        cap.append(int(k_fit))
        prio.append(int(z.priority) if z.priority is not None else DEFAULT_PRIORITY)
    as_int = lambda v: np.array(v, dtype=int)  # noqa: E731
    return _DayProblem(win, as_int(idx), as_int(a), as_int(b), as_int(dwell), as_int(want), as_int(cap), as_int(prio))


def _start_nodes(zones, patrols) -> np.ndarray:
    nodes, k = [], len(zones)
    nowhere = len(zones) + sum(p.has_start for p in patrols)
    for p in patrols:
        if p.has_start:
            nodes.append(k)
            k += 1
        else:
            nodes.append(nowhere)
    return np.array(nodes, dtype=int)


def _extra_patrol(patrols: list[Patrol], mode: str) -> list[Patrol]:
    like = next(p for p in patrols if p.mode == mode)
    return [*patrols, Patrol(f"{like.patrol_id}+", mode, like.x, like.y)]


def _with_patrol(zones, patrols, travel, mode):
    """Patrols with one more of ``mode`` (starting where the first of that mode starts) and its
    travel matrices (road-network matrices gain the row of its start)."""
    more = _extra_patrol(patrols, mode)
    mats = {}
    for m in {p.mode for p in more}:
        base = travel_matrix(zones, patrols, travel, m)
        if more[-1].has_start:
            src = _start_nodes(zones, patrols)[patrols.index(next(p for p in patrols if p.mode == mode))]
            base = np.vstack([base[:-1], base[src : src + 1], base[-1:]])
        mats[m] = base
    return more, mats


def plan(
    zones: list[PlanZone],
    patrols: list[Patrol],
    params: PlanParams,
    travel: Travel | None = None,
    progress=None,
    explain: bool = True,
    cancelled=None,
) -> PlanResult:
    """The plan for every day from ``params.first_day`` to ``params.last_day``. ``progress(percent)``
    is called after each day; ``cancelled()`` returning True stops after the day being planned
    (the days planned so far are returned)."""
    travel = travel or Travel()
    params.check()
    _check_inputs(zones, patrols, travel)
    seed = int(params.seed) if params.seed is not None else secrets.randbits(32)
    params = replace(params, seed=seed)
    mats = {m: travel_matrix(zones, patrols, travel, m) for m in {p.mode for p in patrols}}
    start_node = _start_nodes(zones, patrols)
    warnings: set = set()
    days = params.days()
    plans, problems, shortfalls = [], [], []
    for day_no, day in enumerate(days):
        if cancelled is not None and cancelled():
            break
        win = shift_window(day, params)
        prob = _day_problem(zones, win, params, warnings)
        problems.append(prob)
        if not len(prob.a):
            plans.append(None)
            continue
        day_plan, _ = _plan_day(prob, zones, patrols, mats, start_node, params, seed, day_no)
        plans.append(day_plan)
        short = prob.wanted - day_plan.delivered
        if short.any() and explain:
            shortfalls.append(
                _explain(day, day_no, prob, day_plan, zones, patrols, travel, mats, start_node, params, seed)
            )
        if progress is not None:
            progress(100.0 * (day_no + 1) / len(days))
    schedule, routes = _schedule_frame(plans, problems, zones, patrols, params)
    feas = _feasibility(plans, problems, zones, params)
    rota_plans = [
        _round_robin(prob, zones, patrols, mats, start_node, params) if len(prob.a) else None for prob in problems
    ]
    rota_schedule, _ = _schedule_frame(rota_plans, problems, zones, patrols, params)
    return PlanResult(
        schedule=schedule,
        feasibility=feas,
        routes=routes,
        shortfalls=shortfalls,
        warnings=sorted(warnings),
        seed=seed,
        measures=measure(plans, problems, zones, params, len(patrols)),
        rota=measure(rota_plans, problems, zones, params, len(patrols)),
        rota_schedule=rota_schedule,
    )


def _explain(day, day_no, prob, day_plan, zones, patrols, travel, mats, start_node, params, seed) -> Shortfall:
    short = np.flatnonzero(prob.wanted > day_plan.delivered)
    listed = [(zones[int(prob.zone_index[i])].zone_id, int(day_plan.delivered[i]), int(prob.wanted[i])) for i in short]
    modes = []
    for mode in (FOOT, VEHICLE):
        if not any(p.mode == mode for p in patrols):
            continue
        more, more_mats = _with_patrol(zones, patrols, travel, mode)
        if _covers(prob, zones, more, more_mats, _start_nodes(zones, more), params, seed, day_no):
            modes.append(mode)
    longer = None
    for extra in range(FIX_SHIFT_STEP_MIN, FIX_SHIFT_MAX_MIN + 1, FIX_SHIFT_STEP_MIN):
        p2 = replace(params, extra_minutes=params.extra_minutes + extra)
        wanted = dict(zip(prob.zone_index.tolist(), prob.wanted.tolist()))
        prob2 = _day_problem(zones, shift_window(day, p2), p2, set(), wanted)
        if set(prob2.zone_index.tolist()) >= set(wanted) and _covers(
            prob2, zones, patrols, mats, start_node, p2, seed, day_no
        ):
            longer = extra
            break
    s = Shortfall(day, listed, modes, longer)
    s.sentence = shortfall_sentence(s)
    return s


# ----------------------------------------------------------------------------- round robin
def _round_robin(prob: _DayProblem, zones, patrols, mats, start_node, params) -> _DayPlan:
    """The naive rota: zones dealt out to patrols in turn (priority, then id), each patrol walking
    its zones in the same order every round from the shift start, a round starting no sooner than
    min_spacing after the last, until each zone has its visits or the shift ends."""
    n = len(prob.a)
    order = sorted(range(n), key=lambda i: (prob.priority[i], zones[int(prob.zone_index[i])].zone_id))
    n_p = len(patrols)
    out_p, out_z, out_s, out_t = [], [], [], []
    done = np.zeros(n, dtype=int)
    for p, patrol in enumerate(patrols):
        mine = order[p::n_p]
        if not mine:
            continue
        mat = mats[patrol.mode]
        t, loc, round_start = 0.0, int(start_node[p]), -np.inf
        while True:
            progressed = False
            round_start = max(t, round_start + params.min_spacing)
            t = round_start
            for i in mine:
                z = int(prob.zone_index[i])
                if done[i] >= prob.wanted[i]:
                    continue
                trav = float(mat[loc, z])
                s = max(t + trav, prob.a[i])
                if s + prob.dwell[i] > min(prob.b[i], prob.window.length):
                    continue
                out_p.append(p)
                out_z.append(z)
                out_s.append(s)
                out_t.append(np.nan if loc == mat.shape[0] - 1 else trav)
                t, loc = s + prob.dwell[i], z
                done[i] += 1
                progressed = True
            if not progressed:
                break
    start = np.array(out_s, dtype=float)
    zone = np.array(out_z, dtype=int)
    dwell_of = np.zeros(len(zones))
    dwell_of[prob.zone_index] = prob.dwell
    return _DayPlan(
        np.array(out_p, dtype=int),
        zone,
        start,
        start + (dwell_of[zone] if len(zone) else 0),
        np.array(out_t, dtype=float),
        done,
    )


# ----------------------------------------------------------------------------- tables and measures
def _schedule_frame(plans, problems, zones, patrols, params):
    rows, routes = [], []
    tz = params.timezone
    for day_plan, prob in zip(plans, problems):
        if day_plan is None or not len(day_plan.start):
            continue
        t0 = prob.window.t0
        order = np.lexsort((day_plan.start, day_plan.patrol))
        for p in np.unique(day_plan.patrol):
            sel = order[day_plan.patrol[order] == p]
            patrol = patrols[int(p)]
            pts = [(patrol.x, patrol.y)] if patrol.has_start else []
            ids = []
            for seq, k in enumerate(sel, start=1):
                z = zones[int(day_plan.zone[k])]
                rows.append(
                    {
                        "day": prob.window.day,
                        "patrol": patrol.patrol_id,
                        "seq": seq,
                        "zone_id": z.zone_id,
                        "zone_name": z.name or "",
                        "mode": patrol.mode,
                        "arrive_utc": t0 + 60.0 * day_plan.start[k],
                        "leave_utc": t0 + 60.0 * day_plan.end[k],
                        "travel_min": day_plan.travel[k],
                        "dwell_min": day_plan.end[k] - day_plan.start[k],
                        "x": z.x,
                        "y": z.y,
                    }
                )
                pts.append((z.x, z.y))
                ids.append(z.zone_id)
            routes.append((prob.window.day, patrol.patrol_id, patrol.mode, pts, ids))
    cols = [
        "day",
        "patrol",
        "seq",
        "zone_id",
        "zone_name",
        "mode",
        "arrive",
        "leave",
        "travel_min",
        "dwell_min",
        "arrive_utc",
        "leave_utc",
        "x",
        "y",
    ]
    if not rows:
        return pd.DataFrame(columns=cols), routes
    df = pd.DataFrame(rows)
    df["arrive"] = pd.to_datetime(df["arrive_utc"], unit="s", utc=True).dt.tz_convert(tz)
    df["leave"] = pd.to_datetime(df["leave_utc"], unit="s", utc=True).dt.tz_convert(tz)
    return df[cols].reset_index(drop=True), routes


def _gaps(starts: np.ndarray, a: int, b: int) -> np.ndarray:
    pts = np.concatenate([[a], np.sort(starts), [b]])
    return np.diff(pts)


def _feasibility(plans, problems, zones, params) -> pd.DataFrame:
    rows = []
    for day_plan, prob in zip(plans, problems):
        for i, zi in enumerate(prob.zone_index):
            z = zones[int(zi)]
            starts = day_plan.start[day_plan.zone == zi] if day_plan is not None else np.zeros(0)
            gaps = _gaps(starts, prob.a[i], prob.b[i])
            spacing = np.diff(np.sort(starts))
            got, want = len(starts), int(prob.wanted[i])
            note = "" if got >= want else f"gets {got} of {want} visits"
            if len(gaps) and gaps.max() > params.max_spacing:
                note = "; ".join(filter(None, [note, f"a gap of {gaps.max():.0f} min"]))
            rows.append(
                {
                    "day": prob.window.day,
                    "zone_id": z.zone_id,
                    "priority": int(prob.priority[i]),
                    "wanted": want,
                    "planned": got,
                    "shortfall": max(0, want - got),
                    "longest_gap_min": float(gaps.max()) if len(gaps) else None,
                    "shortest_spacing_min": float(spacing.min()) if len(spacing) else None,
                    "note": note,
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "day",
            "zone_id",
            "priority",
            "wanted",
            "planned",
            "shortfall",
            "longest_gap_min",
            "shortest_spacing_min",
            "note",
        ],
    )


def entropy_bits(offsets_min: np.ndarray, bin_min: int = ENTROPY_BIN_MIN) -> float:
    """Shannon entropy (bits) of start times binned by ``bin_min`` minutes."""
    if not len(offsets_min):
        return 0.0
    _, counts = np.unique(np.floor(np.asarray(offsets_min) / bin_min), return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum())


def measure(plans, problems, zones, params, n_patrols: int) -> Measures:
    m = Measures()
    per_zone: dict = {}
    by_day: list = []
    for day_plan, prob in zip(plans, problems):
        day_starts = {}
        m.zone_days += len(prob.a)
        m.visits_wanted += int(prob.wanted.sum())
        busy = 0.0
        if day_plan is not None:
            m.visits_delivered += len(day_plan.start)
            for i, zi in enumerate(prob.zone_index):
                starts = day_plan.start[day_plan.zone == zi]
                day_starts[int(zi)] = starts
                per_zone.setdefault(int(zi), []).extend(starts.tolist())
                if len(starts) >= prob.wanted[i]:
                    m.zone_days_covered += 1
                m.long_gaps += int((_gaps(starts, prob.a[i], prob.b[i]) > params.max_spacing).sum())
            busy = float((day_plan.end - day_plan.start).sum() + np.nansum(day_plan.travel))
        duty = float(prob.window.length) * n_patrols
        m.duty_min += duty
        m.idle_min += duty - busy
        by_day.append(day_starts)
    m.zones_visited = sum(1 for v in per_zone.values() if v)
    visited = [v for v in per_zone.values() if v]
    m.entropy_bits = float(np.mean([entropy_bits(np.array(v)) for v in visited])) if visited else 0.0
    if len(by_day) > 1:
        same = total = 0
        for prev, cur in zip(by_day, by_day[1:]):
            for z, starts in cur.items():
                before = prev.get(z, np.zeros(0))
                for s in starts:
                    total += 1
                    same += bool(len(before) and np.min(np.abs(before - s)) <= REPEAT_WINDOW_MIN)
        m.repeat_share = same / total if total else 0.0
    return m
