"""Writing millions of features to a GeoPackage quickly: GDAL creates the table, SQLite fills it.

Feature-by-feature writing (QGIS sinks, OGR, or even ``sqlite3.executemany``) costs minutes at
10 million rows: the time goes into turning every cell into a Python object. Here GDAL creates a
conformant empty layer, and each chunk of rows goes in with ONE ``INSERT ... SELECT`` that SQLite
runs in C over a few packed parameters built with numpy:

- one ``json_each`` over a JSON array (the real columns, written by pandas' C encoder) drives the
  rows; ``key`` is the row's position in the chunk;
- fixed-width byte strings (point geometries, UTC times, short text labels, integers as digits)
  are cut out of one blob each with ``substr(blob, key * width + 1, width)``, which is O(1) for
  blobs; variable-length geometries are cut by (offset, length) digits;
- a text column with one value is a bound constant; longer text labels go through a small
  temporary table.

The R-tree is then written directly into SQLite's R*Tree shadow tables (STR packing).
"""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

#: (name, OGR type name) of the columns; values are given as numpy/pandas columns in the same order
KINDS = {
    "string": "OFTString",
    "int": "OFTInteger64",
    "int32": "OFTInteger",
    "real": "OFTReal",
    "datetime": "OFTDateTime",
    "utc": "OFTDateTime",
}  # utc: UTC seconds, written as ISO text
#: text labels up to this many UTF-8 bytes are packed at a fixed width, longer ones use a table
FIXED_TEXT_MAX = 64
ISO_WIDTH = 24  # YYYY-MM-DDTHH:MM:SS.sssZ


def point_blobs(x: np.ndarray, y: np.ndarray, srs_id: int) -> np.ndarray:
    """GeoPackage blobs of 2D points: 'GP', version 0, flags 0b00000001 (little-endian, no
    envelope), srs_id, then a little-endian WKB point; an empty point where x or y is NaN."""
    rec = np.dtype(
        [
            ("magic", "S2"),
            ("version", "u1"),
            ("flags", "u1"),
            ("srs", "<i4"),
            ("order", "u1"),
            ("wkb_type", "<u4"),
            ("x", "<f8"),
            ("y", "<f8"),
        ]
    )
    out = np.empty(len(x), dtype=rec)
    out["magic"], out["version"], out["srs"] = b"GP", 0, srs_id
    empty = ~(np.isfinite(x) & np.isfinite(y))
    out["flags"] = np.where(empty, 0b00010001, 0b00000001)
    out["order"], out["wkb_type"], out["x"], out["y"] = 1, 1, x, y
    return out.view(np.uint8).reshape(len(x), rec.itemsize)


def iso_utc_bytes(seconds: np.ndarray) -> np.ndarray:
    """UTC seconds -> (n, 24) ASCII 'YYYY-MM-DDTHH:MM:SS.sssZ', rounded to the millisecond;
    all blanks where the value is NaN. Dates come from a table of the days spanned (H. Hinnant's
    days-to-civil, proleptic Gregorian), clock times from tables of the 86,400 seconds of a day
    and the 1,000 milliseconds: no Python object per row."""
    seconds = np.asarray(seconds, dtype=float)
    n = len(seconds)
    out = np.full((n, ISO_WIDTH), ord(" "), dtype=np.uint8)
    ok = np.isfinite(seconds) & (seconds >= -62_167_219_200.0) & (seconds < 253_402_300_800.0)  # years 0-9999
    if not ok.any():
        return out
    ms = np.zeros(n, dtype=np.int64)
    ms[ok] = np.round(seconds[ok] * 1000.0).astype(np.int64)
    days, msod = np.divmod(ms, 86_400_000)
    first, last = int(days[ok].min()), int(days[ok].max())
    if last - first < 5_000_000:  # a table of the days spanned (at most ~14,000 years)
        out[:, 0:10] = _date_text(np.arange(first, last + 1, dtype=np.int64))[np.clip(days - first, 0, last - first)]
    else:
        out[:, 0:10] = _date_text(days)
    sod, milli = np.divmod(msod, 1000)
    out[:, 10] = ord("T")
    out[:, 11:19] = _clock_table()[sod]
    out[:, 19] = ord(".")
    out[:, 20:23] = _digit_table(3)[milli]
    out[:, 23] = ord("Z")
    out[~ok] = ord(" ")
    return out


