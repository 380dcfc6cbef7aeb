"""Static Qt6-readiness check for the Hotspot Patrol plugin (issue 9, "Qt6 readiness, checked").

QGIS 4 (Qt6) has no Debian package yet, so this is the Qt6 evidence. Every ``.py`` file of the
plugin is parsed with ``ast`` (nothing is imported), and:

1. every name imported from ``qgis.PyQt.<Module>``, and every attribute chain used on such a name
   (``Qt.AlignmentFlag.AlignLeft``, ``QtCore.Qt.ItemDataRole.UserRole``, ...), is resolved against
   ``PyQt6.<Module>``. A chain is followed only while it names a module or a class (enums are
   classes), so ``QDateTime.fromMSecsSinceEpoch(...).toString()`` checks
   ``QDateTime.fromMSecsSinceEpoch`` and stops;
2. rules that need no PyQt6 fail on: ``exec_``; ``QRegExp``; imports of compiled resources
   (``resources_rc`` / ``resources``); ``QAction`` from QtWidgets unless it is the ``except
   ImportError`` fallback of a ``try`` that imports it from QtGui first; ``QVariant.<X>`` outside
   ``qgis_io/fieldtypes.py`` (the field-type compatibility helper); star imports from Qt; and any
   direct ``PyQt5`` / ``PyQt6`` import (always go through ``qgis.PyQt``).

Imports in an ``except`` handler are Qt5 fallbacks and are not resolved against PyQt6; neither are
``QVariant.<X>`` chains inside fieldtypes.py (that branch only runs on QGIS < 3.38).

Run it with ``scripts/qt6_check.sh`` (builds .qt6-venv with PyQt6 from PyPI). Exit status: 0 clean,
1 with one ``file:line: problem`` line per problem, 2 when PyQt6 or the package is missing.
The collection (1) and the rules (2) are plain Python, tested in tests/unit/test_qt6_check.py.
"""

from __future__ import annotations

import ast
import importlib
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "hotspot_patrol_plugin"
QVARIANT_HELPER = "qgis_io/fieldtypes.py"  # relative to the package, "/"-separated
QT_PREFIX = "qgis.PyQt"


@dataclass(frozen=True)
class Use:
    """One Qt name to resolve: ``PyQt6.<module>`` then ``attrs`` (QtCore, (Qt, AlignmentFlag))."""

    file: str
    line: int
    module: str
    attrs: tuple[str, ...]

    @property
    def name(self) -> str:
        return ".".join((self.module, *self.attrs))


@dataclass
class Scan:
    uses: list[Use] = field(default_factory=list)
    problems: list[tuple[str, int, str]] = field(default_factory=list)  # (file, line, message)
    files: int = 0


