"""Issue 15, the glue between the steps: what a first-time analyst meets in the desktop.

Each test drives the real objects (Processing's own result loading, the panels, the dialogs) and
checks what the user sees: messages, layer names, combo box choices, table cells.
"""

from __future__ import annotations

import pytest
from qgis.core import QgsApplication, QgsProcessingFeedback, QgsProject


class Recorder(QgsProcessingFeedback):
    """Keeps what Processing reports, as the algorithm dialog's log would show it."""

    def __init__(self):
        super().__init__()
        self.errors = []

    def reportError(self, error, fatalError=False):
        self.errors.append(error)


@pytest.fixture()
def provider(qgis_app, qgis_processing):
    from hotspot_patrol_plugin.processing.provider import HotspotPatrolProvider

    registry = QgsApplication.processingRegistry()
    if registry.providerById("hotspotpatrol") is None:
        _KEEP.append(HotspotPatrolProvider())
        registry.addProvider(_KEEP[-1])
    return registry.providerById("hotspotpatrol")


_KEEP = []


# --- 1. no red error on a default run ---------------------------------------------------------------
@pytest.mark.parametrize(
    "alg_id, params, outputs",
    [
        (
            "hotspotpatrol:matchtracks",
            lambda s: {
                "TRACKS": f"{s}|layername=pings",
                "UNIT_FIELD": "callsign",
                "TIME_FIELD": "time",
                "ZONES": f"{s}|layername=zones",
            },
            ("VISITS", "COVERAGE"),
        ),
        ("hotspotpatrol:identifyhotspots", lambda s: {"INPUT": str(s)}, ("GRID", "HOTSPOTS", "CONCENTRATION")),
    ],
)
def test_default_temporary_outputs_load_without_an_error(
    provider, qgis_new_project, sample_gpkg, root, alg_id, params, outputs
):
    """Outputs left as 'Create temporary layer', loaded the way the algorithm dialog loads them."""
    from qgis import processing

    if alg_id.endswith("identifyhotspots"):
        from qgis.core import QgsVectorLayer

        csv = root / "resources" / "sample" / "crime" / "leeds_city_centre_2018-07_street.csv"
        crimes = QgsVectorLayer(
            f"file://{csv}?type=csv&xField=Longitude&yField=Latitude&crs=EPSG:4326", "crimes", "delimitedtext"
        )
        assert crimes.isValid()
        QgsProject.instance().addMapLayer(crimes)
        args = {"INPUT": crimes}
    else:
        args = params(sample_gpkg)
    args.update({key: "TEMPORARY_OUTPUT" for key in outputs})
    feedback = Recorder()
    before = set(QgsProject.instance().mapLayers())
    processing.runAndLoadResults(alg_id, args, feedback=feedback)
    assert feedback.errors == []
    added = [QgsProject.instance().mapLayer(i) for i in set(QgsProject.instance().mapLayers()) - before]
    assert len(added) == len(outputs)
    assert all(lyr.isValid() and lyr.featureCount() > 0 for lyr in added)


# --- 2. importing hot spots keeps their ids ---------------------------------------------------------
def test_import_renumbers_only_the_clashing_zone_and_says_which(planner, workspace, qgis_iface):
    from planner_helpers import answer_dialog, square
    from qgis.core import QgsFeature, QgsVectorLayer

    from hotspot_patrol_plugin.core import fields as F
    from hotspot_patrol_plugin.qgis_io import workspace as W

    x, y = 530000.0, 180000.0
    W.add_feature(workspace.zones, square(x - 500, y, 60), {F.NAME: "Drawn earlier"})  # HS-001
    src = QgsVectorLayer("Polygon?crs=EPSG:27700&field=zone_id:string&field=name:string", "Hot spot zones", "memory")
    for i in range(10):
        f = QgsFeature(src.fields())
        f.setGeometry(square(x + 120 * i, y, 80))
        f.setAttributes([f"HS-{i + 1:03d}", f"Hot spot {i + 1}"])
        src.dataProvider().addFeature(f)
    QgsProject.instance().addMapLayer(src)
    qgis_iface.setActiveLayer(src)
    bar = qgis_iface.messageBar()
    bar.clear_messages()
    answer_dialog()
    planner.zones_dock.action_import.trigger()
    ids = {f[F.NAME]: f[F.ZONE_ID] for f in workspace.zones.getFeatures()}
    # the analysis's HS-002..HS-010 keep their ids; only its HS-001 (taken) moves, past all of them
    assert ids == {
        "Drawn earlier": "HS-001",
        "Hot spot 1": "HS-011",
        **{f"Hot spot {i}": f"HS-{i:03d}" for i in range(2, 11)},
    }
    said = " ".join(bar.get_messages(1))  # a warning: the user must see which zone moved
    assert "Imported 10 zones" in said and "HS-001 → HS-011" in said and "every other zone kept its id" in said
    assert planner.zones_dock.model.rowCount() == 11


