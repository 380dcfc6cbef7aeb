"""The shift engine (core/shift.py): replayed in increments it must give exactly what one match over
the whole day gives, and the zone board's numbers must be the hand-worked ones.

Expected values come from ``matching.match``/``coverage`` run once over all the pings (the
matchtracks core, itself proven against tests/unit/reference.py) and from hand arithmetic; never
from the engine.
"""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box
from test_reference import grid_zones, random_pings, random_zones

from hotspot_patrol_plugin.core import matching as M
from hotspot_patrol_plugin.core import shift as S
from hotspot_patrol_plugin.core import times as TM

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "sample" / "hotspot_patrol_sample.gpkg"


# --------------------------------------------------------------------------- helpers
def visit_rows(v: M.Visits, labels=None):
    """Visits as sorted tuples: area, unit label, entry, exit, pings, pass-through, band, path."""
    lab = labels(v.unit) if labels is not None else v.unit
    return sorted(
        (
            int(v.area[i]),
            str(lab[i]),
            float(v.entry[i]),
            float(v.exit[i]),
            int(v.pings[i]),
            bool(v.pass_through[i]),
            str(v.band[i]),
            v.path(i).tobytes(),
        )
        for i in range(len(v))
    )


def assert_same_visits(engine: S.ShiftEngine, want: M.Visits, want_labels=None):
    got = visit_rows(engine.visits(), engine.unit_label)
    exp = visit_rows(want, want_labels)
    assert len(got) == len(exp)
    for g, w in zip(got, exp):
        assert g[:7] == w[:7]  # entry and exit to the last bit, not just the millisecond
        assert g[7] == w[7]  # paths too


def assert_same_coverage(engine: S.ShiftEngine, want: M.Visits, n: int, params: M.MatchParams):
    a, b = engine.coverage(), M.coverage(want, n, params)
    for name in ("visits", "visits_short", "visits_target", "visits_long", "units", "status"):
        assert list(getattr(a, name)) == list(getattr(b, name)), name
    for name in ("dwell_total_min", "dwell_median_min", "presence_min", "first_entry", "last_exit"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=0, atol=1e-9, err_msg=name)


def replay(engine: S.ShiftEngine, unit, t, x, y, step=30.0, arrival=None):
    """Feed the pings in ``step``-second increments of their arrival time (default: their time)."""
    arrival = t if arrival is None else arrival
    order = np.argsort(arrival, kind="stable")
    unit, t, x, y, arrival = unit[order], t[order], x[order], y[order], arrival[order]
    edges = np.arange(arrival.min(), arrival.max() + step + 1, step)
    cuts = np.searchsorted(arrival, edges)
    reports = [engine.update(unit[a:b], t[a:b], x[a:b], y[a:b]) for a, b in zip(cuts[:-1], cuts[1:])]
    return reports


def scenario(seed):
    rng = np.random.default_rng(seed)
    grid = seed % 3 == 0
    zones = grid_zones(rng) if grid else random_zones(rng)
    targets = [(p.x, p.y) for p in (z.representative_point() for z in zones)]
    unit, t, x, y = random_pings(rng, targets, grid=grid)
    params = M.MatchParams(
        max_gap=float(rng.choice([120.0, 300.0])),
        merge_gap=float(rng.choice([0.0, 30.0, 60.0, 100.0])),
        min_dwell=float(rng.choice([0.0, 60.0, 120.0])),
        target_min=300.0,
        target_max=600.0,
    )
    geoms = np.empty(len(zones), dtype=object)
    geoms[:] = zones
    return rng, M.PolygonAreas(geoms), len(zones), (unit, t, x, y), params


# --------------------------------------------------------------------------- proven equal
@pytest.mark.parametrize("seed", range(24))
def test_replay_in_30_second_increments_equals_one_match_over_the_day(seed):
    rng, areas, n, (unit, t, x, y), params = scenario(500 + seed)
    want = M.match(M.Tracks.build(unit, t, x, y), areas, params)
    engine = S.ShiftEngine(areas, n, params, late_tolerance=float(rng.choice([0.0, 60.0, 600.0])))
    reports = replay(engine, unit, t, x, y)
    assert len(want) > 0
    assert_same_visits(engine, want)
    assert_same_coverage(engine, want, n, params)
    assert sum(r.accepted for r in reports) == len(M.Tracks.build(unit, t, x, y))
    # the state does not keep every ping: tracks behind a checkpoint are let go
    assert len(engine.tail) < len(t)


