"""Bridge for hot spot analysis: crime layers -> arrays, a study area -> shapely, results -> features."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFields,
    QgsGeometry,
    QgsProcessingException,
    QgsUnitTypes,
)

from ..core import hotspots as H
from . import fieldtypes
from .layers import read_points

#: skipped-row reasons (bad input) and excluded-row reasons (filtered out on purpose)
NO_LOCATION = "no location (empty geometry or coordinates that do not transform)"
NO_DATE = "missing or unparseable date"
NO_WEIGHT = "missing or non-numeric weight"
NEGATIVE_WEIGHT = "negative weight"
NOT_IN_TABLE = "crime type not in the harm table"
OTHER_TYPE = "crime type not selected"
OUTSIDE_PERIOD = "outside the period"
OUTSIDE_AREA = "outside the study area"


def is_metric_projected(crs: QgsCoordinateReferenceSystem) -> bool:
    return crs.isValid() and not crs.isGeographic() and QgsUnitTypes.encodeUnit(crs.mapUnits()) == "meters"


@dataclass
class Crimes:
    """The crimes kept for the analysis (projected x, y, weight) and the rows left out, by reason."""

    x: np.ndarray
    y: np.ndarray
    weight: np.ndarray | None
    rows_read: int
    method: str
    skipped: dict = field(default_factory=dict)
    excluded: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    date_range: tuple | None = None


def _norm(values) -> np.ndarray:
    """Text values trimmed and case-folded (missing values become None)."""
    import pandas as pd

    s = pd.Series(values, dtype=object)
    missing = s.isna()
    out = s.astype(str).str.strip().str.casefold().to_numpy(dtype=object)
    out[missing.to_numpy()] = None
    return out


def read_crimes(source, layer, definition, to_work, feedback, *, date_field=None, period=(None, None),
                timezone="Europe/London", type_field=None, types=(), weight_field=None,
                harm_table=None) -> Crimes:
    """Read the crime points and apply the filters; every row left out is counted by reason."""
    import pandas as pd

    from ..core.times import parse_times

    wanted = [f for f in (date_field, type_field, weight_field) if f]
    table = read_points(source, layer, wanted, feedback, definition)
    n = len(table)
    x, y = table.x, table.y
    if to_work is not None and n:
        ok = np.isfinite(x) & np.isfinite(y)
        wx, wy = np.full(n, np.nan), np.full(n, np.nan)
        if ok.any():
            tx, ty = to_work(x[ok], y[ok])
            wx[ok], wy[ok] = tx, ty
        x, y = wx, wy
    keep = np.ones(n, dtype=bool)
    skipped: dict[str, int] = {}
    excluded: dict[str, int] = {}
    notes: list[str] = []

    def drop(reason, mask, into, warn=True):
        mask = mask & keep
        k = int(mask.sum())
        if k:
            into[reason] = into.get(reason, 0) + k
            if warn:
                first = table.fid[mask][:5].tolist()
                feedback.pushWarning(f"Skipped {k:,} crime(s) with {reason} (first feature ids: {first}).")
            keep[mask] = False

    drop(NO_LOCATION, ~(np.isfinite(x) & np.isfinite(y)), skipped)

    kinds = None
    if type_field:
        kinds = _norm(table.columns[type_field])
    if types:
        wanted_types = {t.casefold(): t for t in types}
        present = set(pd.unique(kinds[keep & ~pd.isna(kinds)]).tolist())
        missing = [t for k, t in wanted_types.items() if k not in present]
        if len(missing) == len(wanted_types):
            sample = sorted({str(v) for v in table.columns[type_field] if v is not None})[:12]
            raise QgsProcessingException(
                f"None of the crime types {', '.join(repr(t) for t in types)} occur in the field "
                f"'{type_field}' (its values include: {', '.join(sample)}).")
        if missing:
            notes.append(f"Crime types not found in '{type_field}': {', '.join(missing)}.")
            feedback.pushWarning(notes[-1])
        drop(OTHER_TYPE, ~pd.Series(kinds, dtype=object).isin(set(wanted_types)).to_numpy(), excluded, warn=False)

    weight = None
    if weight_field:
        weight = pd.to_numeric(pd.Series(table.columns[weight_field], dtype=object), errors="coerce").to_numpy(
            dtype=np.float64)
        drop(NO_WEIGHT, ~np.isfinite(weight), skipped)
        drop(NEGATIVE_WEIGHT, weight < 0, skipped)
    elif harm_table is not None:
        uniq, codes = _unique_map(kinds)
        per_type = np.array([np.nan if k is None else harm_table.get(k, np.nan) for k in uniq], dtype=np.float64)
        weight = per_type[codes] if n else np.zeros(0)
        unknown = ~np.isfinite(weight)
        if (unknown & keep).any():
            names = pd.Series(table.columns[type_field][unknown & keep], dtype=object).fillna("(empty)")
            top = names.value_counts().head(8)
            notes.append("Crime types missing from the harm table (left out): "
                         + ", ".join(f"{k} ({v:,})" for k, v in top.items()) + ".")
        drop(NOT_IN_TABLE, unknown, skipped)

    date_range = None
    start, end = period
    if date_field:
        parsed = parse_times(table.columns[date_field], timezone)
        seconds = parsed.seconds
        good = np.isfinite(seconds)
        if start is not None or end is not None:
            drop(NO_DATE, ~good, skipped)
            lo = -np.inf if start is None else start
            hi = np.inf if end is None else end
            with np.errstate(invalid="ignore"):
                drop(OUTSIDE_PERIOD, ~((seconds >= lo) & (seconds <= hi)), excluded, warn=False)
        sel = keep & good
        if sel.any():
            date_range = (float(seconds[sel].min()), float(seconds[sel].max()))
    return Crimes(x=x[keep], y=y[keep], weight=None if weight is None else weight[keep], rows_read=n,
                  method=table.method, skipped=skipped, excluded=excluded, notes=notes, date_range=date_range)


def _unique_map(values):
    """(unique values, inverse) of an object array that may hold None."""
    import pandas as pd

    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    uniq = np.array([None if (u is None or (isinstance(u, float) and np.isnan(u))) else u for u in uniques],
                    dtype=object)
    return uniq, codes


def study_area(source, to_work, feedback):
    """The union of the study area's polygons in the working CRS (shapely), repaired if invalid."""
    import shapely

    wkbs = []
    for feat in source.getFeatures():
        geom = feat.geometry()
        if geom is None or geom.isNull() or geom.isEmpty():
            continue
        wkbs.append(bytes(geom.asWkb()))
    if not wkbs:
        raise QgsProcessingException("The study area layer has no polygons with a geometry.")
    geoms = shapely.from_wkb(np.asarray(wkbs, dtype=object))
    if to_work is not None:
        geoms = shapely.transform(geoms, lambda xy: np.column_stack(to_work(xy[:, 0], xy[:, 1])))
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        feedback.pushWarning(f"Repaired {int(bad.sum())} invalid study area polygon(s) "
                             f"({shapely.is_valid_reason(geoms[bad][0])}).")
        geoms[bad] = shapely.make_valid(geoms[bad])
    area = shapely.union_all(geoms)
    area = shapely.get_parts(area)
    area = shapely.union_all(area[shapely.get_type_id(area) >= 3])  # polygons only
    if shapely.is_empty(area) or shapely.area(area) <= 0:
        raise QgsProcessingException("The study area layer's polygons enclose no area.")
    return area


