"""Visits: intervals inside an area merged into entries and exits per unit and area; ``match``."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import status as _status
from .areas import MAX_WORKERS, PARALLEL_FROM, Intervals, find_intervals
from .tracks import MatchParams, Segments, Tracks


# --------------------------------------------------------------------------- visits
@dataclass
class Visits:
    """One row per visit (arrays), plus each visit's path as coordinates with offsets."""

    area: np.ndarray
    unit: np.ndarray
    entry: np.ndarray
    exit: np.ndarray
    pings: np.ndarray
    band: np.ndarray
    pass_through: np.ndarray
    path_xy: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    path_offsets: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))

    @property
    def dwell(self) -> np.ndarray:
        return self.exit - self.entry

    def __len__(self) -> int:
        return len(self.entry)

    def path(self, i: int) -> np.ndarray:
        return self.path_xy[self.path_offsets[i] : self.path_offsets[i + 1]]


def _band(dwell: np.ndarray, params: MatchParams) -> np.ndarray:
    return _status.band(dwell, params.target_min, params.target_max)


def build_visits(tracks: Tracks, segments: Segments, iv: Intervals, params: MatchParams) -> Visits:
    """Intervals -> merged, clipped visits with ping counts and paths."""
    seg, area, s0, start, end, last_seg = _premerge(tracks, segments, iv, params.merge_gap)
    # by area, then segment (segments are in unit-then-time order), then position on the segment
    # one float key; the position term is far below the key's spacing of 1 (ulp < 1e-4 up to 5e11)
    key = (area.astype(np.int64) * max(len(segments), 1) + seg) + 0.5 * s0
    order = np.argsort(key, kind="stable")
    seg, area, start, end, last_seg = seg[order], area[order], start[order], end[order], last_seg[order]
    unit = tracks.unit[segments.a[seg]]
    n = len(start)
    if n:
        # running end within (area, unit), so a merged visit swallows everything it covers
        same = np.r_[False, (area[1:] == area[:-1]) & (unit[1:] == unit[:-1])]
        run_end = _group_cummax(end, np.cumsum(~same))
        prev_end = np.r_[-np.inf, run_end[:-1]]
        gap = start - prev_end
        joins = same & ((gap <= 0) | (gap < params.merge_gap))
        first = np.flatnonzero(~joins)
        v_area, v_unit, v_entry = area[first], unit[first], start[first]
        v_exit = np.maximum.reduceat(end, first)
        # where to start looking for the pings around entry and exit: the segments they lie on
        near_entry = segments.b[seg[first]]
        near_exit = segments.b[last_seg[np.r_[first[1:], n] - 1]]
    else:
        v_area = v_unit = near_entry = near_exit = np.zeros(0, np.int64)
        v_entry = v_exit = np.zeros(0)

    # clip to the analysis period
    if params.period_start is not None or params.period_end is not None:
        ps = -np.inf if params.period_start is None else params.period_start
        pe = np.inf if params.period_end is None else params.period_end
        keep = (v_exit >= ps) & (v_entry <= pe)
        v_area, v_unit, near_entry, near_exit = v_area[keep], v_unit[keep], near_entry[keep], near_exit[keep]
        v_entry, v_exit = np.maximum(v_entry[keep], ps), np.minimum(v_exit[keep], pe)
    # the pings around entry and exit, found near the segments the times lie on, and the entry
    # and exit points: where the unit was at those times (on its interpolated path); worked out
    # visit by visit along the tracks, so that the track arrays are read in order
    along = np.argsort(near_entry, kind="stable")
    keys = _NearKeys(tracks)
    a_unit, a_entry, a_exit = v_unit[along], v_entry[along], v_exit[along]
    lo_in = keys.search(a_unit, a_entry, "left", near_entry[along])
    lo_strict = keys.search(a_unit, a_entry, "right", lo_in)  # the ping after the entry
    hi_strict = keys.search(a_unit, a_exit, "left", near_exit[along])
    hi_in = keys.search(a_unit, a_exit, "right", hi_strict)  # the ping after the exit
    found = (lo_in, lo_strict, hi_strict, hi_in)
    found += _interpolate(tracks, a_unit, a_entry, lo_strict) + _interpolate(tracks, a_unit, a_exit, hi_in)
    lo_in, lo_strict, hi_strict, hi_in, en_x, en_y, ex_x, ex_y = (_unpermute(v, along) for v in found)
    pings = hi_in - lo_in
    # path: entry point, the pings strictly between entry and exit, exit point
    inner = np.maximum(hi_strict - lo_strict, 0)
    count = inner + 2
    offsets = np.r_[0, np.cumsum(count)]
    # row r of visit v holds ping lo_strict[v] + (r - offsets[v] - 1); its first and last rows are
    # overwritten by the entry and exit points
    src = np.arange(int(offsets[-1])) - np.repeat(offsets[:-1] + 1 - lo_strict, count)
    xy = np.empty((int(offsets[-1]), 2))
    xy[:, 0] = np.take(tracks.x, src, mode="clip")
    xy[:, 1] = np.take(tracks.y, src, mode="clip")
    xy[offsets[:-1], 0], xy[offsets[:-1], 1] = en_x, en_y
    xy[offsets[1:] - 1, 0], xy[offsets[1:] - 1, 1] = ex_x, ex_y

    dwell = v_exit - v_entry
    return Visits(
        area=v_area,
        unit=v_unit,
        entry=v_entry,
        exit=v_exit,
        pings=pings.astype(np.int64),
        band=_band(dwell, params),
        pass_through=dwell < params.min_dwell,
        path_xy=xy,
        path_offsets=offsets.astype(np.int64),
    )


