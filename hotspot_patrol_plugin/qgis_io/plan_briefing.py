"""The patrol briefing pack: one page per patrol and day (map with numbered stops, times, zone names),
in the look of the coverage briefing pack (qgis_io/briefing.py: its page grid, header, tables, fonts
and export), and the styles of the ROUTES output.

Like the coverage pack it is an atlas layout over memory copies, drawing only the layers it is
given (offline), and it is added to the project so it can be adjusted and exported again.

The compliance page (hotspotpatrol:compliance's BRIEFING) is in the same look: a map of the zones
coloured by the share of planned visits made (the BY_ZONE style), the headline, status tiles and
tables per zone, per patrol and day and of the planned visits not made as planned, flowing onto
further pages when long. Unit ids appear as they are in VISITS; no tracks are drawn.
"""

from __future__ import annotations

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFields,
    QgsFillSymbol,
    QgsFontMarkerSymbolLayer,
    QgsGeometry,
    QgsLayoutExporter,
    QgsLayoutFrame,
    QgsLayoutItemMap,
    QgsLayoutItemPage,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLineSymbol,
    QgsMarkerLineSymbolLayer,
    QgsMarkerSymbol,
    QgsPrintLayout,
    QgsProperty,
    QgsRectangle,
    QgsRendererCategory,
    QgsRuleBasedRenderer,
    QgsSymbolLayer,
)
from qgis.PyQt.QtCore import QSizeF
from qgis.PyQt.QtGui import QColor

from ..core import fields as F
from ..core.definitions import DEFAULT_TIMEZONE
from . import briefing as B
from . import compat, fieldtypes, plan_io, styles

#: Okabe-Ito, one colour per patrol (repeats after eight)
PATROL_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#b8a800")
ROUTE_MAP = "hp_plan_map"
STOPS_TABLE = "hp_plan_stops"
if hasattr(getattr(QgsSymbolLayer, "Property", None), "Character"):  # QGIS >= 3.30
    _CHAR, _WIDTH = QgsSymbolLayer.Property.Character, QgsSymbolLayer.Property.Width
else:
    _CHAR, _WIDTH = QgsSymbolLayer.PropertyCharacter, QgsSymbolLayer.PropertyWidth


def _vertex_placement(layer) -> None:
    if hasattr(layer, "setPlacements"):  # QGIS >= 3.24
        from qgis.core import Qgis

        layer.setPlacements(Qgis.MarkerLinePlacement.Vertex)
    else:
        from qgis.core import QgsTemplatedLineSymbolLayerBase

        layer.setPlacement(QgsTemplatedLineSymbolLayerBase.Placement.Vertex)


def _numbered_marker(colour: str, number_expr: str, size: float = 4.2) -> QgsMarkerSymbol:
    """A white disc ringed in ``colour`` with the stop number inside."""
    symbol = QgsMarkerSymbol.createSimple(
        {"name": "circle", "color": "#ffffff", "outline_color": colour, "outline_width": "0.5", "size": str(size)}
    )
    digit = QgsFontMarkerSymbolLayer(B.font_family(), "1", size * 0.6, QColor(B.INK))
    if hasattr(digit, "setFontStyle"):
        digit.setFontStyle("Bold")
    digit.setDataDefinedProperty(_CHAR, QgsProperty.fromExpression(number_expr))
    symbol.appendSymbolLayer(digit)
    return symbol


def _stop_numbers_expression() -> str:
    """At a vertex of a route: 'S' for the start location, else every stop number made at that zone
    ("2·6·9"), so repeated visits to one zone, drawn on top of each other, read as one label."""
    n = f'(@geometry_point_num - (@geometry_point_count - "{plan_io.STOPS}"))'
    return (
        f"with_variable('n', {n}, if(@n <= 0, 'S', with_variable('ids', string_to_array(\"{plan_io.ZONES}\", "
        "' → '), with_variable('me', array_get(@ids, @n - 1), array_to_string(array_filter("
        "generate_series(1, array_length(@ids)), array_get(@ids, @element - 1) = @me), '·')))))"
    )


def _numbered_box(colour: str, text_expr: str, height: float = 4.4) -> QgsMarkerSymbol:
    """A white oval ringed in ``colour``, as wide as its text, with ``text_expr`` inside."""
    from qgis.core import QgsEllipseSymbolLayer

    box = QgsEllipseSymbolLayer()
    if hasattr(box, "setSymbolName"):
        box.setSymbolName("circle")
    box.setSymbolWidth(height)
    box.setSymbolHeight(height)
    box.setFillColor(QColor("#ffffff"))
    box.setStrokeColor(QColor(colour))
    box.setStrokeWidth(0.5)
    box.setDataDefinedProperty(_WIDTH, QgsProperty.fromExpression(f"max({height}, 1.8 + 1.5 * length({text_expr}))"))
    symbol = QgsMarkerSymbol()
    symbol.changeSymbolLayer(0, box)
    digit = QgsFontMarkerSymbolLayer(B.font_family(), "1", height * 0.62, QColor(B.INK))
    if hasattr(digit, "setFontStyle"):
        digit.setFontStyle("Bold")
    digit.setDataDefinedProperty(_CHAR, QgsProperty.fromExpression(text_expr))
    symbol.appendSymbolLayer(digit)
    return symbol


