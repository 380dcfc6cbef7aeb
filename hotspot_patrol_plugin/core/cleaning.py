"""Cleaning imported pings, every step counted: what was dropped, why, and which rows.

Input rows have already got a unit, a UTC time and metric coordinates (rows without them are
dropped by the reader with their own reasons). Steps, each optional:
(0,0) coordinates; outside the output CRS's area; timestamps in the future; accuracy worse than a
threshold; exact duplicates (same unit, time and place); a second position at the same time;
impossible jumps (a single ping faster than the limit both ways, whose neighbours agree).
Out-of-order rows are sorted, not dropped, and counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

ZERO = "coordinates (0, 0)"
OUTSIDE = "outside the area of the output CRS"
FUTURE = "time in the future"
ACCURACY = "accuracy worse than the limit"
DUPLICATE = "exact duplicate (same unit, time and place)"
SAME_TIME = "second position at the same time (first kept)"
JUMP = "impossible jump (too fast there and back)"

REASONS = (ZERO, OUTSIDE, FUTURE, ACCURACY, DUPLICATE, SAME_TIME, JUMP)


@dataclass
class Cleaned:
    order: np.ndarray  # row indices of the kept rows, sorted by unit then time
    dropped: dict = field(default_factory=dict)  # reason -> row indices (input order)
    out_of_order: int = 0

    def counts(self) -> dict[str, int]:
        return {k: int(len(v)) for k, v in self.dropped.items() if len(v)}


def clean(
    unit,
    t,
    x,
    y,
    *,
    zero=None,
    inside=None,
    accuracy=None,
    max_accuracy=None,
    now=None,
    max_speed_kmh=200.0,
    future_slack_s=300.0,
    duplicates=True,
) -> Cleaned:
    """``unit`` int codes, ``t`` UTC seconds, ``x``/``y`` metres. ``zero``/``inside`` are boolean
    masks computed by the caller in source/geographic coordinates; None skips a step, and so does
    ``duplicates=False`` (rows at the same time then all stay, in input order)."""
    unit = np.asarray(unit, dtype=np.int64)
    t = np.asarray(t, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = len(t)
    alive = np.ones(n, dtype=bool)
    dropped: dict[str, np.ndarray] = {}

    def drop(reason, mask):
        hit = mask & alive
        if hit.any():
            dropped[reason] = np.flatnonzero(hit)
            alive[hit] = False

    if zero is not None:
        drop(ZERO, np.asarray(zero, dtype=bool))
    if inside is not None:
        drop(OUTSIDE, ~np.asarray(inside, dtype=bool))
    if now is not None:
        drop(FUTURE, t > now + future_slack_s)
    if max_accuracy is not None and accuracy is not None:
        acc = np.asarray(accuracy, dtype=np.float64)
        drop(ACCURACY, np.isfinite(acc) & (acc > max_accuracy))

    # out of order: a row earlier than the unit's previous row in the given order
    idx = np.flatnonzero(alive)
    by_unit = idx[_stable_order(unit[idx])]
    u_s, t_s = unit[by_unit], t[by_unit]
    out_of_order = int(np.count_nonzero((u_s[1:] == u_s[:-1]) & (t_s[1:] < t_s[:-1]))) if len(by_unit) > 1 else 0
    del u_s, t_s

    # sort by unit, then time, then position (so exact duplicates sit together); exports are
    # mostly in time order, so the unit sort usually leaves nothing else to do
    order = by_unit if not out_of_order else idx[np.lexsort((t[idx], unit[idx]))]
    if len(order) > 1 and duplicates:
        u, tt = unit[order], t[order]
        same = np.r_[False, (u[1:] == u[:-1]) & (tt[1:] == tt[:-1])]
        if same.any():
            order = _position_order_in_ties(order, same, x, y)
            xx, yy = x[order], y[order]
            exact = same & np.r_[False, (xx[1:] == xx[:-1]) & (yy[1:] == yy[:-1])]
            drop(DUPLICATE, _scatter(n, order[exact]))
            drop(SAME_TIME, _scatter(n, order[same & ~exact]))
            order = order[~same]
    if max_speed_kmh is not None and len(order) > 2:
        order = _drop_jumps(order, unit, t, x, y, max_speed_kmh / 3.6, drop, n)
    return Cleaned(order=order, dropped=dropped, out_of_order=out_of_order)


def _stable_order(codes: np.ndarray) -> np.ndarray:
    """Stable argsort of unit codes: a linear-time radix sort when they fit in 16 bits."""
    if len(codes) and codes.min() >= 0 and codes.max() < 65536:
        return np.argsort(codes.astype(np.uint16), kind="stable")
    return np.argsort(codes, kind="stable")


def _position_order_in_ties(order: np.ndarray, same: np.ndarray, x, y) -> np.ndarray:
    """Within each run of rows with the same unit and time, order by x then y."""
    tie = same.copy()
    tie[:-1] |= same[1:]  # the first row of each run too
    at = np.flatnonzero(tie)
    run = np.cumsum(~same[at])  # a new run starts where a row is not "same" as the previous one
    rows = order[at]
    order = order.copy()
    order[at] = rows[np.lexsort((y[rows], x[rows], run))]
    return order


def _scatter(n: int, rows: np.ndarray) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    return mask


def _drop_jumps(order, unit, t, x, y, vmax, drop, n):
    """A ping reached too fast and left too fast, while its neighbours are close in speed: a spike.
    Speeds between consecutive pings are computed once; the skip-one speed only for the few
    pings whose both legs are too fast."""
    u, tt, xx, yy = unit[order], t[order], x[order], y[order]
    leg = np.hypot(np.diff(xx), np.diff(yy))
    leg /= np.maximum(np.diff(tt), 1e-9)
    fast = (leg > vmax) & (u[1:] == u[:-1])  # leg k -> k+1 of one unit, too fast
    del leg, u
    i = np.flatnonzero(fast[:-1] & fast[1:]) + 1  # both legs of ping i too fast (one unit throughout)
    skip = np.hypot(xx[i + 1] - xx[i - 1], yy[i + 1] - yy[i - 1]) / np.maximum(tt[i + 1] - tt[i - 1], 1e-9)
    spike = i[skip <= vmax]
    drop(JUMP, _scatter(n, order[spike]))
    keep = np.ones(len(order), dtype=bool)
    keep[spike] = False
    return order[keep]


def far_from_zones(x, y, zones, distance: float = 10_000.0, sample: int = 200_000) -> str:
    """A sentence when no ping lies within ``distance`` (metres, the working CRS) of any zone,
    else "": typically swapped longitude/latitude or a wrong CRS on the pings layer, which would
    otherwise show as every zone "not visited". Checked on an even sample of at most ``sample``."""
    import shapely

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    zones = np.asarray(zones, dtype=object)
    if not len(x) or not len(zones):
        return ""
    step = max(len(x) // sample, 1)
    px, py = x[::step], y[::step]
    ok = np.isfinite(px) & np.isfinite(py)
    xmin, ymin, xmax, ymax = shapely.total_bounds(zones)
    # only pings inside the zones' box grown by ``distance`` can be near a zone: a vectorised test,
    # then the nearest zone of the candidates in chunks, stopping at the first one near enough (a
    # "dwithin" query would list every ping-zone pair: 40M pairs for 200k pings in a city of zones)
    near_box = (
        ok & (px >= xmin - distance) & (px <= xmax + distance) & (py >= ymin - distance) & (py <= ymax + distance)
    )
    candidates = np.flatnonzero(near_box)
    tree = shapely.STRtree(zones)
    for start in range(0, len(candidates), 5_000):
        chunk = candidates[start : start + 5_000]
        hit = tree.query_nearest(shapely.points(px[chunk], py[chunk]), max_distance=distance, all_matches=False)
        if hit.shape[1]:
            return ""
    return (
        f"None of the {len(x):,} pings lies within {distance / 1000:g} km of any zone: check the pings "
        "layer's coordinate reference system, and that longitude/x and latitude/y are not swapped."
    )
