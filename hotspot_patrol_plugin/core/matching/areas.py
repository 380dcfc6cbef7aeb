"""Areas and crossings: the parts of segments inside polygons (zones) and discs (waypoints)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import shapely

from .boxes import BoxIndex
from .tracks import Segments, Tracks

#: rows of (segment, edge) work done at once; bounds peak memory (~25 float64 arrays of this size)
CHUNK_EDGE_ROWS = 4_000_000
CHUNK_SEGMENTS = 2_000_000
PARALLEL_FROM = 200_000  # segments; below this one thread is quicker than two
MAX_WORKERS = 4
_EPS = 1e-12


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
            (np.minimum(x0, x1) >= box[:, 0])
            & (np.maximum(x0, x1) <= box[:, 2])
            & (np.minimum(y0, y1) >= box[:, 1])
            & (np.maximum(y0, y1) <= box[:, 3])
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