def _dotted(node: ast.AST) -> list[str] | None:
    """``a.b.c`` -> ["a", "b", "c"]; None when the chain does not start at a plain name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def _qt_module(modname: str | None) -> str | None:
    """``qgis.PyQt.QtCore`` -> ``QtCore``; ``qgis.PyQt`` -> ``""``; anything else -> None."""
    if modname == QT_PREFIX:
        return ""
    if modname and modname.startswith(QT_PREFIX + "."):
        return modname[len(QT_PREFIX) + 1 :]
    return None


def _handler_imports(tree: ast.AST) -> tuple[set[int], set[int]]:
    """ids of Qt5-fallback imports (in the ``except`` handlers of a ``try`` whose body imports
    from qgis.PyQt), and the subset that may take QAction from QtWidgets (the body tried QtGui)."""
    in_handler, qaction_ok = set(), set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try):
            continue
        body = [n for stmt in node.body for n in ast.walk(stmt) if isinstance(n, ast.ImportFrom)]
        if not any(_qt_module(n.module) is not None for n in body):
            continue
        gui_first = any(n.module == QT_PREFIX + ".QtGui" and "QAction" in {a.name for a in n.names} for n in body)
        for handler in node.handlers:
            for n in ast.walk(handler):
                if isinstance(n, (ast.Import, ast.ImportFrom)):
                    in_handler.add(id(n))
                    if gui_first:
                        qaction_ok.add(id(n))
    return in_handler, qaction_ok


def check_source(source: str, relpath: str) -> Scan:
    """Collect the Qt uses of one file and apply the rules that need no PyQt6."""
    scan, found = Scan(files=1), set()

    def bad(node: ast.AST, msg: str) -> None:
        found.add((relpath, node.lineno, msg))

    try:
        tree = ast.parse(source, filename=relpath)
    except SyntaxError as e:
        scan.problems.append((relpath, e.lineno or 0, f"syntax error: {e.msg}"))
        return scan
    in_handler, qaction_ok = _handler_imports(tree)
    is_helper = relpath.replace("\\", "/").endswith(QVARIANT_HELPER)
    bound: dict[str, tuple[str, tuple[str, ...]]] = {}  # local name -> (module, attrs)

    def bind(node, local, module, attrs):
        if id(node) not in in_handler:  # a fallback never hides the Qt6 path
            bound.setdefault(local, (module, attrs))
            scan.uses.append(Use(relpath, node.lineno, module, attrs))

    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names]
            modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else names
            for full in modules:
                if full.split(".")[0] in ("PyQt5", "PyQt6"):
                    bad(node, f"direct import of {full}: import it from qgis.PyQt")
            if {m.split(".")[-1] for m in modules + names} & {"resources_rc", "resources"}:
                bad(node, "compiled Qt resources import (resources_rc): use file paths instead")
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            qmod = _qt_module(node.module)
            if qmod is None:
                continue
            for alias in node.names:
                local = alias.asname or alias.name
                if alias.name == "*":
                    bad(node, f"star import from {node.module}: import the names explicitly")
                elif alias.name.startswith("QRegExp"):
                    bad(node, f"{alias.name} does not exist in Qt6: use QRegularExpression")
                elif qmod == "QtWidgets" and alias.name == "QAction" and id(node) not in qaction_ok:
                    bad(node, "QAction from QtWidgets: it is in QtGui on Qt6 (try QtGui first)")
                elif qmod == "":  # from qgis.PyQt import QtCore
                    bind(node, local, alias.name, ())
                else:
                    bind(node, local, qmod, (alias.name,))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                qmod = _qt_module(alias.name)
                if qmod and alias.asname:  # import qgis.PyQt.QtCore as QtCore
                    bind(node, alias.asname, qmod, ())
        elif isinstance(node, ast.Attribute) and node.attr == "exec_":
            bad(node, "exec_() does not exist in Qt6: use exec()")
        elif isinstance(node, ast.Name) and node.id.startswith("QRegExp"):
            bad(node, f"{node.id} does not exist in Qt6: use QRegularExpression")

    # attribute chains: only maximal ones (do not descend into an Attribute's value chain)
    stack = [tree]
    while stack:
        node = stack.pop()
        chain = _dotted(node) if isinstance(node, ast.Attribute) else None
        if chain is None:
            stack.extend(ast.iter_child_nodes(node))
            continue
        if any(p.startswith("QRegExp") for p in chain[1:]):
            bad(node, "QRegExp does not exist in Qt6: use QRegularExpression")
        if "QVariant" in chain[:-1] and not is_helper:
            bad(node, f"{'.'.join(chain)} outside {QVARIANT_HELPER}: use its field-type helpers")
        if chain[:2] == ["qgis", "PyQt"] and len(chain) > 2:  # import qgis.PyQt.QtCore
            module, attrs = chain[2], tuple(chain[3:])
        elif chain[0] in bound:
            module, attrs = bound[chain[0]][0], bound[chain[0]][1] + tuple(chain[1:])
        else:
            continue
        if module == "QtWidgets" and attrs[:1] == ("QAction",):
            bad(node, "QtWidgets.QAction: QAction is in QtGui on Qt6")
            continue
        if "QVariant" in attrs[:-1]:  # fieldtypes.py's Qt5-only branch (elsewhere: reported above)
            attrs = attrs[: attrs.index("QVariant") + 1]
        scan.uses.append(Use(relpath, node.lineno, module, attrs))
    scan.problems = sorted(found, key=lambda p: (p[1], p[2]))
    scan.uses.sort(key=lambda u: u.line)
    return scan


def scan_package(package: Path) -> Scan:
    """:func:`check_source` on every .py file under ``package`` (paths relative to its parent)."""
    total = Scan()
    for path in sorted(package.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        rel = path.relative_to(package.parent).as_posix()
        one = check_source(path.read_text(encoding="utf-8"), rel)
        total.uses += one.uses
        total.problems += one.problems
        total.files += 1
    return total


def resolve(uses: list[Use]) -> list[tuple[str, int, str]]:
    """Resolve each use against PyQt6 (needs PyQt6); one problem line per chain that is missing."""
    problems, cache = [], {}
    for use in uses:
        if use.name in cache:
            missing = cache[use.name]
        else:
            missing = cache[use.name] = _missing(use)
        if missing:
            detail = "" if missing == use.name else f" ({missing} missing)"
            problems.append((use.file, use.line, f"{use.name} not in PyQt6{detail}"))
    return problems


def _missing(use: Use) -> str | None:
    """The first part of ``use`` that PyQt6 lacks, or None when it resolves."""
    try:
        obj = importlib.import_module("PyQt6." + use.module)
    except ImportError:
        return "PyQt6." + use.module
    walked = ["PyQt6", use.module]
    for attr in use.attrs:
        if not isinstance(obj, (type, types.ModuleType)):
            break  # a method, function or enum member: stop here
        if isinstance(obj, types.ModuleType) and not hasattr(obj, attr):
            try:  # a submodule such as PyQt6.uic
                obj = importlib.import_module(f"{obj.__name__}.{attr}")
                walked.append(attr)
                continue
            except ImportError:
                pass
        if not hasattr(obj, attr):
            return ".".join(walked[1:] + [attr])
        obj = getattr(obj, attr)
        walked.append(attr)
    return None


def main(argv: list[str]) -> int:
    package = Path(argv[1]) if len(argv) > 1 else PACKAGE
    if not package.is_dir():
        print(f"qt6-check: no package directory {package}", file=sys.stderr)
        return 2
    scan = scan_package(package)
    try:
        from PyQt6.QtCore import PYQT_VERSION_STR
    except ImportError as e:
        print(f"qt6-check: no PyQt6 ({e}); run scripts/qt6_check.sh", file=sys.stderr)
        return 2
    problems = sorted(set(scan.problems + resolve(scan.uses)))
    for file, line, msg in problems:
        print(f"{file}:{line}: {msg}")
    names = len({u.name for u in scan.uses})
    head = f"qt6-check: {names} Qt names in {scan.files} files resolved against PyQt6 {PYQT_VERSION_STR}"
    print(f"{head}: {len(problems)} problem(s)" if problems else f"{head}: OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
