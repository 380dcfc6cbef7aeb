#!/usr/bin/env bash
# Installs what is missing for development and tests (idempotent):
#   1. QGIS from Debian (python3-qgis qgis qgis-providers) and the system tools the tests use,
#      when `import qgis` fails or a tool is missing;
#   2. .venv from /usr/bin/python3 with --system-site-packages, numpy pinned to the system's own,
#      shapely built against the system GEOS (a PyPI wheel's own GEOS crashes inside QGIS).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
VENV=${VENV:-$here/.venv}
SYSPY=/usr/bin/python3
DEBS=(python3-qgis qgis qgis-providers python3-pyproj python3-venv python3-dev libgeos-dev
      build-essential xvfb xauth poppler-utils make chromium postgresql-postgis python3-psycopg2)

missing=()
"$SYSPY" -c 'import qgis.core' >/dev/null 2>&1 || missing+=(python3-qgis qgis qgis-providers)
for d in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$d" 2>/dev/null | grep -q 'install ok installed' || missing+=("$d")
done
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if [ "$(id -u)" != 0 ]; then
    echo "Hotspot Patrol setup needs these Debian packages, which only root can install:" >&2
    echo "  sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

stamp="$VENV/.hp-setup-$(cat "$here/requirements-dev.txt" "$here/scripts/setup.sh" | sha1sum | cut -c1-12)"
[ -f "$stamp" ] && exit 0

[ -x "$VENV/bin/python" ] || "$SYSPY" -m venv --system-site-packages "$VENV"
np=$("$SYSPY" -c 'import numpy; print(numpy.__version__)')
echo "numpy==$np" >"$VENV/constraints.txt"
# pyproj stays Debian's (built on QGIS's own PROJ): a PyPI wheel brings its own PROJ, which
# crashes inside QGIS's processes (seen: "free(): invalid size" in qgis_process)
pp=$("$SYSPY" -c 'import pyproj; print(pyproj.__version__)' 2>/dev/null || true)
[ -n "$pp" ] && echo "pyproj==$pp" >>"$VENV/constraints.txt"
pip=("$VENV/bin/python" -m pip --disable-pip-version-check -q)
# shapely from source against Debian's GEOS: the same GEOS as QGIS, so it runs inside QGIS.
"${pip[@]}" install -c "$VENV/constraints.txt" --no-binary shapely 'shapely>=2,<3'
# pin the shapely just built, so that no later install swaps it for a wheel
echo "shapely==$("$VENV/bin/python" -c 'import shapely; print(shapely.__version__)')" >>"$VENV/constraints.txt"
"${pip[@]}" install -c "$VENV/constraints.txt" -r "$here/requirements-dev.txt"
touch "$stamp"
echo "setup: $VENV ready (numpy $np, $("$VENV/bin/python" -c 'import shapely,pandas; print("shapely", shapely.__version__, "GEOS", shapely.geos_version_string, "pandas", pandas.__version__)'))"
