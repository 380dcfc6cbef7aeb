"""Layers to numpy arrays, in bulk where the source allows it.

``read_points`` picks a reader by the layer's provider (see ``bulk_read``): GDAL's Arrow stream for
every OGR file (GeoPackage, shapefile, GeoJSON, FlatGeobuf, GPX, SpatiaLite ...), pandas' C parser
for delimited-text layers, a streamed ``COPY`` for PostGIS. Each honours the layer's subset filter.
Feature iteration remains where nothing faster exists (memory layers, WFS, a selection, a feature
limit or filter expression, anything a bulk reader cannot reproduce exactly); the log says which
reader ran and, for feature iteration, why.

Columns come back as numpy arrays: numbers as int64 (object ints with None when an integer column
has nulls) or float64 (NaN for null), text as objects (None for null) or a pandas Categorical, and
date-times in any form ``core.times.parse_times`` reads as the same instants: UTC epoch seconds
(float, every value had an offset), datetime64 wall-clock times (none had one) or ISO text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from qgis.core import (
    QgsFeatureRequest,
    QgsProcessingFeatureSourceDefinition,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QTime

from . import bulk_read


@dataclass
class PointTable:
    fid: np.ndarray
    x: np.ndarray
    y: np.ndarray
    columns: dict = field(default_factory=dict)
    method: str = "features"
    note: str = ""  # why feature iteration ran, or what the bulk reader did
    id_field: str = ""  # when set, ``fid`` holds this field's values (a PostGIS int8 key)
    unplaced: int | None = None  # delimited text: records QGIS left out (bad x/y or WKT); None: not known

    def __len__(self) -> int:
        return len(self.fid)


def qdatetime_text(value) -> str | None:
    """A QDateTime as ISO text: with an offset when it has one, bare (local wall time) otherwise."""
    if value is None or not isinstance(value, (QDateTime, QDate)):
        return None if value is None else str(value)
    if isinstance(value, QDate):
        value = QDateTime(value, QTime(0, 0))
    if value.isNull() or not value.isValid():
        return None
    text = value.toString("yyyy-MM-ddTHH:mm:ss.zzz")
    if value.timeSpec() != Qt.TimeSpec.LocalTime:
        seconds = value.offsetFromUtc()
        sign = "+" if seconds >= 0 else "-"
        seconds = abs(seconds)
        text += f"{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
    return text


def _plain(value):
    """A QVariant-ish attribute to a Python value arrays can hold (None for NULL)."""
    if value is None:
        return None
    if isinstance(value, (QDateTime, QDate)):
        return qdatetime_text(value)
    if hasattr(value, "isNull") and not isinstance(value, str) and value.isNull():
        return None
    return value


def _restriction(definition) -> str:
    """Why the user's input cannot be read in bulk (selected features only, a limit, a filter), or ''."""
    if isinstance(definition, QgsProcessingFeatureSourceDefinition):
        if definition.selectedFeaturesOnly:
            return "only the selected features are used"
        if getattr(definition, "featureLimit", -1) not in (-1, None):
            return "a feature limit is set"
        if getattr(definition, "filterExpression", ""):
            return "a filter expression is set"
    return ""


def read_points(source, layer: QgsVectorLayer | None, field_names, feedback=None, definition=None) -> PointTable:
    """Point coordinates (layer CRS), feature ids and the named attribute columns.

    ``source`` is the processing feature source; ``layer`` the layer behind it when there is one.
    Bad input a bulk reader can name (a file gone, a server refusing) stops with one sentence
    (QgsProcessingException); anything it cannot reproduce exactly falls back to feature iteration.
    """
    field_names = list(field_names)
    why = "no layer behind the input" if layer is None else _restriction(definition)
    if not why:
        try:
            raw = bulk_read.read(layer, field_names, feedback)
        except bulk_read.UnsupportedError as e:
            why = str(e)
        else:
            table = PointTable(raw.fid, raw.x, raw.y, raw.columns, raw.method, raw.note, raw.id_field, raw.unplaced)
            mismatch = _disagreement(layer, table, field_names)
            if not mismatch:
                if feedback is not None:
                    feedback.pushInfo(
                        f"Layer '{layer.name()}' read by the {raw.method} reader"
                        f"{' (' + raw.note + ')' if raw.note else ''}: {len(table):,} features."
                    )
                return table
            why = f"the {raw.method} reader disagreed with QGIS ({mismatch})"
            del raw, table
    name = layer.name() if layer is not None else "input"
    if feedback is not None:
        feedback.pushInfo(f"Layer '{name}' read feature by feature: {why}.")
    table = _read_features(source, field_names, feedback)
    table.note = why
    return table