@pytest.mark.parametrize("seed", range(15))
def test_late_pings_within_the_tolerance_are_merged_back_exactly(seed):
    rng, areas, n, (unit, t, x, y), params = scenario(900 + seed)
    tolerance = 300.0
    delay = np.where(rng.random(len(t)) < 0.3, rng.uniform(0, tolerance - 30.0, len(t)), 0.0)
    engine = S.ShiftEngine(areas, n, params, late_tolerance=tolerance)
    reports = replay(engine, unit, t, x, y, arrival=t + delay)
    assert sum(r.late for r in reports) > 0
    assert sum(r.too_late for r in reports) == 0
    assert_same_visits(engine, M.match(M.Tracks.build(unit, t, x, y), areas, params))


@pytest.mark.parametrize("seed", range(8))
def test_presence_and_last_qualifying_visit_during_the_replay(seed):
    """At points through the replay, the board's presence and last qualifying visit (kept from frozen
    summaries and provisional visits) equal coverage and visits of one match over the pings so far."""
    rng, areas, n, (unit, t, x, y), params = scenario(1300 + seed)
    engine = S.ShiftEngine(areas, n, params, late_tolerance=60.0)
    order = np.argsort(t, kind="stable")
    unit, t, x, y = unit[order], t[order], x[order], y[order]
    edges = np.arange(t.min(), t.max() + 31, 30.0)
    cuts = np.searchsorted(t, edges)
    checked = 0
    for k, (a, b) in enumerate(zip(cuts[:-1], cuts[1:])):
        engine.update(unit[a:b], t[a:b], x[a:b], y[a:b])
        if k % 25 or b == 0:
            continue
        so_far = M.match(M.Tracks.build(unit[:b], t[:b], x[:b], y[:b]), areas, params)
        cov = M.coverage(so_far, n, params)
        np.testing.assert_allclose(S.shift_presence(engine, -np.inf, np.inf), cov.presence_min, atol=1e-9)
        # frozen summaries: every frozen qualifying visit is among the visits so far
        qual = ~so_far.pass_through & (so_far.exit - so_far.entry >= params.target_min)
        want = np.full(n, np.nan)
        np.fmax.at(want, so_far.area[qual], so_far.exit[qual])
        got = engine.frozen_last_qualifying.copy()
        v = engine.provisional
        pq = ~v.pass_through & (v.exit - v.entry >= params.target_min)
        np.fmax.at(got, v.area[pq], v.exit[pq])
        np.testing.assert_array_equal(got, want)
        checked += 1
    assert checked > 3


def _walk_through_box(t0=1_800_000_000.0):
    """A unit walking east along y=50 at 1 m/s from x=-100, one ping every 10 s for 400 s: inside
    the box 0..200 x 0..100 from t0+100 to t0+300 (hand: x = -100 + (t - t0))."""
    t = t0 + np.arange(0, 401, 10.0)
    x = -100.0 + (t - t0)
    return np.array(["A"] * len(t), dtype=object), t, x, np.full(len(t), 50.0)


def _box_engine(**kw):
    geoms = np.empty(1, dtype=object)
    geoms[:] = [box(0, 0, 200, 100)]
    params = M.MatchParams(max_gap=120.0, merge_gap=60.0, min_dwell=60.0, target_min=120.0, target_max=600.0)
    return S.ShiftEngine(M.PolygonAreas(geoms), 1, params, **kw), params


def test_a_late_ping_older_than_the_checkpoint_is_counted_and_left_out():
    engine, _ = _box_engine(late_tolerance=60.0)
    unit, t, x, y = _walk_through_box()
    replay(engine, unit, t, x, y)
    t0 = t[0]
    # a ping of 20 s before the start: long behind the unit's checkpoint (t0+400-60 at the latest)
    rep = engine.update(["A"], [t0 - 20.0], [-120.0], [50.0])
    assert (rep.too_late, rep.accepted) == (1, 0)
    v = engine.visits()
    assert (v.entry.tolist(), v.exit.tolist()) == ([t0 + 100.0], [t0 + 300.0])
    assert engine.totals.too_late == 1


def test_duplicate_pings_count_once():
    engine, params = _box_engine(late_tolerance=120.0)
    unit, t, x, y = _walk_through_box()
    replay(engine, unit, t, x, y)
    # the feed sends the last two minutes again (a reconnect), and one row twice within a batch
    again = t >= t[-1] - 120
    rep = engine.update(
        np.concatenate([unit[again], ["A"]]), np.r_[t[again], t[-1]], np.r_[x[again], x[-1]], np.r_[y[again], y[-1]]
    )
    assert rep.duplicates == again.sum() + 1
    assert rep.accepted == 0
    v = engine.visits()
    assert len(v) == 1
    assert (v.entry[0], v.exit[0], v.pings[0]) == (t[0] + 100.0, t[0] + 300.0, 21)  # pings at t0+100..300


