"""Hot spots from crime points: a grid, Getis-Ord Gi*, false discovery rate, zones, concentration.

Pure numpy + shapely (no qgis, no Qt); every step is vectorised over points and cells.

**The grid.** Cells sit on one lattice anchored at the CRS origin, so the same data always falls
into the same cells whatever the extent. ``size`` is the distance between the centres of
adjacent cells. Squares: cell (row, col) is ``[col*d, (col+1)*d) x [row*d, (row+1)*d)``, so a
point on a shared edge belongs to the cell east / north of it. Hexagons are pointy-topped, rows
``h = d*sqrt(3)/2`` apart, odd rows shifted east by ``d/2``; a point belongs to the nearest centre
(its hexagon), a point exactly on an edge to one of the two (decided once, never both). Vertices
are integer multiples of ``d/2`` and ``R/2`` (``R = d/sqrt(3)``), so neighbouring cells share
vertices bit for bit and dissolve cleanly.

**Gi*** (Getis & Ord 1992; Ord & Getis 1995) with binary weights to the adjacent cells (6 for
hexagons, 8 for squares) plus the cell itself, over the n cells of the grid::

    z_i = (S_i - xbar * W_i) / (s * sqrt((n * W_i - W_i**2) / (n - 1)))

with ``S_i`` the sum of harm over the cell and its neighbours, ``W_i`` their number, ``xbar``
and ``s`` the mean and (population) standard deviation of harm over all cells. The two-sided
p-value is from the normal approximation; Benjamini-Hochberg adjusts them across all cells.

**Zones**: hot cells (``gi_z > 0`` and adjusted p <= alpha) that share an edge are dissolved;
zones with fewer than ``min_crimes`` crimes are dropped; the rest are ranked by harm.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field

import numpy as np

from .fields import (
    AREA_KM2,
    AREA_M2,
    AREA_PCT,
    CELL_ID,
    CELLS,
    CLASS,
    CRIMES,
    CUM_CELLS,
    GI_P,
    GI_P_FDR,
    GI_Z,
    HARM,
    HARM_PCT,
    HARM_PER_CELL,
    NAME,
    PEAK_GI_Z,
    ZONE_ID,
)

HEXAGON = "hexagon"
SQUARE = "square"
SHAPES = (HEXAGON, SQUARE)

SQRT3 = math.sqrt(3.0)

# field names of the outputs (GRID, HOTSPOTS, CONCENTRATION): imported above from core/fields.py
GRID_FIELDS = (CELL_ID, CRIMES, HARM, GI_Z, GI_P, GI_P_FDR, CLASS)
HOTSPOT_FIELDS = (ZONE_ID, NAME, CRIMES, HARM, AREA_M2, CELLS, PEAK_GI_Z)
CONCENTRATION_FIELDS = (HARM_PER_CELL, CELLS, CUM_CELLS, AREA_PCT, AREA_KM2, HARM_PCT)

# classes, hottest first; each confidence level is "adjusted p <= 1 - level"
HOT_99, HOT_95, HOT_90 = "hot 99%", "hot 95%", "hot 90%"
NOT_SIGNIFICANT = "not significant"
COLD_90, COLD_95, COLD_99 = "cold 90%", "cold 95%", "cold 99%"
CLASSES = (HOT_99, HOT_95, HOT_90, NOT_SIGNIFICANT, COLD_90, COLD_95, COLD_99)
LEVELS = ((0.01, HOT_99, COLD_99), (0.05, HOT_95, COLD_95), (0.10, HOT_90, COLD_90))

#: the most cells a grid may have (its bounding rectangle of cells is held in dense arrays)
MAX_CELLS = 10_000_000


# =========================================================================== the lattice and grid
@dataclass(frozen=True)
class Lattice:
    """Square or pointy-top hexagonal cells, ``size`` metres between adjacent centres."""

    shape: str = HEXAGON
    size: float = 100.0

    def __post_init__(self):
        if self.shape not in SHAPES:
            raise ValueError(f"cell shape must be one of {', '.join(SHAPES)}, not {self.shape!r}")
        if not (self.size > 0 and math.isfinite(self.size)):
            raise ValueError(f"the cell size must be a positive number of metres, not {self.size}")

    @property
    def row_step(self) -> float:
        return self.size * SQRT3 / 2.0 if self.shape == HEXAGON else self.size

    @property
    def cell_area(self) -> float:
        return self.size * self.size * (SQRT3 / 2.0 if self.shape == HEXAGON else 1.0)

    def locate(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Lattice (row, col) of the cell holding each point (int64; the points must be finite)."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        d = self.size
        if self.shape == SQUARE:
            return np.floor(y / d).astype(np.int64), np.floor(x / d).astype(np.int64)
        h = self.row_step
        r0 = np.floor(y / h).astype(np.int64)
        best_r = r0
        best_c = np.floor(x / d - (r0 & 1) * 0.5 + 0.5).astype(np.int64)
        cx, cy = self.centres(best_r, best_c)
        best = (x - cx) ** 2 + (y - cy) ** 2
        r1 = r0 + 1
        c1 = np.floor(x / d - (r1 & 1) * 0.5 + 0.5).astype(np.int64)
        cx, cy = self.centres(r1, c1)
        other = (x - cx) ** 2 + (y - cy) ** 2
        take = other < best  # a tie (a point on the edge between the rows) stays in the lower row
        return np.where(take, r1, best_r), np.where(take, c1, best_c)

    def centres(self, row, col) -> tuple[np.ndarray, np.ndarray]:
        row = np.asarray(row, dtype=np.int64)
        col = np.asarray(col, dtype=np.int64)
        if self.shape == SQUARE:
            return (col + 0.5) * self.size, (row + 0.5) * self.size
        return (2 * col + (row & 1)) * (self.size / 2.0), 3 * row * (self.radius / 2.0)

    @property
    def radius(self) -> float:
        """Centre-to-vertex distance (hexagons: R = d / sqrt(3); squares: half the diagonal)."""
        return self.size / SQRT3 if self.shape == HEXAGON else self.size / math.sqrt(2.0)

    def rings(self, row, col) -> np.ndarray:
        """Closed exterior rings, counter-clockwise: (n, 7, 2) for hexagons, (n, 5, 2) for squares."""
        row = np.asarray(row, dtype=np.int64)[:, None]
        col = np.asarray(col, dtype=np.int64)[:, None]
        if self.shape == SQUARE:
            d = self.size
            kx = np.array([0, 1, 1, 0, 0])
            ky = np.array([0, 0, 1, 1, 0])
            return np.stack([(col + kx) * d, (row + ky) * d], axis=-1).astype(np.float64)
        half_d, half_r = self.size / 2.0, self.radius / 2.0
        # from the south vertex, counter-clockwise; x in units of d/2, y in units of R/2
        kx = np.array([0, 1, 1, 0, -1, -1, 0])
        ky = np.array([-2, -1, 1, 2, 1, -1, -2])
        return np.stack([(2 * col + (row & 1) + kx) * half_d, (3 * row + ky) * half_r], axis=-1)

    def weight_offsets(self):
        """(dr, dc_even_row, dc_odd_row) of the cell itself and its Gi* neighbours."""
        if self.shape == SQUARE:
            return [(dr, dc, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)]
        return [(0, 0, 0), (0, -1, -1), (0, 1, 1), (-1, -1, 0), (-1, 0, 1), (1, -1, 0), (1, 0, 1)]

    def edge_offsets(self):
        """Half of the edge-sharing neighbour offsets (each pair of cells once): for dissolving."""
        if self.shape == SQUARE:
            return [(0, 1, 1), (1, 0, 0)]
        return [(0, 1, 1), (1, -1, 0), (1, 0, 1)]


def polygon_wkb(rings: np.ndarray) -> list:
    """Little-endian WKB of single-ring polygons from closed rings of equal length, (n, k, 2)."""
    n, k = rings.shape[:2]
    rec = np.dtype([("order", "u1"), ("type", "<u4"), ("rings", "<u4"), ("points", "<u4"), ("xy", "<f8", (k, 2))])
    out = np.empty(n, dtype=rec)
    out["order"], out["type"], out["rings"], out["points"] = 1, 3, 1, k
    out["xy"] = rings
    raw = out.tobytes()
    size = rec.itemsize
    return [raw[i : i + size] for i in range(0, n * size, size)]


@dataclass
class Grid:
    """The cells of a study area: a rectangle of lattice indices and a mask of the cells kept.

    Array row ``i`` is lattice row ``row0 + i`` (south to north), column ``j`` lattice column
    ``col0 + j``. Cells are numbered from the north-west corner, row by row (``order``).
    """

    lattice: Lattice
    row0: int
    col0: int
    inside: np.ndarray  # bool (n_rows, n_cols)
    index: np.ndarray = field(init=False)  # int64 (n_rows, n_cols): cell number or -1
    ii: np.ndarray = field(init=False)  # array row of each cell
    jj: np.ndarray = field(init=False)  # array column of each cell

    def __post_init__(self):
        self.inside = np.asarray(self.inside, dtype=bool)
        flipped = self.inside[::-1]
        fi, fj = np.nonzero(flipped)  # row-major from the north
        self.ii = (self.inside.shape[0] - 1 - fi).astype(np.int64)
        self.jj = fj.astype(np.int64)
        self.index = np.full(self.inside.shape, -1, dtype=np.int64)
        self.index[self.ii, self.jj] = np.arange(len(self.ii), dtype=np.int64)

    # ------------------------------------------------------------------ construction
    @classmethod
    def rectangle(cls, lattice: Lattice, row_min: int, row_max: int, col_min: int, col_max: int) -> Grid:
        shape = (int(row_max - row_min + 1), int(col_max - col_min + 1))
        if shape[0] * shape[1] > MAX_CELLS:
            raise ValueError(
                f"the grid would span {shape[0] * shape[1]:,} cells (at most {MAX_CELLS:,}): use bigger cells "
                f"or a smaller study area, or look for crimes far from the others (wrong coordinates)"
            )
        return cls(lattice, int(row_min), int(col_min), np.ones(shape, dtype=bool))

    @classmethod
    def covering_points(cls, lattice: Lattice, x, y) -> Grid:
        """Every cell of the rectangle of cells spanned by the points."""
        if len(x) == 0:
            raise ValueError("there are no points to cover")
        r, c = lattice.locate(x, y)
        return cls.rectangle(lattice, r.min(), r.max(), c.min(), c.max())

    @classmethod
    def covering_area(cls, lattice: Lattice, area) -> Grid:
        """The cells that overlap ``area`` (a shapely polygon) by more than a boundary."""
        import shapely

        if area is None or shapely.is_empty(area):
            raise ValueError("the study area is empty")
        xmin, ymin, xmax, ymax = shapely.bounds(area)
        r, c = lattice.locate([xmin, xmax, xmin, xmax], [ymin, ymin, ymax, ymax])
        rect = cls.rectangle(lattice, r.min() - 1, r.max() + 1, c.min() - 1, c.max() + 1)
        shapely.prepare(area)
        cells = rect.polygons()
        keep = shapely.intersects(area, cells)
        if keep.any():
            touching = np.flatnonzero(keep)
            keep[touching[shapely.touches(area, cells[touching])]] = False
        if not keep.any():
            raise ValueError("the study area is too small to hold a cell")
        ii, jj = rect.ii[keep], rect.jj[keep]
        i0, j0 = ii.min(), jj.min()
        inside = np.zeros((ii.max() - i0 + 1, jj.max() - j0 + 1), dtype=bool)
        inside[ii - i0, jj - j0] = True
        return cls(lattice, rect.row0 + int(i0), rect.col0 + int(j0), inside)

    # ------------------------------------------------------------------ cells
    def __len__(self) -> int:
        return len(self.ii)

    @property
    def rows(self) -> np.ndarray:
        return self.ii + self.row0

    @property
    def cols(self) -> np.ndarray:
        return self.jj + self.col0

    @property
    def cell_area(self) -> float:
        return self.lattice.cell_area

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        return self.lattice.centres(self.rows, self.cols)

    def rings(self, cells=None) -> np.ndarray:
        sel = slice(None) if cells is None else cells
        return self.lattice.rings(self.rows[sel], self.cols[sel])

    def polygons(self, cells=None) -> np.ndarray:
        import shapely

        rings = self.rings(cells)
        if len(rings) == 0:
            return np.zeros(0, dtype=object)
        return shapely.polygons(rings)

    def wkb(self, cells=None) -> list:
        """Little-endian WKB polygons of the cells, built with numpy (no shapely objects)."""
        return polygon_wkb(self.rings(cells))

    def cell_of(self, x, y) -> np.ndarray:
        """The cell number of each point, -1 for points outside the grid (or not finite)."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        out = np.full(len(x), -1, dtype=np.int64)
        ok = np.isfinite(x) & np.isfinite(y)
        if not ok.any():
            return out
        r, c = self.lattice.locate(x[ok], y[ok])
        i, j = r - self.row0, c - self.col0
        n_rows, n_cols = self.inside.shape
        within = (i >= 0) & (i < n_rows) & (j >= 0) & (j < n_cols)
        found = np.full(len(i), -1, dtype=np.int64)
        found[within] = self.index[i[within], j[within]]
        out[ok] = found
        return out

    # ------------------------------------------------------------------ neighbourhoods
    def _odd_rows(self) -> np.ndarray:
        return ((np.arange(self.inside.shape[0]) + self.row0) & 1).astype(bool)

    @staticmethod
    def _shifted(a: np.ndarray, dr: int, dc: int) -> np.ndarray:
        """b[i, j] = a[i + dr, j + dc], zero where that falls outside."""
        out = np.zeros_like(a)
        n_rows, n_cols = a.shape
        src_r = slice(max(dr, 0), n_rows + min(dr, 0))
        dst_r = slice(max(-dr, 0), n_rows + min(-dr, 0))
        src_c = slice(max(dc, 0), n_cols + min(dc, 0))
        dst_c = slice(max(-dc, 0), n_cols + min(-dc, 0))
        out[dst_r, dst_c] = a[src_r, src_c]
        return out

    def _neighbour_view(self, a: np.ndarray, dr: int, dc_even: int, dc_odd: int) -> np.ndarray:
        if dc_even == dc_odd:
            return self._shifted(a, dr, dc_even)
        odd = self._odd_rows()
        out = self._shifted(a, dr, dc_even)
        out[odd] = self._shifted(a, dr, dc_odd)[odd]
        return out

    def neighbourhood_sum(self, values) -> np.ndarray:
        """For each cell, the sum of ``values`` over the cell and its Gi* neighbours in the grid."""
        dense = np.zeros(self.inside.shape, dtype=np.float64)
        dense[self.ii, self.jj] = values
        total = np.zeros_like(dense)
        for dr, dce, dco in self.lattice.weight_offsets():
            total += self._neighbour_view(dense, dr, dce, dco)
        return total[self.ii, self.jj]

    def neighbour_counts(self) -> np.ndarray:
        """W_i: how many cells of the grid (the cell itself included) are in each cell's neighbourhood."""
        return self.neighbourhood_sum(np.ones(len(self)))

    def edge_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Pairs of cells of the grid that share an edge (each pair once)."""
        a_all, b_all = [], []
        for dr, dce, dco in self.lattice.edge_offsets():
            other = self._neighbour_view(self.index, dr, dce, dco)
            # _shifted pads with 0, which is a valid cell number: mask the padded positions out
            valid = self._neighbour_view(self.inside.astype(np.int8), dr, dce, dco).astype(bool)
            ok = self.inside & valid
            a_all.append(self.index[ok])
            b_all.append(other[ok])
        return np.concatenate(a_all), np.concatenate(b_all)


# =========================================================================== statistics
def getis_ord_gi_star(grid: Grid, values) -> np.ndarray:
    """Gi* z-scores of ``values`` (one per cell) with binary weights, the cell included.

    Cells where the statistic is undefined (all values equal, or a neighbourhood spanning the
    whole grid) get z = 0.
    """
    x = np.asarray(values, dtype=np.float64)
    n = len(x)
    if n != len(grid):
        raise ValueError(f"{n} values for {len(grid)} cells")
    if n < 2:
        return np.zeros(n)
    s_i = grid.neighbourhood_sum(x)
    w_i = grid.neighbour_counts()
    mean = x.mean()
    sd = x.std()
    if not sd > 0:
        return np.zeros(n)
    denom = sd * np.sqrt(np.maximum(n * w_i - w_i * w_i, 0.0) / (n - 1))
    z = np.zeros(n)
    ok = denom > 0
    z[ok] = (s_i[ok] - mean * w_i[ok]) / denom[ok]
    return z


_SQRT_PI = math.sqrt(math.pi)


def erfc(x) -> np.ndarray:
    """The complementary error function, vectorised (relative error below 1e-13 for x >= 0).

    For x < 1.5: 1 - erf(x) with erf from its series of positive terms,
    erf(x) = 2/sqrt(pi) exp(-x^2) sum_k (2x^2)^k x / (1*3*...*(2k+1)); beyond, the continued
    fraction erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))).
    """
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    neg = x < 0
    ax = np.abs(x)
    small = ax < 1.5
    if small.any():
        xs = ax[small]
        term = xs.copy()
        total = xs.copy()
        two_x2 = 2.0 * xs * xs
        for k in range(1, 60):
            term = term * two_x2 / (2 * k + 1)
            total += term
        out[small] = 1.0 - 2.0 / _SQRT_PI * np.exp(-xs * xs) * total
    big = ~small
    if big.any():
        xb = ax[big]
        tail = np.zeros_like(xb)
        for k in range(120, 0, -1):
            tail = (k / 2.0) / (xb + tail)
        with np.errstate(under="ignore"):
            out[big] = np.exp(-xb * xb) / _SQRT_PI / (xb + tail)
    out[neg] = 2.0 - out[neg]
    out[np.isnan(x)] = np.nan
    return out


def normal_p_two_sided(z) -> np.ndarray:
    """P(|Z| >= |z|) for a standard normal Z."""
    return np.minimum(erfc(np.abs(np.asarray(z, dtype=np.float64)) / math.sqrt(2.0)), 1.0)


def benjamini_hochberg(p) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (as R's ``p.adjust(p, "BH")``) across all of ``p``."""
    p = np.asarray(p, dtype=np.float64)
    m = len(p)
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(ranked, 1.0)
    return out