# ----------------------------------------------------------------------------------- outputs
def _fields(spec) -> QgsFields:
    fs = QgsFields()
    for name, kind in spec:
        fs.append(fieldtypes.field(name, kind))
    return fs


def grid_fields() -> QgsFields:
    return _fields((
        (H.CELL_ID, fieldtypes.LONG), (H.CRIMES, fieldtypes.INT), (H.HARM, fieldtypes.DOUBLE),
        (H.GI_Z, fieldtypes.DOUBLE), (H.GI_P, fieldtypes.DOUBLE), (H.GI_P_FDR, fieldtypes.DOUBLE),
        (H.CLASS, fieldtypes.STRING),
    ))


def hotspot_fields() -> QgsFields:
    return _fields((
        (H.ZONE_ID, fieldtypes.STRING), (H.NAME, fieldtypes.STRING), (H.CRIMES, fieldtypes.INT),
        (H.HARM, fieldtypes.DOUBLE), (H.AREA_M2, fieldtypes.DOUBLE), (H.CELLS, fieldtypes.INT),
        (H.PEAK_GI_Z, fieldtypes.DOUBLE),
    ))


def concentration_fields() -> QgsFields:
    return _fields((
        (H.HARM_PER_CELL, fieldtypes.DOUBLE), (H.CELLS, fieldtypes.LONG), (H.CUM_CELLS, fieldtypes.LONG),
        (H.AREA_PCT, fieldtypes.DOUBLE), (H.AREA_KM2, fieldtypes.DOUBLE), (H.HARM_PCT, fieldtypes.DOUBLE),
    ))


