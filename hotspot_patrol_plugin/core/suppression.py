"""Small-count suppression for public tables, with secondary suppression so totals reveal nothing.

A table of counts (rows × columns) is published with its row totals, column totals and grand total.
Cells with 0 < count < threshold are hidden ("<5"). A hidden cell could still be worked out by
subtraction when it is the only hidden entry of a row or column (its total minus the others), so
more entries are hidden until every line — each row with its total, each column with its total, and
the totals row with the grand total — has either no hidden entry or at least two.
"""

from __future__ import annotations

import numpy as np


def suppress(table, threshold: int = 5) -> np.ndarray:
    """A boolean mask over the table *with margins* ((r+1) × (c+1): last column = row totals, last
    row = column totals, corner = grand total); True = hide. Secondary choices take the smallest
    visible entry of the line (interior cells before totals), so as little as possible is lost."""
    t = np.asarray(table, dtype=float)
    r, c = t.shape
    full = np.zeros((r + 1, c + 1))
    full[:r, :c] = t
    full[:r, c] = t.sum(axis=1)
    full[r, :c] = t.sum(axis=0)
    full[r, c] = t.sum()
    hide = (full > 0) & (full < threshold)
    lines = [("row", i) for i in range(r + 1)] + [("col", j) for j in range(c + 1)]

    def cells(kind, k):
        if kind == "row":
            return [(k, j) for j in range(c + 1)]
        return [(i, k) for i in range(r + 1)]

    changed = True
    while changed:
        changed = False
        for kind, k in lines:
            idx = cells(kind, k)
            hidden = [p for p in idx if hide[p]]
            if len(hidden) != 1:
                continue
            visible = [p for p in idx if not hide[p]]
            if not visible:
                continue
            margin = (r, c)
            # interior cells first (a total last), then the smallest value, then the first
            visible.sort(key=lambda p: (p[0] == r or p[1] == c, p == margin, full[p], p))
            hide[visible[0]] = True
            changed = True
    return hide


def with_margins(table) -> np.ndarray:
    t = np.asarray(table, dtype=float)
    r, c = t.shape
    full = np.zeros((r + 1, c + 1))
    full[:r, :c] = t
    full[:r, c] = t.sum(axis=1)
    full[r, :c] = t.sum(axis=0)
    full[r, c] = t.sum()
    return full


def shown(value: float, hidden: bool, threshold: int = 5, digits: int = 0) -> str:
    """What the public sees: '<5' for a hidden small value, '*' for one hidden to protect another."""
    if hidden:
        return f"<{threshold}" if 0 < value < threshold else "*"
    return f"{value:,.{digits}f}"


# ------------------------------------------------------------------------------------ public tables
def monthly(zone_of_visit, month_of_visit, dwell_min, on_target, zones, months):
    """Per zone × month: (visits, hours, visits on target) arrays of shape (zones, months).

    Inputs are one entry per counted visit (pass-throughs already left out); nothing about
    individual officers or visit times survives the aggregation."""
    zi = {z: i for i, z in enumerate(zones)}
    mi = {m: j for j, m in enumerate(months)}
    visits = np.zeros((len(zones), len(months)))
    hours = np.zeros((len(zones), len(months)))
    target = np.zeros((len(zones), len(months)))
    for z, m, d, t in zip(zone_of_visit, month_of_visit, dwell_min, on_target):
        if z in zi and m in mi:
            i, j = zi[z], mi[m]
            visits[i, j] += 1
            hours[i, j] += d / 60.0
            target[i, j] += 1 if t else 0
    return visits, hours, target


def snap_to_grid(x, y, size: float):
    """Centroids generalised for sensitive locations: snapped to the centre of a ``size`` m grid cell."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    return (np.floor(x / size) + 0.5) * size, (np.floor(y / size) + 0.5) * size
