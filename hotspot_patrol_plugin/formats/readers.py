"""Reading force exports as they come: delimited text, GPX/KML/GeoJSON (through GDAL), NMEA logs.

Every reader returns ``Raw`` tables: the file's own columns as text (or numbers), optional
coordinates taken from a geometry (with their CRS), the source file and row of every record, and
counts of what the reader itself could not use (malformed lines, repeated headers, a truncated file).
"""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

DELIMITED = {".csv", ".tsv", ".txt", ".tab", ".dat"}
OGR_FILES = {".gpx", ".kml", ".kmz", ".geojson", ".json", ".gpkg", ".shp", ".fgb", ".gml"}
NMEA = {".nmea", ".nma", ".log"}
SUPPORTED = DELIMITED | OGR_FILES | NMEA

MALFORMED = "malformed line (wrong number of fields)"
REPEATED_HEADER = "repeated header line"
TRUNCATED = "unreadable rest of a truncated or damaged file"
#: layers up to this many features are read feature by feature (no set-up cost), bigger ones in bulk
SMALL_LAYER = 2000


@dataclass
class Raw:
    source: str  # file name (or layer name)
    frame: pd.DataFrame
    source_row: np.ndarray
    x: np.ndarray | None = None  # from a geometry, in ``crs``
    y: np.ndarray | None = None
    crs: str | None = None
    default_unit: str | None = None  # e.g. the file name for one-officer GPX files
    unit_column: str | None = None  # a column the reader knows holds the unit (GPX track name)
    gpx: bool = False  # GPX point attributes (name, desc) are not unit ids
    dropped: dict = field(default_factory=dict)
    examples: list = field(default_factory=list)  # (reason, row, raw text)
    notes: list = field(default_factory=list)
    rows: int = 0  # rows read (the frame is emptied once its columns have been taken)


def expand_inputs(paths) -> tuple[list[str], list[str]]:
    """Files and folders -> (supported files, notes about what was ignored)."""
    files, notes = [], []
    for p in paths:
        p = str(p).strip()
        if not p:
            continue
        if os.path.isdir(p):
            for child in sorted(Path(p).iterdir()):
                if child.is_file() and child.suffix.lower() in SUPPORTED:
                    files.append(str(child))
                elif child.is_file():
                    notes.append(f"{child.name}: ignored (not a track format)")
        elif os.path.isfile(p):
            files.append(p)
        else:
            notes.append(f"{p}: no such file or folder")
    return files, notes


def read_file(path: str, limit: int | None = None, columns=None) -> list[Raw]:
    """Every table in a file; ``limit`` reads only the first rows of each (a preview).
    ``columns(sample) -> names or None``: for delimited text, which columns to read at all, chosen
    from a sample of the first rows (a wide export then costs no more than a narrow one)."""
    suffix = Path(path).suffix.lower()
    if suffix in NMEA or (suffix in {".txt", ".log"} and _looks_nmea(path)):
        return [read_nmea(path, limit)]
    if suffix in OGR_FILES:
        return read_ogr(path, limit)
    return [read_delimited(path, limit, columns)]


