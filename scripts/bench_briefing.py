"""Briefing pack benchmark (issue 6: "a 50-zone pack takes seconds, not minutes"): `make bench`, or

    .venv/bin/python scripts/bench_briefing.py [--zones 50] [--units 30] [--hours 6] [--no-build]

Builds a seeded synthetic evening with scripts/synth.py (``--zones`` hot spots with names, priorities
and one waypoint each; ``--units`` units pinging every 30 s for ``--hours`` hours), written to
out/bench/briefing/city.gpkg. Then, each through ``qgis_process`` as a user would run it (QGIS start-up
included; the plugin from build/):

* matchtracks - the coverage, visits and waypoint visits the pack is made from;
* pdf         - exportbriefing, A4, PDF only;
* pdf+png     - exportbriefing, A4, PDF and one 150 dpi PNG per page;
* a3          - exportbriefing, A3, PDF only.

For each export it reports the wall time, the time the algorithm itself logs (without QGIS start-up),
the pages the algorithm reports and the pages ``pdfinfo`` counts (they must agree), and writes
everything to out/bench/briefing/results.json.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "out" / "bench" / "briefing"
sys.path.insert(0, str(ROOT / "scripts"))
import bench  # noqa: E402  (shares the qgis_process helpers)

STREETS = [
    "Market Street",
    "Bus Station",
    "Park Entrance",
    "Kirkgate",
    "Briggate",
    "Station Square",
    "Riverside Walk",
    "Corn Exchange",
    "Vicar Lane",
    "Boar Lane",
    "Call Lane",
    "Duncan Street",
    "Albion Place",
    "Merrion Centre",
    "Millennium Square",
    "Woodhouse Lane",
    "Eastgate",
    "The Headrow",
]


def log(msg: str) -> None:
    print(msg, flush=True)


def write_city(path: Path, n_zones: int, n_units: int, hours: float) -> int:
    """Zones, waypoints and pings of one synthetic evening; returns the number of pings."""
    import numpy as np
    import shapely
    import synth
    from osgeo import ogr, osr

    ogr.UseExceptions()
    zones = synth.make_zones(n_zones, seed=5)
    unit, t, x, y = synth.make_tracks(zones, n_units, hours, ping_s=30, seed=9, start=1795197600.0)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(27700)
    path.unlink(missing_ok=True)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    zl = ds.CreateLayer("zones", srs, ogr.wkbPolygon)
    for name, kind in (("zone_id", ogr.OFTString), ("name", ogr.OFTString), ("priority", ogr.OFTInteger)):
        zl.CreateField(ogr.FieldDefn(name, kind))
    wl = ds.CreateLayer("waypoints", srs, ogr.wkbPoint)
    for name in ("waypoint_id", "name", "zone_id"):
        wl.CreateField(ogr.FieldDefn(name, ogr.OFTString))
    ds.StartTransaction()
    for i, g in enumerate(zones):
        zid = f"HS-{i + 1:03d}"
        name = f"{STREETS[i % len(STREETS)]}" + (f" {i // len(STREETS) + 1}" if i >= len(STREETS) else "")
        f = ogr.Feature(zl.GetLayerDefn())
        f.SetField("zone_id", zid)
        f.SetField("name", name)
        f.SetField("priority", 1 + i % 5)
        f.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(g)))
        zl.CreateFeature(f)
        c = shapely.get_coordinates(shapely.point_on_surface(g))[0]
        w = ogr.Feature(wl.GetLayerDefn())
        w.SetField("waypoint_id", f"WP-{i + 1:03d}")
        w.SetField("name", f"{name} (centre)")
        w.SetField("zone_id", zid)
        w.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({c[0]:.1f} {c[1]:.1f})"))
        wl.CreateFeature(w)
    tl = ds.CreateLayer("pings", srs, ogr.wkbPoint)
    tl.CreateField(ogr.FieldDefn("callsign", ogr.OFTString))
    tl.CreateField(ogr.FieldDefn("time", ogr.OFTInteger64))
    callsigns = np.array([f"NE{10 + u}" for u in range(n_units)])
    for u, tt, xx, yy in zip(unit, t, x, y):
        f = ogr.Feature(tl.GetLayerDefn())
        f.SetField("callsign", str(callsigns[u]))
        f.SetField("time", int(tt))
        f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({xx:.1f} {yy:.1f})"))
        tl.CreateFeature(f)
    ds.CommitTransaction()
    ds = None
    return len(t)


def run(qp: str, env: dict, alg: str, params: dict) -> tuple[dict, float]:
    cmd = [qp, "--json", "run", alg] + [f"--{k}={v}" for k, v in params.items()]
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"bench_briefing: {alg} failed")
    return json.loads(proc.stdout), wall


def pdf_pages(path: Path) -> int | None:
    if shutil.which("pdfinfo") is None:
        return None
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    m = re.search(r"^Pages:\s+(\d+)", out, re.M)
    return int(m.group(1)) if m else None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--zones", type=int, default=50)
    ap.add_argument("--units", type=int, default=30)
    ap.add_argument("--hours", type=float, default=6.0)
    ap.add_argument("--no-build", action="store_true", help="use build/ as it is")
    args = ap.parse_args(argv)

    if not args.no_build:
        subprocess.run(["make", "-s", "build"], cwd=ROOT, check=True)
    OUT.mkdir(parents=True, exist_ok=True)
    env = bench.qgis_env()
    qp = bench.qgis_process(env)
    subprocess.run(
        [qp, "plugins", "enable", "hotspot_patrol_plugin"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    city = OUT / "city.gpkg"
    t0 = time.perf_counter()
    n_pings = write_city(city, args.zones, args.units, args.hours)
    log(f"city: {args.zones} zones, {args.units} units, {n_pings:,} pings ({time.perf_counter() - t0:.1f} s)")

    results = {"zones": args.zones, "units": args.units, "pings": n_pings, "runs": {}}
    report, wall = run(
        qp,
        env,
        "hotspotpatrol:matchtracks",
        {
            "TRACKS": f"{city}|layername=pings",
            "UNIT_FIELD": "callsign",
            "TIME_FIELD": "time",
            "ZONES": f"{city}|layername=zones",
            "WAYPOINTS": f"{city}|layername=waypoints",
            "VISITS": OUT / "visits.gpkg",
            "COVERAGE": OUT / "coverage.gpkg",
            "WAYPOINT_VISITS": OUT / "waypoint_visits.gpkg",
        },
    )
    results["runs"]["matchtracks"] = {"wall_s": round(wall, 2), "visits": report["results"].get("VISIT_COUNT")}
    log(f"matchtracks: {report['results'].get('VISIT_COUNT')} visits, {wall:.1f} s")

    common = {
        "COVERAGE": OUT / "coverage.gpkg",
        "VISITS": OUT / "visits.gpkg",
        "WAYPOINTS": f"{city}|layername=waypoints",
        "TITLE": "Synthetic city: evening patrols",
        "AREA": f"{args.zones} hot spots",
        "PSEUDONYMISE_KEY": "bench-key",
    }
    cases = {
        "pdf": {"PAPER": "A4", "OUTPUT": OUT / "pack_a4.pdf"},
        "pdf+png": {"PAPER": "A4", "OUTPUT": OUT / "pack_a4_png.pdf", "PNG_FOLDER": OUT / "png"},
        "a3": {"PAPER": "A3", "OUTPUT": OUT / "pack_a3.pdf"},
    }
    shutil.rmtree(OUT / "png", ignore_errors=True)
    log(f"{'export':<10}{'pages':>7}{'pdfinfo':>9}{'wall s':>9}{'in QGIS s':>11}{'s/page':>8}")
    ok = True
    for name, extra in cases.items():
        report, wall = run(qp, env, "hotspotpatrol:exportbriefing", {**common, **extra})
        pages = report["results"].get("PAGES")
        counted = pdf_pages(Path(extra["OUTPUT"]))
        inner = None
        for line in report.get("log", {}).get("info", []):
            m = re.search(r"Briefing pack: .* in ([\d.]+) s\.", line)
            if m:
                inner = float(m.group(1))
        results["runs"][name] = {
            "pages": pages,
            "pdfinfo_pages": counted,
            "wall_s": round(wall, 2),
            "algorithm_s": inner,
            "png_files": report["results"].get("PNG_FILES"),
        }
        ok &= counted in (None, pages)
        log(
            f"{name:<10}{pages:>7}{counted if counted is not None else '-':>9}{wall:>9.1f}"
            f"{inner if inner is not None else float('nan'):>11.1f}{(inner or wall) / max(pages, 1):>8.2f}"
        )
    (OUT / "results.json").write_text(json.dumps(results, indent=2, default=str))
    log(f"results: {OUT / 'results.json'}")
    if not ok:
        log("bench_briefing: the PDF's page count differs from the PAGES the algorithm reports")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
