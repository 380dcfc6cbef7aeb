"""Import pipeline for hotspotpatrol:importtracks: raw tables -> one clean, sorted track table.

Steps: per source, choose columns (``core.columns.detect`` with the user's overrides), take units,
times and coordinates; then, for all sources at once, parse the times, transform to the output
CRS, clean (``core.cleaning``), pseudonymise, and describe every drop with example rows.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core import cleaning
from ..core.columns import detect, unit_codes
from ..core.crs import transform_finite
from ..core.definitions import DEFAULT_TIMEZONE
from ..core.times import PROBLEM_TEXT, parse_times
from .readers import TRUNCATED, Raw

NO_UNIT = "no unit id"
NO_POSITION = "missing or invalid coordinates"


class SourceError(Exception):
    """A whole source cannot be used (e.g. no time column): reported, the others still import."""


@dataclass
class Options:
    unit_field: str = ""
    time_field: str = ""
    x_field: str = ""
    y_field: str = ""
    source_crs: str = ""  # empty: detected
    date_order: str = "auto"
    timezone: str = DEFAULT_TIMEZONE
    max_speed_kmh: float | None = 200.0
    max_accuracy_m: float | None = None
    pseudonymise_key: str = ""
    output_crs: str = "EPSG:27700"
    output_bounds: tuple | None = None  # box (output CRS units) where the output CRS is valid
    steps: frozenset = frozenset({"duplicates", "zero", "outside", "future"})  # optional cleaning steps on


@dataclass
class Imported:
    unit: object  # text ids (pseudonyms when a key was given): a Categorical, or an array when empty
    t: np.ndarray
    x: np.ndarray
    y: np.ndarray
    speed: np.ndarray
    heading: np.ndarray
    accuracy: np.ndarray
    source_file: object  # a Categorical of file names (an array when empty)
    source_row: np.ndarray
    rows_read: int = 0
    dropped: dict = field(default_factory=dict)
    examples: dict = field(default_factory=dict)  # reason -> list of (file, row, text)
    notes: list = field(default_factory=list)
    out_of_order: int = 0
    dropped_by_unit: dict = field(default_factory=dict)  # unit label (as output) -> rows dropped

    def __len__(self) -> int:
        return len(self.t)

    def unit_count(self) -> int:
        return int(len(np.unique(pd.Categorical(self.unit).codes)))


@dataclass
class _Part:
    source: str
    unit: np.ndarray
    time: np.ndarray
    x: np.ndarray
    y: np.ndarray
    crs: str
    speed: np.ndarray
    heading: np.ndarray
    accuracy: np.ndarray
    row: np.ndarray
    columns: dict = field(default_factory=dict)  # role (unit, time, date, x, y, ...) -> column used


def _numbers(frame: pd.DataFrame, column: str | None, n: int) -> np.ndarray:
    """A column as floats (NaN where not a number); decimal commas and blanks around are accepted."""
    if not column:
        return np.full(n, np.nan)
    values = frame[column]
    if isinstance(values.dtype, pd.CategoricalDtype):  # each distinct text converted once
        cats = pd.DataFrame({"v": pd.Series(values.cat.categories, dtype=object)})
        numbers = np.append(_numbers(cats, "v", len(cats)), np.nan)
        codes = values.cat.codes.to_numpy()
        return numbers[np.where(codes >= 0, codes, len(numbers) - 1)]
    out = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    if values.dtype == object:
        retry = np.isnan(out) & (values != "").to_numpy() & values.notna().to_numpy()
        if retry.any():  # only the odd rows pay for string clean-up
            fixed = values[retry].astype(str).str.strip().str.replace(",", ".", regex=False)
            out[retry] = pd.to_numeric(fixed, errors="coerce").to_numpy(dtype=float)
    return out


def _text(column: pd.Series):
    """A text column as a Categorical when the reader gave one (no Python object per row), else
    as an object array."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.array
    return column.to_numpy(dtype=object)


