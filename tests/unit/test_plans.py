"""core.plans: randomised Koper patrol plans, checked as properties on random instances.

Every check reads the schedule a sergeant would get (arrive/leave local date-times, travel) and
measures it here: spacing from the arrive column, overlaps and travel from consecutive rows of a
patrol, travel times from the zone coordinates with math.hypot. Shift ends come from zoneinfo.
hypothesis is not in the environment, so the random instances come from seeded loops.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from zoneinfo import ZoneInfo

import pytest

from hotspot_patrol_plugin.core import plans as P

LONDON = ZoneInfo("Europe/London")
SPEEDS = {P.FOOT: 4.5, P.VEHICLE: 25.0}


def random_instance(r: random.Random, n_zones=None, n_patrols=None, side=None, visits=None, starts=None):
    n_zones = n_zones or r.randint(1, 14)
    side = side or r.choice([300.0, 1500.0, 4000.0])
    zones = [
        P.PlanZone(
            f"HS-{i + 1:03d}",
            r.uniform(0, side),
            r.uniform(0, side),
            priority=r.randint(1, 5),
            visits_per_day=visits if visits is not None else r.choice([None, 1, 2, 3, 4]),
        )
        for i in range(n_zones)
    ]
    n_patrols = n_patrols or r.randint(1, 5)
    with_start = r.random() < 0.5 if starts is None else starts
    patrols = [
        P.Patrol(
            f"P{i + 1}",
            r.choice([P.FOOT, P.VEHICLE]),
            *((r.uniform(0, side), r.uniform(0, side)) if with_start else (None, None)),
        )
        for i in range(n_patrols)
    ]
    mn = r.choice([30, 45, 60])
    params = P.PlanParams(
        first_day=dt.date(2026, 11, r.randint(1, 20)),
        last_day=None,
        shift_start=r.choice(["18:00", "20:00", "09:00"]),
        shift_end=r.choice(["02:00", "23:30", "17:00"]),
        dwell=r.choice([10, 15]),
        min_spacing=mn,
        max_spacing=mn + r.choice([30, 60, 90]),
        seed=r.randint(0, 10**6),
    )
    params = P.PlanParams(**{**params.__dict__, "last_day": params.first_day + dt.timedelta(days=r.randint(0, 2))})
    return zones, patrols, params


def travel_needed(a, b, mode, detour=P.DEFAULT_DETOUR) -> float:
    metres = math.hypot(b[0] - a[0], b[1] - a[1]) * detour
    return metres / (SPEEDS[mode] * 1000 / 60)


def minutes(a, b) -> float:
    return (b - a).total_seconds() / 60.0


def shift_bounds(day: dt.date, start: str, end: str):
    h0, m0 = map(int, start.split(":"))
    h1, m1 = map(int, end.split(":"))
    s = dt.datetime(day.year, day.month, day.day, h0, m0, tzinfo=LONDON)
    e_day = day + dt.timedelta(days=1) if (h1, m1) <= (h0, m0) else day
    e = dt.datetime(e_day.year, e_day.month, e_day.day, h1, m1, tzinfo=LONDON, fold=1)
    return s, e


def check_hard_rules(zones, patrols, params, result):
    """Spacing, one place at a time, travel fits, inside the shift: true of every plan."""
    sched = result.schedule
    where = {z.zone_id: (z.x, z.y) for z in zones}
    starts = {p.patrol_id: p for p in patrols}
    for (day, zone), g in sched.groupby(["day", "zone_id"]):
        times = sorted(g["arrive"])
        for a, b in zip(times, times[1:]):
            assert minutes(a, b) >= params.min_spacing - 1e-9, (day, zone, a, b)
    for (day, patrol), g in sched.groupby(["day", "patrol"]):
        g = g.sort_values("seq")
        assert list(g["seq"]) == list(range(1, len(g) + 1))
        s, e = shift_bounds(day, params.shift_start, params.shift_end)
        assert g["arrive"].min() >= s and g["leave"].max() <= e, (day, patrol)
        p = starts[patrol]
        rows = list(g.itertuples())
        if p.has_start:
            assert minutes(s, rows[0].arrive) >= travel_needed((p.x, p.y), where[rows[0].zone_id], p.mode) - 1e-6
        for a, b in zip(rows, rows[1:]):
            gap = minutes(a.leave, b.arrive)
            assert gap >= 0, (day, patrol, a.seq)  # never in two places at once
            assert gap >= travel_needed(where[a.zone_id], where[b.zone_id], p.mode) - 1e-6, (day, patrol, b.seq)
            assert b.travel_min >= travel_needed(where[a.zone_id], where[b.zone_id], p.mode) - 1e-6
        for r in rows:
            assert minutes(r.arrive, r.leave) == pytest.approx(params.dwell)


def test_hard_rules_hold_on_random_instances():
    r = random.Random(20261204)
    for _ in range(60):
        zones, patrols, params = random_instance(r)
        result = P.plan(zones, patrols, params)
        check_hard_rules(zones, patrols, params, result)


def test_every_visit_and_no_long_gap_when_capacity_allows():
    """Plenty of vehicle patrols for a few nearby zones: all visits, no gap over MAX_SPACING."""
    r = random.Random(7)
    for trial in range(25):
        n = r.randint(2, 8)
        zones = [
            P.PlanZone(f"HS-{i}", r.uniform(0, 800), r.uniform(0, 800), visits_per_day=r.choice([None, 4, 5]))
            for i in range(n)
        ]
        patrols = [P.Patrol(f"V{i}", P.VEHICLE) for i in range(n)]
        params = P.PlanParams(
            dt.date(2026, 6, 1),
            dt.date(2026, 6, 3),
            "18:00",
            "02:00",
            dwell=15,
            min_spacing=60,
            max_spacing=120,
            seed=trial,
        )
        result = P.plan(zones, patrols, params)
        check_hard_rules(zones, patrols, params, result)
        assert not result.shortfalls
        sched = result.schedule
        for day in params.days():
            s, e = shift_bounds(day, "18:00", "02:00")
            for z in zones:
                times = sorted(sched[(sched.day == day) & (sched.zone_id == z.zone_id)]["arrive"])
                # the default: one more than the fewest visits that keep every gap within 120 min of 480
                assert len(times) == (z.visits_per_day if z.visits_per_day is not None else 4)
                marks = [s, *times, e]
                assert max(minutes(a, b) for a, b in zip(marks, marks[1:])) <= 120 + 1e-9, (trial, z.zone_id)


def test_higher_priority_first_when_short():
    """A zone loses visits only when every zone of lower priority (higher number) has none left."""
    r = random.Random(3)
    seen_short = 0
    for trial in range(30):
        zones, patrols, params = random_instance(r, n_zones=r.randint(6, 14), n_patrols=1, side=4000.0, visits=3)
        result = P.plan(zones, patrols, params)
        feas = result.feasibility
        for day, g in feas.groupby("day"):
            short = g[g.planned < g.wanted]
            for row in short.itertuples():
                seen_short += 1
                lower = g[g.priority > row.priority]
                assert (lower.planned == 0).all(), (trial, day, row.zone_id)
    assert seen_short > 0  # the instances were short of capacity


def test_shortfall_names_the_zones_and_a_fix_that_works():
    # three zones on one spot, 3 visits each 30 min apart, one foot patrol, a two-hour shift:
    # 9 visits x 15 min = 135 min of dwell do not fit 120 min, so the lowest priority loses one
    zones = [P.PlanZone(f"HS-00{i}", 100.0, 100.0, priority=i, visits_per_day=3) for i in (1, 2, 3)]
    patrols = [P.Patrol("A", P.FOOT)]
    params = P.PlanParams(
        dt.date(2026, 12, 4), None, "18:00", "20:00", dwell=15, min_spacing=30, max_spacing=60, seed=11
    )
    result = P.plan(zones, patrols, params)
    assert len(result.shortfalls) == 1
    s = result.shortfalls[0]
    got = {z: g for z, g, _ in s.zones}
    assert "HS-001" not in got
    assert s.extra_patrol == [P.FOOT]
    assert s.longer_shift_min is not None and s.longer_shift_min >= 15  # 135 min of dwell need 15 more minutes
    assert s.sentence.startswith("Fri 4 Dec: ")
    assert s.sentence.endswith(
        f"one more foot patrol or a {s.longer_shift_min}-minute longer shift covers "
        f"{'it' if len(s.zones) == 1 else 'them'}."
    )
    # the fixes really cover it: plan again with them
    more = P.plan(zones, patrols + [P.Patrol("B", P.FOOT)], params)
    assert not more.shortfalls
    end = 20 * 60 + s.longer_shift_min
    longer = P.plan(zones, patrols, P.PlanParams(**{**params.__dict__, "shift_end": f"{end // 60}:{end % 60:02d}"}))
    assert not longer.shortfalls


def test_shortfall_sentence_reads_like_the_issue():
    s = P.Shortfall(dt.date(2026, 12, 4), [("HS-007", 2, 3), ("HS-009", 2, 3)], [P.FOOT], 90)
    assert P.shortfall_sentence(s) == (
        "Fri 4 Dec: HS-007 and HS-009 get 2 of 3 visits: one more foot patrol or a 90-minute longer shift covers them."
    )
    s = P.Shortfall(dt.date(2026, 12, 5), [("HS-001", 0, 2)], [], None)
    assert P.shortfall_sentence(s).startswith("Sat 5 Dec: HS-001 gets 0 of 2 visits: neither one more patrol nor")


def test_seeds_and_days_differ_same_seed_repeats():
    zones = [P.PlanZone(f"HS-{i}", 150.0 * i, 0.0, visits_per_day=4) for i in range(6)]
    patrols = [P.Patrol("A", P.FOOT), P.Patrol("B", P.VEHICLE)]
    base = dict(first_day=dt.date(2026, 11, 2), last_day=dt.date(2026, 11, 4), shift_start="18:00", shift_end="02:00")
    a = P.plan(zones, patrols, P.PlanParams(**base, seed=1)).schedule
    b = P.plan(zones, patrols, P.PlanParams(**base, seed=2)).schedule
    a2 = P.plan(zones, patrols, P.PlanParams(**base, seed=1)).schedule
    assert a[["patrol", "zone_id", "arrive"]].equals(a2[["patrol", "zone_id", "arrive"]])
    assert not a[["patrol", "zone_id", "arrive"]].equals(b[["patrol", "zone_id", "arrive"]])

    def clock(df, day):
        d = df[df.day == day].sort_values(["zone_id", "arrive"])
        return [(r.zone_id, r.arrive.strftime("%H:%M")) for r in d.itertuples()]

    days = base["first_day"], base["first_day"] + dt.timedelta(days=1), base["last_day"]
    assert clock(a, days[0]) != clock(a, days[1]) != clock(a, days[2])
    orders = {tuple(a[(a.day == d) & (a.patrol == "A")].sort_values("seq").zone_id) for d in days}
    assert len(orders) == 3  # no fixed rotation


def test_empty_seed_is_drawn_and_recorded():
    zones = [P.PlanZone("HS-1", 0.0, 0.0, visits_per_day=2)]
    r1 = P.plan(zones, [P.Patrol("A")], P.PlanParams(dt.date(2026, 1, 5)))
    r2 = P.plan(zones, [P.Patrol("A")], P.PlanParams(dt.date(2026, 1, 5), seed=r1.seed))
    assert r1.seed is not None and r1.schedule["arrive"].equals(r2.schedule["arrive"])
    assert r1.summary_lines()[0] == f"Seed {r1.seed}."


@pytest.mark.parametrize("day,hours", [(dt.date(2026, 10, 24), 9), (dt.date(2026, 3, 28), 7), (dt.date(2026, 6, 6), 8)])
def test_shift_across_midnight_and_clock_change(day, hours):
    """18:00-02:00 local: 9 real hours the night the clocks go back, 7 the night they go forward."""
    s, e = shift_bounds(day, "18:00", "02:00")
    assert e.timestamp() - s.timestamp() == hours * 3600  # (aware datetimes subtract as wall clocks)
    win = P.shift_window(day, P.PlanParams(day))
    assert win.t0 == s.timestamp() and win.length == hours * 60
    zones = [P.PlanZone(f"HS-{i}", 100.0 * i, 0.0) for i in range(3)]
    res = P.plan(zones, [P.Patrol("A", P.VEHICLE), P.Patrol("B", P.VEHICLE)], P.PlanParams(day, seed=5))
    assert res.schedule["arrive"].min() >= s and res.schedule["leave"].max() <= e
    # default visits: one more than the fewest keeping gaps within 120 minutes over the real night
    assert res.feasibility["wanted"].tolist() == [math.ceil(hours * 60 / 120)] * 3


def test_active_times_and_dates():
    zones = [
        P.PlanZone("HS-late", 0.0, 0.0, visits_per_day=2, active_from="22:00", active_to="01:00"),
        P.PlanZone("HS-gone", 50.0, 0.0, visits_per_day=2, active_to="2026-11-01"),
        P.PlanZone("HS-new", 80.0, 0.0, visits_per_day=1, active_from="2026-11-03"),
    ]
    res = P.plan(zones, [P.Patrol("A", P.FOOT)], P.PlanParams(dt.date(2026, 11, 2), dt.date(2026, 11, 3), seed=1))
    sched = res.schedule
    assert "HS-gone" not in set(sched.zone_id)
    assert set(sched[sched.zone_id == "HS-new"].day) == {dt.date(2026, 11, 3)}
    late = sched[sched.zone_id == "HS-late"]
    assert len(late) == 4
    for r in late.itertuples():
        lo = dt.datetime(r.day.year, r.day.month, r.day.day, 22, 0, tzinfo=LONDON)
        assert lo <= r.arrive and r.leave <= lo + dt.timedelta(hours=3)


def test_travel_matrix_from_the_network_is_honoured():
    """A matrix (e.g. road-network times) replaces straight lines: 40 min between two zones 10 m apart."""
    zones = [P.PlanZone("HS-1", 0.0, 0.0, visits_per_day=3), P.PlanZone("HS-2", 10.0, 0.0, visits_per_day=3)]
    matrix = [[0, 40], [40, 0]]
    travel = P.Travel(matrices={P.FOOT: matrix})
    res = P.plan(zones, [P.Patrol("A", P.FOOT)], P.PlanParams(dt.date(2026, 11, 2), seed=9), travel)
    rows = list(res.schedule.sort_values("seq").itertuples())
    assert len(rows) >= 2
    for a, b in zip(rows, rows[1:]):
        need = 40 if a.zone_id != b.zone_id else 0
        assert minutes(a.leave, b.arrive) >= need and b.travel_min == need


def test_entropy_by_hand():
    assert P.entropy_bits([0, 20, 40, 50]) == pytest.approx(2.0)  # four quarter-hours, one each
    assert P.entropy_bits([0, 5, 10]) == pytest.approx(0.0)  # all in the first quarter-hour
    assert P.entropy_bits([0, 1, 20, 21]) == pytest.approx(1.0)


def test_round_robin_is_predictable_and_the_plan_is_not():
    zones = [P.PlanZone(f"HS-{i}", 200.0 * (i % 4), 200.0 * (i // 4), visits_per_day=4) for i in range(8)]
    patrols = [P.Patrol("A", P.VEHICLE), P.Patrol("B", P.VEHICLE)]
    res = P.plan(zones, patrols, P.PlanParams(dt.date(2026, 11, 9), dt.date(2026, 11, 15), seed=4))
    assert res.rota.repeat_share == pytest.approx(1.0)  # same times every day
    assert res.measures.repeat_share < 0.6
    assert res.measures.entropy_bits > res.rota.entropy_bits + 1.0
    # the rota's own schedule: the same zone order and clock times on every day
    rs = res.rota_schedule
    per_day = {
        d: [(r.zone_id, r.arrive.strftime("%H:%M")) for r in g.sort_values(["patrol", "seq"]).itertuples()]
        for d, g in rs.groupby("day")
    }
    assert len({tuple(v) for v in per_day.values()}) == 1
    assert res.measures.visits_delivered == len(res.schedule)
    assert res.rota.visits_delivered == len(rs)


def test_bad_input_in_one_sentence():
    z = [P.PlanZone("HS-1", 0.0, 0.0)]
    with pytest.raises(P.PlanError, match="shift start '25:00'"):
        P.plan(z, [P.Patrol("A")], P.PlanParams(dt.date(2026, 1, 1), shift_start="25:00"))
    with pytest.raises(P.PlanError, match="minimum spacing"):
        P.plan(z, [P.Patrol("A")], P.PlanParams(dt.date(2026, 1, 1), min_spacing=200))
    with pytest.raises(P.PlanError, match="repeated: HS-1"):
        P.plan(z + z, [P.Patrol("A")], P.PlanParams(dt.date(2026, 1, 1)))
    with pytest.raises(P.PlanError, match="mode 'bike'"):
        P.plan(z, [P.Patrol("A", "bike")], P.PlanParams(dt.date(2026, 1, 1)))
    with pytest.raises(P.PlanError, match="no patrols"):
        P.plan(z, [], P.PlanParams(dt.date(2026, 1, 1)))


def test_no_fixed_rotation_within_a_day():
    """A patrol with time to spare does not settle into one round repeated (nearest-neighbour
    loops): the rounds of its day, cut at the number of zones it works, are not all the same order.
    (A patrol whose visits fill its shift has no choice: with min spacing only the zone it left
    longest ago is open, and the plan's entropy and repeat share show it.)"""
    r = random.Random(99)
    for trial in range(20):
        zones = [P.PlanZone(f"HS-{i}", r.uniform(0, 1500), r.uniform(0, 1500), visits_per_day=3) for i in range(5)]
        res = P.plan(zones, [P.Patrol("V", P.VEHICLE)], P.PlanParams(dt.date(2026, 12, 4), seed=trial))
        order = list(res.schedule.sort_values("seq").zone_id)
        rounds = {tuple(order[i : i + 5]) for i in range(0, len(order) - 4, 5)}
        assert len(order) == 15 and len(rounds) > 1, (trial, order)