def _date_text(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 -> (n, 10) ASCII 'YYYY-MM-DD'."""
    z = days + 719_468
    era = np.floor_divide(z, 146_097)
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = np.clip(yoe + era * 400 + (month <= 2), 0, 9999)
    out = np.empty((len(days), 10), dtype=np.uint8)
    out[:, 0:4] = _digit_table(4)[year]
    out[:, 5:7] = _digit_table(2)[month]
    out[:, 8:10] = _digit_table(2)[day]
    out[:, 4] = out[:, 7] = ord("-")
    return out


_TABLES: dict = {}


def _digit_table(width: int) -> np.ndarray:
    """(10**width, width) ASCII digits of 0 .. 10**width - 1, zero-padded."""
    if width not in _TABLES:
        v = np.arange(10**width)
        _TABLES[width] = np.stack([48 + v // 10 ** (width - 1 - k) % 10 for k in range(width)], axis=1).astype(np.uint8)
    return _TABLES[width]


def _clock_table() -> np.ndarray:
    """(86400, 8) ASCII 'HH:MM:SS' of every second of a day."""
    if "clock" not in _TABLES:
        sod = np.arange(86_400)
        table = np.empty((86_400, 8), dtype=np.uint8)
        table[:, 0:2] = _digit_table(2)[sod // 3600]
        table[:, 3:5] = _digit_table(2)[sod // 60 % 60]
        table[:, 6:8] = _digit_table(2)[sod % 60]
        table[:, 2] = table[:, 5] = ord(":")
        _TABLES["clock"] = table
    return _TABLES["clock"]


def iso_utc(seconds: np.ndarray) -> np.ndarray:
    """UTC seconds -> GeoPackage date-time text 'YYYY-MM-DDTHH:MM:SS.sssZ' (None where NaN)."""
    text = iso_utc_bytes(seconds)
    out = text.view(f"S{ISO_WIDTH}").ravel().astype(str).astype(object)
    out[out == " " * ISO_WIDTH] = None
    return out


def _put_digits(out: np.ndarray, col: int, value: np.ndarray, width: int) -> None:
    """Non-negative integers as zero-padded ASCII digits into out[:, col:col + width], four at a time."""
    v = np.asarray(value).astype(np.int64, copy=True)
    end = col + width
    while end > col:
        step = min(4, end - col)
        v, group = np.divmod(v, 10**step)
        out[:, end - step : end] = _digit_table(step)[group]
        end -= step


def _digits(values: np.ndarray) -> tuple[bytes, int, int]:
    """Non-negative offsets of integers from their minimum as fixed-width ASCII digits:
    (bytes, width, minimum); value = CAST(digits AS INTEGER) + minimum."""
    v = np.asarray(values).astype(np.int64)
    low = int(v.min()) if len(v) else 0
    span = v - low
    width = max(len(str(int(span.max()))) if len(v) else 1, 1)
    out = np.empty((len(v), width), dtype=np.uint8)
    _put_digits(out, 0, span, width)
    return out.tobytes(), width, low


def destination(dest: str, default_layer: str) -> tuple[str, str, bool]:
    """(path, layer, replace) of a GeoPackage destination as Processing gives it: ``path`` alone
    asks to replace that whole file (``replace`` True; the layer is ``default_layer``),
    ``path|layername=x`` to add (or replace) the one layer x in it."""
    path, _, layer = (dest or "").partition("|layername=")
    layer = layer.split("|")[0]
    return path, layer or default_layer, not layer


def write_points(
    path: str,
    layer: str,
    crs_wkt: str,
    x,
    y,
    columns: list[tuple[str, str, object]],
    chunk: int = 500_000,
    feedback=None,
    progress=(0.0, 100.0),
    replace: bool = False,
) -> int:
    """Write a new point layer ``layer`` to ``path`` (created or added to). ``columns`` are
    (name, kind, values) with kind in KINDS or "bool"; values: arrays (or pandas Categoricals)
    of the same length as x. ``replace``: the run asked for exactly this file, which is not one
    it reads (``HotspotAlgorithm.check_outputs`` has made sure): an existing file is removed
    first. Otherwise only the layer ``layer`` is replaced and the file's other layers stay."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    finite = np.isfinite(x) & np.isfinite(y)
    return _write(
        path,
        layer,
        crs_wkt,
        "point",
        columns,
        len(x),
        _PointGeometry(x, y),
        (x, x, y, y),
        finite,
        chunk,
        feedback,
        progress,
        replace,
    )


def write_lines(
    path: str,
    layer: str,
    crs_wkt: str,
    wkb: list,
    bounds: np.ndarray,
    columns: list[tuple[str, str, object]],
    chunk: int = 200_000,
    feedback=None,
    progress=(0.0, 100.0),
    geometry: str = "linestring",
    replace: bool = False,
) -> int:
    """Write a new line (or, with ``geometry="polygon"``, polygon) layer from WKB geometries;
    ``bounds`` is (n, 4): minx, miny, maxx, maxy. ``replace`` as for ``write_points``."""
    bounds = np.asarray(bounds, float).reshape(-1, 4)
    finite = np.all(np.isfinite(bounds), axis=1)
    return _write(
        path,
        layer,
        crs_wkt,
        geometry,
        columns,
        len(wkb),
        _WkbGeometry(wkb),
        (bounds[:, 0], bounds[:, 2], bounds[:, 1], bounds[:, 3]),
        finite,
        chunk,
        feedback,
        progress,
        replace,
    )


class OutputError(Exception):
    """What a GeoPackage that cannot be written raises (no such folder, read-only, not a GeoPackage):
    one sentence. ``qgis_io/outputs.py`` hands it to Processing as its own exception, so the user
    sees the sentence (any other exception would be shown with a traceback)."""


def prepare_file(path: str, replace: bool = False) -> None:
    """Check that ``path`` can be written, and remove it first when ``replace`` (the run asked for
    exactly this file and does not read it). Raises OutputError with one sentence."""
    import os

    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise OutputError(f"The folder {folder} does not exist: create it or choose another place for {path}.")
    if os.path.exists(path):
        if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK):
            raise OutputError(f"{path} is read-only: choose another place for the output.")
        if replace:
            os.remove(path)
    elif not os.access(folder, os.W_OK):
        raise OutputError(f"The folder {folder} is read-only: choose another place for {path}.")


