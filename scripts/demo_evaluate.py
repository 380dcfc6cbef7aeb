"""make demo, step 3: evaluate the hot spots of step 1 and write the public report.

Usage: demo_evaluate.py OUT_DIR QGIS_PROCESS [--screenshot docs/report_page.png]

The bundled police.uk extract holds ONE month (Leeds city centre, July 2018), so there is no real
"after" month to compare with. July is the before period; the after month (August) is SIMULATED
here, with a fixed seed, from July itself: every July crime location gets a Poisson number of August
crimes, with mean 1 outside the hot spots and 0.75 inside them (a 25% fall put in on purpose). The
evaluation does not know this; the demo shows it finding a known effect, not a finding about Leeds.
Drop a real later month next to the July file (same police.uk columns) and the demo uses it instead.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parents[1]
CRIME_DIR = HERE / "resources" / "sample" / "crime"
JULY = CRIME_DIR / "leeds_city_centre_2018-07_street.csv"
SEED = 20180801
FALL = 0.75


def hot_spot_polygons(path: Path):
    import shapely
    from osgeo import ogr

    ogr.UseExceptions()
    ds = ogr.Open(str(path))
    layer = ds.GetLayer(0)
    return shapely.union_all([shapely.from_wkb(bytes(f.GetGeometryRef().ExportToWkb())) for f in layer])


def crimes_file(out: Path, hotspots: Path) -> tuple[Path, str, bool]:
    """The crimes to evaluate: July plus a real later month if one is bundled, else a simulated August."""
    later = sorted(p for p in CRIME_DIR.glob("leeds_city_centre_2018-*_street.csv") if p != JULY)
    rows = list(csv.DictReader(JULY.open(encoding="utf-8")))
    if later:
        for p in later:
            rows += list(csv.DictReader(p.open(encoding="utf-8")))
        month = later[0].name.split("_")[3]
        simulated = False
    else:
        import pyproj
        import shapely

        for d in (os.environ.get("PROJ_DATA", ""), "/usr/share/proj", os.path.join(sys.prefix, "share", "proj")):
            if d and os.path.isfile(os.path.join(d, "proj.db")):
                pyproj.datadir.set_data_dir(d)
                break

        zone = hot_spot_polygons(hotspots)
        to_bng = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
        lon = np.array([float(r["Longitude"]) for r in rows])
        lat = np.array([float(r["Latitude"]) for r in rows])
        x, y = to_bng.transform(lon, lat)
        inside = shapely.contains_xy(zone, x, y) | shapely.intersects_xy(zone, x, y)
        rng = np.random.default_rng(SEED)
        copies = rng.poisson(np.where(inside, FALL, 1.0))
        month = "2018-08"
        extra = []
        for r, k in zip(rows, copies):
            for _ in range(int(k)):
                extra.append({**r, "Month": month, "Crime ID": "simulated"})
        rows += extra
        simulated = True
        print(f"   {int(inside.sum())} of {len(rows) - len(extra)} July crimes lie in the hot spots.")
    path = out / "crimes_before_after.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    return path, month, simulated


def run(qp: str, alg: str, params: dict, out: Path, name: str) -> dict:
    cmd = [qp, "--json", "run", alg] + [f"--{k}={v}" for k, v in params.items()]
    with (out / f"{name}.json").open("w") as so, (out / f"{name}_log.txt").open("w") as se:
        rc = subprocess.run(cmd, stdout=so, stderr=se).returncode
    if rc != 0:
        sys.stderr.write((out / f"{name}_log.txt").read_text()[-2000:])
        raise SystemExit(f"demo: {alg} failed (log: {out / (name + '_log.txt')})")
    return json.loads((out / f"{name}.json").read_text())["results"]


def screenshot(html: Path, png: Path) -> None:
    import shutil
    import tempfile

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("   (no chromium: the report page was not rendered to PNG)")
        return
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                "--host-resolver-rules=MAP * ~NOTFOUND",
                f"--user-data-dir={profile}",
                "--hide-scrollbars",
                "--window-size=1000,4400",
                f"--screenshot={png}",
                "file://" + str(html.resolve()),
            ],
            capture_output=True,
            timeout=120,
            check=False,
        )
    print(f"   Report page rendered: {png}")


def main() -> None:
    out, qp = Path(sys.argv[1]).resolve(), sys.argv[2]
    shot = Path(sys.argv[sys.argv.index("--screenshot") + 1]) if "--screenshot" in sys.argv else None
    hotspots = out / "hotspots.gpkg"
    if not hotspots.exists():
        raise SystemExit(f"demo: {hotspots} is missing: run step 1 (identifyhotspots) first")
    crimes, month, simulated = crimes_file(out, hotspots)
    if simulated:
        print(
            f"   The extract holds July 2018 only: the after month ({month}) is SIMULATED from July with a "
            f"{100 * (1 - FALL):.0f}% fall put into the hot spots (seed {SEED}); this shows the method, "
            f"not a finding about Leeds."
        )
    params = {
        "CRIMES": f"delimitedtext://file://{crimes}?type=csv&xField=Longitude&yField=Latitude&crs=EPSG:4326",
        "DATE_FIELD": "Month",
        "TYPE_FIELD": "Crime type",
        "TREATED": str(hotspots),
        "BUFFER": 150,
        "BEFORE_START": "2018-07-01",
        "BEFORE_END": "2018-07-31",
        "AFTER_START": f"{month}-01",
        "AFTER_END": f"{month}-31",
        "OUTPUT": str(out / "evaluation.gpkg"),
        "AREAS": str(out / "evaluation_areas.gpkg"),
        "SUMMARY": str(out / "evaluation_summary.csv"),
        "CHART": str(out / "evaluation_chart.png"),
    }
    if (out / "coverage.gpkg").exists():
        params["COVERAGE"] = str(out / "coverage.gpkg")
        params["DOSE_CHART"] = str(out / "evaluation_dosage.png")
    res = run(qp, "hotspotpatrol:evaluate", params, out, "evaluate")
    print(f"   {res['CONTROL_CHOICE'][:300]}{' …' if len(res['CONTROL_CHOICE']) > 300 else ''}")
    print(
        f"   WDD total {res['WDD_TOTAL']:+.1f} (local {res['WDD_LOCAL']:+.1f}, displacement "
        f"{res['WDD_DISPLACEMENT']:+.1f}); SE {res['WDD_SE']:.1f}, z {res['WDD_Z']:.2f}, p {res['WDD_P']:.4f}, "
        f"95% CI {res['WDD_CI_LOW']:+.1f} to {res['WDD_CI_HIGH']:+.1f}; WDQ "
        f"{'undefined' if res['WDQ'] is None else format(res['WDQ'], '+.2f')}; TNE "
        f"{'undefined' if res['TNE'] is None else format(res['TNE'], '+.1f')}"
    )
    if res.get("DOSAGE"):
        print(f"   Dosage: {res['DOSAGE']}")
    headline = res["HEADLINE"]
    print(f"   HEADLINE: {headline}" + (" [after month simulated]" if simulated else ""))

    if (out / "visits.gpkg").exists():
        rep = run(
            qp,
            "hotspotpatrol:transparencyreport",
            {
                "VISITS": str(out / "visits.gpkg"),
                "ZONES": str(hotspots),
                "EVALUATION": str(out / "evaluation.gpkg"),
                "HEADLINE": headline
                + (
                    " (Demonstration: the patrols are the sample's synthetic evening and the after month is simulated.)"
                    if simulated
                    else " (Demonstration: the patrols are synthetic.)"
                ),
                "TITLE": "Leeds city centre hot spot patrols (demonstration)",
                "OUTPUT_HTML": str(out / "report.html"),
                "OUTPUT_PDF": str(out / "report.pdf"),
            },
            out,
            "report",
        )
        print(
            f"   Public report: {rep['OUTPUT_HTML']} and {rep['OUTPUT_PDF']} ({int(rep['SUPPRESSED_CELLS'])} "
            f"small numbers hidden)"
        )
        if shot is not None:
            screenshot(out / "report.html", shot)


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    main()
