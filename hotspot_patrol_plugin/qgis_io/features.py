"""Shapely geometries and plain values to QGIS features: line strings from coordinate runs, QgsGeometry
through WKB, a feature from attributes."""

from __future__ import annotations

import numpy as np
from qgis.core import QgsFeature, QgsFields, QgsGeometry


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
