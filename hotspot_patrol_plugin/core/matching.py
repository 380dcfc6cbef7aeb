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
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from . import status as _status

BAND_SHORT, BAND_TARGET, BAND_LONG = "short", "target", "long"
BANDS = np.array([BAND_SHORT, BAND_TARGET, BAND_LONG], dtype=object)

#: rows of (segment, edge) work done at once; bounds peak memory (~25 float64 arrays of this size)
CHUNK_EDGE_ROWS = 4_000_000
CHUNK_SEGMENTS = 2_000_000
PARALLEL_FROM = 200_000  # segments; below this one thread is quicker than two
MAX_WORKERS = 4
_EPS = 1e-12


@dataclass
class MatchParams:
    max_gap: float = 300.0
    merge_gap: float = 60.0
    min_dwell: float = 60.0
    target_min: float = 600.0
    target_max: float = 900.0
    period_start: float | None = None
    period_end: float | None = None

    def check(self) -> None:
        for name in ("max_gap", "merge_gap", "min_dwell", "target_min", "target_max"):
            value = getattr(self, name)
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a number of seconds >= 0, not {value!r}")
        if self.target_min > self.target_max:
            raise ValueError(
                f"the target band is empty: its minimum ({self.target_min / 60:g} min) is above "
                f"its maximum ({self.target_max / 60:g} min)"
            )
        if (
            self.period_start is not None
            and self.period_end is not None
            and self.period_end <= self.period_start
        ):
            raise ValueError("the analysis period ends before it starts")


@dataclass
class Tracks:
    """Pings sorted by (unit, time), duplicates removed. ``unit`` are integer codes."""

    unit: np.ndarray
    t: np.ndarray
    x: np.ndarray
    y: np.ndarray
    duplicates: int = 0

    @classmethod
    def build(cls, unit, t, x, y) -> Tracks:
        # integer codes and times are ordered as they come and converted after (same values, one
        # pass over the data less)
        unit = np.asarray(unit)
        if unit.dtype.kind != "i" and not (unit.dtype.kind == "u" and unit.dtype.itemsize < 8):
            unit = unit.astype(np.int64)
        t = np.asarray(t)
        if t.dtype.kind not in "iuf":
            t = t.astype(np.float64)
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        order, unit, t = _unit_time_order(unit, t)
        x, y = x[order], y[order]
        dup = np.zeros(len(t), dtype=bool)
        if len(t) > 1:
            dup[1:] = (unit[1:] == unit[:-1]) & (t[1:] == t[:-1])
        n_dup = int(dup.sum())
        if n_dup == 0:
            return cls(unit, t, x, y, 0)
        keep = ~dup
        return cls(unit[keep], t[keep], x[keep], y[keep], n_dup)

    def __len__(self) -> int:
        return len(self.t)


@dataclass
class Segments:
    """Track pieces: from ping ``a`` to ping ``b`` (b == a for a ping with no usable neighbour)."""

    a: np.ndarray
    b: np.ndarray

    @classmethod
    def from_tracks(cls, tracks: Tracks, max_gap: float) -> Segments:
        n = len(tracks)
        if n == 0:
            return cls(np.zeros(0, np.int64), np.zeros(0, np.int64))
        has_right = np.zeros(n, dtype=bool)
        link = has_right[:-1]
        np.equal(tracks.unit[1:], tracks.unit[:-1], out=link)
        link &= np.diff(tracks.t) <= max_gap
        # a segment starts at every ping linked to the next, and at every lonely ping (linked to
        # neither neighbour): at each ping but those linked only to the previous one
        starts_here = np.ones(n, dtype=bool)
        starts_here[1:] = ~link
        starts_here |= has_right
        a = np.flatnonzero(starts_here)
        return cls(a, a + has_right[a])

    def __len__(self) -> int:
        return len(self.a)


