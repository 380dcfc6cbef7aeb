"""The patrol briefing pack: one page per patrol and day (map with numbered stops, times, zone names),
in the look of the coverage briefing pack (qgis_io/briefing.py: its page grid, header, tables, fonts
and export), and the styles of the ROUTES output.

Like the coverage pack it is an atlas layout over memory copies, drawing only the layers it is
given (offline), and it is added to the project so it can be adjusted and exported again.
"""
from __future__ import annotations

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsFeature,
    QgsFields,
    QgsFillSymbol,
    QgsFontMarkerSymbolLayer,
    QgsGeometry,
    QgsLayoutItemMap,
    QgsLayoutSize,
    QgsLineSymbol,
    QgsMarkerLineSymbolLayer,
    QgsMarkerSymbol,
    QgsPrintLayout,
    QgsProperty,
    QgsRendererCategory,
    QgsRuleBasedRenderer,
    QgsSymbolLayer,
)
from qgis.PyQt.QtCore import QSizeF
from qgis.PyQt.QtGui import QColor

from ..core import fields as F
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
    symbol = QgsMarkerSymbol.createSimple({"name": "circle", "color": "#ffffff", "outline_color": colour,
                                           "outline_width": "0.5", "size": str(size)})
    digit = QgsFontMarkerSymbolLayer(B.font_family(), "1", size * 0.6, QColor(B.INK))
    if hasattr(digit, "setFontStyle"):
        digit.setFontStyle("Bold")
    digit.setDataDefinedProperty(_CHAR, QgsProperty.fromExpression(number_expr))
    symbol.appendSymbolLayer(digit)
    return symbol


def _stop_numbers_expression() -> str:
    """At a vertex of a route: 'S' for the start location, else every stop number made at that zone
    ("2·6·9"), so repeated visits to one zone, drawn on top of each other, read as one label."""
    n = f"(@geometry_point_num - (@geometry_point_count - \"{plan_io.STOPS}\"))"
    return (f"with_variable('n', {n}, if(@n <= 0, 'S', with_variable('ids', string_to_array(\"{plan_io.ZONES}\", "
            "' → '), with_variable('me', array_get(@ids, @n - 1), array_to_string(array_filter("
            "generate_series(1, array_length(@ids)), array_get(@ids, @element - 1) = @me), '·')))))")


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
    box.setDataDefinedProperty(_WIDTH, QgsProperty.fromExpression(
        f"max({height}, 1.8 + 1.5 * length({text_expr}))"))
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
    line = QgsLineSymbol.createSimple({"line_color": colour, "line_width": "0.7", "capstyle": "round",
                                       "joinstyle": "round", "line_style": "solid"})
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
    cats = [QgsRendererCategory(p, route_symbol(PATROL_COLOURS[i % len(PATROL_COLOURS)], numbered), p)
            for i, p in enumerate(patrols)]
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
    order = sorted(range(len(routes)),
                   key=lambda i: (routes[i][plan_io.DAY], B._natural_key(routes[i][plan_io.PATROL])))
    feats = []
    for n, i in enumerate(order, start=1):
        r = routes[i]
        day, patrol, mode = r[plan_io.DAY], r[plan_io.PATROL], r[plan_io.MODE]
        import datetime as dt

        d = dt.date.fromisoformat(day)
        f = QgsFeature(rfields)
        f.setGeometry(QgsGeometry(r.geometry()))
        travel = r[plan_io.TRAVEL_TOTAL]
        f.setAttributes(list(r.attributes()) + [
            n, f"Patrol {patrol} · {d.strftime('%A')} {d.day} {d.strftime('%B %Y')}",
            f"{mode.capitalize()} patrol · {r[plan_io.STOPS]} stops · {r[plan_io.FIRST]}–{r[plan_io.LAST]}",
            f"{r[plan_io.STOPS]}\n{r[plan_io.FIRST]}\n{r[plan_io.LAST]}\n{travel:.0f} min\n{mode}"])
        feats.append(f)
    routes_layer = _copy("Patrol routes (briefing)", rfields, compat.WKB_LINESTRING, crs, feats)
    style_routes(routes_layer, numbered=False)
    match = (f"\"{plan_io.PATROL}\" = attribute(@atlas_feature, '{plan_io.PATROL}') AND "
             f"\"{plan_io.DAY}\" = attribute(@atlas_feature, '{plan_io.DAY}')")
    renderer = routes_layer.renderer()
    renderer.setClassAttribute(f"CASE WHEN {match} THEN \"{plan_io.PATROL}\" END")

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
    zones_layer = _copy("Zones (briefing)", zfields, compat.WKB_MULTIPOLYGON if zfeats and
                        zfeats[0].geometry().isMultipart() else compat.WKB_POLYGON, crs, zfeats)
    zones_layer.setRenderer(type(zones_layer.renderer())(QgsFillSymbol.createSimple({
        "color": "255,240,200,120", "outline_color": "#8a6d00", "outline_width": "0.35"})))
    styles.label_layer(zones_layer, f"\"{F.ZONE_ID}\" || if(coalesce(\"{F.NAME}\", '') = '', '', '\n' || \"{F.NAME}\")",
                       "#5a4a00", 7)
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
    _number_labels(layer, f"CASE WHEN {match} THEN \"numbers\" END")
    return layer


