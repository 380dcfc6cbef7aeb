"""Speed benchmark for patrol plans (issue 17, "fast"): `make bench`, or

    .venv/bin/python scripts/bench_plans.py [--zones 50] [--patrols 10] [--days 7] [--repeat 3]

50 hot spots scattered over a 3 x 3 km town centre (seeded), 3-4 visits a day each, priorities 1-5,
10 patrols (half on foot, half in vehicles, no start location), one week of 18:00-02:00 shifts,
planned with ``core.plans.plan`` (no QGIS): the randomised plan, the shortfall explanations (each
one re-plans the day with one more patrol and with longer shifts) and the round-robin rota for the
comparison are all in the time. Prints the best of --repeat runs and the plan's summary; the
target is "a couple of seconds".
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hotspot_patrol_plugin.core import plans as P  # noqa: E402

TARGET_S = 2.0


def instance(n_zones: int, n_patrols: int, seed: int = 17):
    rng = np.random.default_rng(seed)
    zones = [
        P.PlanZone(
            f"HS-{i + 1:03d}",
            float(rng.uniform(0, 3000)),
            float(rng.uniform(0, 3000)),
            priority=int(rng.integers(1, 6)),
            visits_per_day=int(rng.integers(3, 5)),
        )
        for i in range(n_zones)
    ]
    patrols = [P.Patrol(f"P{i + 1}", P.VEHICLE if i % 2 else P.FOOT) for i in range(n_patrols)]
    return zones, patrols


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--zones", type=int, default=50)
    ap.add_argument("--patrols", type=int, default=10)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    zones, patrols = instance(args.zones, args.patrols)
    first = dt.date(2026, 12, 7)
    params = P.PlanParams(first, first + dt.timedelta(days=args.days - 1), "18:00", "02:00", seed=42)
    best, result = float("inf"), None
    for _ in range(args.repeat):
        t = time.perf_counter()
        result = P.plan(zones, patrols, params)
        best = min(best, time.perf_counter() - t)
    print(
        f"plans: {args.zones} zones x {args.patrols} patrols x {args.days} days: {len(result.schedule)} visits "
        f"planned in {best:.2f} s (best of {args.repeat}; target < {TARGET_S:g} s)"
    )
    for line in result.summary_lines()[: 3 + len(result.shortfalls)]:
        print("  " + line)
    return 0 if best < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