# --------------------------------------------------------------------------- candidate search
def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For groups of the given sizes: (group index, position within group) of every member."""
    total = int(counts.sum())
    group = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    within = np.arange(total) - np.repeat(starts, counts)
    return group, within


class BoxIndex:
    """A uniform grid over boxes (minx, miny, maxx, maxy); finds boxes that touch query boxes."""

    MAX_CELLS_PER_QUERY = 64

    def __init__(self, boxes: np.ndarray):
        self.boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
        ok = np.all(np.isfinite(self.boxes), axis=1)
        self.valid = np.flatnonzero(ok)
        if len(self.valid) == 0:
            self.empty = True
            return
        self.empty = False
        b = self.boxes[self.valid]
        self.ox, self.oy = b[:, 0].min(), b[:, 1].min()
        width = max(b[:, 2].max() - self.ox, 1e-9)
        height = max(b[:, 3].max() - self.oy, 1e-9)
        size = np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1])
        cell = max(float(np.median(size)) * 2.0, np.sqrt(width * height / 1_000_000), 1e-6)
        self.cell = cell
        self.ncx = int(width // cell) + 1
        self.ncy = int(height // cell) + 1
        ix0, iy0, ix1, iy1 = self._cells(b[:, 0], b[:, 1], b[:, 2], b[:, 3])
        w = ix1 - ix0 + 1
        box, within = _expand(w * (iy1 - iy0 + 1))
        cx = ix0[box] + within % w[box]
        cy = iy0[box] + within // w[box]
        cell_id = cy * self.ncx + cx
        order = np.argsort(cell_id, kind="stable")
        self.cell_box = self.valid[box[order]]
        # each box's first cell, and its bounds as contiguous arrays
        self.box_ix0 = np.zeros(len(self.boxes), np.int64)
        self.box_iy0 = np.zeros(len(self.boxes), np.int64)
        self.box_ix0[self.valid], self.box_iy0[self.valid] = ix0, iy0
        self.bx0, self.by0, self.bx1, self.by1 = (np.ascontiguousarray(self.boxes[:, i]) for i in range(4))
        self.cell_start = np.searchsorted(cell_id[order], np.arange(self.ncx * self.ncy + 1))

    def _cells(self, x0, y0, x1, y1):
        c = self.cell
        ix0 = np.clip(np.floor((x0 - self.ox) / c), 0, self.ncx - 1).astype(np.int64)
        iy0 = np.clip(np.floor((y0 - self.oy) / c), 0, self.ncy - 1).astype(np.int64)
        ix1 = np.clip(np.floor((x1 - self.ox) / c), 0, self.ncx - 1).astype(np.int64)
        iy1 = np.clip(np.floor((y1 - self.oy) / c), 0, self.ncy - 1).astype(np.int64)
        return ix0, iy0, ix1, iy1

    def query(self, x0, y0, x1, y1) -> tuple[np.ndarray, np.ndarray]:
        """(query index, box index) of every pair of touching boxes, each pair once (in no
        particular order)."""
        if self.empty or len(x0) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        b = self.boxes
        q_all = np.flatnonzero(
            (x1 >= self.ox)
            & (y1 >= self.oy)
            & (x0 <= self.ox + self.ncx * self.cell)
            & (y0 <= self.oy + self.ncy * self.cell)
        )
        ix0, iy0, ix1, iy1 = self._cells(x0[q_all], y0[q_all], x1[q_all], y1[q_all])
        w = ix1 - ix0 + 1
        ncell = w * (iy1 - iy0 + 1)
        out_q, out_b = [], []
        # most queries (a few seconds of movement) fall in one cell: no duplicates possible
        one = ncell == 1
        pos, bb = self._boxes_in_cells(iy0[one] * self.ncx + ix0[one])
        out_q.append(q_all[one][pos])
        out_b.append(bb)
        several = np.flatnonzero((ncell > 1) & (ncell <= self.MAX_CELLS_PER_QUERY))
        if len(several):
            # every cell of the query's range; a box in several of them is kept in one: the first
            # cell (lowest x, then y) of the overlap of its range and the query's
            sw, sx0, sy0 = w[several], ix0[several], iy0[several]
            q, within = _expand(ncell[several])
            cx = sx0[q] + within % sw[q]
            cy = sy0[q] + within // sw[q]
            qi, bb = self._boxes_in_cells(cy * self.ncx + cx)
            qs = q[qi]
            first = (cx[qi] == np.maximum(sx0[qs], self.box_ix0[bb])) & \
                (cy[qi] == np.maximum(sy0[qs], self.box_iy0[bb]))
            out_q.append(q_all[several[qs[first]]])
            out_b.append(bb[first])
        for qi in q_all[ncell > self.MAX_CELLS_PER_QUERY]:  # rare: a long jump; test every box
            hit = np.flatnonzero(
                (b[:, 0] <= x1[qi]) & (b[:, 2] >= x0[qi]) & (b[:, 1] <= y1[qi]) & (b[:, 3] >= y0[qi])
            )
            out_q.append(np.full(len(hit), qi, dtype=np.int64))
            out_b.append(hit)
        q = np.concatenate(out_q)
        bi = np.concatenate(out_b)
        exact = np.take(self.bx0, bi) <= np.take(x1, q)
        exact &= np.take(self.bx1, bi) >= np.take(x0, q)
        exact &= np.take(self.by0, bi) <= np.take(y1, q)
        exact &= np.take(self.by1, bi) >= np.take(y0, q)
        return q[exact], bi[exact]

    def _boxes_in_cells(self, cell_id):
        """(position in cell_id, box) of every box in these cells."""
        lo = self.cell_start[cell_id]
        cnt = self.cell_start[cell_id + 1] - lo
        total = int(cnt.sum())
        pos = np.repeat(np.arange(len(cell_id)), cnt)
        return pos, self.cell_box[np.arange(total) - np.repeat(np.cumsum(cnt) - cnt - lo, cnt)]


# --------------------------------------------------------------------------- intervals
@dataclass
class Intervals:
    """Parts of segments inside areas: segment, area, and the segment parameter range [s0, s1]."""

    seg: np.ndarray
    area: np.ndarray
    s0: np.ndarray
    s1: np.ndarray

    @classmethod
    def concat(cls, parts: list[Intervals]) -> Intervals:
        if not parts:
            z = np.zeros(0)
            return cls(z.astype(np.int64), z.astype(np.int64), z, z)
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("seg", "area", "s0", "s1")))


class PolygonAreas:
    """Zones as polygons (metric CRS): edges for crossings, prepared geometries for inside tests."""

    def __init__(self, geoms: np.ndarray):
        self.geoms = np.asarray(geoms, dtype=object)
        shapely.prepare(self.geoms)
        n = len(self.geoms)
        boxes = np.full((n, 4), np.nan)
        nonempty = ~shapely.is_empty(self.geoms) & ~shapely.is_missing(self.geoms)
        boxes[nonempty] = shapely.bounds(self.geoms[nonempty])
        self.boxes = boxes
        parts, part_zone = shapely.get_parts(self.geoms, return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
        same = coord_ring[1:] == coord_ring[:-1]
        self.ex0, self.ey0 = coords[:-1][same, 0], coords[:-1][same, 1]
        self.ex1, self.ey1 = coords[1:][same, 0], coords[1:][same, 1]
        edge_zone = part_zone[ring_part[coord_ring[:-1][same]]]
        order = np.argsort(edge_zone, kind="stable")
        for name in ("ex0", "ey0", "ex1", "ey1"):
            setattr(self, name, getattr(self, name)[order])
        edge_zone = edge_zone[order]
        self.edge_start = np.searchsorted(edge_zone, np.arange(n))
        self.edge_count = np.searchsorted(edge_zone, np.arange(n), side="right") - self.edge_start
        self.inner = self._inner_boxes()
        # convex zones (rectangles, circles, most hot spots) are clipped in closed form (Cyrus-Beck)
        area = shapely.area(self.geoms)
        hull = shapely.area(shapely.convex_hull(self.geoms))
        single = (shapely.get_type_id(self.geoms) == 3) & (shapely.get_num_interior_rings(self.geoms) == 0)
        self.convex = single & (hull - area <= 1e-9 * np.maximum(hull, 1.0)) & (area > 0)
        # outward normal of every edge: (ey, -ex) on counter-clockwise rings, the opposite otherwise
        cross = self.ex0 * self.ey1 - self.ex1 * self.ey0
        signed = np.zeros(n)
        has = self.edge_count > 0
        signed[has] = np.add.reduceat(cross, self.edge_start[has]) if len(cross) else 0.0
        flip = np.where(np.repeat(signed, self.edge_count) >= 0, 1.0, -1.0)
        self.nx = (self.ey1 - self.ey0) * flip
        self.ny = -(self.ex1 - self.ex0) * flip
        scale = np.abs(self.nx) + np.abs(self.ny)
        self.tol_in = 1e-9 * scale  # tolerances of the convex clipping, per edge
        self.tol_flat = 1e-12 * scale
        self._edge_tables: dict[int, np.ndarray] = {}
        for k in np.unique(self.edge_count[self.convex]):  # made here, not in the worker threads
            self._edge_table(int(k))
        self._ring_tables: dict[int, np.ndarray] = {}
        for k in np.unique(self.edge_count[~self.convex]):
            self._ring_table(int(k))

    def _inner_boxes(self) -> np.ndarray:
        """A square inside each zone (around its pole of inaccessibility): a segment with both
        ends in it is wholly inside, which spares the edge tests for units loitering in a zone."""
        from shapely.ops import polylabel

        inner = np.full((len(self.geoms), 4), np.nan)
        for i, g in enumerate(self.geoms):
            if g is None or g.is_empty:
                continue
            part = max(getattr(g, "geoms", [g]), key=lambda p: p.area)
            try:
                centre = polylabel(part, tolerance=max(np.sqrt(part.area) / 100.0, 1e-9))
            except Exception:  # degenerate polygon: no shortcut, edges decide
                continue
            half = shapely.distance(centre, g.boundary) / np.sqrt(2.0) * 0.999
            if shapely.contains(g, centre) and half > 0:
                inner[i] = (centre.x - half, centre.y - half, centre.x + half, centre.y + half)
        return inner

    def intervals(self, seg, zone, x0, y0, x1, y1) -> Intervals:
        """Inside parts of segments (x0,y0)-(x1,y1) (one per candidate) in their zones."""
        m = len(seg)
        cnt = self.edge_count[zone]
        # chunk so that the (candidate, edge) arrays stay bounded
        steps = np.arange(CHUNK_EDGE_ROWS, int(cnt.sum()) + CHUNK_EDGE_ROWS, CHUNK_EDGE_ROWS)
        bounds = np.searchsorted(np.cumsum(cnt), steps)
        parts, lo = [], 0
        for hi in np.unique(np.r_[np.minimum(bounds + 1, m), m]):
            if hi > lo:
                sl = slice(lo, hi)
                parts.append(self._intervals(seg[sl], zone[sl], x0[sl], y0[sl], x1[sl], y1[sl]))
                lo = hi
        return Intervals.concat(parts)

    def _intervals(self, seg, zone, x0, y0, x1, y1) -> Intervals:
        box = self.inner[zone]
        deep = (
            (np.minimum(x0, x1) >= box[:, 0]) & (np.maximum(x0, x1) <= box[:, 2])
            & (np.minimum(y0, y1) >= box[:, 1]) & (np.maximum(y0, y1) <= box[:, 3])
        )
        convex = self.convex[zone] & ~deep
        general = ~self.convex[zone] & ~deep
        parts = [Intervals(seg[deep], zone[deep], np.zeros(int(deep.sum())), np.ones(int(deep.sum())))]
        for mask, method in ((convex, self._convex_intervals), (general, self._edge_intervals)):
            if mask.any():
                parts.append(method(seg[mask], zone[mask], x0[mask], y0[mask], x1[mask], y1[mask]))
        return Intervals.concat(parts)

    def _edge_table(self, k: int) -> np.ndarray:
        """Edge values of the zones with k edges as one (value, edge, zone) array: nx, ny, ex0,
        ey0 and the two clipping tolerances (columns of other zones are unused)."""
        table = self._edge_tables.get(k)
        if table is None:
            table = np.zeros((6, k, len(self.geoms)))
            has = np.flatnonzero(self.edge_count == k)
            e = self.edge_start[has] + np.arange(k)[:, None]
            for i, values in enumerate((self.nx, self.ny, self.ex0, self.ey0, self.tol_in, self.tol_flat)):
                table[i][:, has] = values[e]
            self._edge_tables[k] = table
        return table

    def _ring_table(self, k: int) -> np.ndarray:
        """Edges of the zones with k edges as one (value, edge, zone) array: start x, start y,
        direction x, direction y, squared length."""
        table = self._ring_tables.get(k)
        if table is None:
            table = np.zeros((5, k, len(self.geoms)))
            has = np.flatnonzero(self.edge_count == k)
            e = self.edge_start[has] + np.arange(k)[:, None]
            ex, ey = self.ex1 - self.ex0, self.ey1 - self.ey0
            for i, values in enumerate((self.ex0, self.ey0, ex, ey, ex * ex + ey * ey)):
                table[i][:, has] = values[e]
            self._ring_tables[k] = table
        return table

    def _convex_intervals(self, seg, zone, x0, y0, x1, y1) -> Intervals:
        """Cyrus-Beck: the inside of a convex polygon is the intersection of its edges' half-planes,
        so the inside part of a segment is one interval [max entering, min leaving] (boundary in).
        Candidates with the same number of edges are done as one (edge, candidate) table, so the
        segment's values broadcast along the edges instead of being repeated for every edge."""
        m = len(seg)
        dx, dy = x1 - x0, y1 - y0
        cnt = self.edge_count[zone]
        lo, hi, hit = np.empty(m), np.empty(m), np.empty(m, dtype=bool)
        kinds = np.unique(cnt)
        for k in kinds:
            rows = slice(None) if len(kinds) == 1 else np.flatnonzero(cnt == k)
            nx, ny, ex0, ey0, tol_in, tol_flat = np.take(self._edge_table(k), zone[rows], axis=2)
            cx0, cy0, cdx, cdy = x0[rows], y0[rows], dx[rows], dy[rows]
            num = nx * (cx0 - ex0) + ny * (cy0 - ey0)  # > 0: outside this edge
            den = nx * cdx + ny * cdy
            flat = np.abs(den) <= tol_flat * (np.abs(cdx) + np.abs(cdy) + 1e-300)
            blocked = (num > tol_in * (1.0 + np.abs(cx0) + np.abs(cy0))) & flat
            with np.errstate(divide="ignore", invalid="ignore"):
                bound = np.negative(num, out=num)
                bound /= den
            moving = ~flat
            enter = np.where(moving & (den < 0), bound, -np.inf).max(axis=0)
            leave = np.where(moving & (den > 0), bound, np.inf).min(axis=0)
            lo_k = np.maximum(enter, 0.0)
            hi_k = np.minimum(leave, 1.0)
            hit[rows] = (lo_k <= hi_k + 1e-12) & ~blocked.any(axis=0)
            lo[rows] = lo_k
            hi[rows] = np.maximum(hi_k, lo_k)
        return Intervals(seg[hit], zone[hit], lo[hit], hi[hit])

    def _edge_intervals(self, seg, zone, x0, y0, x1, y1) -> Intervals:
        m = len(seg)
        dx, dy = x1 - x0, y1 - y0
        dd = dx * dx + dy * dy
        # (candidate, edge) rows: candidates with the same number of edges as one (edge, candidate)
        # table, read in candidate-major order (np.nonzero of its transpose) as rows one by one
        cnt = self.edge_count[zone]
        cross_parts, colinear_parts = [], []
        kinds = np.unique(cnt)
        for k in kinds:
            rows = np.arange(m) if len(kinds) == 1 else np.flatnonzero(cnt == k)
            ex0, ey0, ex, ey, ee = np.take(self._ring_table(k), zone[rows], axis=2)
            cx0, cy0, pdx, pdy, pdd = x0[rows], y0[rows], dx[rows], dy[rows], dd[rows]
            wx, wy = ex0 - cx0, ey0 - cy0
            denom = pdx * ey - pdy * ex
            sn = wx * ey - wy * ex
            un = wx * pdy - wy * pdx
            scale = np.sqrt(pdd * ee)
            moving = pdd > 0
            steep = np.abs(denom) > _EPS * scale
            crossing = moving & steep
            with np.errstate(divide="ignore", invalid="ignore"):
                s = sn / denom
                u = un / denom
            tol = 1e-9
            crossing &= (s >= -tol) & (s <= 1 + tol) & (u >= -tol) & (u <= 1 + tol)
            ci = np.nonzero(crossing.T)
            cross_parts.append((rows[ci[0]], s.T[ci]))
            # a segment running along an edge: the shared stretch is on the boundary (inside)
            colinear = moving & ~steep & (np.abs(un) <= 1e-9 * scale + _EPS)
            if colinear.any():
                li = np.nonzero(colinear.T)
                cp = rows[li[0]]
                lwx, lwy, lex, ley = wx.T[li], wy.T[li], ex.T[li], ey.T[li]
                colinear_parts.append((cp, lwx, lwy, lex, ley))
        if len(kinds) == 1:
            cross_pair, cross_s = cross_parts[0] if cross_parts else (np.zeros(0, np.int64), np.zeros(0))
        else:  # candidate-major order over all kinds, as one (candidate, edge) list would be
            cross_pair = np.concatenate([p for p, _ in cross_parts])
            cross_s = np.concatenate([v for _, v in cross_parts])
            o = np.argsort(cross_pair, kind="stable")
            cross_pair, cross_s = cross_pair[o], cross_s[o]
        cross_s = np.clip(cross_s, 0.0, 1.0)
        if colinear_parts:
            cp, lwx, lwy, lex, ley = (np.concatenate(c) for c in zip(*colinear_parts))
            o = np.argsort(cp, kind="stable")
            cp, lwx, lwy, lex, ley = cp[o], lwx[o], lwy[o], lex[o], ley[o]
            ddc = dd[cp]
            sa = (lwx * dx[cp] + lwy * dy[cp]) / ddc
            sb = ((lwx + lex) * dx[cp] + (lwy + ley) * dy[cp]) / ddc
            lo_s = np.maximum(np.minimum(sa, sb), 0.0)
            hi_s = np.minimum(np.maximum(sa, sb), 1.0)
            ok = lo_s <= hi_s
            cross_pair = np.concatenate([cross_pair, cp[ok], cp[ok]])
            cross_s = np.concatenate([cross_s, lo_s[ok], hi_s[ok]])
        # break every candidate at 0, 1 and its crossings; test the middle of each piece
        bp_pair = np.concatenate([np.arange(m), np.arange(m), cross_pair])
        bp_s = np.concatenate([np.zeros(m), np.ones(m), cross_s])
        order = np.argsort(bp_pair + 0.5 * bp_s, kind="stable")  # pair, then position (exact: pair < 2**52)
        bp_pair, bp_s = bp_pair[order], bp_s[order]
        piece = (bp_pair[1:] == bp_pair[:-1]) & (bp_s[1:] > bp_s[:-1])
        piece_pair = bp_pair[:-1][piece]
        ps0, ps1 = bp_s[:-1][piece], bp_s[1:][piece]
        mid = 0.5 * (ps0 + ps1)
        mx = x0[piece_pair] + mid * dx[piece_pair]
        my = y0[piece_pair] + mid * dy[piece_pair]
        inside = shapely.intersects_xy(self.geoms[zone[piece_pair]], mx, my)
        touch_pair = cross_pair  # crossing points lie on the boundary: inside, if only for an instant
        out_pair = np.concatenate([piece_pair[inside], touch_pair])
        out_s0 = np.concatenate([ps0[inside], cross_s])
        out_s1 = np.concatenate([ps1[inside], cross_s])
        return Intervals(seg[out_pair], zone[out_pair], out_s0, out_s1)


