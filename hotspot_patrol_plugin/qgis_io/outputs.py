"""The one output writer: every algorithm's layers and tables go out through here.

* ``write``: a layer from plain columns (a schema of name + kind from ``core/definitions.py``): to a
  GeoPackage file in bulk (``gpkg_writer``: a feature loop costs minutes at force scale), to any
  other destination (memory, shapefile, ...) through the QGIS sink Processing gives. The decision is
  made here, once.
* ``fields``: the QgsFields of a schema (the GeoPackage columns are derived from the same kinds).
* ``style_on_load``: a style applied to an output when Processing loads it, once it is loaded.
"""

from __future__ import annotations

import contextlib
import math
import os

import numpy as np
from qgis.core import QgsCoordinateReferenceSystem, QgsFeature, QgsFields, QgsGeometry, QgsProcessingException

from . import compat, fieldtypes

#: schema kind -> QGIS field type (the GeoPackage kinds are the same names, see gpkg_writer.KINDS)
QGS_KINDS = {
    "int": fieldtypes.LONG,
    "int32": fieldtypes.INT,
    "real": fieldtypes.DOUBLE,
    "string": fieldtypes.STRING,
    "bool": fieldtypes.BOOL,
    "utc": fieldtypes.DATETIME,
}


def fields(schema, base: QgsFields | None = None) -> QgsFields:
    """QgsFields of a schema ((name, kind), ...), after the fields of ``base`` when given."""
    out = QgsFields(base) if base is not None else QgsFields()
    for name, kind in schema:
        out.append(fieldtypes.field(name, QGS_KINDS[kind]))
    return out


def gpkg_destination(alg, parameters, key, context) -> str | None:
    """The output's GeoPackage path (``path|layername=..``) when the user chose one, else None.

    Asked before the sink exists, and only for a file: ``parameterAsOutputLayer`` on a temporary
    output registers "memory:<name>" to load, which Processing then reports as not generated.
    """
    value = parameters.get(key)
    sink = getattr(value, "sink", None)
    if sink is not None:
        value = sink.valueAsString(context.expressionContext())
        value = value[0] if isinstance(value, tuple) else value
    text = str(value or "")
    if not text.partition("|")[0].lower().endswith(".gpkg"):
        return None
    return alg.parameterAsOutputLayer(parameters, key, context)


def style_on_load(context, layer_id, apply, *args) -> None:
    """Style the output ``layer_id`` with ``apply(layer, *args)`` when Processing loads it."""
    from .styles import StylePostProcessor

    if layer_id and context.willLoadLayerOnCompletion(layer_id):
        details = context.layerToLoadOnCompletionDetails(layer_id)
        details.setPostProcessor(StylePostProcessor.create(apply, *args))


def sink(alg, parameters, key, context, qgs_fields: QgsFields, wkb_type, crs=None):
    """(sink, destination id) of an output, or a one-sentence error when it cannot be made."""
    crs = crs if crs is not None else QgsCoordinateReferenceSystem()
    out, dest = alg.parameterAsSink(parameters, key, context, qgs_fields, wkb_type, crs)
    if out is None:
        raise QgsProcessingException(alg.invalidSinkError(parameters, key))
    return out, dest


def _python(kind: str, values) -> list:
    """One column as the Python values a QgsFeature takes (NaN/None -> NULL)."""
    from .tracks import qdatetime_utc

    if kind == "utc":
        return [qdatetime_utc(v) for v in np.asarray(values, dtype=float)]
    if kind in ("int", "int32"):
        return [None if v is None else int(v) for v in values]
    if kind == "real":
        return [None if v is None or math.isnan(float(v)) else float(v) for v in values]
    if kind == "bool":
        return [bool(v) for v in values]
    return [None if v is None else str(v) for v in values]


def write_rows(out, qgs_fields: QgsFields, rows, wkb=None, feedback=None, progress=None, batch: int = 20000) -> None:
    """Rows (lists of Python values) into a sink, with geometries from ``wkb(lo, hi)`` (the WKB or
    QgsGeometry of rows lo..hi, made a batch at a time) when given."""
    n = len(rows)
    feat = QgsFeature(qgs_fields)  # one feature, refilled: sinks copy what they are given
    for lo in range(0, n, batch):
        if feedback is not None and feedback.isCanceled():
            break
        hi = min(lo + batch, n)
        for i, blob in zip(range(lo, hi), wkb(lo, hi) if wkb is not None else [None] * (hi - lo)):
            if isinstance(blob, QgsGeometry):
                feat.setGeometry(blob)
            elif blob is not None:
                geom = QgsGeometry()
                geom.fromWkb(blob)
                feat.setGeometry(geom)
            feat.setAttributes(rows[i])
            out.addFeature(feat, compat.SINK_FAST_INSERT)
        if feedback is not None and progress is not None:
            feedback.setProgress(progress[0] + (progress[1] - progress[0]) * hi / n)