def route_symbol(colour: str, numbered: bool = True) -> QgsLineSymbol:
    """The patrol's path with its stop numbers at every zone (the start location, if any, marked S)."""
    line = QgsLineSymbol.createSimple(
        {"line_color": colour, "line_width": "0.7", "capstyle": "round", "joinstyle": "round", "line_style": "solid"}
    )
    line.symbolLayer(0).setColor(QColor(colour))
    if not numbered:
        return line
    stops = QgsMarkerLineSymbolLayer()
    _vertex_placement(stops)
    stops.setRotateSymbols(False)
    stops.setSubSymbol(_numbered_box(colour, _stop_numbers_expression()))
    line.appendSymbolLayer(stops)
    return line


def style_routes(layer, numbered: bool = True) -> None:
    """ROUTES: a colour per patrol, numbered stops along each line."""
    patrols = sorted({str(f[plan_io.PATROL]) for f in layer.getFeatures()}, key=B._natural_key)
    cats = [
        QgsRendererCategory(p, route_symbol(PATROL_COLOURS[i % len(PATROL_COLOURS)], numbered), p)
        for i, p in enumerate(patrols)
    ]
    layer.setRenderer(QgsCategorizedSymbolRenderer(plan_io.PATROL, cats))
    layer.triggerRepaint()


def style_stops(layer, rule: str | None = None) -> None:
    """Numbered stop discs (patrol colour) for the pack's map."""
    patrols = sorted({str(f[plan_io.PATROL]) for f in layer.getFeatures()}, key=B._natural_key)
    root = QgsRuleBasedRenderer.Rule(None)
    for i, p in enumerate(patrols):
        symbol = _numbered_marker(PATROL_COLOURS[i % len(PATROL_COLOURS)], f'to_string("{plan_io.SEQ}")', 5.0)
        expr = f"\"{plan_io.PATROL}\" = '{p}'" + (f" AND ({rule})" if rule else "")
        root.appendChild(QgsRuleBasedRenderer.Rule(symbol, 0, 0, expr, p))
    layer.setRenderer(QgsRuleBasedRenderer(root))


# ----------------------------------------------------------------------------- the pack
def _copy(name, fields, wkb, crs, feats):
    layer = B._memory_layer(name, fields, wkb, crs)
    layer.dataProvider().addFeatures(feats)
    layer.updateExtents()
    return layer


def pack_layers(result, zones, zone_geoms, crs, to_out):
    """Memory copies: routes (+ page texts), stops (+ table texts), zones."""
    rfields = plan_io.route_fields()
    for name in ("hp_order", "hp_title", "hp_sub", "hp_figures"):
        rfields.append(fieldtypes.field(name, fieldtypes.INT if name == "hp_order" else fieldtypes.STRING))
    routes = plan_io.route_features(result, plan_io.route_fields(), to_out)
    order = sorted(
        range(len(routes)), key=lambda i: (routes[i][plan_io.DAY], B._natural_key(routes[i][plan_io.PATROL]))
    )
    feats = []
    for n, i in enumerate(order, start=1):
        r = routes[i]
        day, patrol, mode = r[plan_io.DAY], r[plan_io.PATROL], r[plan_io.MODE]
        import datetime as dt

        d = dt.date.fromisoformat(day)
        f = QgsFeature(rfields)
        f.setGeometry(QgsGeometry(r.geometry()))
        travel = r[plan_io.TRAVEL_TOTAL]
        f.setAttributes(
            list(r.attributes())
            + [
                n,
                f"Patrol {patrol} · {d.strftime('%A')} {d.day} {d.strftime('%B %Y')}",
                f"{mode.capitalize()} patrol · {r[plan_io.STOPS]} stops · {r[plan_io.FIRST]}–{r[plan_io.LAST]}",
                f"{r[plan_io.STOPS]}\n{r[plan_io.FIRST]}\n{r[plan_io.LAST]}\n{travel:.0f} min\n{mode}",
            ]
        )
        feats.append(f)
    routes_layer = _copy("Patrol routes (briefing)", rfields, compat.WKB_LINESTRING, crs, feats)
    style_routes(routes_layer, numbered=False)
    match = (
        f"\"{plan_io.PATROL}\" = attribute(@atlas_feature, '{plan_io.PATROL}') AND "
        f"\"{plan_io.DAY}\" = attribute(@atlas_feature, '{plan_io.DAY}')"
    )
    renderer = routes_layer.renderer()
    renderer.setClassAttribute(f'CASE WHEN {match} THEN "{plan_io.PATROL}" END')

    sfields = plan_io.stop_fields()
    sfields.append(fieldtypes.field("travel_text", fieldtypes.STRING))
    stops = []
    for f in plan_io.stop_features(result, plan_io.stop_fields(), to_out):
        nf = QgsFeature(sfields)
        nf.setGeometry(QgsGeometry(f.geometry()))
        t = f[plan_io.TRAVEL_MIN]
        nf.setAttributes(list(f.attributes()) + ["start" if t is None or B._is_null(t) else f"{float(t):.0f} min"])
        stops.append(nf)
    stops_layer = _copy("Stops (briefing)", sfields, compat.WKB_POINT, crs, stops)
    style_stops(stops_layer, match)
    marks_layer = _stop_marks(stops, crs, match)

    zfields = QgsFields()
    zfields.append(fieldtypes.field(F.ZONE_ID, fieldtypes.STRING))
    zfields.append(fieldtypes.field(F.NAME, fieldtypes.STRING))
    zfeats = []
    for z, g in zip(zones, zone_geoms):
        f = QgsFeature(zfields)
        f.setGeometry(QgsGeometry(g))
        f.setAttributes([z.zone_id, z.name or None])
        zfeats.append(f)
    zones_layer = _copy(
        "Zones (briefing)",
        zfields,
        compat.WKB_MULTIPOLYGON if zfeats and zfeats[0].geometry().isMultipart() else compat.WKB_POLYGON,
        crs,
        zfeats,
    )
    zones_layer.setRenderer(
        type(zones_layer.renderer())(
            QgsFillSymbol.createSimple(
                {"color": "255,240,200,120", "outline_color": "#8a6d00", "outline_width": "0.35"}
            )
        )
    )
    styles.label_layer(
        zones_layer, f"\"{F.ZONE_ID}\" || if(coalesce(\"{F.NAME}\", '') = '', '', '\n' || \"{F.NAME}\")", "#5a4a00", 7
    )
    return routes_layer, stops_layer, zones_layer, marks_layer


