"""Bulk readers of point layers, one per QGIS provider, each returning what feature iteration would.

* ``ogr``: any file GDAL opens (GeoPackage, shapefile, GeoJSON, FlatGeobuf, GPX, SpatiaLite ...)
  through the layer's Arrow stream, with the layer's subset string as its attribute filter (which
  is what QGIS's OGR provider does with it). GeoPackage date-times come from the same stream; one
  SQL count over the text tells whether all carry 'Z' (UTC) or none carry an offset (wall-clock
  time); anything else is read as its text through SQL.
* ``delimitedtext``: the layer's URI parsed (delimiter, quote, header, skipped lines, x/y or WKT
  columns, decimal comma, trimming) and the file read by pandas' C parser, only the columns used.
  QGIS's feature ids are line numbers; rows without a valid position are not features (as in
  QGIS); a subset filter is evaluated by QGIS in C++ (``allFeatureIds``) and applied as a mask.
* ``postgres``: one ``COPY (SELECT ...) TO STDOUT`` of the key, ``ST_X``/``ST_Y`` of the geometry
  column and the used columns, with the layer's SQL filter as WHERE, through psycopg2, connected
  with the layer's own connection details (``authcfg`` expanded by QGIS's authentication manager
  in memory; no password is logged or written).

A reader raises ``UnsupportedError(reason)`` when it cannot reproduce QGIS exactly; the caller then
iterates features and logs the reason. Bad input it can name (a file that vanished, a server that
refuses) raises ``QgsProcessingException`` with one sentence naming the layer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
from qgis.core import (
    Qgis,
    QgsDataSourceUri,
    QgsFields,
    QgsProcessingException,
    QgsProviderRegistry,
    QgsVectorLayer,
)

from . import fieldtypes


class UnsupportedError(Exception):
    """The layer cannot be read in bulk exactly as QGIS reads it (the message says why)."""


@dataclass
class Raw:
    fid: np.ndarray
    x: np.ndarray
    y: np.ndarray
    columns: dict = field(default_factory=dict)
    method: str = ""
    note: str = ""
    id_field: str = ""  # when set, the ids are this field's values (not QGIS's own feature ids)
    unplaced: int | None = None  # delimited text: records QGIS leaves out for a bad position (None: unknown)


def is_temporal(f) -> bool:
    """A DateTime or Date field (whose values become instants, not text)."""
    if fieldtypes.is_datetime(f):
        return True
    return f.typeName().lower() in ("date", "datetime", "timestamp", "timestamptz")


def _is_date(f) -> bool:
    return not fieldtypes.is_datetime(f) and f.typeName().lower() == "date"


def read(layer: QgsVectorLayer, names: list, feedback=None) -> Raw:
    provider = layer.providerType()
    if not layer.isValid():
        raise UnsupportedError("the layer is not valid")
    if layer.isEditable() and layer.isModified():
        raise UnsupportedError("the layer has unsaved edits (its file or table does not hold them yet)")
    missing = [n for n in names if layer.fields().indexFromName(n) < 0]
    if missing:
        raise QgsProcessingException(
            f"The layer '{layer.name()}' has no field '{missing[0]}' (its fields: {', '.join(layer.fields().names())})."
        )
    from_provider = Qgis.FieldOrigin.Provider if hasattr(Qgis, "FieldOrigin") else QgsFields.OriginProvider
    if any(layer.fields().fieldOrigin(layer.fields().indexFromName(n)) != from_provider for n in names):
        raise UnsupportedError("a field used is a virtual or joined field")
    reader = {"ogr": read_ogr, "delimitedtext": read_delimited, "postgres": read_postgres}.get(provider)
    if reader is None:
        raise UnsupportedError(f"no bulk reader for the '{provider}' provider")
    return reader(layer, names, feedback)


# ================================================================================= shared helpers
def integers(values: np.ndarray, missing: np.ndarray | None) -> np.ndarray:
    """Integers as int64, or as Python ints with None where missing (what QGIS gives: no 12.0)."""
    if missing is None or not missing.any():
        return np.asarray(values).astype(np.int64)
    out = np.asarray(values).astype(np.int64).astype(object)
    out[missing] = None
    return out


def texts(values, missing: np.ndarray | None = None) -> np.ndarray:
    """Text as objects with None where missing."""
    out = np.asarray(values, dtype=object).copy()
    if missing is not None and missing.any():
        out[missing] = None
    return out


def datetimes_from_ms(ms: np.ndarray, missing: np.ndarray, utc: bool) -> np.ndarray:
    """Milliseconds since the epoch as UTC seconds (``utc``) or as datetime64 wall-clock times."""
    if utc:
        out = ms.astype(np.float64) / 1000.0
        out[missing] = np.nan
        return out
    out = ms.astype("datetime64[ms]").astype("datetime64[us]")
    out[missing] = np.datetime64("NaT")
    return out


# ================================================================================= OGR
def _ogr_parts(layer: QgsVectorLayer) -> dict:
    return QgsProviderRegistry.instance().decodeUri("ogr", layer.source())


def read_ogr(layer: QgsVectorLayer, names: list, feedback=None) -> Raw:
    from ..formats.arrow import _decode, _wkb_points

    try:
        from osgeo import gdal
    except ImportError:
        raise UnsupportedError("GDAL's Python bindings are missing") from None
    parts = _ogr_parts(layer)
    path = parts.get("path") or ""
    if not path or path.startswith(("/vsicurl", "http:", "https:")) or "://" in path:
        raise UnsupportedError("not a local file")
    if not os.path.exists(path):
        raise QgsProcessingException(f"The file of the layer '{layer.name()}' is missing: {path}.")
    subset = layer.subsetString().strip()
    if subset.upper().startswith("SELECT"):
        raise UnsupportedError("the subset is an SQL SELECT statement")
    gdal.UseExceptions()
    try:
        ds = gdal.OpenEx(path, gdal.OF_VECTOR | gdal.OF_READONLY, open_options=list(parts.get("openOptions") or []))
    except RuntimeError as e:
        raise QgsProcessingException(f"The file of the layer '{layer.name()}' cannot be opened ({e}).") from None
    name = parts.get("layerName")
    lyr = ds.GetLayerByName(name) if name else ds.GetLayer(int(parts.get("layerId") or 0))
    if lyr is None:
        raise UnsupportedError("the file's layer was not found")
    if not hasattr(lyr, "GetArrowStreamAsNumPy"):
        raise UnsupportedError(f"GDAL {gdal.__version__} has no Arrow stream")
    driver = ds.GetDriver().ShortName
    qfields = layer.fields()
    defn = lyr.GetLayerDefn()
    ogr_names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    for n in names:
        if n not in ogr_names:  # e.g. the fid column of a GeoPackage, exposed by QGIS as a field
            raise UnsupportedError(f"the field '{n}' is not an attribute column of the file")
    temporal = [n for n in names if is_temporal(qfields.field(n))]
    if any(fieldtypes.is_datetime(qfields.field(n)) for n in temporal) and driver != "GPKG":
        raise UnsupportedError(f"date-time fields of a {driver} file lose their time zones in GDAL's Arrow stream")
    note = driver
    # GeoPackage date-times: the count of values ending in Z runs on a second connection while the
    # stream is read (SQLite and GDAL release Python's lock: the two cores share the work)
    counts = {}
    if driver == "GPKG":
        import concurrent.futures

        pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        for n in names:
            if fieldtypes.is_datetime(qfields.field(n)):
                counts[n] = pool.submit(_utc_count, path, lyr.GetName(), n, subset)
        pool.shutdown(wait=False)
    try:
        if subset:
            lyr.SetAttributeFilter(subset)
        lyr.SetIgnoredFields([n for n in ogr_names if n not in names])
        batches = list(lyr.GetArrowStreamAsNumPy(options=["INCLUDE_FID=YES"]))
    except RuntimeError as e:
        raise UnsupportedError(f"GDAL could not stream it ({e})") from None
    fid_key = lyr.GetFIDColumn() or "OGC_FID"
    geom_key = lyr.GetGeometryColumn() or "wkb_geometry"

    def column(key):
        arrays = [b[key] for b in batches if key in b]
        if not arrays:
            return None, None
        if any(isinstance(a, np.ma.MaskedArray) for a in arrays):
            joined = np.ma.concatenate(arrays)
            return joined.data, np.ma.getmaskarray(joined)
        return np.concatenate(arrays), None

    n_rows = sum(len(next(iter(b.values()))) for b in batches if b)
    if n_rows == 0:
        return Raw(
            np.zeros(0, np.int64),
            np.zeros(0),
            np.zeros(0),
            {n: np.zeros(0, dtype=object) for n in names},
            "gdal-arrow",
            note,
        )
    fid, _ = column(fid_key)
    wkb, wmask = column(geom_key)
    if fid is None or wkb is None:
        raise UnsupportedError("the Arrow stream has no feature id or geometry")
    if wmask is not None and wmask.any():
        wkb = wkb.astype(object)
        wkb[wmask] = None
    x, y = _wkb_points(wkb)
    if x is None:
        raise UnsupportedError("not a point layer")
    cols = {}
    for n in names:
        values, missing = column(n)
        if values is None:
            raise UnsupportedError(f"the field '{n}' is not in the Arrow stream")
        kind = values.dtype.kind
        f = qfields.field(n)
        if fieldtypes.is_datetime(f):
            cols[n] = _gpkg_datetimes(ds, lyr, n, subset, values, missing, counts[n])
            note += f", {n}: " + {"f": "UTC", "M": "wall-clock"}.get(cols[n].dtype.kind, "text")
        elif kind == "M":  # a Date: midnight, wall-clock (QGIS gives a QDate)
            ms = values.astype("datetime64[ms]").astype(np.int64)
            cols[n] = datetimes_from_ms(ms, missing if missing is not None else np.zeros(len(ms), bool), utc=False)
        elif kind in "iu":
            cols[n] = integers(values, missing)
        elif kind == "f":
            v = values.astype(np.float64)
            if missing is not None:
                v = v.copy()
                v[missing] = np.nan
            cols[n] = v
        elif kind == "b":
            cols[n] = texts(values.astype(object), missing)
        elif kind in "SO":
            text = _decode(np.asarray(values).astype("S")) if kind == "S" else texts(values)
            if missing is not None:
                text[missing] = None
            cols[n] = text
        else:
            raise UnsupportedError(f"the field '{n}' has a type the Arrow stream gives as {values.dtype}")
    return Raw(np.asarray(fid).astype(np.int64), x, y, cols, "gdal-arrow", note)


def _sql_counts(ds, sql) -> list:
    try:
        res = ds.ExecuteSQL(sql)
        row = res.GetNextFeature()
        out = [row.GetField(i) or 0 for i in range(row.GetFieldCount())]
        ds.ReleaseResultSet(res)
        return out
    except RuntimeError as e:
        raise UnsupportedError(f"the date-times could not be checked ({e})") from None


def _utc_count(path: str, table: str, name: str, subset: str) -> list:
    """(values, values ending in 'Z') of a GeoPackage text date-time column, on its own connection."""
    from osgeo import gdal

    ds = gdal.OpenEx(path, gdal.OF_VECTOR | gdal.OF_READONLY)
    table, col = table.replace('"', '""'), name.replace('"', '""')
    where = f" WHERE {subset}" if subset else ""
    return _sql_counts(ds, f'SELECT count("{col}"), sum(substr("{col}", -1) = \'Z\') FROM "{table}"{where}')


def _gpkg_datetimes(ds, lyr, name, subset, values, missing, utc_count) -> np.ndarray:
    """A GeoPackage DateTime column: the stream's values (wall-clock as stored: the stream drops
    offsets) when every stored text ends in 'Z' or none has an offset; else the texts through SQL.
    ``utc_count``: the future of ``_utc_count`` for the column."""
    table, col = lyr.GetName().replace('"', '""'), name.replace('"', '""')
    where = f" WHERE {subset}" if subset else ""

    def count(sql):
        return _sql_counts(ds, sql)

    try:
        present, utc = utc_count.result()
    except UnsupportedError:
        raise
    except Exception as e:  # noqa: BLE001 - whatever the second connection met
        raise UnsupportedError(f"the date-times could not be checked ({e})") from None
    naive = 0
    if utc != present:  # a second pass only when some are not UTC: how many have no offset at all
        tail = f'substr("{col}", 12)'
        (naive,) = count(
            f"SELECT sum(instr({tail}, '+') = 0 AND instr({tail}, '-') = 0 AND "
            f"instr(upper({tail}), 'Z') = 0) FROM \"{table}\"{where}"
        )
    ms = values.astype("datetime64[ms]").astype(np.int64)
    is_missing = missing if missing is not None else np.zeros(len(ms), dtype=bool)
    if int(is_missing.size - is_missing.sum()) != int(present):
        raise UnsupportedError("the date-time count differs between the stream and SQL")
    if present == 0 or utc == present:
        return datetimes_from_ms(ms, is_missing, utc=True)
    if naive == present:
        return datetimes_from_ms(ms, is_missing, utc=False)
    # offsets other than Z, or a mix: the stored text, read through SQL in fid order
    fid_col = (lyr.GetFIDColumn() or "fid").replace('"', '""')
    res = ds.ExecuteSQL(
        f'SELECT "{fid_col}" AS hp_fid, CAST("{col}" AS TEXT) AS hp_t FROM "{table}"{where} ORDER BY "{fid_col}"'
    )
    try:
        batches = list(res.GetArrowStreamAsNumPy())
    finally:
        ds.ReleaseResultSet(res)
    from ..formats.arrow import _decode

    raw = [b["hp_t"] for b in batches if "hp_t" in b]
    if not raw:
        return np.full(len(ms), None, dtype=object)
    joined = np.ma.concatenate(raw) if any(isinstance(a, np.ma.MaskedArray) for a in raw) else np.concatenate(raw)
    filled = np.ma.filled(joined, b"") if isinstance(joined, np.ma.MaskedArray) else joined
    text = _decode(np.asarray(filled).astype("S"))
    if len(text) != len(ms):
        raise UnsupportedError("the date-time texts do not line up with the stream")
    return text


# ================================================================================= delimited text
@dataclass
class CsvOptions:
    path: str
    encoding: str = "UTF-8"
    delimiter: str = ","
    quote: str = '"'
    escape: str = '"'
    skip_lines: int = 0
    header: bool = True
    trim: bool = False
    decimal_comma: bool = False
    x: str = ""
    y: str = ""
    wkt: str = ""


def _decode_chars(text: str) -> str:
    """QGIS's delimited-text escapes: \\t tab, \\s space, \\\\ backslash."""
    return text.replace("\\t", "\t").replace("\\s", " ").replace("\\\\", "\\")