class DiscAreas:
    """Waypoints: discs of a radius around points (metric CRS); exact circle crossings."""

    def __init__(self, x: np.ndarray, y: np.ndarray, radius: float):
        self.cx = np.asarray(x, dtype=np.float64)
        self.cy = np.asarray(y, dtype=np.float64)
        self.r = float(radius)
        self.boxes = np.column_stack([self.cx - self.r, self.cy - self.r, self.cx + self.r, self.cy + self.r])

    def intervals(self, seg, area, x0, y0, x1, y1) -> Intervals:
        dx, dy = x1 - x0, y1 - y0
        fx, fy = x0 - self.cx[area], y0 - self.cy[area]
        a = dx * dx + dy * dy
        b = 2.0 * (dx * fx + dy * fy)
        c = fx * fx + fy * fy - self.r * self.r
        still = a == 0
        disc = b * b - 4.0 * a * c
        with np.errstate(divide="ignore", invalid="ignore"):
            root = np.sqrt(np.maximum(disc, 0.0))
            s0 = np.maximum((-b - root) / (2.0 * a), 0.0)
            s1 = np.minimum((-b + root) / (2.0 * a), 1.0)
        hit = np.where(still, c <= 0, (disc >= 0) & (s0 <= s1))
        s0 = np.where(still, 0.0, s0)
        s1 = np.where(still, 1.0, s1)
        return Intervals(seg[hit], area[hit], s0[hit], s1[hit])