def _open_for_writing(path: str, replace: bool):
    """The GDAL data source to add a layer to: ``path`` created, or opened when it exists (removed
    first when ``replace``). Never removes a file the caller did not ask to replace."""
    import os

    from osgeo import gdal, ogr

    prepare_file(path, replace)
    drv = ogr.GetDriverByName("GPKG")
    try:
        ds = drv.Open(path, 1) if os.path.exists(path) else drv.CreateDataSource(path)
    except RuntimeError as e:
        ds, why = None, str(e)
    else:
        why = gdal.GetLastErrorMsg()
    if ds is None:
        raise OutputError(f"{path} cannot be written as a GeoPackage ({why or 'not a GeoPackage'}).")
    return ds


class _PointGeometry:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def blobs(self, srs_id: int, lo: int, hi: int) -> list[bytes]:
        raw = point_blobs(self.x[lo:hi], self.y[lo:hi], srs_id)
        width = raw.shape[1]
        data = raw.tobytes()
        return [data[i : i + width] for i in range(0, len(data), width)]

    def sql(self, srs_id: int, lo: int, hi: int, chunk: _Statement) -> str:
        raw = point_blobs(self.x[lo:hi], self.y[lo:hi], srs_id)
        return f"substr({chunk.bind(raw.tobytes())}, key * {raw.shape[1]} + 1, {raw.shape[1]})"


class _WkbGeometry:
    def __init__(self, wkb):
        self.wkb = wkb

    def blobs(self, srs_id: int, lo: int, hi: int) -> list[bytes]:
        head = b"GP\x00\x01" + int(srs_id).to_bytes(4, "little", signed=True)
        return [head + bytes(w) for w in self.wkb[lo:hi]]

    def sql(self, srs_id: int, lo: int, hi: int, chunk: _Statement) -> str:
        blobs = self.blobs(srs_id, lo, hi)
        sizes = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs))
        starts = np.cumsum(sizes) - sizes
        return f"substr({chunk.bind(b''.join(blobs))}, {chunk.digits(starts)} + 1, {chunk.digits(sizes)})"