def csv_options(layer: QgsVectorLayer) -> CsvOptions:
    """The layer's delimited-text URI as reader options (UnsupportedError for what pandas cannot match)."""
    from qgis.PyQt.QtCore import QUrl, QUrlQuery

    url = QUrl(layer.source())
    query = QUrlQuery(url)
    items = {}
    for k, v in query.queryItems(QUrl.ComponentFormattingOption.FullyDecoded):
        items.setdefault(k, v)
    kind = items.get("type", "csv").lower()
    if kind not in ("csv", "plain"):
        raise UnsupportedError(f"the delimited-text layer splits fields by '{kind}'")
    if items.get("xyDms", "no").lower() in ("yes", "true", "1"):
        raise UnsupportedError("coordinates are in degrees/minutes/seconds")
    if items.get("skipEmptyFields", "no").lower() in ("yes", "true", "1"):
        raise UnsupportedError("empty fields are skipped")
    if items.get("maxFields"):
        raise UnsupportedError("a maximum number of fields is set")
    geom = items.get("geomType", "point").lower()
    opts = CsvOptions(path=url.toLocalFile() or url.path())
    opts.encoding = items.get("encoding") or "UTF-8"
    delimiter = _decode_chars(items.get("delimiter", ","))
    quote = _decode_chars(items.get("quote", '"'))
    escape = _decode_chars(items.get("escape", '"'))
    if len(delimiter) != 1:
        raise UnsupportedError(f"the delimiter '{delimiter}' is not one character")
    if len(quote) > 1 or len(escape) > 1 or (escape and escape != quote and escape != "\\"):
        raise UnsupportedError("the quote or escape characters are not one each")
    opts.delimiter, opts.quote, opts.escape = delimiter, quote, escape
    opts.skip_lines = int(items.get("skipLines") or 0)
    opts.header = items.get("useHeader", "yes").lower() not in ("no", "false", "0")
    opts.trim = items.get("trimFields", "no").lower() in ("yes", "true", "1")
    opts.decimal_comma = items.get("decimalPoint", ".") == ","
    if items.get("decimalPoint", ".") not in (".", ","):
        raise UnsupportedError("the decimal point is neither '.' nor ','")
    if geom in ("none", "no") or not (items.get("xField") and items.get("yField") or items.get("wktField")):
        raise UnsupportedError("the delimited-text layer has no point geometry")
    if items.get("wktField"):
        if geom not in ("point", ""):
            raise UnsupportedError("the WKT geometries are not points")
        opts.wkt = items["wktField"]
    else:
        opts.x, opts.y = items["xField"], items["yField"]
    if items.get("zField") or items.get("mField"):
        raise UnsupportedError("Z or M values come from columns")
    return opts