# ------------------------------------------------------------------------ delimited text
def _encoding(sample: bytes) -> str:
    if sample[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode text"
        return "utf-16"
    try:
        sample[: max(len(sample) - 4, 0)].decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "cp1252"


def _is_number(text: str) -> bool:
    try:
        float(text.strip().replace(",", "."))
        return True
    except ValueError:
        return False


def _nul_count(path: str, limit: int | None = None) -> int:
    """NUL bytes in the file (in its first 64 KiB for a preview), read in blocks."""
    count = 0
    with open(path, "rb") as f:
        while True:
            block = f.read(1 << 24 if limit is None else 65536)
            if not block:
                break
            count += block.count(b"\x00")
            if limit is not None:
                break
    return count


def _column_names(labels, header: bool) -> list[str]:
    """Names as the import knows them: the header's, trimmed, or column_1, column_2, ... by position
    (pandas labels headerless columns by position, also when only some are read)."""
    return [str(c).strip() if header else f"column_{int(c) + 1}" for c in labels]


def _wanted_positions(sample: pd.DataFrame, header: bool, columns) -> list[int] | None:
    """Positions of the columns ``columns`` wants from the sample (None: read them all)."""
    if columns is None or sample.shape[1] == 0:
        return None
    named = sample.copy()
    named.columns = _column_names(sample.columns, header)
    try:
        wanted = set(columns(named) or ())
    except Exception:  # detection trouble is reported later, on the whole file
        return None
    positions = [i for i, c in enumerate(named.columns) if c in wanted]
    if not positions or len(positions) == sample.shape[1]:
        return None
    return positions


def _blank_for_missing(column: pd.Series) -> pd.Series:
    """A text column with "" for empty cells (as written), categories kept as str."""
    cats = column.cat.categories
    if cats.dtype != object:  # e.g. every value parsed as a number: back to the text
        column = column.cat.rename_categories([str(c) for c in cats])
    if column.isna().any():
        if "" not in column.cat.categories:
            column = column.cat.add_categories([""])
        column = column.fillna("")
    return column


def read_delimited(path: str, limit: int | None = None, columns=None) -> Raw:
    name = Path(path).name
    with open(path, "rb") as f:
        sample = f.read(65536)
    if not sample.strip():
        return Raw(name, pd.DataFrame(), np.zeros(0, np.int64), notes=[f"{name}: empty file"])
    encoding = _encoding(sample)
    text = sample.decode(encoding, errors="replace")
    lines = [ln for ln in text.splitlines() if ln.strip()][:60]
    try:
        delimiter = csv.Sniffer().sniff("\n".join(lines[:30]), delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: min(ln.count(d) for ln in lines[:30]) for d in ",;\t|"}
        delimiter = max(counts, key=counts.get) if max(counts.values()) > 0 else ","
    first = next(csv.reader([lines[0]], delimiter=delimiter))
    second = next(csv.reader([lines[1]], delimiter=delimiter)) if len(lines) > 1 else []
    header = not any(_is_number(v) for v in first if v.strip()) and (
        not second or any(_is_number(v) for v in second if v.strip())
    )
    # pandas' C reader ends a value at a NUL byte (a unit "PC\x005" would become "PC"): a file with
    # NUL bytes is read with each one shown as U+FFFD (a rare, damaged file: read into memory)
    nul_bytes = _nul_count(path, limit) if encoding != "utf-16" else 0
    data = None
    if nul_bytes:
        with open(path, "rb") as f:
            data = f.read().replace(b"\x00", "\ufffd".encode(encoding.replace("-sig", ""), "replace"))

    def src():
        return path if data is None else io.BytesIO(data)

    options = dict(
        sep=delimiter,
        header=0 if header else None,
        keep_default_na=False,
        encoding=encoding,
        encoding_errors="strict",
        on_bad_lines="warn",
        skip_blank_lines=True,
        engine="c",
        skipinitialspace=True,
    )
    # columns of decimal numbers (coordinates, speeds) are parsed by pandas' C reader as floats:
    # no Python string per cell. Everything else stays text, as categories: ids like "0071" and
    # times as written, each distinct text held (and later parsed) once however often it repeats.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sample = pd.read_csv(src(), dtype=str, nrows=2000, na_filter=False, **{**options, "encoding_errors": "replace"})
    decimal = {
        c: "float64" for c in sample.columns if len(sample) and sample[c].str.fullmatch(r"\s*-?\d+\.\d+\s*").all()
    }
    usecols = _wanted_positions(sample, header, columns)
    if usecols is not None:
        options["usecols"] = usecols
    bad_lines: list[int] = []

    def read(dtype):
        # the encoding was decided on the first 64 KiB: a Windows-1252 character further on makes
        # the whole file Windows-1252 (a UTF-8 file is never misread that way: it decodes cleanly)
        for attempt in (options["encoding"], "cp1252"):
            options["encoding"] = attempt
            options["encoding_errors"] = "strict" if attempt != "cp1252" else "replace"
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    frame = pd.read_csv(src(), dtype=dtype, na_filter=True, na_values=[""], nrows=limit, **options)
                except UnicodeDecodeError:
                    if attempt == "cp1252":
                        raise
                    continue
            # pandas counts records, not physical lines: a quoted field with a line break is one
            bad_lines[:] = [int(m) for w in caught for m in re.findall(r"Skipping line (\d+)", str(w.message))]
            return frame
        raise AssertionError("unreachable")

    try:
        frame = read({c: decimal.get(c, "category") for c in sample.columns})
    except UnicodeDecodeError:
        raise
    except (ValueError, TypeError):  # a stray value in a "numeric" column: read it all as text
        frame = read("category")
    encoding = options["encoding"]
    for c in frame.columns:
        if isinstance(frame[c].dtype, pd.CategoricalDtype):
            frame[c] = _blank_for_missing(frame[c])
    frame.columns = _column_names(frame.columns, header)
    rows = np.arange(1, len(frame) + len(bad_lines) + 1, dtype=np.int64)  # data records, 1-based
    if bad_lines:  # the records kept keep their own numbers
        rows = np.setdiff1d(rows, np.asarray(bad_lines, dtype=np.int64) - (1 if header else 0))[: len(frame)]
    raw = Raw(name, frame, rows)
    if usecols is not None:
        raw.notes.append(f"{name}: {len(usecols)} of {sample.shape[1]} columns read, the others are not needed")
    raw.notes.append(
        f"{name}: {encoding.replace('-sig', '')}, delimiter {delimiter!r}, "
        f"{'with' if header else 'without'} a header, {len(frame):,} rows"
    )
    # a header line repeated mid-file (concatenated exports): only possible when every column is
    # text, since it would have stopped the decimal columns from parsing as numbers
    if header and len(frame) and all(isinstance(frame[c].dtype, pd.CategoricalDtype) for c in frame.columns):
        repeated = np.ones(len(frame), dtype=bool)
        for c in frame.columns:
            cats = frame[c].cat.categories
            is_name = np.asarray(pd.Series(cats, dtype=object).astype(str).str.strip() == c)
            repeated &= is_name[frame[c].cat.codes.to_numpy()]
        if repeated.any():
            raw.dropped[REPEATED_HEADER] = int(repeated.sum())
            raw.examples += [(REPEATED_HEADER, int(r), "") for r in raw.source_row[repeated][:5]]
            raw.frame = frame[~repeated].reset_index(drop=True)
            raw.source_row = raw.source_row[~repeated]
    if limit is not None:  # a preview: the rest of the file is not looked at
        return raw
    if nul_bytes:
        raw.notes.append(f"{name}: {nul_bytes:,} NUL byte(s), shown as \ufffd")
    if bad_lines:
        raw.dropped[MALFORMED] = len(bad_lines)
        raw.examples += [(MALFORMED, line - (1 if header else 0), "") for line in bad_lines[:5]]
    return raw


# ------------------------------------------------------------------------ GDAL formats
def _ogr_time(feature, index: int) -> str | None:
    if not feature.IsFieldSetAndNotNull(index):
        return None
    y, mo, d, h, mi, s, tz = feature.GetFieldAsDateTime(index)
    text = f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:06.3f}"
    if tz == 100:
        return text + "Z"
    if tz > 100 or 1 < tz < 100:  # GDAL: 100 + offset in quarter hours
        minutes = (tz - 100) * 15
        sign = "+" if minutes >= 0 else "-"
        return f"{text}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return text


