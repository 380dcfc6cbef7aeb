"""Speed benchmark for the Shift dock's engine (issue 19): `make bench`, or

    .venv/bin/python scripts/bench_shift.py [--units 2000] [--pings 5000000] [--zones 400] [--repeat 5]

Data (seeded, made in memory): a force of UNITS units pinging every 30 s (±3 s) across a city of
12 x 10 km (British National Grid), each walking between hot spots (70% of legs end in a zone,
where it loiters 2-20 minutes) and random places, until PINGS pings in all (5 million: 2,000 units
over about 21 hours). ZONES hot spots are circles and squares of 50-300 m.

The state is built by one ``ShiftEngine.update`` over the first PINGS pings in time order (what a
dock opened mid-shift does), then refreshes of 100, 2,000 (one 30 s refresh of the whole force,
~70 pings/s) and 10,000 new pings are timed, REPEAT times each on a fresh copy of the state (the
median and the worst are reported; a refresh is ``update`` plus ``zone_board``, what the dock does
before drawing), with the tail size (pings kept to carry on) and the process's peak memory. Core
only: no QGIS, no I/O. Results go to stdout and out/bench/shift.json.
"""

from __future__ import annotations

import argparse
import copy
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hotspot_patrol_plugin.core import matching as M  # noqa: E402
from hotspot_patrol_plugin.core import shift as S  # noqa: E402

X0, Y0 = 420000.0, 430000.0  # West Yorkshire, BNG
W, H = 12000.0, 10000.0
T0 = 1_795_000_000.0


def make_zones(rng, n):
    import shapely

    cx = X0 + rng.uniform(500, W - 500, n)
    cy = Y0 + rng.uniform(500, H - 500, n)
    r = rng.uniform(25, 150, n)
    circles = shapely.buffer(shapely.points(cx, cy), r, quad_segs=8)
    squares = shapely.box(cx - r, cy - r, cx + r, cy + r)
    geoms = np.where(rng.random(n) < 0.5, circles, squares)
    return np.asarray(geoms, dtype=object), cx, cy


def make_pings(rng, units, total, cx, cy):
    per = int(np.ceil(total / units))
    us, ts, xs, ys = [], [], [], []
    for u in range(units):
        t = T0 + rng.uniform(0, 30) + 30.0 * np.arange(per) + rng.uniform(-3, 3, per)
        # knots: alternate travel legs (1.2-8 m/s) and loiters (2-20 min, in a zone 70% of the time)
        n_legs = per // 10 + 2
        in_zone = rng.random(n_legs) < 0.7
        k = rng.integers(0, len(cx), n_legs)
        px = np.where(in_zone, cx[k] + rng.normal(0, 10, n_legs), X0 + rng.uniform(0, W, n_legs))
        py = np.where(in_zone, cy[k] + rng.normal(0, 10, n_legs), Y0 + rng.uniform(0, H, n_legs))
        dist = np.hypot(np.diff(px), np.diff(py))
        travel = dist / rng.uniform(1.2, 8.0, n_legs - 1)
        stay = np.where(in_zone[1:], rng.uniform(120, 1200, n_legs - 1), rng.uniform(0, 120, n_legs - 1))
        knots_t = t[0] + np.r_[0.0, np.cumsum(np.c_[travel, stay].ravel())]
        knots_x = np.r_[px[0], np.c_[px[1:], px[1:]].ravel()]
        knots_y = np.r_[py[0], np.c_[py[1:], py[1:]].ravel()]
        us.append(np.full(per, u))
        ts.append(t)
        xs.append(np.interp(t, knots_t, knots_x) + rng.normal(0, 3, per))
        ys.append(np.interp(t, knots_t, knots_y) + rng.normal(0, 3, per))
    unit, t, x, y = (np.concatenate(a) for a in (us, ts, xs, ys))
    order = np.argsort(t, kind="stable")  # the feed's order: by time, units interleaved
    return unit[order].astype(object), t[order], x[order], y[order]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=2000)
    ap.add_argument("--pings", type=int, default=5_000_000)
    ap.add_argument("--zones", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--late-tolerance", type=float, default=S.DEFAULT_LATE_TOLERANCE)
    args = ap.parse_args()
    rng = np.random.default_rng(19)
    sizes = (100, 2000, 10000)
    started = time.perf_counter()
    geoms, cx, cy = make_zones(rng, args.zones)
    unit, t, x, y = make_pings(rng, args.units, args.pings + max(sizes) * args.repeat, cx, cy)
    print(
        f"data: {len(t):,} pings of {args.units:,} units, {args.zones} zones ({time.perf_counter() - started:.1f} s)",
        flush=True,
    )

    n = args.pings
    engine = S.ShiftEngine(M.PolygonAreas(geoms), len(geoms), M.MatchParams(), args.late_tolerance)
    started = time.perf_counter()
    engine.update(unit[:n], t[:n], x[:n], y[:n])
    build_s = time.perf_counter() - started
    print(
        f"state from {n:,} pings: {build_s:.1f} s; {len(engine.visits()):,} visits, tail {len(engine.tail):,} pings",
        flush=True,
    )

    zones = S.ZoneInfo.build(
        [f"HS-{i:04d}" for i in range(len(geoms))],
        priority=rng.integers(1, 6, len(geoms)),
        visits_per_day=np.full(len(geoms), 6),
    )
    shift_start = float(t[0])
    results = {
        "units": args.units,
        "state_pings": n,
        "zones": args.zones,
        "build_s": round(build_s, 2),
        "tail_pings": len(engine.tail),
        "late_tolerance_s": args.late_tolerance,
        "refresh": {},
    }
    for size in sizes:
        times, reran = [], []
        for r in range(args.repeat):
            e = copy.deepcopy(engine)
            lo = n + r * size
            started = time.perf_counter()
            rep = e.update(unit[lo : lo + size], t[lo : lo + size], x[lo : lo + size], y[lo : lo + size])
            S.zone_board(e, zones, e.watermark, shift_start, e.watermark + 3600.0)
            times.append(time.perf_counter() - started)
            reran.append(rep.pings_rerun)
        ms = np.array(times) * 1000
        results["refresh"][size] = {
            "median_ms": round(float(np.median(ms)), 2),
            "max_ms": round(float(ms.max()), 2),
            "pings_rerun": int(np.median(reran)),
        }
        print(
            f"refresh with {size:>6,} new pings: median {np.median(ms):7.1f} ms, worst {ms.max():7.1f} ms "
            f"(re-matched {int(np.median(reran)):,} tail pings; zone board included)",
            flush=True,
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results["peak_mb"] = round(peak_mb)
    print(f"peak memory {peak_mb:,.0f} MB")
    out = ROOT / "out" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "shift.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