def _line_numbers(path: str, skip: int, header: bool, quote: str = "", rows: int = -1) -> np.ndarray:
    """1-based numbers of the non-blank lines after the skipped lines and header: QGIS's feature ids.

    A file without blank lines and without quote characters (no record can span lines) has its
    ``rows`` records on consecutive lines: found by two searches, without reading it into memory."""
    import mmap

    if rows >= 0 and os.path.getsize(path) > 0:
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            simple = (
                mm.find(b"\n\n") < 0
                and mm.find(b"\n\r\n") < 0
                and mm[:1] not in (b"\n", b"\r")
                and not (quote and mm.find(quote.encode("utf-8")) >= 0)
            )
        if simple:
            first = skip + (1 if header else 0) + 1
            return np.arange(first, first + rows, dtype=np.int64)
    raw = np.fromfile(path, dtype=np.uint8)
    ends = np.flatnonzero(raw == 10)
    starts = np.r_[0, ends + 1]
    stops = np.r_[ends, len(raw)]
    if len(raw) and raw[-1] == 10:  # the text after the last newline is not a line
        starts, stops = starts[:-1], stops[:-1]
    length = stops - starts
    cr = length > 0
    cr[cr] = raw[np.minimum(stops[cr] - 1, len(raw) - 1)] == 13
    blank = (length - cr) <= 0
    numbers = np.arange(1, len(starts) + 1)
    first = skip + (1 if header else 0)
    if header:  # the header is the first non-blank line after the skipped ones
        rest = np.flatnonzero(~blank[skip:])
        first = skip + (int(rest[0]) + 1 if len(rest) else 0)
    keep = ~blank
    keep[:first] = False
    return numbers[keep]


