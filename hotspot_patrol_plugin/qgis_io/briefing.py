"""The briefing pack: pseudonymised copies of the outputs and one QGIS print layout that prints them.

The layout is built in code (no template to keep in step with the data) and is an ordinary atlas
layout over the zones, so a user can open it in the layout designer, change it and re-export it
with Atlas > Export as PDF to get the same pack:

* page 1, and continuation pages when the zones table is long: the overview (title, period, area,
  map of all zones by status, legend, scale bar, north arrow, production date, source note, the
  zones table). These pages are excluded from exports for every atlas feature but the first;
* one page per zone (the atlas page): the zone at a readable scale with its waypoints and the visit
  paths of the period, a locator map, key figures and the table of its visits.

Officer ids never reach the layout: the visits copy holds pseudonyms (core.pseudonym) unless the
caller asks for the real ids. Everything drawn comes from the layers passed in: no web maps.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from qgis.core import (
    QgsConditionalStyle,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureRequest,
    QgsField,
    QgsFields,
    QgsFillSymbol,
    QgsGeometry,
    QgsLayoutExporter,
    QgsLayoutFrame,
    QgsLayoutItemAttributeTable,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPage,
    QgsLayoutItemPolygon,
    QgsLayoutItemScaleBar,
    QgsLayoutItemShape,
    QgsLayoutMeasurement,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLayoutTableColumn,
    QgsLayoutTableStyle,
    QgsLayoutUtils,
    QgsLegendRenderer,
    QgsLineSymbol,
    QgsMapLayerLegendUtils,
    QgsMemoryProviderUtils,
    QgsPrintLayout,
    QgsProperty,
    QgsRectangle,
    QgsTextFormat,
)
from qgis.PyQt.QtCore import QPointF, QSize, QSizeF, Qt
from qgis.PyQt.QtGui import QColor, QFont, QFontInfo, QPolygonF

from ..core import fields as F
from ..core.definitions import DEFAULT_TIMEZONE, TARGET_MAX_MIN, TARGET_MIN_MIN
from ..core.status import STATUS_ABOVE, STATUS_BELOW, STATUS_NOT_VISITED, STATUS_ON, STATUS_ORDER
from . import compat, fieldtypes, styles

# ----------------------------------------------------------------------------- look
INK = "#1a1a1a"
NAVY = "#1b2a4a"
MUTED = "#555d6b"
RULE = "#c9cfd8"
HEADER_BG = "#e6eaf0"
ROW_BG = "#f5f7fa"
FONTS = (
    "Source Sans 3",
    "Source Sans Pro",
    "Noto Sans",
    "Open Sans",
    "Liberation Sans",
    "Arial",
    "Helvetica",
    "DejaVu Sans",
)
PAPERS = {"A4": (297.0, 210.0), "A3": (420.0, 297.0)}

#: item ids (tests and users find items by them)
OVERVIEW_MAP = "hp_overview_map"
ZONE_MAP = "hp_zone_map"
LOCATOR_MAP = "hp_locator_map"
ZONES_TABLE = "hp_zones_table"
VISITS_TABLE = "hp_visits_table"

NAME_FIELDS = ("name", "zone_name", "Name", "NAME")
PRIORITY_FIELDS = ("priority", "Priority", "PRIORITY")
PREDEFINED_SCALES = (1000, 1250, 1500, 2000, 2500, 3000, 4000, 5000, 7500, 10000, 15000, 20000, 25000, 50000, 100000)


class BriefingError(RuntimeError):
    """Bad input for a briefing pack, said in one sentence."""


@dataclass
class PackOptions:
    title: str = "Hot spot patrol briefing"
    paper: str = "A4"
    area: str = ""
    period: str = ""  # empty: from the data
    target_min: float = TARGET_MIN_MIN
    target_max: float = TARGET_MAX_MIN
    timezone: str = DEFAULT_TIMEZONE
    unit_key: str | None = None  # pseudonymisation key; None with show_unit_ids=False is an error
    show_unit_ids: bool = False
    source_note: str = ""  # what the pack shows, for the note on page 1
    version: str = ""
    order: str = "zone"  # the zone table and pages: "zone" id, "priority", "status"
    own_bands: bool = False  # zones were judged by bands of their own (band_min/band_max)

    def band(self) -> tuple:
        """The band legends name: the pack's, or (None, None) when each zone has its own."""
        return (None, None) if self.own_bands else (self.target_min, self.target_max)


@dataclass
class PackLayers:
    zones: object  # QgsVectorLayer (memory): coverage + display fields, atlas coverage
    outline: object  # the zone of the page, outlined
    visits: object = None
    waypoints: object = None
    background: list = field(default_factory=list)
    crs: QgsCoordinateReferenceSystem | None = None
    summary: dict = field(default_factory=dict)

    def all(self) -> list:
        return [lay for lay in (self.outline, self.waypoints, self.visits, self.zones) if lay is not None]