# --- 3. each zone's own plan ------------------------------------------------------------------------
def _layer(uri, rows, name):
    from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer

    layer = QgsVectorLayer(uri, name, "memory")
    feats = []
    for attrs, wkt in rows:
        f = QgsFeature(layer.fields())
        f.setAttributes(list(attrs))
        f.setGeometry(QgsGeometry.fromWkt(wkt))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    QgsProject.instance().addMapLayer(layer)
    return layer


def test_each_zone_is_judged_by_its_own_band_days_and_hours(provider, qgis_new_project, tmp_path):
    """Three 100 m squares 1 km apart; in each a unit walks x = -10, 30, 70, 110 m at 240 s a ping
    from 12:00:00 (November: London = UTC): it crosses x = 0 at 12:01 and x = 100 at 12:11, a 10 min
    visit. HS-001's own band is 5-8 min, so 10 min is long and the zone above target; HS-002 has no
    band of its own and is judged by the run's 10-15 min: on target; HS-003 is patrolled 13:00-14:00
    only, so its 12:01 visit is listed but not counted. The period 20-23 Nov (end exclusive) holds
    3 days: one counted visit is 0.33 a day."""
    from qgis import processing

    def square(i):
        x0, y0 = 430000 + 1000 * i, 432000
        return f"POLYGON(({x0} {y0}, {x0 + 100} {y0}, {x0 + 100} {y0 + 100}, {x0} {y0 + 100}, {x0} {y0}))"

    zones = _layer(
        "Polygon?crs=EPSG:27700&field=zone_id:string&field=target_min:double&field=target_max:double"
        "&field=visits_per_day:integer&field=active_from:string&field=active_to:string",
        [
            (("HS-001", 5, 8, 2, None, None), square(0)),
            (("HS-002", None, None, 1, None, None), square(1)),
            (("HS-003", None, None, 4, "13:00", "14:00"), square(2)),
        ],
        "Patrol zones",
    )
    pings = _layer(
        "Point?crs=EPSG:27700&field=unit:string&field=t:string",
        [
            ((unit, f"2026-11-20T12:{4 * k:02d}:00"), f"POINT({430000 + 1000 * i - 10 + 40 * k} 432050)")
            for i, unit in enumerate("ABC")
            for k in range(4)
        ],
        "Imported tracks",
    )
    feedback = Recorder()
    before = set(QgsProject.instance().mapLayers())
    res = processing.runAndLoadResults(
        "hotspotpatrol:matchtracks",
        {
            "TRACKS": pings,
            "UNIT_FIELD": "unit",
            "TIME_FIELD": "t",
            "ZONES": zones,
            "PERIOD_START": "2026-11-20T00:00:00",
            "PERIOD_END": "2026-11-23T00:00:00",
            "VISITS": "TEMPORARY_OUTPUT",
            "COVERAGE": "TEMPORARY_OUTPUT",
            "DWELL_HISTOGRAM": "TEMPORARY_OUTPUT",
        },
        feedback=feedback,
    )
    assert feedback.errors == [] and res["VISIT_COUNT"] == 3
    added = {
        QgsProject.instance().mapLayer(i).geometryType(): QgsProject.instance().mapLayer(i)
        for i in set(QgsProject.instance().mapLayers()) - before
    }
    coverage = next(lyr for lyr in added.values() if "status" in lyr.fields().names())
    got = {f["zone_id"]: f for f in coverage.getFeatures()}
    assert [got[z]["status"] for z in ("HS-001", "HS-002", "HS-003")] == ["above target", "on target", "not visited"]
    assert (got["HS-001"]["band_min"], got["HS-001"]["band_max"]) == (5, 8)
    assert (got["HS-002"]["band_min"], got["HS-002"]["band_max"]) == (10, 15)
    assert [got[z]["visits_long"] for z in ("HS-001", "HS-002")] == [1, 0]
    assert [got[z]["days"] for z in ("HS-001", "HS-002", "HS-003")] == [3, 3, 3]
    assert got["HS-001"]["per_day"] == 0.33 and got["HS-003"]["visits"] == 0
    assert got["HS-001"]["visits_per_day"] == 2  # the plan, kept beside what was delivered
    visits = next(lyr for lyr in added.values() if "visit_id" in lyr.fields().names())
    assert sorted((f["zone_id"], f["band"]) for f in visits.getFeatures()) == [
        ("HS-001", "long"),
        ("HS-002", "target"),
        ("HS-003", "target"),
    ]
    legend = {c.value(): c.label() for c in coverage.renderer().categories()}
    assert legend["on target"] == "on target: median visit within the zone's band"
    # 9. the dwell histogram: the two counted 10-minute visits in the 10-11 min bin, judged by each band
    histogram = next(lyr for lyr in added.values() if "minute_from" in lyr.fields().names())
    bins = {(f["zone_id"], f["minute_from"]): f for f in histogram.getFeatures()}
    assert bins[("all zones", 10)]["visits"] == 2 and bins[("all zones", 10)]["band"] == "target"
    assert bins[("HS-001", 10)]["visits"] == 1 and bins[("HS-001", 10)]["band"] == "long"  # its band is 5-8
    assert bins[("HS-001", 10)]["share_pct"] == 100.0 and ("HS-003", 10) not in bins  # not counted: no rows
    assert (
        bins[("all zones", 30)]["dwell"] == "30+ min"
        and sum(f["visits"] for f in histogram.getFeatures() if f["zone_id"] == "all zones") == 2
    )
    # 12. a briefing pack of it says so: each zone's own band, in the legend and the note
    import shutil
    import subprocess

    pdf = str(tmp_path / "pack.pdf")
    processing.run("hotspotpatrol:exportbriefing", {"COVERAGE": coverage, "OUTPUT": pdf})
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-l", "1", pdf, "-"], capture_output=True, text=True).stdout
        text = " ".join(text.split())
        assert "median visit within the zone's band" in text and "with the zone's own target band" in text
    # 9. what matters first in the attribute table, readable names, minutes to 0.1
    shown = [c.name for c in coverage.attributeTableConfig().columns() if c.name][:6]
    assert shown == ["zone_id", "status", "visits", "dwell_median_min", "presence_min", "per_day"]
    i = coverage.fields().indexOf("dwell_median_min")
    assert coverage.attributeDisplayName(i) == "Median visit (min)"
    setup = coverage.editorWidgetSetup(i)
    formatter = QgsApplication.fieldFormatterRegistry().fieldFormatter(setup.type())
    assert formatter.representValue(coverage, i, setup.config(), None, got["HS-001"]["dwell_median_min"]) == "10.0"


