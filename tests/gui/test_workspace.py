"""qgis_io.workspace: the GeoPackage (or database) workspace, its defaults, reading and edits."""

from __future__ import annotations

import math

import pytest
from planner_helpers import square
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsVectorFileWriter,
    QgsVectorLayer,
    QgsVectorLayerUtils,
)

from hotspot_patrol_plugin.core import fields as F
from hotspot_patrol_plugin.core import validation as V
from hotspot_patrol_plugin.qgis_io import settings as S
from hotspot_patrol_plugin.qgis_io import workspace as W


@pytest.fixture()
def ws(qgis_new_project, tmp_path):
    w = W.create_geopackage(str(tmp_path / "ws.gpkg"))
    return W.add_to_project(w, qgis_new_project)


def ids(layer, name=F.ZONE_ID):
    return sorted(str(f[name]) for f in layer.getFeatures())


def test_new_workspace_has_both_tables_with_the_documented_fields(ws, tmp_path):
    assert ws.zones.crs().authid() == "EPSG:27700" and ws.waypoints.crs().authid() == "EPSG:27700"
    assert W.is_zones_layer(ws.zones) and W.is_waypoints_layer(ws.waypoints)
    for name in F.WORKSPACE_ZONE_FIELDS:
        assert ws.zones.fields().indexOf(name) >= 0, name
    for name in F.WORKSPACE_WAYPOINT_FIELDS:
        assert ws.waypoints.fields().indexOf(name) >= 0, name
    assert ws.name == "ws.gpkg"
    # one group at the top of the layer tree, waypoints drawn above zones
    group = QgsProject.instance().layerTreeRoot().children()[0]
    assert group.name() == "Patrol workspace: ws.gpkg"
    assert [n.layer() for n in group.findLayers()] == [ws.waypoints, ws.zones]
    # adding the same tables again reuses the layers
    again = W.add_to_project(W.open_geopackage(str(tmp_path / "ws.gpkg")))
    assert again.zones is ws.zones and len(QgsProject.instance().mapLayers()) == 2


def test_crs_is_the_users_choice_and_the_setting_is_the_default(qgis_new_project, tmp_path):
    w = W.create_geopackage(str(tmp_path / "a.gpkg"), QgsCoordinateReferenceSystem("EPSG:32630"))
    assert w.zones.crs().authid() == "EPSG:32630"
    S.put(S.DEFAULT_CRS, "EPSG:3035")
    assert W.create_geopackage(str(tmp_path / "b.gpkg")).zones.crs().authid() == "EPSG:3035"


def test_open_refuses_what_is_not_a_workspace(qgis_new_project, tmp_path):
    with pytest.raises(W.WorkspaceError, match="does not exist"):
        W.open_geopackage(str(tmp_path / "missing.gpkg"))
    W.create_geopackage(str(tmp_path / "ws.gpkg"))
    with pytest.raises(W.WorkspaceError, match="already has zones and waypoints"):
        W.create("ogr", str(tmp_path / "ws.gpkg"))
    other = QgsVectorLayer("Polygon?crs=EPSG:27700&field=x:integer", "zones", "memory")
    opts = QgsVectorFileWriter.SaveVectorOptions()
    opts.driverName, opts.layerName = "GPKG", "roads"
    QgsVectorFileWriter.writeAsVectorFormatV3(
        other, str(tmp_path / "other.gpkg"), QgsProject.instance().transformContext(), opts
    )
    with pytest.raises(W.WorkspaceError, match="not a patrol workspace"):
        W.open_geopackage(str(tmp_path / "other.gpkg"))


def test_same_code_path_as_a_database_schema(qgis_new_project, tmp_path):
    """create()/open_database() go through QGIS's provider-connection API, as PostGIS does; here
    they add the workspace tables to a GeoPackage that already holds something else."""
    path = str(tmp_path / "db.gpkg")
    notes = QgsVectorLayer("None?field=text:string", "notes", "memory")
    opts = QgsVectorFileWriter.SaveVectorOptions()
    opts.driverName, opts.layerName = "GPKG", "notes"
    QgsVectorFileWriter.writeAsVectorFormatV3(notes, path, QgsProject.instance().transformContext(), opts)
    W.create("ogr", path, "", QgsCoordinateReferenceSystem("EPSG:27700"))
    w = W.open_database("ogr", path, "")
    assert w.zones.isValid() and w.waypoints.isValid() and w.zones.crs().authid() == "EPSG:27700"
    assert w.zones.customProperty(W.ROLE_PROPERTY) == "zones"
    assert [f.name() for f in w.zones.fields()][1:] == list(F.WORKSPACE_ZONE_FIELDS)


