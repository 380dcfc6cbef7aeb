"""Checks on a patrol plan's zones and waypoints, on shapely geometries and plain values.

Everything here is pure (shapely 2 + numpy): the planner panels read the workspace layers into
:class:`Zone` / :class:`Waypoint` records (geometries in a metric CRS) and show the
:class:`Problem` list these functions return. A problem names the features involved (``keys``,
the layer's feature ids), says what is wrong in one sentence, how to fix it in another, and where
to look (``bounds`` in the same CRS as the geometries).

Zone checks: missing or invalid geometry (e.g. a self-intersecting boundary), missing or duplicate
``zone_id``, missing name, target band upside down (target_min > target_max), priority outside
1-5, active times that are not ``HH:MM``, overlapping zones, zones too narrow for GPS to resolve
(minimum width under 25 m) and zones implausibly large for a hot spot (over 1 km²).
Waypoint checks: missing or duplicate ``waypoint_id``, a waypoint outside every zone, a stored
``zone_id`` that disagrees with the zone the waypoint lies in.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

try:  # the records and ids work without shapely; the checks need it (the plugin says how to install it)
    import shapely
except ImportError:  # pragma: no cover - exercised only on installs without shapely
    shapely = None

AVAILABLE = shapely is not None

ERROR = "error"
WARNING = "warning"

INVALID_GEOMETRY = "invalid_geometry"
NO_GEOMETRY = "no_geometry"
MISSING_ID = "missing_id"
DUPLICATE_ID = "duplicate_id"
MISSING_NAME = "missing_name"
TARGET_BAND = "target_band"
PRIORITY_RANGE = "priority_range"
ACTIVE_TIME = "active_time"
OVERLAP = "overlap"
TOO_SMALL = "too_small"
TOO_LARGE = "too_large"
OUTSIDE_ZONES = "outside_zones"
WRONG_ZONE = "wrong_zone"

ZONE_ID_PREFIX = "HS-"
WAYPOINT_ID_PREFIX = "WP-"
PRIORITY_RANGE_LIMITS = (1, 5)
_TIME = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")
_WHERE = re.compile(r"\[\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)")

Bounds = tuple[float, float, float, float]


@dataclass(frozen=True)
class Limits:
    """Thresholds (metres, square metres); the panels take them from the plugin settings."""

    min_width_m: float = 25.0
    max_area_m2: float = 1_000_000.0
    #: overlaps smaller than this are digitising slivers along a shared edge, not worth a warning
    overlap_tolerance_m2: float = 1.0


@dataclass(frozen=True)
class Zone:
    key: int
    zone_id: Optional[str] = None
    name: Optional[str] = None
    geometry: Any = None  # shapely (Multi)Polygon in a metric CRS, or None
    target_min: Optional[float] = None
    target_max: Optional[float] = None
    priority: Optional[int] = None
    active_from: Optional[str] = None
    active_to: Optional[str] = None


@dataclass(frozen=True)
class Waypoint:
    key: int
    waypoint_id: Optional[str] = None
    geometry: Any = None  # shapely Point in the zones' metric CRS, or None
    zone_id: Optional[str] = None
    name: Optional[str] = None


@dataclass(frozen=True)
class Problem:
    code: str
    severity: str
    keys: tuple[int, ...]
    message: str
    hint: str
    bounds: Optional[Bounds] = None

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors


# --- small helpers -------------------------------------------------------------------------------


def text(value) -> Optional[str]:
    """A stripped string, or None for NULL/empty (QGIS NULLs arrive as None here)."""
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def number(value) -> Optional[float]:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(v) else v


def format_area(m2: float) -> str:
    if m2 >= 100_000:
        return f"{m2 / 1_000_000:.2f} km²"
    return f"{m2:,.0f} m²"


def zone_label(zone: Zone) -> str:
    return text(zone.zone_id) or (f"“{text(zone.name)}”" if text(zone.name) else "a zone without id")


def waypoint_label(wp: Waypoint) -> str:
    return text(wp.waypoint_id) or (f"“{text(wp.name)}”" if text(wp.name) else "a waypoint without id")


def next_id(existing, prefix: str = ZONE_ID_PREFIX, width: int = 3) -> str:
    """The id after the highest ``prefix``-number among ``existing`` (HS-001, HS-002 ... HS-1000);
    ids in other schemes (imported "G-7") do not count.

    Matches the zones layer's default value expression (see qgis_io.workspace), so programmatic
    adds and QGIS's own digitising number zones the same way.
    """
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    highest = 0
    for value in existing:
        m = pattern.match(text(value) or "")
        if m:
            highest = max(highest, int(m.group(1)))
    return f"{prefix}{highest + 1:0{width}d}"


def _bounds(geom, pad: float = 0.0) -> Optional[Bounds]:
    if geom is None or shapely.is_empty(geom):
        return None
    x0, y0, x1, y1 = shapely.bounds(geom).tolist()
    return (x0 - pad, y0 - pad, x1 + pad, y1 + pad)


def minimum_width(geom) -> float:
    """The smallest distance between two parallel lines enclosing ``geom`` (rotating calipers on
    the convex hull): how far "across" the zone is at its narrowest. 0 for points and lines."""
    if geom is None or shapely.is_empty(geom):
        return 0.0
    hull = shapely.convex_hull(geom)
    if hull.geom_type != "Polygon":
        return 0.0
    pts = np.asarray(hull.exterior.coords, dtype=float)[:-1, :2]
    edges = np.roll(pts, -1, axis=0) - pts
    lengths = np.hypot(edges[:, 0], edges[:, 1])
    keep = lengths > 0
    if not keep.any():
        return 0.0
    normals = np.column_stack((-edges[keep, 1], edges[keep, 0])) / lengths[keep, None]
    # distance of every hull vertex from the line through each hull edge
    d = np.abs(np.einsum("ijk,ik->ij", pts[None, :, :] - pts[keep][:, None, :], normals))
    return float(d.max(axis=1).min())


def invalid_reason(geom) -> tuple[str, Optional[tuple[float, float]]]:
    """A plain-words reason a geometry is invalid and the point GEOS points at (or None)."""
    reason = shapely.is_valid_reason(geom) or "Invalid geometry"
    m = _WHERE.search(reason)
    where = (float(m.group(1)), float(m.group(2))) if m else None
    kind = reason.split("[", 1)[0].strip()
    words = {
        "Self-intersection": "its boundary crosses itself",
        "Ring Self-intersection": "its boundary touches itself at a point",
        "Too few points in geometry component": "it has too few points",
        "Hole lies outside shell": "a hole lies outside its outline",
        "Nested shells": "one part lies inside another",
        "Interior is disconnected": "a hole splits it in two",
        "Invalid Coordinate": "it has an invalid coordinate",
        "Nested holes": "one hole lies inside another",
        "Self-intersecting ring": "its boundary crosses itself",
    }.get(kind, kind.lower() or "its geometry is invalid")
    return words, where


def zone_for_point(point, zones: list[Zone]) -> Optional[str]:
    """The zone_id of the zone containing ``point`` (boundary counts as inside); when zones
    overlap, the smallest. None when the point lies outside every zone."""
    found = zones_for_points([point], zones)
    return found[0]


def zones_for_points(points, zones: list[Zone]) -> list[Optional[str]]:
    usable = [z for z in zones if _usable(z.geometry)]
    out: list[Optional[str]] = [None] * len(points)
    if not usable or not len(points):
        return out
    geoms = np.array([z.geometry for z in usable], dtype=object)
    areas = shapely.area(geoms)
    tree = shapely.STRtree(geoms)
    pts = np.array([p if p is not None else shapely.Point() for p in points], dtype=object)
    pi, zi = tree.query(pts, predicate="intersects")
    best: dict[int, tuple[float, str, Optional[str]]] = {}
    for p, z in zip(pi.tolist(), zi.tolist()):
        cand = (float(areas[z]), text(usable[z].zone_id) or "", text(usable[z].zone_id))
        if p not in best or cand[:2] < best[p][:2]:
            best[p] = cand
    for p, cand in best.items():
        out[p] = cand[2]
    return out


def _usable(geom) -> bool:
    return geom is not None and not shapely.is_empty(geom) and bool(shapely.is_valid(geom))


# --- zones ---------------------------------------------------------------------------------------


def check_zones(zones: list[Zone], limits: Limits = Limits()) -> list[Problem]:
    problems: list[Problem] = []
    by_id: dict[str, list[Zone]] = defaultdict(list)
    for z in zones:
        label = zone_label(z)
        zid = text(z.zone_id)
        here = _bounds(z.geometry)
        if zid is None:
            problems.append(
                Problem(
                    MISSING_ID,
                    ERROR,
                    (z.key,),
                    f"{label[0].upper()}{label[1:]} has no zone_id.",
                    "Fill in a unique id such as HS-007: visits and coverage are reported by zone id.",
                    here,
                )
            )
        else:
            by_id[zid].append(z)
        if text(z.name) is None:
            problems.append(
                Problem(
                    MISSING_NAME,
                    WARNING,
                    (z.key,),
                    f"{label} has no name.",
                    "Give it a name officers recognise on a briefing, e.g. “Market St / bus station”.",
                    here,
                )
            )
        tmin, tmax = number(z.target_min), number(z.target_max)
        if tmin is not None and tmax is not None and tmin > tmax:
            problems.append(
                Problem(
                    TARGET_BAND,
                    ERROR,
                    (z.key,),
                    f"{label}: target_min ({tmin:g} min) is above target_max ({tmax:g} min).",
                    "Swap the two values; the Koper curve suggests visits of 10–15 minutes.",
                    here,
                )
            )
        prio = number(z.priority)
        lo, hi = PRIORITY_RANGE_LIMITS
        if prio is not None and not lo <= prio <= hi:
            problems.append(
                Problem(
                    PRIORITY_RANGE,
                    WARNING,
                    (z.key,),
                    f"{label}: priority {prio:g} is outside {lo}–{hi}.",
                    f"Use {lo} (highest) to {hi} (lowest).",
                    here,
                )
            )
        for name, value in (("active_from", z.active_from), ("active_to", z.active_to)):
            t = text(value)
            if t is not None and not _TIME.match(t):
                problems.append(
                    Problem(
                        ACTIVE_TIME,
                        ERROR,
                        (z.key,),
                        f"{label}: {name} “{t}” is not a time of day.",
                        "Write it as HH:MM (24-hour clock, e.g. 18:30), or leave it empty for all day.",
                        here,
                    )
                )
        problems.extend(_geometry_problems(z, label, limits))

    for zid, group in sorted(by_id.items()):
        if len(group) > 1:
            problems.append(
                Problem(
                    DUPLICATE_ID,
                    ERROR,
                    tuple(z.key for z in group),
                    f"zone_id {zid} is used by {len(group)} zones.",
                    "Zone ids must be unique, or their visits are mixed up: rename all but one.",
                    _union_bounds([z.geometry for z in group]),
                )
            )
    problems.extend(_overlaps(zones, limits))
    return _sorted(problems)


def _geometry_problems(z: Zone, label: str, limits: Limits) -> list[Problem]:
    g = z.geometry
    if g is None or shapely.is_empty(g):
        return [
            Problem(
                NO_GEOMETRY, ERROR, (z.key,), f"{label} has no geometry.", "Delete it, or draw its outline again.", None
            )
        ]
    if not shapely.is_valid(g):
        words, where = invalid_reason(g)
        at = _bounds(shapely.Point(where), pad=10.0) if where else _bounds(g)
        return [
            Problem(
                INVALID_GEOMETRY,
                ERROR,
                (z.key,),
                f"{label} is invalid: {words}.",
                "Move the vertex so the edges no longer cross (Vertex tool), or run Vector ▸ Geometry "
                "Tools ▸ Fix Geometries.",
                at,
            )
        ]
    out = []
    width = minimum_width(g)
    if width < limits.min_width_m:
        out.append(
            Problem(
                TOO_SMALL,
                WARNING,
                (z.key,),
                f"{label} is only {width:.0f} m across (GPS needs at least {limits.min_width_m:g} m).",
                "GPS fixes scatter by 5–15 m: widen the zone, or record the place as a waypoint instead.",
                _bounds(g, pad=limits.min_width_m),
            )
        )
    area = float(shapely.area(g))
    if area > limits.max_area_m2:
        out.append(
            Problem(
                TOO_LARGE,
                WARNING,
                (z.key,),
                f"{label} covers {format_area(area)} (limit {format_area(limits.max_area_m2)}).",
                "Hot spots are street segments or small places (~50–300 m across): draw the actual hot "
                "spots, or raise the limit in Settings ▸ Options ▸ Hotspot Patrol.",
                _bounds(g),
            )
        )
    return out


def _overlaps(zones: list[Zone], limits: Limits) -> list[Problem]:
    usable = [z for z in zones if _usable(z.geometry)]
    if len(usable) < 2:
        return []
    geoms = np.array([z.geometry for z in usable], dtype=object)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    out = []
    for i, j in zip(left[keep].tolist(), right[keep].tolist()):
        common = shapely.intersection(geoms[i], geoms[j])
        area = float(shapely.area(common))
        if area <= limits.overlap_tolerance_m2:
            continue  # shared edges and slivers
        a, b = usable[i], usable[j]
        out.append(
            Problem(
                OVERLAP,
                WARNING,
                (a.key, b.key),
                f"{zone_label(a)} and {zone_label(b)} overlap by {format_area(area)}.",
                "Time spent in the shared area counts for both zones: move the shared edge (turn on "
                "snapping), or merge the two zones.",
                _bounds(common),
            )
        )
    return out


# --- waypoints -----------------------------------------------------------------------------------


def check_waypoints(waypoints: list[Waypoint], zones: list[Zone]) -> list[Problem]:
    problems: list[Problem] = []
    by_id: dict[str, list[Waypoint]] = defaultdict(list)
    located = zones_for_points([w.geometry for w in waypoints], zones)
    for w, inside in zip(waypoints, located):
        label = waypoint_label(w)
        wid = text(w.waypoint_id)
        here = _bounds(w.geometry, pad=25.0)
        if wid is None:
            problems.append(
                Problem(
                    MISSING_ID,
                    WARNING,
                    (w.key,),
                    f"{label[0].upper()}{label[1:]} has no waypoint_id.",
                    "Fill in a unique id such as WP-004: waypoint visits are reported by it.",
                    here,
                )
            )
        else:
            by_id[wid].append(w)
        if w.geometry is None or shapely.is_empty(w.geometry):
            problems.append(
                Problem(
                    NO_GEOMETRY,
                    ERROR,
                    (w.key,),
                    f"{label} has no location.",
                    "Delete it, or add it again by clicking the map.",
                    None,
                )
            )
            continue
        if inside is None:
            problems.append(
                Problem(
                    OUTSIDE_ZONES,
                    WARNING,
                    (w.key,),
                    f"{label} lies outside every zone.",
                    "Move it into its zone, or draw a zone around it; its own visits are still counted.",
                    here,
                )
            )
        elif inside is not None and text(w.zone_id) != inside:
            stored = text(w.zone_id) or "no zone_id"
            problems.append(
                Problem(
                    WRONG_ZONE,
                    WARNING,
                    (w.key,),
                    f"{label} has {stored} but lies in {inside}.",
                    "Use “Assign zones” to set every waypoint's zone_id from its location.",
                    here,
                )
            )
    for wid, group in sorted(by_id.items()):
        if len(group) > 1:
            problems.append(
                Problem(
                    DUPLICATE_ID,
                    ERROR,
                    tuple(w.key for w in group),
                    f"waypoint_id {wid} is used by {len(group)} waypoints.",
                    "Waypoint ids must be unique: rename all but one.",
                    _union_bounds([w.geometry for w in group], pad=25.0),
                )
            )
    return _sorted(problems)


def _union_bounds(geoms, pad: float = 0.0) -> Optional[Bounds]:
    boxes = [b for b in (_bounds(g) for g in geoms) if b is not None]
    if not boxes:
        return None
    a = np.asarray(boxes)
    return (
        float(a[:, 0].min()) - pad,
        float(a[:, 1].min()) - pad,
        float(a[:, 2].max()) + pad,
        float(a[:, 3].max()) + pad,
    )


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (not p.is_error, p.message))
