"""Tests for scripts/qt6_check.py, the static Qt6-readiness check, on small fake plugin packages.

The AST collection and the rules need no PyQt6; resolving names against PyQt6 does, and PyQt6
lives only in .qt6-venv (scripts/qt6_check.sh), so those tests skip elsewhere.
"""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "qt6_check.py"
_spec = importlib.util.spec_from_file_location("qt6_check", SCRIPT)
qt6_check = importlib.util.module_from_spec(_spec)
sys.modules["qt6_check"] = qt6_check  # dataclasses look their module up by name
_spec.loader.exec_module(qt6_check)


def make_package(tmp_path: Path, files: dict[str, str]) -> Path:
    pkg = tmp_path / "hotspot_patrol_plugin"
    (pkg / "qgis_io").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    for rel, src in files.items():
        (pkg / rel).write_text(textwrap.dedent(src))
    return pkg


def problems(tmp_path: Path, src: str, rel: str = "dock.py") -> list[str]:
    scan = qt6_check.scan_package(make_package(tmp_path, {rel: src}))
    return [msg for _, _, msg in scan.problems]


def names(tmp_path: Path, src: str) -> set[str]:
    return {u.name for u in qt6_check.scan_package(make_package(tmp_path, {"dock.py": src})).uses}


GOOD = """
    from qgis.PyQt import QtCore
    from qgis.PyQt.QtCore import Qt, QDateTime
    from qgis.PyQt.QtWidgets import QDialogButtonBox, QSizePolicy
    try:
        from qgis.PyQt.QtGui import QAction
    except ImportError:
        from qgis.PyQt.QtWidgets import QAction

    ALIGN = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
    OK = QDialogButtonBox.StandardButton.Ok
    GROW = QSizePolicy.Policy.Expanding
    ROLE = QtCore.Qt.ItemDataRole.UserRole + 1
    WHEN = QDateTime.fromMSecsSinceEpoch(0).toString()

    def run(dlg):
        return dlg.exec(), QAction("Go")
"""


def test_good_snippet_has_no_problems(tmp_path):
    assert problems(tmp_path, GOOD) == []


def test_collects_chains_up_to_the_call(tmp_path):
    found = names(tmp_path, GOOD)
    assert {
        "QtCore.Qt.AlignmentFlag.AlignLeft",
        "QtWidgets.QDialogButtonBox.StandardButton.Ok",
        "QtWidgets.QSizePolicy.Policy.Expanding",
        "QtCore.Qt.ItemDataRole.UserRole",
        "QtCore.QDateTime.fromMSecsSinceEpoch",
        "QtGui.QAction",
    } <= found
    assert not any("toString" in n for n in found)
    assert "QtWidgets.QAction" not in found  # the Qt5 fallback is not resolved against PyQt6


def test_empty_package_is_clean(tmp_path):
    scan = qt6_check.scan_package(make_package(tmp_path, {}))
    assert (scan.files, scan.uses, scan.problems) == (1, [], [])


QACTION_WIDGETS_FIRST = """
try:
    from qgis.PyQt.QtWidgets import QAction
except ImportError:
    from qgis.PyQt.QtGui import QAction
"""


@pytest.mark.parametrize(
    "src, expected",
    [
        ("def f(dlg):\n    return dlg.exec_()\n", "exec_()"),
        ("from qgis.PyQt.QtCore import QRegExp\n", "QRegExp"),
        ("from qgis.PyQt import QtCore\nRX = QtCore.QRegExp('a+')\n", "QRegExp"),
        ("from qgis.PyQt.QtWidgets import QAction\n", "QAction from QtWidgets"),
        (QACTION_WIDGETS_FIRST, "QAction from QtWidgets"),
        ("from qgis.PyQt import QtWidgets\nA = QtWidgets.QAction\n", "QtWidgets.QAction"),
        ("from qgis.PyQt.QtCore import QVariant\nT = QVariant.String\n", "QVariant.String outside"),
        ("import resources_rc\n", "resources"),
        ("from . import resources_rc\n", "resources"),
        ("from .resources import qInitResources\n", "resources"),
        ("from PyQt5.QtCore import Qt\n", "direct import of PyQt5"),
        ("import PyQt6.QtWidgets\n", "direct import of PyQt6"),
        ("from qgis.PyQt.QtCore import *\n", "star import"),
        ("def broken(:\n", "syntax error"),
    ],
)
def test_bad_snippets_fail(tmp_path, src, expected):
    found = problems(tmp_path, src)
    assert any(expected in p for p in found), found