def find_intervals(tracks: Tracks, segments: Segments, areas, workers: int | None = None) -> Intervals:
    """Every stretch of every segment inside every area (polygon zones or waypoint discs).

    Segments are independent, so chunks of them run on several threads: numpy and shapely release
    the GIL for whole-array work, which puts a second core to use."""
    index = BoxIndex(areas.boxes)
    n = len(segments)
    workers = workers or min(os.cpu_count() or 1, MAX_WORKERS)
    size = CHUNK_SEGMENTS if n > CHUNK_SEGMENTS * workers or n < PARALLEL_FROM else -(-n // workers)

    def chunk(lo: int) -> Intervals | None:
        a = segments.a[lo : lo + size]
        b = segments.b[lo : lo + size]
        x0, y0, x1, y1 = tracks.x[a], tracks.y[a], tracks.x[b], tracks.y[b]
        q, area = index.query(np.minimum(x0, x1), np.minimum(y0, y1), np.maximum(x0, x1), np.maximum(y0, y1))
        return areas.intervals(q + lo, area, x0[q], y0[q], x1[q], y1[q]) if len(q) else None

    starts = range(0, n, size)
    if workers > 1 and len(starts) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(chunk, starts))
    else:
        parts = [chunk(lo) for lo in starts]
    return Intervals.concat([p for p in parts if p is not None])


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