def _stop_marks(stops, crs, match):
    """One mark per patrol, day and zone listing its stop numbers ("2 · 6"): repeated visits to a
    zone share one place on the map, so their numbers are written together."""
    fields = QgsFields()
    for name in (plan_io.DAY, plan_io.PATROL, "numbers"):
        fields.append(fieldtypes.field(name, fieldtypes.STRING))
    groups = {}
    for f in stops:
        key = (f[plan_io.DAY], f[plan_io.PATROL], f[F.ZONE_ID])
        groups.setdefault(key, [QgsGeometry(f.geometry()), []])[1].append(int(f[plan_io.SEQ]))
    feats = []
    for (day, patrol, _), (geom, seqs) in groups.items():
        nf = QgsFeature(fields)
        nf.setGeometry(geom)
        nf.setAttributes([day, patrol, " · ".join(str(n) for n in sorted(seqs))])
        feats.append(nf)
    layer = _copy("Stop numbers (briefing)", fields, compat.WKB_POINT, crs, feats)
    symbol = QgsMarkerSymbol.createSimple({"name": "circle", "color": B.NAVY, "outline_style": "no", "size": "1.6"})
    root = QgsRuleBasedRenderer.Rule(None)
    root.appendChild(QgsRuleBasedRenderer.Rule(symbol, 0, 0, match, "stop"))
    layer.setRenderer(QgsRuleBasedRenderer(root))
    _number_labels(layer, f'CASE WHEN {match} THEN "numbers" END')
    return layer


def _number_labels(layer, expression: str) -> None:
    """Bold stop numbers in a white rounded box ringed in navy, just above the stop."""
    from qgis.core import QgsPalLayerSettings, QgsTextBackgroundSettings, QgsVectorLayerSimpleLabeling

    settings = QgsPalLayerSettings()
    settings.isExpression = True
    settings.fieldName = expression
    from qgis.core import Qgis

    modern = hasattr(Qgis, "TextBackgroundShape")  # QGIS >= 3.28: the enums live in Qgis
    settings.placement = (
        Qgis.LabelPlacement.OverPoint if hasattr(Qgis, "LabelPlacement") else QgsPalLayerSettings.Placement.OverPoint
    )
    if hasattr(settings, "yOffset"):
        settings.yOffset = -3.2
    fmt = B._Page(None, 0, B.font_family(), 1.0).fmt(8.5, bold=True, colour=B.NAVY)
    bg = QgsTextBackgroundSettings()
    bg.setEnabled(True)
    bg.setType(Qgis.TextBackgroundShape.Rectangle if modern else QgsTextBackgroundSettings.ShapeType.ShapeRectangle)
    bg.setSizeType(Qgis.BackgroundSizeType.Buffer if modern else QgsTextBackgroundSettings.SizeType.SizeBuffer)
    bg.setSize(QSizeF(1.2, 0.6))
    bg.setRadii(QSizeF(0.8, 0.8))
    bg.setFillColor(QColor("#ffffff"))
    bg.setStrokeColor(QColor(B.NAVY))
    bg.setStrokeWidth(0.35)
    fmt.setBackground(bg)
    settings.setFormat(fmt)
    settings.priority = 10
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)