def _premerge(tracks: Tracks, segments: Segments, iv: Intervals, merge_gap: float, workers: int | None = None):
    """Intervals as (segment, area, position, start time, end time), neighbours in ``iv`` that
    build_visits would merge anyway already merged (most are a unit's consecutive segments in one
    zone), which makes the sort by area several times smaller.

    Two neighbours i, j merge when they are of one area and one unit, j is later on the track
    (a later segment, or further along the same one) and j starts less than ``merge_gap`` after
    i ends (or before it ends). Then the merged interval [start i, max(end i, end j)] joins the
    same visit as i and j would, with the same entry and exit: whatever lies between them in the
    (area, unit, time) order starts between their starts, so joins that visit either way.
    Returns, per merged interval, its first segment, area, position, start, end, last segment.
    Neighbours are independent of one another, so parts of ``iv`` run on several threads."""
    n = len(iv.seg)
    workers = workers or min(os.cpu_count() or 1, MAX_WORKERS)
    if workers < 2 or n < 2 * PARALLEL_FROM:
        return _premerge_part(tracks, segments, iv.seg, iv.area, iv.s0, iv.s1, merge_gap)
    cuts = np.linspace(0, n, workers + 1).astype(np.int64)

    def part(k: int):
        sl = slice(cuts[k], cuts[k + 1])
        return _premerge_part(tracks, segments, iv.seg[sl], iv.area[sl], iv.s0[sl], iv.s1[sl], merge_gap)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(part, range(workers)))
    return tuple(np.concatenate(columns) for columns in zip(*parts))


def _premerge_part(tracks: Tracks, segments: Segments, seg, area, s0, s1, merge_gap: float):
    a = segments.a[seg]
    ta = tracks.t[a]
    tb = tracks.t[segments.b[seg]]
    d = tb - ta
    start = s0 * d
    start += ta
    np.copyto(start, tb, where=s0 >= 1.0)
    end = np.multiply(s1, d, out=d)
    end += ta
    np.copyto(end, tb, where=s1 >= 1.0)
    n = len(seg)
    if n < 2:
        return seg, area, s0, start, end, seg
    unit = tracks.unit[a]
    gap = start[1:] - end[:-1]
    link = gap < merge_gap
    link |= gap <= 0
    link &= area[1:] == area[:-1]
    link &= unit[1:] == unit[:-1]
    link &= (seg[1:] > seg[:-1]) | ((seg[1:] == seg[:-1]) & (s0[1:] >= s0[:-1]))
    first = np.flatnonzero(np.r_[True, ~link])
    if len(first) == n:
        return seg, area, s0, start, end, seg
    last = np.r_[first[1:], n] - 1
    return seg[first], area[first], s0[first], start[first], np.maximum.reduceat(end, first), seg[last]


