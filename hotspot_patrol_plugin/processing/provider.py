"""The "Hotspot Patrol" Processing provider (id ``hotspotpatrol``)."""
from __future__ import annotations

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..paths import resource


class HotspotPatrolProvider(QgsProcessingProvider):
    def id(self) -> str:
        return "hotspotpatrol"

    def name(self) -> str:
        return "Hotspot Patrol"

    def longName(self) -> str:  # noqa: N802 - QGIS API
        return "Hotspot Patrol: evidence-based hot spot policing"

    def icon(self):
        return QIcon(resource("icons", "hotspot_patrol.svg"))

    def svgIconPath(self) -> str:  # noqa: N802 - QGIS API
        return resource("icons", "hotspot_patrol.svg")

    def loadAlgorithms(self):  # noqa: N802 - QGIS API
        from .match_tracks import MatchTracksAlgorithm

        for alg in (MatchTracksAlgorithm(),):
            self.addAlgorithm(alg)