def build_layout(project, result, layers, name: str, timezone: str = DEFAULT_TIMEZONE):
    routes, stops, zones, marks = layers
    W, H = B.PAPERS["A4"]  # noqa: N806
    g = B._Grid(W, H, 1.0, 10.0, B.font_family())
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName(name)
    layout.renderContext().setTextRenderFormat(compat.TEXT_ALWAYS_TEXT)
    layout.pageCollection().page(0).setPageSize(QgsLayoutSize(W, H, compat.LAYOUT_MM))
    atlas = layout.atlas()
    atlas.setCoverageLayer(routes)
    atlas.setEnabled(True)
    atlas.setSortFeatures(True)
    atlas.setSortExpression('"hp_order"')
    atlas.setPageNameExpression(f'"{plan_io.PATROL}" || \' \' || "{plan_io.DAY}"')
    pg = g.page(layout, 0)
    g.header(pg, '[% "hp_title" %]', '[% "hp_sub" %]', "HOT SPOT PATROL · PATROL PLAN")
    pg.label(
        W - g.M - g.kicker_w,
        g.M + 7 * g.s,
        g.kicker_w,
        4.5 * g.s,
        "Page [% @atlas_featurenumber %] of [% @atlas_totalfeatures %]",
        7.5,
        colour=B.MUTED,
        align="right",
    )
    m = pg.map(g.M, g.top, g.map_w, g.map_h, [marks, routes, zones], routes.crs(), ROUTE_MAP)
    m.setAtlasDriven(True)
    m.setAtlasScalingMode(QgsLayoutItemMap.AtlasScalingMode.Auto)
    m.setAtlasMargin(0.18)
    m.zoomToExtent(routes.extent())
    g.map_furniture(pg, m, False)

    x0, w, y = g.right_x, g.right_w, g.top
    pg.label(x0, y, w, 5, "Your shift", 9, bold=True, colour=B.NAVY)
    rows = ["Stops", "First arrival", "Last departure", "Travel, all legs", "Mode"]
    pg.label(x0, y + 6, w * 0.45, 26, "\n".join(rows), 7.5, colour=B.MUTED)
    pg.label(x0 + w * 0.45, y + 6, w * 0.55, 26, '[% "hp_figures" %]', 7.5, bold=True)
    y += 33
    pg.label(x0, y, w, 5, "Stops in order", 9, bold=True, colour=B.NAVY)
    y += 6
    cols = [
        ("#", plan_io.SEQ, 4, "right"),
        ("Arrive", plan_io.ARRIVE, 8, "left"),
        ("Leave", plan_io.LEAVE, 8, "left"),
        ("Zone", F.ZONE_ID, 9, "left"),
        ("Name", plan_io.ZONE_NAME, 27, "left"),
        ("Travel", "travel_text", 9, "right"),
    ]
    pg.table(
        stops,
        cols,
        [(0, x0, y, w, g.bottom - y)],
        STOPS_TABLE,
        sort_field=plan_io.SEQ,
        filter_expr=(
            f"\"{plan_io.PATROL}\" = attribute(@atlas_feature, '{plan_io.PATROL}') AND "
            f"\"{plan_io.DAY}\" = attribute(@atlas_feature, '{plan_io.DAY}')"
        ),
        empty_message="No stops planned.",
    )
    dwell = f"{result.schedule['dwell_min'].median():g}"
    g.footer(
        pg,
        f"Stay in each zone for the whole visit (about {dwell} minutes); arrive at the times given, which "
        f"change every day on purpose. Times are local ({timezone}). Plan seed {result.seed}: the same seed "
        "makes the same plan. Numbers on the map are the stop order; S is the start.",
        '[% "hp_order" %] / [% @atlas_totalfeatures %]',
    )
    return layout


def export_plan_pack(result, zones, zone_geoms, crs, to_out, path: str, project, feedback=None, png_folder=None) -> int:
    """Write the pack as a PDF (and PNG pages); add its layout to the project. Returns the page count."""
    if not len(result.schedule):
        raise B.BriefingError("The plan has no visits: there is nothing to brief.")
    layers = pack_layers(result, zones, zone_geoms, crs, to_out)
    for lay in layers:
        project.addMapLayer(lay, False)
    layout = build_layout(project, result, layers, "Patrol plan briefing")
    manager = project.layoutManager()
    old = manager.layoutByName(layout.name())
    if old is not None:
        manager.removeLayout(old)
    manager.addLayout(layout)
    B.export_pdf(layout, path, feedback)
    if png_folder:
        B.export_pngs(layout, png_folder, 150, feedback)
    return layout.atlas().count()


# ----------------------------------------------------------------------------- compliance page
#: share of planned visits made (the BY_ZONE map of hotspotpatrol:compliance and the pack's map)
SHARE_CLASSES = (
    ('"share_made" <= 0.5', "#d55e00", "half or fewer made"),
    ('"share_made" > 0.5 AND "share_made" <= 0.8', "#e69f00", "over half, up to 80% made"),
    ('"share_made" > 0.8 AND "share_made" < 0.95', "#f0e442", "over 80%, under 95% made"),
    ('"share_made" >= 0.95', "#009e73", "95% or more made"),
)
NOTHING_PLANNED = ("#d9d9d9", "nothing planned")
#: the status tiles of the compliance page: (statuses counted, colour, label)
STATUS_TILES = (
    (("on plan",), "#009e73", "on plan"),
    (("late", "early"), "#e69f00", "late or early"),
    (("short",), "#f0e442", "short"),
    (("missed",), "#d55e00", "missed"),
)
COMPLIANCE_MAP = "hp_compliance_map"
COMPLIANCE_KICKER = "HOT SPOT PATROL · PLAN AGAINST ACTUAL"