def _number_labels(layer, expression: str) -> None:
    """Bold stop numbers in a white rounded box ringed in navy, just above the stop."""
    from qgis.core import QgsPalLayerSettings, QgsTextBackgroundSettings, QgsVectorLayerSimpleLabeling

    settings = QgsPalLayerSettings()
    settings.isExpression = True
    settings.fieldName = expression
    from qgis.core import Qgis

    modern = hasattr(Qgis, "TextBackgroundShape")  # QGIS >= 3.28: the enums live in Qgis
    settings.placement = Qgis.LabelPlacement.OverPoint if hasattr(Qgis, "LabelPlacement") \
        else QgsPalLayerSettings.Placement.OverPoint
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


def build_layout(project, result, layers, name: str, timezone: str = "Europe/London"):
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
    atlas.setPageNameExpression(f"\"{plan_io.PATROL}\" || ' ' || \"{plan_io.DAY}\"")
    pg = g.page(layout, 0)
    g.header(pg, '[% "hp_title" %]', '[% "hp_sub" %]', "HOT SPOT PATROL · PATROL PLAN")
    pg.label(W - g.M - g.kicker_w, g.M + 7 * g.s, g.kicker_w, 4.5 * g.s,
             "Page [% @atlas_featurenumber %] of [% @atlas_totalfeatures %]", 7.5, colour=B.MUTED, align="right")
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
    cols = [("#", plan_io.SEQ, 4, "right"), ("Arrive", plan_io.ARRIVE, 8, "left"), ("Leave", plan_io.LEAVE, 8, "left"),
            ("Zone", F.ZONE_ID, 9, "left"), ("Name", plan_io.ZONE_NAME, 27, "left"),
            ("Travel", "travel_text", 9, "right")]
    pg.table(stops, cols, [(0, x0, y, w, g.bottom - y)], STOPS_TABLE, sort_field=plan_io.SEQ,
             filter_expr=(f"\"{plan_io.PATROL}\" = attribute(@atlas_feature, '{plan_io.PATROL}') AND "
                          f"\"{plan_io.DAY}\" = attribute(@atlas_feature, '{plan_io.DAY}')"),
             empty_message="No stops planned.")
    dwell = f"{result.schedule['dwell_min'].median():g}"
    g.footer(pg, f"Stay in each zone for the whole visit (about {dwell} minutes); arrive at the times given, which "
                 f"change every day on purpose. Times are local ({timezone}). Plan seed {result.seed}: the same seed "
                 "makes the same plan. Numbers on the map are the stop order; S is the start.",
             "[% \"hp_order\" %] / [% @atlas_totalfeatures %]")
    return layout


def export_plan_pack(result, zones, zone_geoms, crs, to_out, path: str, project, feedback=None,
                     png_folder=None) -> int:
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
