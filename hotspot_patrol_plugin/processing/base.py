"""What every Hotspot Patrol algorithm shares: naming, help, the dependency gate."""
from __future__ import annotations

from qgis.core import Qgis, QgsProcessingAlgorithm, QgsProcessingException
from qgis.PyQt.QtCore import QCoreApplication

from ..core import dependencies


def dependency_problems() -> list[str]:
    geos = Qgis.geosVersionInt()
    return dependencies.problems((geos // 10000, geos // 100 % 100, geos % 100))


class HotspotAlgorithm(QgsProcessingAlgorithm):
    """Base class: subclasses set ``ALG_ID``, ``DISPLAY``, ``GROUP_ID``, ``GROUP`` and ``HELP``."""

    ALG_ID = ""
    DISPLAY = ""
    GROUP = "Patrol analysis"
    GROUP_ID = "analysis"
    HELP = ""

    def tr(self, text: str) -> str:
        return QCoreApplication.translate("HotspotPatrol", text)

    def name(self) -> str:
        return self.ALG_ID

    def displayName(self) -> str:  # noqa: N802 - QGIS API
        return self.tr(self.DISPLAY)

    def group(self) -> str:
        return self.tr(self.GROUP)

    def groupId(self) -> str:  # noqa: N802 - QGIS API
        return self.GROUP_ID

    def shortHelpString(self) -> str:  # noqa: N802 - QGIS API
        return self.tr(self.HELP)

    def createInstance(self):  # noqa: N802 - QGIS API
        return type(self)()

    def timezone(self, parameters, key, context) -> str:
        """The IANA time-zone parameter (default Europe/London), checked: one sentence if unknown."""
        import pandas as pd

        name = (self.parameterAsString(parameters, key, context) or "Europe/London").strip()
        try:
            pd.Timestamp(0).tz_localize(name)
        except Exception:
            raise QgsProcessingException(
                f"Unknown time zone '{name}': use an IANA name such as Europe/London.") from None
        return name

    def instant(self, parameters, key, context, timezone) -> float | None:
        """An optional date-time parameter (a period bound) as UTC seconds, None when empty."""
        from ..core.times import parse_instant
        from ..qgis_io.layers import qdatetime_text

        if parameters.get(key) in (None, ""):
            return None
        value = self.parameterAsDateTime(parameters, key, context)
        if value is None or not value.isValid():
            return None
        try:
            return parse_instant(qdatetime_text(value), timezone)
        except ValueError as e:
            raise QgsProcessingException(f"{key}: {e}") from None

    @staticmethod
    def require_dependencies() -> None:
        """Stop with the one sentence that says what to install (canExecute says it in the dialog)."""
        problems = dependency_problems()
        if problems:
            raise QgsProcessingException(" ".join(problems))

    def source(self, parameters, key, context):
        """A feature source parameter, or Processing's own sentence when it cannot be opened."""
        source = self.parameterAsSource(parameters, key, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, key))
        return source

    def canExecute(self):  # noqa: N802 - QGIS API
        problems = dependency_problems()
        if problems:
            return False, " ".join(problems)
        return True, ""