def _factorize(columns: list) -> tuple[np.ndarray, np.ndarray]:
    """Codes (-1 where missing) and distinct values of several text columns taken together."""
    if all(isinstance(c, pd.Categorical) for c in columns):
        from pandas.api.types import union_categoricals

        joined = union_categoricals(columns) if len(columns) > 1 else columns[0]
        return np.asarray(joined.codes, dtype=np.int64), np.asarray(joined.categories, dtype=object)
    codes, uniques = pd.factorize(np.concatenate([np.asarray(c, dtype=object) for c in columns]))
    return np.asarray(codes, dtype=np.int64), np.asarray(uniques, dtype=object)


def needed_columns(sample: pd.DataFrame, opts: Options) -> list[str] | None:
    """The columns of a delimited file the import uses, chosen on a sample of its first rows by the
    same detection as ``prepare`` (with the user's overrides); None when detection cannot tell."""
    try:
        d = detect(
            sample,
            unit=opts.unit_field if opts.unit_field in sample.columns else None,
            time=opts.time_field or None,
            x=opts.x_field or None,
            y=opts.y_field or None,
        )
    except KeyError:
        return None
    if not (d.time and (d.wkt or (d.x and d.y))):
        return None
    used = {d.unit, d.time, d.date, d.x, d.y, d.wkt, d.speed, d.heading, d.accuracy, opts.unit_field or None}
    return [c for c in sample.columns if c in used]


def prepare(raw: Raw, opts: Options) -> tuple[_Part, str]:
    """Choose the columns of one source; returns the part and a one-line description."""
    frame = raw.frame
    n = len(frame)
    try:
        d = detect(
            frame,
            unit=opts.unit_field if opts.unit_field in frame.columns else None,
            time=opts.time_field or None,
            x=opts.x_field or None,
            y=opts.y_field or None,
        )
    except KeyError as e:
        raise SourceError(f"{raw.source}: {e.args[0]}") from None
    if (
        opts.unit_field
        and opts.unit_field not in frame.columns
        and raw.unit_column is None
        and raw.default_unit is None
    ):
        raise SourceError(f"{raw.source}: the unit column '{opts.unit_field}' does not exist")
    # a reader's geometry beats position columns found by their values: leave that note out then
    geometry = raw.x is not None and not (opts.x_field and opts.y_field)
    notes = "".join(f"; {note}" for note in d.notes if not (geometry and note.startswith("position columns")))
    # unit: the user's column, else what the reader knows (GPX track name), else a detected
    # column, else the file name (one officer per file); GPX point names are not units
    if opts.unit_field and opts.unit_field in frame.columns:
        unit, how = frame[opts.unit_field], opts.unit_field
        unit_column = opts.unit_field
    elif raw.unit_column:
        unit = frame[raw.unit_column].where(frame[raw.unit_column].notna(), raw.default_unit)
        how, unit_column = f"{raw.unit_column} (track name)", raw.unit_column
    elif d.unit and not raw.gpx:
        unit, how, unit_column = frame[d.unit], d.unit, d.unit
    elif raw.default_unit is not None:
        unit, how = pd.Series([raw.default_unit] * n), f"the file name ({raw.default_unit})"
        unit_column = None
    else:
        raise SourceError(
            f"{raw.source}: no unit column found (columns: {', '.join(map(str, frame.columns))}); set UNIT_FIELD"
        )
    if not d.time:
        raise SourceError(
            f"{raw.source}: no time column found (columns: {', '.join(map(str, frame.columns))}); set TIME_FIELD"
        )
    times = frame[d.time]
    if d.date:
        times = frame[d.date].astype(str).str.strip() + " " + frame[d.time].astype(str).str.strip()
    # position
    crs = opts.source_crs
    if raw.x is not None and not (opts.x_field and opts.y_field):
        x, y = raw.x, raw.y
        crs = crs or raw.crs or "EPSG:4326"
        where = "the geometry"
    elif d.coords == "wkt":
        import shapely

        geoms = shapely.from_wkt(frame[d.wkt].astype(str).to_numpy(), on_invalid="ignore")
        x, y = shapely.get_x(geoms), shapely.get_y(geoms)
        crs = crs or ("EPSG:4326" if np.nanmax(np.abs(np.r_[x, 0.0])) <= 180 else "EPSG:27700")
        where = f"WKT in {d.wkt}"
    elif d.x and d.y:
        x, y = _numbers(frame, d.x, n), _numbers(frame, d.y, n)
        # the reader's CRS when it knows it (NMEA: WGS 84), else by the values' range
        crs = crs or raw.crs or ("EPSG:4326" if d.coords == "lonlat" else "EPSG:27700")
        where = f"{d.x}/{d.y}"
        if not (opts.source_crs or raw.crs) and d.coords != "lonlat":
            where += " (assumed British National Grid: set SOURCE_CRS if not)"
    else:
        raise SourceError(
            f"{raw.source}: no coordinates found (columns: {', '.join(map(str, frame.columns))}); "
            "set X_FIELD and Y_FIELD"
        )
    part = _Part(
        raw.source,
        _text(unit),
        _text(times),
        np.asarray(x, float),
        np.asarray(y, float),
        crs,
        _numbers(frame, d.speed, n),
        _numbers(frame, d.heading, n),
        _numbers(frame, d.accuracy, n),
        raw.source_row,
    )
    part.columns = {
        role: name
        for role, name in (
            ("unit", unit_column),
            ("time", d.time),
            ("date", d.date),
            ("x", None if where == "the geometry" else (d.wkt if d.coords == "wkt" else d.x)),
            ("y", None if where == "the geometry" or d.coords == "wkt" else d.y),
            ("speed", d.speed),
            ("heading", d.heading),
            ("accuracy", d.accuracy),
        )
        if name
    }
    describe = (
        f"{raw.source}: unit from {how}; time from {d.date + ' + ' if d.date else ''}{d.time}; "
        f"position from {where} ({crs}){notes}"
    )
    for label in ("speed", "heading", "accuracy"):
        if getattr(d, label):
            describe += f"; {label} from {getattr(d, label)}"
    return part, describe