# --- 5. the Zones panel follows the latest run, and says which ---------------------------------------
def _coverage_cells(dock):
    keys = [c.key for c in dock.model.columns]
    zid, cov = keys.index("zone_id"), keys.index("coverage")
    return {dock.proxy.index(r, zid).data(): dock.proxy.index(r, cov).data() for r in range(dock.proxy.rowCount())}


def test_zones_panel_follows_the_latest_run_not_a_briefing_copy(
    provider, planner, workspace, qgis_iface, qtbot, tmp_path
):
    """Two runs over the same zones: 20-22 Nov (HS-001 visited, 10 min: on target) and 21 Nov only
    (no visits: not visited). The panel shows the second run, named with its period, and keeps it
    after a briefing pack of the first run adds its own copies of the zones to the project."""
    from planner_helpers import square
    from qgis import processing

    from hotspot_patrol_plugin.qgis_io import workspace as W

    W.add_feature(workspace.zones, square(430000, 432000, 100), {})
    W.add_feature(workspace.zones, square(431000, 432000, 100), {})
    workspace.zones.commitChanges()
    pings = _layer(
        "Point?crs=EPSG:27700&field=unit:string&field=t:string",
        [(("A", f"2026-11-20T12:{4 * k:02d}:00"), f"POINT({430000 - 10 + 40 * k} 432050)") for k in range(4)],
        "Imported tracks",
    )
    dock = planner.zones_dock

    def run(start, end):
        feedback = Recorder()
        res = processing.runAndLoadResults(
            "hotspotpatrol:matchtracks",
            {
                "TRACKS": pings,
                "UNIT_FIELD": "unit",
                "TIME_FIELD": "t",
                "ZONES": workspace.zones,
                "PERIOD_START": start,
                "PERIOD_END": end,
                "VISITS": "TEMPORARY_OUTPUT",
                "COVERAGE": "TEMPORARY_OUTPUT",
            },
            feedback=feedback,
        )
        assert feedback.errors == []
        qtbot.wait(20)  # the panel looks again once Processing has marked and named the outputs
        return res

    run("2026-11-20T00:00:00", "2026-11-23T00:00:00")
    first = planner.controller.coverage
    assert first.name() == "Coverage · 20–22 Nov 2026"
    assert _coverage_cells(dock) == {"HS-001": "1 · on target", "HS-002": "0 · not visited"}
    run("2026-11-21T00:00:00", "2026-11-22T00:00:00")
    assert planner.controller.coverage.name() == "Coverage · 21 Nov 2026"
    assert _coverage_cells(dock) == {"HS-001": "0 · not visited", "HS-002": "0 · not visited"}
    assert "coverage: Coverage · 21 Nov 2026" in dock.status.text()

    processing.run("hotspotpatrol:exportbriefing", {"COVERAGE": first, "OUTPUT": str(tmp_path / "pack.pdf")})
    qtbot.wait(20)
    assert any("(briefing)" in lyr.name() for lyr in QgsProject.instance().mapLayers().values())
    assert planner.controller.coverage.name() == "Coverage · 21 Nov 2026"
    assert _coverage_cells(dock)["HS-001"] == "0 · not visited"


