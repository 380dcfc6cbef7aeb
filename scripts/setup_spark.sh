#!/usr/bin/env bash
# Installs what the Spark job's tests and benchmark need (idempotent), never into the plugin's .venv:
#   1. Java from Debian (openjdk-17-jre-headless; any installed Java >= 17 is accepted, e.g. 21 on
#      Debian 13) and the GEOS headers shapely is built against;
#   2. .spark-venv from /usr/bin/python3 with --system-site-packages: Debian's numpy and pyproj
#      (built on the system PROJ) pinned in a constraints file, shapely built from source against
#      the system GEOS, then pyspark 4 with pyarrow and pandas.
# Prints where Java and the venv are; `SPARK_VENV=... bash scripts/setup_spark.sh` puts it elsewhere.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
VENV=${SPARK_VENV:-$here/.spark-venv}
SYSPY=/usr/bin/python3

java_major() {
  command -v java >/dev/null 2>&1 || { echo 0; return; }
  java -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p' | grep -E '^[0-9]+$' || echo 0
}

missing=()
if [ "$(java_major)" -lt 17 ]; then
  # Debian 12 has 17; Debian 13 has 21 only
  if apt-cache show openjdk-17-jre-headless >/dev/null 2>&1; then missing+=(openjdk-17-jre-headless)
  else missing+=(openjdk-21-jre-headless); fi
fi
for d in python3-venv python3-dev python3-pyproj libgeos-dev build-essential; do
  dpkg-query -W -f='${Status}' "$d" 2>/dev/null | grep -q 'install ok installed' || missing+=("$d")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "The Spark job's setup needs these Debian packages, which only root can install:" >&2
    echo "  sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "setup-spark: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "$(java_major)" -lt 17 ]; then
  echo "setup-spark: Spark 4 needs Java 17 or later; 'java -version' says: $(java -version 2>&1 | head -1)" >&2
  exit 1
fi

stamp="$VENV/.hp-spark-$(cat "$here/scripts/setup_spark.sh" | sha1sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  [ -x "$VENV/bin/python" ] || "$SYSPY" -m venv --system-site-packages "$VENV"
  np=$("$SYSPY" -c 'import numpy; print(numpy.__version__)')
  echo "numpy==$np" >"$VENV/constraints.txt"
  pp=$("$SYSPY" -c 'import pyproj; print(pyproj.__version__)')
  echo "pyproj==$pp" >>"$VENV/constraints.txt"
  pip=("$VENV/bin/python" -m pip --disable-pip-version-check -q)
  "${pip[@]}" install -c "$VENV/constraints.txt" --no-binary shapely 'shapely>=2,<3'
  echo "shapely==$("$VENV/bin/python" -c 'import shapely; print(shapely.__version__)')" >>"$VENV/constraints.txt"
  # pyarrow 21 and later need numpy 2; Debian 12's numpy is 1.24
  arrow='pyarrow>=15'
  [ "${np%%.*}" -lt 2 ] && arrow='pyarrow>=15,<21'
  "${pip[@]}" install -c "$VENV/constraints.txt" 'pyspark>=4,<5' 'pandas>=2,<3' "$arrow"
  touch "$stamp"
fi
info=$("$VENV/bin/python" -c 'import pyspark, pyarrow, pandas, shapely, numpy; print("pyspark", pyspark.__version__, "pyarrow", pyarrow.__version__, "pandas", pandas.__version__, "shapely", shapely.__version__, "numpy", numpy.__version__)')
echo "setup-spark: $VENV ready ($info), $(java -version 2>&1 | head -1)"
