"""The packaged zip, unpacked into a fresh profile, loads in the real QGIS desktop (under Xvfb)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile

import pytest

CHECK = r"""
import qgis.utils
from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QDockWidget

def check():
    prov = QgsApplication.processingRegistry().providerById('hotspotpatrol')
    docks = sorted(d.objectName() for d in qgis.utils.iface.mainWindow().findChildren(QDockWidget)
                   if d.objectName().startswith('HotspotPatrol'))
    with open(OUT, 'w') as f:
        f.write(repr({'loaded': 'hotspot_patrol_plugin' in qgis.utils.plugins,
                      'algs': sorted(a.id() for a in prov.algorithms()) if prov else [], 'docks': docks}))
    QgsApplication.exit(0)

QTimer.singleShot(5000, check)
"""


@pytest.mark.skipif(not shutil.which("xvfb-run") or not shutil.which("qgis"), reason="needs xvfb-run and QGIS")
def test_packaged_plugin_loads_in_the_desktop(root, tmp_path):
    subprocess.run(["make", "-s", "package"], cwd=root, check=True, capture_output=True)
    zips = sorted((root / "dist").glob("hotspot_patrol_plugin-*.zip"))
    plugins = tmp_path / "profiles" / "default" / "python" / "plugins"
    plugins.mkdir(parents=True)
    with zipfile.ZipFile(zips[-1]) as z:
        z.extractall(plugins)
    ini = tmp_path / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[PythonPlugins]\nhotspot_patrol_plugin=true\n")
    out = tmp_path / "result.txt"
    script = tmp_path / "check.py"
    script.write_text(f"OUT = {str(out)!r}\n" + CHECK)
    site = next(p for p in __import__("site").getsitepackages() if p.startswith(sys.prefix))
    env = dict(os.environ, PYTHONPATH=site, QT_QPA_PLATFORM="xcb")
    subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1366x768x24", "qgis", "--profiles-path", str(tmp_path),
                    "--nologo", "--noversioncheck", "--code", str(script)],
                   env=env, capture_output=True, timeout=180)
    result = eval(out.read_text())  # noqa: S307 - our own repr
    assert result["loaded"] is True
    assert "hotspotpatrol:matchtracks" in result["algs"] and "hotspotpatrol:importtracks" in result["algs"]
    assert result["docks"] == ["HotspotPatrolWaypointsDock", "HotspotPatrolZonesDock"]