class _Statement:
    """The bound parameters of one INSERT ... SELECT."""

    def __init__(self):
        self.params: dict[str, object] = {}

    def bind(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return ":" + name

    def digits(self, values) -> str:
        data, width, low = _digits(values)
        cut = f"CAST(substr({self.bind(data)}, key * {width} + 1, {width}) AS INTEGER)"
        return f"({cut} + {low})" if low else cut

    def decimals(self, values: np.ndarray) -> str | None:
        """Reals with at most 6 decimals as integer digits over a power of ten: the SQL division
        m / 10**k is the very computation np.round(v, k) == v checked, so the doubles come back
        exactly. NULL where not finite. None when some value needs more decimals (JSON then)."""
        finite = np.isfinite(values)
        v = values[finite]
        if len(v) and not np.all(np.abs(v) < 1e9):
            return None
        for k in range(7):
            if np.array_equal(np.round(v, k), v):
                break
        else:
            return None
        m = np.zeros(len(values), dtype=np.int64)
        m[finite] = np.rint(v * 10.0**k).astype(np.int64)
        if finite.all():
            number = self.digits(m)
        else:
            low = int(m[finite].min()) if finite.any() else 0
            m[~finite] = (int(m[finite].max()) if finite.any() else 0) + 1  # a sentinel: NULL
            data, width, low = _digits(m)
            sentinel = int(m[~finite][0]) - low
            number = (
                f"(NULLIF(CAST(substr({self.bind(data)}, key * {width} + 1, {width}) AS INTEGER), {sentinel}) + {low})"
            )
        return f"({number} / {float(10**k)!r})"


class _Text:
    """A text column as codes into its distinct labels, cut from fixed-width blobs in SQL."""

    def __init__(self, values, index: int, con):
        if isinstance(values, pd.Categorical):
            codes, labels = np.asarray(values.codes), list(values.categories)  # small ints: kept as they are
        else:
            arr = (
                values
                if isinstance(values, np.ndarray) and values.dtype == object
                else np.asarray(values, dtype=object)
            )
            codes, uniques = pd.factorize(arr, use_na_sentinel=True)
            labels = list(uniques)
        self.codes = codes
        self.texts = texts = [str(v) for v in labels]
        encoded = [t.encode("utf-8") for t in texts]
        self.missing = bool((codes < 0).any())
        self.constant = texts[0] if len(texts) == 1 and not self.missing else None
        width = max((len(e) for e in encoded), default=0)
        self.padded = any(len(e) != width for e in encoded)  # else no rtrim() is needed
        # fixed width needs labels that survive padding with blanks and rtrim() exactly
        self.fixed = width <= FIXED_TEXT_MAX and not any(e.endswith((b" ", b"\x00")) or b"\x00" in e for e in encoded)
        if self.fixed:
            self.width = max(width, 1) + (1 if self.missing else 0)
            table = np.full((len(encoded) + 1, self.width), ord(" "), dtype=np.uint8)
            lead = 1 if self.missing else 0
            for i, e in enumerate(encoded):
                table[i, lead : lead + len(e)] = np.frombuffer(e, dtype=np.uint8)
                if lead:
                    table[i, 0] = ord("=")
            self.table = table  # the last row (code -1) is the missing value
        elif self.constant is None:
            self.name = f"_hp_labels_{index}"
            con.execute(f'CREATE TEMP TABLE "{self.name}" (id INTEGER PRIMARY KEY, v TEXT)')
            con.executemany(f'INSERT INTO "{self.name}" VALUES (?, ?)', enumerate(texts))

    def sql(self, lo: int, hi: int, st: _Statement) -> str:
        if self.constant is not None:
            return st.bind(self.constant)
        codes = self.codes[lo:hi]
        if not self.fixed:
            return f'(SELECT v FROM temp."{self.name}" WHERE id = {st.digits(codes)})'
        blob = st.bind(self.table[codes].tobytes())  # code -1 picks the blank last row
        w = self.width
        if not self.missing:
            cut = f"CAST(substr({blob}, key * {w} + 1, {w}) AS TEXT)"
            return f"rtrim({cut}, ' ')" if self.padded else cut
        return (
            f"CASE WHEN substr({blob}, key * {w} + 1, 1) = x'3d' "
            f"THEN rtrim(CAST(substr({blob}, key * {w} + 2, {w - 1}) AS TEXT), ' ') END"
        )

    def values(self, lo: int, hi: int) -> list:
        """Python values of a chunk, for the executemany fallback."""
        return np.asarray(self.texts + [None], dtype=object)[self.codes[lo:hi]].tolist()


def _json_numbers(arrays: list[np.ndarray]) -> str:
    """A JSON array of numbers (one array) or of rows (several), null where not finite, that
    SQLite parses back to the very same doubles. pandas' C encoder writes 15 decimals: exact for
    values with at most 6 decimals (sensor readings, rounded results); anything else goes through
    Python's shortest round-trip repr, which is exact but ~5x slower."""
    clean = [np.where(np.isfinite(a), a, np.nan) for a in arrays]
    short = all(bool(np.all(np.isnan(a) | ((np.abs(a) < 1e9) & (np.round(a, 6) == a)))) for a in clean)
    if short:
        if len(clean) == 1:
            return pd.Series(clean[0], copy=False).to_json(orient="values", double_precision=15)
        return pd.DataFrame(dict(enumerate(clean)), copy=False).to_json(orient="values", double_precision=15)
    import json

    objects = [a.astype(object) for a in clean]
    for o, a in zip(objects, clean):
        o[np.isnan(a)] = None
    return json.dumps(objects[0].tolist() if len(objects) == 1 else np.column_stack(objects).tolist())


def _json_ok(con) -> bool:
    try:
        con.execute("SELECT key, value FROM json_each('[1]')").fetchall()
        return True
    except sqlite3.OperationalError:  # an SQLite built without JSON: the slower row-by-row path
        return False


def _write(path, layer, crs_wkt, geometry, columns, n, geom, boxes, finite, chunk, feedback, progress, replace=False):
    from osgeo import gdal, ogr, osr

    gdal.UseExceptions()
    srs = osr.SpatialReference()
    srs.SetFromUserInput(crs_wkt)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ds = _open_for_writing(path, replace)
    if ds.GetLayerByName(layer) is not None:
        ds.DeleteLayer(layer)
    gtype = {
        "point": ogr.wkbPoint,
        "linestring": ogr.wkbLineString,
        "multilinestring": ogr.wkbMultiLineString,
        "polygon": ogr.wkbPolygon,
    }[geometry]
    lyr = ds.CreateLayer(layer, srs, gtype, options=["SPATIAL_INDEX=YES", "GEOMETRY_NAME=geom", "FID=fid"])
    for name, kind, _ in columns:
        defn = ogr.FieldDefn(name, ogr.OFTInteger if kind == "bool" else getattr(ogr, KINDS[kind]))
        if kind == "bool":
            defn.SetSubType(ogr.OFSTBoolean)
        lyr.CreateField(defn)
    ds = None
    con = sqlite3.connect(path)
    try:
        srs_id = con.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = ?", (layer,)).fetchone()[0]
        for pragma in (
            "synchronous=OFF",
            "journal_mode=MEMORY",
            "temp_store=MEMORY",
            "cache_size=-262144",
            "locking_mode=EXCLUSIVE",
        ):
            con.execute(f"PRAGMA {pragma}")
        # GDAL's triggers (feature count, R-tree upkeep) would run per row and need GDAL's SQL
        # functions: drop them for the load, fill the R-tree directly, then put them back
        triggers = con.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name = ?", (layer,)
        ).fetchall()
        for name, _ in triggers:
            con.execute(f'DROP TRIGGER "{name}"')
        prepared = [_prepare(kind, values, i, con) for i, (_, kind, values) in enumerate(columns)]
        names = ", ".join(['"geom"'] + [f'"{c[0]}"' for c in columns])
        fast = _json_ok(con)
        ids = np.flatnonzero(finite)
        if len(ids) == n:  # every feature has a box: no copies (points pass x and y as their own boxes)
            minx, maxx, miny, maxy = (np.asarray(b, float) for b in boxes)
        else:
            minx, maxx, miny, maxy = (np.asarray(b, float)[ids] for b in boxes)
        tree_table = f"rtree_{layer}_geom"
        # two threads: the R-tree is worked out, and the next chunk's parameters are packed, while
        # SQLite (which lets go of Python's lock) inserts the current chunk. A new table's first fid is 1.
        with ThreadPoolExecutor(max_workers=2) as pool:
            tree = pool.submit(rtree_statements, tree_table, ids + 1, minx, maxx, miny, maxy, fast)
            starts = list(range(0, n, chunk))

            def pack(lo):
                return _select(geom, srs_id, columns, prepared, lo, min(lo + chunk, n)) if fast else None

            ahead = pool.submit(pack, starts[0]) if starts else None
            inserted = 0
            for k, lo in enumerate(starts):
                hi = min(lo + chunk, n)
                packed = ahead.result()
                ahead = pool.submit(pack, starts[k + 1]) if k + 1 < len(starts) else None
                if fast:
                    sql, params = packed
                    con.execute(f'INSERT INTO "{layer}" ({names}) {sql}', params)
                else:
                    marks = ", ".join("?" * (len(columns) + 1))
                    cols = [_plain(kind, values, p, lo, hi) for (_, kind, values), p in zip(columns, prepared)]
                    con.executemany(
                        f'INSERT INTO "{layer}" ({names}) VALUES ({marks})', zip(geom.blobs(srs_id, lo, hi), *cols)
                    )
                inserted = hi
                if feedback is not None:
                    if feedback.isCanceled():
                        break
                    feedback.setProgress(progress[0] + (progress[1] - progress[0]) * hi / max(n, 1))
            for p in prepared:
                if isinstance(p, _Text) and not p.fixed and p.constant is None:
                    con.execute(f'DROP TABLE temp."{p.name}"')
            fid0 = con.execute(f'SELECT MIN(fid) FROM "{layer}"').fetchone()[0] or 1
            statements = tree.result()
        cancelled = inserted < n
        if cancelled:  # the index holds the rows written, no others
            keep = ids < inserted
            ids, minx, maxx, miny, maxy = ids[keep], minx[keep], maxx[keep], miny[keep], maxy[keep]
            n = inserted
        if fid0 != 1 or cancelled:  # the plan worked out ahead does not fit
            statements = rtree_statements(tree_table, ids + fid0, minx, maxx, miny, maxy, fast)
        _run(con, statements)
        del statements
        if len(ids):
            con.execute(
                "UPDATE gpkg_contents SET min_x=?, min_y=?, max_x=?, max_y=? WHERE table_name=?",
                (float(minx.min()), float(miny.min()), float(maxx.max()), float(maxy.max()), layer),
            )
        con.execute("UPDATE gpkg_ogr_contents SET feature_count = ? WHERE table_name = ?", (n, layer))
        for _, sql_text in triggers:
            con.execute(sql_text)
        con.commit()
    finally:
        con.close()
    return n


