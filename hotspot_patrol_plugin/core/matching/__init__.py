"""Visit matching: officer pings against zones (polygons) and waypoints (discs), vectorised.

Definitions (see DOMAIN.md and the matching issue):

* pings are grouped by unit and ordered by time; a unit's exact duplicates (same time) count once;
* between two consecutive pings at most ``max_gap`` seconds apart the unit moves in a straight line
  at constant speed; across a longer gap nothing is inferred (a ping with no usable neighbour is a
  point in time);
* a unit is inside a zone when its interpolated position is inside or on the boundary; entry and
  exit are the times the interpolated path crosses the boundary;
* visits of one unit to one zone less than ``merge_gap`` apart are one visit; dwell = exit - entry;
* dwell < ``min_dwell`` is a pass-through; bands: short < target_min <= target <= target_max < long.

Nothing here loops over pings in Python: segments and (segment, zone) candidates are numpy arrays,
crossings are computed for all (candidate, edge) pairs at once, inside tests use shapely 2.

The package: ``tracks`` (pings -> tracks and segments, the parameters), ``boxes`` (the candidate
search), ``areas`` (polygons and discs, the crossings), ``visits`` (intervals -> visits, ``match``),
``zone_coverage`` (visits -> each area's coverage and status), ``run`` (one whole job:
``match_zones``). Everything public is re-exported here.
"""

from __future__ import annotations

from .areas import CHUNK_EDGE_ROWS, CHUNK_SEGMENTS, DiscAreas, Intervals, PolygonAreas, find_intervals
from .boxes import BoxIndex
from .run import HISTOGRAM_MINUTES, ZoneMatch, clip_paths, dwell_histogram, match_waypoints, match_zones
from .tracks import BAND_LONG, BAND_SHORT, BAND_TARGET, BANDS, MatchParams, Segments, Tracks
from .visits import Visits, _group_cummax, build_visits, match
from .zone_coverage import (
    STATUS_ABOVE,
    STATUS_BELOW,
    STATUS_NOT_VISITED,
    STATUS_ON,
    Coverage,
    coverage,
)

__all__ = [
    "BAND_LONG",
    "BAND_SHORT",
    "BAND_TARGET",
    "BANDS",
    "CHUNK_EDGE_ROWS",
    "CHUNK_SEGMENTS",
    "STATUS_ABOVE",
    "STATUS_BELOW",
    "STATUS_NOT_VISITED",
    "STATUS_ON",
    "BoxIndex",
    "Coverage",
    "DiscAreas",
    "Intervals",
    "MatchParams",
    "PolygonAreas",
    "Segments",
    "Tracks",
    "Visits",
    "_group_cummax",
    "build_visits",
    "coverage",
    "find_intervals",
    "match",
    "HISTOGRAM_MINUTES",
    "ZoneMatch",
    "clip_paths",
    "dwell_histogram",
    "match_waypoints",
    "match_zones",
]
