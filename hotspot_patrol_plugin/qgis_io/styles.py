"""Layer styles for the plugin's outputs (colour-blind-safe Okabe-Ito colours), applied on load."""
from __future__ import annotations

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsFillSymbol,
    QgsLineSymbol,
    QgsPalLayerSettings,
    QgsProcessingLayerPostProcessorInterface,
    QgsRendererCategory,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtGui import QColor

from ..core import fields as F
from ..core.matching import STATUS_ABOVE, STATUS_BELOW, STATUS_NOT_VISITED, STATUS_ON

STATUS_COLOURS = {
    STATUS_NOT_VISITED: "#bdbdbd",
    STATUS_BELOW: "#e69f00",
    STATUS_ON: "#009e73",
    STATUS_ABOVE: "#0072b2",
}
#: visit paths: darker shades of the status colours, so they read on top of the zone fills
BAND_COLOURS = {"short": "#9c5400", "target": "#005c43", "long": "#003a6b"}


def _fmt(minutes: float) -> str:
    return f"{minutes:g}"


def coverage_legend(status: str, target_min: float, target_max: float) -> str:
    band = f"{_fmt(target_min)}–{_fmt(target_max)} min"
    return {
        STATUS_NOT_VISITED: "not visited",
        STATUS_BELOW: f"below target: median visit under {_fmt(target_min)} min",
        STATUS_ON: f"on target: median visit {band}",
        STATUS_ABOVE: f"above target: median visit over {_fmt(target_max)} min",
    }[status]


def apply_coverage_style(layer, target_min: float = 10, target_max: float = 15) -> None:
    categories = []
    for status, colour in STATUS_COLOURS.items():
        symbol = QgsFillSymbol.createSimple(
            {"color": colour, "outline_color": "#333333", "outline_width": "0.4", "style": "solid"}
        )
        symbol.setOpacity(0.75)
        categories.append(QgsRendererCategory(status, symbol, coverage_legend(status, target_min, target_max)))
    layer.setRenderer(QgsCategorizedSymbolRenderer(F.STATUS, categories))
    settings = QgsPalLayerSettings()
    settings.isExpression = True
    settings.fieldName = (
        f"\"{F.ZONE_ID}\" || '\\n' || \"{F.VISITS}\" || ' visits' || "
        f"if(\"{F.DWELL_MEDIAN_MIN}\" IS NULL, '', ' · ' || round(\"{F.DWELL_MEDIAN_MIN}\", 1) || ' min')"
    )
    fmt = QgsTextFormat()
    fmt.setSize(8)
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(0.8)
    buffer.setColor(QColor("white"))
    fmt.setBuffer(buffer)
    settings.setFormat(fmt)
    settings.scaleVisibility = True
    settings.maximumScale = 1
    settings.minimumScale = 25000
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)
    layer.triggerRepaint()


def apply_visits_style(layer) -> None:
    categories = []
    for band, colour in BAND_COLOURS.items():
        symbol = QgsLineSymbol.createSimple({"line_color": colour, "line_width": "0.35"})
        categories.append(QgsRendererCategory(band, symbol, f"{band} visit"))
    layer.setRenderer(QgsCategorizedSymbolRenderer(F.BAND, categories))
    layer.triggerRepaint()


class StylePostProcessor(QgsProcessingLayerPostProcessorInterface):
    """Applies a style when Processing loads an output layer into the project."""

    _keep = []  # Processing does not own post-processors; keep them alive for the session

    def __init__(self, apply, *args):
        super().__init__()
        self.apply, self.args = apply, args

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 - QGIS API
        if layer is not None and layer.isValid():
            self.apply(layer, *self.args)

    @classmethod
    def create(cls, apply, *args) -> StylePostProcessor:
        processor = cls(apply, *args)
        cls._keep.append(processor)
        del cls._keep[:-32]
        return processor