GRID_OGR_TYPES = {H.CELL_ID: "OFTInteger64", H.CRIMES: "OFTInteger", H.HARM: "OFTReal", H.GI_Z: "OFTReal",
                  H.GI_P: "OFTReal", H.GI_P_FDR: "OFTReal", H.CLASS: "OFTString"}


def write_polygons_gpkg(path: str, layer: str, crs_wkt: str, rings: np.ndarray, columns: list,
                        feedback=None, progress=(0.0, 100.0), chunk: int = 50_000) -> int:
    """A new GeoPackage polygon layer from closed rings (n, k, 2) and (name, OFT type name, list)
    columns, in bulk: GDAL creates the table, SQLite takes the rows, the R-tree is packed at once
    (qgis_io.gpkg_writer's loader). A feature loop through a QGIS sink costs ~30 us a cell."""
    import os
    import sqlite3

    from osgeo import gdal, ogr, osr

    from ..core.hotspots import polygon_wkb
    from .gpkg_writer import bulk_load_rtree

    gdal.UseExceptions()
    srs = osr.SpatialReference()
    srs.SetFromUserInput(crs_wkt)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    drv = ogr.GetDriverByName("GPKG")
    ds = drv.Open(path, 1) if os.path.exists(path) else drv.CreateDataSource(path)
    if ds.GetLayerByName(layer) is not None:
        ds.DeleteLayer(layer)
    lyr = ds.CreateLayer(layer, srs, ogr.wkbPolygon, options=["SPATIAL_INDEX=YES", "GEOMETRY_NAME=geom", "FID=fid"])
    for name, kind, _ in columns:
        lyr.CreateField(ogr.FieldDefn(name, getattr(ogr, kind)))
    ds = None
    n = len(rings)
    con = sqlite3.connect(path)
    try:
        srs_id = con.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = ?", (layer,)).fetchone()[0]
        con.execute("PRAGMA synchronous=OFF")
        con.execute("PRAGMA journal_mode=MEMORY")
        # GDAL's per-row triggers (feature count, R-tree upkeep) are dropped for the load and restored
        triggers = con.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name = ?", (layer,)).fetchall()
        for name, _ in triggers:
            con.execute(f'DROP TRIGGER "{name}"')
        head = b"GP\x00\x01" + int(srs_id).to_bytes(4, "little", signed=True)
        names = ", ".join(['"geom"'] + [f'"{c[0]}"' for c in columns])
        sql = f'INSERT INTO "{layer}" ({names}) VALUES ({", ".join("?" * (len(columns) + 1))})'
        for lo in range(0, n, chunk):
            hi = min(lo + chunk, n)
            blobs = [head + w for w in polygon_wkb(rings[lo:hi])]
            con.executemany(sql, zip(blobs, *(values[lo:hi] for _, _, values in columns)))
            if feedback is not None:
                if feedback.isCanceled():
                    break
                feedback.setProgress(progress[0] + (progress[1] - progress[0]) * hi / max(n, 1))
        fid0 = con.execute(f'SELECT MIN(fid) FROM "{layer}"').fetchone()[0] or 1
        minx, maxx = rings[:, :, 0].min(axis=1), rings[:, :, 0].max(axis=1)
        miny, maxy = rings[:, :, 1].min(axis=1), rings[:, :, 1].max(axis=1)
        bulk_load_rtree(con, f"rtree_{layer}_geom", np.arange(n, dtype=np.int64) + fid0, minx, maxx, miny, maxy)
        if n:
            con.execute("UPDATE gpkg_contents SET min_x=?, min_y=?, max_x=?, max_y=? WHERE table_name=?",
                        (float(minx.min()), float(miny.min()), float(maxx.max()), float(maxy.max()), layer))
        con.execute("UPDATE gpkg_ogr_contents SET feature_count = ? WHERE table_name = ?", (n, layer))
        for _, sql_text in triggers:
            con.execute(sql_text)
        con.commit()
    finally:
        con.close()
    return n


def qgs_geometries(geoms) -> list:
    """shapely geometries -> QgsGeometry objects (through WKB)."""
    import shapely

    out = []
    for wkb in shapely.to_wkb(geoms):
        g = QgsGeometry()
        g.fromWkb(wkb)
        out.append(g)
    return out


def feature(fields: QgsFields, attrs: list, geometry=None) -> QgsFeature:
    f = QgsFeature(fields)
    f.setAttributes(attrs)
    if geometry is not None:
        f.setGeometry(geometry)
    return f
