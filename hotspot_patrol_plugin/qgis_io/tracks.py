"""Bridge for matching: QGIS sources -> core arrays (tracks, zones, waypoints) and back to sinks."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFields,
    QgsGeometry,
    QgsProcessingException,
    QgsProjUtils,
)
from qgis.PyQt.QtCore import QDateTime, QTimeZone

from ..core.crs import metric_crs_for
from . import fieldtypes
from .layers import read_points

#: QGIS 3.22's GeoPackage writer cuts the fraction of a second (measured); 3.44 keeps milliseconds.
#: Below 3.40 (not measured in between) times are rounded to the nearest second instead of cut.
ROUND_TO_SECOND = Qgis.QGIS_VERSION_INT < 34000


def crs_text(crs: QgsCoordinateReferenceSystem) -> str:
    return crs.authid() or crs.toWkt()


def _pyproj():
    """pyproj, pointed at QGIS's own PROJ data when it cannot find any (e.g. in a virtualenv)."""
    import pyproj
    from pyproj import datadir

    try:
        datadir.get_data_dir()
    except pyproj.exceptions.DataDirError:
        for path in QgsProjUtils.searchPaths():
            if os.path.isfile(os.path.join(path, "proj.db")):
                datadir.set_data_dir(path)
                break
    return pyproj


