"""Hot spot analysis (core/hotspots.py): hand-computed grids, Gi*, FDR, zones and concentration.

Pure numpy/shapely: no qgis, no Qt. Expected values are worked out by hand in the comments (or
come from an independent implementation: PySAL's esda, math.erfc, a brute-force nearest centre).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from hotspot_patrol_plugin.core import hotspots as H

SQ = H.Lattice(H.SQUARE, 100.0)
HEX = H.Lattice(H.HEXAGON, 100.0)


def square_grid(n_rows=9, n_cols=9, row0=0, col0=0):
    return H.Grid.rectangle(SQ, row0, row0 + n_rows - 1, col0, col0 + n_cols - 1)


def cell_at(grid, row, col):
    """Cell number of the cell at lattice (row, col): row from the south, column from the west."""
    return int(grid.index[row - grid.row0, col - grid.col0])


# =========================================================================== lattice and grid
def test_square_cells_are_half_open_so_a_point_on_an_edge_counts_once():
    grid = square_grid(3, 3, row0=0, col0=0)  # cells (0..300) x (0..300)
    # a point on the vertical edge x=100 between columns 0 and 1, one on the horizontal edge y=200,
    # one on the corner (100, 100) shared by four cells
    x = np.array([100.0, 50.0, 100.0])
    y = np.array([50.0, 200.0, 100.0])
    cells = grid.cell_of(x, y)
    assert cells.tolist() == [cell_at(grid, 0, 1), cell_at(grid, 2, 0), cell_at(grid, 1, 1)]
    counts = np.bincount(cells, minlength=len(grid))
    assert counts.sum() == 3 and counts.max() == 1


def test_hexagon_point_on_an_edge_counts_once_and_every_point_lies_in_its_cell():
    grid = H.Grid.rectangle(HEX, 0, 3, 0, 3)
    d, r = 100.0, 100.0 / math.sqrt(3)
    # row 0 centres at x = 0, 100, 200 ...; the vertical edge between (0,0) and (0,1) is x = 50.
    # Row 1 centres at x = 50, 150 ... and y = 86.60; the slanted edge between (0,1) and (1,1)
    # runs from (100, r) (top vertex of (0,1)) to (150, r/2) (upper-right vertex of (0,1)).
    x = np.array([50.0, 125.0, 50.0])
    y = np.array([10.0, 0.75 * r, r / 2])  # (50, R/2): a vertex shared by three cells
    cells = grid.cell_of(x, y)
    assert (cells >= 0).all()
    counts = np.bincount(cells, minlength=len(grid))
    assert counts.sum() == 3
    polys = grid.polygons(cells)
    # each point is on (the boundary of) its cell, to rounding
    assert (shapely.distance(polys, shapely.points(x, y)) < 1e-9).all()
    assert cells[1] == cell_at(grid, 0, 1)  # equidistant from two rows: the lower row's cell
    assert d == HEX.size


def test_hexagon_locate_is_the_nearest_centre_brute_force():
    rng = np.random.default_rng(3)
    x = rng.uniform(-2000, 2000, 50000) + 431000
    y = rng.uniform(-2000, 2000, 50000) + 433000
    r, c = HEX.locate(x, y)
    cx, cy = HEX.centres(r, c)
    mine = np.hypot(x - cx, y - cy)
    best = np.full(len(x), np.inf)
    for dr in (-2, -1, 0, 1, 2):
        for dc in (-2, -1, 0, 1, 2):
            ax, ay = HEX.centres(r + dr, c + dc)
            best = np.minimum(best, np.hypot(x - ax, y - ay))
    assert np.allclose(mine, best, rtol=0, atol=1e-9)
    assert mine.max() <= HEX.radius + 1e-9


def test_hexagon_geometry_area_and_shared_vertices():
    # centre spacing d: area sqrt(3)/2 d^2 = 8660.254 m2 for 100 m; a cell and its 6 neighbours
    # dissolve into one polygon (the "flower", 18 vertices) only if their shared vertices are identical
    assert HEX.cell_area == pytest.approx(8660.254037844386)
    grid = H.Grid.rectangle(HEX, 10, 12, 20, 22)
    centre = cell_at(grid, 11, 21)  # an odd row: neighbours (11, 20), (11, 22), (10|12, 21), (10|12, 22)
    a, b = grid.edge_pairs()
    neigh = sorted(set(b[a == centre].tolist()) | set(a[b == centre].tolist()))
    assert len(neigh) == 6
    polys = grid.polygons(np.array([centre] + neigh))
    assert shapely.area(polys) == pytest.approx(np.full(7, 8660.254037844386))
    flower = shapely.coverage_union_all(polys)
    assert flower.geom_type == "Polygon"
    assert len(flower.exterior.coords) - 1 == 18
    assert flower.area == pytest.approx(7 * 8660.254037844386)


def test_square_edge_pairs_are_rook_and_weights_are_queen():
    grid = square_grid(3, 3)
    a, b = grid.edge_pairs()
    assert len(a) == 12  # 3 rows x 2 + 3 cols x 2 shared edges
    # W_i (cell included): corners 4, edges 6, centre 9
    w = grid.neighbour_counts().reshape(3, 3)
    assert w.tolist() == [[4, 6, 4], [6, 9, 6], [4, 6, 4]]


def test_hexagon_neighbour_counts_depend_on_row_parity():
    # 3 x 3 hexagons, lattice rows 0 (even, south), 1 (odd), 2 (even); odd rows shifted east.
    # An odd row's neighbours above and below are columns c and c+1; an even row's c-1 and c.
    # Row 1 col 0: itself, (1,1), (0,0), (0,1), (2,0), (2,1) -> 6 cells ((1,-1) is outside).
    # Row 1 col 2: itself, (1,1), (0,2), (2,2) -> 4 ((0,3), (2,3), (1,3) are outside).
    # Row 0 col 0 touches (0,1), (1,0) [(1,-1) outside] -> 3; row 0 col 2: (0,1), (1,1), (1,2) -> 4.
    grid = H.Grid.rectangle(HEX, 0, 2, 0, 2)
    w = grid.neighbour_counts()
    got = {(int(r), int(c)): int(v) for r, c, v in zip(grid.rows, grid.cols, w)}
    assert got[(1, 1)] == 7
    assert got[(1, 0)] == 6 and got[(1, 2)] == 4
    assert got[(0, 0)] == 3 and got[(0, 2)] == 4
    assert got[(2, 0)] == 3 and got[(2, 2)] == 4


def test_cells_are_numbered_from_the_north_west():
    grid = square_grid(2, 3, row0=0, col0=0)
    assert grid.rows.tolist() == [1, 1, 1, 0, 0, 0]
    assert grid.cols.tolist() == [0, 1, 2, 0, 1, 2]


def test_covering_area_keeps_cells_overlapping_the_area_not_those_only_touching_it():
    area = shapely.box(0, 0, 300, 200)  # exactly 3 x 2 squares
    grid = H.Grid.covering_area(SQ, area)
    assert len(grid) == 6
    # a disc of radius 120 centred on a corner of the lattice overlaps the 4 squares at the corner and
    # the 8 squares 100 m away along the axes, not the 4 diagonal ones (nearest corner 141 m away)
    disc = shapely.Point(1000, 1000).buffer(120, quad_segs=64)
    assert len(H.Grid.covering_area(SQ, disc)) == 12


def test_too_big_a_grid_is_refused_with_a_hint():
    with pytest.raises(ValueError, match="bigger cells"):
        H.Grid.covering_points(H.Lattice(H.SQUARE, 1.0), np.array([0.0, 1e5]), np.array([0.0, 1e5]))


def test_lattice_rejects_bad_parameters():
    with pytest.raises(ValueError, match="cell shape"):
        H.Lattice("triangle", 100)
    with pytest.raises(ValueError, match="positive"):
        H.Lattice(H.SQUARE, 0)


# =========================================================================== Gi*
def test_gi_star_single_hot_square_hand_computed():
    """9 x 9 squares (n = 81), 20 crimes in the centre cell, none elsewhere.

    xbar = 20/81; s^2 = 400/81 - (20/81)^2 = 32000/6561.
    The centre and its 8 neighbours: S = 20, W = 9:
      z = (20 - 9*20/81) / (s * sqrt((81*9 - 81)/80)) = (160/9) / sqrt(32000/6561 * 8.1) = 2*sqrt(2).
    Interior cells away from it (W = 9, S = 0): z = -(20/9) / sqrt(32000/6561 * 8.1) = -sqrt(2)/4.
    Edge cells (W = 6): z = -(120/81) / sqrt(32000/6561 * (486 - 36)/80) = -sqrt(2)/5.
    Corners (W = 4): z = -(80/81) / sqrt(32000/6561 * (324 - 16)/80) = -80/sqrt(123200).
    """
    grid = square_grid()
    x = np.zeros(81)
    centre = cell_at(grid, 4, 4)
    x[centre] = 20
    z = H.getis_ord_gi_star(grid, x).reshape(-1)
    dense = np.zeros((9, 9))
    dense[grid.ii, grid.jj] = z
    assert np.allclose(dense[3:6, 3:6], 2 * math.sqrt(2), rtol=1e-12)
    assert dense[1, 1] == pytest.approx(-math.sqrt(2) / 4, rel=1e-12)
    assert dense[0, 4] == pytest.approx(-math.sqrt(2) / 5, rel=1e-12)
    assert dense[8, 8] == pytest.approx(-80 / math.sqrt(123200), rel=1e-12)


def test_gi_star_single_hot_hexagon_hand_computed():
    """9 x 9 hexagons (n = 81), 14 crimes in the middle cell (W = 7 for it and its 6 neighbours).

    xbar = 14/81, s^2 = 196/81 - 196/6561 = 196*80/6561;
    z = (14 - 7*14/81) / (s * sqrt((81*7 - 49)/80)) = (14*74/81) / (14*sqrt(518)/81) = 74/sqrt(518).
    """
    grid = H.Grid.rectangle(HEX, 0, 8, 0, 8)
    x = np.zeros(81)
    centre = cell_at(grid, 4, 4)
    x[centre] = 14
    z = H.getis_ord_gi_star(grid, x)
    hot = np.flatnonzero(np.isclose(z, 74 / math.sqrt(518), rtol=1e-12))
    assert centre in hot and len(hot) == 7
    # the 6 are the centre's edge neighbours
    a, b = grid.edge_pairs()
    neigh = set(b[a == centre].tolist()) | set(a[b == centre].tolist())
    assert set(hot.tolist()) == neigh | {centre}


def test_gi_star_all_equal_counts_gives_no_hot_spot():
    grid = square_grid(5, 5)
    z = H.getis_ord_gi_star(grid, np.full(25, 3.0))
    assert (z == 0).all()
    p_fdr = H.benjamini_hochberg(H.normal_p_two_sided(z))
    assert set(H.classify(z, p_fdr).tolist()) == {H.NOT_SIGNIFICANT}
    zones = H.hotspot_zones(grid, np.full(25, 3), np.full(25, 3.0), z, p_fdr, 0.05, 5)
    assert len(zones) == 0


@pytest.mark.parametrize("shape", [H.HEXAGON, H.SQUARE])
def test_gi_star_matches_pysal_esda(shape):
    """Independent reference: esda.G_Local(star=True) with binary queen weights from the polygons."""
    esda = pytest.importorskip("esda")
    libpysal = pytest.importorskip("libpysal")
    lattice = H.Lattice(shape, 75.0)
    rng = np.random.default_rng(7)
    # an irregular study area (a disc with a bite out of it), so edge cells have few neighbours
    area = shapely.difference(shapely.Point(5000, 5000).buffer(900), shapely.box(5000, 4000, 6000, 5100))
    grid = H.Grid.covering_area(lattice, area)
    values = rng.poisson(1.5, len(grid)).astype(float)
    cx, cy = grid.centres()
    values[np.hypot(cx - 4600, cy - 5300) < 200] += 6  # a planted cluster
    w = libpysal.weights.Queen.from_iterable(list(grid.polygons()))
    expected_links = {H.HEXAGON: 6, H.SQUARE: 8}[shape]
    assert max(w.cardinalities.values()) == expected_links
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.G_Local(values, w, transform="B", star=True, permutations=0)
    z = H.getis_ord_gi_star(grid, values)
    assert len(grid) > 300
    assert np.allclose(z, ref.Zs, rtol=1e-9, atol=1e-12)
    # and the p-values: esda's p_norm is one-tailed in the direction of z
    assert np.allclose(H.normal_p_two_sided(z), 2 * ref.p_norm, rtol=1e-9, atol=1e-15)


def slow_gi_star(cx, cy, values, shape, d):
    """Textbook Gi* (Getis & Ord 1992, eqs. for G*_i), one cell at a time: neighbours found from the
    cell centres alone (hexagons: centres d apart; squares: queen, both offsets at most d), and
    z = (G*_i - E[G*_i]) / sqrt(Var[G*_i]) with G*_i = sum_j w_ij x_j / sum_j x_j, E = W_i / n,
    Var = W_i (n - W_i) / (n^2 (n - 1)) * s^2 / xbar^2 (s^2 the population variance)."""
    n = len(values)
    total = sum(values)
    xbar = total / n
    s2 = sum(v * v for v in values) / n - xbar * xbar
    out = []
    for i in range(n):
        w = []
        for j in range(n):
            dx, dy = abs(cx[i] - cx[j]), abs(cy[i] - cy[j])
            if shape == H.HEXAGON:
                w.append(1.0 if math.hypot(dx, dy) < 1.01 * d else 0.0)
            else:
                w.append(1.0 if dx < 1.01 * d and dy < 1.01 * d else 0.0)
        wi = sum(w)
        g = sum(wj * vj for wj, vj in zip(w, values)) / total
        var = wi * (n - wi) / (n * n * (n - 1)) * s2 / (xbar * xbar)
        out.append((g - wi / n) / math.sqrt(var))
    return np.array(out)


@pytest.mark.parametrize("shape", [H.HEXAGON, H.SQUARE])
def test_gi_star_matches_a_slow_textbook_reference(shape):
    """Runs everywhere (PySAL is not installable beside Debian's shapely on the LTR leg)."""
    lattice = H.Lattice(shape, 60.0)
    area = shapely.Polygon([(0, 0), (900, 100), (700, 800), (300, 600), (100, 900)])
    grid = H.Grid.covering_area(lattice, area)
    rng = np.random.default_rng(11)
    values = rng.poisson(0.8, len(grid)).astype(float)
    values[: len(grid) // 10] += rng.integers(0, 9, len(grid) // 10)
    cx, cy = grid.centres()
    ref = slow_gi_star(cx.tolist(), cy.tolist(), values.tolist(), shape, lattice.size)
    assert 150 < len(grid) < 400
    assert np.allclose(H.getis_ord_gi_star(grid, values), ref, rtol=1e-9, atol=1e-12)


# =========================================================================== p-values and FDR
def test_erfc_matches_math_erfc():
    x = np.r_[np.linspace(-5, 26, 31001), 1.5, 1.4999999999, 0.0]
    ref = np.array([math.erfc(v) for v in x])
    assert np.allclose(H.erfc(x), ref, rtol=1e-13, atol=0)


def test_normal_p_two_sided_known_quantiles():
    z = np.array([0.0, 1.6448536269514722, -1.959963984540054, 2.5758293035489004, 3.2905267314919255])
    assert np.allclose(H.normal_p_two_sided(z), [1.0, 0.10, 0.05, 0.01, 0.001], rtol=1e-12)


def test_benjamini_hochberg_hand_computed():
    # sorted: 0.005, 0.01, 0.03, 0.04 -> times m/i (m = 4): 0.02, 0.02, 0.04, 0.04 (already monotone)
    got = H.benjamini_hochberg([0.01, 0.04, 0.03, 0.005])
    assert np.allclose(got, [0.02, 0.04, 0.04, 0.02], rtol=1e-12)


def test_benjamini_hochberg_1995_paper_example():
    """The 15 p-values of Benjamini & Hochberg (1995, section 4): at q = 0.05 four are rejected.

    Adjusted = min over j >= i of p_(j) * 15 / j, e.g. p_(4) = 0.0095 * 15/4 = 0.035625;
    p_(6) = min(0.0278*15/6 = 0.0695, 0.0298*15/7 = 0.063857) = 0.063857.
    """
    p = [
        0.0001,
        0.0004,
        0.0019,
        0.0095,
        0.0201,
        0.0278,
        0.0298,
        0.0344,
        0.0459,
        0.3240,
        0.4262,
        0.5719,
        0.6528,
        0.7590,
        1.000,
    ]
    expected = [
        0.0015,
        0.003,
        0.0095,
        0.035625,
        0.0603,
        0.0298 * 15 / 7,
        0.0298 * 15 / 7,
        0.0645,
        0.0765,
        0.486,
        0.4262 * 15 / 11,
        0.5719 * 15 / 12,
        0.6528 * 15 / 13,
        0.759 * 15 / 14,
        1.0,
    ]
    rng = np.random.default_rng(0)
    order = rng.permutation(15)
    got = H.benjamini_hochberg(np.array(p)[order])
    assert np.allclose(got, np.array(expected)[order], rtol=1e-12)
    assert (got <= 0.05).sum() == 4


def test_benjamini_hochberg_ties_edge_cases_and_cap():
    assert H.benjamini_hochberg([]).tolist() == []
    assert H.benjamini_hochberg([0.3]).tolist() == [0.3]
    # ties: 0.02, 0.02, 0.02 with m = 3 -> 0.02*3/3 = 0.02 for all
    assert np.allclose(H.benjamini_hochberg([0.02, 0.02, 0.02]), 0.02)
    # 0.9 * 2/1 would exceed 1: capped (and monotone with the 1.0 above it)
    assert H.benjamini_hochberg([0.9, 1.0]).tolist() == [1.0, 1.0]


def test_classes_from_adjusted_p_and_sign():
    z = np.array([3.0, 2.0, 1.0, 0.5, -1.0, -2.0, -3.0, 0.0])
    p = np.array([0.01, 0.05, 0.10, 0.1000001, 0.10, 0.05, 0.0099, 0.001])
    assert H.classify(z, p).tolist() == [
        H.HOT_99,
        H.HOT_95,
        H.HOT_90,
        H.NOT_SIGNIFICANT,
        H.COLD_90,
        H.COLD_95,
        H.COLD_99,
        H.NOT_SIGNIFICANT,
    ]


def test_single_hot_square_p_and_fdr_hand_computed():
    """The 9 cells with z = 2*sqrt(2) have p = erfc(2) = 0.0046777; they are the 9 smallest of the
    81 p-values, so their BH-adjusted p is 0.0046777 * 81 / 9 = 0.0420996 -> 'hot 95%'."""
    grid = square_grid()
    x = np.zeros(81)
    x[cell_at(grid, 4, 4)] = 20
    z = H.getis_ord_gi_star(grid, x)
    p = H.normal_p_two_sided(z)
    p_fdr = H.benjamini_hochberg(p)
    hot = z > 2
    assert np.allclose(p[hot], 0.004677734981047266, rtol=1e-12)
    assert np.allclose(p_fdr[hot], 0.004677734981047266 * 9, rtol=1e-12)
    classes = H.classify(z, p_fdr)
    assert (classes[hot] == H.HOT_95).all() and (classes[~hot] == H.NOT_SIGNIFICANT).all()


# =========================================================================== zones
def test_connected_components_against_a_breadth_first_search():
    rng = np.random.default_rng(5)
    n = 300
    a = rng.integers(0, n, 250)
    b = rng.integers(0, n, 250)
    comp = H.connected_components(n, a, b)
    # reference: BFS on an adjacency list
    adj = [[] for _ in range(n)]
    for u, v in zip(a.tolist(), b.tolist()):
        adj[u].append(v)
        adj[v].append(u)
    ref = [-1] * n
    k = 0
    for s in range(n):
        if ref[s] >= 0:
            continue
        stack = [s]
        ref[s] = k
        while stack:
            u = stack.pop()
            for v in adj[u]:
                if ref[v] < 0:
                    ref[v] = k
                    stack.append(v)
        k += 1
    assert comp.tolist() == ref


def test_zones_dissolve_edge_sharing_hot_cells_rank_by_harm_and_drop_small_ones():
    """A 6 x 6 square grid; hot cells are forced through z and p (the statistic is tested above).

    Zone A: cells (0,0),(0,1),(1,1) with 2+2+2 crimes, harm 6 (an L of three squares, 30000 m2).
    Zone B: cells (4,4),(4,5) with 5 + 3 crimes, harm 8 -> ranked first (more harm).
    Cell (3,3) touches B only at a corner: its own zone, 1 crime < min 2 -> dropped.
    Cell (5,0) is hot but its p is above alpha: not in any zone.
    """
    grid = square_grid(6, 6, row0=0, col0=0)
    crimes = np.zeros(36, dtype=np.int64)
    z = np.full(36, -0.5)
    p = np.full(36, 0.9)
    for (i, j), c in {(0, 0): 2, (0, 1): 2, (1, 1): 2, (4, 4): 5, (4, 5): 3, (3, 3): 1, (5, 0): 9}.items():
        k = cell_at(grid, i, j)
        crimes[k] = c
        z[k] = 3.0 + c / 10
        p[k] = 0.2 if (i, j) == (5, 0) else 0.001
    zones = H.hotspot_zones(grid, crimes, crimes.astype(float), z, p, alpha=0.05, min_crimes=2)
    assert zones.ids == ["HS-001", "HS-002"]
    assert zones.crimes.tolist() == [8, 6]
    assert zones.harm.tolist() == [8.0, 6.0]
    assert zones.cells.tolist() == [2, 3]
    assert zones.area_m2.tolist() == [20000.0, 30000.0]
    assert zones.peak_z.tolist() == pytest.approx([3.5, 3.2])
    assert zones.dropped == 1
    assert [g.geom_type for g in zones.geoms] == ["Polygon", "Polygon"]
    assert shapely.equals(zones.geoms[0], shapely.box(400, 400, 600, 500))
    ell = shapely.Polygon([(0, 0), (200, 0), (200, 200), (100, 200), (100, 100), (0, 100)])
    assert shapely.equals(zones.geoms[1], ell)
    assert zones.cell_zone[cell_at(grid, 4, 5)] == 0 and zones.cell_zone[cell_at(grid, 3, 3)] == -1


def test_zone_around_a_cold_cell_keeps_the_hole():
    grid = square_grid(5, 5, row0=0, col0=0)
    z = np.zeros(25)
    p = np.ones(25)
    ring = [(i, j) for i in range(1, 4) for j in range(1, 4) if (i, j) != (2, 2)]
    for i, j in ring:
        z[cell_at(grid, i, j)] = 4.0
        p[cell_at(grid, i, j)] = 0.001
    zones = H.hotspot_zones(grid, np.ones(25), np.ones(25), z, p, 0.05, 0)
    assert len(zones) == 1 and zones.cells[0] == 8
    g = zones.geoms[0]
    assert g.geom_type == "Polygon" and len(g.interiors) == 1 and g.area == 80000.0


# =========================================================================== concentration
def test_concentration_hand_computed():
    """Harm per cell 5, 3, 1, 1 and six zeros (10 cells of 100 m squares, 10,000 m2 each).

    Sorted by harm: the first cell holds 5/10 = 50% on 10% of the area (the headline);
    two cells 80% on 20%; four cells 100% on 40%; all ten 100% on 100%.
    """
    harm = np.array([0, 1, 5, 0, 0, 3, 0, 1, 0, 0], dtype=float)
    conc = H.concentration(harm, 10000.0)
    assert conc.half_cells == 1 and conc.half_area_pct == pytest.approx(10.0)
    assert conc.cells.tolist() == [0, 1, 1, 2, 6]
    assert conc.cum_cells.tolist() == [0, 1, 2, 4, 10]
    assert conc.area_pct.tolist() == pytest.approx([0, 10, 20, 40, 100])
    assert conc.harm_pct.tolist() == pytest.approx([0, 50, 80, 100, 100])
    assert conc.area_km2.tolist() == pytest.approx([0, 0.01, 0.02, 0.04, 0.1])
    assert np.isnan(conc.harm_per_cell[0]) and conc.harm_per_cell[1:].tolist() == [5, 3, 1, 0]
    assert H.headline(conc, 10000.0, "crime") == "10.0% of the area (1 of 10 cells, 0.01 km²) holds 50% of the crime"


def test_concentration_needs_more_than_half_when_not_reached_exactly():
    # 4 cells of harm 1 among 100: half (2) is reached with 2 cells = 2% of the area
    harm = np.zeros(100)
    harm[:4] = 1
    conc = H.concentration(harm, 1.0)
    assert conc.half_cells == 2 and conc.half_area_pct == pytest.approx(2.0)
    harm[:3] = [3, 1, 1]  # total 6: 3 is exactly half -> 1 cell
    assert H.concentration(harm, 1.0).half_cells == 1


def test_concentration_of_nothing_is_an_error():
    with pytest.raises(ValueError, match="no harm"):
        H.concentration(np.zeros(5), 1.0)


# =========================================================================== the whole analysis
def test_analyse_counts_every_point_once_and_reports_points_outside_the_area():
    # 3 x 3 squares of 100 m at the origin; 5 points inside (one on an inner edge, one on a corner)
    # and 2 outside the study area
    area = shapely.box(0, 0, 300, 300)
    x = np.array([50, 100, 200, 250, 150, -10, 310.0])
    y = np.array([50, 50, 200, 250, 150, 50, 50.0])
    res = H.analyse(x, y, None, SQ, area=area)
    assert len(res.grid) == 9
    assert res.crimes.sum() == 5 and res.points_used == 5 and res.outside == 2
    # (100, 50) is on the edge between columns 0 and 1: it belongs to column 1 (east)
    assert res.crimes[cell_at(res.grid, 0, 1)] == 1
    # (200, 200) is the corner of four cells: it belongs to the north-east one (row 2, column 2)
    assert res.crimes[cell_at(res.grid, 2, 2)] == 2


def test_analyse_weights_and_default_extent():
    x = np.array([50.0, 60.0, 450.0])
    y = np.array([50.0, 60.0, 250.0])
    res = H.analyse(x, y, np.array([2.0, 0.5, 1.0]), SQ)
    assert len(res.grid) == 5 * 3  # columns 0..4, rows 0..2: the rectangle spanned by the crimes
    assert res.crimes.sum() == 3 and res.harm.sum() == pytest.approx(3.5)
    assert res.harm[cell_at(res.grid, 0, 0)] == pytest.approx(2.5)


def test_analyse_empty_input_is_a_clear_error():
    with pytest.raises(ValueError, match="no crimes"):
        H.analyse(np.zeros(0), np.zeros(0), None, HEX)
    with pytest.raises(ValueError, match="no crimes inside the study area"):
        H.analyse(np.array([5000.0]), np.array([5000.0]), None, SQ, area=shapely.box(0, 0, 300, 300))
    with pytest.raises(ValueError, match="weighs 0"):
        H.analyse(np.array([50.0, 250.0]), np.array([50.0, 50.0]), np.zeros(2), SQ)


# =========================================================================== harm table, types
def test_read_harm_table(tmp_path):
    path = tmp_path / "harm.csv"
    path.write_text("Crime type,Weight\nBurglary,2.5\n robbery , 10\n\nShoplifting,0\n", encoding="utf-8")
    assert H.read_harm_table(str(path)) == {"burglary": 2.5, "robbery": 10.0, "shoplifting": 0.0}
    path.write_text("Burglary;2\nDrugs;1,5\n", encoding="utf-8")  # no header, semicolons
    with pytest.raises(ValueError, match="line 2: the weight '1,5' of 'Drugs' is not a number"):
        H.read_harm_table(str(path))
    path.write_text("Burglary,2\nBurglary,3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2: 'Burglary' appears twice"):
        H.read_harm_table(str(path))
    path.write_text("Burglary,-1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="zero or more"):
        H.read_harm_table(str(path))
    path.write_text("type,weight\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no 'crime type, weight' rows"):
        H.read_harm_table(str(path))


def test_split_types():
    assert H.split_types(" Burglary, Robbery ,,Drugs") == ["Burglary", "Robbery", "Drugs"]
    assert H.split_types("Criminal damage, arson; Drugs") == ["Criminal damage, arson", "Drugs"]
    assert H.split_types("Burglary\nRobbery") == ["Burglary", "Robbery"]
    assert H.split_types("  ") == []


@pytest.mark.parametrize("lattice", [HEX, SQ])
def test_numpy_wkb_equals_the_shapely_polygons(lattice):
    grid = H.Grid.rectangle(lattice, -3, 4, 4320, 4327)
    wkbs = grid.wkb()
    assert len(wkbs) == len(grid) == 64
    assert shapely.equals_exact(shapely.from_wkb(wkbs), grid.polygons(), 0).all()
    assert shapely.is_valid(shapely.from_wkb(wkbs)).all()
