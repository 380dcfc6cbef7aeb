"""The layout rules: core/ is pure (no qgis, no Qt), Qt only through qgis.PyQt, no generated files."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "hotspot_patrol_plugin"


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield node.lineno, a.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def test_core_imports_neither_qgis_nor_qt():
    bad = [
        f"{p.name}:{line} {mod}"
        for p in (PKG / "core").rglob("*.py")
        for line, mod in _imports(p)
        if mod.split(".")[0] in {"qgis", "PyQt5", "PyQt6", "sip", "osgeo"}
    ]
    assert bad == []


def test_qt_only_through_qgis_pyqt():
    bad = [
        f"{p.relative_to(PKG)}:{line} {mod}"
        for p in PKG.rglob("*.py")
        for line, mod in _imports(p)
        if mod.split(".")[0] in {"PyQt5", "PyQt6", "PySide2", "PySide6"}
    ]
    assert bad == []


def test_no_generated_or_template_leftovers():
    names = {p.name for p in PKG.rglob("*")}
    assert not names & {"resources_rc.py", "resources.qrc", "pb_tool.cfg", "plugin_upload.py"}


def test_one_algorithm_per_module():
    for p in (PKG / "processing").glob("*.py"):
        tree = ast.parse(p.read_text(encoding="utf-8"))
        algs = [
            n.name
            for n in tree.body
            if isinstance(n, ast.ClassDef) and n.name.endswith("Algorithm") and n.name != "HotspotAlgorithm"
        ]
        assert len(algs) <= 1, (p.name, algs)


# ---------------------------------------------------------------- the layers (docs/ARCHITECTURE.md)
#: layer -> the plugin layers it may import (relative or absolute); a layer always may import itself
ALLOWED = {
    "core": set(),
    "formats": {"core"},
    "spark": {"core"},
    "qgis_io": {"core", "formats"},
    "processing": {"core", "formats", "qgis_io"},
    "ui": {"core", "formats", "qgis_io", "processing"},
}
#: third-party roots a pure layer must never import
NOT_PURE = {"qgis", "PyQt5", "PyQt6", "sip", "osgeo"}


def _layer_imports(path: Path, pkg: Path = PKG):
    """(line, plugin layer) for every import of another part of the plugin, relative or absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    depth = len(path.relative_to(pkg).parts) - 1  # 1 for core/x.py
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                if node.level != depth + 1:
                    continue  # inside the same layer
                parts = (node.module or "").split(".")
                names = [parts[0]] if parts[0] else [a.name for a in node.names]
                for name in names:
                    yield node.lineno, name
            elif node.module and node.module.startswith("hotspot_patrol_plugin."):
                yield node.lineno, node.module.split(".")[1]
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("hotspot_patrol_plugin."):
                    yield node.lineno, a.name.split(".")[1]


def test_each_layer_imports_only_the_layers_below_it():
    bad = []
    for layer, allowed in ALLOWED.items():
        for p in (PKG / layer).rglob("*.py"):
            for line, other in _layer_imports(p):
                if other in ALLOWED and other != layer and other not in allowed:
                    bad.append(f"{p.relative_to(PKG)}:{line} imports {other}")
    assert bad == []


def test_spark_job_imports_no_qgis():
    spark = PKG / "spark"
    bad = [
        f"{p.name}:{line} {mod}"
        for p in spark.rglob("*.py")
        for line, mod in _imports(p)
        if mod.split(".")[0] in NOT_PURE - {"osgeo"}
    ]
    assert bad == []


def test_formats_import_no_qgis():
    """formats/ reads and writes files with GDAL and SQLite only: osgeo yes, qgis and Qt never."""
    bad = [
        f"{p.name}:{line} {mod}"
        for p in (PKG / "formats").rglob("*.py")
        for line, mod in _imports(p)
        if mod.split(".")[0] in NOT_PURE - {"osgeo"}
    ]
    assert bad == []


def test_the_layer_check_catches_a_bad_import(tmp_path):
    """The rule itself can fail: a core module importing qgis_io is reported, its sibling is not."""
    fake = tmp_path / "hotspot_patrol_plugin"
    (fake / "core").mkdir(parents=True)
    bad = fake / "core" / "bad.py"
    bad.write_text("from ..qgis_io import tracks\nfrom . import times\nfrom hotspot_patrol_plugin.ui import x\n")
    assert [n for _, n in _layer_imports(bad, fake)] == ["qgis_io", "ui"]
