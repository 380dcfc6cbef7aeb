# Sourced by scripts that start QGIS programs: the plugin from build/, the venv's packages first,
# a throw-away QGIS profile under out/ (the user's own profile is never touched), headless Qt.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-$here/.venv/bin/python}
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
export QGIS_PLUGINPATH=$here/build
export QGIS_CUSTOM_CONFIG_PATH=${QGIS_CUSTOM_CONFIG_PATH:-$here/out/qgis-profile}
venv_site=$("$PYTHON" -c 'import site,sys; print(next(p for p in site.getsitepackages() if p.startswith(sys.prefix)))')
export PYTHONPATH=$venv_site${PYTHONPATH:+:$PYTHONPATH}
mkdir -p "$QGIS_CUSTOM_CONFIG_PATH"

# Debian's /usr/bin/qgis_process wrapper passes an option some builds reject: prefer the binary.
qgis_process_cmd() {
  local c
  for c in qgis_process.bin qgis_process; do
    if command -v "$c" >/dev/null 2>&1 && "$c" --version >/dev/null 2>&1; then echo "$c"; return 0; fi
  done
  echo "qgis_process not found: install QGIS (make setup)" >&2
  return 1
}