def run(raws: list[Raw], opts: Options, transformer_for, feedback=None) -> Imported:
    """All sources -> one clean table. ``transformer_for(crs)`` gives an (x, y) -> (x, y) function
    to the output CRS (None when equal)."""
    notes, dropped, examples = [], {}, {}
    parts = []
    for raw in raws:
        raw.rows = len(raw.frame)
        notes += raw.notes
        for reason, count in raw.dropped.items():
            dropped[reason] = dropped.get(reason, 0) + count
        for reason, row, text in raw.examples:
            examples.setdefault(reason, []).append((raw.source, row, text))
        if len(raw.frame) == 0:
            if not raw.dropped and not any(n.endswith(("empty file", "no point features")) for n in raw.notes):
                notes.append(f"{raw.source}: no rows")
            continue
        try:
            part, describe = prepare(raw, opts)
        except SourceError as e:
            notes.append(f"NOT IMPORTED: {e}")
            dropped["rows of a file that could not be used"] = dropped.get(
                "rows of a file that could not be used", 0
            ) + len(raw.frame)
            continue
        notes.append(describe)
        parts.append(part)
        raw.frame = raw.frame.iloc[0:0]  # the part holds what is needed: free the other columns' text
    # every row a reader saw: those it could use plus those it dropped itself (a truncated file
    # counts once as a note, its unreadable rest has no row count)
    rows_read = sum(r.rows for r in raws) + sum(v for r in raws for k, v in r.dropped.items() if k != TRUNCATED)
    if not parts:
        empty = np.zeros(0)
        return Imported(
            np.zeros(0, object),
            empty,
            empty,
            empty,
            empty,
            empty,
            empty,
            np.zeros(0, object),
            np.zeros(0, np.int64),
            rows_read,
            dropped,
            examples,
            notes,
        )

    # units and times as codes into their distinct texts: each text is trimmed and parsed once
    unit_raw, unit_text = _factorize([p.unit for p in parts])
    text_codes, labels = unit_codes(unit_text)
    codes = np.where(unit_raw >= 0, text_codes[np.maximum(unit_raw, 0)] if len(text_codes) else -1, -1)
    blank = codes < 0
    time_raw, time_text = _factorize([p.time for p in parts])
    parsed = parse_times(
        pd.Categorical.from_codes(time_raw, pd.Index(time_text, dtype=object)),
        opts.timezone,
        group=codes,
        date_order=opts.date_order,
    )
    if parsed.note:
        notes.append(parsed.note)
    # coordinates: per source CRS to the output CRS
    xs, ys, zero = [], [], []
    for p in parts:
        finite = np.isfinite(p.x) & np.isfinite(p.y)
        zero.append(finite & (p.x == 0) & (p.y == 0))
        ox, oy = transform_finite(transformer_for(p.crs) if finite.any() else None, p.x, p.y)
        xs.append(ox)
        ys.append(oy)
    x, y, zero = np.concatenate(xs), np.concatenate(ys), np.concatenate(zero)
    if "zero" not in opts.steps:  # (0,0) is then a position like any other
        zero[:] = False
    del xs, ys
    source_names, source_of_part = np.unique([p.source for p in parts], return_inverse=True)
    source = np.repeat(source_of_part.astype(np.int32), [len(p.x) for p in parts])  # codes into the names
    row = np.concatenate([p.row for p in parts])
    speed, heading, acc = (np.concatenate([getattr(p, k) for p in parts]) for k in ("speed", "heading", "accuracy"))
    parts.clear()  # the columns above are copies: let the per-source arrays go

    def example(i) -> str:
        # with a pseudonymisation key the report never shows the real unit id
        when = time_text[time_raw[i]] if time_raw[i] >= 0 else None
        who = unit_text[unit_raw[i]] if unit_raw[i] >= 0 else None
        text = str(when) if opts.pseudonymise_key else f"{who} | {when}"
        return text[:120]

    def note_drop(reason, mask):
        k = int(np.sum(mask))
        if k:
            dropped[reason] = dropped.get(reason, 0) + k
            idx = np.flatnonzero(mask)[:5]
            examples.setdefault(reason, []).extend((str(source_names[source[i]]), int(row[i]), example(i)) for i in idx)

    bad_xy = ~(np.isfinite(x) & np.isfinite(y)) & ~zero
    bad_time = np.isnan(parsed.seconds)
    note_drop(NO_UNIT, blank)
    note_drop(NO_POSITION, bad_xy & ~blank)
    rest = ~blank & ~bad_xy
    for code in np.unique(parsed.problem[rest & bad_time]):
        note_drop(PROBLEM_TEXT[int(code)], rest & bad_time & (parsed.problem == code))
    usable = ~blank & ~bad_xy & ~bad_time
    every = bool(usable.all())  # the usual case: no copies of the columns for the cleaning
    idx = None if every else np.flatnonzero(usable)
    del usable, bad_xy, bad_time, rest

    def sub(a):
        return a if every else a[idx]

    zero_s, x_s, y_s = sub(zero), sub(x), sub(y)
    inside = None
    if opts.output_bounds is not None and "outside" in opts.steps:
        w, s, e, nb = opts.output_bounds
        inside = (x_s >= w) & (x_s <= e) & (y_s >= s) & (y_s <= nb)
        inside |= zero_s  # (0,0) is reported as such, not as out of area
    if zero_s.any():
        x_s, y_s = np.where(zero_s, 0.0, x_s), np.where(zero_s, 0.0, y_s)
    result = cleaning.clean(
        sub(codes),
        sub(parsed.seconds),
        x_s,
        y_s,
        zero=zero_s if "zero" in opts.steps else None,
        inside=inside,
        accuracy=sub(acc),
        max_accuracy=opts.max_accuracy_m,
        now=_time.time() if "future" in opts.steps else None,
        max_speed_kmh=opts.max_speed_kmh,
        duplicates="duplicates" in opts.steps,
    )
    del zero_s, x_s, y_s, inside
    for reason, rows in result.dropped.items():
        note_drop(reason, _mask(len(x), rows if every else idx[rows]))
    keep = result.order if every else idx[result.order]
    labels = np.asarray(labels, dtype=object)
    if opts.pseudonymise_key:
        from ..core.pseudonym import pseudonymise

        labels = pseudonymise(labels, opts.pseudonymise_key)
        notes.append("unit ids replaced by keyed pseudonyms (HMAC-SHA256)")
    lost = np.ones(len(codes), dtype=bool)
    lost[keep] = False
    lost &= codes >= 0
    by_unit = np.bincount(codes[lost], minlength=len(labels))
    dropped_by_unit = {labels[i]: int(c) for i, c in enumerate(by_unit) if c}
    if result.out_of_order:
        notes.append(f"{result.out_of_order:,} rows were out of time order and have been sorted")
    # the kept rows in order, one column at a time so each full column can go once copied
    unit_out = pd.Categorical.from_codes(codes[keep], pd.Index(labels, dtype=object))
    source_out = pd.Categorical.from_codes(source[keep], pd.Index(source_names, dtype=object))
    del codes, lost
    out = []
    for column in (parsed.seconds, x, y, speed, heading, acc, row):
        out.append(column[keep])
    del parsed, x, y, speed, heading, acc
    source = row = None  # (names the examples closure holds)
    t_out, x_out, y_out, speed_out, heading_out, acc_out, row_out = out
    return Imported(
        unit_out,
        t_out,
        x_out,
        y_out,
        speed_out,
        heading_out,
        acc_out,
        source_out,
        row_out,
        rows_read,
        dropped,
        examples,
        notes,
        result.out_of_order,
        dropped_by_unit,
    )