# --- 4. the plugin's dialogs open with the plugin's layers ------------------------------------------
@pytest.fixture()
def plugin(qgis_iface, qgis_new_project, canvas, provider):
    import hotspot_patrol_plugin

    p = hotspot_patrol_plugin.classFactory(qgis_iface)
    p.initGui()
    yield p
    p.unload()


def _dialog_values(plugin, name, monkeypatch):
    """Trigger the plugin action ``name``; return what its Processing dialog's real widgets hold."""
    from qgis import processing
    from qgis.gui import QgsBrowserGuiModel

    seen = {}
    browser = QgsBrowserGuiModel()  # the dialog's layer widgets ask the iface for the Browser's model
    monkeypatch.setattr(plugin.iface, "browserModel", lambda: browser)

    def open_dialog(alg_id, params):
        dialog = processing.createAlgorithmDialog(alg_id, params)
        seen.update(dialog.mainWidget().createProcessingParameters())
        dialog.deleteLater()

    monkeypatch.setattr(processing, "execAlgorithmDialog", open_dialog)
    next(a for a in plugin.actions if a.objectName() == f"hotspotpatrol_{name}").trigger()
    return seen


def _source_id(value):
    return getattr(value, "source", value).staticValue() if hasattr(value, "source") else value


def test_match_and_briefing_dialogs_open_with_the_plugins_own_layers(plugin, tmp_path, sample_gpkg, monkeypatch, qtbot):
    """The project holds waypoints (first, as QGIS would pick them), the import's pings and a workspace:
    Match officer tracks opens with the pings, their unit and time fields, the workspace zones and
    waypoints; after a run, the briefing opens with that run's coverage and visits."""
    from qgis import processing
    from qgis.core import QgsVectorLayer

    from hotspot_patrol_plugin.qgis_io import workspace as W

    s = str(sample_gpkg)
    wps = QgsVectorLayer(f"{s}|layername=waypoints", "Sample waypoints", "ogr")
    pings = QgsVectorLayer(f"{s}|layername=pings", "Imported tracks", "ogr")
    QgsProject.instance().addMapLayers([wps, pings])
    ws = W.create_geopackage(str(tmp_path / "patrol.gpkg"))
    plugin.planner.controller._adopt(ws, "Created")
    zones = QgsVectorLayer(f"{s}|layername=zones", "Hot spot zones", "ogr")
    QgsProject.instance().addMapLayer(zones)
    plugin.planner.controller.import_from(zones, W.guess_mapping(zones.fields().names()))
    ws.zones.commitChanges()

    got = _dialog_values(plugin, "match", monkeypatch)
    assert _source_id(got["TRACKS"]) == pings.id()
    assert (got["UNIT_FIELD"], got["TIME_FIELD"]) == ("callsign", "time")
    assert _source_id(got["ZONES"]) == ws.zones.id()

    processing.runAndLoadResults(
        "hotspotpatrol:matchtracks",
        {
            "TRACKS": pings,
            "UNIT_FIELD": "callsign",
            "TIME_FIELD": "time",
            "ZONES": ws.zones,
            "VISITS": "TEMPORARY_OUTPUT",
            "COVERAGE": "TEMPORARY_OUTPUT",
        },
    )
    qtbot.wait(20)
    coverage = plugin.planner.controller.coverage
    assert coverage is not None and coverage.name().startswith("Coverage · ")
    got = _dialog_values(plugin, "brief", monkeypatch)
    assert _source_id(got["COVERAGE"]) == coverage.id()
    visits = W.find_output("visits")
    assert visits.name().startswith("Visits · ") and _source_id(got["VISITS"]) == visits.id()
    # 9. the visits table carries each zone's name beside its id (the sample's zones are named)
    names = {f["zone_id"]: f["name"] for f in ws.zones.getFeatures()}
    assert visits.fields().names()[:3] == ["visit_id", "zone_id", "zone_name"]
    assert all(f["zone_name"] == names[f["zone_id"]] for f in visits.getFeatures())


