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
    bad = [f"{p.name}:{line} {mod}" for p in (PKG / "core").rglob("*.py") for line, mod in _imports(p)
           if mod.split(".")[0] in {"qgis", "PyQt5", "PyQt6", "sip", "osgeo"}]
    assert bad == []


def test_qt_only_through_qgis_pyqt():
    bad = [f"{p.relative_to(PKG)}:{line} {mod}" for p in PKG.rglob("*.py") for line, mod in _imports(p)
           if mod.split(".")[0] in {"PyQt5", "PyQt6", "PySide2", "PySide6"}]
    assert bad == []


def test_no_generated_or_template_leftovers():
    names = {p.name for p in PKG.rglob("*")}
    assert not names & {"resources_rc.py", "resources.qrc", "pb_tool.cfg", "plugin_upload.py"}


def test_one_algorithm_per_module():
    for p in (PKG / "processing").glob("*.py"):
        tree = ast.parse(p.read_text(encoding="utf-8"))
        algs = [n.name for n in tree.body if isinstance(n, ast.ClassDef) and n.name.endswith("Algorithm")
                and n.name != "HotspotAlgorithm"]
        assert len(algs) <= 1, (p.name, algs)
