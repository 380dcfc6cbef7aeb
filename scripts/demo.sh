#!/usr/bin/env bash
# make demo: real crime -> hot spots -> patrol matching -> coverage, through qgis_process as a user would.
#   1. hotspotpatrol:identifyhotspots on the bundled police.uk extract (Leeds city centre, July 2018)
#   2. hotspotpatrol:matchtracks: the sample's (synthetic) patrol pings against the hot spots of step 1
#   3. hotspotpatrol:evaluate + transparencyreport: before/after with displacement, and the public report
set -euo pipefail
source "$(dirname "$0")/qgis_env.sh"
QP=$(qgis_process_cmd)
OUT=${DEMO_OUT:-out/demo}
C=$here/resources/sample/crime/leeds_city_centre_2018-07_street.csv
rm -rf "$OUT" && mkdir -p "$OUT"
# work on a copy: QGIS may update a GeoPackage's metadata when it opens it
S=$OUT/hotspot_patrol_sample.gpkg
cp "$here/resources/sample/hotspot_patrol_sample.gpkg" "$S"
"$QP" plugins enable hotspot_patrol_plugin >/dev/null 2>&1 || true
echo "== Hotspot Patrol on $("$QP" --version 2>/dev/null | grep -m1 -o 'QGIS [^ ]*' || echo QGIS)"
"$QP" list 2>/dev/null | sed -n '/^Hotspot Patrol/,/^$/p'

echo "== 1. Hot spots from real crime: police.uk street-level crime, Leeds city centre, July 2018"
echo "   (Open Government Licence v3.0; 50 m hexagons, Gi* with FDR 0.05, zones of at least 5 crimes)"
"$QP" --json run hotspotpatrol:identifyhotspots \
  --INPUT="delimitedtext://file://$C?type=csv&xField=Longitude&yField=Latitude&crs=EPSG:4326" \
  --DATE_FIELD=Month --TYPE_FIELD="Crime type" --CELL_SIZE=50 \
  --GRID="$OUT/hotspots_grid.gpkg" --HOTSPOTS="$OUT/hotspots.gpkg" --CONCENTRATION="$OUT/concentration.csv" \
  >"$OUT/hotspots.json" 2>"$OUT/hotspots_log.txt" \
  || { tail -20 "$OUT/hotspots_log.txt" >&2; echo "demo: identifyhotspots failed (log: $OUT/hotspots_log.txt)" >&2; exit 1; }
"$PYTHON" - "$OUT" <<'PY'
import json
import sys
from pathlib import Path

from osgeo import ogr

ogr.UseExceptions()
out = Path(sys.argv[1])
res = json.loads((out / "hotspots.json").read_text())["results"]
print(f"   {res['CRIMES_USED']:,} crimes in {res['CELL_COUNT']:,} cells; skipped: {res['SKIPPED_ROWS']} "
      f"({res['SKIPPED_REASONS']})")
print(f"   Concentration: {res['HEADLINE']}.")
print(f"   {res['HOTSPOT_COUNT']} hot spot zones ({res['HOT_CELLS']} hot cells; {res['DROPPED_ZONES']} candidate "
      f"zones under 5 crimes dropped):")
ds = ogr.Open(str(out / "hotspots.gpkg"))
cols = ["zone_id", "crimes", "cells", "area_m2", "peak_gi_z"]
rows = [[str(f.GetField("zone_id")), str(f.GetField("crimes")), str(f.GetField("cells")),
         f"{f.GetField('area_m2'):,.0f}", f"{f.GetField('peak_gi_z'):.2f}"] for f in ds.GetLayer(0)]
widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(cols)]
print("   " + "  ".join(c.ljust(w) for c, w in zip(cols, widths)))
for r in rows:
    print("   " + "  ".join(v.ljust(w) for v, w in zip(r, widths)))
PY

echo "== 2. Patrols in those hot spots: the sample's synthetic pings (six units, one evening) -> coverage"
"$QP" --json run hotspotpatrol:matchtracks \
  --TRACKS="$S|layername=pings" --UNIT_FIELD=callsign --TIME_FIELD=time \
  --ZONES="$OUT/hotspots.gpkg" --WAYPOINTS="$S|layername=waypoints" \
  --VISITS="$OUT/visits.gpkg" --COVERAGE="$OUT/coverage.gpkg" \
  --WAYPOINT_VISITS="$OUT/waypoint_visits.gpkg" >"$OUT/result.json" 2>"$OUT/log.txt" \
  || { tail -20 "$OUT/log.txt" >&2; echo "demo: matchtracks failed (log: $OUT/log.txt)" >&2; exit 1; }
"$PYTHON" "$here/scripts/demo_summary.py" "$OUT"

echo "== 3. Did it work? Evaluation (WDD/WDQ) of those hot spots, July 2018 before / simulated August after, and the public report"
"$PYTHON" "$here/scripts/demo_evaluate.py" "$OUT" "$QP"
