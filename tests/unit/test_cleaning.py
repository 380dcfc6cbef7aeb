"""core.cleaning: hand-checked drops, and the fast sort against a plain lexsort reference."""

from __future__ import annotations

import numpy as np

from hotspot_patrol_plugin.core import cleaning as C


def test_hand_checked_rows():
    # unit 0: rows 0..4; row 2 repeats row 1 exactly; row 3 has row 1's time elsewhere;
    # row 4 comes before row 0 in time (out of order). unit 1: a spike at row 6.
    unit = np.array([0, 0, 0, 0, 0, 1, 1, 1])
    t = np.array([100.0, 130, 130, 130, 70, 0, 30, 60])
    x = np.array([0.0, 10, 10, 5, 0, 0, 5000, 20])
    y = np.zeros(8)
    got = C.clean(unit, t, x, y, max_speed_kmh=200)
    assert got.out_of_order == 1
    # unit 0 by time: 4 (70), 0 (100), then the 130 s run sorted by position: 3 (x=5) kept, 1 and 2
    # (x=10) second positions at the same time, 2 an exact duplicate of 1
    assert got.order.tolist() == [4, 0, 3, 5, 7]
    assert got.dropped[C.DUPLICATE].tolist() == [2]
    assert got.dropped[C.SAME_TIME].tolist() == [1]
    assert got.dropped[C.JUMP].tolist() == [6]


def reference(unit, t, x, y):
    """The straightforward version: one lexsort by unit, time, x, y."""
    order = np.lexsort((y, x, t, unit))
    u, tt, xx, yy = unit[order], t[order], x[order], y[order]
    same = np.r_[False, (u[1:] == u[:-1]) & (tt[1:] == tt[:-1])]
    exact = same & np.r_[False, (xx[1:] == xx[:-1]) & (yy[1:] == yy[:-1])]
    by_unit = np.argsort(unit, kind="stable")
    back = (unit[by_unit][1:] == unit[by_unit][:-1]) & (t[by_unit][1:] < t[by_unit][:-1])
    return order[~same], np.sort(order[exact]), np.sort(order[same & ~exact]), int(back.sum())


def test_matches_the_lexsort_reference_on_random_exports():
    rng = np.random.default_rng(11)
    for trial in range(40):
        n = int(rng.integers(1, 400))
        units = int(rng.integers(1, 6))
        unit = rng.integers(0, units, n) * (70000 if trial % 5 == 0 else 1)  # codes beyond 16 bits too
        t = np.sort(rng.integers(0, n // 2 + 2, n)).astype(float)  # time order with many ties
        if trial % 2:
            swap = rng.integers(0, n, n // 10 + 1)
            t[swap] = t[swap[::-1]]  # some rows out of order
        x = rng.integers(0, 3, n).astype(float)
        y = rng.integers(0, 2, n).astype(float)
        got = C.clean(unit, t, x, y, max_speed_kmh=None)
        order, dup, same, back = reference(unit, t, x, y)
        assert got.order.tolist() == order.tolist()
        assert got.dropped.get(C.DUPLICATE, np.zeros(0)).tolist() == dup.tolist()
        assert got.dropped.get(C.SAME_TIME, np.zeros(0)).tolist() == same.tolist()
        assert got.out_of_order == back


def test_empty_input():
    got = C.clean(np.zeros(0, int), np.zeros(0), np.zeros(0), np.zeros(0))
    assert got.order.tolist() == [] and got.dropped == {} and got.out_of_order == 0


def reference_spikes(unit, t, x, y, vmax):
    """Every ping tested on its own: too fast there, too fast back, neighbours within reach."""
    out = []
    for i in range(1, len(t) - 1):
        if not unit[i - 1] == unit[i] == unit[i + 1]:
            continue

        def v(a, b):
            return np.hypot(x[b] - x[a], y[b] - y[a]) / max(t[b] - t[a], 1e-9)

        if v(i - 1, i) > vmax and v(i, i + 1) > vmax and v(i - 1, i + 1) <= vmax:
            out.append(i)
    return out


def test_spikes_match_a_ping_by_ping_reference():
    rng = np.random.default_rng(5)
    for _ in range(30):
        n = int(rng.integers(3, 300))
        unit = np.sort(rng.integers(0, 4, n))
        t = np.arange(n) * 30.0
        x = np.cumsum(rng.normal(0, 100, n))
        y = np.zeros(n)
        jump = rng.random(n) < 0.1
        x[jump] += rng.choice([-1, 1], jump.sum()) * 5000  # 5 km in 30 s: 600 km/h
        got = C.clean(unit, t, x, y, max_speed_kmh=200)
        assert got.dropped.get(C.JUMP, np.zeros(0)).tolist() == reference_spikes(unit, t, x, y, 200 / 3.6)


def test_no_ping_near_any_zone_is_said_once():
    """Swapped lon/lat in a geographic layer land pings thousands of km away (issue 13, 12)."""
    import shapely

    from hotspot_patrol_plugin.core.cleaning import far_from_zones

    zone = np.array([shapely.box(430000, 433000, 430100, 433100)])
    near = far_from_zones(np.array([430050.0, 440000.0]), np.array([433050.0, 433000.0]), zone)
    assert near == ""  # one inside is enough
    far = far_from_zones(np.array([430100.0 + 10_001]), np.array([433100.0]), zone)  # 10.001 km east
    assert far.startswith("None of the 1 pings lies within 10 km of any zone")
    assert far_from_zones(np.array([430100.0 + 9_999]), np.array([433100.0]), zone) == ""