def _prepare(kind: str, values, index: int, con):
    """Per column, what every chunk needs: text codes and labels, or the numbers as arrays."""
    if kind in ("string", "datetime"):
        return _Text(values, index, con)
    if kind == "real":
        arr = np.asarray(values, dtype=float)
        return arr if np.isfinite(arr).any() else None  # None: NULL throughout
    if kind == "utc":
        return np.asarray(values, dtype=float)
    return np.asarray(values, dtype=np.int64)  # int, int32, bool


def _select(geom, srs_id, columns, prepared, lo, hi) -> tuple[str, dict]:
    st = _Statement()
    exprs = [geom.sql(srs_id, lo, hi, st)]
    # reals: as scaled integers when they have few decimals (sensor readings), else through JSON
    short = {
        i: st.decimals(p[lo:hi])
        for i, ((_, kind, _), p) in enumerate(zip(columns, prepared))
        if kind == "real" and p is not None
    }
    reals = [i for i, expr in short.items() if expr is None]
    for i, ((_, kind, _), p) in enumerate(zip(columns, prepared)):
        if kind in ("string", "datetime"):
            exprs.append(p.sql(lo, hi, st))
        elif kind == "real":
            if p is None:
                exprs.append("NULL")
            elif short[i] is not None:
                exprs.append(short[i])
            else:
                exprs.append("value" if len(reals) == 1 else f"json_extract(value, '$[{reals.index(i)}]')")
        elif kind == "utc":
            iso = iso_utc_bytes(p[lo:hi])
            cut = f"CAST(substr({st.bind(iso.tobytes())}, key * {ISO_WIDTH} + 1, {ISO_WIDTH}) AS TEXT)"
            blank = bool((iso[:, 0] == ord(" ")).any())  # no time (NaN, infinite, beyond year 9999)
            exprs.append(f"NULLIF({cut}, '{' ' * ISO_WIDTH}')" if blank else cut)
        else:
            exprs.append(st.digits(p[lo:hi]))
    # the rows are driven by one JSON array: the real columns, or zeros when there are none
    drive = _json_numbers([prepared[i][lo:hi] for i in reals]) if reals else "[" + ",".join("0" * (hi - lo)) + "]"
    return f"SELECT {', '.join(exprs)} FROM json_each({st.bind(drive)})", st.params