def test_a_unit_leaving_mid_zone_at_shift_end():
    """The unit stops pinging inside the zone (radio off at the end of the shift): its visit is open
    while its track may still go on (max_gap), then closed at its last ping, as matchtracks has it."""
    engine, params = _box_engine()
    unit, t, x, y = _walk_through_box()
    stop = t <= t[0] + 250  # last ping at x = 150: inside
    unit, t, x, y = unit[stop], t[stop], x[stop], y[stop]
    t0 = t[0]
    replay(engine, unit, t, x, y)
    v = engine.visits()
    assert (v.entry.tolist(), v.exit.tolist()) == ([t0 + 100.0], [t0 + 250.0])
    assert len(engine.open_visits(now=t0 + 250.0 + 120.0)) == 1  # max_gap later: may still go on
    assert len(engine.open_visits(now=t0 + 250.0 + 121.0)) == 0
    zones = S.ZoneInfo.build(["Z"], target_min_s=[120.0])
    board = S.zone_board(engine, zones, now=t0 + 300.0, shift_start=t0, shift_end=t0 + 3600.0)
    assert board.loc[0, "units_inside"] == 1 and board.loc[0, "inside"] == "A"
    assert board.loc[0, "presence_min"] == pytest.approx(150.0 / 60.0)
    # the visit reached the 2-minute target while still going on: the zone was visited "now"
    assert board.loc[0, "minutes_since"] == 0.0
    later = S.zone_board(engine, zones, now=t0 + 1000.0, shift_start=t0, shift_end=t0 + 3600.0)
    assert later.loc[0, "units_inside"] == 0
    assert later.loc[0, "minutes_since"] == pytest.approx(750.0 / 60.0)  # since the last ping at t0+250
    want = M.match(M.Tracks.build(np.zeros(len(t), np.int64), t, x, y), engine.areas, params)
    assert_same_visits(engine, want, lambda codes: np.array(["A"] * len(codes)))


def test_the_autumn_repeated_hour_resolves_as_the_whole_day_does():
    """Wall-clock pings every 30 s from 00:30 to 02:30 on 25 October 2026 (clocks go back at 02:00
    BST to 01:00 GMT): 01:00-01:59 comes twice. Hand: the first ping is 23:30 UTC on the 24th and
    every ping is 30 s after the one before."""
    first_utc = pd.Timestamp("2026-10-24T23:30:00Z").timestamp()
    utc = first_utc + 30.0 * np.arange(int(3 * 3600 / 30) + 1)  # 00:30 BST .. 02:30 GMT
    wall = pd.to_datetime(utc, unit="s", utc=True).tz_convert("Europe/London").tz_localize(None)
    text = np.array([w.strftime("%Y-%m-%dT%H:%M:%S") for w in wall], dtype=object)
    assert len(set(text)) == len(text) - 120  # 120 wall times repeated
    clock = S.WallClock("Europe/London")
    got = np.concatenate([clock.resolve(text[i : i + 1], ["A"]).seconds for i in range(len(text))])
    np.testing.assert_array_equal(got, utc)
    batch = TM.parse_times(text, "Europe/London", group=np.array(["A"] * len(text)))
    np.testing.assert_array_equal(batch.seconds, utc)
    # the whole night in one batch (a dock started after the fold), and the rest of the hour after
    whole = S.WallClock("Europe/London").resolve(text, ["A"] * len(text)).seconds
    np.testing.assert_array_equal(whole, utc)
    clock = S.WallClock("Europe/London")
    half = len(text) // 2
    got = np.r_[
        clock.resolve(text[:half], ["A"] * half).seconds, clock.resolve(text[half:], ["A"] * (len(text) - half)).seconds
    ]
    np.testing.assert_array_equal(got, utc)
    # two units, one a few minutes late on the wire, in 5-minute batches
    clock = S.WallClock("Europe/London")
    units = np.array(["A"] * len(text) + ["B"] * len(text), dtype=object)
    values = np.r_[text, text]
    arrive = np.r_[utc, utc + 240.0]
    order = np.argsort(arrive, kind="stable")
    out = np.empty(len(values))
    for lo in range(0, len(order), 20):
        rows = order[lo : lo + 20]
        out[rows] = clock.resolve(values[rows], units[rows]).seconds
    np.testing.assert_array_equal(out, np.r_[utc, utc])


