"""A seeded synthetic city: hot spot zones and units that walk or drive between them and loiter.

Used for the bundled sample data (scripts/make_sample.py) and the benchmark (scripts/bench.py).
Pure numpy + shapely; coordinates are British National Grid metres around Leeds.
"""

from __future__ import annotations

import numpy as np
import shapely

ORIGIN = (428000.0, 432000.0)


def make_zones(n_zones: int, seed: int = 1, extent: float | None = None) -> np.ndarray:
    """Small hot spots (50-250 m across): rectangles, rotated quads, some L-shapes and circles."""
    rng = np.random.default_rng(seed)
    extent = extent or max(2000.0, np.sqrt(n_zones) * 450.0)
    zones = []
    centres = []
    while len(zones) < n_zones:
        c = rng.uniform(0, extent, 2) + ORIGIN
        if centres and np.min(np.hypot(*(np.asarray(centres) - c).T)) < 320:
            continue
        kind = len(zones) % 4
        w, h = rng.uniform(50, 220, 2)
        if kind == 0:
            g = shapely.box(c[0] - w / 2, c[1] - h / 2, c[0] + w / 2, c[1] + h / 2)
        elif kind == 1:
            g = shapely.Point(c).buffer(min(w, h) / 2, quad_segs=8)
        elif kind == 2:  # L-shape (concave)
            g = shapely.union(
                shapely.box(c[0] - w / 2, c[1] - h / 2, c[0] + w / 2, c[1] - h / 6),
                shapely.box(c[0] - w / 2, c[1] - h / 2, c[0] - w / 6, c[1] + h / 2),
            )
        else:
            a = rng.uniform(0, np.pi)
            pts = np.array([[-w, -h], [w, -h], [w * 0.8, h], [-w * 0.9, h * 0.9]]) / 2
            rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
            g = shapely.Polygon(pts @ rot.T + c)
        zones.append(shapely.normalize(g))
        centres.append(c)
    return np.array(zones, dtype=object)


def make_tracks(
    zones: np.ndarray,
    n_units: int,
    hours: float,
    ping_s: float = 30.0,
    seed: int = 2,
    start: float = 1795168800.0,
    dropout: float = 0.01,
):
    """Pings of units moving between zones: (unit, t, x, y) arrays sorted by unit then time.

    Each unit alternates: travel to a random zone (walking 1.4 m/s or driving 9 m/s), loiter near
    its centre for 2-25 minutes (small GPS noise), repeat. ``dropout`` removes that share of pings.
    """
    rng = np.random.default_rng(seed)
    centres = shapely.get_coordinates(shapely.centroid(zones))
    n_steps = int(hours * 3600 / ping_s)
    n_legs = max(4, int(hours * 3600 / 300))
    # per unit: a sequence of legs (target zone, loiter seconds, speed)
    target = rng.integers(0, len(zones), size=(n_units, n_legs))
    loiter = rng.uniform(120, 1500, size=(n_units, n_legs))
    speed = np.where(rng.random((n_units, 1)) < 0.5, 1.4, 9.0) * np.ones((1, n_legs))
    tgt_xy = centres[target]  # (units, legs, 2)
    start_xy = centres[rng.integers(0, len(zones), n_units)] + rng.normal(0, 300, (n_units, 2))
    prev_xy = np.concatenate([start_xy[:, None, :], tgt_xy[:, :-1, :]], axis=1)
    travel = np.hypot(*(tgt_xy - prev_xy).transpose(2, 0, 1)) / speed
    # timeline of each leg: travel then loiter
    leg_len = travel + loiter
    leg_end = np.cumsum(leg_len, axis=1)
    leg_start = leg_end - leg_len
    t_rel = np.arange(n_steps) * ping_s
    unit = np.repeat(np.arange(n_units), n_steps)
    tt = np.tile(t_rel, n_units)
    # which leg each ping falls in (vectorised per unit through a flattened searchsorted)
    offset = np.arange(n_units)[:, None] * (leg_end[:, -1:].max() + 1e6)
    flat_ends = (leg_end + offset).ravel()
    leg = np.searchsorted(flat_ends, tt + offset[unit, 0], side="right") - unit * n_legs
    leg = np.clip(leg, 0, n_legs - 1)
    ls = leg_start[unit, leg]
    tv = travel[unit, leg]
    frac = np.clip((tt - ls) / np.maximum(tv, 1e-9), 0, 1)
    p0 = prev_xy[unit, leg]
    p1 = tgt_xy[unit, leg]
    xy = p0 + (p1 - p0) * frac[:, None]
    loitering = (tt - ls) > tv
    xy[loitering] += rng.normal(0, 12, (int(loitering.sum()), 2))
    xy += rng.normal(0, 3, xy.shape)
    keep = rng.random(len(tt)) >= dropout
    t = start + tt + rng.integers(0, int(ping_s), n_units)[unit]
    return unit[keep], t[keep], xy[keep, 0], xy[keep, 1]