def test_zone_defaults_and_next_id_match_the_pure_rule(ws):
    z = ws.zones
    for i in range(3):
        W.add_feature(z, square(530000 + 100 * i, 180000, 50))
    assert ids(z) == ["HS-001", "HS-002", "HS-003"]
    f = next(iter(z.getFeatures()))
    assert f[F.TARGET_MIN] == 10 and f[F.TARGET_MAX] == 15 and f[F.VISITS_PER_DAY] == 3 and f[F.PRIORITY] == 3
    assert f[F.CREATED].isValid() and f[F.MODIFIED].isValid()
    # a planner renames one to HS-099: the expression and core.validation.next_id agree on HS-100
    z.changeAttributeValue(f.id(), z.fields().indexOf(F.ZONE_ID), "HS-099")
    expected = V.next_id(ids(z))
    assert expected == "HS-100"
    assert W.add_feature(z, square(531000, 180000, 50))[F.ZONE_ID] == expected
    z.changeAttributeValue(f.id(), z.fields().indexOf(F.ZONE_ID), "HS-999")
    assert W.add_feature(z, square(532000, 180000, 50))[F.ZONE_ID] == "HS-1000"
    # the same defaults reach QGIS's own digitising (QgsVectorLayerUtils.createFeature)
    native = QgsVectorLayerUtils.createFeature(z, square(0, 0, 50), {}, z.createExpressionContext())
    assert native[F.ZONE_ID] == "HS-1001"


def test_default_band_follows_the_settings(ws):
    S.put(S.TARGET_MIN, 12)
    S.put(S.TARGET_MAX, 18)
    S.put(S.VISITS_PER_DAY, 4)
    W.configure(ws)
    f = W.add_feature(ws.zones, square(530000, 180000, 50))
    assert (f[F.TARGET_MIN], f[F.TARGET_MAX], f[F.VISITS_PER_DAY]) == (12, 18, 4)


def test_modified_is_refreshed_on_update(ws):
    from qgis.core import QgsVectorLayerUtils

    z = ws.zones
    f = W.add_feature(z, square(530000, 180000, 50), {F.NAME: "A"})
    before = z.getFeature(f.id())[F.MODIFIED]
    idx = z.fields().indexOf(F.MODIFIED)
    assert z.defaultValueDefinition(idx).applyOnUpdate()
    assert QgsVectorLayerUtils.createFeature(z).attribute(idx) >= before


def test_waypoint_zone_from_location_for_native_digitising(ws):
    W.add_feature(ws.zones, square(530000, 180000, 100))
    W.add_feature(ws.zones, square(530500, 180000, 100))
    wp = ws.waypoints
    f = QgsVectorLayerUtils.createFeature(
        wp, QgsGeometry.fromPointXY(QgsPointXY(530550, 180050)), {}, wp.createExpressionContext()
    )
    assert f[F.ZONE_ID] == "HS-002" and f[F.WAYPOINT_ID] == "WP-001"
    wp.startEditing()
    wp.addFeature(f)
    fid = next(iter(wp.getFeatures())).id()
    wp.changeGeometry(fid, QgsGeometry.fromPointXY(QgsPointXY(530050, 180050)))  # moved into HS-001
    assert wp.getFeature(fid)[F.ZONE_ID] == "HS-001"


def test_edits_stay_in_the_buffer_until_saved_and_undo_in_one_step(ws, tmp_path):
    z = ws.zones
    W.add_feature(z, square(530000, 180000, 60), {F.NAME: "Market"}, "Add zone")
    assert z.isEditable() and z.isModified() and z.featureCount() == 1
    on_disk = W.open_geopackage(str(tmp_path / "ws.gpkg"))
    assert on_disk.zones.featureCount() == 0  # nothing written yet
    z.undoStack().undo()
    assert z.featureCount() == 0
    z.undoStack().redo()
    assert z.commitChanges(False)
    assert W.open_geopackage(str(tmp_path / "ws.gpkg")).zones.featureCount() == 1


def test_find_by_schema_pairs_waypoints_and_ignores_coverage(ws, qgis_new_project):
    # a database table is found by its fields alone (no custom property); coverage is not a zones layer
    uri = (
        "Polygon?crs=EPSG:27700&field=zone_id:string&field=name:string&field=target_min:double&field=target_max:double"
    )
    plain = QgsVectorLayer(uri, "zones (db)", "memory")
    coverage = QgsVectorLayer(uri + "&field=visits:integer&field=status:string", "Coverage", "memory")
    assert W.is_zones_layer(plain) and not W.is_zones_layer(coverage) and W.is_coverage_layer(coverage)
    qgis_new_project.addMapLayers([coverage, plain])
    found = W.find(qgis_new_project)
    assert found.zones is ws.zones and found.waypoints is ws.waypoints  # the flagged one first
    found = W.find(qgis_new_project, prefer=plain)
    assert found.zones is plain
    assert W.find_coverage(qgis_new_project) is coverage