def transform_finite(to, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) through the transform ``to`` where both are finite, NaN elsewhere; as given when
    ``to`` is None (same CRS)."""
    if to is None or len(x) == 0:
        return x, y
    ok = np.isfinite(x) & np.isfinite(y)
    ox, oy = np.full(len(x), np.nan), np.full(len(x), np.nan)
    if ok.any():
        ox[ok], oy[ok] = to(x[ok], y[ok])
    return ox, oy


def transformer(src: QgsCoordinateReferenceSystem, dst: QgsCoordinateReferenceSystem, context=None):
    """A vectorised (x, y) -> (x, y) function, or None when both CRSs are the same.

    The coordinate operation is the one QGIS would use: the one chosen in ``context`` (a
    QgsProcessingContext or QgsCoordinateTransformContext; default the project's), e.g. OSTN15 for
    British National Grid, run through pyproj in bulk; PROJ's best available operation otherwise,
    which is what QgsCoordinateTransform uses too.
    """
    if src == dst:
        return None
    pyproj = _pyproj()
    op, reverse = chosen_operation(src, dst, context)
    if op:
        t = pyproj.Transformer.from_pipeline(op)
        direction = pyproj.enums.TransformDirection.INVERSE if reverse else pyproj.enums.TransformDirection.FORWARD
        return lambda x, y: t.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float), direction=direction)
    t = pyproj.Transformer.from_crs(crs_text(src), crs_text(dst), always_xy=True)
    return lambda x, y: t.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))


def chosen_operation(src: QgsCoordinateReferenceSystem, dst: QgsCoordinateReferenceSystem, context=None):
    """(PROJ string, reverse?) of the operation the transform context holds for src -> dst, ("", False)
    when none was chosen (PROJ then picks its best available one, as QGIS does)."""
    from qgis.core import QgsCoordinateTransformContext, QgsProject

    if context is None:
        tc = QgsProject.instance().transformContext()
    elif isinstance(context, QgsCoordinateTransformContext):
        tc = context
    else:
        tc = context.transformContext()
    op = tc.calculateCoordinateOperation(src, dst)
    if not op:
        return "", False
    return op, bool(tc.mustReverseCoordinateOperation(src, dst))


def valid_box(crs: QgsCoordinateReferenceSystem):
    """(xmin, ymin, xmax, ymax) in ``crs`` units of the area where it is valid, or None."""
    bounds = crs.bounds()  # lon/lat
    if bounds.isEmpty():
        return None
    to_crs = transformer(QgsCoordinateReferenceSystem("EPSG:4326"), crs)
    if to_crs is None:
        return (bounds.xMinimum(), bounds.yMinimum(), bounds.xMaximum(), bounds.yMaximum())
    # the edge of the lon/lat box, densified, then its extent in the CRS
    t = np.linspace(0.0, 1.0, 51)
    w, s, e, n = bounds.xMinimum(), bounds.yMinimum(), bounds.xMaximum(), bounds.yMaximum()
    lon = np.concatenate([w + (e - w) * t, np.full(51, e), e - (e - w) * t, np.full(51, w)])
    lat = np.concatenate([np.full(51, s), s + (n - s) * t, np.full(51, n), n - (n - s) * t])
    x, y = to_crs(lon, lat)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return None
    return (float(x[ok].min()), float(y[ok].min()), float(x[ok].max()), float(y[ok].max()))


def undefined_crs(crs: QgsCoordinateReferenceSystem) -> bool:
    """True for no CRS, and for the placeholders QGIS reports as valid: a GeoPackage's srs_id 0
    ("Undefined geographic SRS") or -1 ("Undefined cartesian SRS")."""
    if not crs.isValid():
        return True
    if crs.authid():
        return False
    names = (crs.description() or "") + " " + crs.toWkt()[:80]
    return "undefined geographic srs" in names.lower() or "undefined cartesian srs" in names.lower()


def working_crs(zones_crs: QgsCoordinateReferenceSystem, extent) -> QgsCoordinateReferenceSystem:
    """The zones' CRS when projected; else BNG in Great Britain, else the local UTM zone."""
    if undefined_crs(zones_crs):
        raise QgsProcessingException("The zones layer has no coordinate reference system: set one first "
                                     "(Layer Properties ▸ Source ▸ Assigned coordinate reference system).")
    if not zones_crs.isGeographic():
        return zones_crs
    to_ll = transformer(zones_crs, QgsCoordinateReferenceSystem("EPSG:4326"))
    cx, cy = extent.center().x(), extent.center().y()
    if to_ll is not None:
        cx, cy = (float(v) for v in to_ll([cx], [cy]))
    return QgsCoordinateReferenceSystem(metric_crs_for(cx, cy))


@dataclass
class Areas:
    """Zones or waypoints read from a layer: ids, source features, geometries in the working CRS."""

    ids: list
    fids: list
    features: list
    geoms: np.ndarray  # shapely, working CRS
    skipped: dict = field(default_factory=dict)
    no_geometry: list = field(default_factory=list)  # ids of the features left out: no (readable) geometry
    notes: list = field(default_factory=list)  # sentences for the log (ids that were NULL, ...)


def area_id_field(source, requested: str, default_name: str) -> str | None:
    names = source.fields().names()
    if requested:
        if requested not in names:
            raise QgsProcessingException(f"The field '{requested}' does not exist in the layer.")
        return requested
    return default_name if default_name in names else None


def read_areas(source, what: str, id_field: str | None, to_work, feedback, polygons: bool) -> Areas:
    """Read zones (polygons) or waypoints (points); invalid polygons stop with one sentence."""
    import shapely

    ids, fids, feats, wkbs = [], [], [], []
    skipped = {}
    no_geometry, null_ids, seen = [], [], {}
    for feat in source.getFeatures():
        geom = feat.geometry()
        ident = feat[id_field] if id_field else None
        if ident is None or (hasattr(ident, "isNull") and ident.isNull()) or str(ident).strip() == "":
            if id_field:
                null_ids.append(feat.id())
            ident = str(feat.id())
        if geom is None or geom.isNull() or geom.isEmpty():
            key = f"{what} without geometry"
            skipped[key] = skipped.get(key, 0) + 1
            no_geometry.append(str(ident))
            continue
        if polygons and id_field and str(ident) in seen:
            raise QgsProcessingException(
                f"The zone id '{ident}' ({id_field}) is on features {seen[str(ident)]} and {feat.id()}: "
                "zone ids must be unique, or their coverage rows cannot be told apart.")
        seen[str(ident)] = feat.id()
        if polygons and not geom.isGeosValid():
            err = geom.validateGeometry()
            why = err[0].what() if err else "invalid geometry"
            raise QgsProcessingException(
                f"Zone feature {feat.id()} ({id_field or 'id'} '{ident}') has an invalid polygon "
                f"({why}); run 'Fix geometries' on the zones layer and use its output."
            )
        ids.append(str(ident))
        fids.append(feat.id())
        feats.append(feat)
        wkbs.append(bytes(geom.asWkb()))
    geoms = shapely.from_wkb(np.asarray(wkbs, dtype=object)) if wkbs else np.zeros(0, dtype=object)
    if to_work is not None and len(geoms):
        geoms = shapely.transform(geoms, lambda xy: np.column_stack(to_work(xy[:, 0], xy[:, 1])))
    if not polygons and len(geoms):
        multi = shapely.get_type_id(geoms) == 4
        geoms[multi] = shapely.get_geometry(geoms[multi], 0)
    notes = []
    if no_geometry:
        notes.append(f"{len(no_geometry):,} {what}(s) without a geometry left out: "
                     f"{', '.join(no_geometry[:20])}{' …' if len(no_geometry) > 20 else ''}.")
    if null_ids:
        notes.append(f"{len(null_ids):,} {what}(s) with no {id_field}: named by their feature id "
                     f"{', '.join(map(str, null_ids[:20]))}{' …' if len(null_ids) > 20 else ''}.")
    for note in notes:
        feedback.pushWarning(note)
    return Areas(ids, fids, feats, geoms, skipped, no_geometry, notes)


@dataclass
class TrackArrays:
    unit_labels: np.ndarray
    unit: np.ndarray
    t: np.ndarray
    x: np.ndarray
    y: np.ndarray
    rows_read: int
    skipped: dict
    method: str


def read_tracks(source, layer, definition, unit_field, time_field, timezone, to_work, feedback) -> TrackArrays:

    from ..core.times import parse_times

    table = read_points(source, layer, [unit_field, time_field], feedback, definition)
    n = len(table)
    skipped: dict[str, int] = {}
    codes, labels = unit_codes(table.columns[unit_field])
    no_unit = codes < 0
    parsed = parse_times(table.columns[time_field], timezone, group=codes)
    x, y = transform_finite(to_work, table.x, table.y)
    bad_xy = ~(np.isfinite(x) & np.isfinite(y))
    bad_time = np.isnan(parsed.seconds)
    keep = ~(no_unit | bad_xy | bad_time)

    def count(reason, mask):
        k = int(mask.sum())
        if k:
            skipped[reason] = k
            first = table.fid[mask][:5].tolist()
            feedback.pushWarning(f"Skipped {k} ping(s) with {reason} (first feature ids: {first}).")

    count("no unit id", no_unit)
    count("missing or invalid coordinates", bad_xy & ~no_unit)
    rest = ~no_unit & ~bad_xy
    for code in np.unique(parsed.problem[rest & bad_time]):
        from ..core.times import PROBLEM_TEXT

        count(PROBLEM_TEXT[int(code)], rest & bad_time & (parsed.problem == code))
    return TrackArrays(
        unit_labels=np.asarray(labels, dtype=object),
        unit=codes[keep],
        t=parsed.seconds[keep],
        x=x[keep],
        y=y[keep],
        rows_read=n,
        skipped=skipped,
        method=table.method,
    )


def output_seconds(seconds):
    """Times as they will be written: to the second where this QGIS's writer would cut the
    fraction (3.22's GeoPackage writer cuts it), else to the millisecond."""
    seconds = np.asarray(seconds, dtype=float)
    return np.round(seconds) if ROUND_TO_SECOND else np.round(seconds * 1000.0) / 1000.0


def _unit_text(value) -> str:
    """A unit id as text: an integer id read as a float (a NULL elsewhere in an integer column
    makes the bulk reader give floats) without its ".0", a NUL byte shown as U+FFFD rather than
    cutting the id short where it is written."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\x00", "\ufffd").strip()


def unit_codes(values) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of unit ids (-1 where missing or blank) and the ids as text, trimmed.

    Hashing happens once on the raw values; only the distinct ids are turned into text."""
    import pandas as pd

    raw_codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    text = [None if u is None else _unit_text(u) for u in uniques]
    text = [t if t else None for t in text]
    codes2, labels = pd.factorize(np.asarray(text + [None], dtype=object))
    mapping = codes2[:-1] if len(text) else np.zeros(0, dtype=np.int64)
    codes = np.where(raw_codes >= 0, mapping[np.maximum(raw_codes, 0)] if len(mapping) else -1, -1)
    return codes.astype(np.int64), np.asarray(labels, dtype=object)


def qdatetime_utc(seconds: float) -> QDateTime | None:
    if seconds is None or not np.isfinite(seconds):
        return None
    return QDateTime.fromMSecsSinceEpoch(int(round(float(output_seconds(seconds)) * 1000.0)), QTimeZone.utc())


def line_strings(path_xy: np.ndarray, offsets: np.ndarray, to_out) -> np.ndarray:
    """shapely line strings from coordinate runs (one per visit), in the output CRS."""
    import shapely

    if len(offsets) <= 1:
        return np.zeros(0, dtype=object)
    xy = path_xy
    if to_out is not None and len(xy):
        xy = np.column_stack(to_out(xy[:, 0], xy[:, 1]))
    index = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    return shapely.linestrings(xy, indices=index)


def qgs_geometries(geoms) -> list:
    """QgsGeometry objects from shapely geometries (through WKB)."""
    import shapely

    out = []
    for wkb in shapely.to_wkb(geoms):
        g = QgsGeometry()
        g.fromWkb(wkb)
        out.append(g)
    return out


def new_feature(fields: QgsFields, attrs: list, geometry: QgsGeometry | None = None) -> QgsFeature:
    f = QgsFeature(fields)
    f.setAttributes(attrs)
    if geometry is not None:
        f.setGeometry(geometry)
    return f


def visit_fields(id_name: str) -> QgsFields:
    from ..core import fields as F

    fs = QgsFields()
    for name, kind in (
        (F.VISIT_ID, fieldtypes.LONG),
        (id_name, fieldtypes.STRING),
        (F.UNIT_ID, fieldtypes.STRING),
        (F.ENTRY_TIME, fieldtypes.DATETIME),
        (F.EXIT_TIME, fieldtypes.DATETIME),
        (F.DWELL_MIN, fieldtypes.DOUBLE),
        (F.PINGS, fieldtypes.INT),
        (F.BAND, fieldtypes.STRING),
        (F.PASS_THROUGH, fieldtypes.BOOL),
    ):
        fs.append(fieldtypes.field(name, kind))
    return fs


def coverage_fields(zone_fields: QgsFields) -> tuple[QgsFields, list[int]]:
    """The zones' own fields (minus any old coverage fields) followed by the coverage fields."""
    from ..core import fields as F

    kinds = {
        F.VISITS: fieldtypes.INT, F.VISITS_SHORT: fieldtypes.INT, F.VISITS_TARGET: fieldtypes.INT,
        F.VISITS_LONG: fieldtypes.INT, F.DWELL_TOTAL_MIN: fieldtypes.DOUBLE,
        F.DWELL_MEDIAN_MIN: fieldtypes.DOUBLE, F.PRESENCE_MIN: fieldtypes.DOUBLE,
        F.UNITS: fieldtypes.INT, F.FIRST_ENTRY: fieldtypes.DATETIME, F.LAST_EXIT: fieldtypes.DATETIME,
        F.STATUS: fieldtypes.STRING,
    }
    fs = QgsFields()
    kept = []
    for i, f in enumerate(zone_fields):
        if f.name() not in kinds and f.name().lower() != "fid":
            fs.append(f)
            kept.append(i)
    for name in F.COVERAGE_FIELDS:
        fs.append(fieldtypes.field(name, kinds[name]))
    return fs, kept