#: features compared between a bulk reader and QGIS's own iteration before the bulk result is used
CHECK_FEATURES = 200


def _disagreement(layer: QgsVectorLayer, table: PointTable, field_names) -> str:
    """'' when the first features QGIS iterates are in ``table`` with the same position and values;
    else what differs (a safety net: a reader that misreads a source falls back, never misleads)."""
    request = QgsFeatureRequest().setLimit(CHECK_FEATURES)
    qgis = _read_features(layer, list(field_names) + ([table.id_field] if table.id_field else []), request=request)
    if table.id_field:  # compare by the key's values
        qgis.fid = np.asarray(qgis.columns[table.id_field], dtype=np.int64)
    if len(qgis) == 0:
        return "" if len(table) == 0 else f"QGIS reads no features, the bulk reader {len(table):,}"
    if len(table) == 0:
        return f"feature {qgis.fid[0]} is missing"
    fid = table.fid
    if len(fid) < 2 or bool(np.all(fid[1:] > fid[:-1])):  # ids in order (files, most tables): a search
        rows = np.clip(np.searchsorted(fid, qgis.fid), 0, len(fid) - 1)
    else:
        import pandas as pd

        index = pd.Index(fid)
        if not index.is_unique:
            return "its feature ids are not unique"
        rows = index.get_indexer(qgis.fid)
        rows[rows < 0] = 0
    if not np.array_equal(fid[rows], qgis.fid):
        return f"feature {qgis.fid[fid[rows] != qgis.fid][0]} is missing"
    for name, a, b in (("x", table.x[rows], qgis.x), ("y", table.y[rows], qgis.y)):
        if not np.array_equal(a, b, equal_nan=True):
            return f"the {name} coordinate differs"
    fields = layer.fields()
    for n in field_names:
        column = table.columns[n]
        theirs = qgis.columns[n]
        if bulk_read.is_temporal(fields.field(n)):
            # the same wall-clock times, and the same instants where QGIS knows the offset (QGIS
            # 3.22's OGR provider drops GeoPackage offsets, which the bulk reader keeps)
            wall_a, inst_a = temporal_parts(_take(column, rows))
            wall_b, inst_b = temporal_parts(theirs)
            known = ~np.isnan(inst_b)
            if not (_within_ms(wall_a, wall_b) and _within_ms(inst_a[known], inst_b[known])):
                return f"the field '{n}' differs"
            continue
        for u, v, i in zip(_take(column, rows), theirs, qgis.fid):
            if not _same(u, v):  # no values in the message: they may be officer ids
                return f"the field '{n}' differs at feature {i}"
    return ""


def temporal_parts(values) -> tuple[np.ndarray, np.ndarray]:
    """(wall-clock ms, UTC ms or NaN when the value has no offset) of date-time values in any form
    a reader returns: UTC seconds (float), datetime64 wall-clock times, or ISO text."""
    import pandas as pd

    values = np.asarray(values)
    n = len(values)
    if values.dtype.kind == "f":
        ms = np.round(values * 1000.0)
        return ms, ms.copy()
    if values.dtype.kind == "M":
        wall = values.astype("datetime64[ms]")
        out = wall.astype(np.int64).astype(float)
        out[np.isnat(wall)] = np.nan
        return out, np.full(n, np.nan)
    wall, inst = np.full(n, np.nan), np.full(n, np.nan)
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        try:
            ts = pd.Timestamp(str(v))
        except ValueError:
            continue
        wall[i] = ts.tz_localize(None).value // 1_000_000 if ts.tzinfo is not None else ts.value // 1_000_000
        if ts.tzinfo is not None:
            inst[i] = ts.tz_convert("UTC").value // 1_000_000
    return wall, inst


