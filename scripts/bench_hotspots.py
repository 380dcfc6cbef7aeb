"""Speed benchmark for hot spot analysis (issue 7, "Speed"): `make bench`, or

    .venv/bin/python scripts/bench_hotspots.py [--size 1000000] [--cell 100] [--native-timeout 1800] [--no-native]

Data (seeded, cached under .bench/hotspots/): SIZE synthetic crimes over a force-sized rectangle of
50 x 40 km (2,000 km², British National Grid around West Yorkshire): 70% in about 4,000 clusters
(20-150 m across) grouped into 12 towns, 30% scattered. They are stored as police.uk stores them,
in WGS 84 longitude/latitude, in a GeoPackage point layer ``crimes`` (fields ``month`` and
``crime_type``, with the July 2018 West Yorkshire mix of types), bulk-inserted through sqlite3 with
an R-tree spatial index (QGIS's own route needs it; the plugin reads the rows through GDAL's Arrow
stream and never uses it).

Then, each in a fresh process whose peak resident memory is taken from ``os.wait4``:

* core   - ``core.hotspots.analyse`` on the projected arrays (grid, counts, Gi*, FDR, zones,
           concentration; no I/O), plugin imported from build/;
* plugin - ``qgis_process run hotspotpatrol:identifyhotspots`` on the GeoPackage with the defaults
           (100 m hexagons, EPSG:27700): start-up, reading and transforming the 1M points and
           writing GRID, HOTSPOTS and CONCENTRATION to GeoPackages all included;
* native - what QGIS offers out of the box, which only counts: ``native:creategrid`` (hexagons of
           the same size over the crimes' extent in EPSG:27700) then ``native:countpointsinpolygon``,
           two qgis_process runs (times added, memory the larger). Stopped after --native-timeout.

The table, the ratio and the targets (plugin < 30 s and < 2 GB) go to stdout and to
out/bench/hotspots.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import bench  # noqa: E402  (shares the qgis_process helpers)

DATA = ROOT / ".bench" / "hotspots"
RUNS = DATA / "runs"
RESULTS = ROOT / "out" / "bench" / "hotspots.json"

ORIGIN = (400000.0, 410000.0)  # BNG, south-west corner
WIDTH, HEIGHT = 50000.0, 40000.0
SEED = 7
TARGET_S = 30.0
TARGET_MB = 2048.0
#: police.uk, West Yorkshire, July 2018 (the shares of the sample's source month)
TYPES = {
    "Violence and sexual offences": 10358,
    "Anti-social behaviour": 5442,
    "Public order": 3043,
    "Criminal damage and arson": 2716,
    "Other theft": 2242,
    "Burglary": 2029,
    "Vehicle crime": 1955,
    "Shoplifting": 1485,
    "Other crime": 667,
    "Drugs": 525,
    "Robbery": 327,
    "Theft from the person": 317,
    "Bicycle theft": 303,
    "Possession of weapons": 226,
}


def log(msg: str) -> None:
    print(f"[bench-hotspots] {msg}", file=sys.stderr, flush=True)


# =========================================================================== data
def fingerprint(size: int) -> str:
    import inspect

    h = hashlib.sha1((inspect.getsource(generate) + inspect.getsource(write_gpkg)).encode())
    h.update(repr((size, ORIGIN, WIDTH, HEIGHT, SEED)).encode())
    return h.hexdigest()[:12]


def generate(size: int) -> tuple[np.ndarray, np.ndarray]:
    """BNG x, y of ``size`` crimes: clustered in towns and hot spots, plus a scattered background."""
    rng = np.random.default_rng(SEED)
    x0, y0 = ORIGIN
    towns = np.column_stack(
        [rng.uniform(x0 + 3000, x0 + WIDTH - 3000, 12), rng.uniform(y0 + 3000, y0 + HEIGHT - 3000, 12)]
    )
    town_sd = rng.uniform(1500, 5000, 12)
    n_clusters = 4000
    town_of = rng.integers(0, 12, n_clusters)
    centres = towns[town_of] + rng.normal(0, 1, (n_clusters, 2)) * town_sd[town_of, None]
    weight = rng.pareto(1.2, n_clusters) + 1.0
    spread = rng.uniform(10, 75, n_clusters)
    xs, ys = [], []
    total = 0
    while total < size:
        n = size - total
        n_cl = int(n * 0.7)
        which = rng.choice(n_clusters, n_cl, p=weight / weight.sum())
        cx = centres[which, 0] + rng.normal(0, 1, n_cl) * spread[which]
        cy = centres[which, 1] + rng.normal(0, 1, n_cl) * spread[which]
        bx = rng.uniform(x0, x0 + WIDTH, n - n_cl)
        by = rng.uniform(y0, y0 + HEIGHT, n - n_cl)
        x, y = np.r_[cx, bx], np.r_[cy, by]
        inside = (x >= x0) & (x <= x0 + WIDTH) & (y >= y0) & (y <= y0 + HEIGHT)
        xs.append(x[inside])
        ys.append(y[inside])
        total += int(inside.sum())
    x, y = np.concatenate(xs)[:size], np.concatenate(ys)[:size]
    order = rng.permutation(size)  # an export is not in spatial order
    return x[order], y[order]


def gpkg_point_blobs(x: np.ndarray, y: np.ndarray, srs_id: int) -> np.ndarray:
    """GeoPackage blobs of 2D points (29 bytes each): 'GP', version 0, flags 1 (little-endian, no
    envelope), srs_id, then the little-endian WKB point."""
    rec = np.dtype(
        [
            ("magic", "S2"),
            ("version", "u1"),
            ("flags", "u1"),
            ("srs", "<i4"),
            ("order", "u1"),
            ("wkb_type", "<u4"),
            ("x", "<f8"),
            ("y", "<f8"),
        ]
    )
    out = np.empty(len(x), dtype=rec)
    out["magic"], out["version"], out["flags"], out["srs"] = b"GP", 0, 1, srs_id
    out["order"], out["wkb_type"], out["x"], out["y"] = 1, 1, x, y
    return out.view(np.uint8).reshape(len(x), 29)


def write_gpkg(path: Path, lon: np.ndarray, lat: np.ndarray, chunk: int = 250_000) -> None:
    from osgeo import ogr, osr

    ogr.UseExceptions()
    rng = np.random.default_rng(SEED + 1)
    names = np.array(list(TYPES), dtype=object)
    shares = np.array(list(TYPES.values()), dtype=float)
    kinds = names[rng.choice(len(names), len(lon), p=shares / shares.sum())]
    months = np.array([f"2024-{m:02d}" for m in range(1, 13)], dtype=object)[rng.integers(0, 12, len(lon))]
    path.unlink(missing_ok=True)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = ds.CreateLayer("crimes", srs, ogr.wkbPoint, options=["SPATIAL_INDEX=NO", "GEOMETRY_NAME=geom", "FID=fid"])
    layer.CreateField(ogr.FieldDefn("month", ogr.OFTString))
    layer.CreateField(ogr.FieldDefn("crime_type", ogr.OFTString))
    ds = None
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    triggers = con.execute("SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name='crimes'").fetchall()
    for name, _ in triggers:
        con.execute(f'DROP TRIGGER "{name}"')
    blobs = gpkg_point_blobs(lon, lat, 4326)
    for lo in range(0, len(lon), chunk):
        hi = min(lo + chunk, len(lon))
        raw = blobs[lo:hi].tobytes()
        geoms = [raw[i : i + 29] for i in range(0, len(raw), 29)]
        con.executemany(
            "INSERT INTO crimes (geom, month, crime_type) VALUES (?, ?, ?)",
            zip(geoms, months[lo:hi].tolist(), kinds[lo:hi].tolist()),
        )
    con.execute("UPDATE gpkg_ogr_contents SET feature_count = ? WHERE table_name = 'crimes'", (len(lon),))
    con.execute(
        "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = 'crimes'",
        (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())),
    )
    for _, sql in triggers:
        con.execute(sql)
    con.commit()
    con.close()
    ds = ogr.Open(str(path), update=1)
    ds.ExecuteSQL("SELECT CreateSpatialIndex('crimes', 'geom')")
    ds = None
    ds = ogr.Open(str(path))
    lyr = ds.GetLayer(0)
    extent = (lon.min(), lon.max(), lat.min(), lat.max())
    if lyr.GetFeatureCount() != len(lon) or not np.allclose(lyr.GetExtent(), extent):
        raise SystemExit(f"bench: {path} does not hold what was written")
    ds = None


def prepare(size: int) -> tuple[Path, Path]:
    """The cached arrays (BNG, for the core) and the GeoPackage (WGS 84, for QGIS)."""
    DATA.mkdir(parents=True, exist_ok=True)
    npz, gpkg, meta = DATA / f"crimes_{size}.npz", DATA / f"crimes_{size}.gpkg", DATA / f"crimes_{size}.json"
    fp = fingerprint(size)
    if npz.exists() and gpkg.exists() and meta.exists() and json.loads(meta.read_text()).get("fingerprint") == fp:
        return npz, gpkg
    started = time.perf_counter()
    x, y = generate(size)
    import pyproj

    lon, lat = pyproj.Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True).transform(x, y)
    # the core gets what the plugin computes: the stored lon/lat transformed back to BNG
    bx, by = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True).transform(lon, lat)
    np.savez(npz, x=np.asarray(bx), y=np.asarray(by))
    write_gpkg(gpkg, np.asarray(lon), np.asarray(lat))
    meta.write_text(json.dumps({"fingerprint": fp}))
    log(
        f"generated {size:,} crimes and {gpkg.name} ({gpkg.stat().st_size / 1e6:.0f} MB) in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return npz, gpkg


# =========================================================================== measuring
def run_measured(cmd: list, log_base: Path, env: dict | None = None, timeout: float | None = None) -> dict:
    """Wall time and peak resident memory of one child process (os.wait4); None times out."""
    started = time.perf_counter()
    with open(log_base.with_suffix(".out"), "wb") as out, open(log_base.with_suffix(".err"), "wb") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=ROOT, start_new_session=True)
        deadline = None if timeout is None else started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                _, status, usage = os.wait4(proc.pid, 0)
                return {"wall_s": None, "peak_mb": usage.ru_maxrss / 1024.0, "timed_out": True}
            time.sleep(0.05)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        tail = log_base.with_suffix(".err").read_text(errors="replace")[-3000:]
        raise SystemExit(f"bench: {' '.join(map(str, cmd[:4]))} ... failed ({code}):\n{tail}")
    return {"wall_s": time.perf_counter() - started, "peak_mb": usage.ru_maxrss / 1024.0, "timed_out": False}


def core_child(npz: str, cell: str, out: str) -> None:
    sys.path.insert(0, str(ROOT / "build"))
    from hotspot_patrol_plugin.core import hotspots as H

    arrays = np.load(npz)
    x, y = arrays["x"], arrays["y"]
    t0 = time.perf_counter()
    res = H.analyse(x, y, None, H.Lattice(H.HEXAGON, float(cell)))
    seconds = time.perf_counter() - t0
    Path(out).write_text(
        json.dumps(
            {
                "seconds": seconds,
                "cells": len(res.grid),
                "zones": len(res.zones),
                "points": res.points_used,
                "timings": res.timings,
                "half_area_pct": res.concentration.half_area_pct,
                "hot_cells": int(((res.z > 0) & (res.p_fdr <= 0.05)).sum()),
            }
        )
    )


def logged(lines: list, marker: str, before: str, after: str):
    for line in lines:
        if marker in line:
            try:
                return float(line.split(before, 1)[1].split(after, 1)[0].replace(",", ""))
            except (IndexError, ValueError):
                return None
    return None


def measure_plugin(gpkg: Path, cell: float, qp: str, env: dict) -> dict:
    out = RUNS / "plugin"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    cmd = [
        qp,
        "--json",
        "run",
        "hotspotpatrol:identifyhotspots",
        f"--INPUT={gpkg}|layername=crimes",
        f"--CELL_SIZE={cell:g}",
        f"--GRID={out / 'grid.gpkg'}",
        f"--HOTSPOTS={out / 'hotspots.gpkg'}",
        f"--CONCENTRATION={out / 'concentration.gpkg'}",
    ]
    usage = run_measured(cmd, out / "qgis", env)
    report = json.loads((out / "qgis.out").read_text())
    info = report.get("log", {}).get("info", []) or report.get("log", {}).get("msg", "").splitlines()
    res = report["results"]
    return {
        "seconds": usage["wall_s"],
        "peak_mb": usage["peak_mb"],
        "cells": int(res["CELL_COUNT"]),
        "zones": int(res["HOTSPOT_COUNT"]),
        "points": int(res["CRIMES_USED"]),
        "headline": res["HEADLINE"],
        "read_s": logged(info, "Read ", " in ", " s;"),
        "total_s": logged(info, "Total time", "time ", " s."),
        "method": "gdal-arrow" if any("(gdal-arrow)" in line for line in info) else "features",
        "grid_sum": grid_sum(out / "grid.gpkg", "crimes"),
    }


def grid_sum(path: Path, field: str) -> int:
    from osgeo import ogr

    ogr.UseExceptions()
    ds = ogr.Open(str(path))
    lyr = ds.GetLayer(0)
    sql = ds.ExecuteSQL(f'SELECT SUM("{field}"), COUNT(*) FROM "{lyr.GetName()}"')
    f = sql.GetNextFeature()
    total, count = f.GetField(0), f.GetField(1)
    ds.ReleaseResultSet(sql)
    return int(total or 0), int(count)


def measure_native(gpkg: Path, npz: Path, cell: float, qp: str, env: dict, timeout: float) -> dict:
    out = RUNS / "native"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    arrays = np.load(npz)
    x, y = arrays["x"], arrays["y"]
    extent = f"{x.min()},{x.max()},{y.min()},{y.max()} [EPSG:27700]"
    # QGIS's hexagons with HSPACING = VSPACING = d are flat-topped with d between vertically adjacent
    # centres: the same size as the plugin's (pointy-topped) cells of centre spacing d
    grid = run_measured(
        [
            qp,
            "run",
            "native:creategrid",
            "--TYPE=4",
            f"--EXTENT={extent}",
            f"--HSPACING={cell:g}",
            f"--VSPACING={cell:g}",
            "--HOVERLAY=0",
            "--VOVERLAY=0",
            "--CRS=EPSG:27700",
            f"--OUTPUT={out / 'grid.gpkg'}",
        ],
        out / "creategrid",
        env,
        timeout,
    )
    if grid["timed_out"]:
        return {"seconds": None, "grid_s": None, "count_s": None, "peak_mb": grid["peak_mb"], "timed_out": True}
    left = timeout - grid["wall_s"]
    count = run_measured(
        [
            qp,
            "run",
            "native:countpointsinpolygon",
            f"--POLYGONS={out / 'grid.gpkg'}",
            f"--POINTS={gpkg}|layername=crimes",
            "--FIELD=NUMPOINTS",
            f"--OUTPUT={out / 'count.gpkg'}",
        ],
        out / "countpoints",
        env,
        left,
    )
    res = {
        "grid_s": grid["wall_s"],
        "count_s": count["wall_s"],
        "peak_mb": max(grid["peak_mb"], count["peak_mb"]),
        "timed_out": count["timed_out"],
        "cells": grid_sum(out / "grid.gpkg", "id")[1],
    }
    res["seconds"] = None if count["timed_out"] else grid["wall_s"] + count["wall_s"]
    if not count["timed_out"]:
        res["grid_sum"] = grid_sum(out / "count.gpkg", "NUMPOINTS")[0]
    return res


# =========================================================================== report
def fmt_s(v) -> str:
    return "-" if v is None else f"{v:.1f}"


def report(size: int, cell: float, core: dict, plugin: dict, native: dict | None, timeout: float) -> list:
    rows = [("route", "cells", "seconds", "peak MB", "crimes/s", "what it does")]
    rows.append(
        (
            "core: hotspots.analyse (arrays in memory)",
            f"{core['cells']:,}",
            fmt_s(core["seconds"]),
            f"{core['peak_mb']:.0f}",
            f"{size / core['seconds']:,.0f}",
            "grid, counts, Gi*, p, FDR, classes, zones, concentration",
        )
    )
    rows.append(
        (
            "plugin: qgis_process hotspotpatrol:identifyhotspots",
            f"{plugin['cells']:,}",
            fmt_s(plugin["seconds"]),
            f"{plugin['peak_mb']:.0f}",
            f"{size / plugin['seconds']:,.0f}",
            "the above + start-up, read 1M rows, WGS 84 -> BNG, write 3 GeoPackages",
        )
    )
    if native is not None:
        secs = native["seconds"]
        rows.append(
            (
                "QGIS: native:creategrid + native:countpointsinpolygon",
                f"{native.get('cells', 0):,}",
                fmt_s(secs) if secs else f"> {timeout:.0f}",
                f"{native['peak_mb']:.0f}",
                "-" if not secs else f"{size / secs:,.0f}",
                f"counts only (grid {fmt_s(native['grid_s'])} s + count {fmt_s(native['count_s'])} s)",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print()
    print(
        f"Hot spot benchmark: {size:,} synthetic crimes (WGS 84 GeoPackage) over {WIDTH * HEIGHT / 1e6:,.0f} km², "
        f"{cell:g} m hexagons"
    )
    for i, r in enumerate(rows):
        print("  ".join(v.rjust(w) if 0 < j < 5 else v.ljust(w) for j, (v, w) in enumerate(zip(r, widths))))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    ratio = None
    if native is not None:
        if native["seconds"]:
            ratio = native["seconds"] / plugin["seconds"]
            print(f"ratio QGIS native / plugin (wall time): {ratio:.1f}x")
        else:
            ratio = timeout / plugin["seconds"]
            print(f"ratio QGIS native / plugin (wall time): > {ratio:.1f}x (native stopped after {timeout:.0f} s)")
    t = core["timings"]
    print(
        f"core phases: grid {t['grid']:.2f} s, count {t['count']:.2f} s, Gi*+FDR {t['gi_star']:.2f} s, "
        f"zones {t['zones']:.2f} s; {core['hot_cells']:,} hot cells, {core['zones']} zones"
    )
    print(
        f"plugin: read {plugin['read_s']} s ({plugin['method']}), algorithm total {plugin['total_s']} s; "
        f"{plugin['zones']} zones; {plugin['headline']}"
    )
    checks = [f"plugin GRID holds {plugin['grid_sum'][0]:,} crimes in {plugin['grid_sum'][1]:,} cells"]
    if native is not None and native.get("grid_sum") is not None:
        checks.append(f"QGIS counted {native['grid_sum']:,} points in {native['cells']:,} cells")
    print("check: " + "; ".join(checks) + f" (of {size:,})")
    targets = [
        ("plugin wall time", f"< {TARGET_S:.0f} s", f"{plugin['seconds']:.1f} s", plugin["seconds"] < TARGET_S),
        ("plugin peak memory", f"< {TARGET_MB:.0f} MB", f"{plugin['peak_mb']:.0f} MB", plugin["peak_mb"] < TARGET_MB),
    ]
    for name, want, got, ok in targets:
        print(f"target {name} {want}: {got} -> {'PASS' if ok else 'FAIL'}")
    return [{"name": n, "target": w, "measured": g, "pass": ok} for n, w, g, ok in targets] + [{"ratio": ratio}]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--cell", type=float, default=100.0)
    ap.add_argument("--native-timeout", type=float, default=1800.0)
    ap.add_argument("--no-native", action="store_true")
    ap.add_argument("--no-build", action="store_true", help="use build/ as it is")
    ap.add_argument("--core-child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.core_child:
        core_child(*args.core_child)
        return 0
    npz, gpkg = prepare(args.size)
    RUNS.mkdir(parents=True, exist_ok=True)
    if not args.no_build:
        subprocess.run(["make", "-s", "build"], cwd=ROOT, check=True)
    env = bench.qgis_env()
    qp = bench.qgis_process(env)
    subprocess.run(
        [qp, "plugins", "enable", "hotspot_patrol_plugin"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    log("core ...")
    out = RUNS / "core.json"
    usage = run_measured([sys.executable, __file__, "--core-child", str(npz), str(args.cell), str(out)], RUNS / "core")
    core = json.loads(out.read_text())
    core["peak_mb"] = usage["peak_mb"]
    log(f"core {core['seconds']:.1f} s; plugin through qgis_process ...")
    plugin = measure_plugin(gpkg, args.cell, qp, env)
    native = None
    if not args.no_native:
        log(f"plugin {plugin['seconds']:.1f} s; QGIS native route (at most {args.native_timeout:.0f} s) ...")
        native = measure_native(gpkg, npz, args.cell, qp, env, args.native_timeout)
    targets = report(args.size, args.cell, core, plugin, native, args.native_timeout)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "size": args.size,
                "cell": args.cell,
                "core": core,
                "plugin": plugin,
                "native": native,
                "targets": targets,
            },
            indent=1,
            default=str,
        )
    )
    return 0 if all(t.get("pass", True) for t in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