def _plain(kind, values, prepared, lo, hi) -> list:
    """A chunk of a column as Python values sqlite3 accepts (None for missing): the fallback."""
    if kind in ("string", "datetime"):
        return prepared.values(lo, hi)
    if kind == "real":
        if prepared is None:
            return [None] * (hi - lo)
        chunk = prepared[lo:hi]
        out = chunk.astype(object)
        out[~np.isfinite(chunk)] = None
        return out.tolist()
    if kind == "utc":
        return iso_utc(prepared[lo:hi]).tolist()
    return prepared[lo:hi].tolist()


# ------------------------------------------------------------------ R-tree bulk loading
#: SQLite's R*Tree module (rtree.c): 2-D cells of an 8-byte id and four 4-byte floats, all
#: big-endian; a node holds at most 51 cells (RTREE_MAXCELLS) and is 4 + 24 * 51 bytes long.
RTREE_MAXCELLS = 51
NODE_BYTES = 4 + 24 * RTREE_MAXCELLS
_CELL = np.dtype([("id", ">i8"), ("minx", ">f4"), ("maxx", ">f4"), ("miny", ">f4"), ("maxy", ">f4")])
_NODE = np.dtype([("depth", ">u2"), ("count", ">u2"), ("cells", _CELL, (RTREE_MAXCELLS,))])  # NODE_BYTES