def _unpermute(values: np.ndarray, order: np.ndarray) -> np.ndarray:
    """The array v with v[order] == values."""
    out = np.empty_like(values)
    out[order] = values
    return out


def _interpolate(tracks: Tracks, unit: np.ndarray, t: np.ndarray, after: np.ndarray):
    """Positions of units at times, given ``after``: the index of the first ping later than t."""
    i = np.clip(after - 1, 0, max(len(tracks) - 1, 0))
    j = np.minimum(i + 1, len(tracks) - 1)
    same = (tracks.unit[j] == unit) & (tracks.t[j] > tracks.t[i])
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(same, (t - tracks.t[i]) / (tracks.t[j] - tracks.t[i]), 0.0)
    f = np.clip(f, 0.0, 1.0)
    return tracks.x[i] + f * (tracks.x[j] - tracks.x[i]), tracks.y[i] + f * (tracks.y[j] - tracks.y[i])


def _group_cummax(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Running maximum of ``values`` restarting at every change of ``group`` (sorted groups)."""
    return pd.Series(values).groupby(group).cummax().to_numpy()


class _TimeKeys:
    """Search a unit's pings by time across all units at once (one sorted float key)."""

    def __init__(self, tracks: Tracks):
        self.tracks = tracks
        if len(tracks):
            self.base = float(tracks.t.min())
            self.span = float(tracks.t.max() - self.base) + 10.0
        else:
            self.base, self.span = 0.0, 1.0
        self._key = None

    @property
    def key(self) -> np.ndarray:
        if self._key is None:
            self._key = self.tracks.unit * self.span + (self.tracks.t - self.base)
        return self._key

    def key_at(self, i: np.ndarray) -> np.ndarray:
        """``key[i]``, computed for just these pings."""
        return self.tracks.unit[i] * self.span + (self.tracks.t[i] - self.base)

    def search(self, unit, t, side) -> np.ndarray:
        needle = unit * self.span + (t - self.base)
        order = np.argsort(needle, kind="stable")  # sorted needles make searchsorted cache-friendly
        found = np.empty(len(needle), dtype=np.int64)
        found[order] = np.searchsorted(self.key, needle[order], side=side)
        return found


class _NearKeys(_TimeKeys):
    """The same searches, answered from a guess close to the answer: a few steps over neighbouring
    pings confirm it (keys computed for those pings only), a bisection settles the few that are
    far off. The result is exactly ``np.searchsorted(key, needle, side)``."""

    STEPS = 3

    def search(self, unit, t, side, guess=None) -> np.ndarray:
        needle = unit * self.span + (t - self.base)
        n = len(self.tracks)
        if guess is None or not np.all(np.isfinite(needle)):
            return super().search(unit, t, side)
        before = np.less if side == "left" else np.less_equal  # key[i] lies before the needle
        idx = np.clip(guess, 0, n).astype(np.int64)
        todo = np.arange(len(needle))
        for _ in range(self.STEPS):
            i, nd = idx[todo], needle[todo]
            down = i > 0
            down[down] = ~before(self.key_at(i[down] - 1), nd[down])
            up = ~down & (i < n)
            up[up] = before(self.key_at(i[up]), nd[up])
            idx[todo] = i - down + up
            todo = todo[down | up]
            if len(todo) == 0:
                return idx
        lo, hi = np.zeros(len(todo), np.int64), np.full(len(todo), n, np.int64)
        nd = needle[todo]
        while np.any(lo < hi):
            mid = (lo + hi) // 2
            right = (lo < hi) & before(self.key_at(np.minimum(mid, n - 1)), nd)
            lo = np.where(right, mid + 1, lo)
            hi = np.where((lo < hi) & ~right, mid, hi)
        idx[todo] = lo
        return idx


def match(tracks: Tracks, areas, params: MatchParams) -> Visits:
    """All visits of all units to all areas (PolygonAreas or DiscAreas)."""
    params.check()
    segments = Segments.from_tracks(tracks, params.max_gap)
    iv = find_intervals(tracks, segments, areas)
    return build_visits(tracks, segments, iv, params)


# --------------------------------------------------------------------------- coverage
