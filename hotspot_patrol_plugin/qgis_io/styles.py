"""Layer styles for the plugin's outputs and workspace layers, shipped as QML in resources/styles/.

Colours are Okabe-Ito (colour-blind safe). The QML files hold the symbols and labels; the code
only adds what depends on the run: legend texts that name the target band actually used, the
presence radius of waypoints, and the band remembered on the coverage layer (custom properties)
so a later briefing pack or restyle can show it again.
"""
from __future__ import annotations

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsPalLayerSettings,
    QgsProcessingLayerPostProcessorInterface,
    QgsSingleSymbolRenderer,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtGui import QColor

from ..core import fields as F
from ..core.matching import STATUS_ABOVE, STATUS_BELOW, STATUS_NOT_VISITED, STATUS_ON
from ..paths import resource
from . import compat

COVERAGE = "coverage"
VISITS = "visits"
WAYPOINT_VISITS = "waypoint_visits"
WORKSPACE_ZONES = "workspace_zones"
WORKSPACE_WAYPOINTS = "workspace_waypoints"

STATUS_COLOURS = {
    STATUS_NOT_VISITED: "#bdbdbd",
    STATUS_BELOW: "#e69f00",
    STATUS_ON: "#009e73",
    STATUS_ABOVE: "#0072b2",
}
#: visit paths: darker shades of the status colours, so they read on top of the zone fills
BAND_COLOURS = {"short": "#9c5400", "target": "#005c43", "long": "#003a6b", "pass-through": "#787878"}
PASS_THROUGH = "pass-through"

#: the target band a coverage layer was styled with (minutes), kept with the layer
PROP_TARGET_MIN = "hotspot_patrol/target_min"
PROP_TARGET_MAX = "hotspot_patrol/target_max"
DEFAULT_TARGET = (10.0, 15.0)
DEFAULT_WAYPOINT_RADIUS = 25.0


class StyleError(RuntimeError):
    """A style file is missing or QGIS could not read it."""


def label_layer(layer, expression: str, colour: str, size: float = 8) -> None:
    """Label every feature with ``expression``, in ``colour`` on a white halo (readable on any map)."""
    settings = QgsPalLayerSettings()
    settings.isExpression = True
    settings.fieldName = expression
    fmt = QgsTextFormat()
    fmt.setSize(size)
    fmt.setColor(QColor(colour))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(0.8)
    buffer.setColor(QColor("white"))
    fmt.setBuffer(buffer)
    settings.setFormat(fmt)
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)
    layer.triggerRepaint()


def style_path(name: str) -> str:
    return resource("styles", f"{name}.qml")


def load_style(layer, name: str) -> None:
    """Load resources/styles/<name>.qml (symbology and labels only) into ``layer``."""
    path = style_path(name)
    message, ok = layer.loadNamedStyle(path, compat.STYLE_SYMBOLOGY_AND_LABELS)
    if not ok:
        raise StyleError(f"Could not load the style {path}: {message}")


def _fmt(minutes: float) -> str:
    return f"{float(minutes):g}"


def coverage_legend(status: str, target_min: float, target_max: float) -> str:
    band = f"{_fmt(target_min)}–{_fmt(target_max)} min"
    return {
        STATUS_NOT_VISITED: "not visited",
        STATUS_BELOW: f"below target: median visit under {_fmt(target_min)} min",
        STATUS_ON: f"on target: median visit {band}",
        STATUS_ABOVE: f"above target: median visit over {_fmt(target_max)} min",
    }[status]


def visits_legend(category: str, target_min: float | None = None, target_max: float | None = None) -> str:
    if target_min is None or target_max is None:
        return {
            "short": "short visit (under the target band)",
            "target": "visit within the target band",
            "long": "long visit (over the target band)",
            PASS_THROUGH: "pass-through (not counted)",
        }[category]
    return {
        "short": f"short visit: under {_fmt(target_min)} min",
        "target": f"visit in the target band: {_fmt(target_min)}–{_fmt(target_max)} min",
        "long": f"long visit: over {_fmt(target_max)} min",
        PASS_THROUGH: "pass-through (not counted)",
    }[category]


def missing_coverage_fields(layer) -> list[str]:
    """The coverage fields (of hotspotpatrol:matchtracks' COVERAGE) that ``layer`` lacks."""
    names = set(layer.fields().names())
    return [f for f in (F.ZONE_ID, *F.COVERAGE_FIELDS) if f not in names]


def status_colour(status: str) -> QColor:
    return QColor(STATUS_COLOURS.get(status, STATUS_COLOURS[STATUS_NOT_VISITED]))


def target_band(layer, default: tuple[float, float] = DEFAULT_TARGET) -> tuple[float, float]:
    """The target band (minutes) a coverage layer was last styled with, else ``default``."""
    try:
        lo = float(layer.customProperty(PROP_TARGET_MIN))
        hi = float(layer.customProperty(PROP_TARGET_MAX))
    except (TypeError, ValueError):
        return default
    return (lo, hi) if 0 <= lo <= hi else default


def _relabel(layer, label_for) -> None:
    renderer = layer.renderer()
    if not isinstance(renderer, QgsCategorizedSymbolRenderer):
        raise StyleError("The style did not give the layer a categorised renderer.")
    for i, cat in enumerate(renderer.categories()):
        renderer.updateCategoryLabel(i, label_for(str(cat.value())))


def apply_coverage_style(layer, target_min: float = 10, target_max: float = 15) -> None:
    """Fill by status, legend naming the target band, labels with id, visits and median minutes."""
    load_style(layer, COVERAGE)
    _relabel(layer, lambda status: coverage_legend(status, target_min, target_max))
    layer.setCustomProperty(PROP_TARGET_MIN, float(target_min))
    layer.setCustomProperty(PROP_TARGET_MAX, float(target_max))
    layer.triggerRepaint()


def apply_visits_style(layer, target_min: float | None = None, target_max: float | None = None) -> None:
    """Visit paths coloured by band (waypoint visits get their own, thinner style)."""
    name = WAYPOINT_VISITS if F.WAYPOINT_ID in layer.fields().names() else VISITS
    load_style(layer, name)
    _relabel(layer, lambda band: visits_legend(band, target_min, target_max))
    layer.triggerRepaint()


def apply_waypoint_visits_style(layer, target_min: float | None = None, target_max: float | None = None) -> None:
    load_style(layer, WAYPOINT_VISITS)
    _relabel(layer, lambda band: visits_legend(band, target_min, target_max))
    layer.triggerRepaint()


def apply_workspace_zones_style(layer) -> None:
    """The editing style of the workspace's zones layer."""
    load_style(layer, WORKSPACE_ZONES)
    layer.triggerRepaint()


def apply_workspace_waypoints_style(layer, radius_m: float = DEFAULT_WAYPOINT_RADIUS) -> None:
    """Waypoint dots with a dashed ring of the presence radius (metres on the ground)."""
    load_style(layer, WORKSPACE_WAYPOINTS)
    renderer = layer.renderer()
    if isinstance(renderer, QgsSingleSymbolRenderer):
        ring = renderer.symbol().symbolLayer(0)
        ring.setSize(2.0 * float(radius_m))
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