# --- 8. hot spot zones a patrol can cover, named from the data, ranked by harm ----------------------
def test_split_at_peaks_by_hand():
    """A chain of five cells with Gi* z 3, 2, 1, 2, 4, taken from the top: 4 starts a zone, 0 (no
    placed neighbour) another, 3 joins 4, 1 joins 0, and 2's neighbours tie at z 2, so it joins the
    higher-numbered, 3: with at most 3 cells a zone, {0, 1} and {2, 3, 4}. With at most 2, 2 finds
    both neighbours' zones full and starts its own. A component within the limit keeps its label."""
    import numpy as np

    from hotspot_patrol_plugin.core.hotspots import split_at_peaks

    z = np.array([3.0, 2, 1, 2, 4, 9, 9])
    a, b = np.array([0, 1, 2, 3, 5]), np.array([1, 2, 3, 4, 6])
    comp = np.array([0, 0, 0, 0, 0, 1, 1])
    labels = split_at_peaks(comp, z, a, b, max_cells=3)
    assert labels[0] == labels[1] and labels[2] == labels[3] == labels[4] and labels[1] != labels[2]
    assert labels[5] == labels[6] and len(set(labels.tolist())) == 3
    assert split_at_peaks(comp, z, a, b, max_cells=5).tolist() == comp.tolist()
    two = split_at_peaks(comp, z, a, b, max_cells=2)
    assert two[0] == two[1] and two[3] == two[4] and len({two[0], two[2], two[3], two[5]}) == 4


