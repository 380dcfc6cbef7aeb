"""Benchmark of hotspotpatrol:importtracks (run by `make bench`; `--quick` for 100k rows only).

A seeded UK AVL export (callsign; day-first local time; easting; northing; speed) of 1M and 10M
rows is imported to a GeoPackage through qgis_process, and in the same run the same CSV goes the
way a user would otherwise take: QGIS's delimited-text provider + native:savefeatures to a
GeoPackage. Wall time and peak memory of each; targets: 10M rows < 60 s and < 4 GB.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import bench  # noqa: E402  (shares the measuring helpers)

CACHE = ROOT / ".bench" / "import"
OUT = ROOT / "out" / "bench"

BASELINE = r"""
import os, sys, time
from qgis.core import QgsApplication, QgsVectorLayer
app = QgsApplication([], False); app.initQgis()
sys.path.append('/usr/share/qgis/python/plugins')
import processing
from processing.core.Processing import Processing
Processing.initialize()
csv, out = sys.argv[1], sys.argv[2]
uri = f"file://{csv}?delimiter=,&xField=easting&yField=northing&crs=EPSG:27700&detectTypes=yes&spatialIndex=no"
t0 = time.perf_counter()
layer = QgsVectorLayer(uri, "avl", "delimitedtext")
assert layer.isValid(), "delimited text layer invalid"
processing.run("native:savefeatures", {"INPUT": layer, "OUTPUT": out})
print(time.perf_counter() - t0, flush=True)
os._exit(0)  # a standalone PyQGIS script can crash in exitQgis() after processing.run
"""


def make_csv(rows: int) -> Path:
    """Seeded AVL export: 2,000 callsigns pinging every 30 s, interleaved in time order."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"avl_{rows}.csv"
    if path.exists():
        return path
    started = time.perf_counter()
    rng = np.random.default_rng(5)
    units = 2000
    per_unit = -(-rows // units)
    t = (1795168800 + np.arange(per_unit)[None, :] * 30 + rng.integers(0, 30, (units, 1))).ravel()[:rows]
    unit = np.repeat(np.arange(units), per_unit)[:rows]
    # each unit walks (steps of ~20 m per ping) from its own start inside a 4 km square
    start = 428000 + rng.random((units, 2)) * 4000
    walk = np.cumsum(rng.normal(0, 20, (units, per_unit, 2)), axis=1) + start[:, None, :]
    x, y = walk[..., 0].ravel()[:rows], walk[..., 1].ravel()[:rows]
    y = y + 4000  # northing 432000-436000
    order = np.argsort(t, kind="stable")  # an export is in time order, units interleaved
    t, unit, x, y = t[order], unit[order], x[order], y[order]
    iso = np.datetime_as_string(t.astype("datetime64[s]"), unit="s").astype("S19")  # November: London = UTC
    b = iso.view(np.uint8).reshape(rows, 19)
    uk = np.empty_like(b)  # dd/mm/yyyy HH:MM:SS, as UK AVL exports write it
    uk[:, 0:2], uk[:, 3:5], uk[:, 6:10], uk[:, 11:19] = b[:, 8:10], b[:, 5:7], b[:, 0:4], b[:, 11:19]
    uk[:, 2] = uk[:, 5] = ord("/")
    uk[:, 10] = ord(" ")
    import pandas as pd

    frame = pd.DataFrame(
        {
            "callsign": np.char.add("U", np.char.zfill(unit.astype(str), 4)),
            "datetime": uk.view("S19").ravel().astype(str),
            "easting": np.round(x, 1),
            "northing": np.round(y, 1),
            "speed": 4.0,
        }
    )
    frame.to_csv(path, index=False, chunksize=1_000_000)
    bench.log(f"wrote {path.name} ({rows:,} rows) in {time.perf_counter() - started:.1f} s")
    return path


def measure_import(csv: Path, qp: str, env: dict) -> dict:
    run_dir = OUT / "import"
    run_dir.mkdir(parents=True, exist_ok=True)
    out = run_dir / f"{csv.stem}.gpkg"
    out.unlink(missing_ok=True)
    res = bench.run_measured(
        [
            qp,
            "--json",
            "run",
            "hotspotpatrol:importtracks",
            f"--INPUT={csv}",
            f"--OUTPUT={out}",
            f"--REPORT={run_dir / (csv.stem + '.html')}",
        ],
        run_dir / f"{csv.stem}_import",
        env,
    )
    result = json.loads((run_dir / f"{csv.stem}_import.out").read_text())["results"]
    res.update(rows_read=result["ROWS_READ"], rows_kept=result["ROWS_KEPT"], dropped=result.get("ROWS_DROPPED"))
    return res


def measure_baseline(csv: Path, env: dict) -> dict:
    run_dir = OUT / "import"
    out = run_dir / f"{csv.stem}_baseline.gpkg"
    out.unlink(missing_ok=True)
    script = run_dir / "baseline.py"
    script.write_text(BASELINE)
    return bench.run_measured(["/usr/bin/python3", str(script), str(csv), str(out)], run_dir / f"{csv.stem}_base", env)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="1000000,10000000")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-baseline", action="store_true")
    args = ap.parse_args(argv)
    sizes = [100_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    qp, env = bench.prepare_qgis(build=True)
    rows = []
    for size in sizes:
        csv = make_csv(size)
        imp = measure_import(csv, qp, env)
        base = None if args.no_baseline else measure_baseline(csv, env)
        rows.append({"rows": size, "import": imp, "baseline": base})
        bench.log(
            f"{size:,}: import {imp['wall_s']:.1f} s / {imp['peak_mb']:.0f} MB"
            + ("" if base is None else f"; baseline {base['wall_s']:.1f} s / {base['peak_mb']:.0f} MB")
        )
    print()
    print(
        f"{'rows':>12} {'import s':>9} {'rows/s':>11} {'peak MB':>8} {'QGIS route s':>13} {'peak MB':>8} {'ratio':>6}"
    )
    for r in rows:
        imp, base = r["import"], r["baseline"]
        line = f"{r['rows']:>12,} {imp['wall_s']:>9.1f} {r['rows'] / imp['wall_s']:>11,.0f} {imp['peak_mb']:>8.0f}"
        if base:
            line += f" {base['wall_s']:>13.1f} {base['peak_mb']:>8.0f} {base['wall_s'] / imp['wall_s']:>5.1f}x"
        print(line)
    big = [r for r in rows if r["rows"] >= 10_000_000]
    if big:
        imp = big[0]["import"]
        print(
            f"target 10M rows < 60 s: {'PASS' if imp['wall_s'] < 60 else 'FAIL'} ({imp['wall_s']:.1f} s); "
            f"< 4 GB: {'PASS' if imp['peak_mb'] < 4096 else 'FAIL'} ({imp['peak_mb']:.0f} MB)"
        )
    (OUT / "import_results.json").write_text(json.dumps(rows, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
