"""The "Hotspot Patrol" Processing provider (id ``hotspotpatrol``).

Algorithms are found, not listed: every module in this package (one algorithm each) that defines
a ``HotspotAlgorithm`` subclass with an ``ALG_ID`` is loaded.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from qgis.core import Qgis, QgsMessageLog, QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..paths import resource
from .base import HotspotAlgorithm

NOT_ALGORITHMS = {"base", "provider"}


def algorithm_classes() -> list[type]:
    found = []
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda i: i.name):
        if info.name in NOT_ALGORITHMS:
            continue
        try:
            module = importlib.import_module(f"{__package__}.{info.name}")
        except Exception as e:  # one broken module must not take the others down
            QgsMessageLog.logMessage(f"Could not load {info.name}: {e}", "Hotspot Patrol", Qgis.MessageLevel.Critical)
            continue
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, HotspotAlgorithm)
                and obj.ALG_ID
                and obj.__module__ == module.__name__
            ):
                found.append(obj)
    return found


class HotspotPatrolProvider(QgsProcessingProvider):
    def id(self) -> str:
        return "hotspotpatrol"

    def name(self) -> str:
        return "Hotspot Patrol"

    def longName(self) -> str:
        return "Hotspot Patrol: evidence-based hot spot policing"

    def icon(self):
        return QIcon(resource("icons", "hotspot_patrol.svg"))

    def svgIconPath(self) -> str:
        return resource("icons", "hotspot_patrol.svg")

    def loadAlgorithms(self):
        for cls in algorithm_classes():
            self.addAlgorithm(cls())
