"""The QML styles in resources/styles/ and hotspotpatrol:stylecoverage: loaded, rendered, read back.

Expected colours are the Okabe-Ito values the issue fixes; expected legend texts are written out by
hand. Rendering goes through QgsMapRendererCustomPainterJob into a QImage whose pixels are read.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsExpression,
    QgsExpressionContext,
    QgsExpressionContextScope,
    QgsExpressionContextUtils,
    QgsFeature,
    QgsGeometry,
    QgsMapRendererCustomPainterJob,
    QgsMapSettings,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor, QImage, QPainter

from hotspot_patrol_plugin.paths import resource
from hotspot_patrol_plugin.qgis_io import styles

PALETTE = {"not visited": "#bdbdbd", "below target": "#e69f00", "on target": "#009e73", "above target": "#0072b2"}
QMLS = ("coverage", "visits", "waypoint_visits", "workspace_zones", "workspace_waypoints", "briefing_zone_outline")
OX, OY = 430000.0, 432000.0

COVERAGE_FIELDS = (
    "zone_id:string&field=name:string&field=priority:integer&field=visits:integer"
    "&field=visits_short:integer&field=visits_target:integer&field=visits_long:integer"
    "&field=dwell_total_min:double&field=dwell_median_min:double&field=presence_min:double"
    "&field=units:integer&field=first_entry:datetime&field=last_exit:datetime&field=status:string"
)

# zone id, status, visits, median minutes; zone i is the 100 m square at x = OX + 200 i
ZONES = [
    ("HS-1", "not visited", 0, None),
    ("HS-2", "below target", 5, 4.2),
    ("HS-3", "on target", 8, 13.3),
    ("HS-4", "above target", 3, 19.0),
]


def square(i: int, size: float = 100.0) -> QgsGeometry:
    x = OX + 200 * i
    return QgsGeometry.fromWkt(f"POLYGON(({x} {OY},{x + size} {OY},{x + size} {OY + size},{x} {OY + size},{x} {OY}))")


def coverage_layer(rows=ZONES) -> QgsVectorLayer:
    layer = QgsVectorLayer(f"Polygon?crs=EPSG:27700&field={COVERAGE_FIELDS}", "coverage", "memory")
    feats = []
    for i, (zid, status, visits, median) in enumerate(rows):
        f = QgsFeature(layer.fields())
        f.setAttributes(
            [
                zid,
                f"Zone {i}",
                1 + i,
                visits,
                0,
                visits,
                0,
                (median or 0) * visits,
                median,
                (median or 0) * visits,
                min(visits, 2),
                None,
                None,
                status,
            ]
        )
        f.setGeometry(square(i))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def visits_layer(waypoints: bool = False) -> QgsVectorLayer:
    id_field = "waypoint_id" if waypoints else "zone_id"
    layer = QgsVectorLayer(
        f"LineString?crs=EPSG:27700&field=visit_id:integer&field={id_field}:string&field=unit_id:string"
        "&field=dwell_min:double&field=band:string&field=pass_through:boolean",
        "visits",
        "memory",
    )
    feats = []
    for i, (band, passing) in enumerate((("short", False), ("target", False), ("long", False), ("short", True))):
        f = QgsFeature(layer.fields())
        f.setAttributes([i + 1, "HS-2", "NE21", 5.0, band, passing])
        y = OY + 20 + 20 * i
        f.setGeometry(QgsGeometry.fromWkt(f"LINESTRING({OX} {y},{OX + 700} {y})"))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def render(layers, extent: QgsRectangle, size=(800, 200)) -> QImage:
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(layers[0].crs())
    settings.setExtent(extent)
    settings.setOutputSize(QSize(*size))
    settings.setOutputDpi(96)
    settings.setBackgroundColor(QColor("white"))
    image = QImage(QSize(*size), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    painter = QPainter(image)
    job = QgsMapRendererCustomPainterJob(settings, painter)
    job.renderSynchronously()
    painter.end()
    return image


def rgb(image: QImage, x: float, y: float):
    c = QColor(image.pixel(int(x), int(y)))
    return c.red(), c.green(), c.blue()


def blend(colour: str, alpha: float):
    c = QColor(colour)
    return tuple(round(v * alpha + 255 * (1 - alpha)) for v in (c.red(), c.green(), c.blue()))


def close(a, b, tol=12) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def label_text(layer, feature, scale):
    expression = QgsExpression(layer.labeling().settings().fieldName)
    context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    scope = QgsExpressionContextScope()
    scope.setVariable("map_scale", scale)
    context.appendScope(scope)
    context.setFeature(feature)
    return expression.evaluate(context)


# ---------------------------------------------------------------------------- the files
@pytest.mark.parametrize("name", QMLS)
def test_each_style_is_a_qml_file_qgis_reads(name):
    root = ET.parse(resource("styles", f"{name}.qml")).getroot()
    assert root.tag == "qgis" and root.find("renderer-v2") is not None


def test_a_missing_style_file_is_a_clear_error(qgis_app):
    with pytest.raises(styles.StyleError, match="Could not load the style"):
        styles.load_style(coverage_layer(), "no_such_style")


# ---------------------------------------------------------------------------- coverage
@pytest.mark.parametrize(
    "band, texts",
    [
        (
            (10, 15),
            {
                "not visited": "not visited",
                "below target": "below target: median visit under 10 min",
                "on target": "on target: median visit 10–15 min",
                "above target": "above target: median visit over 15 min",
            },
        ),
        (
            (8, 12.5),
            {
                "not visited": "not visited",
                "below target": "below target: median visit under 8 min",
                "on target": "on target: median visit 8–12.5 min",
                "above target": "above target: median visit over 12.5 min",
            },
        ),
    ],
)
def test_coverage_style_categories_colours_and_legend_texts(qgis_app, band, texts):
    layer = coverage_layer()
    styles.apply_coverage_style(layer, *band)
    renderer = layer.renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer) and renderer.classAttribute() == "status"
    cats = {c.value(): c for c in renderer.categories()}
    assert set(cats) == set(PALETTE)
    for status, colour in PALETTE.items():
        assert cats[status].symbol().symbolLayer(0).color().name() == colour
        assert cats[status].label() == texts[status]
    assert len(cats["not visited"].symbol().symbolLayers()) == 2  # grey and hatched
    assert styles.target_band(layer) == (float(band[0]), float(band[1]))
    assert [item.label() for item in renderer.legendSymbolItems()] == [texts[s] for s in PALETTE]


def test_coverage_renders_in_the_status_colours(qgis_app):
    layer = coverage_layer()
    styles.apply_coverage_style(layer)
    image = render([layer], QgsRectangle(OX - 50, OY - 50, OX + 750, OY + 150))  # 1 px = 1 m
    for i, (_, status, _, _) in enumerate(ZONES):
        # a corner of each square, clear of the outline and of the label in its middle
        x, y = 50 + 200 * i + 15, 200 - (50 + 85)
        # translucent fills (110/255; the grey 90/255) so the map and the visit lines show through
        expected = blend(PALETTE[status], (90 if status == "not visited" else 110) / 255)
        if status == "not visited":  # hatched: most of a patch is the grey fill
            patch = [rgb(image, x + dx, y + dy) for dx in range(8) for dy in range(8)]
            assert sum(close(p, expected) for p in patch) >= 40, patch[:5]
            assert any(p[0] < 140 for p in patch)  # the hatch lines
        else:
            assert close(rgb(image, x, y), expected), (status, rgb(image, x, y), expected)
    assert rgb(image, 5, 5) == (255, 255, 255)


def test_coverage_labels_say_id_visits_and_median_at_street_scales(qgis_app):
    layer = coverage_layer()
    styles.apply_coverage_style(layer)
    feats = {f["zone_id"]: f for f in layer.getFeatures()}
    assert label_text(layer, feats["HS-3"], 5000) == "HS-3\n8 visits · 13.3 min"
    assert label_text(layer, feats["HS-1"], 5000) == "HS-1\n0 visits"
    assert label_text(layer, feats["HS-3"], 30000) == "HS-3"
    settings = layer.labeling().settings()
    assert layer.labelsEnabled() and settings.scaleVisibility and settings.minimumScale == 50000


def test_coverage_style_does_not_touch_the_data(qgis_app):
    layer = coverage_layer()
    before = [f.attributes() for f in layer.getFeatures()]
    styles.apply_coverage_style(layer, 9, 14)
    assert [f.attributes() for f in layer.getFeatures()] == before
    assert not layer.isModified()


# ---------------------------------------------------------------------------- visits
def _category_of(layer, feature):
    expression = QgsExpression(layer.renderer().classAttribute())
    context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    context.setFeature(feature)
    return expression.evaluate(context)


@pytest.mark.parametrize("waypoints, width", [(False, 0.5), (True, 0.4)])
def test_visits_are_coloured_by_band_and_pass_throughs_are_dashed(qgis_app, waypoints, width):
    layer = visits_layer(waypoints)
    styles.apply_visits_style(layer)
    renderer = layer.renderer()
    cats = {c.value(): c for c in renderer.categories()}
    # Okabe-Ito vermillion, near-black, reddish purple: no zone fill uses them (issue 15: in-band
    # lines were dark green on the green "on target" fill)
    expected = {"short": "#d55e00", "target": "#111111", "long": "#cc79a7", "pass-through": "#787878"}
    assert {k: c.symbol().color().name() for k, c in cats.items()} == expected
    assert cats["target"].symbol().width() == pytest.approx(width)
    assert cats["pass-through"].symbol().symbolLayer(0).penStyle() != cats["target"].symbol().symbolLayer(0).penStyle()
    assert [_category_of(layer, f) for f in layer.getFeatures()] == ["short", "target", "long", "pass-through"]
    assert cats["long"].label() == "long visit (over the target band)"
    styles.apply_visits_style(layer, 10, 15)
    labels = {c.value(): c.label() for c in layer.renderer().categories()}
    assert labels["target"] == "visit in the target band: 10–15 min"
    assert labels["short"] == "short visit: under 10 min"
    assert labels["pass-through"] == "pass-through (not counted)"


def test_visit_lines_render_in_their_band_colours(qgis_app):
    layer = visits_layer()
    styles.apply_visits_style(layer)
    image = render([layer], QgsRectangle(OX - 50, OY - 50, OX + 750, OY + 150))
    for i, colour in enumerate(("#d55e00", "#111111", "#cc79a7")):
        y = 200 - (50 + 20 + 20 * i)
        column = [rgb(image, 400, y + d) for d in (-1, 0, 1)]
        assert any(close(c, QColor(colour).getRgb()[:3], 25) for c in column), (colour, column)


# ---------------------------------------------------------------------------- workspace layers
def test_workspace_zone_and_waypoint_styles(qgis_app, sample_gpkg):
    zones = QgsVectorLayer(f"{sample_gpkg}|layername=zones", "zones", "ogr")
    waypoints = QgsVectorLayer(f"{sample_gpkg}|layername=waypoints", "waypoints", "ogr")
    styles.apply_workspace_zones_style(zones)
    styles.apply_workspace_waypoints_style(waypoints, radius_m=40)
    f = next(zones.getFeatures())
    expected = f"{f['zone_id']} · P{f['priority']}\n{f['name']}" if f["name"] else f"{f['zone_id']} · P{f['priority']}"
    assert label_text(zones, f, 2000) == expected
    ring = waypoints.renderer().symbol().symbolLayer(0)
    assert ring.size() == pytest.approx(80.0)  # a diameter, in metres on the ground
    w = next(waypoints.getFeatures())
    assert label_text(waypoints, w, 2000) == (w["name"] or w["waypoint_id"])
    extent = zones.extent()
    extent.grow(50)
    image = render([waypoints, zones], extent, (600, 600))
    colours = {image.pixel(x, y) for x in range(0, 600, 7) for y in range(0, 600, 7)}
    assert len(colours) > 5
    assert QColor("#882255").rgb() in {QColor(image.pixel(x, y)).rgb() for x in range(600) for y in range(0, 600, 3)}


def test_styles_keep_the_layers_form_setup(qgis_app):
    """Loading symbology and labels only: aliases and form widgets the planner panels set stay."""
    layer = coverage_layer()
    layer.setFieldAlias(0, "Zone")
    styles.apply_coverage_style(layer)
    assert layer.attributeAlias(0) == "Zone"


# ---------------------------------------------------------------------------- the algorithm
def run_style(params, feedback=None):
    from qgis import processing

    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    return processing.run(
        "hotspotpatrol:stylecoverage", params, context=context, feedback=feedback or QgsProcessingFeedback()
    )


def test_stylecoverage_styles_a_project_layer_with_the_chosen_band(provider, tmp_path):
    layer = coverage_layer(
        [
            ("HS-1", "not visited", 0, None),
            ("HS-2", "below target", 5, 7.0),
            ("HS-3", "on target", 8, 9.0),
            ("HS-4", "above target", 3, 13.0),
        ]
    )
    QgsProject.instance().addMapLayer(layer)
    before = [f.attributes() for f in layer.getFeatures()]
    qml = tmp_path / "coverage_8_12.qml"
    res = run_style({"INPUT": layer.id(), "TARGET_MIN": 8, "TARGET_MAX": 12, "QML": str(qml)})
    assert res["OUTPUT"] == layer.id() and res["MISMATCHED"] == 0
    labels = {c.value(): c.label() for c in layer.renderer().categories()}
    assert labels["on target"] == "on target: median visit 8–12 min"
    assert [f.attributes() for f in layer.getFeatures()] == before
    other = coverage_layer()
    message, ok = other.loadNamedStyle(str(qml))
    assert ok, message
    assert {c.label() for c in other.renderer().categories()} >= {"on target: median visit 8–12 min"}
    QgsProject.instance().removeMapLayer(layer.id())


def test_stylecoverage_warns_when_the_band_does_not_fit_the_status(provider):
    class Feedback(QgsProcessingFeedback):
        warned = []

        def pushWarning(self, text):
            self.warned.append(text)

    layer = coverage_layer()  # statuses from a 10-15 band
    QgsProject.instance().addMapLayer(layer)
    fb = Feedback()
    res = run_style({"INPUT": layer.id(), "TARGET_MIN": 2, "TARGET_MAX": 5}, fb)
    assert res["MISMATCHED"] == 2  # 13.3 and 19.0 would both be above a 2-5 band
    assert any("another band" in w for w in fb.warned)
    QgsProject.instance().removeMapLayer(layer.id())


def test_stylecoverage_refuses_a_layer_without_coverage_fields(provider, sample_gpkg):
    zones = QgsVectorLayer(f"{sample_gpkg}|layername=zones", "zones", "ogr")
    QgsProject.instance().addMapLayer(zones)
    with pytest.raises(QgsProcessingException) as err:
        run_style({"INPUT": zones.id(), "TARGET_MIN": 10, "TARGET_MAX": 15})
    message = str(err.value)
    assert "is not a coverage layer" in message and "dwell_median_min" in message and "\n" not in message
    with pytest.raises(QgsProcessingException, match="above its maximum"):
        run_style({"INPUT": coverage_layer(), "TARGET_MIN": 20, "TARGET_MAX": 15})
    QgsProject.instance().removeMapLayer(zones.id())


def test_matchtracks_outputs_are_styled_when_processing_loads_them(provider, sample_gpkg, tmp_path):
    """The post-processor matchtracks attaches to its outputs: coverage and visits get the QML styles."""
    from qgis import processing

    from hotspot_patrol_plugin.qgis_io.styles import StylePostProcessor

    res = processing.run(
        "hotspotpatrol:matchtracks",
        {
            "TRACKS": f"{sample_gpkg}|layername=pings",
            "UNIT_FIELD": "callsign",
            "TIME_FIELD": "time",
            "ZONES": f"{sample_gpkg}|layername=zones",
            "TARGET_MIN": 9,
            "TARGET_MAX": 14,
            "VISITS": str(tmp_path / "v.gpkg"),
            "COVERAGE": str(tmp_path / "c.gpkg"),
        },
    )
    coverage = QgsVectorLayer(res["COVERAGE"], "coverage", "ogr")
    visits = QgsVectorLayer(res["VISITS"], "visits", "ogr")
    context, feedback = QgsProcessingContext(), QgsProcessingFeedback()
    StylePostProcessor.create(styles.apply_coverage_style, 9, 14).postProcessLayer(coverage, context, feedback)
    StylePostProcessor.create(styles.apply_visits_style).postProcessLayer(visits, context, feedback)
    assert {c.label() for c in coverage.renderer().categories()} >= {"on target: median visit 9–14 min"}
    assert visits.renderer().classAttribute().startswith("CASE WHEN")
    image = render([coverage], coverage.extent(), (400, 400))
    colours = {QColor(image.pixel(x, y)).name() for x in range(0, 400, 3) for y in range(0, 400, 3)}
    assert colours & {QColor(*blend(c, 110 / 255)).name() for c in PALETTE.values()}


def test_stylecoverage_runs_on_the_main_thread(provider):
    from qgis.core import QgsApplication

    from hotspot_patrol_plugin.qgis_io import compat

    alg = QgsApplication.processingRegistry().algorithmById("hotspotpatrol:stylecoverage")
    assert alg.flags() & compat.ALG_NO_THREADING