def _mask(n, rows):
    m = np.zeros(n, dtype=bool)
    m[rows] = True
    return m


def summary(imp: Imported) -> pd.DataFrame:
    """Per unit: pings, first, last, median interval, longest gap (seconds), share dropped."""
    if len(imp) == 0:
        return pd.DataFrame(
            columns=["unit_id", "pings", "first", "last", "median_interval_s", "longest_gap_s", "share_dropped"]
        )
    unit = pd.Categorical(imp.unit)  # grouped by integer codes, named afterwards
    df = pd.DataFrame({"code": np.asarray(unit.codes), "t": imp.t})
    df["gap"] = df.groupby("code", sort=False)["t"].diff()
    agg = (
        df.groupby("code", sort=False)
        .agg(
            pings=("t", "size"),
            first=("t", "min"),
            last=("t", "max"),
            median_interval_s=("gap", "median"),
            longest_gap_s=("gap", "max"),
        )
        .reset_index()
    )
    agg.insert(0, "unit_id", np.asarray(unit.categories, dtype=object)[agg.pop("code").to_numpy()])
    agg = agg.sort_values("unit_id", kind="stable").reset_index(drop=True)
    lost = agg["unit_id"].map(imp.dropped_by_unit).fillna(0).to_numpy()
    agg["share_dropped"] = lost / (lost + agg["pings"].to_numpy())
    return agg