def style_compliance_zones(layer, label_size: float = 8) -> None:
    """Zones coloured by the share of planned visits made, labelled 'HS-001 3/4'."""
    root = QgsRuleBasedRenderer.Rule(None)

    def fill(colour):
        return QgsFillSymbol.createSimple({"color": colour, "outline_color": "#333333", "outline_width": "0.3"})

    for expr, colour, label in SHARE_CLASSES:
        root.appendChild(QgsRuleBasedRenderer.Rule(fill(colour), 0, 0, expr, label))
    other = QgsRuleBasedRenderer.Rule(fill(NOTHING_PLANNED[0]), 0, 0, "", NOTHING_PLANNED[1])
    other.setIsElse(True)
    root.appendChild(other)
    layer.setRenderer(QgsRuleBasedRenderer(root))
    styles.label_layer(
        layer,
        f'"{F.ZONE_ID}" || \' \' || if(coalesce("planned", 0) > 0, "made" || \'/\' || "planned", \'not planned\')',
        "#1a1a1a",
        label_size,
    )


def _pct(a, b) -> str:
    return f"{a / b:.0%}" if b else "–"


def _mins(value) -> str:
    return "–" if value is None or value != value else f"{float(value):.0f}"


def _table_layer(name, columns, rows):
    """A memory table (no geometry) of text columns plus an integer hp_order, rows in order."""
    fields = QgsFields()
    fields.append(fieldtypes.field("hp_order", fieldtypes.INT))
    for c in columns:
        fields.append(fieldtypes.field(c, fieldtypes.STRING))
    feats = []
    for i, row in enumerate(rows, start=1):
        f = QgsFeature(fields)
        f.setAttributes([i] + [row[c] for c in columns])
        feats.append(f)
    layer = B._memory_layer(name, fields, compat.WKB_NO_GEOMETRY, QgsCoordinateReferenceSystem())
    layer.dataProvider().addFeatures(feats)
    return layer


def compliance_layers(result, zones_source, clock):
    """Memory copies for the compliance page: the zones (map), the per-zone, per patrol and day and
    not-as-planned tables (text as printed). Unit ids are copied as they are in VISITS."""
    names = zones_source.fields().names()
    name_field = B._first_field(names, B.NAME_FIELDS)
    bz = result.by_zone
    stats = {str(r[F.ZONE_ID]): r for r in bz.to_dict("records")}
    zfields = QgsFields()
    zfields.append(fieldtypes.field(F.ZONE_ID, fieldtypes.STRING))
    zfields.append(fieldtypes.field(F.NAME, fieldtypes.STRING))
    for name in ("planned", "made"):
        zfields.append(fieldtypes.field(name, fieldtypes.INT))
    zfields.append(fieldtypes.field("share_made", fieldtypes.DOUBLE))
    zone_names, zfeats = {}, []
    for feat in zones_source.getFeatures():
        zid = plan_io._text_or_none(feat[F.ZONE_ID]) if F.ZONE_ID in names else None
        if zid is None or not feat.hasGeometry():
            continue
        name = plan_io._text_or_none(feat[name_field]) if name_field else None
        zone_names[zid] = name or ""
        r = stats.get(zid, {})
        share = r.get("share_made")
        f = QgsFeature(zfields)
        f.setGeometry(QgsGeometry(feat.geometry()))
        f.setAttributes(
            [
                zid,
                name,
                int(r.get("planned", 0)),
                int(r.get("made", 0)),
                None if share is None or share != share else round(float(share), 4),
            ]
        )
        zfeats.append(f)
    if not zfeats:
        raise B.BriefingError(
            "No zone of the zones layer has a zone_id and a geometry: the compliance page has nothing to map."
        )
    zones = _copy("Compliance by zone (briefing)", zfields, zones_source.wkbType(), zones_source.sourceCrs(), zfeats)
    style_compliance_zones(zones, 7)

    zone_rows = []
    for r in sorted(bz.to_dict("records"), key=lambda r: B._natural_key(r[F.ZONE_ID])):
        zid, planned = str(r[F.ZONE_ID]), int(r["planned"])
        zone_rows.append(
            {
                F.ZONE_ID: zid,
                F.NAME: zone_names.get(zid, ""),
                "planned": str(planned),
                "made": str(int(r["made"])),
                "on_target": str(int(r["on_target"])),
                "made_pct": _pct(int(r["made"]), planned),
                "target_pct": _pct(int(r["on_target"]), planned),
                "presence": f"{_mins(r['delivered_min'])} / {_mins(r['planned_min'])}",
                "presence_pct": _pct(float(r["delivered_min"]), float(r["planned_min"])),
                "unplanned": str(int(r["unplanned"])),
            }
        )
    by_zone = _table_layer("Compliance by zone (table)", list(zone_rows[0]) if zone_rows else [F.ZONE_ID], zone_rows)

    day_rows = []
    for r in sorted(result.by_patrol_day.to_dict("records"), key=lambda r: (r["day"], B._natural_key(r["patrol"]))):
        planned = int(r["planned"])
        day_rows.append(
            {
                "day": _day_text(r["day"]),
                "patrol": str(r["patrol"]),
                "planned": str(planned),
                "made": str(int(r["made"])),
                "on_target": str(int(r["on_target"])),
                "made_pct": _pct(int(r["made"]), planned),
                "target_pct": _pct(int(r["on_target"]), planned),
                "presence": f"{_mins(r['delivered_min'])} / {_mins(r['planned_min'])}",
            }
        )
    by_day = _table_layer("Compliance by patrol and day (table)", list(day_rows[0]) if day_rows else ["day"], day_rows)

    p = result.planned
    odd = p[p["status"] != "on plan"].copy()
    odd["_k"] = [(d, B._natural_key(pt), int(s)) for d, pt, s in zip(odd["day"], odd["patrol"], odd["seq"])]
    rows = []
    for r in sorted(odd.to_dict("records"), key=lambda r: r["_k"]):
        made = bool(r["made"])
        off = r["arrival_offset_min"]
        rows.append(
            {
                "day": _day_text(r["day"]),
                "patrol": str(r["patrol"]),
                "seq": str(int(r["seq"])),
                F.ZONE_ID: str(r[F.ZONE_ID]),
                "planned_at": clock.local(r["arrive_utc"]).strftime("%H:%M"),
                "status": str(r["status"]),
                "offset": f"{int(round(off)):+d} min" if made and off == off else "–",
                "dwell": f"{r['dwell_min']:.0f} min" if made else "–",
                "unit": str(r["unit_id"]) if made and r["unit_id"] is not None else "–",
            }
        )
    columns = ["day", "patrol", "seq", F.ZONE_ID, "planned_at", "status", "offset", "dwell", "unit"]
    not_as_planned = _table_layer("Visits not made as planned (table)", columns, rows)
    return zones, by_zone, by_day, not_as_planned