def test_zone_names_and_priorities_by_hand():
    import numpy as np

    from hotspot_patrol_plugin.qgis_io.hotspots import priorities, zone_names

    zone = np.array([0, 0, 0, 1, 1, 2, -1])
    labels = np.array(
        [
            "On or near Briggate",
            "On or near Briggate",
            "On or near Vicar Lane",
            "On or near Briggate",
            "On or near Briggate",
            None,
            "On or near Elsewhere",
        ],
        dtype=object,
    )
    assert zone_names(zone, labels, 3) == ["Briggate", "Briggate (2)", None]
    assert priorities(7) == [1, 1, 2, 3, 3, 4, 5]  # 1 + 5 * rank // 7


def test_leeds_hot_spots_are_patrol_sized_named_and_ranked(provider, qgis_new_project, root, tmp_path):
    """police.uk's Leeds extract with the defaults: no zone over 0.05 km² (5 hexagons of 8,660 m²),
    zones named after the street most of their crimes are 'on or near', priority 1 first."""
    from qgis import processing
    from qgis.core import QgsVectorLayer

    csv = root / "resources" / "sample" / "crime" / "leeds_city_centre_2018-07_street.csv"
    crimes = QgsVectorLayer(
        f"file://{csv}?type=csv&xField=Longitude&yField=Latitude&crs=EPSG:4326", "crimes", "delimitedtext"
    )
    res = processing.run(
        "hotspotpatrol:identifyhotspots",
        {
            "INPUT": crimes,
            "MAX_ZONE_AREA": 50_000,
            "GRID": "memory:",
            "HOTSPOTS": "memory:",
            "CONCENTRATION": "memory:",
        },
    )
    zones = sorted(res["HOTSPOTS"].getFeatures(), key=lambda f: f["zone_id"])
    assert len(zones) == res["HOTSPOT_COUNT"] >= 3
    assert max(f["area_m2"] for f in zones) <= 50_000  # the 0.51 km² city-centre blob is cut at its peaks
    assert [f["priority"] for f in zones] == sorted(f["priority"] for f in zones) and zones[0]["priority"] == 1
    assert all(not str(f["name"]).startswith(("Hot spot", "On or near")) for f in zones)


# --- 11. imported pings are drawn by unit ----------------------------------------------------------
def test_imported_pings_are_coloured_by_unit(planner):
    """An import's output (unit_id, time, source_file) added to the project: one small dot colour a
    unit, one legend entry a unit, instead of QGIS's random symbol."""
    pings = _layer(
        "Point?crs=EPSG:27700&field=unit_id:string&field=time:string&field=source_file:string",
        [
            ((u, "2026-07-01T12:00:00Z", "a.csv"), f"POINT({530000 + 10 * i} 180000)")
            for i, u in enumerate(["NE31", "NE32", "NE31"])
        ],
        "Imported tracks",
    )
    renderer = pings.renderer()
    assert renderer.classAttribute() == "unit_id"
    assert [c.value() for c in renderer.categories()] == ["NE31", "NE32"]
    colours = [c.symbol().color().name() for c in renderer.categories()]
    assert colours == ["#0072b2", "#e69f00"] and renderer.categories()[0].symbol().size() == 1.1


def test_identify_dialog_opens_with_the_crimes_and_police_uk_fields(plugin, root, monkeypatch):
    """police.uk's CSV in the project: Identify hot spots opens with it, Month and Crime type chosen,
    and zones limited to 0.05 km²."""
    from qgis.core import QgsVectorLayer

    csv = root / "resources" / "sample" / "crime" / "leeds_city_centre_2018-07_street.csv"
    crimes = QgsVectorLayer(
        f"file://{csv}?type=csv&xField=Longitude&yField=Latitude&crs=EPSG:4326", "street crime", "delimitedtext"
    )
    QgsProject.instance().addMapLayer(crimes)
    got = _dialog_values(plugin, "identify", monkeypatch)
    assert _source_id(got["INPUT"]) == crimes.id()
    assert (got["DATE_FIELD"], got["TYPE_FIELD"]) == ("Month", "Crime type")
    assert got["MAX_ZONE_AREA"] == 50_000


