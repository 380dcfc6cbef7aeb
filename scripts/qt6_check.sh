#!/usr/bin/env bash
# Qt6-readiness check (issue 9): resolves every Qt name the plugin uses against PyQt6 from PyPI.
# Builds .qt6-venv (PyQt6 only, no QGIS, no system site-packages) once, then runs
# scripts/qt6_check.py in it headless. Extra arguments go to the script (e.g. a package dir).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
VENV=${QT6_VENV:-$here/.qt6-venv}
export QT_QPA_PLATFORM=offscreen
# What the PyQt6-Qt6 wheels link against (Debian 13 renamed glib to libglib2.0-0t64).
DEBS=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libfreetype6 libdbus-1-3)

imports() { "$VENV/bin/python" -c 'import PyQt6.QtCore, PyQt6.QtGui, PyQt6.QtWidgets' 2>&1; }

if [ ! -f "$VENV/.hp-pyqt6" ]; then
  rm -rf "$VENV"
  echo "qt6-check: building $VENV (PyQt6 from PyPI)"
  /usr/bin/python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check 'PyQt6>=6.5'
  touch "$VENV/.hp-pyqt6"
fi

if ! err=$(imports); then
  if [ "$(id -u)" != 0 ]; then
    echo "qt6-check: PyQt6 does not import: ${err##*$'\n'}" >&2
    echo "  install its libraries: sudo apt-get install ${DEBS[*]} libglib2.0-0" >&2
    exit 2
  fi
  glib=libglib2.0-0
  apt-cache show libglib2.0-0t64 >/dev/null 2>&1 && glib=libglib2.0-0t64
  echo "qt6-check: PyQt6 needs system libraries (${err##*$'\n'}); installing ${DEBS[*]} $glib"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${DEBS[@]}" "$glib" >/dev/null
  err=$(imports) || { echo "qt6-check: PyQt6 still does not import: $err" >&2; exit 2; }
fi

exec "$VENV/bin/python" "$here/scripts/qt6_check.py" "$@"