def _day_text(day) -> str:
    import datetime as dt

    try:
        d = dt.date.fromisoformat(str(day))
    except ValueError:
        return str(day)
    return f"{d.strftime('%a')} {d.day} {d.strftime('%b')}"


def _period(days) -> str:
    import datetime as dt

    try:
        ds = sorted({dt.date.fromisoformat(str(d)) for d in days})
    except ValueError:  # days written otherwise: shown as written
        texts = sorted({str(d) for d in days})
        return texts[0] if len(texts) == 1 else f"{texts[0]} – {texts[-1]}"
    if not ds:
        return ""
    a, b = ds[0], ds[-1]

    def long(d):
        return f"{d.strftime('%A')} {d.day} {d.strftime('%B %Y')}"

    if a == b:
        return long(a)
    return (
        f"{a.day} {a.strftime('%B %Y')} – {long(b)}"
        if a.year != b.year
        else f"{a.day} {a.strftime('%B')} – {b.day} {b.strftime('%B %Y')}"
    )


class _Flow:
    """Sections (a heading and a table) placed one after another down the right column of the first
    page, then in two columns on as many further pages as they need."""

    def __init__(self, layout, g, header, footer):
        self.layout, self.g, self.header, self.footer = layout, g, header, footer
        self.page, self.x, self.w = 0, g.right_x, g.right_w
        self.y, self.column = g.top, None

    def next_slot(self):
        g = self.g
        if self.column == 0:
            self.column = 1
        else:
            page = QgsLayoutItemPage(self.layout)
            page.setPageSize(QgsLayoutSize(g.W, g.H, compat.LAYOUT_MM))
            self.layout.pageCollection().addPage(page)
            self.page += 1
            self.column = 0
            pg = g.page(self.layout, self.page)
            self.header(pg)
            self.footer(pg)
        self.x = g.M + self.column * (self.w + g.gap)
        self.y = g.top

    def pg(self):
        return self.g.page(self.layout, self.page)

    def section(self, heading, layer, columns, item_id, empty_message, note=""):
        g, s = self.g, self.g.s
        if g.bottom - self.y < 25 * s:
            self.next_slot()
        self.pg().label(self.x, self.y, self.w, 5 * s, heading, 9, bold=True, colour=B.NAVY)
        self.y += 5.5 * s
        if note:
            self.pg().label(self.x, self.y, self.w, 4 * s, note, 7, colour=B.MUTED)
            self.y += 4.5 * s
        avail = g.bottom - self.y
        table = self.pg().table(
            layer,
            columns,
            [(self.page, self.x, self.y, self.w, avail)],
            item_id,
            sort_field="hp_order",
            empty_message=empty_message,
        )
        n = layer.featureCount()
        fit = B._rows_fitting(table, avail)
        if n <= fit:
            h = _table_height(table, n, avail)
            table.frame(0).attemptResize(QgsLayoutSize(self.w, h, compat.LAYOUT_MM))
            self.y += h + 5 * s
            table.refresh()
            return table
        full = g.bottom - g.top - 5.5 * s  # a further column: '(continued)' and the table
        per = B._rows_fitting(table, full)
        counts = [min(per, n - fit - i) for i in range(0, n - fit, per)]  # rows of each further frame
        # measured while the table has its one frame (the measurement adds and removes a spare one)
        last_h = _table_height(table, counts[-1], full) if counts[-1] < per else full
        for i in range(len(counts)):
            self.next_slot()
            self.pg().label(self.x, self.y, self.w, 5 * s, f"{heading} (continued)", 9, bold=True, colour=B.NAVY)
            self.y += 5.5 * s
            h = last_h if i == len(counts) - 1 else full
            frame = QgsLayoutFrame(self.layout, table)
            frame.setId(f"{item_id}_{table.frameCount() + 1}")
            frame.attemptResize(QgsLayoutSize(self.w, h, compat.LAYOUT_MM))
            frame.attemptMove(QgsLayoutPoint(self.x, self.y, compat.LAYOUT_MM), True, False, self.page)
            table.addFrame(frame)
            self.y += h + 5 * s
        table.refresh()
        return table