def read_delimited(layer: QgsVectorLayer, names: list, feedback=None) -> Raw:
    import pandas as pd

    opts = csv_options(layer)
    if not os.path.isfile(opts.path):
        raise QgsProcessingException(f"The file of the layer '{layer.name()}' is missing: {opts.path}.")
    qfields = layer.fields()
    kinds = {n: qfields.field(n).typeName().lower() for n in names}
    for n, k in kinds.items():
        if k not in ("integer", "int", "longlong", "integer64", "double", "real", "text", "string", "datetime", "date"):
            raise UnsupportedError(f"the field '{n}' has the type {k}")
    geo = [opts.wkt] if opts.wkt else [opts.x, opts.y]
    wanted = list(dict.fromkeys(geo + names))
    header_names = [f.name() for f in qfields]
    read_kw = dict(
        sep=opts.delimiter,
        quotechar=opts.quote or '"',
        quoting=3 if not opts.quote else 0,
        doublequote=opts.escape == opts.quote,
        escapechar=(opts.escape if opts.escape and opts.escape != opts.quote else None),
        skiprows=opts.skip_lines,
        header=0 if opts.header else None,
        encoding=opts.encoding.lower().replace("utf-8", "utf-8-sig"),  # a BOM is not part of the first name
        keep_default_na=False,
        na_values=[""],
        dtype=str,
        engine="c",
        skip_blank_lines=True,
        skipinitialspace=False,
        low_memory=False,
    )
    try:
        head = pd.read_csv(opts.path, nrows=0, **{k: v for k, v in read_kw.items() if k != "low_memory"})
        file_names = list(head.columns)
    except Exception as e:  # noqa: BLE001 - pandas raises many types for a damaged file
        raise QgsProcessingException(f"The file of the layer '{layer.name()}' cannot be read ({e}).") from None
    if opts.trim:
        file_names = [str(c).strip() for c in file_names]
    if not opts.header:
        file_names = [f"field_{i + 1}" for i in range(len(file_names))]  # QGIS's names for them
    as_fields = [c for c in file_names if not (opts.wkt and c == opts.wkt)]  # QGIS drops the WKT column
    if as_fields != header_names or any(c not in file_names for c in wanted):
        raise UnsupportedError(
            "the file's columns are not the layer's fields (the file changed since the layer was added?)"
        )
    # typed reading at C speed: numbers as float64 (correctly rounded, as Qt reads them), text as
    # categories (each distinct text made once); a cell that is not a number sends the columns
    # back through text (QGIS then drops that row for a bad position, or had typed the field text)
    numeric = set(geo if not opts.wkt else []) | {n for n in names if kinds[n] in ("integer", "int", "double", "real")}
    typed = {c: (np.float64 if c in numeric else "category") for c in wanted if c != opts.wkt}
    usecols = [file_names.index(c) for c in wanted]
    frame = None
    try:
        frame = pd.read_csv(
            opts.path,
            usecols=usecols,
            **{**read_kw, "dtype": {(file_names.index(c) if not opts.header else c): t for c, t in typed.items()}},
            float_precision="round_trip",
            decimal="," if opts.decimal_comma else ".",
        )
    except ValueError:
        frame = None
    except Exception as e:  # noqa: BLE001
        raise UnsupportedError(f"pandas could not parse the file ({e})") from None
    if frame is None:
        try:
            frame = pd.read_csv(opts.path, usecols=usecols, **read_kw)
        except Exception as e:  # noqa: BLE001
            raise UnsupportedError(f"pandas could not parse the file ({e})") from None
    frame.columns = [file_names[i] for i in sorted(usecols)]
    n = len(frame)
    lines = _line_numbers(opts.path, opts.skip_lines, opts.header, opts.quote, n)
    if len(lines) != n:
        raise UnsupportedError("records span lines (quoted line breaks) or lines are not records")

    def strip(series):
        return series.str.strip() if opts.trim else series

    def numbers(series):
        if series.dtype.kind == "f":
            return series.to_numpy(dtype=np.float64)
        s = strip(series)
        if opts.decimal_comma:
            s = s.str.replace(",", ".", regex=False)
        return pd.to_numeric(s, errors="coerce", downcast=None).to_numpy(dtype=np.float64)

    def categorical(series) -> pd.Categorical:
        """A text column as a Categorical of its (trimmed) texts; empty -> missing."""
        cat = series.array if isinstance(series.dtype, pd.CategoricalDtype) else pd.Categorical(series)
        labels = pd.Series(np.asarray(cat.categories, dtype=object), dtype=object)
        if opts.trim:
            labels = labels.str.strip()
        labels = labels.where(labels != "", None)
        new_codes, distinct = pd.factorize(labels.to_numpy(dtype=object))  # merges texts equal once trimmed
        codes = np.asarray(cat.codes, dtype=np.int64)
        mapped = np.append(new_codes, -1)[np.where(codes >= 0, codes, len(new_codes))]
        return pd.Categorical.from_codes(mapped, pd.Index(distinct, dtype=object))

    if opts.wkt:
        import shapely

        wkt = strip(frame[opts.wkt]).to_numpy(dtype=object)
        geoms = shapely.from_wkt(np.where(pd.isna(wkt), None, wkt), on_invalid="ignore")
        types = shapely.get_type_id(geoms)
        if np.any((types != 0) & (types != -1) & (types != 4)):
            raise UnsupportedError("the WKT geometries are not all points")
        multi = types == 4
        if multi.any():
            geoms[multi] = shapely.get_geometry(geoms[multi], 0)
        x, y = shapely.get_x(geoms), shapely.get_y(geoms)
        valid = ~shapely.is_missing(geoms) | pd.isna(wkt)  # no WKT: a feature without geometry
    else:
        x, y = numbers(frame[opts.x]), numbers(frame[opts.y])
        valid = np.isfinite(x) & np.isfinite(y)
    subset = layer.subsetString().strip()
    if subset:  # QGIS evaluates its expression in C++; the ids it keeps become a mask
        ids = np.fromiter(layer.dataProvider().allFeatureIds(), dtype=np.int64)
        valid &= np.isin(lines, ids)
    rows = np.flatnonzero(valid) if not valid.all() else None

    def pick(a):
        return a if rows is None else a[rows]

    cols = {}
    for name in names:
        k = kinds[name]
        raw = frame[name]
        if k in ("integer", "int", "longlong", "integer64"):
            v = numbers(raw)
            missing = ~np.isfinite(v)
            cols[name] = integers(pick(np.where(missing, 0, v)), pick(missing))
        elif k in ("double", "real"):
            cols[name] = pick(numbers(raw))
        else:
            cat = categorical(raw)
            if is_temporal(qfields.field(name)):  # date-times stay a Categorical: parsed once per text
                cols[name] = cat if rows is None else cat[rows]
            else:  # text: objects shared between equal values, None where missing
                text = np.append(np.asarray(cat.categories, dtype=object), None)
                codes = np.asarray(cat.codes, dtype=np.int64)
                cols[name] = pick(text[np.where(codes >= 0, codes, len(text) - 1)])
    raw = Raw(
        pick(lines).astype(np.int64), pick(x), pick(y), cols, "csv-pandas", "subset applied by QGIS" if subset else ""
    )
    raw.unplaced = None if subset else int(n - len(raw.fid))
    return raw