def test_times_with_an_offset_are_taken_as_they_are():
    clock = S.WallClock("Europe/London")
    got = clock.resolve(
        np.array(["2026-10-25T01:30:00+00:00", "2026-10-25T01:30:00+01:00"], dtype=object), ["A", "B"]
    ).seconds
    base = pd.Timestamp("2026-10-25T01:30:00Z").timestamp()
    np.testing.assert_array_equal(got, [base, base - 3600.0])


# --------------------------------------------------------------------------- the bundled sample
def _gpkg_geoms(blobs):
    """GeoPackage geometry blobs to shapely: skip the 8-byte header and its envelope."""
    sizes = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
    return shapely.from_wkb([b[8 + sizes[(b[3] >> 1) & 7] :] for b in blobs])


def read_sample():
    con = sqlite3.connect(f"file:{SAMPLE}?mode=ro", uri=True)
    try:
        pings = pd.read_sql("SELECT fid, callsign, time, geom FROM pings ORDER BY fid", con)
        zones = pd.read_sql("SELECT zone_id, priority, geom FROM zones ORDER BY fid", con)
    finally:
        con.close()
    pts = _gpkg_geoms(pings["geom"])
    secs = TM.parse_times(pings["time"].to_numpy(), "Europe/London", group=pings["callsign"].to_numpy()).seconds
    return (
        pings["callsign"].to_numpy(dtype=object),
        secs,
        shapely.get_x(pts),
        shapely.get_y(pts),
        zones,
        _gpkg_geoms(zones["geom"]),
    )


def test_the_bundled_sample_replayed_in_30_second_increments_equals_matchtracks():
    unit, t, x, y, zones, geoms = read_sample()
    params = M.MatchParams(target_min=540.0, target_max=840.0)
    areas = M.PolygonAreas(np.asarray(geoms, dtype=object))
    labels, codes = np.unique(unit, return_inverse=True)
    want = M.match(M.Tracks.build(codes, t, x, y), areas, params)
    assert len(want) > 10
    engine = S.ShiftEngine(areas, len(geoms), params)
    replay(engine, unit, t, x, y)
    assert_same_visits(engine, want, lambda c: labels[c])  # compared by callsign
    assert_same_coverage(engine, want, len(geoms), params)


# --------------------------------------------------------------------------- the zone board
def _two_zone_engine():
    """Zones A = box(0,0,100,100), B = box(1000,0,1100,100). Unit U walks into A at 18:40 UTC
    (x=0 at 1 m/s from x=-10 at 18:39:50), stands at x=50 until 19:00:00 and walks out west."""
    t0 = pd.Timestamp("2026-11-20T18:00:00Z").timestamp()
    geoms = np.empty(2, dtype=object)
    geoms[:] = [box(0, 0, 100, 100), box(1000, 0, 1100, 100)]
    params = M.MatchParams(max_gap=300.0, merge_gap=60.0, min_dwell=60.0, target_min=600.0, target_max=900.0)
    engine = S.ShiftEngine(M.PolygonAreas(geoms), 2, params)
    t = np.r_[
        t0 + 2390.0, t0 + 2400.0, t0 + 2450.0, np.arange(t0 + 2460.0, t0 + 3600.0, 60.0), t0 + 3600.0, t0 + 3660.0
    ]
    x = np.r_[-10.0, 0.0, 50.0, np.full(len(np.arange(t0 + 2460.0, t0 + 3600.0, 60.0)), 50.0), 50.0, -10.0]
    engine.update(np.array(["U"] * len(t), dtype=object), t, x, np.full(len(t), 50.0))
    return engine, t0