def test_problem_has_file_and_line(tmp_path):
    scan = qt6_check.scan_package(make_package(tmp_path, {"dock.py": "\n\nx.exec_()\n"}))
    assert [(f, line) for f, line, _ in scan.problems] == [("hotspot_patrol_plugin/dock.py", 3)]


def test_qvariant_types_allowed_only_in_fieldtypes(tmp_path):
    src = "from qgis.PyQt.QtCore import QVariant\nSTRING = QVariant.String\n"
    assert problems(tmp_path, src, rel="qgis_io/fieldtypes.py") == []
    # the helper's Qt5-only branch is resolved only as far as QVariant itself
    uses = qt6_check.check_source(src, "hotspot_patrol_plugin/qgis_io/fieldtypes.py").uses
    assert {u.name for u in uses} == {"QtCore.QVariant"}


def test_unscoped_enum_is_collected_for_resolution(tmp_path):
    # Qt.AlignLeft breaks only under PyQt6; the plain-Python part must hand it over unchanged
    src = "from qgis.PyQt.QtCore import Qt\nA = Qt.AlignLeft\n"
    assert "QtCore.Qt.AlignLeft" in names(tmp_path, src)


def test_main_reports_missing_package(tmp_path, capsys):
    assert qt6_check.main(["qt6_check.py", str(tmp_path / "nope")]) == 2


class TestAgainstPyQt6:
    @pytest.fixture(autouse=True)
    def _pyqt6(self, monkeypatch):
        monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
        pytest.importorskip("PyQt6.QtWidgets", reason="PyQt6 is only in .qt6-venv (scripts/qt6_check.sh)")

    def test_good_snippet_resolves(self, tmp_path):
        scan = qt6_check.scan_package(make_package(tmp_path, {"dock.py": GOOD}))
        assert qt6_check.resolve(scan.uses) == []

    @pytest.mark.parametrize(
        "src, missing",
        [
            ("from qgis.PyQt.QtCore import Qt\nA = Qt.AlignLeft\n", "QtCore.Qt.AlignLeft"),
            (
                "from qgis.PyQt.QtWidgets import QDialogButtonBox\nB = QDialogButtonBox.Ok\n",
                "QtWidgets.QDialogButtonBox.Ok",
            ),
            ("from qgis.PyQt.QtCore import QTextCodec\n", "QtCore.QTextCodec"),
            ("from qgis.PyQt.QtNoSuchModule import X\n", "PyQt6.QtNoSuchModule"),
        ],
    )
    def test_missing_names_fail(self, tmp_path, src, missing):
        scan = qt6_check.scan_package(make_package(tmp_path, {"dock.py": src}))
        found = qt6_check.resolve(scan.uses)
        assert any(missing in msg for _, _, msg in found), found

    def test_main_ok_and_failing(self, tmp_path, capsys):
        good = make_package(tmp_path / "a", {"dock.py": GOOD})
        assert qt6_check.main(["qt6_check.py", str(good)]) == 0
        assert capsys.readouterr().out.strip().endswith(": OK")
        src = "from qgis.PyQt.QtCore import Qt\nA = Qt.AlignLeft\n"
        bad = make_package(tmp_path / "b", {"dock.py": src})
        assert qt6_check.main(["qt6_check.py", str(bad)]) == 1
        out = capsys.readouterr().out.splitlines()
        assert out[0].startswith("hotspot_patrol_plugin/dock.py:2: QtCore.Qt.AlignLeft not in")
        assert out[-1].endswith("1 problem(s)")