def read_ogr(path: str, limit: int | None = None) -> list[Raw]:
    from osgeo import gdal, ogr

    gdal.UseExceptions()
    name = Path(path).name
    try:
        ds = gdal.OpenEx(path, gdal.OF_VECTOR | gdal.OF_READONLY)
    except RuntimeError as e:
        if path.lower().endswith(".gpx"):
            return [salvage_gpx(path, str(e), limit)]
        return [Raw(name, pd.DataFrame(), np.zeros(0, np.int64), notes=[f"{name}: unreadable ({e})"])]
    is_gpx = ds.GetDriver().ShortName == "GPX"
    track_names = {}
    if is_gpx and ds.GetLayerByName("tracks") is not None:
        for f in ds.GetLayerByName("tracks"):
            track_names[f.GetFID()] = f.GetField("name") if f.GetFieldIndex("name") >= 0 else None
    out = []
    for i in range(ds.GetLayerCount()):
        layer = ds.GetLayer(i)
        if ogr.GT_Flatten(layer.GetGeomType()) not in (ogr.wkbPoint, ogr.wkbMultiPoint, ogr.wkbUnknown):
            continue
        if is_gpx and layer.GetName() not in ("track_points", "route_points", "waypoints"):
            continue
        defn = layer.GetLayerDefn()
        names = [defn.GetFieldDefn(j).GetName() for j in range(defn.GetFieldCount())]
        is_time = [defn.GetFieldDefn(j).GetType() in (ogr.OFTDateTime, ogr.OFTDate) for j in range(len(names))]
        # small layers (one officer's GPX) feature by feature, big ones in bulk through Arrow
        cap = SMALL_LAYER if limit is None else min(limit, SMALL_LAYER)
        frame, xs, ys, fids, note = _ogr_features(layer, names, is_time, cap + 1, name)
        if note is None and len(frame) > cap:
            if limit is not None and limit <= SMALL_LAYER:  # a preview: the first rows are enough
                frame, xs, ys, fids = frame.iloc[:limit], xs[:limit], ys[:limit], fids[:limit]
            else:
                bulk = _ogr_bulk(ds, layer, names, is_time, limit)
                if bulk is not None:
                    frame, xs, ys = bulk
                    fids = np.arange(1, len(frame) + 1)
                else:
                    frame, xs, ys, fids, note = _ogr_features(layer, names, is_time, limit, name)
        if not len(frame) and note is None:
            continue
        raw = Raw(
            f"{name}:{layer.GetName()}" if ds.GetLayerCount() > 1 else name,
            frame,
            np.asarray(fids, dtype=np.int64),
            np.asarray(xs, float),
            np.asarray(ys, float),
        )
        srs = layer.GetSpatialRef()
        raw.crs = srs.ExportToWkt() if srs is not None else "EPSG:4326"
        if srs is not None and srs.GetAuthorityCode(None):
            raw.crs = f"{srs.GetAuthorityName(None)}:{srs.GetAuthorityCode(None)}"
        raw.default_unit = Path(path).stem
        raw.gpx = is_gpx
        if is_gpx and layer.GetName() == "track_points" and "track_fid" in frame.columns and track_names:
            frame["track_name"] = frame["track_fid"].map(track_names)
            if frame["track_name"].notna().any():
                raw.unit_column = "track_name"
        if note:
            raw.dropped[TRUNCATED] = 1
            raw.notes.append(note)
        raw.notes.append(f"{raw.source}: {len(frame):,} points")
        out.append(raw)
    if not out:
        out.append(Raw(name, pd.DataFrame(), np.zeros(0, np.int64), notes=[f"{name}: no point features"]))
    return out