@dataclass
class Preview:
    """What the import will make of the first rows of one source, for the user to check."""

    source: str
    frame: pd.DataFrame  # the rows as read
    columns: dict  # role -> column used
    describe: str  # one line: where unit, time and position come from (or why it cannot be used)
    times: list  # each row's time as read, UTC ISO text ("" where it cannot be read)
    time_note: str = ""  # how numeric dates were read (day-first, ...)
    usable: int = 0  # rows with a unit, a time and a position
    error: str = ""


def preview(raw: Raw, opts: Options) -> Preview:
    """Detected columns and the times as they will be read, for the rows ``raw`` holds (read it
    with ``readers.read_file(path, limit=...)``); nothing is written."""
    frame = raw.frame
    if len(frame) == 0:
        return Preview(raw.source, frame, {}, f"{raw.source}: no rows", [], error="no rows")
    try:
        part, describe = prepare(raw, opts)
    except SourceError as e:
        return Preview(raw.source, frame, {}, str(e), [""] * len(frame), error=str(e))
    codes, labels = unit_codes(np.asarray(part.unit, dtype=object))
    parsed = parse_times(part.time, opts.timezone, group=codes, date_order=opts.date_order)
    from .gpkg_writer import iso_utc

    # "2026-11-24 14:05:00 UTC" (milliseconds only when there are some)
    times = [
        "" if t is None else f"{t[:10]} {t[11:19] if t.endswith('.000Z') else t[11:23]} UTC"
        for t in iso_utc(parsed.seconds)
    ]
    usable = int(np.sum((codes >= 0) & np.isfinite(parsed.seconds) & np.isfinite(part.x) & np.isfinite(part.y)))
    return Preview(raw.source, frame, part.columns, describe, times, parsed.note, usable)
