"""A slow, independent reference implementation of visit matching, written from the matching issue's
"Exact semantics" (not from core/matching.py): plain Python loops, one shapely call per
(segment, zone) pair, an analytic circle for waypoints. Only for tests; never use it on real data.

Semantics implemented (numbers refer to the issue):

1. pings grouped by unit, ordered by time; a unit's pings at the same time count once (the first);
2. consecutive pings at most ``max_gap`` apart are joined by a straight segment walked at constant
   speed; a ping with no such neighbour is a position at one instant;
3. inside = in the closed area (boundary included); entry/exit where the path crosses the boundary;
4. visits of one unit to one area that touch, overlap or are less than ``merge_gap`` apart merge;
   then visits are clipped to the closed period [period_start, period_end] (a visit not meeting it
   is dropped);
5. dwell < ``min_dwell`` -> pass-through;
6. band: dwell < target_min short, <= target_max target, else long;
7. waypoints are discs.

Coverage per area over counted (not pass-through) visits: count, counts by band, total dwell,
median dwell, presence (length of the union of all units' visits), distinct units, first entry,
last exit, and a status from the band of the median.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from shapely.geometry import LineString, Point


@dataclass
class RefVisit:
    area: int
    unit: int
    entry: float
    exit: float
    pings: int
    band: str
    pass_through: bool
    path: list = field(default_factory=list)

    @property
    def dwell(self) -> float:
        return self.exit - self.entry


@dataclass
class RefParams:
    max_gap: float = 300.0
    merge_gap: float = 60.0
    min_dwell: float = 60.0
    target_min: float = 600.0
    target_max: float = 900.0
    period_start: float | None = None
    period_end: float | None = None


class PolygonArea:
    def __init__(self, geom):
        self.geom = geom
        self.bounds = geom.bounds

    def inside(self, x, y) -> bool:
        return bool(self.geom.covers(Point(x, y)))

    def crossings(self, x0, y0, x1, y1) -> list[tuple[float, float]]:
        """Parameter ranges [s0, s1] of the moving segment inside the closed polygon."""
        line = LineString([(x0, y0), (x1, y1)])
        inter = line.intersection(self.geom)
        out = []
        for part in _flatten(inter):
            s = [line.project(Point(c), normalized=True) for c in part.coords]
            if s:
                out.append((min(s), max(s)))
        return out


class DiscArea:
    def __init__(self, cx, cy, r):
        self.cx, self.cy, self.r = float(cx), float(cy), float(r)
        self.bounds = (cx - r, cy - r, cx + r, cy + r)

    def inside(self, x, y) -> bool:
        return (x - self.cx) ** 2 + (y - self.cy) ** 2 <= self.r**2

    def crossings(self, x0, y0, x1, y1) -> list[tuple[float, float]]:
        # the foot of the perpendicular from the centre, then half a chord either side of it
        dx, dy = x1 - x0, y1 - y0
        length2 = dx * dx + dy * dy
        foot = ((self.cx - x0) * dx + (self.cy - y0) * dy) / length2
        fx, fy = x0 + foot * dx, y0 + foot * dy
        h2 = self.r**2 - ((fx - self.cx) ** 2 + (fy - self.cy) ** 2)
        if h2 < 0:
            return []
        half = math.sqrt(h2 / length2)
        s0, s1 = max(foot - half, 0.0), min(foot + half, 1.0)
        return [(s0, s1)] if s0 <= s1 else []


def _flatten(geom):
    if geom.is_empty:
        return []
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in _flatten(g)]
    return [geom]


def _boxes_meet(a, b) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _tracks(unit, t, x, y) -> dict[int, list[tuple[float, float, float]]]:
    by_unit: dict[int, list] = {}
    for u, tt, xx, yy in zip(unit, t, x, y):
        by_unit.setdefault(int(u), []).append((float(tt), float(xx), float(yy)))
    out = {}
    for u, pings in by_unit.items():
        pings.sort(key=lambda p: p[0])  # stable: the first of equal times stays first
        kept = []
        for p in pings:
            if kept and kept[-1][0] == p[0]:
                continue
            kept.append(p)
        out[u] = kept
    return out


def _lerp(a, b, s):
    return (1.0 - s) * a + s * b


def _position(pings, max_gap, when):
    """Where the unit is at ``when`` (a time on its path)."""
    for i, (t, x, y) in enumerate(pings):
        if t == when:
            return (x, y)
        if i + 1 < len(pings):
            t1, x1, y1 = pings[i + 1]
            if t < when < t1 and t1 - t <= max_gap:
                s = (when - t) / (t1 - t)
                return (_lerp(x, x1, s), _lerp(y, y1, s))
    raise AssertionError(f"time {when} is not on the unit's path")


def _band(dwell, p: RefParams) -> str:
    if dwell < p.target_min:
        return "short"
    if dwell <= p.target_max:
        return "target"
    return "long"


def reference_match(unit, t, x, y, areas, params: RefParams) -> list[RefVisit]:
    """``areas``: a list of PolygonArea / DiscArea. Visits sorted by (area, unit, entry)."""
    visits = []
    for u, pings in sorted(_tracks(unit, t, x, y).items()):
        n = len(pings)
        linked = [pings[i + 1][0] - pings[i][0] <= params.max_gap for i in range(n - 1)]
        # pieces: (t0, x0, y0, t1, x1, y1); a lonely ping is a piece of zero duration
        pieces = []
        for i in range(n - 1):
            if linked[i]:
                pieces.append(pings[i] + pings[i + 1])
        for i in range(n):
            left = i > 0 and linked[i - 1]
            right = i < n - 1 and linked[i]
            if not left and not right:
                pieces.append(pings[i] + pings[i])
        for k, area in enumerate(areas):
            spans = []
            for t0, x0, y0, t1, x1, y1 in pieces:
                box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
                if not _boxes_meet(box, area.bounds):
                    continue
                if x0 == x1 and y0 == y1:
                    if area.inside(x0, y0):
                        spans.append((t0, t1, (x0, y0), (x1, y1)))
                    continue
                for s0, s1 in area.crossings(x0, y0, x1, y1):
                    # times and positions of the crossings (positions straight from s: no time rounding)
                    spans.append(
                        (
                            _lerp(t0, t1, s0),
                            _lerp(t0, t1, s1),
                            (_lerp(x0, x1, s0), _lerp(y0, y1, s0)),
                            (_lerp(x0, x1, s1), _lerp(y0, y1, s1)),
                        )
                    )
            spans.sort(key=lambda sp: (sp[0], sp[1]))
            merged = []  # [entry, exit, entry position, exit position]
            for a, b, pa, pb in spans:
                if merged and (a <= merged[-1][1] or a - merged[-1][1] < params.merge_gap):
                    if b >= merged[-1][1]:
                        merged[-1][1], merged[-1][3] = b, pb
                else:
                    merged.append([a, b, pa, pb])
            for a, b, pa, pb in merged:
                ps = -math.inf if params.period_start is None else params.period_start
                pe = math.inf if params.period_end is None else params.period_end
                if b < ps or a > pe:
                    continue
                if a < ps:
                    a, pa = ps, _position(pings, params.max_gap, ps)
                if b > pe:
                    b, pb = pe, _position(pings, params.max_gap, pe)
                dwell = b - a
                path = [pa] + [(px, py) for pt, px, py in pings if a < pt < b] + [pb]
                visits.append(
                    RefVisit(
                        area=k,
                        unit=u,
                        entry=a,
                        exit=b,
                        pings=sum(1 for pt, _, _ in pings if a <= pt <= b),
                        band=_band(dwell, params),
                        pass_through=dwell < params.min_dwell,
                        path=path,
                    )
                )
    visits.sort(key=lambda v: (v.area, v.unit, v.entry))
    return visits


@dataclass
class RefCoverage:
    visits: int
    visits_short: int
    visits_target: int
    visits_long: int
    dwell_total_min: float
    dwell_median_min: float
    presence_min: float
    units: int
    first_entry: float
    last_exit: float
    status: str


def reference_coverage(visits: list[RefVisit], n_areas: int, params: RefParams) -> list[RefCoverage]:
    out = []
    for k in range(n_areas):
        counted = [v for v in visits if v.area == k and not v.pass_through]
        if not counted:
            out.append(RefCoverage(0, 0, 0, 0, 0.0, math.nan, 0.0, 0, math.nan, math.nan, "not visited"))
            continue
        dwells = [v.dwell for v in counted]
        median = statistics.median(dwells)
        presence = 0.0
        cur = None
        for a, b in sorted((v.entry, v.exit) for v in counted):
            if cur is None or a > cur[1]:
                if cur is not None:
                    presence += cur[1] - cur[0]
                cur = [a, b]
            else:
                cur[1] = max(cur[1], b)
        presence += cur[1] - cur[0]
        band = _band(median, params)
        out.append(
            RefCoverage(
                visits=len(counted),
                visits_short=sum(v.band == "short" for v in counted),
                visits_target=sum(v.band == "target" for v in counted),
                visits_long=sum(v.band == "long" for v in counted),
                dwell_total_min=sum(dwells) / 60.0,
                dwell_median_min=median / 60.0,
                presence_min=presence / 60.0,
                units=len({v.unit for v in counted}),
                first_entry=min(v.entry for v in counted),
                last_exit=max(v.exit for v in counted),
                status={"short": "below target", "target": "on target", "long": "above target"}[band],
            )
        )
    return out