# ----------------------------------------------------------------------------- data
def _natural_key(text: str):
    return [int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", str(text))]


def _is_null(value) -> bool:
    return value is None or (hasattr(value, "isNull") and not isinstance(value, str) and value.isNull())


def _epoch(value) -> float | None:
    """A date-time attribute as epoch seconds; zone-less values are UTC (as matchtracks writes them)."""
    from qgis.PyQt.QtCore import QDateTime

    if _is_null(value):
        return None
    if isinstance(value, QDateTime):
        if not value.isValid():
            return None
        if value.timeSpec() == Qt.TimeSpec.LocalTime:
            import datetime as dt

            d, t = value.date(), value.time()
            return dt.datetime(
                d.year(), d.month(), d.day(), t.hour(), t.minute(), t.second(), t.msec() * 1000, tzinfo=dt.timezone.utc
            ).timestamp()
        return value.toMSecsSinceEpoch() / 1000.0
    import pandas as pd

    try:
        ts = pd.Timestamp(str(value))
    except (ValueError, TypeError):
        return None
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return ts.timestamp()


class Clock:
    """Epoch seconds -> local text in the pack's time zone."""

    def __init__(self, timezone: str):
        import pandas as pd

        self.tz = timezone
        try:
            pd.Timestamp(0, unit="s", tz="UTC").tz_convert(timezone)
        except Exception:
            raise BriefingError(f"Unknown time zone '{timezone}': use an IANA name such as Europe/London.") from None

    def local(self, epoch: float):
        import pandas as pd

        return pd.Timestamp(epoch, unit="s", tz="UTC").tz_convert(self.tz)

    def day_time(self, epoch: float | None) -> str:
        return "–" if epoch is None else self.local(epoch).strftime("%d %b %H:%M").lstrip("0")

    def time_after(self, epoch: float | None, since: float | None) -> str:
        """hh:mm when on the same local day as ``since``, else day and time."""
        if epoch is None:
            return "–"
        if since is not None and self.local(epoch).date() == self.local(since).date():
            return self.local(epoch).strftime("%H:%M")
        return self.day_time(epoch)

    def period(self, start: float | None, end: float | None) -> str:
        if start is None or end is None:
            return "no visits recorded"
        a, b = self.local(start), self.local(end)
        if a.date() == b.date():
            return f"{a.strftime('%a %d %b %Y').replace(' 0', ' ')}, {a:%H:%M}–{b:%H:%M}"
        if a.year == b.year:
            return f"{a.strftime('%d %b').lstrip('0')} – {b.strftime('%d %b %Y').lstrip('0')}"
        return f"{a.strftime('%d %b %Y').lstrip('0')} – {b.strftime('%d %b %Y').lstrip('0')}"


def _num_text(value, digits: int = 1) -> str:
    if _is_null(value):
        return "–"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "–"
    return "–" if math.isnan(v) else f"{v:.{digits}f}"


def _minutes(value) -> str:
    text = _num_text(value)
    return text if text == "–" else f"{text} min"


def _int(value) -> int:
    try:
        return 0 if _is_null(value) else int(value)
    except (TypeError, ValueError):
        return 0


def _first_field(names, candidates) -> str | None:
    return next((c for c in candidates if c in names), None)


def _memory_layer(name: str, fields: QgsFields, wkb_type, crs) -> object:
    layer = QgsMemoryProviderUtils.createMemoryLayer(name, fields, wkb_type, crs)
    if layer is None or not layer.isValid():
        raise BriefingError(f"Could not create the temporary layer '{name}'.")
    return layer


def _text_field(name: str, length: int = 0) -> QgsField:
    return fieldtypes.field(name, fieldtypes.STRING, length)


def read_visits(visits_layer, zone_ids: set, clock: Clock, key: str | None, show_ids: bool, feedback=None):
    """Visits of the pack's zones as plain rows, unit ids replaced by pseudonyms unless shown."""
    from ..core.pseudonym import pseudonymise

    names = visits_layer.fields().names()
    missing = [
        f
        for f in (F.ZONE_ID, F.UNIT_ID, F.ENTRY_TIME, F.EXIT_TIME, F.DWELL_MIN, F.BAND, F.PASS_THROUGH)
        if f not in names
    ]
    if missing:
        raise BriefingError(
            f"The visits layer '{visits_layer.name()}' is not a VISITS output of 'Match officer tracks to "
            f"hot spots': it has no field {', '.join(missing)}."
        )
    rows = []
    for i, feat in enumerate(visits_layer.getFeatures()):
        if feedback is not None and i % 2000 == 0 and feedback.isCanceled():
            break
        zone = feat[F.ZONE_ID]
        if _is_null(zone) or str(zone) not in zone_ids:
            continue
        unit = feat[F.UNIT_ID]
        rows.append(
            {
                "zone": str(zone),
                "unit": "" if _is_null(unit) else str(unit),
                "entry": _epoch(feat[F.ENTRY_TIME]),
                "exit": _epoch(feat[F.EXIT_TIME]),
                "dwell": None if _is_null(feat[F.DWELL_MIN]) else float(feat[F.DWELL_MIN]),
                "band": "" if _is_null(feat[F.BAND]) else str(feat[F.BAND]),
                "pass": bool(_int(feat[F.PASS_THROUGH]))
                if not isinstance(feat[F.PASS_THROUGH], bool)
                else feat[F.PASS_THROUGH],
                "geom": QgsGeometry(feat.geometry()),
            }
        )
    if rows and not show_ids:
        if not key:
            raise BriefingError("A pseudonymisation key is needed to hide unit ids.")
        for row, alias in zip(rows, pseudonymise([r["unit"] for r in rows], key)):
            row["unit"] = str(alias)
    rows.sort(key=lambda r: (r["zone"], r["entry"] if r["entry"] is not None else math.inf))
    return rows


def _priority_rank(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 99.0


def build_pack_layers(
    coverage,
    visits=None,
    waypoints=None,
    background=(),
    options: PackOptions | None = None,
    feedback=None,
    crs: QgsCoordinateReferenceSystem | None = None,
) -> PackLayers:
    """Memory copies the layout draws: zones (+display fields), outline, pseudonymised visits, waypoints."""
    options = options or PackOptions()
    missing = styles.missing_coverage_fields(coverage)
    if missing:
        raise BriefingError(
            f"The layer '{coverage.name()}' is not a COVERAGE output of 'Match officer tracks to hot spots': "
            f"it has no field {', '.join(missing)}."
        )
    clock = Clock(options.timezone)
    features = [f for f in coverage.getFeatures() if f.hasGeometry() and not f.geometry().isEmpty()]
    if not features:
        raise BriefingError(f"The coverage layer '{coverage.name()}' has no zones with a geometry: nothing to brief.")
    features.sort(key=lambda f: _natural_key(f[F.ZONE_ID]))
    names = coverage.fields().names()
    name_field = _first_field(names, NAME_FIELDS)
    priority_field = _first_field(names, PRIORITY_FIELDS)
    if options.order == "priority" and priority_field:  # 1 first; zones without a priority last
        features.sort(key=lambda f: 99 if _is_null(f[priority_field]) else _priority_rank(f[priority_field]))
    elif options.order == "status":  # what needs attention first: not visited, below, above, on target
        rank = {STATUS_NOT_VISITED: 0, STATUS_BELOW: 1, STATUS_ABOVE: 2, STATUS_ON: 3}
        features.sort(key=lambda f: rank.get(str(f[F.STATUS]), 4))
    zone_ids = [str(f[F.ZONE_ID]) for f in features]
    if len(set(zone_ids)) != len(zone_ids):
        dup = sorted({z for z in zone_ids if zone_ids.count(z) > 1}, key=_natural_key)
        raise BriefingError(f"Zone ids must be unique in the coverage layer; repeated: {', '.join(dup[:5])}.")

    visit_rows = []
    if visits is not None:
        visit_rows = read_visits(visits, set(zone_ids), clock, options.unit_key, options.show_unit_ids, feedback)
    passes = {}
    for r in visit_rows:
        if r["pass"]:
            passes[r["zone"]] = passes.get(r["zone"], 0) + 1

    # zones: the coverage fields as they are, plus text the layout prints as is
    extra = [
        ("hp_order", fieldtypes.field("hp_order", fieldtypes.INT)),
        ("hp_page", fieldtypes.field("hp_page", fieldtypes.INT)),
        ("hp_name", _text_field("hp_name")),
        ("hp_name_short", _text_field("hp_name_short")),
        ("hp_title", _text_field("hp_title")),
        ("hp_priority", _text_field("hp_priority")),
        ("hp_median", _text_field("hp_median")),
        ("hp_median_min", _text_field("hp_median_min")),
        ("hp_total", _text_field("hp_total")),
        ("hp_presence", _text_field("hp_presence")),
        ("hp_first", _text_field("hp_first")),
        ("hp_last", _text_field("hp_last")),
        ("hp_passes", fieldtypes.field("hp_passes", fieldtypes.INT)),
        ("hp_status_label", _text_field("hp_status_label")),
        ("hp_table_note", _text_field("hp_table_note")),
        ("hp_scale", fieldtypes.field("hp_scale", fieldtypes.INT)),
    ]
    fields = QgsFields()
    kept = []
    for i, f in enumerate(coverage.fields()):
        if f.name().lower() == "fid" or f.name().startswith("hp_"):
            continue
        fields.append(QgsField(f))
        kept.append(i)
    for _, f in extra:
        fields.append(f)
    pack_crs = crs or coverage.crs()
    zones = _memory_layer("Zones (briefing)", fields, coverage.wkbType(), coverage.crs())
    outline = _memory_layer("Zone outline (briefing)", fields, coverage.wkbType(), coverage.crs())

    statuses = {s: 0 for s in STATUS_ORDER}
    firsts, lasts = [], []
    new_feats = []
    for order, feat in enumerate(features, start=1):
        attrs = feat.attributes()
        status = str(feat[F.STATUS]) if not _is_null(feat[F.STATUS]) else STATUS_NOT_VISITED
        statuses[status] = statuses.get(status, 0) + 1
        first, last = _epoch(feat[F.FIRST_ENTRY]), _epoch(feat[F.LAST_EXIT])
        if first is not None:
            firsts.append(first)
        if last is not None:
            lasts.append(last)
        zid = str(feat[F.ZONE_ID])
        name = "" if not name_field or _is_null(feat[name_field]) else str(feat[name_field])
        prio = "" if not priority_field or _is_null(feat[priority_field]) else str(feat[priority_field])
        label = styles.coverage_legend(status, *options.band()) if status in STATUS_ORDER else status
        values = [attrs[i] for i in kept] + [
            order,
            0,
            name,
            name,
            zid,
            prio,
            _num_text(feat[F.DWELL_MEDIAN_MIN]),
            _minutes(feat[F.DWELL_MEDIAN_MIN]),
            _num_text(feat[F.DWELL_TOTAL_MIN]),
            _num_text(feat[F.PRESENCE_MIN]),
            clock.day_time(first),
            clock.day_time(last),
            passes.get(zid, 0),
            label,
            "",
            2500,
        ]
        nf = QgsFeature(fields)
        nf.setAttributes(values)
        nf.setGeometry(QgsGeometry(feat.geometry()))
        new_feats.append(nf)
    zones.dataProvider().addFeatures(new_feats)
    outline.dataProvider().addFeatures(new_feats)
    styles.apply_coverage_style(zones, *options.band())
    styles.load_style(outline, "briefing_zone_outline")

    visits_copy = None
    if visits is not None:
        vfields = QgsFields()
        for name_, kind in (
            (F.ZONE_ID, fieldtypes.STRING),
            ("unit", fieldtypes.STRING),
            ("entry", fieldtypes.STRING),
            ("exit", fieldtypes.STRING),
            ("minutes", fieldtypes.STRING),
            (F.BAND, fieldtypes.STRING),
            (F.PASS_THROUGH, fieldtypes.BOOL),
            ("sort_key", fieldtypes.DOUBLE),
        ):
            vfields.append(fieldtypes.field(name_, kind))
        visits_copy = _memory_layer(
            "Visits (briefing, pseudonymised)" if not options.show_unit_ids else "Visits (briefing)",
            vfields,
            compat.WKB_LINESTRING,
            visits.crs(),
        )
        vfeats = []
        for r in visit_rows:
            nf = QgsFeature(vfields)
            nf.setAttributes(
                [
                    r["zone"],
                    r["unit"],
                    clock.day_time(r["entry"]),
                    clock.time_after(r["exit"], r["entry"]),
                    _num_text(r["dwell"]),
                    r["band"],
                    bool(r["pass"]),
                    r["entry"] if r["entry"] is not None else 0.0,
                ]
            )
            nf.setGeometry(r["geom"])
            vfeats.append(nf)
        visits_copy.dataProvider().addFeatures(vfeats)
        styles.apply_visits_style(visits_copy, *options.band())
        renderer = visits_copy.renderer()
        renderer.setClassAttribute(
            f"CASE WHEN \"{F.ZONE_ID}\" = attribute(@atlas_feature, '{F.ZONE_ID}') THEN "
            f'(CASE WHEN "{F.PASS_THROUGH}" THEN \'{styles.PASS_THROUGH}\' ELSE "{F.BAND}" END) END'
        )

    waypoints_copy = None
    if waypoints is not None:
        waypoints_copy = waypoints.materialize(QgsFeatureRequest())
        waypoints_copy.setName("Waypoints (briefing)")
        styles.apply_workspace_waypoints_style(waypoints_copy)

    units = {r["unit"] for r in visit_rows if not r["pass"]}
    counted = sum(_int(f[F.VISITS]) for f in features)
    presence = sum(float(f[F.PRESENCE_MIN]) for f in features if not _is_null(f[F.PRESENCE_MIN]))
    summary = {
        "zones": len(features),
        "statuses": statuses,
        "visits": counted,
        "passes": sum(passes.values()),
        "units": len(units) if visits is not None else None,
        "presence_h": presence / 60.0,
        "period": options.period or clock.period(min(firsts) if firsts else None, max(lasts) if lasts else None),
        "visits_given": visits is not None,
    }
    return PackLayers(
        zones=zones,
        outline=outline,
        visits=visits_copy,
        waypoints=waypoints_copy,
        background=list(background),
        crs=pack_crs,
        summary=summary,
    )


# ----------------------------------------------------------------------------- layout helpers
def font_family() -> str:
    for name in FONTS:
        if QFontInfo(QFont(name)).family().lower() == name.lower():
            return name
    return QFont().family()


class _Page:
    """Places items on one page of a layout, in millimetres from the page's top left corner."""

    def __init__(self, layout, index: int, family: str, scale: float):
        self.layout, self.index, self.family, self.s = layout, index, family, scale

    def fmt(self, size: float, bold: bool = False, colour: str = INK, italic: bool = False) -> QgsTextFormat:
        font = QFont(self.family)
        font.setBold(bold)
        font.setItalic(italic)
        # no ligatures: "fi" stays two letters, so the PDF's text can be searched and copied
        font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
        fmt = QgsTextFormat()
        fmt.setFont(font)
        fmt.setSize(size * self.s)
        fmt.setColor(QColor(colour))
        return fmt

    def place(self, item, x, y, w, h):
        item.attemptResize(QgsLayoutSize(w, h, compat.LAYOUT_MM))
        item.attemptMove(QgsLayoutPoint(x, y, compat.LAYOUT_MM), True, False, self.index)
        return item

    def label(
        self, x, y, w, h, text, size, bold=False, colour=INK, align="left", valign="top", italic=False, item_id=None
    ):
        item = QgsLayoutItemLabel(self.layout)
        item.setText(text)
        compat.set_label_format(item, self.fmt(size, bold, colour, italic))
        item.setHAlign(
            {
                "left": Qt.AlignmentFlag.AlignLeft,
                "right": Qt.AlignmentFlag.AlignRight,
                "center": Qt.AlignmentFlag.AlignHCenter,
            }[align]
        )
        item.setVAlign(
            {
                "top": Qt.AlignmentFlag.AlignTop,
                "bottom": Qt.AlignmentFlag.AlignBottom,
                "center": Qt.AlignmentFlag.AlignVCenter,
            }[valign]
        )
        item.setMarginX(0)
        item.setMarginY(0)
        if item_id:
            item.setId(item_id)
        self.layout.addLayoutItem(item)
        return self.place(item, x, y, w, h)

    def rect(self, x, y, w, h, fill, stroke=None, stroke_width=0.0, fill_expression=None):
        item = QgsLayoutItemShape(self.layout)
        item.setShapeType(compat.SHAPE_RECTANGLE)
        props = {
            "color": fill,
            "style": "solid",
            "outline_style": "solid" if stroke else "no",
            "outline_color": stroke or fill,
            "outline_width": str(stroke_width),
        }
        symbol = QgsFillSymbol.createSimple(props)
        if fill_expression:
            symbol.symbolLayer(0).setDataDefinedProperty(
                compat.SYMBOL_FILL_COLOR, QgsProperty.fromExpression(fill_expression)
            )
        item.setSymbol(symbol)
        self.layout.addLayoutItem(item)
        return self.place(item, x, y, w, h)

    def polygon(self, points, x, y, w, h, fill, stroke, stroke_width=0.25):
        item = QgsLayoutItemPolygon(QPolygonF([QPointF(px, py) for px, py in points]), self.layout)
        item.setSymbol(
            QgsFillSymbol.createSimple(
                {
                    "color": fill,
                    "style": "solid",
                    "outline_color": stroke,
                    "outline_width": str(stroke_width),
                    "joinstyle": "miter",
                }
            )
        )
        self.layout.addLayoutItem(item)
        return self.place(item, x, y, w, h)

    def north_arrow(self, x, y, size):
        """A two-tone arrow with an N above it, drawn from shapes (no SVG library needed)."""
        letter = 3.0 * self.s  # the N, above the arrow
        half = size * 0.3
        tip_y, base_y = letter + 0.3, size + 1.0
        notch_y = base_y - (base_y - tip_y) * 0.2
        cx = size / 2
        left = [(cx, tip_y), (cx - half, base_y), (cx, notch_y)]
        right = [(cx, tip_y), (cx, notch_y), (cx + half, base_y)]
        self.polygon(left, x + cx - half, y + tip_y, half, base_y - tip_y, NAVY, NAVY)
        self.polygon(right, x + cx, y + tip_y, half, base_y - tip_y, "#ffffff", NAVY)
        self.label(x, y, size, letter, "N", 7.5, bold=True, colour=NAVY, align="center", valign="bottom")

    def map(self, x, y, w, h, layers, crs, item_id):
        item = QgsLayoutItemMap(self.layout)
        item.setId(item_id)
        item.setCrs(crs)
        item.setLayers(layers)
        item.setKeepLayerSet(True)
        item.setFrameEnabled(True)
        item.setFrameStrokeColor(QColor("#8a93a3"))
        item.setFrameStrokeWidth(QgsLayoutMeasurement(0.25, compat.LAYOUT_MM))
        item.setBackgroundColor(QColor("#ffffff"))
        self.layout.addLayoutItem(item)
        self.place(item, x, y, w, h)
        return item

    def scale_bar(self, x, y, w, h, linked_map, kilometres: bool):
        bar = QgsLayoutItemScaleBar(self.layout)
        bar.setStyle("Single Box")
        bar.setLinkedMap(linked_map)
        bar.setUnits(compat.DISTANCE_KILOMETERS if kilometres else compat.DISTANCE_METERS)
        bar.setUnitLabel("km" if kilometres else "m")
        bar.setNumberOfSegments(2)
        bar.setNumberOfSegmentsLeft(0)
        bar.setSegmentSizeMode(compat.SCALEBAR_FIT_WIDTH)
        bar.setMinimumBarWidth(w * 0.45)
        bar.setMaximumBarWidth(w * 0.8)
        bar.setHeight(1.6 * self.s)
        bar.setTextFormat(self.fmt(7, colour=INK))
        bar.setFillSymbol(QgsFillSymbol.createSimple({"color": NAVY, "style": "solid", "outline_style": "no"}))
        bar.setAlternateFillSymbol(
            QgsFillSymbol.createSimple({"color": "#ffffff", "style": "solid", "outline_style": "no"})
        )
        bar.setLineSymbol(QgsLineSymbol.createSimple({"line_color": NAVY, "line_width": "0.25"}))
        bar.setAlignment(compat.SCALEBAR_ALIGN_LEFT)
        self.layout.addLayoutItem(bar)
        self.place(bar, x, y, w, h)
        return bar

    def legend(self, x, y, w, h, entries, linked_map, title="", columns=1, item_id=None):
        """A legend of ``entries`` [(layer, heading, label)] in that order: a heading makes the layer a
        subgroup of its classes; without one the layer shows as one line (its symbol and ``label``)."""
        legend = QgsLayoutItemLegend(self.layout)
        if item_id:
            legend.setId(item_id)
        legend.setAutoUpdateModel(False)
        legend.setLinkedMap(linked_map)
        legend.setTitle(title)
        legend.setColumnCount(columns)
        legend.setSplitLayer(columns > 1)
        legend.setEqualColumnWidth(False)
        legend.setSymbolWidth(6 * self.s)
        legend.setSymbolHeight(3.2 * self.s)
        legend.setMaximumSymbolSize(6 * self.s)
        legend.setWrapString("\n")
        legend.setBoxSpace(0)
        legend.setColumnSpace(5)
        legend.setBackgroundEnabled(False)
        legend.setFrameEnabled(False)
        root = legend.model().rootGroup()
        root.clear()
        model = legend.model()
        for layer, heading, label in entries:
            node = root.addLayer(layer)
            if heading:
                node.setUseLayerName(False)
                node.setName(heading)
                QgsLegendRenderer.setNodeLegendStyle(node, compat.LEGEND_SUBGROUP)
            else:
                QgsLegendRenderer.setNodeLegendStyle(node, compat.LEGEND_HIDDEN)
            if label:
                QgsMapLayerLegendUtils.setLegendNodeUserLabel(node, 0, label)
                # a fixed patch: symbols sized in metres would otherwise grow with the map scale
                node.setPatchSize(QSizeF(6 * self.s, 4 * self.s))
                model.refreshLayerLegend(node)
        compat.set_legend_format(legend, compat.LEGEND_TITLE, self.fmt(9, bold=True, colour=NAVY))
        compat.set_legend_format(legend, compat.LEGEND_SUBGROUP, self.fmt(8, bold=True, colour=NAVY))
        compat.set_legend_format(legend, compat.LEGEND_SYMBOL_LABEL, self.fmt(7.5, colour=INK))
        legend.rstyle(compat.LEGEND_SUBGROUP).setMargin(compat.LEGEND_SIDE_TOP, 0.0)
        legend.rstyle(compat.LEGEND_SUBGROUP).setMargin(compat.LEGEND_SIDE_BOTTOM, 1.0)
        legend.rstyle(compat.LEGEND_SYMBOL_LABEL).setMargin(compat.LEGEND_SIDE_TOP, 0.8)
        legend.rstyle(compat.LEGEND_SYMBOL).setMargin(compat.LEGEND_SIDE_TOP, 0.8)
        legend.setResizeToContents(True)
        self.layout.addLayoutItem(legend)
        self.place(legend, x, y, w, h)
        legend.updateLegend()
        # resize now: QGIS sizes a legend to its contents only once it has been drawn
        context = QgsLayoutUtils.createRenderContextForLayout(self.layout, None)
        size = QgsLegendRenderer(legend.model(), legend.legendSettings()).minimumSize(context)
        if size.isValid():
            legend.attemptResize(QgsLayoutSize(w, size.height(), compat.LAYOUT_MM))
        return legend

    CELL_MARGIN = 1.0
    TABLE_TEXT = 7.0

    def column_widths(self, columns, frame_w: float) -> list[float]:
        """Content widths (mm) of ``columns`` sharing ``frame_w``; QGIS adds the cell margins."""
        content_w = frame_w - 2 * self.CELL_MARGIN * self.s * len(columns) - 0.4
        total = sum(c[2] for c in columns)
        return [round(content_w * c[2] / total, 2) for c in columns]

    def elide(self, texts: dict, width_mm: float, size: float | None = None, bold: bool = False) -> dict:
        """``texts`` shortened with an ellipsis to fit ``width_mm`` (table font unless ``size`` given)."""
        from qgis.core import QgsTextRenderer

        context = QgsLayoutUtils.createRenderContextForLayout(self.layout, None)
        fmt = self.fmt(size or self.TABLE_TEXT, bold=bold)
        per_mm = context.convertToPainterUnits(1, compat.RENDER_MM)

        def width(text):
            return QgsTextRenderer.textWidth(context, fmt, [text]) / per_mm

        out = {}
        for key, text in texts.items():
            if width(text) <= width_mm:
                out[key] = text
                continue
            lo, hi = 0, len(text)
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if width(text[:mid].rstrip() + "…") <= width_mm else (lo, mid)
            out[key] = text[:lo].rstrip() + "…"
        return out

    def table(
        self,
        layer,
        columns,
        frames,
        item_id,
        sort_field=None,
        max_rows=None,
        filter_expr=None,
        empty_message="",
        conditional=False,
    ):
        """An attribute table of ``layer`` with ``columns`` [(heading, expression, share of the width,
        align)] in ``frames`` [(page, x, y, w, h)] (the first frame's width sets the column widths)."""
        table = QgsLayoutItemAttributeTable.create(self.layout)
        self.layout.addMultiFrame(table)
        table.setVectorLayer(layer)
        margin = self.CELL_MARGIN * self.s
        cols = []
        for (heading, expression, _, align), width in zip(columns, self.column_widths(columns, frames[0][3])):
            col = QgsLayoutTableColumn(heading)
            col.setAttribute(expression)
            col.setWidth(width)
            col.setHAlignment(Qt.AlignmentFlag.AlignRight if align == "right" else Qt.AlignmentFlag.AlignLeft)
            cols.append(col)
        table.setColumns(cols)
        if sort_field:
            sort = QgsLayoutTableColumn(sort_field)
            sort.setAttribute(sort_field)
            sort.setSortOrder(Qt.SortOrder.AscendingOrder)
            table.setSortColumns([sort])
        if filter_expr:
            table.setFilterFeatures(True)
            table.setFeatureFilter(filter_expr)
        table.setMaximumNumberOfFeatures(max_rows if max_rows is not None else 1_000_000)
        table.setHeaderTextFormat(self.fmt(self.TABLE_TEXT, bold=True, colour=NAVY))
        table.setContentTextFormat(self.fmt(self.TABLE_TEXT, colour=INK))
        table.setHeaderMode(compat.TABLE_HEADERS_ALL_FRAMES)
        table.setHeaderHAlignment(compat.TABLE_HEADER_FOLLOW_COLUMN)
        table.setCellMargin(margin)
        table.setShowGrid(True)
        table.setVerticalGrid(False)
        table.setHorizontalGrid(True)
        table.setGridColor(QColor(RULE))
        table.setGridStrokeWidth(0.15)
        table.setBackgroundColor(QColor("#ffffff"))
        odd = QgsLayoutTableStyle()
        odd.enabled = True
        odd.cellBackgroundColor = QColor(ROW_BG)
        table.setCellStyle(compat.TABLE_ODD_ROWS, odd)
        header = QgsLayoutTableStyle()
        header.enabled = True
        header.cellBackgroundColor = QColor(HEADER_BG)
        table.setCellStyle(compat.TABLE_HEADER_ROW, header)
        table.setEmptyTableBehavior(compat.TABLE_EMPTY_SHOW_MESSAGE)
        table.setEmptyTableMessage(empty_message)
        table.setUseConditionalStyling(conditional)
        table.setResizeMode(compat.FRAMES_USE_EXISTING)
        for page, x, y, w, h in frames:
            frame = QgsLayoutFrame(self.layout, table)
            frame.setId(item_id if not table.frameCount() else f"{item_id}_{table.frameCount() + 1}")
            frame.attemptResize(QgsLayoutSize(w, h, compat.LAYOUT_MM))
            frame.attemptMove(QgsLayoutPoint(x, y, compat.LAYOUT_MM), True, False, page)
            table.addFrame(frame)
        table.refresh()
        return table


def _tint(colour: str, amount: float = 0.35) -> str:
    """``colour`` mixed with white: ``amount`` of the colour (light backgrounds for text)."""
    c = QColor(colour)
    mix = [round(v * amount + 255 * (1 - amount)) for v in (c.red(), c.green(), c.blue())]
    return QColor(*mix).name()


def _status_case(values: dict, field_name: str = F.STATUS, default: str = "#bdbdbd") -> str:
    whens = " ".join(f"WHEN \"{field_name}\" = '{k}' THEN '{v}'" for k, v in values.items())
    return f"CASE {whens} ELSE '{default}' END"


def _rows_fitting(table, frame_height: float, cap: int = 500) -> int:
    """How many rows of ``table`` fit in its first frame when that frame is ``frame_height`` mm high
    (header included), found with QGIS's own table arithmetic: a table that needs no further frame
    reports the frames' height as its total height."""
    layer = table.vectorLayer()
    n = min(layer.featureCount() if layer is not None else 0, cap)
    frame = table.frame(0)
    old_h = frame.rect().height()
    filtered, limit = table.filterFeatures(), table.maximumNumberOfFeatures()
    frame.attemptResize(QgsLayoutSize(frame.rect().width(), frame_height, compat.LAYOUT_MM))
    table.setFilterFeatures(False)

    def fits(k: int) -> bool:
        table.setMaximumNumberOfFeatures(k)
        table.refreshAttributes()
        return table.totalHeight() <= frame_height + 1e-6

    lo, hi = 1, max(n, 1)
    if fits(hi):
        lo = hi
    else:
        while hi - lo > 1:  # fits(lo) is assumed: one row always fits a frame we make
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    frame.attemptResize(QgsLayoutSize(frame.rect().width(), old_h, compat.LAYOUT_MM))
    table.setMaximumNumberOfFeatures(limit)
    table.setFilterFeatures(filtered)
    table.refreshAttributes()
    return lo


def _set_zone_values(layer, field_name: str, values: dict) -> None:
    idx = layer.fields().indexFromName(field_name)
    changes = {}
    for feat in layer.getFeatures():
        key = str(feat[F.ZONE_ID])
        if key in values:
            changes[feat.id()] = {idx: values[key]}
    if changes:
        layer.dataProvider().changeAttributeValues(changes)


def _exclude_after_first_feature(page) -> None:
    page.dataDefinedProperties().setProperty(
        compat.DD_EXCLUDE_FROM_EXPORTS, QgsProperty.fromExpression("coalesce(@atlas_featurenumber, 1) > 1")
    )


def _zones_extent(layer, crs) -> QgsRectangle:
    from qgis.core import QgsCoordinateTransform, QgsProject

    extent = QgsRectangle(layer.extent())
    if layer.crs() != crs:
        extent = QgsCoordinateTransform(layer.crs(), crs, QgsProject.instance()).transformBoundingBox(extent)
    return extent


@dataclass
class LayoutInfo:
    overview_pages: int
    zones: int

    @property
    def pages(self) -> int:
        return self.overview_pages + self.zones


@dataclass
class _Grid:
    """The page grid every page of the pack shares (millimetres)."""

    W: float  # noqa: N815 - page width, as in print design
    H: float  # noqa: N815
    s: float  # text scale: 1 on A4, larger on A3
    M: float  # noqa: N815 - margin
    family: str

    def __post_init__(self):
        self.header_h = 19.0 * self.s
        self.top = self.M + self.header_h + 4.0
        self.footer_y = self.H - self.M - 8.0 * self.s
        self.bottom = self.footer_y - 3.0
        self.right_w = round(self.W * 0.39)
        self.gap = 6.0
        self.map_w = self.W - 2 * self.M - self.right_w - self.gap
        self.map_h = self.bottom - self.top - 11.0 * self.s
        self.right_x = self.M + self.map_w + self.gap
        self.kicker_w = 95.0 * self.s  # the right of the header: kicker, date, status chip
        self.title_w = self.W - 2 * self.M - self.kicker_w - 5.0

    def page(self, layout, index: int) -> _Page:
        return _Page(layout, index, self.family, self.s)

    def header(self, pg: _Page, title: str, sub: str, kicker: str) -> None:
        M, W, s = self.M, self.W, self.s  # noqa: N806
        pg.label(M, M, self.title_w, 11.5 * s, title, 20, bold=True, colour=NAVY, valign="bottom")
        pg.label(M, M + 12.5 * s, self.title_w, 5.5 * s, sub, 10, colour=MUTED)
        k = self.kicker_w
        pg.label(W - M - k, M + 1.5 * s, k, 5 * s, kicker, 7.5, bold=True, colour=MUTED, align="right")
        pg.rect(M, M + self.header_h, W - 2 * M, 0.6, NAVY)

    def footer(self, pg: _Page, note: str, page_text: str) -> None:
        M, W, s = self.M, self.W, self.s  # noqa: N806
        pg.rect(M, self.footer_y - 1.6, W - 2 * M, 0.2, RULE)
        pg.label(M, self.footer_y, W - 2 * M - 34, 8.0 * s, note, 6.5, colour=MUTED)
        pg.label(W - M - 30, self.footer_y, 30, 4 * s, page_text, 7.5, colour=NAVY, align="right")

    def map_furniture(self, pg: _Page, map_item, kilometres: bool) -> None:
        """Scale bar under the map's left corner, north arrow under its right corner."""
        y = self.top + self.map_h + 2.5
        pg.scale_bar(self.M, y, 80, 8 * self.s, map_item, kilometres)
        pg.north_arrow(self.M + self.map_w - 8 * self.s, y - 1.0, 8 * self.s)


def _nice_scale(needed: float) -> int:
    for scale in PREDEFINED_SCALES:
        if scale >= needed:
            return scale
    return int(math.ceil(needed / 50000.0) * 50000)


def _zone_scales(layer, crs, map_w: float, map_h: float, margin: float = 0.3, minimum: int = 1000) -> dict:
    """A round map scale per zone at which the zone and a margin of its size fit the zone map."""
    from qgis.core import QgsCoordinateTransform, QgsProject

    transform = None if layer.crs() == crs else QgsCoordinateTransform(layer.crs(), crs, QgsProject.instance())
    scales = {}
    for f in layer.getFeatures():
        box = f.geometry().boundingBox()
        if transform is not None:
            box = transform.transformBoundingBox(box)
        grow = 1.0 + 2.0 * margin
        needed = max(box.width() * grow / (map_w / 1000.0), box.height() * grow / (map_h / 1000.0), minimum)
        scales[str(f[F.ZONE_ID])] = _nice_scale(needed)
    return scales


def _label_font(layer, family: str) -> None:
    """The pack's font for a layer's map labels (size, colour and buffer stay as styled)."""
    labeling = layer.labeling() if layer is not None else None
    if labeling is None:
        return
    settings = labeling.settings()
    fmt = settings.format()
    font = QFont(family)
    font.setItalic(fmt.font().italic())
    font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
    fmt.setFont(font)
    settings.setFormat(fmt)
    labeling.setSettings(settings)


def _label_rules(layer) -> None:
    """The coverage labels in the pack: ids only on the overview, none in the locator, none for the
    zone a page is about (its name is the page title), the full label for its neighbours."""
    labeling = layer.labeling()
    if labeling is None:
        return
    settings = labeling.settings()
    settings.fieldName = (
        f"CASE WHEN @map_id = '{LOCATOR_MAP}' THEN NULL "
        f"WHEN @map_id = '{OVERVIEW_MAP}' THEN \"{F.ZONE_ID}\" "
        f"WHEN @map_id = '{ZONE_MAP}' AND \"{F.ZONE_ID}\" = attribute(@atlas_feature, '{F.ZONE_ID}') THEN NULL "
        f"ELSE ({settings.fieldName}) END"
    )
    labeling.setSettings(settings)


def _fade_on_zone_pages(layer, alpha: int = 90) -> None:
    """Lighter zone fills on the zone pages, so the visit paths drawn over them stand out."""
    renderer = layer.renderer()
    for i, cat in enumerate(renderer.categories()):
        symbol = cat.symbol().clone()
        fill = symbol.symbolLayer(0)
        c = fill.color()
        rgba = f"{c.red()},{c.green()},{c.blue()}"
        fill.setDataDefinedProperty(
            compat.SYMBOL_FILL_COLOR,
            QgsProperty.fromExpression(f"if(@map_id = '{ZONE_MAP}', '{rgba},{alpha}', '{rgba},{c.alpha()}')"),
        )
        renderer.updateCategorySymbol(i, symbol)


def build_layout(project, layers: PackLayers, options: PackOptions, name: str) -> tuple[object, LayoutInfo]:
    """The print layout of the pack (not yet added to the project's layout manager)."""
    if options.paper not in PAPERS:
        raise BriefingError(f"Unknown paper size '{options.paper}': use A4 or A3.")
    W, H = PAPERS[options.paper]  # noqa: N806 - page width and height, as in print design
    a4 = options.paper == "A4"
    g = _Grid(W, H, 1.0 if a4 else 1.25, 10.0 if a4 else 13.0, font_family())

    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName(name)
    layout.renderContext().setTextRenderFormat(compat.TEXT_ALWAYS_TEXT)
    pages = layout.pageCollection()
    pages.page(0).setPageSize(QgsLayoutSize(W, H, compat.LAYOUT_MM))

    _label_rules(layers.zones)
    _label_font(layers.zones, g.family)
    _label_font(layers.waypoints, g.family)
    _fade_on_zone_pages(layers.zones)
    _status_row_styles(layers.zones)
    atlas = layout.atlas()
    atlas.setCoverageLayer(layers.zones)
    atlas.setEnabled(True)
    atlas.setSortFeatures(True)
    atlas.setSortExpression('"hp_order"')
    atlas.setPageNameExpression(f'"{F.ZONE_ID}"')
    atlas.setFilenameExpression(f"'zone_' || \"{F.ZONE_ID}\"")
    atlas.updateFeatures()

    overview_pages = _overview(layout, g, layers, options)
    total_pages = f"{overview_pages} + coalesce(@atlas_totalfeatures, 0)"
    for pi in range(overview_pages):
        _exclude_after_first_feature(pages.page(pi))
        g.footer(
            g.page(layout, pi),
            _source_note(options) + "\n" + _ids_note(options),
            f"Page {pi + 1} of [% {total_pages} %]",
        )
    _set_zone_values(
        layers.zones,
        "hp_page",
        {str(f[F.ZONE_ID]): overview_pages + int(f["hp_order"]) for f in layers.zones.getFeatures()},
    )
    _zone_page(layout, g, layers, options, overview_pages, total_pages)
    return layout, LayoutInfo(overview_pages=overview_pages, zones=atlas.count())


def _ids_note(options: PackOptions) -> str:
    if options.show_unit_ids:
        return "Unit ids are shown as recorded: this pack identifies officers."
    return "Unit ids are pseudonyms (keyed hash): the same unit has the same pseudonym throughout."


def _overview(layout, g: _Grid, layers: PackLayers, options: PackOptions) -> int:
    """Page 1 (and continuation pages for a long zones table); returns how many pages it took."""
    summary = layers.summary
    M, s = g.M, g.s  # noqa: N806
    p1 = g.page(layout, 0)
    subtitle = " · ".join(t for t in (options.area, summary["period"]) if t)
    title = p1.elide({0: options.title}, g.title_w - 1, size=20, bold=True)[0]
    subtitle = p1.elide({0: subtitle}, g.title_w - 1, size=10)[0]
    g.header(p1, title, subtitle, "HOT SPOT PATROL · BRIEFING PACK")
    p1.label(
        g.W - M - g.kicker_w,
        M + 7 * s,
        g.kicker_w,
        4.5 * s,
        "Produced [% format_date(now(), 'd MMMM yyyy, HH:mm') %]",
        7.5,
        colour=MUTED,
        align="right",
    )

    ov_map = p1.map(M, g.top, g.map_w, g.map_h, [layers.zones, *layers.background], layers.crs, OVERVIEW_MAP)
    ext = _zones_extent(layers.zones, layers.crs)
    ext.grow(max(ext.width(), ext.height()) * 0.06 + 30)
    ov_map.zoomToExtent(ext)
    g.map_furniture(p1, ov_map, ext.width() > 6000)

    # status tiles: how many zones in each status, coloured like the map
    x0, w, y = g.right_x, g.right_w, g.top
    tile_gap = 2.0
    tile_w = (w - 3 * tile_gap) / 4
    tile_h = 15.0 * s
    for i, status in enumerate(STATUS_ORDER):
        x = x0 + i * (tile_w + tile_gap)
        colour = styles.STATUS_COLOURS[status]
        p1.rect(x, y, tile_w, tile_h, _tint(colour, 0.22))
        p1.rect(x, y, tile_w, 1.6, colour)
        p1.label(x + 2, y + 2.6, tile_w - 4, 7.5 * s, str(summary["statuses"].get(status, 0)), 16, bold=True)
        p1.label(x + 2, y + 2.6 + 7.6 * s, tile_w - 4, 4 * s, status, 7)  # the status is its own label
    y += tile_h + 3.5
    legend = p1.legend(
        x0,
        y,
        w,
        25 * s,
        [(layers.zones, "Zone status, judged on the median visit", None)],
        ov_map,
        item_id="hp_overview_legend",
    )
    y += legend.sizeWithUnits().height() + 2.5
    line1 = [f"{summary['zones']} zones", f"{summary['visits']} counted visits"]
    line2 = []
    if summary["visits_given"]:
        line1.append(f"{summary['passes']} pass-throughs (not counted)")
        line2.append(f"{summary['units']} units")
    line2.append(f"{summary['presence_h']:.1f} h with at least one unit in a zone")
    p1.label(x0, y, w, 8.5 * s, " · ".join(line1) + "\n" + " · ".join(line2), 7.5)
    y += 9.5 * s
    p1.label(x0, y, w, 5 * s, "Zones", 9, bold=True, colour=NAVY)
    y += 5.5 * s

    # the zones table: measured, then spread over page 1 and as many continuation pages as needed
    columns = [
        ("Zone", F.ZONE_ID, 10, "left"),
        ("Name", "hp_name_short", 32, "left"),
        ("Pri.", "hp_priority", 4.5, "right"),
        ("Visits", F.VISITS, 7, "right"),
        ("Median", "hp_median_min", 11.5, "right"),
        ("Status", F.STATUS, 14.5, "left"),
        ("Last visit", "hp_last", 15, "left"),
        ("Page", "hp_page", 5, "right"),
    ]
    first_h = g.bottom - y
    name_w = p1.column_widths(columns, w)[1]
    names = {str(f[F.ZONE_ID]): f["hp_name"] or "" for f in layers.zones.getFeatures()}
    _set_zone_values(layers.zones, "hp_name_short", p1.elide(names, name_w))
    table = p1.table(
        layers.zones, columns, [(0, x0, y, w, first_h)], ZONES_TABLE, sort_field="hp_order", conditional=True
    )
    n = summary["zones"]
    per_page = 2 if options.paper == "A4" else 3
    cont_h = g.bottom - g.top
    first_rows = _rows_fitting(table, first_h)
    cont_rows = _rows_fitting(table, cont_h) if n > first_rows else n
    frames = 0 if n <= first_rows else math.ceil((n - first_rows) / cont_rows)
    extra_pages = math.ceil(frames / per_page)
    for pi in range(1, extra_pages + 1):
        page = QgsLayoutItemPage(layout)
        page.setPageSize(QgsLayoutSize(g.W, g.H, compat.LAYOUT_MM))
        layout.pageCollection().addPage(page)
        pg = g.page(layout, pi)
        g.header(
            pg,
            title,
            p1.elide({0: f"Zones (continued) · {subtitle}"}, g.title_w - 1, size=10)[0],
            "HOT SPOT PATROL · BRIEFING PACK",
        )
        for c in range(per_page):
            if frames <= 0:
                break
            frame = QgsLayoutFrame(layout, table)
            frame.setId(f"{ZONES_TABLE}_{table.frameCount() + 1}")
            frame.attemptResize(QgsLayoutSize(w, cont_h, compat.LAYOUT_MM))
            frame.attemptMove(QgsLayoutPoint(M + c * (w + g.gap), g.top, compat.LAYOUT_MM), True, False, pi)
            table.addFrame(frame)
            frames -= 1
    table.refresh()
    return 1 + extra_pages


def _zone_page(layout, g: _Grid, layers: PackLayers, options: PackOptions, first_page: int, total_pages: str):
    """The atlas page: one zone, its waypoints and visits, key figures and the visits table."""
    M, W, s = g.M, g.W, g.s  # noqa: N806
    page = QgsLayoutItemPage(layout)
    page.setPageSize(QgsLayoutSize(g.W, g.H, compat.LAYOUT_MM))
    layout.pageCollection().addPage(page)
    zp = g.page(layout, first_page)
    summary = layers.summary
    sub = "[% if(\"hp_priority\" = '', '', 'Priority ' || \"hp_priority\" || ' · ') %]" + summary["period"]
    titles = {
        str(f[F.ZONE_ID]): str(f[F.ZONE_ID]) + (f" · {f['hp_name']}" if f["hp_name"] else "")
        for f in layers.zones.getFeatures()
    }
    _set_zone_values(layers.zones, "hp_title", zp.elide(titles, g.title_w - 1, size=20, bold=True))
    g.header(zp, '[% "hp_title" %]', sub, "ZONE [% @atlas_featurenumber %] OF [% @atlas_totalfeatures %]")
    chip = 4.2 * s
    k = g.kicker_w
    zp.rect(
        W - M - k,
        M + 8 * s,
        chip,
        chip,
        "#bdbdbd",
        stroke="#333333",
        stroke_width=0.2,
        fill_expression=_status_case(styles.STATUS_COLOURS),
    )
    zp.label(W - M - k + chip + 2, M + 7.7 * s, k - chip - 2, 5 * s, '[% "hp_status_label" %]', 9, bold=True)

    zone_layers = [lay for lay in (layers.outline, layers.waypoints, layers.visits, layers.zones) if lay is not None]
    zmap = zp.map(M, g.top, g.map_w, g.map_h, zone_layers + list(layers.background), layers.crs, ZONE_MAP)
    _set_zone_values(layers.zones, "hp_scale", _zone_scales(layers.zones, layers.crs, g.map_w, g.map_h))
    zmap.setAtlasDriven(True)
    zmap.setAtlasScalingMode(compat.ATLAS_SCALE_FIXED)
    zmap.dataDefinedProperties().setProperty(compat.DD_MAP_SCALE, QgsProperty.fromExpression('"hp_scale"'))
    zmap.zoomToExtent(_zones_extent(layers.zones, layers.crs))
    g.map_furniture(zp, zmap, False)

    # key figures beside a locator map
    x0, w, y = g.right_x, g.right_w, g.top
    fig_w = w * 0.6
    fig_h = 42.0 * s
    rows = [
        ("Counted visits", f'[% "{F.VISITS}" %]'),
        ("Short · in band · long", f'[% "{F.VISITS_SHORT}" %] · [% "{F.VISITS_TARGET}" %] · [% "{F.VISITS_LONG}" %]'),
        ("Median visit", "[% \"hp_median\" || if(\"hp_median\" = '–', '', ' min') %]"),
        ("Time in zone, all visits", "[% \"hp_total\" || if(\"hp_total\" = '–', '', ' min') %]"),
        ("Presence (any unit)", "[% \"hp_presence\" || if(\"hp_presence\" = '–', '', ' min') %]"),
        ("Units", f'[% "{F.UNITS}" %]'),
        ("First visit", '[% "hp_first" %]'),
        ("Last visit", '[% "hp_last" %]'),
    ]
    if summary["visits_given"]:
        rows.append(("Pass-throughs (not counted)", '[% "hp_passes" %]'))
    zp.label(x0, y, fig_w, 5 * s, "Key figures", 9, bold=True, colour=NAVY)
    zp.label(x0, y + 6 * s, fig_w * 0.64, fig_h, "\n".join(r[0] for r in rows), 7.5, colour=MUTED)
    zp.label(x0 + fig_w * 0.64, y + 6 * s, fig_w * 0.36, fig_h, "\n".join(r[1] for r in rows), 7.5, bold=True)
    loc_x = x0 + fig_w + 3
    loc = zp.map(
        loc_x, y + 1, x0 + w - loc_x, fig_h + 4 * s, [layers.zones, *layers.background], layers.crs, LOCATOR_MAP
    )
    loc_ext = _zones_extent(layers.zones, layers.crs)
    loc_ext.grow(max(loc_ext.width(), loc_ext.height()) * 0.12 + 30)
    loc.zoomToExtent(loc_ext)
    overview = loc.overview()
    overview.setLinkedMap(zmap)
    overview.setFrameSymbol(
        QgsFillSymbol.createSimple(
            {"color": "213,94,0,60", "style": "solid", "outline_color": "#d55e00", "outline_width": "0.5"}
        )
    )
    y += fig_h + 6 * s + 3

    entries = []
    if layers.visits is not None:
        entries.append((layers.visits, "Visit paths in this zone", None))
    if layers.waypoints is not None:
        entries.append(
            (layers.waypoints, None, f"waypoint, with its {styles.DEFAULT_WAYPOINT_RADIUS:g} m presence radius dashed")
        )
    entries.append((layers.outline, None, "this zone"))
    legend = zp.legend(x0, y, w, 30 * s, entries, zmap, item_id="hp_zone_legend")
    y += legend.sizeWithUnits().height() + 5
    legend.setLegendFilterByMapEnabled(True)  # each page's legend: only what its map shows (waypoints ...)

    zp.label(x0, y, w, 5 * s, "Visits in the period", 9, bold=True, colour=NAVY)
    y += 5.5 * s
    visits_h = g.bottom - y - 5 * s
    if layers.visits is not None:
        vcols = [
            ("Unit", "unit", 23, "left"),
            ("Entry", "entry", 25, "left"),
            ("Exit", "exit", 18, "left"),
            ("Minutes", "minutes", 14, "right"),
            ("Band", F.BAND, 20, "left"),
        ]
        vtable = zp.table(
            layers.visits,
            vcols,
            [(first_page, x0, y, w, visits_h)],
            VISITS_TABLE,
            sort_field="sort_key",
            filter_expr=f'"{F.ZONE_ID}" = attribute(@atlas_feature, \'{F.ZONE_ID}\') AND NOT "{F.PASS_THROUGH}"',
            empty_message="No counted visits in this period.",
        )
        if layers.visits.featureCount():
            max_rows = _rows_fitting(vtable, visits_h)
            vtable.setMaximumNumberOfFeatures(max_rows)
            vtable.refresh()
            _set_zone_values(
                layers.zones,
                "hp_table_note",
                {
                    str(f[F.ZONE_ID]): (
                        f"Showing the first {max_rows} of {_int(f[F.VISITS])} counted visits "
                        "(by entry time); all are in the VISITS layer."
                    )
                    for f in layers.zones.getFeatures()
                    if _int(f[F.VISITS]) > max_rows
                },
            )
        zp.label(x0, g.bottom - 4 * s, w, 4 * s, '[% "hp_table_note" %]', 6.5, colour=MUTED, italic=True)
    else:
        zp.label(
            x0, y, w, 10 * s, "No visits layer was given, so visits are not listed.", 7.5, colour=MUTED, italic=True
        )
    g.footer(
        zp,
        f"{options.title} · {summary['period']}. {_ids_note(options)}\n"
        f"Times are local ({options.timezone}). A visit is a unit's time inside the zone, measured "
        "from its location pings; visits shorter than the minimum dwell are pass-throughs and are "
        "not counted.",
        f"Page [% {first_page} + @atlas_featurenumber %] of [% {total_pages} %]",
    )


def _status_row_styles(layer) -> None:
    """Status cells of the zones table tinted like the map (conditional styles of the memory copy)."""
    styles_ = []
    for status, colour in styles.STATUS_COLOURS.items():
        style = QgsConditionalStyle(f"@value = '{status}'")
        style.setBackgroundColor(QColor(_tint(colour, 0.45)))
        style.setTextColor(QColor(INK))
        styles_.append(style)
    layer.conditionalStyles().setFieldStyles(F.STATUS, styles_)


def _source_note(options: PackOptions) -> str:
    band = "zone's own" if options.own_bands else f"{options.target_min:g}–{options.target_max:g} min"
    parts = [
        f"Source: {options.source_note}." if options.source_note else "",
        f"Measured with Hotspot Patrol {options.version}:".replace(" :", ":"),
        "a visit is a unit's time inside a zone from its location pings (pass-throughs not counted);",
        f"status compares each zone's median visit with the {band} target band.",
        f"Times are local ({options.timezone}).",
    ]
    return " ".join(p for p in parts if p)


# ----------------------------------------------------------------------------- export
def pdf_settings():
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.dpi = 300
    settings.rasterizeWholeImage = False
    settings.forceVectorOutput = True
    settings.textRenderFormat = compat.TEXT_ALWAYS_TEXT
    settings.appendGeoreference = False
    settings.exportMetadata = True
    return settings


def export_pdf(layout, path: str, feedback=None, title: str = "") -> None:
    """The pack as one PDF; ``title`` becomes the PDF's title (what a reader's title bar and file
    list show), written by GDAL's PDF driver as an incremental update after QGIS has exported."""
    result, error = QgsLayoutExporter.exportToPdf(layout.atlas(), path, pdf_settings(), feedback)
    if result == QgsLayoutExporter.ExportResult.Success and title:
        _set_pdf_title(path, title)
    if result != QgsLayoutExporter.ExportResult.Success:
        raise BriefingError(f"Could not write the PDF '{path}': {error or _export_problem(result)}.")


def _set_pdf_title(path: str, title: str) -> None:
    try:
        from osgeo import gdal

        with gdal.ExceptionMgr(useExceptions=True) if hasattr(gdal, "ExceptionMgr") else _nothing():
            ds = gdal.Open(path, gdal.GA_Update)
            if ds is not None:
                ds.SetMetadataItem("TITLE", title)
                ds = None  # written on close
    except Exception:  # noqa: BLE001 - a pack without a title is still a pack
        pass


class _nothing:  # noqa: N801 - a do-nothing context manager for GDAL without ExceptionMgr
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _export_problem(result) -> str:
    return {
        QgsLayoutExporter.ExportResult.FileError: "the file could not be written",
        QgsLayoutExporter.ExportResult.Canceled: "cancelled",
        QgsLayoutExporter.ExportResult.PrintError: "printing failed",
        QgsLayoutExporter.ExportResult.MemoryError: "out of memory",
        QgsLayoutExporter.ExportResult.IteratorError: "the atlas could not be iterated",
    }.get(result, str(result))


def _excluded(page) -> bool:
    """The page's 'exclude from exports' setting for the current atlas feature (evaluated here:
    layouts ignore it outside an export run)."""
    value, ok = page.dataDefinedProperties().valueAsBool(
        compat.DD_EXCLUDE_FROM_EXPORTS, page.createExpressionContext(), page.excludeFromExports()
    )
    return bool(value) if ok else page.excludeFromExports()


def export_pngs(layout, folder: str, dpi: int = 150, feedback=None) -> list[str]:
    """One PNG per page of the pack, in pack order: page_01.png, page_02.png ..."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    atlas = layout.atlas()
    exporter = QgsLayoutExporter(layout)
    written = []
    if not atlas.beginRender():
        raise BriefingError("The briefing layout's atlas could not be started.")
    try:
        total = atlas.count()
        for i in range(total):
            if feedback is not None and feedback.isCanceled():
                break
            atlas.seekTo(i)
            pages = layout.pageCollection()
            for p in range(pages.pageCount()):
                if _excluded(pages.page(p)) or not pages.shouldExportPage(p):
                    continue
                image = exporter.renderPageToImage(p, QSize(), dpi)
                path = out / f"page_{len(written) + 1:02d}.png"
                if not image.save(str(path)):
                    raise BriefingError(f"Could not write '{path}'.")
                written.append(str(path))
            if feedback is not None:
                feedback.setProgress(100.0 * (i + 1) / max(total, 1))
    finally:
        atlas.endRender()
    return written
