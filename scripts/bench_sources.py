"""Matching speed by source (issue 16): the same pings as a GeoPackage with DateTime times, as a
CSV layer and as a PostGIS table, each through ``qgis_process run hotspotpatrol:matchtracks``
(reading and writing included), side by side with DuckDB-spatial on the same CSV.

    .venv/bin/python scripts/bench_sources.py [--size 1000000] [--no-duckdb] [--no-postgis]

The pings and zones are bench.py's seeded synthetic city (cached under .bench/city/). The sources:

* ``gpkg-datetime``: a GeoPackage whose ``t`` is a DateTime column (UTC, as the plugin's import and
  ogr2ogr write it): the bulk reader takes it from GDAL's Arrow stream;
* ``csv``: a CSV file (unit, ISO UTC time, x, y) added as a delimited-text layer URI; the time QGIS
  itself takes to open that layer (type detection, a full read of the file) is measured in a process
  of its own and printed beside it, not counted;
* ``postgis``: a table in a throw-away local PostgreSQL + PostGIS cluster (tests/pg_server.py);
* ``duckdb-2t`` / ``duckdb-1t``: DuckDB-spatial reading the CSV and matching by SQL, ping-snapped
  (a visit is a run of consecutive pings inside a zone: no boundary interpolation, no gap split, no
  merging, no presence union), 2 threads and 1 thread. DuckDB runs from .bench-venv (created here;
  never a plugin dependency).

Every figure, the reader each run used (from the algorithm's log) and the ratios go to stdout and
to out/bench/sources.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))
import bench  # noqa: E402

BENCH_VENV = ROOT / ".bench-venv"
RESULTS = ROOT / "out" / "bench" / "sources.json"
DUCKDB = ("duckdb==1.5.5", "duckdb-extension-spatial==1.5.5")


def log(msg):
    print(f"[bench-sources] {msg}", file=sys.stderr, flush=True)


def gpkg_datetime(size: int, arrays) -> Path:
    path = bench.CITY / f"pings_{size}_datetime.gpkg"
    if path.exists():
        return path
    from osgeo import osr

    from hotspot_patrol_plugin.formats import gpkg_writer as W

    srs = osr.SpatialReference()
    srs.ImportFromEPSG(bench.SRS_ID)
    labels = bench.unit_labels()[arrays["unit"]]
    tmp = path.with_suffix(".tmp.gpkg")
    W.write_points(
        str(tmp),
        "pings",
        srs.ExportToWkt(),
        arrays["x"],
        arrays["y"],
        [("unit", "string", labels), ("t", "utc", arrays["t"].astype(float))],
        replace=True,
    )
    tmp.rename(path)
    return path


def csv_file(size: int, arrays) -> Path:
    path = bench.CITY / f"pings_{size}.csv"
    if path.exists():
        return path
    import pandas as pd

    t = np.datetime_as_string(arrays["t"].astype("datetime64[s]"), unit="s")
    frame = pd.DataFrame(
        {
            "unit": bench.unit_labels()[arrays["unit"]],
            "t": np.char.add(t.astype(str), "Z"),
            "x": arrays["x"],
            "y": arrays["y"],
        }
    )
    tmp = path.with_suffix(".tmp")
    frame.to_csv(tmp, index=False, float_format="%.3f")
    tmp.rename(path)
    return path


def csv_uri(path: Path) -> str:
    return (
        path.as_uri() + "?type=csv&detectTypes=yes&xField=x&yField=y&crs=EPSG:27700"
        "&spatialIndex=no&subsetIndex=no&watchFile=no"
    )


OPEN_CHILD = r"""
import sys, time
from qgis.core import QgsApplication, QgsVectorLayer
app = QgsApplication([], False); app.initQgis()
t0 = time.perf_counter()
layer = QgsVectorLayer(sys.argv[1], "p", "delimitedtext")
ok = layer.isValid(); n = layer.featureCount()
print(time.perf_counter() - t0, ok, n)
"""


def qgis_open_seconds(uri: str, env: dict) -> float:
    out = subprocess.run([sys.executable, "-c", OPEN_CHILD, uri], capture_output=True, text=True, env=env)
    return float(out.stdout.split()[0]) if out.returncode == 0 and out.stdout.strip() else float("nan")


def run_qgis(name: str, tracks: str, zones: Path, n: int, qp: str, env: dict) -> dict:
    out_dir = bench.RUNS / f"src_{name}"
    import shutil

    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    cmd = [
        qp,
        "--json",
        "run",
        "hotspotpatrol:matchtracks",
        f"--TRACKS={tracks}",
        "--UNIT_FIELD=unit",
        "--TIME_FIELD=t",
        f"--ZONES={zones}|layername=zones",
        f"--VISITS={out_dir / 'visits.gpkg'}",
        f"--COVERAGE={out_dir / 'coverage.gpkg'}",
    ]
    usage = bench.run_measured(cmd, out_dir / "qgis", env)
    report = json.loads((out_dir / "qgis.out").read_text())
    info = report.get("log", {}).get("info", [])
    reader = next((line for line in info if "read by the" in line or "read feature by feature" in line), "")
    return {
        "seconds": usage["wall_s"],
        "peak_mb": usage["peak_mb"],
        "pings_per_s": n / usage["wall_s"],
        "read_s": bench._logged(info, "Read ", " in ", " s;"),
        "reader": reader,
        "visits": report["results"].get("VISIT_COUNT"),
    }


DUCK_CHILD = r"""
import sys, time, json
import duckdb
t0 = time.perf_counter()
con = duckdb.connect()
con.execute(f"SET threads = {int(sys.argv[3])}")
import glob, os, duckdb_extension_spatial as ext  # the extension file a PyPI package ships: no download
con.load_extension(sorted(glob.glob(os.path.join(os.path.dirname(ext.__file__), "extensions", "*",
                                                 "spatial.duckdb_extension")))[-1])
