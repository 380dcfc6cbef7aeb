"""The fast matcher against the slow reference (reference.py) on seeded random scenarios.

Each scenario: a few units walking between, loitering in and wandering around a handful of random
zones (convex, star-shaped, U-shaped, with holes, multipart; or axis-aligned boxes walked along a
street grid, so pings land on edges and corners), with random silences longer and shorter than
MAX_GAP, exact duplicate rows, rows shuffled, and random parameters and analysis periods. Waypoint
scenarios do the same with discs. Fast ``match`` + ``coverage`` must agree with the reference:
same visits (entry/exit within 1e-6 s), bands, pass-through flags, ping counts, paths, coverage.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from reference import DiscArea, PolygonArea, RefParams, reference_coverage, reference_match
from shapely import affinity
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon, box

from hotspot_patrol_plugin.core import matching
from hotspot_patrol_plugin.core.matching import (
    DiscAreas,
    MatchParams,
    PolygonAreas,
    Tracks,
    coverage,
    match,
)

T0 = 1_780_000_000.0  # mid-2026, so times carry realistic float rounding
EXTENT = 1200.0
TIME_TOL = 1e-6
XY_TOL = 1e-5  # metres; a position at a clipped time inherits the time's rounding (~2e-7 s at 2026)


# --------------------------------------------------------------------------- random zones
def _convex(rng, cx, cy, r):
    pts = rng.normal(size=(rng.integers(6, 13), 2)) * r / 2 + (cx, cy)
    return MultiPoint([tuple(p) for p in pts]).convex_hull


def _star(rng, cx, cy, r):
    n = int(rng.integers(5, 10))
    inner = rng.uniform(0.35, 0.7)
    a0 = rng.uniform(0, 2 * math.pi)
    pts = []
    for i in range(2 * n):
        rr = r if i % 2 == 0 else r * inner
        a = a0 + i * math.pi / n
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    return Polygon(pts)


def _u_shape(rng, cx, cy, r):
    w = r
    u = Polygon([(-w, -w), (w, -w), (w, w), (w / 3, w), (w / 3, -w / 3), (-w / 3, -w / 3), (-w / 3, w), (-w, w)])
    return affinity.translate(affinity.rotate(u, rng.uniform(0, 360)), cx, cy)


def _holed(rng, cx, cy, r):
    outer = _convex(rng, cx, cy, r * 1.3).buffer(r * 0.3)
    hole = Point(cx, cy).buffer(r * rng.uniform(0.15, 0.35), quad_segs=4)
    shape = outer.difference(hole)
    return shape if isinstance(shape, Polygon) and len(shape.interiors) == 1 else outer


def _multi(rng, cx, cy, r):
    a = _convex(rng, cx - r * 0.8, cy, r * 0.6)
    b = _star(rng, cx + r * 0.8, cy + rng.uniform(-r, r) * 0.3, r * 0.6)
    if a.intersects(b):
        return a
    return MultiPolygon([a, b])


def random_zones(rng):
    makers = [_convex, _star, _u_shape, _holed, _multi]
    zones = []
    for _ in range(int(rng.integers(3, 7))):
        cx, cy = rng.uniform(100, EXTENT - 100, 2)
        r = rng.uniform(30, 140)
        geom = makers[int(rng.integers(len(makers)))](rng, cx, cy, r)
        assert geom.is_valid and not geom.is_empty
        zones.append(geom)
    return zones


def grid_zones(rng):
    zones = []
    for _ in range(int(rng.integers(3, 7))):
        x0, y0 = rng.integers(0, 20, 2) * 50.0
        w, h = rng.integers(1, 5, 2) * 50.0
        zones.append(box(x0, y0, x0 + w, y0 + h))
    return zones


# --------------------------------------------------------------------------- random tracks
def _walk(rng, targets, n_pings, grid=False, extent=EXTENT, speeds=(1.0, 12.0)):
    """One unit's (t, x, y) rows: walking to targets, loitering, with silences."""
    t = T0 + rng.uniform(0, 900)
    if grid:
        x, y = rng.integers(0, 25, 2) * 50.0
    else:
        x, y = rng.uniform(0, extent, 2)
    rows = [(t, x, y)]
    while len(rows) < n_pings:
        if rng.random() < 0.75 and targets:
            tx, ty = targets[int(rng.integers(len(targets)))]
            if not grid:
                tx, ty = tx + rng.normal(0, 15), ty + rng.normal(0, 15)
        else:
            tx, ty = (rng.integers(0, 25, 2) * 50.0) if grid else rng.uniform(0, extent, 2)
        speed = rng.uniform(*speeds)
        # walk (on a grid: first along x, then along y, stopping on grid lines)
        legs = [(tx, y), (tx, ty)] if grid else [(tx, ty)]
        for lx, ly in legs:
            while (x, y) != (lx, ly) and len(rows) < n_pings:
                dt = float(rng.choice([5.0, 10.0, 15.0, 30.0, 60.0])) if grid else rng.uniform(3, 70)
                d = math.hypot(lx - x, ly - y)
                step = speed * dt
                if step >= d:
                    x, y = lx, ly
                elif grid:
                    step = max(50.0 * round(step / 50.0), 50.0)
                    if step >= d:
                        x, y = lx, ly
                    else:
                        x, y = x + step * np.sign(lx - x), y + step * np.sign(ly - y)
                else:
                    x, y = x + (lx - x) * step / d, y + (ly - y) * step / d
                t += dt
                if rng.random() < 0.03:  # a silence, sometimes longer than MAX_GAP
                    t += rng.uniform(30, 900)
                rows.append((t, float(x), float(y)))
        # loiter
        until = t + rng.uniform(0, 1300)
        while t < until and len(rows) < n_pings:
            t += rng.uniform(3, 70) if not grid else float(rng.choice([10.0, 30.0, 60.0]))
            if rng.random() < 0.03:
                t += rng.uniform(30, 900)
            if not grid:
                x, y = x + rng.normal(0, 6), y + rng.normal(0, 6)
            rows.append((t, float(x), float(y)))
    return rows


