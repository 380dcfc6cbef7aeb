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