def test_zone_board_numbers_by_hand():
    engine, t0 = _two_zone_engine()
    # the unit leaves A at x=0: 19:00:00 + 50 s (50 m at 1 m/s on the last leg of 60 m in 60 s)
    v = engine.visits()
    assert (v.entry.tolist(), v.exit.tolist()) == ([t0 + 2400.0], [t0 + 3650.0])
    zones = S.ZoneInfo.build(
        ["A", "B"], names=["Market", "Park"], priority=[3, 1], visits_per_day=[4, 4], target_min_s=[600.0, 600.0]
    )
    start, end, now = t0, t0 + 4 * 3600.0, t0 + 2.5 * 3600.0  # shift 18:00-22:00, now 20:30
    board = S.zone_board(engine, zones, now, start, end).set_index("zone_id")
    # spacing = 240 min / 4 visits = 60 min
    # A: last qualifying visit ended 19:00:50 -> 89.1667 min ago; weight (6-3)/3 = 1 -> 1.4861
    a = board.loc["A"]
    assert a["minutes_since"] == pytest.approx(89 + 10 / 60)
    assert a["due_score"] == pytest.approx((89 + 10 / 60) / 60)
    assert a["due"] == S.DUE_NOW
    assert a["presence_min"] == pytest.approx(1250 / 60)
    assert a["planned_min"] == pytest.approx(40.0)  # 4 x 10 min
    assert a["planned_by_now_min"] == pytest.approx(25.0)  # 40 x 2.5 h / 4 h
    # B: never visited: 150 min since the shift began; weight (6-1)/3 -> 150/60 x 5/3 = 4.1667
    b = board.loc["B"]
    assert b["minutes_since"] == pytest.approx(150.0)
    assert b["due_score"] == pytest.approx(150 / 60 * 5 / 3)
    assert b["due"] == S.DUE_OVERDUE
    assert list(board.index) == ["B", "A"]  # most due first


def test_plan_from_a_planpatrols_schedule():
    engine, t0 = _two_zone_engine()
    zones = S.ZoneInfo.build(["A", "B"], priority=[3, 3], visits_per_day=[9, 9])
    # local times in November are UTC: shift 18:00-22:00, now 20:30
    schedule = pd.DataFrame(
        {
            "day": ["2026-11-20"] * 5,
            "patrol": ["P1"] * 5,
            "seq": [1, 2, 3, 4, 5],
            "zone_id": ["A", "B", "A", "C", "B"],
            "arrive": [
                "2026-11-20 17:50:00",
                "2026-11-20 19:30:00",
                "2026-11-20 20:20:00",
                "2026-11-20 20:40:00",
                "2026-11-20 23:00:00",
            ],
            "leave": [
                "2026-11-20 18:05:00",
                "2026-11-20 19:45:00",
                "2026-11-20 20:35:00",
                "2026-11-20 20:55:00",
                "2026-11-20 23:15:00",
            ],
        }
    )
    plan, skipped = S.plan_from_schedule(schedule, zones, t0, t0 + 4 * 3600.0, t0 + 2.5 * 3600.0)
    assert skipped == {"zone_id not among the zones": 1}
    # A: 18:00-18:05 (cut to the shift) and 20:20-20:35: 2 visits, 20 min, 15 by 20:30; B: 19:30-19:45
    assert plan.visits.tolist() == [2.0, 1.0]
    np.testing.assert_allclose(plan.minutes_total, [20.0, 15.0])
    np.testing.assert_allclose(plan.minutes_by_now, [15.0, 15.0])
    board = S.zone_board(engine, zones, t0 + 2.5 * 3600.0, t0, t0 + 4 * 3600.0, plan=plan).set_index("zone_id")
    # spacing A = 240/2 = 120 min; since 19:00:50 -> 89.17/120
    assert board.loc["A", "due_score"] == pytest.approx((89 + 10 / 60) / 120)
    assert board.loc["A", "due"] == S.DUE_OK  # 0.743 < 0.75


def test_a_zone_with_nothing_planned_is_not_due():
    engine, t0 = _two_zone_engine()
    zones = S.ZoneInfo.build(["A", "B"], visits_per_day=[0, 2])
    board = S.zone_board(engine, zones, t0 + 3600.0, t0, t0 + 7200.0).set_index("zone_id")
    assert board.loc["A", "due"] == S.DUE_NOT_PLANNED and board.loc["A", "due_score"] == 0.0
    assert not math.isnan(board.loc["B", "due_score"])


def test_bad_parameters_are_refused_in_one_sentence():
    geoms = np.empty(1, dtype=object)
    geoms[:] = [box(0, 0, 1, 1)]
    with pytest.raises(ValueError, match="analysis period open"):
        S.ShiftEngine(M.PolygonAreas(geoms), 1, M.MatchParams(period_start=0.0))
    with pytest.raises(ValueError, match="late tolerance"):
        S.ShiftEngine(M.PolygonAreas(geoms), 1, M.MatchParams(), late_tolerance=-1)
    with pytest.raises(ValueError, match="no field arrive"):
        S.plan_from_schedule(pd.DataFrame({"zone_id": ["A"], "leave": ["x"]}), S.ZoneInfo.build(["A"]), 0, 1, 0)


def test_unusable_rows_are_counted():
    engine, _ = _box_engine()
    rep = engine.update(np.array(["A", None, "A"], dtype=object), [1.0, 2.0, np.nan], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0])
    assert (rep.received, rep.unusable, rep.accepted) == (3, 2, 1)
