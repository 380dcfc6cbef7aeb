"""The Spark job's coverage as a GeoPackage the analyst opens in QGIS: the zones (their own
geometry and CRS) with the coverage fields, written through GDAL/OGR (one row per zone: thousands,
not millions, so a feature loop is fine and the Spark layer needs nothing from qgis_io/), and the
plugin's coverage style stored as the layer's default style (QGIS applies it when the layer is
opened)."""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3

import numpy as np
import shapely

from ..core import fields as F
from ..core.matching import STATUS_ABOVE, STATUS_BELOW, STATUS_NOT_VISITED, STATUS_ON
from .inputs import AreaTable, crs_wkt

LAYER = "coverage"
INTS = (F.VISITS, F.VISITS_SHORT, F.VISITS_TARGET, F.VISITS_LONG, F.UNITS)
REALS = (F.DWELL_TOTAL_MIN, F.DWELL_MEDIAN_MIN, F.PRESENCE_MIN)


def write_coverage(path: str, zones: AreaTable, rows: list[dict], target_min: float, target_max: float) -> int:
    """Write ``rows`` (one per zone, in the zones' order) with the zones' geometries."""
    if os.path.exists(path):
        os.remove(path)

    def col(name):
        return [r[name] for r in rows]

    def real(name):
        return np.array([np.nan if v is None else float(v) for v in col(name)])

    def utc(name):
        return np.array([np.nan if v is None else float(v) / 1000.0 for v in col(f"{name}_ms")])

    columns = [(F.ZONE_ID, "string", np.asarray(col("zone_id"), dtype=object))]
    columns += [(n, "int", np.asarray(col(n), dtype=np.int64)) for n in INTS[:4]]
    columns += [(n, "real", real(n)) for n in REALS]
    columns += [
        (F.UNITS, "int", np.asarray(col(F.UNITS), dtype=np.int64)),
        (F.FIRST_ENTRY, "utc", utc(F.FIRST_ENTRY)),
        (F.LAST_EXIT, "utc", utc(F.LAST_EXIT)),
        (F.STATUS, "string", np.asarray(col(F.STATUS), dtype=object)),
        ("band_min", "real", real("band_min")),
        ("band_max", "real", real("band_max")),
        ("days", "int", np.asarray(col("days"), dtype=np.int64)),
        ("per_day", "real", real("per_day")),
    ]
    geoms = zones.geoms
    multi = bool(np.any(shapely.get_type_id(geoms) == 6))
    if multi:  # some multi-polygons: the layer is multi-polygon
        geoms = [g if g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g]) for g in geoms]
    n = _write_ogr(path, zones.crs, geoms, columns, multi)
    store_style(path, LAYER, target_min, target_max)
    return n


def iso_utc(seconds: float) -> str:
    """UTC seconds -> GeoPackage date-time text 'YYYY-MM-DDTHH:MM:SS.sssZ' (to the millisecond)."""
    ms = int(round(seconds * 1000.0))
    stamp = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(milliseconds=ms)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _write_ogr(path, crs, geoms, columns, multi: bool) -> int:
    """The coverage layer, feature by feature through OGR, with a spatial index."""
    from osgeo import ogr, osr

    ogr.UseExceptions()
    srs = osr.SpatialReference()
    srs.SetFromUserInput(crs_wkt(crs))
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    lyr = ds.CreateLayer(
        LAYER,
        srs,
        ogr.wkbMultiPolygon if multi else ogr.wkbPolygon,
        options=["GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=YES"],
    )
    kinds = {"string": ogr.OFTString, "int": ogr.OFTInteger64, "real": ogr.OFTReal, "utc": ogr.OFTDateTime}
    for name, kind, _ in columns:
        lyr.CreateField(ogr.FieldDefn(name, kinds[kind]))
    lyr.StartTransaction()
    for i, g in enumerate(geoms):
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(g)))
        for name, kind, values in columns:
            v = values[i]
            if kind == "utc":
                v = None if not np.isfinite(v) else iso_utc(float(v))
            elif kind == "real":
                v = None if not np.isfinite(v) else float(v)
            elif kind == "int":
                v = int(v)
            if v is None:
                f.SetFieldNull(name)
            else:
                f.SetField(name, v)
        lyr.CreateFeature(f)
    lyr.CommitTransaction()
    ds = None
    return len(geoms)


def _fmt(minutes: float) -> str:
    return f"{float(minutes):g}"


def legend(target_min: float, target_max: float) -> dict:
    """The legend texts the plugin's coverage style shows for this target band."""
    return {
        STATUS_NOT_VISITED: "not visited",
        STATUS_BELOW: f"below target: median visit under {_fmt(target_min)} min",
        STATUS_ON: f"on target: median visit {_fmt(target_min)}–{_fmt(target_max)} min",
        STATUS_ABOVE: f"above target: median visit over {_fmt(target_max)} min",
    }


def store_style(path: str, layer: str, target_min: float, target_max: float) -> None:
    """The plugin's coverage.qml (legend naming this band) as the layer's default style, in the
    ``layer_styles`` table QGIS reads when it opens a GeoPackage layer."""
    from ..paths import resource

    try:
        style = resource("styles", "coverage.qml")
    except FileNotFoundError:  # the package without its resources (e.g. shipped to a cluster): no style
        return
    qml = open(style, encoding="utf-8").read()
    for status, text in legend(target_min, target_max).items():
        qml = re.sub(rf'(<category value="{re.escape(status)}"[^>]*label=")[^"]*(")', rf"\g<1>{text}\g<2>", qml)
    con = sqlite3.connect(path)
    try:
        con.execute(
            "CREATE TABLE IF NOT EXISTS layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), "
            "f_table_schema TEXT(256), f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), "
            "styleQML TEXT, styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30), "
            "update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
        )
        con.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, last_change) "
            "VALUES ('layer_styles', 'attributes', 'layer_styles', ?)",
            (dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"),),
        )
        con.execute(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
            "styleName, styleQML, styleSLD, useAsDefault, description, owner, ui) "
            "VALUES ('', '', ?, 'geom', ?, ?, '', 1, 'Hotspot Patrol coverage', '', '')",
            (layer, layer, qml),
        )
        con.commit()
    finally:
        con.close()
