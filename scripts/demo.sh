#!/usr/bin/env bash
# make demo: match the bundled sample's pings to its zones through qgis_process, as a user would.
set -euo pipefail
source "$(dirname "$0")/qgis_env.sh"
QP=$(qgis_process_cmd)
OUT=${DEMO_OUT:-out/demo}
S=$here/resources/sample/hotspot_patrol_sample.gpkg
rm -rf "$OUT" && mkdir -p "$OUT"
"$QP" plugins enable hotspot_patrol_plugin >/dev/null 2>&1 || true
echo "== Hotspot Patrol on $("$QP" --version 2>/dev/null | grep -m1 -o 'QGIS [^ ]*' || echo QGIS)"
"$QP" list 2>/dev/null | sed -n '/^Hotspot Patrol/,/^$/p'
"$QP" --json run hotspotpatrol:matchtracks \
  --TRACKS="$S|layername=pings" --UNIT_FIELD=callsign --TIME_FIELD=time \
  --ZONES="$S|layername=zones" --WAYPOINTS="$S|layername=waypoints" \
  --VISITS="$OUT/visits.gpkg" --COVERAGE="$OUT/coverage.gpkg" \
  --WAYPOINT_VISITS="$OUT/waypoint_visits.gpkg" >"$OUT/result.json" 2>"$OUT/log.txt" \
  || { tail -20 "$OUT/log.txt" >&2; echo "demo: matchtracks failed (log: $OUT/log.txt)" >&2; exit 1; }
"$PYTHON" "$here/scripts/demo_summary.py" "$OUT"