def test_a_new_workspace_sets_an_empty_projects_crs(qgis_iface, qgis_new_project, tmp_path):
    """An empty project in WGS84 takes the workspace's British National Grid, so BNG layers meet no
    on-the-fly transform (and its warnings)."""
    from qgis.core import QgsCoordinateReferenceSystem

    from hotspot_patrol_plugin.qgis_io import workspace as W

    QgsProject.instance().setCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    W.add_to_project(W.create_geopackage(str(tmp_path / "ws.gpkg")))
    assert QgsProject.instance().crs().authid() == "EPSG:27700"


# --- 7. no line across the gap between the parts of a zone -------------------------------------------
def test_a_visit_merged_across_a_gap_draws_no_line_over_it(provider, qgis_new_project):
    """Zone Z is two 100 m squares, x 0-100 and 200-300 (y 0-100). A unit drives along y = 50 from
    x = -10 at 0 s to x = 310 at 32 s (10 m/s): inside 1-11 s and 21-31 s, out for 10 s, less than
    the merge gap (60 s), so one visit. Its path is drawn in the zone only: (0,50)-(100,50) and
    (200,50)-(300,50), nothing over the gap."""
    from qgis import processing

    rings = "((0 0, 100 0, 100 100, 0 100, 0 0)), ((200 0, 300 0, 300 100, 200 100, 200 0))"
    zones = _layer("MultiPolygon?crs=EPSG:27700&field=zone_id:string", [(("Z",), f"MULTIPOLYGON({rings})")], "Z")
    pings = _layer(
        "Point?crs=EPSG:27700&field=unit:string&field=t:string",
        [(("A", "2026-11-20T12:00:00"), "POINT(-10 50)"), (("A", "2026-11-20T12:00:32"), "POINT(310 50)")],
        "pings",
    )
    res = processing.run(
        "hotspotpatrol:matchtracks",
        {
            "TRACKS": pings,
            "UNIT_FIELD": "unit",
            "TIME_FIELD": "t",
            "ZONES": zones,
            "VISITS": "memory:",
            "COVERAGE": "memory:",
        },
    )
    (visit,) = list(res["VISITS"].getFeatures())
    parts = [[(round(p.x(), 6), round(p.y(), 6)) for p in line] for line in visit.geometry().asMultiPolyline()]
    assert sorted(parts) == [[(0, 50), (100, 50)], [(200, 50), (300, 50)]]
    assert visit["dwell_min"] == 0.5  # 1 s to 31 s, the gap inside the merged visit


# --- 10. the Processing dialogs --------------------------------------------------------------------
def test_match_dialog_keeps_tuning_under_advanced_as_whole_numbers(plugin, monkeypatch):
    from qgis import processing
    from qgis.gui import QgsBrowserGuiModel

    from hotspot_patrol_plugin.qgis_io import compat

    browser = QgsBrowserGuiModel()
    monkeypatch.setattr(plugin.iface, "browserModel", lambda: browser)
    alg = QgsApplication.processingRegistry().algorithmById("hotspotpatrol:matchtracks")
    advanced = [p.name() for p in alg.parameterDefinitions() if p.flags() & compat.FLAG_ADVANCED]
    assert {"MAX_GAP", "MERGE_GAP", "MIN_DWELL", "BOUNDARY_TOLERANCE", "WAYPOINT_RADIUS"} <= set(advanced)
    assert "TARGET_MIN" not in advanced and "TRACKS" not in advanced
    dialog = processing.createAlgorithmDialog("hotspotpatrol:matchtracks", {})
    spin = dialog.mainWidget().wrappers["MAX_GAP"].wrappedWidget()
    spin = getattr(spin, "spinBox", lambda: spin)() if not hasattr(spin, "decimals") else spin
    assert spin.decimals() == 0 and spin.text().startswith("300")
    assert "\n" not in alg.shortHelpString() and alg.helpUrl().endswith("#what-it-does-today")
    dialog.deleteLater()