def random_pings(rng, targets, grid=False, **walk):
    unit, t, x, y = [], [], [], []
    codes = rng.choice(np.arange(100), size=int(rng.integers(2, 5)), replace=False)
    for code in codes:
        for tt, xx, yy in _walk(rng, targets, int(rng.integers(60, 220)), grid=grid, **walk):
            unit.append(int(code))
            t.append(tt)
            x.append(xx)
            y.append(yy)
    unit, t, x, y = np.array(unit), np.array(t), np.array(x), np.array(y)
    # exact duplicate rows, then shuffle
    dup = rng.choice(len(t), size=max(1, len(t) // 30), replace=False)
    unit, t, x, y = (np.concatenate([a, a[dup]]) for a in (unit, t, x, y))
    perm = rng.permutation(len(t))
    return unit[perm], t[perm], x[perm], y[perm]


def random_params(rng, t):
    max_gap = float(rng.choice([120.0, 300.0]))
    kw = dict(
        max_gap=max_gap,
        merge_gap=float(rng.choice([0.0, 30.0, 60.0, 100.0])),
        min_dwell=float(rng.choice([0.0, 60.0, 120.0])),
    )
    kw["target_min"], kw["target_max"] = [(600.0, 900.0), (300.0, 600.0), (120.0, 120.0)][int(rng.integers(3))]
    lo, hi = float(t.min()), float(t.max())
    choice = rng.integers(4)
    if choice == 1:
        kw["period_start"] = rng.uniform(lo, (lo + hi) / 2)
    elif choice == 2:
        kw["period_end"] = rng.uniform((lo + hi) / 2, hi)
    elif choice == 3:
        kw["period_start"] = rng.uniform(lo, (lo + hi) / 2)
        kw["period_end"] = rng.uniform(kw["period_start"] + 60, hi + 600)
    return kw


# --------------------------------------------------------------------------- comparison
def compare(unit, t, x, y, fast_areas, ref_areas, kw):
    params = MatchParams(**kw)
    ref_params = RefParams(**kw)
    tracks = Tracks.build(unit, t, x, y)
    fast = match(tracks, fast_areas, params)
    ref = reference_match(unit, t, x, y, ref_areas, ref_params)

    order = sorted(range(len(fast)), key=lambda i: (fast.area[i], fast.unit[i], fast.entry[i]))

    def per_pair(keys):
        out = {}
        for k in keys:
            out[k] = out.get(k, 0) + 1
        return out

    fast_pairs = per_pair((int(fast.area[i]), int(fast.unit[i])) for i in order)
    ref_pairs = per_pair((r.area, r.unit) for r in ref)
    assert fast_pairs == ref_pairs, "visits per (area, unit) differ"

    for i, r in zip(order, ref):
        where = f"area {r.area} unit {r.unit} ref [{r.entry - T0:.6f}, {r.exit - T0:.6f}]"
        got = f"fast [{fast.entry[i] - T0:.6f}, {fast.exit[i] - T0:.6f}]"
        assert abs(fast.entry[i] - r.entry) <= TIME_TOL, f"entry: {where} {got}"
        assert abs(fast.exit[i] - r.exit) <= TIME_TOL, f"exit: {where} {got}"
        assert fast.band[i] == r.band, f"band: {where}"
        assert bool(fast.pass_through[i]) == r.pass_through, f"pass-through: {where}"
        assert int(fast.pings[i]) == r.pings, f"pings: {where}"
        path = fast.path(i)
        assert path.shape == (len(r.path), 2), f"path length: {where}"
        assert np.allclose(path, np.array(r.path), rtol=0, atol=XY_TOL), f"path: {where}"

    n_areas = len(ref_areas)
    cov = coverage(fast, n_areas, params)
    ref_cov = reference_coverage(ref, n_areas, ref_params)
    for k, rc in enumerate(ref_cov):
        assert cov.visits[k] == rc.visits
        assert cov.visits_short[k] == rc.visits_short
        assert cov.visits_target[k] == rc.visits_target
        assert cov.visits_long[k] == rc.visits_long
        assert cov.units[k] == rc.units
        assert cov.status[k] == rc.status
        assert cov.dwell_total_min[k] == pytest.approx(rc.dwell_total_min, abs=1e-6)
        assert cov.presence_min[k] == pytest.approx(rc.presence_min, abs=1e-6)
        for got, want in (
            (cov.dwell_median_min[k], rc.dwell_median_min),
            (cov.first_entry[k], rc.first_entry),
            (cov.last_exit[k], rc.last_exit),
        ):
            if math.isnan(want):
                assert math.isnan(got)
            else:
                assert got == pytest.approx(want, abs=TIME_TOL)
    return fast, ref


# --------------------------------------------------------------------------- the tests
@pytest.mark.parametrize("seed", range(40))
def test_polygons_against_reference(seed):
    rng = np.random.default_rng(1000 + seed)
    zones = random_zones(rng)
    targets = [(p.x, p.y) for p in (z.representative_point() for z in zones)]
    unit, t, x, y = random_pings(rng, targets)
    kw = random_params(rng, t)
    geoms = np.empty(len(zones), dtype=object)
    geoms[:] = zones
    fast, ref = compare(unit, t, x, y, PolygonAreas(geoms), [PolygonArea(z) for z in zones], kw)
    assert len(ref) > 0  # the scenario is not vacuous


@pytest.mark.parametrize("seed", range(10))
def test_british_national_grid_coordinates_against_reference(seed):
    # real data is in metres on a national grid: ~530 km east, ~180 km north (central London)
    rng = np.random.default_rng(6000 + seed)
    ox, oy = 530_000.0, 180_000.0
    zones = random_zones(rng)
    targets = [(p.x, p.y) for p in (z.representative_point() for z in zones)]
    unit, t, x, y = random_pings(rng, targets)
    zones = [affinity.translate(z, ox, oy) for z in zones]
    x, y = x + ox, y + oy
    kw = random_params(rng, t)
    geoms = np.empty(len(zones), dtype=object)
    geoms[:] = zones
    fast, ref = compare(unit, t, x, y, PolygonAreas(geoms), [PolygonArea(z) for z in zones], kw)
    assert len(ref) > 0
    cx, cy = np.array(targets).T + np.array([[ox], [oy]])
    compare(unit, t, x, y, DiscAreas(cx, cy, 25.0), [DiscArea(a, b, 25.0) for a, b in zip(cx, cy)], kw)


@pytest.mark.parametrize("seed", range(10))
def test_street_grid_boxes_against_reference(seed):
    # pings on grid lines: along edges, on corners, on the boundary
    rng = np.random.default_rng(2000 + seed)
    zones = grid_zones(rng)
    targets = []
    for z in zones:
        x0, y0, x1, y1 = z.bounds
        targets += [(x0, y0), (x1, y1), (x0, y1), ((x0 + x1) // 100 * 50, (y0 + y1) // 100 * 50)]
    unit, t, x, y = random_pings(rng, targets, grid=True)
    kw = random_params(rng, t)
    geoms = np.empty(len(zones), dtype=object)
    geoms[:] = zones
    fast, ref = compare(unit, t, x, y, PolygonAreas(geoms), [PolygonArea(z) for z in zones], kw)
    assert len(ref) > 0


@pytest.mark.parametrize("seed", range(10))
def test_waypoints_against_reference(seed):
    rng = np.random.default_rng(3000 + seed)
    n = int(rng.integers(3, 9))
    cx, cy = rng.uniform(100, EXTENT - 100, n), rng.uniform(100, EXTENT - 100, n)
    radius = float(rng.choice([25.0, 10.0, 60.0]))
    unit, t, x, y = random_pings(rng, list(zip(cx, cy)))
    kw = random_params(rng, t)
    fast, ref = compare(unit, t, x, y, DiscAreas(cx, cy, radius), [DiscArea(a, b, radius) for a, b in zip(cx, cy)], kw)
    assert len(ref) > 0


@pytest.mark.parametrize("seed", range(5))
def test_many_small_zones_fast_driving_against_reference(seed):
    # ~60 small zones over 4 km, units driving up to 25 m/s: long segments span many index cells
    rng = np.random.default_rng(4000 + seed)
    zones = []
    for _ in range(60):
        cx, cy = rng.uniform(0, 4000, 2)
        zones.append(_star(rng, cx, cy, rng.uniform(10, 40)) if rng.random() < 0.5 else _convex(rng, cx, cy, 30))
    targets = [(p.x, p.y) for p in (z.representative_point() for z in zones)]
    unit, t, x, y = random_pings(rng, targets, extent=4000.0, speeds=(5.0, 25.0))
    kw = random_params(rng, t)
    geoms = np.empty(len(zones), dtype=object)
    geoms[:] = zones
    fast, ref = compare(unit, t, x, y, PolygonAreas(geoms), [PolygonArea(z) for z in zones], kw)
    assert len(ref) > 0


@pytest.mark.parametrize("seed", range(3))
def test_tiny_work_chunks_against_reference(seed, monkeypatch):
    # the fast matcher works in chunks of segments and of (segment, edge) rows; make them tiny
    monkeypatch.setattr(matching.areas, "CHUNK_EDGE_ROWS", 7)
    monkeypatch.setattr(matching.areas, "CHUNK_SEGMENTS", 5)
    rng = np.random.default_rng(5000 + seed)
    zones = random_zones(rng)
    targets = [(p.x, p.y) for p in (z.representative_point() for z in zones)]
    unit, t, x, y = random_pings(rng, targets)
    kw = random_params(rng, t)
    geoms = np.empty(len(zones), dtype=object)
    geoms[:] = zones
    fast, ref = compare(unit, t, x, y, PolygonAreas(geoms), [PolygonArea(z) for z in zones], kw)
    assert len(ref) > 0
    cx, cy = np.array(targets).T
    compare(unit, t, x, y, DiscAreas(cx, cy, 25.0), [DiscArea(a, b, 25.0) for a, b in zip(cx, cy)], kw)


def test_reference_agrees_with_a_hand_computed_case():
    # the reference itself, on the simplest crossing: x = -30 + t along y = 50 through (0,0)-(100,100)
    square = [PolygonArea(box(0, 0, 100, 100))]
    visits = reference_match([1] * 4, [0, 60, 120, 180], [-30, 30, 90, 150], [50] * 4, square, RefParams())
    assert len(visits) == 1
    v = visits[0]
    assert v.entry == pytest.approx(30.0) and v.exit == pytest.approx(130.0)
    assert v.pings == 2 and v.band == "short" and not v.pass_through
    disc = reference_match([1, 1], [0, 100], [-50, 50], [15, 15], [DiscArea(0, 0, 25)], RefParams())
    assert [(d.entry, d.exit) for d in disc] == [pytest.approx((30.0, 70.0))]