def _down(v: np.ndarray) -> np.ndarray:
    f = v.astype(np.float32)
    return np.where(f.astype(np.float64) > v, np.nextafter(f, np.float32(-np.inf)), f)


def _up(v: np.ndarray) -> np.ndarray:
    f = v.astype(np.float32)
    return np.where(f.astype(np.float64) < v, np.nextafter(f, np.float32(np.inf)), f)


def _str_groups(cx: np.ndarray, cy: np.ndarray) -> np.ndarray:
    """Sort-Tile-Recursive packing: the order that puts neighbours into the same node. Vertical
    slices of about equal counts (by x quantiles), then y within a slice, sorted on one integer
    key (slice, y quantised to 32 bits): any order gives a correct tree, this one a compact one."""
    n = len(cx)
    leaves = -(-n // RTREE_MAXCELLS)
    slices = max(int(np.ceil(np.sqrt(leaves))), 1)
    if slices == 1:
        return np.argsort(cy, kind="stable")
    step = max(n // 200_000, 1)  # the slice edges from a sample are as good as from all
    edges = np.quantile(cx[::step], np.linspace(0, 1, slices + 1)[1:-1])
    slice_of = np.searchsorted(edges, cx, side="right").astype(np.int64)
    low, high = float(cy.min()), float(cy.max())
    scale = (2.0**32 - 1) / (high - low) if high > low else 0.0
    key = (slice_of << 32) | ((cy - low) * scale).astype(np.int64)
    return np.argsort(key)


def _run(con, statements) -> None:
    for sql, params, many in statements:
        params = params() if callable(params) else params
        (con.executemany if many else con.execute)(sql, params)


def rtree_statements(table: str, ids: np.ndarray, minx, maxx, miny, maxy, json_ok: bool = True) -> list:
    """The SQL that fills an empty SQLite R*Tree ``table`` of boxes by writing its node, rowid and
    parent tables directly (STR packing; inserting rows one by one costs ~15 us a row), as
    (sql, params, executemany) with params possibly a function giving them: all numpy, no
    connection, so it can be worked out in a thread while the features are inserted."""
    statements = [(f'DELETE FROM "{table}_{shadow}"', (), False) for shadow in ("node", "rowid", "parent")]
    n = len(ids)
    if n == 0:
        statements.append((f'INSERT INTO "{table}_node" VALUES (1, ?)', (bytes(NODE_BYTES),), False))
        return statements
    # level 0: the features themselves (points: the same arrays as min and max, no copies)
    points = minx is maxx and miny is maxy
    order = leaf_order = _str_groups(minx if points else (minx + maxx) / 2, miny if points else (miny + maxy) / 2)
    entry_id = np.asarray(ids, dtype=np.int64)[order]
    if points:
        px, py = minx[order], miny[order]
        minx, maxx, miny, maxy = _down(px), _up(px), _down(py), _up(py)
        del px, py
    else:
        minx, maxx = _down(minx[order]), _up(maxx[order])
        miny, maxy = _down(miny[order]), _up(maxy[order])
    levels = []  # per level: (child ids, boxes, node index of each child)
    while True:
        m = len(entry_id)
        node_of = np.arange(m) // RTREE_MAXCELLS
        levels.append((entry_id, minx, maxx, miny, maxy, node_of))
        n_nodes = int(node_of[-1]) + 1
        if n_nodes == 1:
            break
        starts = np.arange(0, m, RTREE_MAXCELLS)
        nminx, nmaxx = np.minimum.reduceat(minx, starts), np.maximum.reduceat(maxx, starts)
        nminy, nmaxy = np.minimum.reduceat(miny, starts), np.maximum.reduceat(maxy, starts)
        cx = (nminx.astype(float) + nmaxx) / 2
        cy = (nminy.astype(float) + nmaxy) / 2
        order = _str_groups(cx, cy)
        # provisional node ids (-1 - index) are replaced by real numbers below
        entry_id = -1 - order.astype(np.int64)
        minx, maxx, miny, maxy = nminx[order], nmaxx[order], nminy[order], nmaxy[order]
    # number the nodes: the root is 1, then level by level downwards
    depth = len(levels) - 1
    number = [None] * (depth + 1)  # per level: the node number of each of its nodes
    next_no = 1
    for lvl in range(depth, -1, -1):
        count = int(levels[lvl][5][-1]) + 1
        number[lvl] = np.arange(next_no, next_no + count, dtype=np.int64)
        next_no += count
    for lvl in range(depth, -1, -1):
        ids_l, mnx, mxx, mny, mxy, node_of = levels[lvl]
        if lvl > 0:  # children are the nodes of the level below, referenced by position
            ids_l = number[lvl - 1][-1 - ids_l]
        # nodes take consecutive runs of RTREE_MAXCELLS cells, the last one padded with zeros
        counts = np.bincount(node_of)
        nodes = np.zeros(len(counts), dtype=_NODE)
        nodes["count"] = counts
        if lvl == depth:
            nodes["depth"][0] = depth
        cells = nodes["cells"]
        whole = len(ids_l) // RTREE_MAXCELLS * RTREE_MAXCELLS
        for name, values in (("id", ids_l), ("minx", mnx), ("maxx", mxx), ("miny", mny), ("maxy", mxy)):
            cells[name][: whole // RTREE_MAXCELLS] = values[:whole].reshape(-1, RTREE_MAXCELLS)
            if whole < len(ids_l):
                cells[name][-1, : len(ids_l) - whole] = values[whole:]
        levels[lvl] = None  # this level's arrays are in the node blobs now
        node_numbers = number[lvl]
        statements += _node_statements(f'"{table}_node"', int(node_numbers[0]), nodes, json_ok)
        del cells
        if lvl == 0:  # in the order of the ids given (ascending for a new table): appends
            leaf = np.empty(len(leaf_order), dtype=np.int64)
            leaf[leaf_order] = node_numbers[node_of]
            statements += _pair_statements(f'"{table}_rowid" (rowid, nodeno)', np.asarray(ids, np.int64), leaf, json_ok)
        else:
            statements.append(
                (
                    f'INSERT INTO "{table}_parent" VALUES (?, ?)',
                    list(zip(ids_l.tolist(), node_numbers[node_of].tolist())),
                    True,
                )
            )
    return statements


def _node_statements(target: str, first_number: int, nodes: np.ndarray, json_ok: bool, chunk: int = 100_000) -> list:
    """Node blobs numbered first_number, first_number + 1, ... cut from one blob in SQL."""
    size = nodes.dtype.itemsize
    out = []
    for lo in range(0, len(nodes), chunk):
        part = nodes[lo : lo + chunk]
        if json_ok:
            rows = "[" + ",".join("0" * len(part)) + "]"
            out.append(
                (
                    f"INSERT INTO {target} SELECT key + ?, substr(?, key * {size} + 1, {size}) FROM json_each(?)",
                    lambda part=part, lo=lo, rows=rows: (first_number + lo, part.tobytes(), rows),
                    False,
                )
            )
        else:
            out.append(
                (
                    f"INSERT INTO {target} VALUES (?, ?)",
                    lambda part=part, lo=lo: zip(
                        range(first_number + lo, first_number + lo + len(part)), (n.tobytes() for n in part)
                    ),
                    True,
                )
            )
    return out


def _pair_statements(target: str, first: np.ndarray, second: np.ndarray, json_ok: bool, chunk: int = 1_000_000) -> list:
    """INSERT (first, second) integer pairs, in order of ``first``: the second numbers alone when
    the first are consecutive, else both packed into one JSON integer (first * 2^24 + second), so
    SQLite unpacks them in C."""
    first, second = np.asarray(first, np.int64), np.asarray(second, np.int64)
    if len(first) > 1 and not np.all(first[1:] > first[:-1]):
        order = np.argsort(first, kind="stable")
        first, second = first[order], second[order]
    packable = len(first) == 0 or (
        first.min() >= 0 and first.max() < 2**38 and second.min() >= 0 and second.max() < 2**24
    )
    if not (packable and json_ok):
        return [(f"INSERT INTO {target} VALUES (?, ?)", list(zip(first.tolist(), second.tolist())), True)]
    out = []
    if len(first) and first[-1] - first[0] == len(first) - 1:  # consecutive ids: only the second
        for lo in range(0, len(first), chunk):
            text = pd.Series(second[lo : lo + chunk], copy=False).to_json(orient="values")
            out.append((f"INSERT INTO {target} SELECT key + ?, value FROM json_each(?)", (int(first[lo]), text), False))
        return out
    packed = (first << 24) | second
    for lo in range(0, len(packed), chunk):
        text = pd.Series(packed[lo : lo + chunk], copy=False).to_json(orient="values")
        out.append((f"INSERT INTO {target} SELECT value >> 24, value & 16777215 FROM json_each(?)", (text,), False))
    return out
