"""Each bulk reader returns what QGIS's own feature iteration returns on the same layer: feature ids,
positions, values, nulls and date-time instants; and falls back (saying why) where it cannot."""

from __future__ import annotations

import numpy as np
import pytest
from qgis.core import (
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingException,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingFeedback,
    QgsVectorLayer,
)

from hotspot_patrol_plugin.qgis_io.layers import _read_features, _same, read_points, temporal_parts


class Log(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.lines = []

    def pushInfo(self, text):
        self.lines.append(text)


def assert_same_as_features(layer, names, method):
    """The bulk table equals feature iteration: ids, x/y, values (None for NULL), and date-times."""
    log = Log()
    bulk = read_points(layer.dataProvider(), layer, names, log)
    slow = _read_features(layer, names + ([bulk.id_field] if bulk.id_field else []))
    if bulk.id_field:  # a PostGIS int8 key: QGIS numbers its features itself; the ids are the key's values
        slow.fid = np.asarray(slow.columns[bulk.id_field], dtype=np.int64)
    assert bulk.method == method, log.lines
    assert any(method in line for line in log.lines)
    order = np.argsort(bulk.fid)
    assert list(bulk.fid[order]) == sorted(slow.fid.tolist())
    back = np.argsort(slow.fid)
    assert np.array_equal(bulk.x[order], slow.x[back], equal_nan=True)
    assert np.array_equal(bulk.y[order], slow.y[back], equal_nan=True)
    for n in names:
        mine = (
            np.asarray(bulk.columns[n], dtype=object)[order]
            if hasattr(bulk.columns[n], "categories")
            else np.asarray(bulk.columns[n])[order]
        )
        theirs = slow.columns[n][back]
        if layer.fields().field(n).typeName().lower() in ("datetime", "date", "timestamp", "timestamptz"):
            wall_a, inst_a = temporal_parts(mine)
            wall_b, inst_b = temporal_parts(theirs)
            assert np.allclose(wall_a, wall_b, atol=1.0, equal_nan=True), n
            known = ~np.isnan(inst_b)
            assert np.allclose(inst_a[known], inst_b[known], atol=1.0), n
        else:
            for u, v in zip(mine, theirs):
                assert _same(u, v), (n, u, v)
                assert type(u) is not float or type(v) is float or v is None, (n, u, v)  # 12 stays 12
    return bulk


# ----------------------------------------------------------------------------- delimited text
CSV = (
    "\ufeffunit,time,x,y,speed,n,note\r\n"
    '"A,1",2026-11-24T14:05:00,530000.5,180000,1.5,3,"say ""hi"""\r\n'
    "B,2026-11-24T14:06:00Z,530001,180001,,,\r\n"
    "\r\n"
    "C,2026-11-24T14:06:30Z,bad,180002,2,4, padded \r\n"
    "D,2026-11-24T14:07:00+01:00,,180003,3,5,x\r\n"
    "E,2026-11-24T14:08:00,530004.25,180004,4.75,6,\r\n"
)


def csv_layer(tmp_path, text=CSV, name="pings.csv", encoding="utf-8", **options):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    opts = {
        "type": "csv",
        "detectTypes": "yes",
        "xField": "x",
        "yField": "y",
        "crs": "EPSG:27700",
        "spatialIndex": "no",
        "subsetIndex": "no",
        "watchFile": "no",
        **options,
    }
    uri = path.as_uri() + "?" + "&".join(f"{k}={v}" for k, v in opts.items())
    layer = QgsVectorLayer(uri, "pings", "delimitedtext")
    assert layer.isValid()
    return layer


def test_csv_with_quotes_bom_crlf_blank_line_and_empty_cells(qgis_app, tmp_path):
    layer = csv_layer(tmp_path)
    names = layer.fields().names()
    bulk = assert_same_as_features(layer, names, "csv-pandas")
    # by hand: QGIS numbers features by line (header = line 1, line 4 is blank); rows without a
    # position (C: x 'bad', D: no x) are not features
    assert bulk.fid.tolist() == [2, 3, 7]
    assert bulk.unplaced == 2  # C and D, which QGIS leaves out
    assert bulk.x.tolist() == [530000.5, 530001.0, 530004.25]
    assert list(bulk.columns["unit"]) == ["A,1", "B", "E"]
    assert list(bulk.columns["note"]) == ['say "hi"', None, None]
    assert list(bulk.columns["n"]) == [3, None, 6]
    assert np.array_equal(bulk.columns["speed"], [1.5, np.nan, 4.75], equal_nan=True)


def test_csv_subset_filter(qgis_app, tmp_path):
    layer = csv_layer(tmp_path)
    layer.setSubsetString('"speed" > 2 OR "unit" = \'A,1\'')
    bulk = assert_same_as_features(layer, ["unit", "time", "speed"], "csv-pandas")
    assert bulk.fid.tolist() == [2, 7]


def test_csv_semicolon_decimal_comma_skipped_lines_and_trim(qgis_app, tmp_path):
    text = (
        "exported by AVL\n"
        "unit;time;x;y;speed\n"
        " A ;2026-07-01 12:00:00;530000,5;180000,25;1,5\n"
        "B;2026-07-01 12:00:30;530001;180001;\n"
    )
    layer = csv_layer(tmp_path, text, delimiter=";", decimalPoint=",", skipLines=1, trimFields="yes")
    bulk = assert_same_as_features(layer, ["unit", "time", "speed"], "csv-pandas")
    assert bulk.fid.tolist() == [3, 4]
    assert bulk.x.tolist() == [530000.5, 530001.0] and bulk.y.tolist() == [180000.25, 180001.0]
    assert list(bulk.columns["unit"]) == ["A", "B"]


def test_csv_without_header_and_tab_delimited(qgis_app, tmp_path):
    text = "A\t2026-07-01T12:00:00Z\t530000\t180000\nB\t2026-07-01T12:00:30Z\t530001\t180001\n"
    layer = csv_layer(tmp_path, text, name="p.tsv", delimiter="\\t", useHeader="no", xField="field_3", yField="field_4")
    bulk = assert_same_as_features(layer, ["field_1", "field_2"], "csv-pandas")
    assert bulk.fid.tolist() == [1, 2]


def test_csv_wkt_points(qgis_app, tmp_path):
    text = 'unit,wkt\nA,POINT (530000 180000)\nB,"POINT (530001.5 180001)"\nC,\n'
    path = tmp_path / "w.csv"
    path.write_text(text)
    layer = QgsVectorLayer(path.as_uri() + "?type=csv&wktField=wkt&geomType=point&crs=EPSG:27700", "w", "delimitedtext")
    assert layer.isValid()
    bulk = assert_same_as_features(layer, ["unit"], "csv-pandas")
    assert np.array_equal(bulk.x, [530000.0, 530001.5, np.nan], equal_nan=True)  # no WKT: no geometry


def test_csv_file_gone_is_one_sentence(qgis_app, tmp_path):
    layer = csv_layer(tmp_path)
    (tmp_path / "pings.csv").unlink()
    with pytest.raises(QgsProcessingException, match="The file of the layer 'pings' is missing"):
        read_points(layer.dataProvider(), layer, ["unit"])


def test_csv_changed_since_added_falls_back(qgis_app, tmp_path):
    layer = csv_layer(tmp_path)
    (tmp_path / "pings.csv").write_text("who,x,y\nA,1,2\n")
    log = Log()
    table = read_points(layer.dataProvider(), layer, ["unit"], log)
    assert table.method == "features" and "columns are not the layer's fields" in table.note


# ----------------------------------------------------------------------------- OGR files
def ogr_file(path, driver, rows, fields, geom=True, srs=27700):
    from osgeo import ogr, osr

    ogr.UseExceptions()
    ds = ogr.GetDriverByName(driver).CreateDataSource(str(path))
    ref = osr.SpatialReference()
    ref.ImportFromEPSG(srs)
    lyr = ds.CreateLayer("pings", ref, ogr.wkbPoint)
    for name, kind in fields:
        lyr.CreateField(ogr.FieldDefn(name, kind))
    for values, xy in rows:
        f = ogr.Feature(lyr.GetLayerDefn())
        for (name, _), v in zip(fields, values):
            if v is not None:
                f.SetField(name, v)
        if xy is not None:
            f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({xy[0]} {xy[1]})"))
        lyr.CreateFeature(f)
    ds = None
    return str(path)


ROWS = [
    (("A", 1.5, 7), (530000.5, 180000.0)),
    (("B", None, None), (530001.0, 180001.0)),
    ((None, 2.0, 9), (530002.0, 180002.0)),
    (("A", 3.25, 10), None),
]


@pytest.mark.parametrize(
    "driver,suffix",
    [("ESRI Shapefile", "shp"), ("GeoJSON", "geojson"), ("FlatGeobuf", "fgb"), ("SQLite", "sqlite"), ("GPKG", "gpkg")],
)
def test_every_ogr_file_through_the_arrow_stream(qgis_app, tmp_path, driver, suffix):
    from osgeo import ogr

    path = ogr_file(
        tmp_path / f"p.{suffix}", driver, ROWS, [("unit", ogr.OFTString), ("speed", ogr.OFTReal), ("n", ogr.OFTInteger)]
    )
    layer = QgsVectorLayer(path, "p", "ogr")
    assert layer.isValid()
    bulk = assert_same_as_features(layer, ["unit", "speed", "n"], "gdal-arrow")
    assert sorted(x for x in bulk.x.tolist() if x == x) == [530000.5, 530001.0, 530002.0]
    layer.setSubsetString("n >= 9")  # OGR SQL for these drivers, SQLite SQL for GeoPackage: same text
    bulk = assert_same_as_features(layer, ["unit", "n"], "gdal-arrow")
    # FlatGeobuf keeps no feature without a geometry (GDAL drops it on writing)
    assert sorted(bulk.columns["n"].tolist()) == ([9] if driver == "FlatGeobuf" else [9, 10])


def _dt_gpkg(tmp_path, texts):
    from osgeo import ogr

    return ogr_file(
        tmp_path / "t.gpkg",
        "GPKG",
        [((t, "A"), (i, 0)) for i, t in enumerate(texts)],
        [("t", ogr.OFTDateTime), ("unit", ogr.OFTString)],
    )


@pytest.mark.parametrize(
    "texts,kind,expected",
    [
        # all UTC: UTC seconds straight from the stream
        (["2026-07-01T11:00:00Z", "2026-07-01T11:00:30.250Z", None], "f", [1782903600.0, 1782903630.25, np.nan]),
        # no offsets: wall-clock times, put into the user's time zone later (London summer time: -1 h)
        (["2026-07-01T12:00:00", "2026-07-01T12:00:30", None], "M", [1782903600.0, 1782903630.0, np.nan]),
        # a mix: the stored texts
        (
            ["2026-07-01T12:00:00+01:00", "2026-07-01T11:00:30Z", "2026-07-01T12:01:00"],
            "O",
            [1782903600.0, 1782903630.0, 1782903660.0],
        ),
    ],
)
def test_geopackage_datetimes_in_bulk(qgis_app, tmp_path, texts, kind, expected):
    from hotspot_patrol_plugin.core.times import parse_times

    layer = QgsVectorLayer(_dt_gpkg(tmp_path, texts) + "|layername=pings", "p", "ogr")
    bulk = assert_same_as_features(layer, ["t", "unit"], "gdal-arrow")
    assert bulk.columns["t"].dtype.kind == kind
    seconds = parse_times(bulk.columns["t"], "Europe/London").seconds
    assert np.array_equal(seconds, expected, equal_nan=True)


def test_gpx_datetimes_fall_back_and_say_why(qgis_app, tmp_path):
    path = tmp_path / "t.gpx"
    path.write_text(
        '<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
        '<trk><name>A</name><trkseg><trkpt lat="51.5" lon="-0.1"><time>2026-07-01T11:00:00Z</time>'
        "</trkpt></trkseg></trk></gpx>"
    )
    layer = QgsVectorLayer(f"{path}|layername=track_points", "gpx", "ogr")
    log = Log()
    table = read_points(layer.dataProvider(), layer, ["time"], log)
    assert table.method == "features" and "time zones" in table.note
    assert any("read feature by feature" in line and "time zones" in line for line in log.lines)


# ----------------------------------------------------------------------------- fall-backs
def test_memory_layer_and_selection_use_feature_iteration(qgis_app, tmp_path):
    layer = QgsVectorLayer("Point?crs=EPSG:27700&field=unit:string", "mem", "memory")
    f = QgsFeature(layer.fields())
    f.setAttributes(["A"])
    f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(1, 2)))
    layer.dataProvider().addFeatures([f])
    log = Log()
    table = read_points(layer.dataProvider(), layer, ["unit"], log)
    assert table.method == "features" and "'memory' provider" in table.note
    assert table.columns["unit"].tolist() == ["A"]

    from osgeo import ogr

    gpkg = QgsVectorLayer(ogr_file(tmp_path / "s.gpkg", "GPKG", ROWS, [("unit", ogr.OFTString)]), "s", "ogr")
    gpkg.selectByIds([1])
    definition = QgsProcessingFeatureSourceDefinition(gpkg.id(), True)
    from qgis.core import QgsProject

    QgsProject.instance().addMapLayer(gpkg)
    try:
        from qgis.core import QgsProcessingContext, QgsProcessingParameterFeatureSource, QgsProcessingParameters

        context = QgsProcessingContext()
        context.setProject(QgsProject.instance())
        param = QgsProcessingParameterFeatureSource("IN")
        source = QgsProcessingParameters.parameterAsSource(param, {"IN": definition}, context)
        table = read_points(source, gpkg, ["unit"], Log(), definition)
        assert table.method == "features" and "selected" in table.note and table.fid.tolist() == [1]
    finally:
        QgsProject.instance().removeMapLayer(gpkg.id())


