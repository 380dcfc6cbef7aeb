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


def clean(unit, t, x, y, *, zero=None, inside=None, accuracy=None, max_accuracy=None, now=None,
          max_speed_kmh=200.0, future_slack_s=300.0) -> Cleaned:
    """``unit`` int codes, ``t`` UTC seconds, ``x``/``y`` metres. ``zero``/``inside`` are boolean
    masks computed by the caller in source/geographic coordinates; None skips a step."""
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
    order_in_unit = idx[np.argsort(unit[idx], kind="stable")]
    u_s, t_s = unit[order_in_unit], t[order_in_unit]
    back = np.zeros(len(order_in_unit), dtype=bool)
    if len(order_in_unit) > 1:
        back[1:] = (u_s[1:] == u_s[:-1]) & (t_s[1:] < t_s[:-1])
    out_of_order = int(back.sum())

    # sort by unit, then time, then position (so exact duplicates sit together)
    order = idx[np.lexsort((y[idx], x[idx], t[idx], unit[idx]))]
    if len(order) > 1:
        u, tt, xx, yy = unit[order], t[order], x[order], y[order]
        same = np.r_[False, (u[1:] == u[:-1]) & (tt[1:] == tt[:-1])]
        exact = same & np.r_[False, (xx[1:] == xx[:-1]) & (yy[1:] == yy[:-1])]
        drop(DUPLICATE, _scatter(n, order[exact]))
        drop(SAME_TIME, _scatter(n, order[same & ~exact]))
        order = order[~same]
    if max_speed_kmh is not None and len(order) > 2:
        order = _drop_jumps(order, unit, t, x, y, max_speed_kmh / 3.6, drop, n)
    return Cleaned(order=order, dropped=dropped, out_of_order=out_of_order)


def _scatter(n: int, rows: np.ndarray) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    return mask


def _drop_jumps(order, unit, t, x, y, vmax, drop, n):
    """A ping reached too fast and left too fast, while its neighbours are close in speed: a spike."""
    u, tt, xx, yy = unit[order], t[order], x[order], y[order]
    inner = np.zeros(len(order), dtype=bool)
    inner[1:-1] = (u[1:-1] == u[:-2]) & (u[1:-1] == u[2:])

    def speed(a, b):
        dt = np.maximum(tt[b] - tt[a], 1e-9)
        return np.hypot(xx[b] - xx[a], yy[b] - yy[a]) / dt

    i = np.flatnonzero(inner)
    spike = (speed(i - 1, i) > vmax) & (speed(i, i + 1) > vmax) & (speed(i - 1, i + 1) <= vmax)
    rows = order[i[spike]]
    drop(JUMP, _scatter(n, rows))
    keep = np.ones(len(order), dtype=bool)
    keep[i[spike]] = False
    return order[keep]