def write(
    alg,
    parameters,
    key,
    context,
    schema,
    columns,
    crs=None,
    *,
    geometry="none",
    geoms=None,
    rings=None,
    feedback=None,
    progress=(70.0, 95.0),
    bulk: bool = True,
) -> str:
    """Write one output layer (or table) and return its destination id.

    ``schema``: ((name, kind), ...); ``columns``: one array per schema entry. The geometry is
    ``geoms`` (shapely: "linestring", "multilinestring" or "polygon"), ``rings`` (closed rings
    (n, k, 2), "polygon") or nothing ("none": a table). A GeoPackage file chosen by the user is
    written in bulk (unless ``bulk`` is False: a small layer QGIS writes as well); anything else goes
    through the QGIS sink.
    """
    import shapely
    from qgis.core import QgsWkbTypes

    from ..core.hotspots import polygon_wkb

    n = len(columns[0]) if columns else 0
    dest = gpkg_destination(alg, parameters, key, context) if bulk and geometry != "none" else None
    if dest is not None:
        with _one_sentence():
            _write_gpkg(dest, schema, columns, n, crs, geometry, geoms, rings, feedback, progress)
        return dest
    wkb_type = {
        "none": compat.WKB_NO_GEOMETRY,
        "linestring": compat.WKB_LINESTRING,
        "multilinestring": QgsWkbTypes.multiType(compat.WKB_LINESTRING),
        "polygon": compat.WKB_POLYGON,
    }[geometry]
    qf = fields(schema)
    out, dest = sink(alg, parameters, key, context, qf, wkb_type, crs)
    rows = [list(r) for r in zip(*[_python(kind, values) for (_, kind), values in zip(schema, columns)])] if n else []
    wkb = None
    if rings is not None:

        def wkb(lo, hi):
            return polygon_wkb(rings[lo:hi])
    elif geometry != "none":

        def wkb(lo, hi):
            return shapely.to_wkb(geoms[lo:hi])

    write_rows(out, qf, rows, wkb, feedback, progress)
    return dest


@contextlib.contextmanager
def _one_sentence():
    """A GeoPackage that cannot be written: Processing's own exception, so the user sees the one
    sentence (any other exception is shown with a traceback)."""
    from ..formats.gpkg_writer import OutputError

    try:
        yield
    except OutputError as e:
        raise QgsProcessingException(str(e)) from None


def _write_gpkg(dest, schema, columns, n, crs, geometry, geoms, rings, feedback, progress) -> None:
    """One layer into a GeoPackage in bulk (formats/gpkg_writer: a feature loop costs minutes at force scale)."""
    import shapely

    from ..core.hotspots import polygon_wkb
    from ..formats import gpkg_writer as W

    path = dest.partition("|layername=")[0]
    path, layer, replace = W.destination(dest, os.path.splitext(os.path.basename(path))[0])
    cols = [(name, kind, values) for (name, kind), values in zip(schema, columns)]
    if rings is not None:
        W.prepare_file(path, replace)  # the whole file only when asked for and not an input
        bounds = (
            np.column_stack(
                [
                    rings[:, :, 0].min(axis=1),
                    rings[:, :, 1].min(axis=1),
                    rings[:, :, 0].max(axis=1),
                    rings[:, :, 1].max(axis=1),
                ]
            )
            if n
            else np.zeros((0, 4))
        )
        W.write_lines(
            path,
            layer,
            crs.toWkt(),
            list(polygon_wkb(rings)),
            bounds,
            cols,
            chunk=50_000,
            feedback=feedback,
            progress=progress,
            geometry="polygon",
        )
    else:
        W.write_lines(
            path,
            layer,
            crs.toWkt(),
            shapely.to_wkb(geoms).tolist(),
            shapely.bounds(geoms),
            cols,
            feedback=feedback,
            progress=progress,
            replace=replace,
            geometry=geometry,
        )


def write_points_file(
    dest: str, default_layer: str, crs, schema, columns, x, y, feedback=None, progress=(60.0, 95.0)
) -> None:
    """A point layer written to a file in bulk: a GeoPackage directly, any other format (by its
    extension) through a GeoPackage beside it that GDAL then converts."""
    from ..formats import gpkg_writer as W

    cols = [(name, kind, values) for (name, kind), values in zip(schema, columns)]
    path, layer, replace = W.destination(dest, default_layer)
    with _one_sentence():
        if path.lower().endswith(".gpkg"):
            W.write_points(path, layer, crs.toWkt(), x, y, cols, feedback=feedback, progress=progress, replace=replace)
            return
        from osgeo import gdal

        W.prepare_file(path)
        tmp = path + ".tmp.gpkg"
        W.write_points(
            tmp,
            default_layer,
            crs.toWkt(),
            x,
            y,
            cols,
            feedback=feedback,
            progress=(progress[0], progress[1] - 5.0),
            replace=True,
        )
        try:
            gdal.UseExceptions()
            gdal.VectorTranslate(path, tmp)
        except RuntimeError as e:
            raise QgsProcessingException(f"The imported tracks cannot be written to {path} ({e}).") from None
        finally:
            os.remove(tmp)