_GPX_POINT = re.compile(r"<(trkpt|rtept|wpt)\b([^>]*)>(.*?)</\1>", re.S)
_ATTR = re.compile(r"""\b(lat|lon)\s*=\s*["']([-+0-9.eE]+)["']""")
_TIME = re.compile(r"<time>\s*([^<]+?)\s*</time>")
_NAME = re.compile(r"<trk>\s*<name>\s*([^<]+?)\s*</name>", re.S)


def salvage_gpx(path: str, why: str, limit: int | None = None) -> Raw:
    """A GPX file GDAL rejects (typically cut off mid-write): keep every complete point before the
    damage, and report the file as truncated."""
    name = Path(path).name
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    rows, xs, ys = [], [], []
    for m in _GPX_POINT.finditer(text):
        attrs = dict(_ATTR.findall(m.group(2)))
        t = _TIME.search(m.group(3))
        try:
            xs.append(float(attrs["lon"]))
            ys.append(float(attrs["lat"]))
        except (KeyError, ValueError):
            continue
        rows.append(t.group(1) if t else None)
        if limit is not None and len(rows) >= limit:
            break
    track = _NAME.search(text)
    frame = pd.DataFrame({"time": rows})
    raw = Raw(
        name,
        frame,
        np.arange(1, len(rows) + 1, dtype=np.int64),
        np.asarray(xs, float),
        np.asarray(ys, float),
        "EPSG:4326",
        default_unit=track.group(1) if track else Path(path).stem,
        gpx=True,
    )
    raw.dropped[TRUNCATED] = 1
    raw.notes.append(f"{name}: damaged GPX ({why}); {len(rows):,} complete points recovered before the damage")
    return raw


# ------------------------------------------------------------------------ NMEA
def _looks_nmea(path: str) -> bool:
    with open(path, "rb") as f:
        head = f.read(4096)
    return b"$GP" in head or b"$GN" in head


def read_nmea(path: str, limit: int | None = None) -> Raw:
    from ..core.nmea import parse_nmea

    name = Path(path).name
    with open(path, encoding="ascii", errors="replace") as f:
        if limit is None:
            lines = f.read().splitlines()
        else:  # a preview: a fix takes a few sentences (RMC, GGA, others)
            from itertools import islice

            lines = [line.rstrip("\r\n") for line in islice(f, limit * 8)]
    fixes, dropped, examples = parse_nmea(lines)
    frame = fixes.rename(columns={"speed_kmh": "speed", "hdop": "hdop"})
    raw = Raw(
        name,
        frame.drop(columns=["source_row"]),
        fixes["source_row"].to_numpy(np.int64),
        crs="EPSG:4326",
        default_unit=Path(path).stem,
        dropped=dropped,
    )
    raw.examples = [(r.reason, int(r.source_row), r.raw) for r in examples.itertuples()]
    raw.notes.append(f"{name}: NMEA log, {len(frame):,} fixes")
    return raw