def test_unsaved_edits_are_read_as_qgis_shows_them(qgis_app, tmp_path):
    from osgeo import ogr

    layer = QgsVectorLayer(ogr_file(tmp_path / "e.gpkg", "GPKG", ROWS, [("unit", ogr.OFTString)]), "e", "ogr")
    layer.startEditing()
    layer.changeAttributeValue(1, layer.fields().indexOf("unit"), "edited")
    table = read_points(layer, layer, ["unit"], Log())
    assert table.method == "features" and "unsaved edits" in table.note
    assert table.columns["unit"][table.fid.tolist().index(1)] == "edited"
    layer.rollBack()


def test_a_reader_that_misreads_falls_back_and_says_so(qgis_app, tmp_path, monkeypatch):
    """The safety net: the first features QGIS iterates are compared with the bulk result."""
    from osgeo import ogr

    from hotspot_patrol_plugin.qgis_io import bulk_read

    layer = QgsVectorLayer(ogr_file(tmp_path / "m.gpkg", "GPKG", ROWS, [("unit", ogr.OFTString)]), "m", "ogr")
    honest = bulk_read.read_ogr

    def wrong(*args):
        raw = honest(*args)
        raw.columns["unit"] = raw.columns["unit"].copy()
        raw.columns["unit"][0] = "not what the file holds"
        return raw

    monkeypatch.setitem(bulk_read.read.__globals__, "read_ogr", wrong)
    log = Log()
    table = read_points(layer.dataProvider(), layer, ["unit"], log)
    assert table.method == "features" and "disagreed with QGIS (the field 'unit' differs at feature 1)" in table.note
    assert "not what the file holds" not in " ".join(log.lines)
    assert table.columns["unit"].tolist() == ["A", "B", None, "A"]