def _table_height(table, rows: int, most: float) -> float:
    """The height (mm, at most ``most``) that ``table``'s header and first ``rows`` rows need in its
    first frame. QGIS reports the frames' height as the total height of a table that fits its frames
    (and of one whose first frame is too low for any row), so a tall second frame is added for the
    measurement: the rows fit the first frame when the total does not reach into the second."""
    frame = table.frame(0)
    width, old_h, limit = frame.rect().width(), frame.rect().height(), table.maximumNumberOfFeatures()
    spare = QgsLayoutFrame(table.layout(), table)
    spare.attemptResize(QgsLayoutSize(width, 1000, compat.LAYOUT_MM))
    table.addFrame(spare, False)
    table.setMaximumNumberOfFeatures(max(rows, 0))
    table.refreshAttributes()

    def fits(h):
        frame.attemptResize(QgsLayoutSize(width, h, compat.LAYOUT_MM))
        return table.totalHeight() < h + 500

    lo, hi = 0.0, most
    if fits(hi):
        while hi - lo > 0.05:
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if fits(mid) else (mid, hi)
    table.removeFrame(table.frameCount() - 1)
    frame.attemptResize(QgsLayoutSize(width, old_h, compat.LAYOUT_MM))
    table.setMaximumNumberOfFeatures(limit)
    table.refreshAttributes()
    return min(hi + 0.3, most)


