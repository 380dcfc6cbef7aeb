"""Speed benchmark for matching (issue 3, "Speed"): `make bench`, or

    .venv/bin/python scripts/bench.py [--sizes 100000,1000000,10000000] [--quick] [--time-format epoch|iso]

For each size it generates (seeded, cached under .bench/city/) a synthetic city with scripts/synth.py:
500 zones and 2,000 units pinging every 30 s, the number of hours scaled to reach the size. The pings
are written to a GeoPackage point layer ``pings`` (fields ``unit`` text and ``t``: epoch seconds as an
integer by default, or naive Europe/London ISO text with ``--time-format iso``) in time order, as an
AVL export would be, and the zones to a GeoPackage layer ``zones`` (``zone_id`` text).

Writing millions of rows through per-feature OGR calls is too slow, so the empty layer is created
with OGR (no spatial index) and the rows are bulk-inserted with sqlite3 ``executemany`` from
GeoPackage geometry blobs built with numpy; the feature count and extent are then set in the
GeoPackage tables. The R-tree spatial index is deliberately skipped: the algorithm reads every row,
so it never uses it, and building it would dominate the set-up time. The file is checked through
OGR (row count, extent, first and last geometry) and, in the qgis_process run, through QGIS (pings
read).

Then, each in a fresh process whose peak resident memory is taken from ``os.wait4``:

* core     - Tracks.build + match + coverage on in-memory arrays (no I/O), plugin from build/;
* qgis     - the whole algorithm, ``qgis_process.bin run hotspotpatrol:matchtracks`` on the
             GeoPackages (start-up, reading the layer and writing the outputs included);
* baseline - what a Python-minded analyst would write: a MovingPandas TrajectoryCollection built
             from a GeoDataFrame of the same pings, split at gaps over MAX_GAP, then
             ``tc.clip(zone)`` for every zone. It runs on whole units' tracks up to
             ``--baseline-cap`` pings and for at most ``--baseline-budget`` seconds of clipping;
             the time for all zones is extrapolated from the zones it managed (said in the output).

The core's and the algorithm's coverage (visits by band, units, dwell, presence) must agree zone by
zone; a check line says whether they do. The table and the targets go to stdout and to
out/bench/results.json.

MovingPandas is not a plugin dependency: when missing it is installed into .venv with a constraints
file pinning numpy, shapely and pyproj to the versions already there (and geopandas<1.1, which
still accepts Debian's pyproj 3.4), so nothing the plugin uses is replaced.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import site
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / ".bench"
CITY = BENCH / "city"
RUNS = BENCH / "runs"
RESULTS = ROOT / "out" / "bench" / "results.json"

N_ZONES = 500
N_UNITS = 2000
PING_S = 30.0
DROPOUT = 0.01
ZONE_SEED, TRACK_SEED = 1, 2
SRS_ID = 27700
MAX_GAP_S = 300.0  # the algorithm's default, used by the baseline's gap splitter too

TARGET_CORE_PPS = 1_000_000
TARGET_WHOLE_SIZE = 10_000_000
TARGET_WHOLE_S = 60.0
TARGET_WHOLE_MB = 4096.0
TARGET_RATIO = 50.0

COVERAGE_COUNTS = ("visits", "visits_short", "visits_target", "visits_long", "units")
COVERAGE_MINUTES = ("dwell_total_min", "presence_min")


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# =========================================================================== the synthetic city
def _synth():
    sys.path.insert(0, str(ROOT / "scripts"))
    import synth

    return synth


def city_fingerprint() -> str:
    """Changes whenever the generator or its parameters change (the cache is then rebuilt)."""
    h = hashlib.sha1((ROOT / "scripts" / "synth.py").read_bytes())
    h.update(repr((N_ZONES, N_UNITS, PING_S, DROPOUT, ZONE_SEED, TRACK_SEED, SRS_ID, 2)).encode())
    return h.hexdigest()[:12]


def prepare_cache() -> None:
    meta = CITY / "meta.json"
    fp = city_fingerprint()
    if meta.exists() and json.loads(meta.read_text()).get("fingerprint") == fp:
        return
    shutil.rmtree(CITY, ignore_errors=True)
    CITY.mkdir(parents=True)
    meta.write_text(json.dumps({"fingerprint": fp}))


def hours_for(size: int) -> float:
    return size / (N_UNITS * 3600.0 / PING_S * (1.0 - DROPOUT))


def unit_labels() -> np.ndarray:
    return np.array([f"U{i + 1:04d}" for i in range(N_UNITS)], dtype=object)


def zones_files() -> tuple[Path, Path]:
    """zones.npz (WKB, for the core and the baseline) and zones.gpkg (for QGIS); made once."""
    npz, gpkg = CITY / "zones.npz", CITY / "zones.gpkg"
    if npz.exists() and gpkg.exists():
        return npz, gpkg
    import shapely
    from osgeo import ogr, osr

    ogr.UseExceptions()
    zones = _synth().make_zones(N_ZONES, seed=ZONE_SEED)
    wkb = shapely.to_wkb(zones)
    lengths = np.array([len(w) for w in wkb])
    np.savez(npz, wkb=np.frombuffer(b"".join(wkb), dtype=np.uint8), offsets=np.r_[0, np.cumsum(lengths)])
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(SRS_ID)
    gpkg.unlink(missing_ok=True)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(gpkg))
    layer = ds.CreateLayer("zones", srs, ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("zone_id", ogr.OFTString))
    for i, w in enumerate(wkb):
        f = ogr.Feature(layer.GetLayerDefn())
        f.SetField("zone_id", f"Z{i + 1:03d}")
        f.SetGeometry(ogr.CreateGeometryFromWkb(w))
        layer.CreateFeature(f)
    ds = None
    return npz, gpkg


def load_zones(npz: Path):
    import shapely

    z = np.load(npz)
    raw, off = z["wkb"].tobytes(), z["offsets"]
    return shapely.from_wkb(np.array([raw[a:b] for a, b in zip(off[:-1], off[1:])], dtype=object))


def pings_npz(size: int, zones_npz: Path) -> Path:
    """The pings of one size as arrays (unit code, t, x, y) in time order; generated once."""
    path = CITY / f"pings_{size}.npz"
    if path.exists():
        return path
    started = time.perf_counter()
    unit, t, x, y = _synth().make_tracks(
        load_zones(zones_npz), N_UNITS, hours_for(size), PING_S, seed=TRACK_SEED, dropout=DROPOUT
    )
    order = np.lexsort((unit, t))  # an export is in time order, all units interleaved
    np.savez(path, unit=unit[order].astype(np.int32), t=t[order].astype(np.int64), x=x[order], y=y[order])
    log(
        f"generated {len(t):,} pings ({hours_for(size):.2f} h of {N_UNITS} units) in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return path


def gpkg_point_blobs(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """GeoPackage geometry blobs of 2D points, one 29-byte row each: 'GP', version 0, flags
    0b00000001 (little-endian, no envelope), srs_id int32, then the little-endian WKB point."""
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
    assert rec.itemsize == 29
    out = np.empty(len(x), dtype=rec)
    out["magic"], out["version"], out["flags"], out["srs"] = b"GP", 0, 0b00000001, SRS_ID
    out["order"], out["wkb_type"], out["x"], out["y"] = 1, 1, x, y
    return out.view(np.uint8).reshape(len(x), 29)


def iso_local(t: np.ndarray) -> np.ndarray:
    """Naive Europe/London wall-clock ISO text (the synthetic period is in November: UTC)."""
    return np.datetime_as_string(t.astype("datetime64[s]"), unit="s")


def write_pings_gpkg(path: Path, arrays, time_format: str, chunk: int = 500_000) -> None:
    from osgeo import ogr, osr

    ogr.UseExceptions()
    unit, t, x, y = (arrays[k] for k in ("unit", "t", "x", "y"))
    n = len(t)
    path.unlink(missing_ok=True)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(SRS_ID)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = ds.CreateLayer("pings", srs, ogr.wkbPoint, options=["SPATIAL_INDEX=NO", "GEOMETRY_NAME=geom", "FID=fid"])
    layer.CreateField(ogr.FieldDefn("unit", ogr.OFTString))
    layer.CreateField(ogr.FieldDefn("t", ogr.OFTInteger64 if time_format == "epoch" else ogr.OFTString))
    ds = None

    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    # GDAL's feature-count triggers would run once per row: drop them for the load, then restore
    triggers = con.execute("SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name='pings'").fetchall()
    for name, _ in triggers:
        con.execute(f'DROP TRIGGER "{name}"')
    labels = unit_labels()
    blobs = gpkg_point_blobs(x, y)
    for lo in range(0, n, chunk):
        hi = min(lo + chunk, n)
        raw = blobs[lo:hi].tobytes()
        geoms = [raw[i : i + 29] for i in range(0, len(raw), 29)]
        times = t[lo:hi].tolist() if time_format == "epoch" else iso_local(t[lo:hi]).tolist()
        con.executemany(
            "INSERT INTO pings (geom, unit, t) VALUES (?, ?, ?)", zip(geoms, labels[unit[lo:hi]].tolist(), times)
        )
    con.execute("UPDATE gpkg_ogr_contents SET feature_count = ? WHERE table_name = 'pings'", (n,))
    con.execute(
        "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = 'pings'",
        (float(x.min()), float(y.min()), float(x.max()), float(y.max())),
    )
    for _, sql in triggers:
        con.execute(sql)
    con.commit()
    con.close()


def verify_pings_gpkg(path: Path, arrays) -> None:
    """Open the file with OGR: row count, extent and the first and last points must match."""
    from osgeo import ogr

    ogr.UseExceptions()
    x, y = arrays["x"], arrays["y"]
    ds = ogr.Open(str(path))
    layer = ds.GetLayerByName("pings")
    res = ds.ExecuteSQL("SELECT COUNT(*) FROM pings")
    counted = res.GetNextFeature().GetField(0)
    ds.ReleaseResultSet(res)
    problems = []
    if counted != len(x) or layer.GetFeatureCount() != len(x):
        problems.append(f"{counted} rows / {layer.GetFeatureCount()} features, expected {len(x)}")
    if not np.allclose(layer.GetExtent(), (x.min(), x.max(), y.min(), y.max())):
        problems.append(f"extent {layer.GetExtent()}")
    for fid, i in ((1, 0), (len(x), len(x) - 1)):
        feature = layer.GetFeature(fid)  # keep it alive: the geometry belongs to it
        g = feature.GetGeometryRef()
        if (g.GetX(), g.GetY()) != (x[i], y[i]):
            problems.append(f"feature {fid} is at {g.GetX(), g.GetY()}, expected {x[i], y[i]}")
    if problems:
        raise SystemExit(f"bench: {path} is not what was written: {'; '.join(problems)}")


def pings_gpkg(size: int, npz: Path, time_format: str) -> Path:
    path = CITY / f"pings_{size}_{time_format}.gpkg"
    if path.exists():
        return path
    arrays = np.load(npz)
    started = time.perf_counter()
    tmp = path.with_suffix(".tmp.gpkg")
    write_pings_gpkg(tmp, arrays, time_format)
    written = time.perf_counter() - started
    verify_pings_gpkg(tmp, arrays)
    tmp.rename(path)
    log(
        f"wrote {path.name} ({path.stat().st_size / 2**20:,.0f} MB) in {written:.1f} s, "
        f"verified through OGR in {time.perf_counter() - started - written:.1f} s"
    )
    return path


# =========================================================================== measured children
def run_measured(cmd: list[str], log_base: Path, env: dict | None = None) -> dict:
    """Run a command; its wall time and peak resident memory (this very child, via wait4)."""
    started = time.perf_counter()
    with open(log_base.with_suffix(".out"), "wb") as out, open(log_base.with_suffix(".err"), "wb") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        tail = log_base.with_suffix(".err").read_text(errors="replace")[-3000:]
        raise SystemExit(f"bench: {' '.join(cmd[:4])} ... failed ({proc.returncode}):\n{tail}")
    return {"wall_s": wall, "peak_mb": usage.ru_maxrss / 1024.0}


def core_child(pings: str, zones: str, out: str) -> None:
    """(child) Tracks.build + match + coverage on the arrays; timings and coverage to ``out``.

    The plugin is imported from build/, the very copy qgis_process runs, so both measure one snapshot.
    """
    sys.path.insert(0, str(ROOT / "build"))
    from hotspot_patrol_plugin.core import matching as M

    arrays = np.load(pings)
    unit, t, x, y = (arrays[k] for k in ("unit", "t", "x", "y"))
    geoms = load_zones(Path(zones))
    params = M.MatchParams()
    t0 = time.perf_counter()
    tracks = M.Tracks.build(unit, t, x, y)
    t1 = time.perf_counter()
    visits = M.match(tracks, M.PolygonAreas(geoms), params)
    t2 = time.perf_counter()
    cov = M.coverage(visits, len(geoms), params)
    t3 = time.perf_counter()
    result = {
        "pings": len(t),
        "visits": len(visits),
        "build_s": t1 - t0,
        "match_s": t2 - t1,
        "coverage_s": t3 - t2,
        "seconds": t3 - t0,
        "coverage": {k: np.asarray(getattr(cov, k)).tolist() for k in COVERAGE_COUNTS + COVERAGE_MINUTES},
    }
    Path(out).write_text(json.dumps(result))


def measure_core(size: int, pings: Path, zones: Path) -> dict:
    out = RUNS / f"core_{size}.json"
    usage = run_measured(
        [sys.executable, __file__, "--core-child", str(pings), str(zones), str(out)], RUNS / f"core_{size}"
    )
    res = json.loads(out.read_text())
    res.update(peak_mb=usage["peak_mb"], pings_per_s=res["pings"] / res["seconds"])
    return res


def qgis_env() -> dict:
    """The environment of scripts/qgis_env.sh: plugin from build/, venv first, throw-away profile."""
    venv_site = next(p for p in site.getsitepackages() if p.startswith(sys.prefix))
    profile = ROOT / "out" / "qgis-profile"
    profile.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM=env.get("QT_QPA_PLATFORM", "offscreen"),
        QGIS_PLUGINPATH=str(ROOT / "build"),
        QGIS_CUSTOM_CONFIG_PATH=env.get("QGIS_CUSTOM_CONFIG_PATH", str(profile)),
        PYTHONPATH=venv_site + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""),
    )
    return env


def qgis_process(env: dict) -> str:
    """qgis_process.bin, else qgis_process: the first that answers --version (Debian's wrapper can fail)."""
    for name in ("qgis_process.bin", "qgis_process"):
        exe = shutil.which(name)
        if exe and subprocess.run([exe, "--version"], capture_output=True, env=env).returncode == 0:
            return exe
    raise SystemExit("bench: qgis_process not found (make setup)")


def prepare_qgis(build: bool) -> tuple[str, dict]:
    if build:
        subprocess.run(["make", "-s", "build"], cwd=ROOT, check=True)
    env = qgis_env()
    qp = qgis_process(env)
    subprocess.run(
        [qp, "plugins", "enable", "hotspot_patrol_plugin"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return qp, env


def measure_qgis(size: int, n_pings: int, pings: Path, zones: Path, qp: str, env: dict) -> dict:
    out_dir = RUNS / f"qgis_{size}"
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    cmd = [
        qp,
        "--json",
        "run",
        "hotspotpatrol:matchtracks",
        f"--TRACKS={pings}|layername=pings",
        "--UNIT_FIELD=unit",
        "--TIME_FIELD=t",
        f"--ZONES={zones}|layername=zones",
        f"--VISITS={out_dir / 'visits.gpkg'}",
        f"--COVERAGE={out_dir / 'coverage.gpkg'}",
    ]
    usage = run_measured(cmd, out_dir / "qgis", env)
    report = json.loads((out_dir / "qgis.out").read_text())
    info = report.get("log", {}).get("info", [])
    res = {
        "seconds": usage["wall_s"],
        "peak_mb": usage["peak_mb"],
        "pings_per_s": n_pings / usage["wall_s"],
        "visits": report["results"].get("VISIT_COUNT"),
        "log": info,
        "read_s": _logged(info, "Read ", " in ", " s;"),
        "total_s": _logged(info, "Total time", "time ", " s."),
        "pings_read": _logged(info, "Read ", "Read ", " pings", int),
    }
    res["coverage"] = read_coverage(out_dir / "coverage.gpkg")
    return res


def _logged(lines, marker, before, after, kind=float):
    """A number from the algorithm's log line containing ``marker`` (between ``before`` and ``after``)."""
    for line in lines:
        if marker in line:
            text = line.split(before, 1)[1].split(after, 1)[0]
            return kind(text.replace(",", ""))
    return None


def read_coverage(path: Path) -> dict:
    """The algorithm's COVERAGE layer, as columns in zone order (Z001 ...)."""
    from osgeo import ogr

    ogr.UseExceptions()
    ds = ogr.Open(str(path))  # keep it alive while the layer is read
    rows = sorted(
        ((f.GetField("zone_id"), [f.GetField(k) for k in COVERAGE_COUNTS + COVERAGE_MINUTES]) for f in ds.GetLayer(0)),
        key=lambda r: r[0],
    )
    cols = list(zip(*(r[1] for r in rows)))
    return {k: list(c) for k, c in zip(COVERAGE_COUNTS + COVERAGE_MINUTES, cols)}


def compare_coverage(core: dict, qgis: dict) -> tuple[bool, str]:
    """Zone by zone: counts equal, minutes equal to the output's 4 decimals."""
    bad = []
    for k in COVERAGE_COUNTS:
        diff = int(np.sum(np.asarray(core[k]) != np.asarray(qgis[k])))
        if diff:
            bad.append(f"{k} differs in {diff} zones")
    for k in COVERAGE_MINUTES:
        a = np.asarray(core[k], dtype=float)
        b = np.asarray([np.nan if v is None else v for v in qgis[k]], dtype=float)
        diff = int(np.sum(np.abs(np.nan_to_num(a) - np.nan_to_num(b)) > 1e-3))
        if diff:
            bad.append(f"{k} differs in {diff} zones")
    totals = f"{sum(core['visits']):,} counted visits, {sum(core['dwell_total_min']):,.1f} dwell min"
    return not bad, totals if not bad else "; ".join(bad)


# =========================================================================== the baseline
def ensure_movingpandas() -> None:
    probe = subprocess.run([sys.executable, "-c", "import movingpandas"], capture_output=True)
    if probe.returncode == 0:
        return
    import numpy
    import pyproj
    import shapely

    BENCH.mkdir(exist_ok=True)
    constraints = BENCH / "constraints.txt"
    constraints.write_text(
        f"numpy=={numpy.__version__}\nshapely=={shapely.__version__}\npyproj=={pyproj.__version__}\ngeopandas<1.1\n"
    )
    log("installing movingpandas into .venv for the baseline (numpy, shapely, pyproj pinned)")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "-c",
            str(constraints),
            "movingpandas",
        ],
        check=True,
    )


def baseline_child(pings: str, zones: str, cap: str, budget: str, out: str) -> None:
    """(child) MovingPandas on whole units' tracks up to ``cap`` pings; clip by zones until ``budget`` s."""
    import warnings

    warnings.filterwarnings("ignore")
    from datetime import timedelta

    import geopandas as gpd
    import movingpandas as mpd
    import pandas as pd

    arrays = np.load(pings)
    unit, t, x, y = (arrays[k] for k in ("unit", "t", "x", "y"))
    geoms = load_zones(Path(zones))
    per_unit = np.bincount(unit, minlength=N_UNITS)
    n_units = max(1, int(np.searchsorted(np.cumsum(per_unit), int(cap), side="right")))
    sel = unit < n_units
    t0 = time.perf_counter()
    gdf = gpd.GeoDataFrame(
        {"unit": unit[sel], "t": pd.to_datetime(t[sel], unit="s")},
        geometry=gpd.points_from_xy(x[sel], y[sel]),
        crs=f"EPSG:{SRS_ID}",
    )
    tc = mpd.TrajectoryCollection(gdf, traj_id_col="unit", t="t")
    tc = mpd.ObservationGapSplitter(tc).split(gap=timedelta(seconds=MAX_GAP_S))
    build_s = time.perf_counter() - t0
    clip_s, zones_done, pieces = 0.0, 0, 0
    for zone in geoms:
        t1 = time.perf_counter()
        pieces += len(tc.clip(zone))
        clip_s += time.perf_counter() - t1
        zones_done += 1
        if clip_s > float(budget):
            break
    est_s = build_s + clip_s / zones_done * len(geoms)
    Path(out).write_text(
        json.dumps(
            {
                "pings": int(sel.sum()),
                "units": n_units,
                "trajectories": len(tc),
                "build_s": build_s,
                "zones_done": zones_done,
                "zones": len(geoms),
                "clip_s": clip_s,
                "pieces": pieces,
                "seconds_all_zones": est_s,
                "extrapolated": zones_done < len(geoms),
            }
        )
    )


def measure_baseline(size: int, pings: Path, zones: Path, cap: int, budget: float) -> dict:
    out = RUNS / f"baseline_{size}.json"
    usage = run_measured(
        [sys.executable, __file__, "--baseline-child", str(pings), str(zones), str(cap), str(budget), str(out)],
        RUNS / f"baseline_{size}",
    )
    res = json.loads(out.read_text())
    res.update(peak_mb=usage["peak_mb"], pings_per_s=res["pings"] / res["seconds_all_zones"])
    return res


# =========================================================================== report
def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def evaluate_targets(rows: list[dict]) -> list[dict]:
    largest = max(rows, key=lambda r: r["size"])
    whole = next((r for r in rows if r["size"] == TARGET_WHOLE_SIZE), None)
    worst_ratio = min(rows, key=lambda r: r["ratio"])
    return [
        {
            "target": f"core >= {TARGET_CORE_PPS:,} pings/s (at the largest size, {largest['size']:,})",
            "value": f"{largest['core']['pings_per_s']:,.0f} pings/s",
            "result": verdict(largest["core"]["pings_per_s"] >= TARGET_CORE_PPS),
        },
        {
            "target": f"whole algorithm, {TARGET_WHOLE_SIZE:,} pings: < {TARGET_WHOLE_S:.0f} s",
            "value": f"{whole['qgis']['seconds']:.1f} s" if whole else "not run",
            "result": verdict(whole["qgis"]["seconds"] < TARGET_WHOLE_S if whole else None),
        },
        {
            "target": f"whole algorithm, {TARGET_WHOLE_SIZE:,} pings: peak memory < {TARGET_WHOLE_MB / 1024:.0f} GB",
            "value": f"{whole['qgis']['peak_mb']:,.0f} MB" if whole else "not run",
            "result": verdict(whole["qgis"]["peak_mb"] < TARGET_WHOLE_MB if whole else None),
        },
        {
            "target": f"core >= {TARGET_RATIO:.0f}x the MovingPandas baseline (pings/s, worst size)",
            "value": f"{worst_ratio['ratio']:,.0f}x at {worst_ratio['size']:,}",
            "result": verdict(worst_ratio["ratio"] >= TARGET_RATIO),
        },
    ]


def print_report(rows: list[dict], targets: list[dict], time_format: str, code: str) -> None:
    head = (
        "size",
        "core pings/s",
        "core MB",
        "whole s",
        "whole pings/s",
        "whole MB",
        "baseline pings/s",
        "baseline subset",
        "ratio core/base",
        "ratio whole/base",
    )
    lines = [head]
    for r in rows:
        c, q, b = r["core"], r["qgis"], r["baseline"]
        subset = f"{b['pings']:,} ({b['units']} u, {b['zones_done']}/{b['zones']} z)"
        lines.append(
            (
                f"{r['pings']:,}",
                f"{c['pings_per_s']:,.0f}",
                f"{c['peak_mb']:,.0f}",
                f"{q['seconds']:.1f}",
                f"{q['pings_per_s']:,.0f}",
                f"{q['peak_mb']:,.0f}",
                f"{b['pings_per_s']:,.0f}",
                subset,
                f"{r['ratio']:,.0f}x",
                f"{r['ratio_whole']:,.0f}x",
            )
        )
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
    print()
    print(
        f"Hotspot Patrol speed benchmark: {N_UNITS} units every {PING_S:.0f} s, {N_ZONES} zones, "
        f"times as {'epoch seconds (integer)' if time_format == 'epoch' else 'ISO text (naive local)'}; "
        f"plugin code {code}"
    )
    for i, line in enumerate(lines):
        print("  ".join(str(v).rjust(w) for v, w in zip(line, widths)))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print()
    for r in rows:
        c, q, b = r["core"], r["qgis"], r["baseline"]
        print(
            f"{r['pings']:,} pings: core build {c['build_s']:.2f} s + match {c['match_s']:.2f} s + coverage "
            f"{c['coverage_s']:.2f} s; qgis_process {q['seconds']:.1f} s wall = read {q['read_s']} s, "
            f"then match+write {q['total_s'] - q['read_s']:.1f} s (algorithm total {q['total_s']} s), "
            f"start-up/exit {q['seconds'] - q['total_s']:.1f} s"
        )
        how = f"extrapolated from {b['zones_done']} of {b['zones']} zones" if b["extrapolated"] else "all zones"
        sub = "all pings" if b["pings"] == r["pings"] else f"subset: the first {b['units']} units' whole tracks"
        print(
            f"    baseline: {b['pings']:,} pings ({sub}), {b['trajectories']} trajectories, build "
            f"{b['build_s']:.1f} s, clip {b['clip_s']:.1f} s for {b['zones_done']} zones; "
            f"{b['seconds_all_zones']:.1f} s for all zones ({how})"
        )
        ph = r["phases"]
        print(
            f"    bench phases: data {ph['data_s']:.1f} s, core {ph['core_s']:.1f} s, qgis_process "
            f"{ph['qgis_s']:.1f} s, baseline {ph['baseline_s']:.1f} s"
        )
        print(
            f"    check core vs qgis_process: {'AGREE' if r['agree'] else 'DISAGREE'} ({r['agree_detail']}; "
            f"visits {c['visits']:,} vs {q['visits']:,}; pings read by QGIS {q['pings_read']:,})"
        )
    print()
    for t in targets:
        print(f"  {t['result']:4}  {t['target']}: {t['value']}")


# =========================================================================== main
def code_version() -> str:
    """The commit the plugin code was measured at (``-dirty`` when it has uncommitted changes)."""

    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()

    try:
        dirty = git("status", "--porcelain", "--", "hotspot_patrol_plugin")
        return git("rev-parse", "--short", "HEAD") + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="100000,1000000,10000000", help="comma-separated ping counts")
    p.add_argument("--quick", action="store_true", help="100000 pings only")
    p.add_argument(
        "--time-format",
        choices=("epoch", "iso"),
        default="epoch",
        help="how t is stored in the pings GeoPackage (default: epoch seconds, integer)",
    )
    p.add_argument("--baseline-cap", type=int, default=100_000, help="most pings given to MovingPandas")
    p.add_argument("--baseline-budget", type=float, default=60.0, help="seconds of MovingPandas clipping per size")
    p.add_argument("--no-build", action="store_true", help="do not run `make build` first")
    p.add_argument("--results", type=Path, default=RESULTS, help=f"JSON output (default {RESULTS.relative_to(ROOT)})")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    sizes = [100_000] if args.quick else [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    RUNS.mkdir(parents=True, exist_ok=True)
    prepare_cache()
    ensure_movingpandas()
    qp, env = prepare_qgis(not args.no_build)
    code = code_version()
    zones_npz, zones_gpkg = zones_files()
    rows, phases = [], {}
    for size in sizes:
        ph = phases[size] = {}
        t = time.perf_counter()
        npz = pings_npz(size, zones_npz)
        gpkg = pings_gpkg(size, npz, args.time_format)
        ph["data_s"] = time.perf_counter() - t
        log(f"{size:,}: core ...")
        t = time.perf_counter()
        core = measure_core(size, npz, zones_npz)
        ph["core_s"] = time.perf_counter() - t
        log(f"{size:,}: core {core['pings_per_s']:,.0f} pings/s; qgis_process ...")
        t = time.perf_counter()
        qgis = measure_qgis(size, core["pings"], gpkg, zones_gpkg, qp, env)
        ph["qgis_s"] = time.perf_counter() - t
        log(f"{size:,}: qgis_process {qgis['seconds']:.1f} s; baseline ...")
        t = time.perf_counter()
        base = measure_baseline(size, npz, zones_npz, args.baseline_cap, args.baseline_budget)
        ph["baseline_s"] = time.perf_counter() - t
        log(f"{size:,}: baseline {base['pings_per_s']:,.0f} pings/s")
        agree, detail = compare_coverage(core.pop("coverage"), qgis.pop("coverage"))
        agree &= core["visits"] == qgis["visits"] and qgis["pings_read"] == core["pings"]
        rows.append(
            {
                "size": size,
                "pings": core["pings"],
                "hours": hours_for(size),
                "core": core,
                "qgis": qgis,
                "baseline": base,
                "ratio": core["pings_per_s"] / base["pings_per_s"],
                "ratio_whole": qgis["pings_per_s"] / base["pings_per_s"],
                "agree": agree,
                "agree_detail": detail,
                "phases": ph,
            }
        )
    targets = evaluate_targets(rows)
    print_report(rows, targets, args.time_format, code)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(
        json.dumps(
            {
                "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "code": code,
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                },
                "city": {
                    "units": N_UNITS,
                    "zones": N_ZONES,
                    "ping_s": PING_S,
                    "dropout": DROPOUT,
                    "time_format": args.time_format,
                    "fingerprint": city_fingerprint(),
                },
                "baseline": {"cap": args.baseline_cap, "budget_s": args.baseline_budget},
                "rows": rows,
                "targets": targets,
            },
            indent=2,
        )
    )
    log(f"results in {args.results}")
    return 0 if all(r["agree"] for r in rows) else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--core-child":
        core_child(*sys.argv[2:5])
    elif len(sys.argv) > 1 and sys.argv[1] == "--baseline-child":
        baseline_child(*sys.argv[2:7])
    else:
        sys.exit(main())