# ================================================================================= PostGIS
_PG_NUMBER = {
    "int2": "i",
    "int4": "i",
    "int8": "i",
    "smallint": "i",
    "integer": "i",
    "bigint": "i",
    "float4": "f",
    "float8": "f",
    "numeric": "f",
    "real": "f",
    "double precision": "f",
}
_PG_TEXT = ("text", "varchar", "bpchar", "char", "name", "character varying", "character", "uuid", "citext")


def pg_connection(uri: QgsDataSourceUri, layer_name: str):
    """A psycopg2 connection from a layer's URI; an authcfg is expanded in memory by QGIS."""
    try:
        import psycopg2
    except ImportError:
        raise UnsupportedError("psycopg2 is not installed") from None
    conninfo = uri.connectionInfo(True)  # expands authcfg (user and password) without storing it
    if uri.authConfigId() and "password=" not in conninfo and "user=" not in conninfo:
        raise UnsupportedError("the authentication configuration could not be expanded")
    try:
        conn = psycopg2.connect(conninfo, connect_timeout=15, application_name="hotspot_patrol bulk read")
    except psycopg2.OperationalError as e:
        text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        if "password" in text.lower() or "authentication" in text.lower():
            raise UnsupportedError(
                f"the server asked for credentials QGIS holds but the layer does not ({text})"
            ) from None
        where = f"{uri.host() or 'local socket'}:{uri.port() or 5432}"
        raise QgsProcessingException(
            f"The PostgreSQL server of the layer '{layer_name}' ({where}, database '{uri.database()}') "
            f"cannot be reached: {text}."
        ) from None
    conn.set_session(readonly=True, autocommit=True)
    return conn


