"""Force scale on Spark (issue 20): the Spark job on local[2] against the in-process core, same run.

    SPARK_LOCAL_IP=127.0.0.1 nice -n 10 .spark-venv/bin/python scripts/bench_spark.py 10M 50M 200M \\
        [--zones 500] [--core-max 10M] [--master local[2]]

For each size it generates (seeded, cached under .bench/spark/) a synthetic city with scripts/synth.py:
the zones, and units pinging every 30 s for 24 hours (2,880 pings a unit-day), as many units as the
size needs, written as Parquet (unit text, time as epoch milliseconds, x/y in British National
Grid) in chunks of 1,000 units, so generation never holds more than ~3 M pings.

Then, each in a fresh process (peak resident memory from ``os.wait4``, and for Spark the JVM and
its Python workers sampled from /proc every 0.2 s):

* spark - ``hotspot_patrol_plugin.spark.job.run`` on local[2]: pings grouped by unit, visits by the
          core on the executors, coverage by zone; Parquet + GeoPackage outputs written;
* core  - the same core sequence in one process (``parse_times``, ``Tracks.build``, ``match``,
          ``coverage``, visit paths cut to their zones as matchtracks writes them) on the whole
          Parquet read into memory, up to ``--core-max`` pings.

Where both ran, the visits are compared row by row (zone, unit, entry and exit to the millisecond,
dwell, pings, band) and the coverage zone by zone. Results go to stdout and to
.bench/spark/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / ".bench" / "spark"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

PING_S = 30.0
HOURS = 24.0
CHUNK_UNITS = 1000
START = 1795168800.0  # 2026-11-20 06:00 UTC


def size(text: str) -> int:
    text = text.strip().upper()
    mult = {"K": 1_000, "M": 1_000_000, "G": 1_000_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("KMG")) * mult)


def label(n: int) -> str:
    return f"{n / 1e6:g}M" if n >= 1e6 else f"{n:,}"


# --------------------------------------------------------------------------- data
def make_city(n_pings: int, n_zones: int) -> tuple[Path, Path]:
    """Parquet folder of pings and a GeoPackage of zones (cached)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    import synth

    folder = BENCH / f"city_{label(n_pings)}_{n_zones}z"
    pings, zones_path = folder / "pings", folder / "zones.gpkg"
    if (folder / "done").exists():
        return pings, zones_path
    shutil.rmtree(folder, ignore_errors=True)
    pings.mkdir(parents=True)
    zones = synth.make_zones(n_zones, seed=1)
    extent_zones = zones
    per_unit = int(HOURS * 3600 / PING_S)
    n_units = max(1, -(-n_pings // per_unit))
    written = 0
    for k, lo in enumerate(range(0, n_units, CHUNK_UNITS)):
        m = min(CHUNK_UNITS, n_units - lo)
        unit, t, x, y = synth.make_tracks(extent_zones, m, HOURS, ping_s=PING_S, seed=100 + k, start=START)
        keep = slice(0, max(0, min(len(t), n_pings - written)))
        unit, t, x, y = unit[keep], t[keep], x[keep], y[keep]
        order = np.argsort(t, kind="stable")  # an AVL export: time order, units interleaved
        names = np.char.add("U", np.char.zfill((unit[order] + lo).astype(str), 6))
        table = pa.table(
            {
                "unit": pa.array(names.astype(object), pa.string()),
                "time": pa.array(np.round(t[order] * 1000).astype(np.int64)),
                "x": pa.array(x[order]),
                "y": pa.array(y[order]),
            }
        )
        pq.write_table(table, pings / f"part-{k:05d}.parquet", row_group_size=1_000_000)
        written += len(t)
        if written >= n_pings:
            break
    write_zones(zones_path, zones)
    (folder / "done").write_text(str(written))
    return pings, zones_path


def write_zones(path: Path, zones) -> None:
    from osgeo import ogr, osr

    ogr.UseExceptions()
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(27700)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    lyr = ds.CreateLayer("zones", srs, ogr.wkbPolygon, options=["GEOMETRY_NAME=geom", "FID=fid"])
    lyr.CreateField(ogr.FieldDefn("zone_id", ogr.OFTString))
    lyr.StartTransaction()
    for i, g in enumerate(zones):
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("zone_id", f"Z{i:04d}")
        f.SetGeometry(ogr.CreateGeometryFromWkb(g.wkb))
        lyr.CreateFeature(f)
    lyr.CommitTransaction()
    ds = None


# --------------------------------------------------------------------------- runs (child processes)
def child_spark(pings: str, zones: str, out: str, master: str, result: str) -> None:
    from hotspot_patrol_plugin.spark import job

    t0 = time.perf_counter()
    spark = job.session(master, "OFF", app="hotspot-patrol-bench")
    t1 = time.perf_counter()
    summary = job.run(spark, pings, zones, out, daily=False)
    t2 = time.perf_counter()
    spark.stop()
    Path(result).write_text(json.dumps({"start_s": t1 - t0, "job_s": t2 - t1, "summary": summary}))


def child_core(pings: str, zones: str, out: str, result: str) -> None:
    import pyarrow.parquet as pq
    import shapely

    from hotspot_patrol_plugin.core import matching as M
    from hotspot_patrol_plugin.core.times import parse_times
    from hotspot_patrol_plugin.spark import inputs as I  # noqa: N812
    from hotspot_patrol_plugin.spark import steps as S  # noqa: N812

    t0 = time.perf_counter()
    table = pq.read_table(pings)
    zt = I.read_areas(zones, "zone")
    import pandas as pd

    codes, labels = pd.factorize(table.column("unit").to_numpy(zero_copy_only=False))
    times = parse_times(table.column("time").to_numpy().astype(float), "Europe/London", group=codes)
    x, y = table.column("x").to_numpy(), table.column("y").to_numpy()
    del table
    t1 = time.perf_counter()
    tracks = M.Tracks.build(codes, times.seconds, x, y)
    params = M.MatchParams()
    visits = M.match(tracks, M.PolygonAreas(zt.geoms), params)
    cov = M.coverage(visits, len(zt.ids), params)
    # the visit paths as matchtracks writes them: cut to their zones
    index = np.repeat(np.arange(len(visits)), np.diff(visits.path_offsets))
    lines = S.clip_paths(shapely.linestrings(visits.path_xy, indices=index), visits.area, zt.geoms)
    t2 = time.perf_counter()
    ids = np.asarray(zt.ids, dtype=object)
    rows = pd.DataFrame(
        {
            "zone_id": ids[visits.area],
            "unit_id": np.asarray(labels, dtype=object)[visits.unit],
            "entry_time": S.output_ms(visits.entry),
            "exit_time": S.output_ms(visits.exit),
            "dwell_min": np.round(visits.dwell / 60.0, 4),
            "pings": visits.pings,
            "band": visits.band.astype(str),
        }
    )
    rows.to_parquet(os.path.join(out, "core_visits.parquet"))
    pd.DataFrame([{"zone_id": z, **S.coverage_row(cov, i)} for i, z in enumerate(zt.ids)]).to_parquet(
        os.path.join(out, "core_coverage.parquet")
    )
    del lines
    Path(result).write_text(json.dumps({"read_s": t1 - t0, "match_s": t2 - t1, "visits": len(visits)}))


class Sampler(threading.Thread):
    """Peak RSS of a process's descendants, split into the JVM and Python workers (from /proc)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.stop, self.jvm, self.workers = pid, False, 0, 0

    def run(self):
        while not self.stop:
            jvm = workers = 0
            for _, cmd, rss in _descendants(self.pid):
                if "java" in cmd:
                    jvm += rss
                elif "pyspark" in cmd or "daemon" in cmd or "worker" in cmd:
                    workers += rss
            self.jvm, self.workers = max(self.jvm, jvm), max(self.workers, workers)
            time.sleep(0.2)


def _descendants(root: int):
    children: dict[int, list[int]] = {}
    info = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{d}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{d}/statm") as f:
                rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d))
        info[int(d)] = (cmd, rss)
    todo, out = list(children.get(root, [])), []
    while todo:
        p = todo.pop()
        if p in info:
            out.append((p, *info[p]))
        todo.extend(children.get(p, []))
    return out


def run_child(args: list[str], sample: bool = False) -> tuple[dict, float, int, Sampler | None]:
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1", PYSPARK_PYTHON=sys.executable, PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, *args], env=env)
    sampler = Sampler(proc.pid) if sample else None
    if sampler:
        sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if sampler:
        sampler.stop = True
    if status != 0:
        raise SystemExit(f"child {args[0]} failed (status {status})")
    return json.loads(Path(args[-1]).read_text()), wall, usage.ru_maxrss * 1024, sampler


# --------------------------------------------------------------------------- comparison
def compare(out: Path) -> str:
    import pandas as pd

    spark = pd.read_parquet(out / "visits")
    for c in ("entry_time", "exit_time"):  # UTC instants (naive or aware) -> epoch milliseconds
        stamps = pd.to_datetime(spark[c], utc=True)
        spark[c] = (stamps - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(milliseconds=1)
    keys = ["zone_id", "unit_id", "entry_time", "exit_time", "dwell_min", "pings", "band"]
    a = spark[keys].astype({"band": str}).sort_values(keys).reset_index(drop=True)
    b = pd.read_parquet(out / "core_visits.parquet")[keys].sort_values(keys).reset_index(drop=True)
    same_visits = a.equals(b.astype(a.dtypes.to_dict()))
    cs = pd.read_parquet(out / "coverage").sort_values("zone_id").reset_index(drop=True)
    cc = pd.read_parquet(out / "core_coverage.parquet").sort_values("zone_id").reset_index(drop=True)
    cols = [
        "visits",
        "visits_short",
        "visits_target",
        "visits_long",
        "dwell_total_min",
        "dwell_median_min",
        "presence_min",
        "units",
        "status",
    ]
    same_cov = cs[cols].astype(str).equals(cc[cols].astype(str))
    return (
        f"visits {'IDENTICAL' if same_visits else 'DIFFER'} ({len(a):,} vs {len(b):,} rows), "
        f"coverage {'IDENTICAL' if same_cov else 'DIFFERS'} ({len(cs)} zones)"
    )


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] in ("_spark", "_core"):
        if sys.argv[1] == "_spark":
            child_spark(*sys.argv[2:])
        else:
            child_core(*sys.argv[2:])
        return 0
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("sizes", nargs="*", default=["10M"])
    p.add_argument("--zones", type=int, default=500)
    p.add_argument("--core-max", default="10M")
    p.add_argument("--master", default="local[2]")
    a = p.parse_args()
    BENCH.mkdir(parents=True, exist_ok=True)
    results = []
    kept = json.loads((BENCH / "results.json").read_text()) if (BENCH / "results.json").exists() else []
    for s in a.sizes:
        n = size(s)
        t0 = time.perf_counter()
        pings, zones = make_city(n, a.zones)
        gen = time.perf_counter() - t0
        rows = int((pings.parent / "done").read_text())
        out = BENCH / f"out_{label(n)}"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        print(f"\n== {label(n)} pings ({rows:,} rows, {a.zones} zones; data ready in {gen:.0f} s)", flush=True)
        res, wall, rss, smp = run_child(
            ["_spark", str(pings), str(zones), str(out), a.master, str(out / "spark.json")], sample=True
        )
        row = {
            "pings": rows,
            "zones": a.zones,
            "spark_wall_s": round(wall, 1),
            "spark_start_s": round(res["start_s"], 1),
            "spark_job_s": round(res["job_s"], 1),
            "driver_peak_gb": round(rss / 1e9, 2),
            "jvm_peak_gb": round(smp.jvm / 1e9, 2),
            "python_workers_peak_gb": round(smp.workers / 1e9, 2),
            "visits": res["summary"]["visits"],
        }
        print(
            f"spark {a.master}: {wall:.1f} s wall ({res['job_s']:.1f} s job), "
            f"{rows / res['job_s'] / 1e6:.2f} M pings/s; "
            f"peak RSS: JVM {smp.jvm / 1e9:.2f} GB, Python workers {smp.workers / 1e9:.2f} GB, driver Python "
            f"{rss / 1e9:.2f} GB; {res['summary']['visits']:,} visits",
            flush=True,
        )
        if n <= size(a.core_max):
            cres, cwall, crss, _ = run_child(["_core", str(pings), str(zones), str(out), str(out / "core.json")])
            row.update(
                {
                    "core_wall_s": round(cwall, 1),
                    "core_match_s": round(cres["match_s"], 1),
                    "core_read_s": round(cres["read_s"], 1),
                    "core_peak_gb": round(crss / 1e9, 2),
                }
            )
            print(
                f"core in-process: {cwall:.1f} s wall (read {cres['read_s']:.1f} s, match+coverage+paths "
                f"{cres['match_s']:.1f} s), peak RSS {crss / 1e9:.2f} GB",
                flush=True,
            )
            row["check"] = compare(out)
            print(f"check: {row['check']}", flush=True)
        results.append(row)
        kept = [r for r in kept if r["pings"] != rows] + [row]  # earlier sizes' figures are kept
        (BENCH / "results.json").write_text(json.dumps(sorted(kept, key=lambda r: r["pings"]), indent=1))
    if results:
        last = results[-1]
        rate = last["pings"] / last["spark_job_s"]
        year = 2e9
        print(
            f"\nforce-year projection (2 billion pings) at {rate / 1e6:.2f} M pings/s on 2 cores: "
            f"{year / rate / 3600:.1f} h; on 64 cores (~32x): {year / rate / 32 / 60:.0f} min",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