def _within_ms(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal to the millisecond (GDAL holds seconds as a float: QGIS 3.22 cuts .850 to .849),
    and missing in the same places."""
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return False
    ok = ~np.isnan(a)
    return bool(np.all(np.abs(a[ok] - b[ok]) <= 1.0))


def _take(column, rows) -> np.ndarray:
    """Rows of a column (a Categorical becomes objects), in its own type otherwise."""
    if hasattr(column, "categories"):
        return np.asarray(column, dtype=object)[rows]
    return np.asarray(column)[rows]


def _same(u, v) -> bool:
    if v is None:
        return u is None or (isinstance(u, float) and np.isnan(u))
    if u is None:
        return False
    if isinstance(v, bool) or isinstance(u, (bool, np.bool_)):
        return bool(u) == bool(v)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        try:
            return float(u) == float(v)
        except (TypeError, ValueError):
            return False
    return u == v


def _read_features(source, field_names, feedback=None, request=None) -> PointTable:
    fields = source.fields()
    idx = [fields.indexFromName(n) for n in field_names]
    request = (request or QgsFeatureRequest()).setSubsetOfAttributes(idx)
    total = max(source.featureCount(), 1)
    fids, xs, ys = [], [], []
    cols = [[] for _ in field_names]
    for i, feat in enumerate(source.getFeatures(request)):
        if feedback is not None and i % 20000 == 0:
            if feedback.isCanceled():
                break
            feedback.setProgress(30.0 * i / total)
        fids.append(feat.id())
        geom = feat.geometry()
        if geom is None or geom.isNull() or geom.isEmpty():
            xs.append(np.nan)
            ys.append(np.nan)
        else:
            p = geom.constGet()
            if p.geometryType().lower() != "point":
                p = next(iter(p.vertices()))
            xs.append(p.x())
            ys.append(p.y())
        attrs = feat.attributes()
        for c, j in zip(cols, idx):
            c.append(_plain(attrs[j]))
    return PointTable(
        fid=np.asarray(fids, dtype=np.int64),
        x=np.asarray(xs, dtype=np.float64),
        y=np.asarray(ys, dtype=np.float64),
        columns={n: np.asarray(c, dtype=object) for n, c in zip(field_names, cols)},
        method="features",
    )


# ------------------------------------------------------------------ delimited text: rows QGIS left out
UNPLACED = "no usable coordinates (left out by QGIS's delimited-text reader)"


def unplaced_rows(layer, definition=None, read: int = 0) -> int:
    """How many records of a delimited-text point layer QGIS left out because their x/y (or WKT)
    could not be read: the provider drops them before any feature exists, so no count of the
    layer's features shows them. Counted by opening the same file without geometry. 0 for other
    providers, and for a layer with a filter or a selection (the counts would not compare).
    ``read``: rows the caller's reader did return (a reader that keeps such rows, without a
    position, has them counted already)."""
    if layer is None or layer.providerType() != "delimitedtext" or layer.subsetString():
        return 0
    import re

    from qgis.core import QgsProcessingFeatureSourceDefinition, QgsVectorLayer

    if isinstance(definition, QgsProcessingFeatureSourceDefinition) and (
        definition.selectedFeaturesOnly
        or getattr(definition, "featureLimit", -1) not in (-1, None)
        or getattr(definition, "filterExpression", "")
    ):
        return 0
    source = layer.source()
    if "geomType=none" in source:
        return 0
    plain = re.sub(r"&(xField|yField|zField|mField|wktField|geomType|crs|spatialIndex)=[^&]*", "", source)
    every = QgsVectorLayer(plain + "&geomType=none", "rows", "delimitedtext")
    if not every.isValid():
        return 0
    return max(int(every.featureCount()) - max(int(layer.featureCount()), int(read)), 0)
