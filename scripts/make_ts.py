"""Writes hotspot_patrol.ts, the template translators fill in (Qt Linguist), from the plugin's source.

pylupdate5 is not always installed (Debian's Qt 5 lupdate cannot read Python), so this reads the
source itself: every literal passed to ``tr(...)``, ``self.tr(...)``, ``tr_noop(...)`` (marks a text
shown later through ``tr``) or
``QCoreApplication.translate("HotspotPatrol", ...)``, and the algorithms' ``HELP``, ``DISPLAY`` and
``GROUP`` texts (translated at run time through ``self.tr``). One context, "HotspotPatrol".

    python3 resources/i18n/make_ts.py            # rewrites resources/i18n/hotspot_patrol.ts
    lrelease resources/i18n/hotspot_patrol_cy.ts # a translator's Welsh file -> .qm the plugin loads
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "resources" / "i18n"
PACKAGE = ROOT / "hotspot_patrol_plugin"
CONTEXT = "HotspotPatrol"
CONSTANTS = ("HELP", "DISPLAY", "GROUP")


def _text(node) -> str | None:
    """A string literal, or implicitly concatenated literals in parentheses."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return None  # an f-string is not a fixed message
    return None


def messages(root: Path = PACKAGE) -> list[tuple[str, str, int]]:
    """(text, file, line) of every translatable literal, in file and line order, each text once."""
    seen, out = set(), []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            found = None
            if isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
                if name in ("tr", "tr_noop") and node.args:
                    found = _text(node.args[0])
                elif name == "translate" and len(node.args) >= 2 and _text(node.args[0]) == CONTEXT:
                    found = _text(node.args[1])
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                t = node.targets[0]
                if isinstance(t, ast.Name) and t.id in CONSTANTS:
                    found = _text(node.value)
            if found and found not in seen:
                seen.add(found)
                out.append((found, str(path.relative_to(root.parent)), node.lineno))
    return out


def ts(items) -> str:
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<!DOCTYPE TS>",
        '<TS version="2.1">',
        "<context>",
        f"    <name>{CONTEXT}</name>",
    ]
    for text, file, line in items:
        lines += [
            "    <message>",
            f'        <location filename="../../{file}" line="{line}"/>',
            f"        <source>{escape(text)}</source>",
            '        <translation type="unfinished"></translation>',
            "    </message>",
        ]
    lines += ["</context>", "</TS>", ""]
    return "\n".join(lines)


def main() -> int:
    items = messages()
    (HERE / "hotspot_patrol.ts").write_text(ts(items), encoding="utf-8")
    print(f"{len(items)} messages -> {HERE / 'hotspot_patrol.ts'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
