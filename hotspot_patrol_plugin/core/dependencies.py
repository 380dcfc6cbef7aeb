"""Which Python packages the algorithms need, and the one sentence telling users how to get them.

Pure Python: the caller passes QGIS's GEOS version, so this runs (and is tested) without QGIS.
"""

from __future__ import annotations

import importlib
import os
import sys


def python_command() -> str:
    """The Python that runs QGIS's plugins, as a user would type it."""
    exe = sys.executable or "python3"
    if not os.path.basename(exe).lower().startswith("python"):
        exe = "python3" if sys.platform != "win32" else "python"  # inside QGIS: its own Python
    return exe


def pip_command(packages: str, from_source: bool = False) -> str:
    exe = python_command()
    extra = " --no-binary shapely" if from_source else ""
    return f"{exe} -m pip install --user{extra} {packages}"


def bundles_proj(pyproj_module) -> bool:
    """True for a pyproj wheel that carries its own PROJ library and data (a second PROJ in
    QGIS's process). Versions cannot tell: QGIS reports the PROJ it was built with, pyproj the
    one it runs, and a distribution may update PROJ without rebuilding QGIS."""
    here = os.path.dirname(getattr(pyproj_module, "__file__", "") or "")
    return bool(here) and (
        os.path.isdir(os.path.join(here, "proj_dir"))
        or os.path.isdir(os.path.join(os.path.dirname(here), "pyproj.libs"))
    )


def problems(qgis_geos: tuple[int, int, int] | None = None, platform: str = sys.platform) -> list[str]:
    """One sentence per missing or unusable dependency; empty when all is well.

    shapely 2 is detected by its API (Debian's build reports version "0+unknown"). On Linux a
    shapely whose GEOS differs from QGIS's crashes inside QGIS, so it counts as unusable; so does
    a pyproj wheel carrying its own PROJ.
    """
    found: list[str] = []
    try:
        shapely = importlib.import_module("shapely")
    except ImportError:
        found.append(f"shapely 2 is not installed; install it with: {pip_command(repr('shapely>=2'))}")
    else:
        if not hasattr(shapely, "contains_xy"):
            found.append(
                f"shapely {getattr(shapely, '__version__', '?')} is too old (2 or newer is needed); "
                f"install it with: {pip_command(repr('shapely>=2'))}"
            )
        elif platform.startswith("linux") and qgis_geos is not None:
            mine = tuple(getattr(shapely, "geos_version", (0, 0, 0)))[:3]
            if mine != tuple(qgis_geos)[:3]:
                found.append(
                    "shapely uses GEOS {} but QGIS uses GEOS {}, which crashes QGIS; rebuild shapely "
                    "against the system GEOS with: {}".format(
                        ".".join(map(str, mine)),
                        ".".join(map(str, qgis_geos)),
                        pip_command(repr("shapely>=2"), from_source=True),
                    )
                )
    for name in ("pandas", "pyproj"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            found.append(f"{name} is not installed; install it with: {pip_command(name)}")
            continue
        if name == "pyproj" and platform.startswith("linux") and bundles_proj(module):
            found.append(
                "pyproj is a PyPI wheel with its own copy of PROJ, which crashes QGIS; use the "
                "system's pyproj (Debian/Ubuntu: sudo apt-get install python3-pyproj) and remove "
                f"the wheel with: {python_command()} -m pip uninstall pyproj"
            )
    return found
