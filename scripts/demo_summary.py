"""Prints the demo's coverage table and visit counts from the outputs (GDAL only, no QGIS)."""

import json
import sys
from pathlib import Path

from osgeo import ogr

ogr.UseExceptions()

out = Path(sys.argv[1])
result = json.loads((out / "result.json").read_text())
results = result.get("results", {})
log = result.get("log", {})
print(
    f"matchtracks: {results.get('VISIT_COUNT')} visits, {results.get('SKIPPED_ROWS')} pings skipped"
    f" ({results.get('SKIPPED_REASONS')})"
)
ds = ogr.Open(str(out / "coverage.gpkg"))
lyr = ds.GetLayer(0)
cols = [
    "zone_id",
    "name",
    "visits",
    "visits_short",
    "visits_target",
    "visits_long",
    "dwell_median_min",
    "presence_min",
    "units",
    "status",
]
head = ["zone", "name", "visits", "short", "target", "long", "median min", "presence min", "units", "status"]
rows = []
for f in lyr:
    rows.append(
        [
            ""
            if f.GetField(c) is None
            else (f"{f.GetField(c):.1f}" if isinstance(f.GetField(c), float) else str(f.GetField(c)))
            for c in cols
        ]
    )
widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
for r in rows:
    print("  ".join(v.ljust(w) for v, w in zip(r, widths)))
vds = ogr.Open(str(out / "visits.gpkg"))
count = vds.GetLayer(0).GetFeatureCount()
print(f"visits layer: {count} lines -> {out / 'visits.gpkg'}; coverage -> {out / 'coverage.gpkg'}")
