"""One matching job, as hotspotpatrol:matchtracks (and anything else) runs it: pings and zones in,
visits, coverage and the dwell histogram out; waypoint visits; each visit's path cut to its zone."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from .. import status as _status
from ..cleaning import far_from_zones
from ..definitions import period_label
from .areas import DiscAreas, PolygonAreas
from .tracks import MatchParams, Tracks
from .visits import Visits, match
from .zone_coverage import Coverage, coverage

#: the dwell histogram's last bin: this many minutes and more
HISTOGRAM_MINUTES = 30


@dataclass
class ZoneMatch:
    """What matching the pings against the zones gives."""

    tracks: Tracks
    zone_geoms: np.ndarray  # as matched: grown by the boundary tolerance
    visits: Visits
    coverage: Coverage
    #: True when some zone's band (its own target_min/target_max) differs from the run's
    own_band: bool
    warnings: list[str] = field(default_factory=list)

    def period(self, params: MatchParams, timezone: str) -> str:
        """The period the run covers, as layer names say it: the analysis period, else the visits'."""
        if params.period_start is not None and params.period_end is not None:
            return period_label(params.period_start, params.period_end, timezone, end_exclusive=True)
        if not len(self.visits):
            return ""
        start = params.period_start if params.period_start is not None else float(self.visits.entry.min())
        end = params.period_end if params.period_end is not None else float(self.visits.exit.max())
        return period_label(start, end, timezone)


def match_zones(
    unit, t, x, y, zone_geoms, params: MatchParams, plan: dict | None = None, tolerance: float = 0.0
) -> ZoneMatch:
    """Pings (unit codes, UTC seconds, x, y in a metric CRS) against zones (shapely polygons in the
    same CRS, grown by ``tolerance`` metres): visits (banded by each zone's own band when ``plan``
    gives one, see ``coverage``) and each zone's coverage."""
    plan = plan or {}
    if tolerance > 0:
        zone_geoms = shapely.buffer(zone_geoms, tolerance, quad_segs=8)
    warnings = [w for w in (far_from_zones(x, y, zone_geoms),) if w]
    tracks = Tracks.build(unit, t, x, y)
    visits = match(tracks, PolygonAreas(zone_geoms), params)
    cov = coverage(visits, len(zone_geoms), params, **plan)
    visits.band = cov.visit_band
    own_band = bool(plan) and not (
        np.all(cov.target_min == params.target_min) and np.all(cov.target_max == params.target_max)
    )
    return ZoneMatch(tracks, zone_geoms, visits, cov, own_band, warnings)


def match_waypoints(tracks: Tracks, points, radius: float, params: MatchParams) -> Visits:
    """Visits to waypoints (shapely points): discs of ``radius`` metres."""
    return match(tracks, DiscAreas(shapely.get_x(points), shapely.get_y(points), radius), params)


def dwell_histogram(
    visits: Visits, cov: Coverage, zone_ids, params: MatchParams, top: int = HISTOGRAM_MINUTES
) -> list[tuple]:
    """Counted visits per whole minute of dwell (0–1 … 29–30, 30+), per zone and for all zones,
    each bin labelled with the band its middle falls in: rows of (zone, minute_from, minute_to,
    label, visits, share %, band)."""
    counted = ~visits.pass_through & cov.visit_active
    area = visits.area[counted]
    minute = np.minimum((visits.dwell[counted] // 60).astype(np.int64), top)
    n_zones = len(zone_ids)
    per_zone = np.bincount(area * (top + 1) + minute, minlength=n_zones * (top + 1)).reshape(n_zones, top + 1)
    middle = (np.arange(top + 1) + 0.5) * 60.0
    groups = [("all zones", per_zone.sum(axis=0), params.target_min, params.target_max)]
    groups += [
        (zone_ids[i], per_zone[i], cov.target_min[i], cov.target_max[i]) for i in np.flatnonzero(per_zone.sum(axis=1))
    ]
    rows = []
    for zid, counts, lo, hi in groups:
        bands = _status.band(middle, lo, hi)
        total = max(int(counts.sum()), 1)
        for m in range(top + 1):
            label = f"{m}–{m + 1} min" if m < top else f"{top}+ min"
            rows.append(
                (
                    str(zid),
                    m,
                    m + 1 if m < top else None,
                    label,
                    int(counts[m]),
                    round(100.0 * float(counts[m]) / total, 1),
                    str(bands[m]),
                )
            )
    return rows


def clip_paths(lines: np.ndarray, visit_area: np.ndarray, areas: np.ndarray, to_out=None) -> np.ndarray:
    """Each visit's path cut to its zone, so a visit merged across the gap between two parts of a
    multi-part zone draws no line over the gap: multi-line strings. ``lines`` are in the output
    CRS; ``to_out`` takes the areas there (None: the same CRS)."""
    if not len(lines):
        return lines
    result = shapely.multilinestrings(lines, indices=np.arange(len(lines)))  # a path left as it is
    # a merged visit's path can cross a gap between parts, a hole or a bay of a concave zone: the
    # costly overlay runs only for the paths that leave their zone (a prepared test finds them)
    if to_out is not None:
        areas = shapely.transform(areas, lambda xy: np.column_stack(to_out(xy[:, 0], xy[:, 1])))
    # entry and exit lie on the boundary, where rounding puts half of them a hair outside: the test
    # is against the zone grown by a billionth of its coordinates (0.5 mm in BNG, ~5 mm in degrees)
    tol = float(np.nanmax(np.abs(shapely.total_bounds(areas)))) * 1e-9
    grown = shapely.buffer(areas, tol, quad_segs=2)
    shapely.prepare(grown)
    todo = np.flatnonzero(~shapely.covered_by(lines, grown[visit_area]))
    if not len(todo):
        return result
    cut = shapely.intersection(lines[todo], areas[visit_area[todo]])
    parts, index = shapely.get_parts(cut, return_index=True)
    keep = shapely.get_type_id(parts) == 1
    parts, index = parts[keep], index[keep]
    if len(parts):  # ... unless some of it lies in its zone
        cut_ones, order = np.unique(index, return_inverse=True)
        result[todo[cut_ones]] = shapely.multilinestrings(parts, indices=order)
    return result