def _unit_time_order(unit: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row order by unit, then time, with unit and t in that order. Exports are usually in time
    order with units interleaved: a stable radix sort on the unit code then already leaves each
    unit's pings in time order."""
    if len(t) and 0 <= unit.min() and unit.max() < 65536:
        codes = unit.astype(np.uint16)
        order = np.argsort(codes, kind="stable")  # radix sort: linear time
        tt = t[order].astype(np.float64, copy=False)
        counts = np.bincount(codes)
        uu = np.repeat(np.arange(len(counts), dtype=np.int64), counts)  # == unit[order]
        if len(t) < 2 or not np.any((tt[1:] < tt[:-1]) & (uu[1:] == uu[:-1])):
            return order, uu, tt
    unit = unit.astype(np.int64, copy=False)
    t = t.astype(np.float64, copy=False)
    order = np.argsort(_time_key(unit, t), kind="stable")
    return order, unit[order], t[order]


def _time_key(unit: np.ndarray, t: np.ndarray) -> np.ndarray:
    """One float key ordering pings by unit, then time (exact to ~1e-6 s for a month of 2,000 units)."""
    if len(t) == 0:
        return np.zeros(0)
    base = float(t.min())
    span = float(t.max() - base) + 10.0
    return unit * span + (t - base)


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


def position_at(tracks: Tracks, unit: np.ndarray, t: np.ndarray, keys=None) -> tuple[np.ndarray, np.ndarray]:
    """Interpolated positions of units at times (inside their tracks)."""
    keys = keys or _TimeKeys(tracks)
    return _interpolate(tracks, unit, t, keys.search(unit, t, "right"))


def match(tracks: Tracks, areas, params: MatchParams) -> Visits:
    """All visits of all units to all areas (PolygonAreas or DiscAreas)."""
    params.check()
    segments = Segments.from_tracks(tracks, params.max_gap)
    iv = find_intervals(tracks, segments, areas)
    return build_visits(tracks, segments, iv, params)


# --------------------------------------------------------------------------- coverage
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


def coverage(visits: Visits, n_areas: int, params: MatchParams, *, target_min=None, target_max=None,
             visits_per_day=None, active_from=None, active_to=None, timezone: str = "UTC") -> Coverage:
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
    all_band = visits.band if target_min is None and target_max is None else \
        _status.band(visits.dwell, tmin[visits.area], tmax[visits.area])
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
