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
from ..core.definitions import TARGET_MAX_MIN, TARGET_MIN_MIN
from ..core.status import STATUS_ABOVE, STATUS_BELOW, STATUS_NOT_VISITED, STATUS_ON
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
#: visit paths: colours no status fill uses, so they read on top of every zone (in band near-black)
BAND_COLOURS = {"short": "#d55e00", "target": "#111111", "long": "#cc79a7", "pass-through": "#787878"}
PASS_THROUGH = "pass-through"

#: the target band a coverage layer was styled with (minutes), kept with the layer
PROP_TARGET_MIN = "hotspot_patrol/target_min"
PROP_TARGET_MAX = "hotspot_patrol/target_max"
DEFAULT_TARGET = (TARGET_MIN_MIN, TARGET_MAX_MIN)
DEFAULT_WAYPOINT_RADIUS = 25.0


#: what a layer is to the plugin (the workspace uses the same key for its zones and waypoints), and
#: when the run that made it finished loading (ISO UTC, so the newest sorts last)
ROLE_PROPERTY = "hotspot_patrol/role"
RUN_PROPERTY = "hotspot_patrol/run"
COVERAGE_ROLE, VISITS_ROLE, BRIEFING_ROLE = "coverage", "visits", "briefing"


def mark_output(layer, role: str, name: str | None = None) -> None:
    """Remember what ``layer`` is and when it was made; give it its name (with the period)."""
    import datetime as dt

    layer.setCustomProperty(ROLE_PROPERTY, role)
    layer.setCustomProperty(RUN_PROPERTY, dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds"))
    if name:
        layer.setName(name)


def finish_output(layer, role: str, name: str | None, apply, *args) -> None:
    """Style an algorithm's output as it loads (``apply(layer, *args)``), then mark and name it and
    present its fields (what matters first, readable names, minutes to 0.1)."""
    apply(layer, *args)
    mark_output(layer, role, name)
    present_fields(layer, FIELD_ORDER.get(role, ()))


#: what the attribute table shows first, per output (the rest follow in their own order)
FIELD_ORDER = {
    COVERAGE_ROLE: (
        F.ZONE_ID,
        "name",
        F.STATUS,
        F.VISITS,
        F.DWELL_MEDIAN_MIN,
        F.PRESENCE_MIN,
        "per_day",
        "visits_per_day",
        F.UNITS,
        F.VISITS_SHORT,
        F.VISITS_TARGET,
        F.VISITS_LONG,
        F.DWELL_TOTAL_MIN,
        "band_min",
        "band_max",
        "days",
        F.FIRST_ENTRY,
        F.LAST_EXIT,
    ),
    VISITS_ROLE: (
        F.ZONE_ID,
        "zone_name",
        F.UNIT_ID,
        F.ENTRY_TIME,
        F.EXIT_TIME,
        F.DWELL_MIN,
        F.BAND,
        F.PASS_THROUGH,
        F.PINGS,
        F.VISIT_ID,
    ),
}
#: readable names (aliases) of the output fields; the field names stay as documented
ALIASES = {
    F.ZONE_ID: "Zone",
    "name": "Name",
    F.STATUS: "Status",
    F.VISITS: "Visits",
    F.DWELL_MEDIAN_MIN: "Median visit (min)",
    F.PRESENCE_MIN: "Presence (min)",
    "per_day": "Visits a day",
    "visits_per_day": "Planned visits a day",
    F.UNITS: "Officers",
    F.VISITS_SHORT: "Short visits",
    F.VISITS_TARGET: "Visits in band",
    F.VISITS_LONG: "Long visits",
    F.DWELL_TOTAL_MIN: "Total dwell (min)",
    "band_min": "Band from (min)",
    "band_max": "Band to (min)",
    "days": "Days",
    F.FIRST_ENTRY: "First entry (UTC)",
    F.LAST_EXIT: "Last exit (UTC)",
    F.UNIT_ID: "Unit",
    F.ENTRY_TIME: "Entry (UTC)",
    F.EXIT_TIME: "Exit (UTC)",
    F.DWELL_MIN: "Dwell (min)",
    F.BAND: "Band",
    F.PASS_THROUGH: "Pass-through",
    F.PINGS: "Pings",
    F.VISIT_ID: "Visit",
    "zone_name": "Zone name",
}
MINUTE_FIELDS = (F.DWELL_MEDIAN_MIN, F.PRESENCE_MIN, F.DWELL_TOTAL_MIN, F.DWELL_MIN)


def present_fields(layer, first=()) -> None:
    """Aliases, minutes shown to 0.1, and the attribute table's columns with ``first`` first."""
    from qgis.core import QgsEditorWidgetSetup

    fields = layer.fields()
    for name, alias in ALIASES.items():
        i = fields.indexOf(name)
        if i >= 0:
            layer.setFieldAlias(i, alias)
    for name in MINUTE_FIELDS:
        i = fields.indexOf(name)
        if i >= 0:
            layer.setEditorWidgetSetup(
                i,
                QgsEditorWidgetSetup(
                    "Range", {"Precision": 1, "Style": "SpinBox", "Min": 0, "Max": 1e9, "AllowNull": True}
                ),
            )
    config = layer.attributeTableConfig()
    config.update(fields)
    columns = config.columns()
    rank = {name: i for i, name in enumerate(first)}
    columns.sort(key=lambda c: rank.get(c.name, len(rank)))
    config.setColumns(columns)
    layer.setAttributeTableConfig(config)


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


def coverage_legend(status: str, target_min: float | None, target_max: float | None) -> str:
    if target_min is None or target_max is None:  # zones with bands of their own
        return {
            STATUS_NOT_VISITED: "not visited",
            STATUS_BELOW: "below target: median visit under the zone's band",
            STATUS_ON: "on target: median visit within the zone's band",
            STATUS_ABOVE: "above target: median visit over the zone's band",
        }[status]
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


def own_bands(coverage) -> bool:
    """True when the coverage's zones were judged by bands of their own that differ from zone to
    zone (band_min/band_max): then no one band can be named in the legend."""
    if coverage.fields().indexOf("band_min") < 0 or coverage.fields().indexOf("band_max") < 0:
        return False
    bands = set()
    for f in coverage.getFeatures():
        try:
            bands.add((round(float(f["band_min"]), 6), round(float(f["band_max"]), 6)))
        except (TypeError, ValueError):
            continue
    return len(bands) > 1


def status_mismatches(coverage, lo: float, hi: float) -> int:
    """Zones whose status is not what the one status rule (core/status.py) gives for their median
    and band (each zone's own band_min/band_max when the coverage has them, else ``lo``..``hi``)."""
    from ..core.status import status_of

    names = coverage.fields().names()
    own = "band_min" in names and "band_max" in names
    bad = 0
    for f in coverage.getFeatures():
        med, status, visits = f[F.DWELL_MEDIAN_MIN], f[F.STATUS], f[F.VISITS]
        try:
            med, visits = float(med), int(visits)
            band = (float(f["band_min"]), float(f["band_max"])) if own else (lo, hi)
        except (TypeError, ValueError):
            continue
        if visits <= 0:
            continue
        if str(status) != status_of(med, *band):
            bad += 1
    return bad


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


def apply_coverage_style(
    layer, target_min: float | None = TARGET_MIN_MIN, target_max: float | None = TARGET_MAX_MIN
) -> None:
    """Fill by status, legend naming the target band (None: each zone's own), labels with id, visits
    and median minutes."""
    load_style(layer, COVERAGE)
    _relabel(layer, lambda status: coverage_legend(status, target_min, target_max))
    if target_min is None or target_max is None:
        layer.removeCustomProperty(PROP_TARGET_MIN)
        layer.removeCustomProperty(PROP_TARGET_MAX)
    else:
        layer.setCustomProperty(PROP_TARGET_MIN, float(target_min))
        layer.setCustomProperty(PROP_TARGET_MAX, float(target_max))
    layer.triggerRepaint()


def apply_visits_style(layer, target_min: float | None = None, target_max: float | None = None) -> None:
    """Visit paths coloured by band (waypoint visits get their own, thinner style)."""
    name = WAYPOINT_VISITS if F.WAYPOINT_ID in layer.fields().names() else VISITS
    load_style(layer, name)
    _relabel(layer, lambda band: visits_legend(band, target_min, target_max))
    layer.triggerRepaint()


#: one colour per unit of imported pings (Okabe-Ito, then repeated)
UNIT_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")


def apply_pings_style(layer, unit_field: str, max_units: int = 40) -> None:
    """Pings as small dots coloured by unit (one legend entry a unit), readable at force scale."""
    from qgis.core import QgsMarkerSymbol, QgsRendererCategory

    idx = layer.fields().indexOf(unit_field)
    values = (
        sorted((v for v in layer.uniqueValues(idx, max_units + 1) if v is not None and str(v) != "NULL"), key=str)
        if idx >= 0
        else []
    )

    def dot(colour):
        symbol = QgsMarkerSymbol.createSimple({"name": "circle", "color": colour, "size": "1.1", "outline_style": "no"})
        symbol.setOpacity(0.8)
        return symbol

    if not values or len(values) > max_units:
        layer.setRenderer(QgsSingleSymbolRenderer(dot(UNIT_COLOURS[0])))
    else:
        cats = [QgsRendererCategory(v, dot(UNIT_COLOURS[i % len(UNIT_COLOURS)]), str(v)) for i, v in enumerate(values)]
        layer.setRenderer(QgsCategorizedSymbolRenderer(unit_field, cats))
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

    def postProcessLayer(self, layer, context, feedback):
        if layer is not None and layer.isValid():
            self.apply(layer, *self.args)

    @classmethod
    def create(cls, apply, *args) -> StylePostProcessor:
        processor = cls(apply, *args)
        cls._keep.append(processor)
        del cls._keep[:-32]
        return processor
