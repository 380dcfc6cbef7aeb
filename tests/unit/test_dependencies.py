"""The dependency check: shapely 2 by its API (not its version string), GEOS clash on Linux."""

import sys
import types

from hotspot_patrol_plugin.core import dependencies


def fake_shapely(monkeypatch, version, has_api=True, geos=(3, 11, 1)):
    mod = types.ModuleType("shapely")
    mod.__version__ = version
    mod.geos_version = geos
    if has_api:
        mod.contains_xy = lambda *a: None
    monkeypatch.setitem(sys.modules, "shapely", mod)


def test_debian_shapely_with_unknown_version_passes(monkeypatch):
    fake_shapely(monkeypatch, "0+unknown", geos=(3, 15, 0))
    assert dependencies.problems((3, 15, 0), platform="linux") == []


def test_shapely_1_8_is_named_with_the_install_command(monkeypatch):
    fake_shapely(monkeypatch, "1.8.5", has_api=False)
    (problem,) = dependencies.problems((3, 11, 1), platform="linux")
    assert "shapely 1.8.5 is too old" in problem and "-m pip install --user 'shapely>=2'" in problem


def test_a_wheel_with_its_own_geos_is_refused_on_linux_only(monkeypatch):
    fake_shapely(monkeypatch, "2.1.2", geos=(3, 13, 0))
    (problem,) = dependencies.problems((3, 11, 1), platform="linux")
    assert "GEOS 3.13.0 but QGIS uses GEOS 3.11.1" in problem and "--no-binary shapely" in problem
    assert dependencies.problems((3, 11, 1), platform="win32") == []


def test_missing_pandas_is_reported(monkeypatch):
    fake_shapely(monkeypatch, "2.1.2")
    monkeypatch.setitem(sys.modules, "pandas", None)  # import fails
    problems = dependencies.problems((3, 11, 1), platform="linux")
    assert problems == [f"pandas is not installed; install it with: {dependencies.pip_command('pandas')}"]


def test_a_pyproj_wheel_with_its_own_proj_is_refused_on_linux(monkeypatch, tmp_path):
    fake_shapely(monkeypatch, "2.1.2")
    package = tmp_path / "site-packages" / "pyproj"
    (package / "proj_dir" / "share" / "proj").mkdir(parents=True)  # how wheels ship PROJ's data
    mod = types.ModuleType("pyproj")
    mod.__file__ = str(package / "__init__.py")
    monkeypatch.setitem(sys.modules, "pyproj", mod)
    (problem,) = dependencies.problems((3, 11, 1), platform="linux")
    assert "own copy of PROJ" in problem and "python3-pyproj" in problem and "pip uninstall pyproj" in problem
    assert dependencies.problems((3, 11, 1), platform="win32") == []
    (package / "proj_dir" / "share" / "proj").rmdir()
    (package / "proj_dir" / "share").rmdir()
    (package / "proj_dir").rmdir()  # Debian's pyproj: the system PROJ, no data of its own
    assert dependencies.problems((3, 11, 1), platform="linux") == []