def classify(z, p_adjusted) -> np.ndarray:
    """The class of each cell from its adjusted p-value and the sign of its z-score."""
    z = np.asarray(z, dtype=np.float64)
    p = np.asarray(p_adjusted, dtype=np.float64)
    out = np.full(len(z), NOT_SIGNIFICANT, dtype=object)
    for level, hot, cold in reversed(LEVELS):  # loosest first, tighter levels overwrite
        sig = p <= level
        out[sig & (z > 0)] = hot
        out[sig & (z < 0)] = cold
    return out


# =========================================================================== zones
def connected_components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Component label (0..k-1, in order of each component's smallest node) of n nodes joined by edges a-b."""
    labels = np.arange(n, dtype=np.int64)
    if len(a):
        while True:
            lo = np.minimum(labels[a], labels[b])
            new = labels.copy()
            np.minimum.at(new, a, lo)
            np.minimum.at(new, b, lo)
            new = new[new]  # pointer jumping
            while True:
                jumped = new[new]
                if np.array_equal(jumped, new):
                    break
                new = jumped
            if np.array_equal(new, labels):
                break
            labels = new
    _, comp = np.unique(labels, return_inverse=True)
    return comp.reshape(-1)


@dataclass
class Zones:
    """Dissolved hot spot zones, ranked by harm (zone 0 is HS-001)."""

    ids: list
    geoms: np.ndarray  # shapely polygons
    crimes: np.ndarray
    harm: np.ndarray
    cells: np.ndarray
    area_m2: np.ndarray
    peak_z: np.ndarray
    cell_zone: np.ndarray  # per grid cell: zone number, or -1
    dropped: int  # candidate zones with fewer than min_crimes crimes

    def __len__(self) -> int:
        return len(self.ids)


def zone_id(rank: int) -> str:
    return f"HS-{rank:03d}"


def split_at_peaks(comp: np.ndarray, z: np.ndarray, a: np.ndarray, b: np.ndarray, max_cells: int) -> np.ndarray:
    """Cut every component of more than ``max_cells`` cells into zones grown from its Gi* peaks.

    Its cells are taken from the highest z down (ties: the higher cell number first); a cell joins
    the zone of its highest already-placed neighbour that still has room (fewer than ``max_cells``
    cells), else it starts a zone of its own. So each zone is a local peak and the cells around it,
    never more than ``max_cells``. ``a``-``b`` are the edges between cells (local numbers). Smaller
    components keep their label. Returns new labels 0..k-1.

    The loop runs over the cells of oversized hot clusters only (hundreds, at most thousands)."""
    comp = np.asarray(comp, dtype=np.int64)
    n = len(comp)
    big = np.bincount(comp)[comp] > max_cells
    if not big.any():
        return comp
    src, dst = np.r_[a, b], np.r_[b, a]
    inside = big[src] & (comp[src] == comp[dst])
    src, dst = src[inside], dst[inside]
    order = np.argsort(src, kind="stable")
    src, dst = src[order], dst[order]
    starts = np.searchsorted(src, np.arange(n + 1))
    zone = np.full(n, -1, dtype=np.int64)
    size = []
    cells = np.flatnonzero(big)
    for c in cells[np.lexsort((-cells, -z[cells]))].tolist():  # highest z first, ties: higher number
        best, best_key = -1, None
        for d in dst[starts[c] : starts[c + 1]].tolist():
            r = zone[d]
            if r >= 0 and size[r] < max_cells and (best_key is None or (z[d], d) > best_key):
                best, best_key = r, (z[d], d)
        if best < 0:
            best = len(size)
            size.append(0)
        zone[c] = best
        size[best] += 1
    key = np.where(big, comp.max() + 1 + zone, comp)
    _, labels = np.unique(key, return_inverse=True)
    return labels.reshape(-1)


def hotspot_zones(
    grid: Grid,
    crimes,
    harm,
    z,
    p_adjusted,
    alpha: float = 0.05,
    min_crimes: float = 5,
    max_area_m2: float | None = None,
) -> Zones:
    """Dissolve edge-sharing hot cells (z > 0, adjusted p <= alpha) into zones ranked by harm.

    With ``max_area_m2``, a cluster larger than that is cut at its local Gi* peaks
    (``split_at_peaks``) into zones a patrol can cover."""
    import shapely

    crimes = np.asarray(crimes)
    harm = np.asarray(harm, dtype=np.float64)
    z = np.asarray(z, dtype=np.float64)
    hot = (z > 0) & (np.asarray(p_adjusted) <= alpha)
    hot_idx = np.flatnonzero(hot)
    cell_zone = np.full(len(grid), -1, dtype=np.int64)
    if len(hot_idx) == 0:
        return Zones(
            [],
            np.zeros(0, dtype=object),
            np.zeros(0, np.int64),
            np.zeros(0),
            np.zeros(0, np.int64),
            np.zeros(0),
            np.zeros(0),
            cell_zone,
            0,
        )
    a, b = grid.edge_pairs()
    both = hot[a] & hot[b]
    local = np.full(len(grid), -1, dtype=np.int64)
    local[hot_idx] = np.arange(len(hot_idx))
    comp = connected_components(len(hot_idx), local[a[both]], local[b[both]])
    if max_area_m2 is not None and max_area_m2 > 0:
        max_cells = max(int(max_area_m2 // grid.cell_area), 1)
        comp = split_at_peaks(comp, z[hot_idx], local[a[both]], local[b[both]], max_cells)
    k = int(comp.max()) + 1
    z_crimes = np.bincount(comp, weights=crimes[hot_idx], minlength=k)
    z_harm = np.bincount(comp, weights=harm[hot_idx], minlength=k)
    z_cells = np.bincount(comp, minlength=k)
    z_peak = np.full(k, -np.inf)
    np.maximum.at(z_peak, comp, z[hot_idx])
    first_cell = np.full(k, np.iinfo(np.int64).max)
    np.minimum.at(first_cell, comp, hot_idx)
    keep = z_crimes >= min_crimes
    dropped = int((~keep).sum())
    kept = np.flatnonzero(keep)
    # rank: harm, then crimes, then peak z (all descending), then the first cell's number
    order = kept[np.lexsort((first_cell[kept], -z_peak[kept], -z_crimes[kept], -z_harm[kept]))]
    rank_of = np.full(k, -1, dtype=np.int64)
    rank_of[order] = np.arange(len(order))
    cell_zone[hot_idx] = rank_of[comp]
    polys = grid.polygons(hot_idx)
    by_comp = np.argsort(comp, kind="stable")
    starts = np.r_[0, np.cumsum(z_cells)]
    geoms = np.empty(len(order), dtype=object)
    for r, c in enumerate(order):  # one union per zone
        members = polys[by_comp[starts[c] : starts[c + 1]]]
        g = shapely.coverage_union_all(members) if len(members) > 1 else members[0]
        geoms[r] = shapely.normalize(g)
    return Zones(
        ids=[zone_id(r + 1) for r in range(len(order))],
        geoms=geoms,
        crimes=z_crimes[order].round().astype(np.int64),
        harm=z_harm[order],
        cells=z_cells[order].astype(np.int64),
        area_m2=z_cells[order] * grid.cell_area,
        peak_z=z_peak[order],
        cell_zone=cell_zone,
        dropped=dropped,
    )


# =========================================================================== concentration
@dataclass
class Concentration:
    """Cumulative share of harm against cumulative share of area, cells sorted by harm (descending).

    One row per distinct harm value (cells with equal harm are one straight segment of the curve),
    after a first row at the origin.
    """

    harm_per_cell: np.ndarray  # NaN in the origin row
    cells: np.ndarray
    cum_cells: np.ndarray
    area_pct: np.ndarray
    area_km2: np.ndarray
    harm_pct: np.ndarray
    n_cells: int
    half_cells: int  # fewest cells holding at least half of the harm
    half_area_pct: float

    def __len__(self) -> int:
        return len(self.cells)


def concentration(harm, cell_area: float) -> Concentration:
    harm = np.asarray(harm, dtype=np.float64)
    n = len(harm)
    total = harm.sum()
    if n == 0 or not total > 0:
        raise ValueError("there is no harm to measure the concentration of")
    values, counts = np.unique(-harm, return_counts=True)
    values = -values  # descending
    cum_cells = np.cumsum(counts)
    cum_harm = np.cumsum(values * counts)
    ordered = np.sort(harm)[::-1]
    half_cells = int(np.searchsorted(np.cumsum(ordered), total * 0.5 * (1 - 1e-12)) + 1)
    return Concentration(
        harm_per_cell=np.r_[np.nan, values],
        cells=np.r_[0, counts].astype(np.int64),
        cum_cells=np.r_[0, cum_cells].astype(np.int64),
        area_pct=np.r_[0.0, cum_cells / n * 100.0],
        area_km2=np.r_[0.0, cum_cells * cell_area / 1e6],
        harm_pct=np.r_[0.0, np.minimum(cum_harm / total * 100.0, 100.0)],
        n_cells=n,
        half_cells=half_cells,
        half_area_pct=half_cells / n * 100.0,
    )


def headline(conc: Concentration, cell_area: float, what: str = "harm") -> str:
    pct = conc.half_area_pct
    shown = f"{pct:.1f}" if pct >= 0.95 else f"{pct:.2f}"
    return (
        f"{shown}% of the area ({conc.half_cells:,} of {conc.n_cells:,} cells, "
        f"{conc.half_cells * cell_area / 1e6:.2f} km²) holds 50% of the {what}"
    )


# =========================================================================== harm table
def _open_text(path: str):
    """A small text file as a stream: UTF-8 (with or without a BOM), else Windows-1252 (Excel's
    "CSV" on Windows), so a table saved either way reads the same."""
    import io

    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return io.StringIO(text, newline="")


def read_harm_table(path: str) -> dict:
    """A CSV of crime type -> weight (first two columns; a header row is recognised and skipped).

    Keys are the types trimmed and case-folded. Raises ValueError naming the line at fault.
    """
    weights: dict[str, float] = {}
    shown: dict[str, str] = {}
    with _open_text(path) as f:
        sample = f.read(4096)
        f.seek(0)
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        first = True
        for line_no, row in enumerate(csv.reader(f, dialect), start=1):
            cells = [c.strip() for c in row]
            if not any(cells):
                continue
            header, first = first, False
            if len(cells) < 2 or not cells[0]:
                raise ValueError(f"Harm table {path}, line {line_no}: expected 'crime type, weight'.")
            try:
                w = float(cells[1])
            except ValueError:
                if header:
                    continue
                raise ValueError(
                    f"Harm table {path}, line {line_no}: the weight '{cells[1]}' of '{cells[0]}' is not a number."
                ) from None
            if not math.isfinite(w) or w < 0:
                raise ValueError(
                    f"Harm table {path}, line {line_no}: the weight of '{cells[0]}' must be "
                    f"zero or more, not {cells[1]}."
                )
            key = cells[0].casefold()
            if key in weights and weights[key] != w:
                raise ValueError(
                    f"Harm table {path}, line {line_no}: '{cells[0]}' appears twice with "
                    f"different weights ({shown[key]}: {weights[key]:g}, then {w:g})."
                )
            weights[key] = w
            shown[key] = cells[0]
    if not weights:
        raise ValueError(f"Harm table {path} has no 'crime type, weight' rows.")
    return weights


def split_types(text: str) -> list:
    """Crime types typed by the user: separated by semicolons, else by commas (or new lines)."""
    if not text or not text.strip():
        return []
    sep = ";" if ";" in text else ","
    parts = []
    for line in text.replace("\r", "\n").split("\n"):
        parts.extend(p.strip() for p in line.split(sep))
    return [p for p in parts if p]


# =========================================================================== the whole analysis
@dataclass
class HotspotResult:
    grid: Grid
    crimes: np.ndarray  # per cell (int64)
    harm: np.ndarray  # per cell
    z: np.ndarray
    p: np.ndarray
    p_fdr: np.ndarray
    classes: np.ndarray
    zones: Zones
    concentration: Concentration
    points_used: int
    outside: int  # points outside the study area
    timings: dict = field(default_factory=dict)

    def class_counts(self) -> dict:
        labels, counts = np.unique(self.classes.astype(str), return_counts=True)
        found = dict(zip(labels.tolist(), counts.tolist()))
        return {c: int(found.get(c, 0)) for c in CLASSES}


def analyse(
    x,
    y,
    weights=None,
    lattice: Lattice | None = None,
    area=None,
    alpha: float = 0.05,
    min_crimes: float = 5,
    grid: Grid | None = None,
    max_area_m2: float | None = None,
) -> HotspotResult:
    """The whole analysis on projected points (metres). ``area``: optional shapely study area."""
    import time

    import shapely

    lattice = lattice or Lattice()
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha}")
    timings = {}
    t = time.perf_counter()
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y) & np.isfinite(w)
    x, y, w = x[ok], y[ok], w[ok]
    outside = 0
    if area is not None:
        shapely.prepare(area)
        within = shapely.intersects_xy(area, x, y)
        outside = int((~within).sum())
        x, y, w = x[within], y[within], w[within]
    if grid is None:
        if area is not None:
            grid = Grid.covering_area(lattice, area)
        elif len(x):
            if len(x) > 1 and np.ptp(x) == 0 and np.ptp(y) == 0:
                raise ValueError(
                    f"all {len(x):,} crimes are at one location ({x[0]:.1f}, {y[0]:.1f}), so there is "
                    "no pattern to find: check the layer's coordinates, or give a study area"
                )
            grid = Grid.covering_points(lattice, x, y)
        else:
            raise ValueError("there are no crimes to analyse")
    timings["grid"] = time.perf_counter() - t
    t = time.perf_counter()
    cell = grid.cell_of(x, y)
    found = cell >= 0
    outside += int((~found).sum())
    n = len(grid)
    crimes = np.bincount(cell[found], minlength=n).astype(np.int64)
    harm = np.bincount(cell[found], weights=w[found], minlength=n)
    timings["count"] = time.perf_counter() - t
    if n < 3:
        raise ValueError(f"the study area holds only {n} cell(s): use smaller cells")
    if crimes.sum() == 0:
        raise ValueError("there are no crimes inside the study area")
    if not harm.sum() > 0:
        raise ValueError("every crime weighs 0: there is no harm to analyse")
    with np.errstate(over="ignore", invalid="ignore"):
        too_big = not np.isfinite(np.sum(harm * harm) * n)
    if too_big:  # Gi* squares and sums harm: beyond ~1e150 per cell that overflows
        raise ValueError(
            f"the harm weights are too large to analyse (a cell holds {np.max(harm):.3g}): "
            "rescale them, e.g. to days of custody or units of 1,000"
        )
    t = time.perf_counter()
    z = getis_ord_gi_star(grid, harm)
    p = normal_p_two_sided(z)
    p_fdr = benjamini_hochberg(p)
    classes = classify(z, p_fdr)
    timings["gi_star"] = time.perf_counter() - t
    t = time.perf_counter()
    zones = hotspot_zones(grid, crimes, harm, z, p_fdr, alpha, min_crimes, max_area_m2)
    timings["zones"] = time.perf_counter() - t
    conc = concentration(harm, grid.cell_area)
    return HotspotResult(
        grid,
        crimes,
        harm,
        z,
        p,
        p_fdr,
        classes,
        zones,
        conc,
        points_used=int(found.sum()),
        outside=outside,
        timings=timings,
    )