def _ogr_features(layer, names, is_time, limit, name):
    """Feature by feature (the fallback: a damaged file keeps the points before the damage)."""
    from osgeo import ogr

    rows, xs, ys, fids = [], [], [], []
    note = None
    try:
        layer.ResetReading()
        for feat in layer:
            vals = [(_ogr_time(feat, j) if is_time[j] else feat.GetField(j)) for j in range(len(names))]
            g = feat.GetGeometryRef()
            if g is not None and not g.IsEmpty():
                if ogr.GT_Flatten(g.GetGeometryType()) == ogr.wkbMultiPoint:
                    g = g.GetGeometryRef(0)
                xs.append(g.GetX())
                ys.append(g.GetY())
            else:
                xs.append(np.nan)
                ys.append(np.nan)
            rows.append(vals)
            fids.append(len(fids) + 1)
            if limit is not None and len(rows) >= limit:
                break
    except RuntimeError as e:  # e.g. a GPX file cut off mid-way: keep what came before
        note = f"{name}/{layer.GetName()}: stopped after {len(rows):,} points ({e})"
    return pd.DataFrame(rows, columns=names), xs, ys, fids, note


def _ogr_bulk(ds, layer, names, is_time, limit):
    """(frame, x, y) of a whole layer read through GDAL's Arrow stream, in C: date-times as their
    ISO text (SQLite SQL keeps their offsets, which the stream itself drops). None when that
    cannot be done (old GDAL, no SQLite dialect, a damaged file): the caller reads feature by feature."""
    if not hasattr(layer, "GetArrowStreamAsNumPy"):
        return None
    from .arrow import _decode, _wkb_points

    def quoted(text):
        return '"' + text.replace('"', '""') + '"'

    geom = layer.GetGeometryColumn() or "GEOMETRY"
    select = [
        f"CAST({quoted(n)} AS TEXT) AS hp_c{i}" if t else f"{quoted(n)} AS hp_c{i}"
        for i, (n, t) in enumerate(zip(names, is_time))
    ]
    sql = f"SELECT {', '.join(select + [quoted(geom)])} FROM {quoted(layer.GetName())}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    try:
        res = ds.ExecuteSQL(sql, dialect="SQLITE")
    except RuntimeError:
        return None
    if res is None:
        return None
    try:
        gkey = res.GetGeometryColumn() or geom
        batches = list(res.GetArrowStreamAsNumPy())
    except RuntimeError:
        return None
    finally:
        ds.ReleaseResultSet(res)

    def column(key):
        parts = [b[key] for b in batches if key in b]
        if not parts:
            return None
        if any(isinstance(a, np.ma.MaskedArray) for a in parts):
            return np.ma.concatenate(parts)
        return np.concatenate(parts)

    n = sum(len(next(iter(b.values()))) for b in batches if b)
    if n == 0:
        return pd.DataFrame({c: [] for c in names}), np.zeros(0), np.zeros(0)
    wkb = column(gkey)
    if wkb is None:
        return None
    if isinstance(wkb, np.ma.MaskedArray):  # null geometries: None
        missing = np.ma.getmaskarray(wkb)
        wkb = wkb.data.astype(object)
        wkb[missing] = None
    x, y = _wkb_points(wkb)
    if x is None:  # not points
        return None
    data = {}
    for i, c in enumerate(names):
        values = column(f"hp_c{i}")
        if values is None:
            values = np.full(n, None, dtype=object)
        elif values.dtype.kind in "SO":  # text: decoded, None where missing
            missing = np.ma.getmaskarray(values)
            raw = np.ma.filled(values, b"") if isinstance(values, np.ma.MaskedArray) else values
            values = _decode(np.asarray(raw).astype("S"))
            values[missing] = None
        elif values.dtype.kind in "iufb":  # numbers: NaN where missing
            if isinstance(values, np.ma.MaskedArray):
                values = np.ma.filled(values.astype(float), np.nan) if values.mask.any() else values.data
        else:
            values = np.asarray(values).astype(object)
        data[c] = values
    return pd.DataFrame(data), x, y


# ------------------------------------------------------------------------ QGIS layers
#: rows of a delimited-text layer QGIS's provider could not place (it drops them without a count)
