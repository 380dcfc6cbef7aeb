"""Visit matching (core/matching.py): hand-computed cases for every rule of the matching issue.

Pure numpy/shapely: no qgis, no Qt. Unless said otherwise the zone is the square
(0,0)-(100,100), units walk along y = 50, and times are seconds. Expected entry/exit times are
worked out by hand from the straight-line, constant-speed motion between pings.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from hotspot_patrol_plugin.core.matching import (
    BAND_LONG,
    BAND_SHORT,
    BAND_TARGET,
    STATUS_ABOVE,
    STATUS_BELOW,
    STATUS_NOT_VISITED,
    STATUS_ON,
    DiscAreas,
    MatchParams,
    PolygonAreas,
    Tracks,
    coverage,
    match,
)

SQUARE = box(0, 0, 100, 100)
Y = 50.0


# --------------------------------------------------------------------------- helpers
def tracks_of(pings) -> Tracks:
    """pings: (unit, t, x) on y = 50, or (unit, t, x, y)."""
    rows = [p if len(p) == 4 else (p[0], p[1], p[2], Y) for p in pings]
    if not rows:
        return Tracks.build(np.zeros(0, np.int64), np.zeros(0), np.zeros(0), np.zeros(0))
    unit, t, x, y = (np.array(c) for c in zip(*rows))
    return Tracks.build(unit.astype(np.int64), t.astype(float), x.astype(float), y.astype(float))


def zones_of(*geoms) -> PolygonAreas:
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = list(geoms)
    return PolygonAreas(arr)


def run(pings, *zones, **params):
    zones = zones or (SQUARE,)
    return match(tracks_of(pings), zones_of(*zones), MatchParams(**params))


def rows(v):
    """Visits as (area, unit, entry, exit) sorted by area, unit, entry."""
    out = [(int(v.area[i]), int(v.unit[i]), float(v.entry[i]), float(v.exit[i])) for i in range(len(v))]
    return sorted(out)


def order(v):
    return sorted(range(len(v)), key=lambda i: (v.area[i], v.unit[i], v.entry[i]))


def assert_visits(v, expected, tol=1e-9):
    """expected: list of (area, unit, entry, exit)."""
    got = rows(v)
    assert len(got) == len(expected), f"visits {got} != {expected}"
    for g, e in zip(got, sorted(expected)):
        assert g[:2] == e[:2], f"{g} != {e}"
        assert g[2] == pytest.approx(e[2], abs=tol), f"entry {g} != {e}"
        assert g[3] == pytest.approx(e[3], abs=tol), f"exit {g} != {e}"


def dwell_track(unit, entry, exit_, step=60.0):
    """A unit walking in across x = 0 (crossing at ``entry``), standing at (10, 50) with pings every
    ``step`` s, and walking out across x = 0 at ``exit_``: one visit [entry, exit_] exactly."""
    pts = [(unit, entry - 10, -10.0), (unit, entry + 10, 10.0)]
    t = entry + 10 + step
    while t < exit_ - 10:
        pts.append((unit, t, 10.0))
        t += step
    pts += [(unit, exit_ - 10, 10.0), (unit, exit_ + 10, -10.0)]
    return pts


# --------------------------------------------------------------------------- rule 3: crossings
def test_entry_and_exit_are_boundary_crossings_not_ping_times():
    # 1 m/s along y = 50: x = -30 + t; pings every 60 s at x = -30, 30, 90, 150
    v = run([(1, 0, -30), (1, 60, 30), (1, 120, 90), (1, 180, 150)])
    assert_visits(v, [(0, 1, 30.0, 130.0)])
    assert v.dwell[0] == pytest.approx(100.0)
    assert v.pings[0] == 2
    assert v.path(0) == pytest.approx(np.array([[0, Y], [30, Y], [90, Y], [100, Y]]))


def test_diagonal_crossing():
    # (-20, 30) -> (20, 70) in 40 s crosses x = 0 at (0, 50), half way: t = 20;
    # then (20, 70) -> (20, 130) in 60 s crosses y = 100 half way: t = 70
    v = run([(1, 0, -20, 30), (1, 40, 20, 70), (1, 100, 20, 130)])
    assert_visits(v, [(0, 1, 20.0, 70.0)])
    assert v.path(0) == pytest.approx(np.array([[0, 50], [20, 70], [20, 100]]))


def test_crossing_between_two_pings_with_no_ping_inside():
    # x = -50 + t/1 between t = 0 and 200: in at x = 0 (t = 50), out at x = 100 (t = 150)
    v = run([(1, 0, -50), (1, 200, 150)])
    assert_visits(v, [(0, 1, 50.0, 150.0)])
    assert v.pings[0] == 0
    assert not v.pass_through[0]
    assert v.band[0] == BAND_SHORT
    assert v.path(0) == pytest.approx(np.array([[0, Y], [100, Y]]))


def test_ping_exactly_on_the_boundary():
    # pings at x = 0 (t = 100) and x = 100 (t = 220) are on the boundary: inside
    v = run([(1, 0, -100), (1, 100, 0), (1, 160, 50), (1, 220, 100), (1, 280, 200)])
    assert_visits(v, [(0, 1, 100.0, 220.0)])
    assert v.pings[0] == 3
    assert v.path(0) == pytest.approx(np.array([[0, Y], [50, Y], [100, Y]]))


def test_touching_the_boundary_is_an_instant_pass_through():
    v = run([(1, 0, -100), (1, 100, 0), (1, 200, -100)])
    assert_visits(v, [(0, 1, 100.0, 100.0)])
    assert v.pass_through[0] and v.dwell[0] == 0.0 and v.pings[0] == 1
    cov = coverage(v, 1, MatchParams())
    assert cov.visits[0] == 0 and cov.status[0] == STATUS_NOT_VISITED


def test_walking_along_an_edge_is_inside():
    # along y = 0 (the bottom edge) from x = -50 to x = 150 at 1 m/s: on the boundary 50..150
    v = run([(1, 0, -50, 0), (1, 200, 150, 0)])
    assert_visits(v, [(0, 1, 50.0, 150.0)])


def test_crossing_a_corner_only_touches():
    # from (-50, 50) to (50, 150) passes through the corner (0, 100) at t = 50 and nothing else
    v = run([(1, 0, -50, 50), (1, 100, 50, 150)])
    assert_visits(v, [(0, 1, 50.0, 50.0)])
    assert v.pass_through[0]


def test_one_segment_crossing_two_zones():
    a, b = box(0, 0, 100, 100), box(200, 0, 300, 100)
    # x = -100 + t: A from t = 100 to 200, B from t = 300 to 400
    v = run([(1, 0, -100), (1, 600, 500)], a, b, max_gap=600)
    assert_visits(v, [(0, 1, 100.0, 200.0), (1, 1, 300.0, 400.0)])
    assert list(v.pings) == [0, 0]


def test_overlapping_zones_each_get_a_visit():
    a, b = box(0, 0, 100, 100), box(50, 0, 150, 100)
    v = run([(1, 0, -100), (1, 300, 200)], a, b, max_gap=300)
    assert_visits(v, [(0, 1, 100.0, 200.0), (1, 1, 150.0, 250.0)])


def test_standing_still_inside():
    v = run([(1, 0, 50), (1, 60, 50), (1, 120, 50)])
    assert_visits(v, [(0, 1, 0.0, 120.0)])
    assert v.pings[0] == 3


def test_lonely_ping_inside_is_an_instant_visit():
    # neighbours more than MAX_GAP away: nothing inferred, the ping alone is a zero-length visit
    v = run([(1, 0, -500), (1, 1000, 50), (1, 2000, -500)])
    assert_visits(v, [(0, 1, 1000.0, 1000.0)])
    assert v.pass_through[0] and v.pings[0] == 1
    assert v.path(0) == pytest.approx(np.array([[50, Y], [50, Y]]))


# --------------------------------------------------------------------------- gaps (rule 2/3)
GAP_TRACK = [
    (1, 0, -10),
    (1, 20, 10),  # in at t = 10
    (1, 80, 50),
    (1, 140, 50),
    (1, 200, 50),  # last ping before a 400 s silence
    (1, 600, 50),
    (1, 660, 50),  # first ping after it
    (1, 720, 90),
    (1, 740, 110),  # out at t = 730
]


def test_gap_splits_a_visit():
    v = run(GAP_TRACK)
    assert_visits(v, [(0, 1, 10.0, 200.0), (0, 1, 600.0, 730.0)])
    assert [v.pings[i] for i in order(v)] == [4, 3]


def test_gap_equal_to_max_gap_is_not_a_gap():
    v = run(GAP_TRACK, max_gap=400)
    assert_visits(v, [(0, 1, 10.0, 730.0)])
    assert v.pings[0] == 7


def test_visits_across_a_gap_shorter_than_merge_gap_merge():
    # rule 4 applies to the two visits that rule 3 split at the gap
    v = run(GAP_TRACK, merge_gap=401)
    assert_visits(v, [(0, 1, 10.0, 730.0)])
    v = run(GAP_TRACK, merge_gap=400)
    assert len(v) == 2


def test_no_crossing_inferred_across_a_gap():
    # before the gap west of the zone, after it east: the straight line would cross, but no visit
    v = run([(1, 0, -100), (1, 60, -50), (1, 1000, 150), (1, 1060, 200)])
    assert len(v) == 0


def test_leaving_during_a_gap():
    # inside before the gap, far away after it: the visit ends at the last ping before the gap
    v = run([(1, 0, -10), (1, 20, 10), (1, 80, 50), (1, 1000, 500), (1, 1060, 600)])
    assert_visits(v, [(0, 1, 10.0, 80.0)])


# --------------------------------------------------------------------------- merging (rule 4)
def merge_track(out_s):
    """In at t = 10, out across x = 100 at t = 210, back in across x = 100 at 210 + out_s,
    out across x = 0 at 210 + out_s + 180."""
    back = 210 + out_s
    return [
        (1, 0, -10),
        (1, 20, 10),
        (1, 80, 50),
        (1, 140, 50),
        (1, 200, 90),
        (1, 220, 110),  # out at 210
        (1, back - 10, 110),
        (1, back + 10, 90),  # in at `back`
        (1, back + 80, 50),
        (1, back + 170, 10),
        (1, back + 190, -10),  # out at back + 180
    ]


def test_short_step_out_is_merged():
    v = run(merge_track(40))  # out for 40 s < MERGE_GAP = 60
    assert_visits(v, [(0, 1, 10.0, 430.0)])
    assert v.dwell[0] == pytest.approx(420.0)
    assert v.pings[0] == 9  # every ping from t = 20 to t = 420, including the two outside


def test_gap_exactly_merge_gap_is_not_merged():
    v = run(merge_track(60))
    assert_visits(v, [(0, 1, 10.0, 210.0), (0, 1, 270.0, 450.0)])
    v = run(merge_track(59.5))
    assert_visits(v, [(0, 1, 10.0, 449.5)])


def test_merge_gap_zero_only_joins_touching_intervals():
    assert len(run(merge_track(25), merge_gap=0)) == 2
    # consecutive segments inside always join at their shared ping
    v = run([(1, 0, 10), (1, 60, 50), (1, 120, 90)], merge_gap=0)
    assert_visits(v, [(0, 1, 0.0, 120.0)])


def test_merging_is_per_unit_and_zone():
    # two units alternating in and out never merge with each other
    v = run(dwell_track(1, 100, 300) + dwell_track(2, 320, 500))
    assert_visits(v, [(0, 1, 100.0, 300.0), (0, 2, 320.0, 500.0)])


# --------------------------------------------------------------------------- pass-through, bands
def test_pass_through_threshold():
    v = run(dwell_track(1, 1000, 1059) + dwell_track(2, 1000, 1060))
    got = {int(v.unit[i]): bool(v.pass_through[i]) for i in range(len(v))}
    assert got == {1: True, 2: False}
    cov = coverage(v, 1, MatchParams())
    assert cov.visits[0] == 1 and cov.units[0] == 1


def test_min_dwell_zero_counts_everything():
    v = run(dwell_track(1, 1000, 1030), min_dwell=0)
    assert not v.pass_through[0]


@pytest.mark.parametrize(
    "dwell, band",
    [(599, BAND_SHORT), (600, BAND_TARGET), (750, BAND_TARGET), (900, BAND_TARGET), (901, BAND_LONG)],
)
def test_bands(dwell, band):
    v = run(dwell_track(1, 5000, 5000 + dwell))
    assert_visits(v, [(0, 1, 5000.0, 5000.0 + dwell)])
    assert v.dwell[0] == dwell  # exact: crossings are half-way between pings
    assert v.band[0] == band


def test_bands_with_custom_target():
    params = dict(target_min=300, target_max=300)
    bands = [run(dwell_track(1, 0, d), **params).band[0] for d in (299, 300, 301)]
    assert bands == [BAND_SHORT, BAND_TARGET, BAND_LONG]


# --------------------------------------------------------------------------- input hygiene
T1 = [(1, 0, -30), (1, 60, 30), (1, 120, 90), (1, 180, 150)]


def test_duplicates_count_once():
    pings = T1 + [(1, 60, 30), (1, 120, 90), (1, 120, 90)]
    tracks = tracks_of(pings)
    assert len(tracks) == 4 and tracks.duplicates == 3
    v = match(tracks, zones_of(SQUARE), MatchParams())
    assert_visits(v, [(0, 1, 30.0, 130.0)])
    assert v.pings[0] == 2


def test_same_time_in_two_units_is_not_a_duplicate():
    tracks = tracks_of(T1 + [(2, *p[1:]) for p in T1])
    assert len(tracks) == 8 and tracks.duplicates == 0
    v = match(tracks, zones_of(SQUARE), MatchParams())
    assert_visits(v, [(0, 1, 30.0, 130.0), (0, 2, 30.0, 130.0)])


def test_unsorted_input_gives_the_same_visits():
    pings = GAP_TRACK + [(7, *p[1:]) for p in merge_track(40)] + [(3, *p[1:]) for p in T1]
    expected = rows(run(pings))
    assert len(expected) == 4
    rng = np.random.default_rng(3)
    for _ in range(3):
        shuffled = [pings[i] for i in rng.permutation(len(pings))]
        assert rows(run(shuffled)) == expected


def test_unit_codes_are_kept():
    v = run([(42, *p[1:]) for p in T1] + [(5, *p[1:]) for p in T1])
    assert sorted(int(u) for u in v.unit) == [5, 42]


# --------------------------------------------------------------------------- zone shapes
U_SHAPE = Polygon([(0, 0), (300, 0), (300, 300), (200, 300), (200, 100), (100, 100), (100, 300), (0, 300)])
HOLED = Polygon(box(0, 0, 300, 300).exterior.coords, [box(100, 100, 200, 200).exterior.coords])


def test_concave_zone_segment_leaves_and_reenters():
    # one segment along y = 200 at 1 m/s from x = -50: in 50..150, the notch 150..250, in 250..350
    pings = [(1, 0, -50, 200), (1, 400, 350, 200)]
    v = run(pings, U_SHAPE, max_gap=400)
    assert_visits(v, [(0, 1, 50.0, 150.0), (0, 1, 250.0, 350.0)])
    v = run(pings, U_SHAPE, max_gap=400, merge_gap=120)
    assert_visits(v, [(0, 1, 50.0, 350.0)])
    # below the notch the U is solid
    v = run([(1, 0, -50, 50), (1, 400, 350, 50)], U_SHAPE, max_gap=400)
    assert_visits(v, [(0, 1, 50.0, 350.0)])


def test_zone_with_a_hole():
    v = run([(1, 0, -50, 150), (1, 400, 350, 150)], HOLED, max_gap=400)
    assert_visits(v, [(0, 1, 50.0, 150.0), (0, 1, 250.0, 350.0)])
    # standing in the hole is not a visit; standing on the hole's edge is
    assert len(run([(1, 0, 150, 150), (1, 60, 150, 150)], HOLED)) == 0
    assert_visits(run([(1, 0, 100, 150), (1, 60, 100, 150)], HOLED), [(0, 1, 0.0, 60.0)])


def test_multipolygon_zone():
    two = MultiPolygon([box(0, 0, 100, 100), box(130, 0, 230, 100)])
    pings = [(1, 0, -50), (1, 330, 280)]
    # in 50..150, between the parts 150..180 (30 s < MERGE_GAP), in 180..280: one visit
    v = run(pings, two, max_gap=330)
    assert_visits(v, [(0, 1, 50.0, 280.0)])
    v = run(pings, two, max_gap=330, merge_gap=0)
    assert_visits(v, [(0, 1, 50.0, 150.0), (0, 1, 180.0, 280.0)])


def test_segments_parallel_to_an_edge():
    triangle = Polygon([(0, 0), (100, 0), (0, 100)])
    # parallel to the hypotenuse x + y = 100 but outside it (x + y = 140), within the bounding box
    assert len(run([(1, 0, 60, 80), (1, 100, 80, 60)], triangle)) == 0
    # on the hypotenuse: on the boundary all the way
    assert_visits(run([(1, 0, 20, 80), (1, 100, 80, 20)], triangle), [(0, 1, 0.0, 100.0)])
    # parallel inside (x + y = 60) from (-20, 80) to (80, -20): x >= 0 from s = 0.2, y >= 0 to s = 0.8
    assert_visits(run([(1, 0, -20, 80), (1, 100, 80, -20)], triangle), [(0, 1, 20.0, 80.0)])
    # the same with a concave zone: the triangle with the square (0,0)-(10,10) cut out of its corner
    notched = Polygon([(10, 0), (100, 0), (0, 100), (0, 10), (10, 10)])
    assert notched.is_valid
    assert len(run([(1, 0, 60, 80), (1, 100, 80, 60)], notched)) == 0
    assert_visits(run([(1, 0, 20, 80), (1, 100, 80, 20)], notched), [(0, 1, 0.0, 100.0)])


def test_many_zones_only_matching_ones_get_visits():
    zones = [box(1000 * i, 0, 1000 * i + 100, 100) for i in range(50)]
    # walk through zone 7 only
    v = run([(1, 0, 6950), (1, 200, 7150)], *zones)
    assert_visits(v, [(7, 1, 50.0, 150.0)])


def test_one_long_segment_across_a_hundred_zones():
    # far longer than the spatial index's cells: every zone on the way is still found
    zones = [box(1000 * i, 0, 1000 * i + 100, 100) for i in range(100)]
    v = run([(1, 0, -50), (1, 100_000, 99_950)], *zones, max_gap=100_000)
    assert_visits(v, [(i, 1, 1000.0 * i + 50, 1000.0 * i + 150) for i in range(100)], tol=1e-6)


# --------------------------------------------------------------------------- waypoints (rule 7)
def disc_run(pings, cx=(0.0,), cy=(0.0,), radius=25.0, **params):
    return match(tracks_of(pings), DiscAreas(np.array(cx), np.array(cy), radius), MatchParams(**params))


def test_waypoint_disc_crossings():
    v = disc_run(
        [
            (1, 0, -50, 0),
            (1, 100, 50, 0),  # through the centre: in 25, out 75
            (2, 0, -50, 15),
            (2, 100, 50, 15),  # chord at 15 m: half-chord sqrt(625 - 225) = 20
            (3, 0, -30, -40),
            (3, 100, 30, 40),  # 3-4-5 diagonal through the centre, 100 m long
            (4, 0, -50, 25),
            (4, 100, 50, 25),  # tangent: an instant at t = 50
            (5, 0, -50, 30),
            (5, 100, 50, 30),  # misses
        ]
    )
    assert_visits(
        v,
        [(0, 1, 25.0, 75.0), (0, 2, 30.0, 70.0), (0, 3, 25.0, 75.0), (0, 4, 50.0, 50.0)],
        tol=1e-6,
    )
    i = order(v)
    assert v.path(i[0]) == pytest.approx(np.array([[-25, 0], [25, 0]]))
    assert v.path(i[1]) == pytest.approx(np.array([[-20, 15], [20, 15]]))


def test_waypoint_standing_inside_and_lonely_ping():
    v = disc_run([(1, 0, 10, 10), (1, 60, 10, 10), (1, 120, 10, 10), (2, 5000, 5, 5), (3, 0, 30, 0)])
    assert_visits(v, [(0, 1, 0.0, 120.0), (0, 2, 5000.0, 5000.0)])


def test_two_waypoints_and_merge():
    # along y = 0 at 1 m/s: disc A (0, 0) 25..75, disc B (80, 0) 105..155 with r = 25.
    # A and B are separate areas; out of A and back in (merge) within one area only
    v = disc_run([(1, 0, -50, 0), (1, 250, 200, 0)], cx=(0.0, 80.0), cy=(0.0, 0.0), max_gap=300)
    assert_visits(v, [(0, 1, 25.0, 75.0), (1, 1, 105.0, 155.0)], tol=1e-6)


def test_waypoint_on_the_circle_is_inside():
    v = disc_run([(1, 0, -50, 0), (1, 25, -25, 0), (1, 50, -50, 0)])
    assert_visits(v, [(0, 1, 25.0, 25.0)])


# --------------------------------------------------------------------------- period clipping
# 0.1 m/s from x = -10 at t = 0, pings every 100 s: in at t = 100 (x = 0), out at t = 1100 (x = 100)
SLOW = [(1, t, (t - 100) / 10) for t in range(0, 1300, 100)]


def test_slow_walk_without_period():
    v = run(SLOW)
    assert_visits(v, [(0, 1, 100.0, 1100.0)])
    assert v.pings[0] == 11


def test_period_clips_entry_and_exit():
    v = run(SLOW, period_start=350, period_end=650)
    assert_visits(v, [(0, 1, 350.0, 650.0)])
    assert v.band[0] == BAND_SHORT and v.pings[0] == 3
    # the path starts and ends where the unit was at the period bounds
    assert v.path(0) == pytest.approx(np.array([[25, Y], [30, Y], [40, Y], [50, Y], [55, Y]]))


def test_period_start_only_and_end_only():
    assert_visits(run(SLOW, period_start=400), [(0, 1, 400.0, 1100.0)])
    assert_visits(run(SLOW, period_end=700), [(0, 1, 100.0, 700.0)])


def test_period_clipping_can_make_a_pass_through():
    v = run(SLOW, period_start=1070)
    assert_visits(v, [(0, 1, 1070.0, 1100.0)])
    assert v.pass_through[0]


def test_period_excludes_visits_outside_it():
    assert len(run(SLOW, period_start=2000)) == 0
    assert len(run(SLOW, period_end=50)) == 0
    assert len(run(SLOW, period_start=-1000, period_end=99)) == 0


def test_period_does_not_change_a_visit_inside_it():
    v = run(SLOW, period_start=0, period_end=5000)
    assert_visits(v, [(0, 1, 100.0, 1100.0)])
    assert v.path(0)[0] == pytest.approx([0, Y]) and v.path(0)[-1] == pytest.approx([100, Y])


# --------------------------------------------------------------------------- empty inputs
def test_no_pings():
    v = run([], SQUARE, box(200, 0, 300, 100))
    assert len(v) == 0
    cov = coverage(v, 2, MatchParams())
    assert list(cov.visits) == [0, 0]
    assert list(cov.status) == [STATUS_NOT_VISITED] * 2
    assert list(cov.presence_min) == [0.0, 0.0] and list(cov.units) == [0, 0]
    assert np.isnan(cov.dwell_median_min).all() and np.isnan(cov.first_entry).all()
    assert list(cov.dwell_total_min) == [0.0, 0.0]


def test_no_zones():
    areas = PolygonAreas(np.empty(0, dtype=object))
    v = match(tracks_of(T1), areas, MatchParams())
    assert len(v) == 0
    cov = coverage(v, 0, MatchParams())
    assert len(cov.visits) == 0 and len(cov.status) == 0


def test_empty_and_missing_zone_geometries_are_never_visited():
    v = run([(1, 0, -50), (1, 200, 150)], Polygon(), SQUARE, None)
    assert_visits(v, [(1, 1, 50.0, 150.0)])
    assert list(coverage(v, 3, MatchParams()).visits) == [0, 1, 0]


def test_no_waypoints_and_no_pings_for_discs():
    assert len(disc_run(T1, cx=(), cy=())) == 0
    assert len(disc_run([])) == 0


def test_single_ping():
    assert_visits(run([(1, 0, 50)]), [(0, 1, 0.0, 0.0)])
    assert len(run([(1, 0, 500)])) == 0


# --------------------------------------------------------------------------- presence, coverage
def test_presence_is_the_union_of_units():
    v = run(dwell_track(1, 1000, 1700) + dwell_track(2, 1400, 2100) + dwell_track(1, 3000, 3700))
    assert_visits(v, [(0, 1, 1000, 1700), (0, 1, 3000, 3700), (0, 2, 1400, 2100)])
    cov = coverage(v, 1, MatchParams())
    assert cov.visits[0] == 3 and cov.units[0] == 2
    assert cov.visits_target[0] == 3 and cov.visits_short[0] == 0 and cov.visits_long[0] == 0
    assert cov.dwell_total_min[0] == pytest.approx(2100 / 60)
    # union: 1000..2100 and 3000..3700 = 1100 + 700 s
    assert cov.presence_min[0] == pytest.approx(1800 / 60)
    assert cov.dwell_median_min[0] == pytest.approx(700 / 60)
    assert cov.first_entry[0] == 1000 and cov.last_exit[0] == 3700
    assert cov.status[0] == STATUS_ON


def test_presence_of_officers_walking_together_counts_once():
    v = run(dwell_track(1, 1000, 1700) + dwell_track(2, 1000, 1700) + dwell_track(3, 1200, 1500))
    cov = coverage(v, 1, MatchParams())
    assert cov.visits[0] == 3 and cov.units[0] == 3
    assert cov.presence_min[0] == pytest.approx(700 / 60)
    assert cov.dwell_total_min[0] == pytest.approx(1700 / 60)


def test_presence_touching_and_nested_intervals():
    v = run(
        dwell_track(1, 1000, 1700)
        + dwell_track(2, 1700, 2000)  # touches unit 1's exit
        + dwell_track(3, 1100, 1200)  # nested in unit 1's visit
        + dwell_track(4, 3000, 3100)
    )
    cov = coverage(v, 1, MatchParams())
    assert cov.presence_min[0] == pytest.approx((1000 + 100) / 60)


def test_coverage_fields_and_statuses():
    zones = [box(1000 * i, 0, 1000 * i + 100, 100) for i in range(4)]

    def at(zone, pings):
        return [(u, t, x + 1000 * zone) for u, t, x in pings]

    pings = (
        at(1, dwell_track(1, 0, 300))  # zone 1: short visits -> below target
        + at(1, dwell_track(2, 100, 500))
        + at(1, dwell_track(1, 2000, 2030))  # a pass-through: listed, not counted
        + at(2, dwell_track(1, 5000, 5600))  # zone 2: 600 and 800 s -> median 700 s, on target
        + at(2, dwell_track(3, 7000, 7800))
        + at(2, dwell_track(4, 9000, 9400))  # ... and a short one: median of 400, 600, 800 = 600
        + at(3, dwell_track(2, 10000, 11000))  # zone 3: long -> above target
        + at(3, dwell_track(2, 12000, 12950))
    )
    params = MatchParams()
    v = match(tracks_of(pings), zones_of(*zones), params)
    assert len(v) == 8 and int(v.pass_through.sum()) == 1
    cov = coverage(v, 4, params)
    assert list(cov.visits) == [0, 2, 3, 2]
    assert list(cov.visits_short) == [0, 2, 1, 0]
    assert list(cov.visits_target) == [0, 0, 2, 0]
    assert list(cov.visits_long) == [0, 0, 0, 2]
    assert cov.dwell_total_min == pytest.approx([0, 700 / 60, 1800 / 60, 1950 / 60])
    assert math.isnan(cov.dwell_median_min[0])
    assert cov.dwell_median_min[1:] == pytest.approx([350 / 60, 600 / 60, 975 / 60])
    assert cov.presence_min == pytest.approx([0, 500 / 60, 1800 / 60, 1950 / 60])
    assert list(cov.units) == [0, 2, 3, 1]
    assert math.isnan(cov.first_entry[0]) and math.isnan(cov.last_exit[0])
    assert list(cov.first_entry[1:]) == [0, 5000, 10000]
    assert list(cov.last_exit[1:]) == [500, 9400, 12950]  # the pass-through at 2030 is excluded
    assert list(cov.status) == [STATUS_NOT_VISITED, STATUS_BELOW, STATUS_ON, STATUS_ABOVE]


def test_status_is_band_of_the_median():
    # dwells 100, 600 and 900: the median (600 s) is on target, though one visit is short
    v = run(dwell_track(1, 0, 600) + dwell_track(1, 2000, 2900) + dwell_track(1, 5000, 5100))
    cov = coverage(v, 1, MatchParams())
    assert cov.dwell_median_min[0] == pytest.approx(600 / 60)  # median of 100, 600, 900
    assert cov.status[0] == STATUS_ON
    v = run(dwell_track(1, 0, 599) + dwell_track(1, 2000, 2599))
    assert coverage(v, 1, MatchParams()).status[0] == STATUS_BELOW
    v = run(dwell_track(1, 0, 901))
    assert coverage(v, 1, MatchParams()).status[0] == STATUS_ABOVE


def test_coverage_with_only_pass_throughs():
    v = run(dwell_track(1, 0, 30) + dwell_track(2, 0, 50))
    cov = coverage(v, 1, MatchParams())
    assert cov.visits[0] == 0 and cov.units[0] == 0 and cov.presence_min[0] == 0
    assert cov.status[0] == STATUS_NOT_VISITED and math.isnan(cov.dwell_median_min[0])


# --------------------------------------------------------------------------- params
@pytest.mark.parametrize(
    "kw",
    [
        dict(max_gap=-1),
        dict(merge_gap=float("nan")),
        dict(min_dwell=float("inf")),
        dict(target_min=900, target_max=600),
        dict(period_start=100, period_end=100),
    ],
)
def test_bad_params(kw):
    with pytest.raises(ValueError):
        run(T1, **kw)


def test_inputs_are_not_modified():
    unit = np.array([2, 1, 1, 1], dtype=np.int64)
    t = np.array([0.0, 120.0, 0.0, 60.0])
    x = np.array([-30.0, 90.0, -30.0, 30.0])
    y = np.full(4, Y)
    copies = [a.copy() for a in (unit, t, x, y)]
    tracks = Tracks.build(unit, t, x, y)
    geoms = np.array([SQUARE], dtype=object)
    match(tracks, PolygonAreas(geoms), MatchParams())
    for a, c in zip((unit, t, x, y), copies):
        assert np.array_equal(a, c)
    assert shapely.equals(geoms[0], SQUARE)