def test_read_measures_in_metres_whatever_the_layer_crs(qgis_new_project, tmp_path):
    w = W.create_geopackage(str(tmp_path / "ll.gpkg"), QgsCoordinateReferenceSystem("EPSG:4326"))
    centre = QgsPointXY(-0.1276, 51.5072)  # London: measured in British National Grid
    W.add_feature(w.zones, W.circle(centre, 50, w.zones.crs()))
    snap = W.read(w)
    assert snap.crs.authid() == "EPSG:27700"
    (zone,) = snap.zones
    assert snap.zone_areas[zone.key] == pytest.approx(math.pi * 50**2, rel=0.01)
    assert V.minimum_width(zone.geometry) == pytest.approx(100, rel=0.01)
    # Web Mercator is "metres" only at the equator: it is measured in BNG too
    merc = W.create_geopackage(str(tmp_path / "m.gpkg"), QgsCoordinateReferenceSystem("EPSG:3857"))
    t = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), merc.zones.crs(), QgsProject.instance())
    W.add_feature(merc.zones, W.circle(t.transform(centre), 50, merc.zones.crs()))
    snap = W.read(merc)
    assert snap.crs.authid() == "EPSG:27700"
    assert snap.zone_areas[snap.zones[0].key] == pytest.approx(math.pi * 50**2, rel=0.01)


def test_import_maps_fields_renames_clashes_transforms_and_undoes_in_one_step(ws):
    W.add_feature(ws.zones, square(529000, 179000, 80), {F.NAME: "Existing"})  # HS-001
    src = QgsVectorLayer(
        "MultiPolygon?crs=EPSG:4326&field=id:string&field=Label:string&field=rank:integer&field=tmin:double",
        "hot spots",
        "memory",
    )
    to_ll = QgsCoordinateTransform(ws.zones.crs(), src.crs(), QgsProject.instance())
    rows = [("HS-001", "Clash", 2, 8.0), ("G-7", "Park", 1, None), (None, "No id", 9, 12.5)]
    for i, values in enumerate(rows):
        g = square(530000 + 200 * i, 180000, 60)
        g.transform(to_ll)
        f = QgsFeature(src.fields())
        f.setGeometry(g)
        f.setAttributes(list(values))
        src.dataProvider().addFeature(f)
    no_geometry = QgsFeature(src.fields())
    no_geometry.setAttributes(["X", "Nothing", 1, None])
    src.dataProvider().addFeature(no_geometry)
    mapping = W.guess_mapping(src.fields().names())
    assert mapping[F.ZONE_ID] == "id" and mapping[F.NAME] == "Label" and mapping[F.PRIORITY] == "rank"
    mapping[F.TARGET_MIN] = "tmin"
    depth = ws.zones.undoStack().count()
    result = W.import_zones(src, ws.zones, mapping)
    assert (result.added, result.renamed, result.skipped) == (3, 1, 1)
    got = {f[F.NAME]: f for f in ws.zones.getFeatures()}
    assert got["Clash"][F.ZONE_ID] == "HS-002" and got["Park"][F.ZONE_ID] == "G-7"
    assert got["No id"][F.ZONE_ID] == "HS-003"
    assert got["No id"][F.TARGET_MIN] == 12.5 and got["Park"][F.TARGET_MIN] == 10  # default when empty
    assert got["Clash"][F.PRIORITY] == 2
    # geometry back in BNG metres: a 60 m square
    assert got["Park"].geometry().area() == pytest.approx(3600, rel=0.01)
    assert ws.zones.undoStack().count() == depth + 1
    # the default expression numbers on from HS-003, ignoring the imported "G-7"
    native = QgsVectorLayerUtils.createFeature(ws.zones, square(0, 0, 50), {}, ws.zones.createExpressionContext())
    assert native[F.ZONE_ID] == "HS-004"
    ws.zones.undoStack().undo()
    assert ids(ws.zones) == ["HS-001"]


def test_assign_zones_is_one_undoable_command(ws):
    a = W.add_feature(ws.zones, square(530000, 180000, 100))
    b = W.add_feature(ws.zones, square(530500, 180000, 100))
    wp = W.add_feature(ws.waypoints, QgsGeometry.fromPointXY(QgsPointXY(530050, 180050)))
    assert ws.waypoints.getFeature(wp.id())[F.ZONE_ID] == "HS-001"
    assert W.assign_zones(ws) == 0
    # the planner swaps the two zones' outlines: the waypoint now lies in HS-002
    ws.zones.changeGeometry(a.id(), square(530500, 180000, 100))
    ws.zones.changeGeometry(b.id(), square(530000, 180000, 100))
    assert W.assign_zones(ws) == 1
    assert ws.waypoints.getFeature(wp.id())[F.ZONE_ID] == "HS-002"
    ws.waypoints.undoStack().undo()
    assert ws.waypoints.getFeature(wp.id())[F.ZONE_ID] == "HS-001"


def test_zone_at(ws):
    W.add_feature(ws.zones, square(530000, 180000, 100))
    ll = QgsCoordinateReferenceSystem("EPSG:4326")
    p = QgsGeometry.fromPointXY(QgsPointXY(530050, 180050))
    p.transform(QgsCoordinateTransform(ws.zones.crs(), ll, QgsProject.instance()))
    assert W.zone_at(ws.zones, p, ll) == "HS-001"
    assert W.zone_at(ws.zones, QgsGeometry.fromPointXY(QgsPointXY(0, 0)), ws.zones.crs()) is None


def test_style_is_applied(ws):
    assert ws.zones.renderer() is not None and ws.zones.labelsEnabled()
    assert ws.waypoints.renderer() is not None