def build_compliance_layout(project, result, layers, params, timezone: str, name: str):
    zones, by_zone, by_day, not_as_planned = layers
    W, H = B.PAPERS["A4"]  # noqa: N806
    g = B._Grid(W, H, 1.0, 10.0, B.font_family())
    s = g.s
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName(name)
    layout.renderContext().setTextRenderFormat(compat.TEXT_ALWAYS_TEXT)
    layout.pageCollection().page(0).setPageSize(QgsLayoutSize(W, H, compat.LAYOUT_MM))
    p = result.planned
    period = _period(p["day"])
    patrols = sorted({str(v) for v in p["patrol"]}, key=B._natural_key)
    sub = (
        f"{period} · {len(patrols)} patrol{'s' if len(patrols) != 1 else ''} · "
        f"{int((result.by_zone['planned'] > 0).sum())} zones planned"
    )
    title = "Plan against actual"
    note = (
        f"A planned visit is made by a counted visit to its zone (pass-throughs never count) starting within "
        f"{params.tolerance_min:g} minutes of the planned arrival or overlapping the planned stay; late or early "
        f"is more than {params.late_min:g} minutes off the plan; on target is a visit in the target band. "
        f"Presence is minutes in the zone, delivered / planned. Units are shown as they are in VISITS "
        f"(pseudonyms stay pseudonyms). Times are local ({timezone})."
    )

    def header(pg, continued=True):
        g.header(pg, title, (f"Continued · {sub}" if continued else sub), COMPLIANCE_KICKER)

    def footer(pg):
        g.footer(pg, note, "[% @layout_page %] / [% @layout_numpages %]")

    p1 = g.page(layout, 0)
    header(p1, continued=False)
    footer(p1)
    p1.label(
        W - g.M - g.kicker_w,
        g.M + 7 * s,
        g.kicker_w,
        4.5 * s,
        "Produced [% format_date(now(), 'd MMMM yyyy, HH:mm') %]",
        7.5,
        colour=B.MUTED,
        align="right",
    )
    m = p1.map(g.M, g.top, g.map_w, g.map_h, [zones], zones.crs(), COMPLIANCE_MAP)
    ext = QgsRectangle(zones.extent())
    ext.grow(max(ext.width(), ext.height()) * 0.08 + 30)
    m.zoomToExtent(ext)
    g.map_furniture(p1, m, ext.width() > 6000)

    x0, w, y = g.right_x, g.right_w, g.top
    p1.label(x0, y, w, 12 * s, result.headline(), 13, bold=True, colour=B.NAVY)
    y += 13 * s
    counts = p["status"].value_counts()
    gap = 2.0
    tile_w, tile_h = (w - 3 * gap) / 4, 15.0 * s
    for i, (statuses, colour, label) in enumerate(STATUS_TILES):
        x = x0 + i * (tile_w + gap)
        p1.rect(x, y, tile_w, tile_h, B._tint(colour, 0.22))
        p1.rect(x, y, tile_w, 1.6, colour)
        p1.label(
            x + 2, y + 2.6, tile_w - 4, 7.5 * s, str(sum(int(counts.get(st, 0)) for st in statuses)), 16, bold=True
        )
        p1.label(x + 2, y + 2.6 + 7.6 * s, tile_w - 4, 4 * s, label, 7)
    y += tile_h + 3
    planned_min = float(p["planned_min"].sum())
    delivered = float(p["dwell_min"].fillna(0).sum())
    unplanned = int(result.by_zone["unplanned"].sum())
    p1.label(
        x0,
        y,
        w,
        4.5 * s,
        f"Presence delivered {delivered:.0f} of {planned_min:.0f} planned minutes "
        f"({_pct(delivered, planned_min)}) · {unplanned} unplanned "
        f"visit{'s' if unplanned != 1 else ''}",
        7.5,
    )
    y += 6 * s
    legend = p1.legend(
        x0, y, w, 22 * s, [(zones, "Share of planned visits made", None)], m, item_id="hp_compliance_legend"
    )
    y += legend.sizeWithUnits().height() + 3

    flow = _Flow(layout, g, header, footer)
    flow.y = y
    zone_cols = [
        ("Zone", F.ZONE_ID, 9, "left"),
        ("Name", F.NAME, 17.5, "left"),
        ("Planned", "planned", 7.5, "right"),
        ("Made", "made", 6, "right"),
        ("On target", "on_target", 8.5, "right"),
        ("Made %", "made_pct", 7.5, "right"),
        ("Presence, min", "presence", 12.5, "right"),
        ("Unplanned", "unplanned", 10, "right"),
    ]
    flow.section("By zone", by_zone, zone_cols, "hp_compliance_zones", "No zones.")
    day_cols = [
        ("Day", "day", 11, "left"),
        ("Patrol", "patrol", 9, "left"),
        ("Planned", "planned", 8, "right"),
        ("Made", "made", 7, "right"),
        ("On target", "on_target", 9, "right"),
        ("Made %", "made_pct", 8, "right"),
        ("On target %", "target_pct", 10.5, "right"),
        ("Presence, min", "presence", 12.5, "right"),
    ]
    flow.section("By patrol and day", by_day, day_cols, "hp_compliance_days", "No patrols.")
    odd_cols = [
        ("Day", "day", 10, "left"),
        ("Patrol", "patrol", 7.5, "left"),
        ("#", "seq", 3.5, "right"),
        ("Zone", F.ZONE_ID, 9, "left"),
        ("Planned", "planned_at", 7.5, "left"),
        ("Status", "status", 8, "left"),
        ("Offset", "offset", 8, "right"),
        ("Stay", "dwell", 7.5, "right"),
        ("Unit", "unit", 11, "left"),
    ]
    flow.section(
        "Planned visits not made as planned",
        not_as_planned,
        odd_cols,
        "hp_compliance_exceptions",
        "Every planned visit was made as planned.",
    )
    return layout


def export_compliance_pack(
    result, zones_source, params, path: str, project, timezone: str = DEFAULT_TIMEZONE, feedback=None, png_folder=None
) -> int:
    """The compliance page(s) as a PDF (and PNG pages); the layout is added to the project.
    Returns the page count."""
    if not len(result.planned):
        raise B.BriefingError("The schedule has no planned visits: there is nothing to brief.")
    layers = compliance_layers(result, zones_source, B.Clock(timezone))
    for lay in layers:
        project.addMapLayer(lay, False)
    layout = build_compliance_layout(project, result, layers, params, timezone, "Plan against actual briefing")
    manager = project.layoutManager()
    old = manager.layoutByName(layout.name())
    if old is not None:
        manager.removeLayout(old)
    manager.addLayout(layout)
    exporter = QgsLayoutExporter(layout)
    outcome = exporter.exportToPdf(path, B.pdf_settings())
    if outcome != QgsLayoutExporter.ExportResult.Success:
        raise B.BriefingError(f"Could not write the PDF '{path}': {B._export_problem(outcome)}.")
    B._set_pdf_title(path, f"Plan against actual · {_period(result.planned['day'])}")
    pages = layout.pageCollection().pageCount()
    if png_folder:
        from pathlib import Path

        from qgis.PyQt.QtCore import QSize

        out = Path(png_folder)
        out.mkdir(parents=True, exist_ok=True)
        for i in range(pages):
            image = exporter.renderPageToImage(i, QSize(), 150)
            if not image.save(str(out / f"compliance_{i + 1:02d}.png")):
                raise B.BriefingError(f"Could not write '{out / f'compliance_{i + 1:02d}.png'}'.")
    return pages
