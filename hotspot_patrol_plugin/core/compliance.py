"""Plan against actual: which planned visits were made, by whom, how late and how long.

A planned visit (a SCHEDULE row of hotspotpatrol:planpatrols) is **made** by an actual visit (a
counted VISITS row of hotspotpatrol:matchtracks, pass-throughs never count) to the same zone that
starts within ``tolerance_min`` of the planned arrival, or overlaps the planned stay. With a
unit -> patrol mapping only the patrol's own units count; without one any unit does. Each actual
visit makes at most one planned visit and each planned visit is made at most once: pairs are
taken closest arrival first. Per planned visit the result gives the unit (as written in VISITS:
pseudonyms stay pseudonyms), the arrival offset (actual entry - planned arrival, minutes), the
dwell and band of the actual visit and a status: missed, short (the visit's band is short),
late / early (offset beyond ``late_min``), or on plan. Per zone, per patrol and day: the share of
planned visits made and made on target, and the presence delivered against planned (minutes).
Counted visits that made no planned visit are listed per zone as unplanned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MISSED, SHORT, LATE, EARLY, ON_PLAN = "missed", "short", "late", "early", "on plan"
STATUSES = (ON_PLAN, LATE, EARLY, SHORT, MISSED)


@dataclass(frozen=True)
class ComplianceParams:
    tolerance_min: float = 30.0
    late_min: float = 10.0

    def check(self) -> None:
        if self.tolerance_min < 0 or self.late_min < 0:
            raise ValueError("The tolerance and the lateness limit must be 0 minutes or more.")


@dataclass
class ComplianceResult:
    planned: pd.DataFrame  # one row per planned visit
    by_zone: pd.DataFrame
    by_patrol_day: pd.DataFrame

    def totals(self) -> tuple[int, int, int]:
        """(planned, made, made on target) over the whole plan."""
        p = self.planned
        n = len(p)
        return n, (int(p["made"].sum()) if n else 0), (int((p["band"] == "target").sum()) if n else 0)

    def headline(self) -> str:
        """'31 of 36 planned visits made (86%), 24 on target'."""
        n, made, on = self.totals()
        return f"{made} of {n} planned visits made ({made / n:.0%}), {on} on target" if n else "No planned visits"

    def summary(self) -> str:
        n, made, on = self.totals()
        counts = self.planned["status"].value_counts()
        parts = ", ".join(f"{int(counts.get(s, 0))} {s}" for s in STATUSES if counts.get(s, 0))
        return (
            f"{made} of {n} planned visits made ({made / n:.0%}), {on} on target ({on / n:.0%}); {parts}."
            if n
            else "No planned visits."
        )


def _share(a, b):
    return np.where(b > 0, a / np.maximum(b, 1), np.nan)


def check(
    planned: pd.DataFrame, visits: pd.DataFrame, unit_patrol: dict | None = None, params: ComplianceParams | None = None
) -> ComplianceResult:
    """``planned``: day, patrol, seq, zone_id, arrive_utc, leave_utc (epoch seconds);
    ``visits``: zone_id, unit_id, entry_utc, exit_utc, dwell_min, band, pass_through."""
    params = params or ComplianceParams()
    params.check()
    plan = planned.reset_index(drop=True).copy()
    plan["pid"] = np.arange(len(plan))
    vis = visits[~visits["pass_through"].astype(bool)].reset_index(drop=True).copy()
    vis["vid"] = np.arange(len(vis))
    vis["zone_id"] = vis["zone_id"].astype(str)
    plan["zone_id"] = plan["zone_id"].astype(str)
    pairs = plan[["pid", "zone_id", "patrol", "arrive_utc", "leave_utc"]].merge(
        vis[["vid", "zone_id", "unit_id", "entry_utc", "exit_utc"]], on="zone_id"
    )
    if unit_patrol is not None and len(pairs):
        mapped = pairs["unit_id"].astype(str).map({str(k): str(v) for k, v in unit_patrol.items()})
        pairs = pairs[mapped == pairs["patrol"].astype(str)]
    if len(pairs):
        offset = (pairs["entry_utc"] - pairs["arrive_utc"]) / 60.0
        overlap = (pairs["entry_utc"] < pairs["leave_utc"]) & (pairs["exit_utc"] > pairs["arrive_utc"])
        pairs = pairs[(offset.abs() <= params.tolerance_min) | overlap].copy()
        pairs["dist"] = (pairs["entry_utc"] - pairs["arrive_utc"]).abs()
        pairs = pairs.sort_values(["dist", "pid", "vid"], kind="mergesort")
    match = {}
    used = set()
    for pid, vid in zip(pairs["pid"].to_numpy(), pairs["vid"].to_numpy()):
        if pid in match or vid in used:
            continue
        match[int(pid)] = int(vid)
        used.add(int(vid))
    vid_of = plan["pid"].map(match)
    made = vid_of.notna().to_numpy()
    take = vid_of.fillna(-1).astype(int).to_numpy()
    got = vis.set_index("vid")

    def col(name, default):
        values = np.full(len(plan), default, dtype=object)
        if made.any():
            values[made] = got.loc[take[made], name].to_numpy()
        return values

    plan["made"] = made
    plan["unit_id"] = col("unit_id", None)
    plan["entry_utc"] = col("entry_utc", np.nan).astype(float)
    plan["exit_utc"] = col("exit_utc", np.nan).astype(float)
    plan["dwell_min"] = col("dwell_min", np.nan).astype(float)
    plan["band"] = col("band", None)
    plan["arrival_offset_min"] = np.round((plan["entry_utc"] - plan["arrive_utc"]) / 60.0, 2)
    status = np.full(len(plan), MISSED, dtype=object)
    off = plan["arrival_offset_min"].to_numpy()
    status[made] = ON_PLAN
    status[made & (off < -params.late_min)] = EARLY
    status[made & (off > params.late_min)] = LATE
    status[made & (plan["band"].to_numpy() == "short")] = SHORT
    plan["status"] = status
    plan["on_target"] = plan["band"].to_numpy() == "target"
    plan["planned_min"] = (plan["leave_utc"] - plan["arrive_utc"]) / 60.0
    plan = plan.drop(columns=["pid"])

    def summarise(keys):
        g = plan.groupby(keys, sort=True)
        out = g.agg(
            planned=("made", "size"),
            made=("made", "sum"),
            on_target=("on_target", "sum"),
            planned_min=("planned_min", "sum"),
            delivered_min=("dwell_min", "sum"),
        ).reset_index()
        out["share_made"] = _share(out["made"].to_numpy(float), out["planned"].to_numpy(float))
        out["share_on_target"] = _share(out["on_target"].to_numpy(float), out["planned"].to_numpy(float))
        out["delivered_share"] = _share(out["delivered_min"].to_numpy(float), out["planned_min"].to_numpy(float))
        return out

    by_zone = summarise(["zone_id"])
    unplanned = vis[~vis["vid"].isin(used)].groupby("zone_id").size()
    extra = sorted(set(unplanned.index) - set(by_zone["zone_id"]))
    if extra:  # zones visited without a plan: listed with nothing planned
        rows = pd.DataFrame(
            {"zone_id": extra, "planned": 0, "made": 0, "on_target": 0, "planned_min": 0.0, "delivered_min": 0.0}
        )
        by_zone = pd.concat([by_zone, rows], ignore_index=True).sort_values("zone_id", kind="mergesort")
        by_zone = by_zone.reset_index(drop=True)
    by_zone["unplanned"] = by_zone["zone_id"].map(unplanned).fillna(0).astype(int)
    by_patrol_day = summarise(["day", "patrol"])
    return ComplianceResult(plan, by_zone, by_patrol_day)


def wall_to_utc(texts, timezone: str) -> np.ndarray:
    """Local wall-clock date-times (text, no offset) as UTC epoch seconds; a repeated autumn time
    is read as its first occurrence, a skipped spring time moved forward."""
    idx = pd.to_datetime(pd.Series(list(texts), dtype=object), errors="coerce")
    local = idx.dt.tz_localize(timezone, ambiguous=np.ones(len(idx), dtype=bool), nonexistent="shift_forward")
    return (local.dt.tz_convert("UTC").astype("int64") // 10**9).to_numpy(float)
