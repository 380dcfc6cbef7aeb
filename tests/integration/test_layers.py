"""The bulk GeoPackage reader gives exactly what QGIS's own feature iteration gives."""

from __future__ import annotations

import numpy as np
import pytest
from qgis.core import QgsVectorLayer

from hotspot_patrol_plugin.qgis_io.layers import _read_features, read_points


@pytest.mark.parametrize("subset", ["", "callsign = 'NE21'", "callsign IN ('NE22', 'PC4471') AND fid % 3 = 0"])
def test_bulk_read_honours_the_subset_filter(qgis_app, sample_gpkg, subset):
    layer = QgsVectorLayer(f"{sample_gpkg}|layername=pings", "pings", "ogr")
    layer.setSubsetString(subset)
    bulk = read_points(layer.dataProvider(), layer, ["callsign", "time"])
    slow = _read_features(layer, ["callsign", "time"])
    assert bulk.method == "gdal-arrow" and len(bulk) == len(slow) > 0
    assert np.array_equal(bulk.fid, slow.fid) and np.array_equal(bulk.x, slow.x) and np.array_equal(bulk.y, slow.y)
    assert list(bulk.columns["callsign"]) == list(slow.columns["callsign"])
    assert list(bulk.columns["time"]) == list(slow.columns["time"])


def test_bulk_read_keeps_datetime_offsets(qgis_app, tmp_path):
    from osgeo import ogr, osr

    path = str(tmp_path / "t.gpkg")
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(27700)
    lyr = ds.CreateLayer("p", srs, ogr.wkbPoint)
    lyr.CreateField(ogr.FieldDefn("t", ogr.OFTDateTime))
    for i, text in enumerate(["2026-07-01T12:00:00+01:00", "2026-07-01T11:00:30Z", "2026-07-01T12:01:00"]):
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("t", text)
        f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({i} 0)"))
        lyr.CreateFeature(f)
    ds = None
    layer = QgsVectorLayer(path + "|layername=p", "p", "ogr")
    table = read_points(layer.dataProvider(), layer, ["t"])
    from hotspot_patrol_plugin.core.times import parse_times

    seconds = parse_times(table.columns["t"], "Europe/London").seconds
    # all three are 11:00:00, 11:00:30 and 11:01:00 UTC (the last is London summer time)
    assert table.method == "gdal-arrow"
    assert list(np.diff(seconds)) == [30.0, 30.0]


@pytest.mark.parametrize("with_time", [False, True], ids=["layer stream", "through SQL"])
def test_bulk_read_keeps_nulls(qgis_app, tmp_path, with_time):
    """A missing speed or count is missing (NaN), not 0; a missing text is None; a feature without
    a geometry has no position: as QGIS's own iteration says."""
    from osgeo import ogr, osr

    path = str(tmp_path / "n.gpkg")
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(27700)
    lyr = ds.CreateLayer("p", srs, ogr.wkbPoint)
    for name, kind in (
        ("callsign", ogr.OFTString),
        ("speed", ogr.OFTReal),
        ("n", ogr.OFTInteger),
        ("t", ogr.OFTDateTime),
    ):
        lyr.CreateField(ogr.FieldDefn(name, kind))
    for i, (unit, speed, geom) in enumerate([("A", 4.5, True), ("B", None, True), (None, 2.0, False)]):
        f = ogr.Feature(lyr.GetLayerDefn())
        if unit:
            f.SetField("callsign", unit)
        if speed is not None:
            f.SetField("speed", speed)
            f.SetField("n", 3)
        f.SetField("t", "2026-07-01T12:00:00Z")
        if geom:
            f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({430000 + i} 433000)"))
        lyr.CreateFeature(f)
    ds = None
    layer = QgsVectorLayer(path + "|layername=p", "p", "ogr")
    names = ["callsign", "speed", "n"] + (["t"] if with_time else [])
    table = read_points(layer.dataProvider(), layer, names)
    assert table.method == "gdal-arrow"
    assert list(table.columns["callsign"]) == ["A", "B", None]
    assert np.array_equal(table.columns["speed"], [4.5, np.nan, 2.0], equal_nan=True)
    assert list(table.columns["n"]) == [3, None, 3]  # whole numbers stay whole (a unit id 12, not 12.0)
    assert np.array_equal(table.x, [430000, 430001, np.nan], equal_nan=True)