def _copy_frame(conn, copy: str, names: list, dtypes: dict):
    """The rows of a ``COPY ... TO STDOUT (FORMAT csv)`` parsed by pandas while the server still
    sends them: psycopg2 writes into a pipe from a thread, pandas reads the other end."""
    import threading

    import pandas as pd

    read_end, write_end = os.pipe()
    failed = []

    def produce():
        try:
            with conn.cursor() as cur, os.fdopen(write_end, "wb", buffering=1 << 20) as out:
                cur.copy_expert(copy, out)
        except Exception as e:  # noqa: BLE001 - the query, the server, or a reader that stopped early
            failed.append(e)

    worker = threading.Thread(target=produce, name="hp-postgis-copy", daemon=True)
    worker.start()
    frame, parse_error = None, None
    with os.fdopen(read_end, "rb", buffering=1 << 20) as src:
        try:
            frame = pd.read_csv(
                src,
                header=None,
                names=names,
                dtype=dtypes,
                keep_default_na=False,
                na_values=["\\N"],
                engine="c",
                float_precision="round_trip",
            )
        except pd.errors.EmptyDataError:
            frame = pd.DataFrame({c: pd.Series(dtype=dtypes[c]) for c in names})
        except Exception as e:  # noqa: BLE001
            parse_error = e
    worker.join()
    if failed:
        first = str(failed[0]).strip().splitlines()[0] if str(failed[0]).strip() else type(failed[0]).__name__
        raise UnsupportedError(f"the server could not run the query ({first})")
    if parse_error is not None:
        raise UnsupportedError(f"the server's rows could not be parsed ({parse_error})")
    return frame


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_postgres(layer: QgsVectorLayer, names: list, feedback=None) -> Raw:

    import pandas as pd

    uri = QgsDataSourceUri(layer.source())
    table, schema, geom, key = uri.table(), uri.schema(), uri.geometryColumn(), uri.keyColumn()
    if not table or table.lstrip().startswith("("):
        raise UnsupportedError("the layer is an SQL query, not a table")
    if not geom:
        raise UnsupportedError("the layer has no geometry column")
    if not key or "," in key:
        raise UnsupportedError("the layer's key is not one column")
    key = key.strip('"')
    conn = pg_connection(uri, layer.name())
    try:
        with conn.cursor() as cur:
            cur.execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; SET extra_float_digits = 3")
            relation = f"{_quote_ident(schema)}.{_quote_ident(table)}" if schema else _quote_ident(table)
            cur.execute(
                "SELECT a.attname, format_type(a.atttypid, NULL) FROM pg_attribute a "
                "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
                (relation,),
            )
            types = dict(cur.fetchall())
            if key not in types or types[key] not in ("integer", "bigint", "smallint"):
                raise UnsupportedError(f"the key '{key}' is not an integer column (QGIS then numbers features itself)")
            # QGIS's feature id is the key for int4/int2 keys; for int8 keys QGIS numbers features
            # in the order it meets them, so the ids reported are the key's values instead
            id_field = key if types[key] == "bigint" else ""
            if geom not in types or types[geom] not in ("geometry", "geography"):
                raise UnsupportedError(f"'{geom}' is not a geometry column")
            g = _quote_ident(geom) + ("::geometry" if types[geom] == "geography" else "")
            point = f"(CASE WHEN GeometryType({g}) = 'MULTIPOINT' THEN ST_GeometryN({g}, 1) ELSE {g} END)"
            select = [f"{_quote_ident(key)}", f"ST_X({point})", f"ST_Y({point})"]
            kinds = []
            for n in names:
                t = types.get(n)
                if t is None:
                    raise UnsupportedError(f"the field '{n}' is not a column of the table")
                col = _quote_ident(n)
                if t in _PG_NUMBER:
                    kinds.append(_PG_NUMBER[t])
                    select.append(col)
                elif t == "timestamp with time zone":
                    kinds.append("utc")
                    select.append(f"EXTRACT(EPOCH FROM {col})")
                elif t in ("timestamp without time zone", "date"):
                    kinds.append("wall")
                    select.append(f"EXTRACT(EPOCH FROM {col}::timestamp)")
                elif t == "boolean":
                    kinds.append("b")
                    select.append(col)
                elif t in _PG_TEXT:
                    kinds.append("t")
                    select.append(col)
                else:
                    raise UnsupportedError(f"the field '{n}' has the type {t}")
            sql = f"SELECT {', '.join(select)} FROM {relation}"
            if uri.sql().strip():
                sql += f" WHERE {uri.sql()}"
        copy = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, NULL '\\N')"
        cols_in = ["hp_fid", "hp_x", "hp_y"] + [f"c{i}" for i in range(len(names))]
        dtypes = {"hp_fid": np.int64, "hp_x": np.float64, "hp_y": np.float64}
        for i, k in enumerate(kinds):
            dtypes[f"c{i}"] = {
                "i": np.float64,
                "f": np.float64,
                "utc": np.float64,
                "wall": np.float64,
                "t": "category",
            }.get(k, object)
        frame = _copy_frame(conn, copy, cols_in, dtypes)
    finally:
        conn.close()
    cols = {}
    for i, (n, k) in enumerate(zip(names, kinds)):
        v = frame[f"c{i}"].to_numpy()
        if k == "i":
            missing = np.isnan(v)
            cols[n] = integers(np.where(missing, 0, v), missing)
        elif k == "f":
            cols[n] = v.astype(np.float64)
        elif k == "utc":
            cols[n] = v.astype(np.float64)
        elif k == "wall":
            missing = np.isnan(v)
            us = np.round(np.where(missing, 0, v) * 1e6).astype(np.int64)
            out = us.astype("datetime64[us]")
            out[missing] = np.datetime64("NaT")
            cols[n] = out
        elif k == "b":
            cols[n] = np.array([None if s is None or s != s else s == "t" for s in v], dtype=object)
        elif isinstance(frame[f"c{i}"].dtype, pd.CategoricalDtype):  # text: shared objects, None if missing
            cat = frame[f"c{i}"].array
            text = np.append(np.asarray(cat.categories, dtype=object), None)
            codes = np.asarray(cat.codes, dtype=np.int64)
            cols[n] = text[np.where(codes >= 0, codes, len(text) - 1)]
        else:
            cols[n] = np.where(pd.isna(v), None, v).astype(object)
    x = frame["hp_x"].to_numpy(dtype=np.float64)
    y = frame["hp_y"].to_numpy(dtype=np.float64)
    notes = ["SQL filter applied by the server"] if uri.sql().strip() else []
    if id_field:
        notes.append(f"feature ids are the values of the key '{key}'")
    return Raw(frame["hp_fid"].to_numpy(dtype=np.int64), x, y, cols, "postgis-copy", "; ".join(notes), id_field)
