"""core.compliance: planned visits against measured ones, expected values worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from hotspot_patrol_plugin.core import compliance as C

T0 = 1_796_000_000.0  # an evening, UTC seconds


def planned(rows):
    return pd.DataFrame(
        [
            {
                "day": "2026-12-04",
                "patrol": p,
                "seq": s,
                "zone_id": z,
                "arrive_utc": T0 + a * 60,
                "leave_utc": T0 + (a + 15) * 60,
            }
            for p, s, z, a in rows
        ]
    )


def visits(rows):
    return pd.DataFrame(
        [
            {
                "zone_id": z,
                "unit_id": u,
                "entry_utc": T0 + e * 60,
                "exit_utc": T0 + (e + d) * 60,
                "dwell_min": float(d),
                "band": "short" if d < 10 else "long" if d > 15 else "target",
                "pass_through": pt,
            }
            for z, u, e, d, pt in rows
        ]
    )


def test_made_late_short_missed_wrong_zone():
    plan = planned(
        [("A", 1, "HS-1", 0), ("A", 2, "HS-2", 60), ("A", 3, "HS-3", 120), ("A", 4, "HS-1", 180), ("A", 5, "HS-2", 240)]
    )
    act = visits(
        [
            ("HS-1", "U-aa", 1, 14, False),  # on plan: 1 min late, 14 min
            ("HS-2", "U-aa", 80, 12, False),  # late: 20 min
            ("HS-3", "U-aa", 120, 5, False),  # short: 5 min
            # HS-1 at 180: missed (the unit went to HS-3 instead: wrong zone)
            ("HS-3", "U-aa", 181, 15, False),
            ("HS-2", "U-aa", 230, 0.5, True),  # a pass-through never counts ...
            ("HS-2", "U-bb", 245, 11, False),
        ]
    )  # ... another unit's visit does (no mapping)
    res = C.check(plan, act)
    p = res.planned.set_index("seq")
    assert list(p["status"]) == [C.ON_PLAN, C.LATE, C.SHORT, C.MISSED, C.ON_PLAN]
    assert list(p["arrival_offset_min"].fillna(-99)) == [1.0, 20.0, 0.0, -99, 5.0]
    assert list(p["unit_id"]) == ["U-aa", "U-aa", "U-aa", None, "U-bb"]
    assert list(p["dwell_min"].fillna(0)) == [14.0, 12.0, 5.0, 0.0, 11.0]
    z = res.by_zone.set_index("zone_id")
    assert z.loc["HS-1", "planned"] == 2 and z.loc["HS-1", "made"] == 1 and z.loc["HS-1", "share_made"] == 0.5
    assert z.loc["HS-3", "unplanned"] == 1 and z.loc["HS-3", "on_target"] == 0
    # a zone visited without any plan is listed too
    res = C.check(plan, pd.concat([act, visits([("HS-9", "U-cc", 30, 12, False)])], ignore_index=True))
    z9 = res.by_zone.set_index("zone_id").loc["HS-9"]
    assert (z9["planned"], z9["made"], z9["unplanned"]) == (0, 0, 1) and pd.isna(z9["share_made"])
    assert z.loc["HS-2", "delivered_min"] == 23.0 and z.loc["HS-2", "planned_min"] == 30.0
    d = res.by_patrol_day.iloc[0]
    assert (d["planned"], d["made"], d["on_target"]) == (5, 4, 3)
    assert d["share_made"] == pytest.approx(0.8) and d["share_on_target"] == pytest.approx(0.6)
    assert res.summary().startswith("4 of 5 planned visits made (80%), 3 on target (60%)")
    assert res.headline() == "4 of 5 planned visits made (80%), 3 on target"  # the briefing page's headline
    assert C.check(plan.iloc[:0], act).headline() == "No planned visits"


def test_mapping_limits_who_counts_and_one_visit_makes_one_plan():
    plan = planned([("A", 1, "HS-1", 0), ("B", 1, "HS-1", 10)])
    act = visits([("HS-1", "U-aa", 12, 12, False)])
    res = C.check(plan, act, {"U-aa": "B"})
    assert list(res.planned["made"]) == [False, True]
    res = C.check(plan, act)  # without a mapping the closest planned arrival takes it
    assert list(res.planned["made"]) == [False, True]
    res = C.check(plan, visits([("HS-1", "U-aa", 0, 12, False)]), {"U-aa": "C"})
    assert not res.planned["made"].any()


def test_tolerance_and_overlap():
    plan = planned([("A", 1, "HS-1", 0)])
    assert not C.check(plan, visits([("HS-1", "u", 31, 12, False)])).planned["made"].any()
    assert C.check(plan, visits([("HS-1", "u", 29, 12, False)])).planned["made"].all()
    # a long visit that began 40 min early but overlaps the planned stay counts
    assert C.check(plan, visits([("HS-1", "u", -40, 45, False)])).planned["status"].iloc[0] == C.EARLY


def test_wall_clock_to_utc_in_london():
    # 18:00 BST on 1 June = 17:00 UTC; 01:30 on 25 Oct 2026 (repeated) = first, BST, 00:30 UTC
    got = C.wall_to_utc(["2026-06-01 18:00:00", "2026-10-25 01:30:00", "2026-12-04 18:00:00"], "Europe/London")
    assert list(got) == [
        pd.Timestamp("2026-06-01 17:00Z").timestamp(),
        pd.Timestamp("2026-10-25 00:30Z").timestamp(),
        pd.Timestamp("2026-12-04 18:00Z").timestamp(),
    ]