con.execute(f"CREATE TABLE zones AS SELECT zone_id, geom FROM ST_Read('{sys.argv[2]}')")
con.execute(f"CREATE TABLE p AS SELECT unit, CAST(t AS TIMESTAMPTZ) AS t, ST_Point(x, y) AS pt "
            f"FROM read_csv('{sys.argv[1]}', header = true)")
rows = con.execute('''
WITH inside AS (
  SELECT p.unit, p.t, z.zone_id FROM p JOIN zones z ON ST_Contains(z.geom, p.pt)),
ordered AS (
  SELECT unit, t, zone_id,
         row_number() OVER (PARTITION BY unit ORDER BY t) -
         row_number() OVER (PARTITION BY unit, zone_id ORDER BY t) AS island
  FROM (SELECT p.unit, p.t, i.zone_id FROM p LEFT JOIN inside i USING (unit, t)))
SELECT count(*), sum(epoch(last_t) - epoch(first_t)) FROM (
  SELECT unit, zone_id, island, min(t) AS first_t, max(t) AS last_t
  FROM ordered WHERE zone_id IS NOT NULL GROUP BY unit, zone_id, island)
''').fetchone()
print(json.dumps({"seconds": time.perf_counter() - t0, "visits": rows[0], "dwell_s": rows[1]}))
"""


def duck_python() -> str | None:
    py = BENCH_VENV / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    if subprocess.run([str(py), "-c", "import duckdb"], capture_output=True).returncode != 0:
        log(f"installing {' '.join(DUCKDB)} into {BENCH_VENV.name} (bench only)")
        if subprocess.run([str(py), "-m", "pip", "install", "-q", *DUCKDB]).returncode != 0:
            return None
    return str(py)


def run_duck(py: str, csv: Path, zones: Path, threads: int, n: int) -> dict:
    base = bench.RUNS / f"duckdb_{threads}t"
    usage = bench.run_measured([py, "-c", DUCK_CHILD, str(csv), str(zones), str(threads)], base)
    res = json.loads(base.with_suffix(".out").read_text().strip().splitlines()[-1])
    res.update(wall_s=usage["wall_s"], peak_mb=usage["peak_mb"], pings_per_s=n / usage["wall_s"])
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--no-duckdb", action="store_true")
    ap.add_argument("--no-postgis", action="store_true")
    args = ap.parse_args()
    bench.RUNS.mkdir(parents=True, exist_ok=True)
    bench.prepare_cache()
    zones_npz, zones = bench.zones_files()
    arrays = np.load(bench.pings_npz(args.size, zones_npz))
    n = len(arrays["t"])
    qp, env = bench.prepare_qgis(build=True)
    sources = {"gpkg-datetime": f"{gpkg_datetime(args.size, arrays)}|layername=pings"}
    csv = csv_file(args.size, arrays)
    sources["csv"] = "delimitedtext://" + csv_uri(csv)
    server = None
    if not args.no_postgis:
        server = start_postgis()
        if server is not None:
            import pandas as pd

            t0 = time.perf_counter()
            frame = pd.DataFrame(
                {
                    "unit": bench.unit_labels()[arrays["unit"]],
                    "t": pd.to_datetime(arrays["t"], unit="s", utc=True),
                    "x": arrays["x"],
                    "y": arrays["y"],
                }
            )
            server.load_points("pings", frame, bench.SRS_ID, index=False)
            log(f"loaded {n:,} pings into PostGIS in {time.perf_counter() - t0:.1f} s")
            sources["postgis"] = "postgres://" + pg_uri(server)
    results = {"pings": n, "machine": {"cpus": os.cpu_count()}}
    try:
        for name, tracks in sources.items():
            log(f"{name}: qgis_process matchtracks on {n:,} pings")
            results[name] = run_qgis(name, tracks, zones, n, qp, env)
        results["csv"]["qgis_open_s"] = qgis_open_seconds(csv_uri(csv), env)
        if not args.no_duckdb:
            py = duck_python()
            if py:
                for threads in (2, 1):
                    log(f"duckdb-spatial, {threads} thread(s)")
                    try:
                        results[f"duckdb-{threads}t"] = run_duck(py, csv, zones, threads, n)
                    except SystemExit as e:
                        log(f"duckdb failed: {e}")
    finally:
        if server is not None:
            server.stop()
    report(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, default=str))


def start_postgis():
    sys.path.insert(0, str(ROOT / "tests"))
    import pwd
    import tempfile

    from pg_server import PostgisServer, find_binaries

    bindir, why = find_binaries()
    if bindir is None:
        log(f"PostGIS skipped: {why}")
        return None
    run_as = "postgres" if os.geteuid() == 0 else None
    if run_as:
        pwd.getpwnam(run_as)
    server = PostgisServer(Path(tempfile.mkdtemp(prefix="hp-bench-pg-")), bindir, run_as)
    server.start()
    server.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    return server


def pg_uri(server) -> str:
    return (
        f"dbname='{server.dbname}' host={server.host} port={server.port} user='{server.user}' "
        f'key=\'fid\' srid={bench.SRS_ID} type=Point table="public"."pings" (geom)'
    )


def report(r: dict) -> None:
    n = r["pings"]
    print(f"\nMatching {n:,} pings, 500 zones, through qgis_process (reading and writing included)")
    print(f"{'source':<16}{'seconds':>9}{'read s':>8}{'pings/s':>11}{'peak MB':>9}  reader")
    for k in ("gpkg-datetime", "csv", "postgis"):
        if k in r:
            v = r[k]
            print(
                f"{k:<16}{v['seconds']:>9.1f}{(v['read_s'] or float('nan')):>8.1f}{v['pings_per_s']:>11,.0f}"
                f"{v['peak_mb']:>9,.0f}  {v['reader'][:90]}"
            )
    if "csv" in r:
        print(
            f"{'':<16}QGIS's own opening of the CSV layer string: {r['csv'].get('qgis_open_s', float('nan')):.1f} s "
            "(not counted above)"
        )
    for k in ("duckdb-2t", "duckdb-1t"):
        if k in r:
            v = r[k]
            print(
                f"{k:<16}{v['wall_s']:>9.1f}{'':>8}{v['pings_per_s']:>11,.0f}{v['peak_mb']:>9,.0f}  "
                f"{v['visits']:,} ping-snapped visits"
            )
    base = r.get("gpkg-datetime", {}).get("seconds")
    if base:
        print("\nratios (lower is faster):")
        for k in ("csv", "postgis", "duckdb-2t", "duckdb-1t"):
            if k in r:
                s = r[k].get("seconds") or r[k].get("wall_s")
                print(f"  {k} / gpkg-datetime = {s / base:.2f}")
        for k in ("duckdb-2t", "duckdb-1t"):
            if k in r:
                print(f"  gpkg-datetime / {k} = {base / r[k]['wall_s']:.2f}")


if __name__ == "__main__":
    main()
