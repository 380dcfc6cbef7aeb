"""Coordinate reference systems as QGIS sees them: the metric CRS distances are measured in, and
transforms run in bulk with the operation the project's transform context chose (e.g. OSTN15)."""

from __future__ import annotations

import os

import numpy as np
from qgis.core import QgsCoordinateReferenceSystem, QgsProcessingException, QgsProjUtils

from ..core.crs import metric_crs_for


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
        raise QgsProcessingException(
            "The zones layer has no coordinate reference system: set one first "
            "(Layer Properties ▸ Source ▸ Assigned coordinate reference system)."
        )
    if not zones_crs.isGeographic():
        return zones_crs
    to_ll = transformer(zones_crs, QgsCoordinateReferenceSystem("EPSG:4326"))
    cx, cy = extent.center().x(), extent.center().y()
    if to_ll is not None:
        cx, cy = (float(v) for v in to_ll([cx], [cy]))
    return QgsCoordinateReferenceSystem(metric_crs_for(cx, cy))
