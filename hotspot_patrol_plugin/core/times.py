"""Timestamp parsing: every form forces export, to UTC seconds since the epoch.

Accepted per value: ISO 8601 text with or without an offset (``2026-03-29T01:30:00``, ``...Z``,
``...+01:00``, a space instead of ``T``, fractional seconds), epoch seconds or milliseconds
(numbers, or digits as text: above 1e11 is read as milliseconds), and numpy datetime64 values.
Values without an offset are wall-clock times in ``timezone``; in the autumn fall-back hour the
repeated times are resolved by each unit's ping order (pandas' ``ambiguous='infer'``), and a
spring-forward time that does not exist is reported like any other bad value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .definitions import DATE_ORDERS, DEFAULT_TIMEZONE

OK = 0
MISSING = 1
UNPARSEABLE = 2
NONEXISTENT = 3
AMBIGUOUS = 4

PROBLEM_TEXT = {
    MISSING: "missing time",
    UNPARSEABLE: "unparseable time",
    NONEXISTENT: "local time that does not exist (spring daylight-saving gap)",
    AMBIGUOUS: "repeated autumn daylight-saving hour that the unit's ping order cannot resolve",
}

#: Epoch numbers above this are milliseconds (1e11 s is the year 5138, 1e11 ms is 1973).
EPOCH_MS_THRESHOLD = 1e11
#: The unit of an epoch number, decided by its magnitude: each step of 1000 is the next unit
#: (1e11 s, 1e14 ms, 1e17 µs are all the year 5138; the smaller unit is 1973 there).
EPOCH_UNITS = (
    (1e11, 1.0, "seconds"),
    (1e14, 1e3, "milliseconds"),
    (1e17, 1e6, "microseconds"),
    (np.inf, 1e9, "nanoseconds"),
)
#: Times outside years 1-9999 cannot be written or shown: such a value is unparseable.
LATEST_SECONDS = 253_402_300_799.0
EARLIEST_SECONDS = -62_135_596_800.0
#: Times before this (1990-01-01) are implausible for location data: a wrong column, most likely.
PLAUSIBLE_FROM = 631_152_000.0

#: an offset after a time of day; a date alone (``2026-07-01``) has no offset: its ``-01`` is the day
_OFFSET_RE = r"[Tt\s].*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"
_NUMBER_RE = r"^[+-]?\d+(?:\.\d*)?$"


_SLASH_RE = r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})(?:[T\s]+(.*))?$"


@dataclass
class ParsedTimes:
    """``seconds``: float64 UTC epoch seconds (NaN where a value failed); ``problem``: int8 codes.

    ``date_order`` is the order used for numeric dates like 24/11/2026 (None when there were
    none) and ``note`` says how it was decided, for the user's report.
    """

    seconds: np.ndarray
    problem: np.ndarray
    date_order: str | None = None
    note: str = ""

    def problem_counts(self) -> dict[str, int]:
        codes, counts = np.unique(self.problem[self.problem != OK], return_counts=True)
        return {PROBLEM_TEXT[int(c)]: int(n) for c, n in zip(codes, counts)}


def _epoch_seconds(numbers: np.ndarray, units: set | None = None) -> np.ndarray:
    """Epoch numbers to seconds, the unit of each decided by its magnitude (``EPOCH_UNITS``);
    the names of the units used are added to ``units``. NaN beyond the years 1-9999."""
    numbers = np.asarray(numbers).astype("float64", copy=False)
    out = np.full(len(numbers), np.nan)
    size = np.abs(numbers)
    low = -np.inf
    for high, scale, name in EPOCH_UNITS:
        pick = (size > low) & (size <= high) if np.isfinite(low) else size <= high
        if pick.any():
            out[pick] = numbers[pick] / scale
            if units is not None:
                units.add(name)
        low = high
    out[(out > LATEST_SECONDS) | (out < EARLIEST_SECONDS)] = np.nan
    return out


def _units_note(units: set) -> str:
    named = [name for _, _, name in EPOCH_UNITS if name in units]
    if not named or named == ["seconds"]:
        return ""
    return "epoch numbers read as " + " and ".join(named) + " (decided by their size)"


def plausibility_warning(seconds, now: float, what: str = "times") -> str:
    """A sentence when the times read look like a wrong column (before 1990, or more than a year
    ahead), else ""."""
    seconds = np.asarray(seconds, dtype=float)
    ok = seconds[np.isfinite(seconds)]
    if not len(ok):
        return ""
    early = int(np.sum(ok < PLAUSIBLE_FROM))
    late = int(np.sum(ok > now + 366 * 86400.0))
    if not (early or late) or (early + late) * 10 < len(ok):  # a few stray values are reported as rows
        return ""
    example = float(ok[ok < PLAUSIBLE_FROM][0] if early else ok[ok > now + 366 * 86400.0][0])
    stamp = pd.Timestamp(example, unit="s", tz="UTC").strftime("%Y-%m-%d %H:%M:%S")
    return (
        f"{early + late:,} of {len(ok):,} {what} fall {'before 1990' if early else 'more than a year ahead'} "
        f"(e.g. {stamp} UTC): check that the time field holds times, not numbers of another kind."
    )


def _to_seconds(index: pd.DatetimeIndex) -> np.ndarray:
    """UTC epoch seconds of an aware or UTC-naive DatetimeIndex, NaN for NaT."""
    if index.tz is not None:
        index = index.tz_convert("UTC").tz_localize(None)
    ns = index.to_numpy(dtype="datetime64[ns]")
    whole, frac = np.divmod(ns.astype("int64"), 1_000_000_000)  # exact: no rounding via 1e18 floats
    out = whole.astype("float64") + frac / 1e9
    out[np.isnat(ns)] = np.nan
    return out


def _parse_iso(text: pd.Series, utc: bool) -> pd.DatetimeIndex:
    text = text.str.upper()  # ISO 8601 / RFC 3339 allow a lower-case "t" and "z"; pandas does not
    try:
        parsed = pd.to_datetime(text, errors="coerce", utc=utc, format="ISO8601")
    except (TypeError, ValueError):  # pandas < 2 has no format="ISO8601"
        parsed = pd.to_datetime(text, errors="coerce", utc=utc)
    return pd.DatetimeIndex(parsed)


def localize(wall: pd.DatetimeIndex, timezone: str, group: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Wall-clock times in ``timezone`` to UTC seconds; returns (seconds, problem codes).

    ``group`` (one code per value, e.g. the unit) decides whose ping order resolves the repeated
    autumn hour; values are taken in their given order within each group.
    """
    if len(wall) == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int8)
    return _resolve(wall, *_both_readings(wall, timezone), timezone, group)


def _both_readings(wall: pd.DatetimeIndex, timezone: str) -> tuple[np.ndarray, np.ndarray]:
    """UTC seconds of each wall-clock time read as summer time and as winter time (equal except in
    the repeated autumn hour; NaN where the time does not exist)."""
    n = len(wall)
    as_dst = wall.tz_localize(timezone, ambiguous=np.ones(n, dtype=bool), nonexistent="NaT")
    as_std = wall.tz_localize(timezone, ambiguous=np.zeros(n, dtype=bool), nonexistent="NaT")
    return _to_seconds(as_dst), _to_seconds(as_std)


def _resolve(
    wall: pd.DatetimeIndex, seconds: np.ndarray, seconds_std: np.ndarray, timezone: str, group: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Seconds and problems from both readings: the repeated hour settled by each group's order."""
    n = len(wall)
    problem = np.zeros(n, dtype=np.int8)
    seconds = seconds.copy()
    missing = np.asarray(wall.isna())
    nonexistent = np.isnan(seconds) & ~missing
    problem[nonexistent] = NONEXISTENT
    ambiguous = ~np.isnan(seconds) & (seconds != seconds_std)
    if ambiguous.any():
        idx = np.flatnonzero(ambiguous)
        groups = np.zeros(len(idx), dtype=np.int64) if group is None else np.asarray(group)[idx]
        order = np.argsort(groups, kind="stable")
        idx, groups = idx[order], groups[order]
        starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
        ends = np.r_[starts[1:], len(idx)]
        for a, b in zip(starts, ends):  # one pass per unit with pings in the repeated hour
            rows = idx[a:b]
            try:
                inferred = wall[rows].tz_localize(timezone, ambiguous="infer", nonexistent="NaT")
                seconds[rows] = _to_seconds(inferred)
            except Exception:  # pandas raises several types when it cannot infer
                seconds[rows] = np.nan
                problem[rows] = AMBIGUOUS
    return seconds, problem


def decide_date_order(
    first: np.ndarray, second: np.ndarray, first_len: np.ndarray, requested: str = "auto", weights=None
):
    """(order, note) for numeric dates a/b/c. A year-first date starts with 4 digits. Otherwise
    day-first is proven by a first part above 12, month-first by a second part above 12; when the
    data prove neither, day-first (the UK convention) is used and the note says it was not proven."""
    if requested not in DATE_ORDERS:
        raise ValueError(f"date order must be one of {', '.join(DATE_ORDERS)}, not {requested!r}")
    if requested != "auto":
        return requested, f"dates read {requested}, as asked"
    if len(first) and np.all(first_len == 4):
        return "year-first", "dates are year-first (yyyy/mm/dd)"
    w = np.ones(len(first), dtype=np.int64) if weights is None else np.asarray(weights)
    return decide_date_order_counts(int(np.sum(w[first > 12])), int(np.sum(w[second > 12])))


def _numeric_dates_to_iso(text: pd.Series, requested: str, weights=None):
    """Rewrite a/b/c dates (with an optional time) as ISO text; returns (iso, order, note)."""
    parts = text.str.extract(_SLASH_RE)
    a = pd.to_numeric(parts[0], errors="coerce").to_numpy()
    b = pd.to_numeric(parts[1], errors="coerce").to_numpy()
    c = pd.to_numeric(parts[2], errors="coerce").to_numpy()
    order, note = decide_date_order(a, b, parts[0].str.len().to_numpy(), requested, weights)
    if order == "year-first":
        year, month, day = a, b, c
    elif order == "month-first":
        month, day, year = a, b, c
    else:
        day, month, year = a, b, c
    year = np.where(year < 100, year + 2000, year)
    ok = (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)
    stamp = pd.Series(
        pd.Series(year).astype("Int64").astype(str).str.zfill(4).to_numpy()
        + "-"
        + pd.Series(month).astype("Int64").astype(str).str.zfill(2).to_numpy()
        + "-"
        + pd.Series(day).astype("Int64").astype(str).str.zfill(2).to_numpy(),
        index=text.index,
    )
    clock = parts[3].fillna("").str.strip()
    iso = stamp.where(clock == "", stamp + "T" + clock)
    return iso.where(ok, "invalid"), order, note


def parse_times(values, timezone: str = DEFAULT_TIMEZONE, group=None, date_order: str = "auto") -> ParsedTimes:
    """Parse one column of timestamps (see the module docstring) to UTC epoch seconds.

    Numeric dates such as ``24/11/2026 14:05:09`` are read in ``date_order`` ("auto" decides from
    the data; see ``decide_date_order``). A pandas Categorical (what the CSV reader gives) is
    parsed once per distinct text; counts in the note are still rows."""
    codes = None
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        cat = pd.Categorical(values)
        codes = np.asarray(cat.codes, dtype=np.int64)
        arr = np.asarray(cat.categories, dtype=object)
        weights = np.bincount(codes[codes >= 0], minlength=len(arr))
    else:
        arr, weights = np.asarray(values), None
    n = len(arr) if codes is None else len(codes)
    if n == 0:
        return ParsedTimes(np.full(0, np.nan), np.zeros(0, dtype=np.int8))
    first = _parse_values(arr, date_order, weights)
    readings = None
    if codes is not None:  # distinct values -> rows; code -1 is a missing value
        if first.naive.any():  # each distinct wall-clock time put into the time zone once
            dst, std = np.full(len(arr) + 1, np.nan), np.full(len(arr) + 1, np.nan)
            dst[:-1][first.naive], std[:-1][first.naive] = _both_readings(
                pd.DatetimeIndex(first.wall[first.naive]), timezone
            )
            pick = np.where(codes >= 0, codes, len(arr))
            readings = dst[pick], std[pick]
        first = first.take(codes)
    seconds, problem, wall, naive = first.seconds, first.problem, first.wall, first.naive
    if naive.any():  # one pass for all wall-clock times: the autumn hour needs each unit's whole order
        sub_group = None if group is None else np.asarray(group)[naive]
        sub_wall = pd.DatetimeIndex(wall[naive])
        if readings is None:
            sec, prob = localize(sub_wall, timezone, sub_group)
        else:
            sec, prob = _resolve(sub_wall, readings[0][naive], readings[1][naive], timezone, sub_group)
        seconds[naive] = sec
        problem[naive] = np.where(prob == OK, problem[naive], prob)
    failed = (problem == OK) & np.isnan(seconds)
    problem[failed] = UNPARSEABLE
    return ParsedTimes(seconds, problem, first.order, first.note)


@dataclass
class _Values:
    """Values read, before wall-clock times are put into the timezone."""

    seconds: np.ndarray  # UTC seconds of values with an offset (or epoch numbers)
    problem: np.ndarray
    wall: np.ndarray  # datetime64[ns] wall-clock times of the naive values
    naive: np.ndarray
    order: str | None = None
    note: str = ""

    def take(self, codes: np.ndarray) -> _Values:
        pick = np.where(codes >= 0, codes, len(self.seconds))  # one past the end: missing
        seconds = np.append(self.seconds, np.nan)[pick]
        problem = np.append(self.problem, np.int8(MISSING))[pick]
        wall = np.append(self.wall, np.datetime64("NaT", "ns"))[pick]
        naive = np.append(self.naive, False)[pick]
        return _Values(seconds, problem, wall, naive, self.order, self.note)


def _parse_values(arr: np.ndarray, date_order: str, weights) -> _Values:
    n = len(arr)
    seconds = np.full(n, np.nan)
    problem = np.zeros(n, dtype=np.int8)
    wall = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")  # naive rows: wall-clock time
    naive = np.zeros(n, dtype=bool)
    if np.issubdtype(arr.dtype, np.datetime64):
        wall = arr.astype("datetime64[ns]")
        missing = np.isnat(wall)
        problem[missing] = MISSING
        return _Values(seconds, problem, wall, ~missing)
    if np.issubdtype(arr.dtype, np.number) or arr.dtype == bool:
        numbers = arr.astype("float64")
        bad = ~np.isfinite(numbers)
        units: set = set()
        seconds = _epoch_seconds(numbers, units)
        seconds[bad] = np.nan
        problem[bad] = MISSING
        return _Values(seconds, problem, wall, naive, None, _units_note(units))

    series = pd.Series(arr, dtype="object")
    is_missing = series.isna().to_numpy()
    text = series.where(~is_missing, "").astype(str)
    is_missing |= (text == "").to_numpy()
    todo = ~is_missing

    # fast path: the column's common form, found from a sample, parsed at C speed; rows it
    # cannot read (other forms, stray text) go through the general path below
    units: set = set()
    fast = _fast_parse(text, todo, date_order, weights, units)
    order, note = fast.order, fast.note
    if fast.seconds is not None:
        seconds[fast.ok] = fast.seconds
    if fast.wall is not None:
        wall[fast.ok] = fast.wall
        naive[fast.ok] = True
    rest = todo & ~fast.ok
    if rest.any():
        slow = _general_parse(
            text[rest].str.strip(),
            date_order if order is None else order,
            None if weights is None else weights[rest],
            units,
        )
        seconds[rest] = slow.seconds
        wall[rest] = slow.wall
        naive[rest] = slow.naive
        problem[np.flatnonzero(rest)[slow.missing]] = MISSING
        if order is None:
            order, note = slow.order, slow.note
    problem[is_missing] = MISSING
    note = "; ".join(n for n in (note, _units_note(units)) if n)
    return _Values(seconds, problem, wall, naive, order, note)


@dataclass
class _Fast:
    ok: np.ndarray
    seconds: np.ndarray | None = None  # aware rows (offset or epoch)
    wall: np.ndarray | None = None  # naive rows
    order: str | None = None
    note: str = ""


_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
_ISO_OFFSET_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$")
_EPOCH_RE = re.compile(r"^\d{9,19}(\.\d+)?$")
_DMY_RE = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?: (\d{1,2}:\d{2})(:\d{2})?(\.\d+)?)?$")


def _fast_parse(text: pd.Series, todo: np.ndarray, date_order: str, weights=None, units=None) -> _Fast:
    ok = np.zeros(len(text), dtype=bool)
    idx = np.flatnonzero(todo)
    if len(idx) == 0:
        return _Fast(ok)
    sample = text.iloc[idx[:: max(len(idx) // 2000, 1)][:2000]].tolist()
    sub = text.iloc[idx]
    if all(_EPOCH_RE.match(v) for v in sample):
        numbers = pd.to_numeric(sub, errors="coerce").to_numpy(dtype=float)
        good = np.isfinite(numbers)
        ok[idx[good]] = True
        return _Fast(ok, seconds=_epoch_seconds(numbers[good], units))
    if all(_ISO_OFFSET_RE.match(v) for v in sample) or all(_ISO_RE.match(v) for v in sample):
        aware = bool(_ISO_OFFSET_RE.match(sample[0]))
        try:
            parsed = pd.DatetimeIndex(pd.to_datetime(sub, errors="coerce", utc=aware, format="ISO8601"))
        except (TypeError, ValueError):  # pandas < 2, or mixed offsets: the general path copes
            return _Fast(ok)
        if not aware and parsed.tz is not None:
            return _Fast(ok)
        good = ~np.asarray(parsed.isna())
        ok[idx[good]] = True
        if aware:
            return _Fast(ok, seconds=_to_seconds(parsed[good]))
        return _Fast(ok, wall=parsed[good].to_numpy(dtype="datetime64[ns]"))
    shapes = [_DMY_RE.match(v) for v in sample]
    if all(shapes):
        m = shapes[0]
        sep = m.group(2)
        year = "%Y" if len(m.group(4)) == 4 else "%y"
        clock = "" if not m.group(5) else (" %H:%M" + (":%S" if m.group(6) else "") + (".%f" if m.group(7) else ""))
        formats = {"day-first": f"%d{sep}%m{sep}{year}{clock}", "month-first": f"%m{sep}%d{sep}{year}{clock}"}
        tries = {}
        wanted = [date_order] if date_order in formats else list(formats)
        if date_order == "year-first":
            return _Fast(ok)
        for name in wanted:
            tries[name] = pd.DatetimeIndex(pd.to_datetime(sub, errors="coerce", format=formats[name]))
        if len(tries) == 1:
            order = wanted[0]
            note = f"dates read {order}, as asked"
        else:
            # a day above 12 makes a row readable day-first only, and the other way round
            w = np.ones(len(idx), dtype=np.int64) if weights is None else weights[idx]
            day_ok = int(w[np.asarray(~tries["day-first"].isna() & tries["month-first"].isna())].sum())
            month_ok = int(w[np.asarray(tries["day-first"].isna() & ~tries["month-first"].isna())].sum())
            order, note = decide_date_order_counts(day_ok, month_ok)
        parsed = tries[order]
        good = ~np.asarray(parsed.isna())
        ok[idx[good]] = True
        return _Fast(ok, wall=parsed[good].to_numpy(dtype="datetime64[ns]"), order=order, note=note)
    return _Fast(ok)


def decide_date_order_counts(day: int, month: int) -> tuple[str, str]:
    """The order numeric dates are read in, from how many rows only one order can read."""
    if day and not month:
        return "day-first", f"dates are day-first: {day:,} have a first number above 12"
    if month and not day:
        return "month-first", f"dates are month-first: {month:,} have a second number above 12"
    if day and month:
        return "day-first", (
            f"dates are mixed: {day:,} look day-first and {month:,} month-first; read "
            "day-first, the others are reported as unparseable (set DATE_ORDER to choose)"
        )
    return "day-first", (
        "dates could not be proven day- or month-first (no day above 12); read "
        "day-first, the UK convention (set DATE_ORDER if they are month-first)"
    )


@dataclass
class _General:
    seconds: np.ndarray
    wall: np.ndarray
    naive: np.ndarray
    missing: np.ndarray
    order: str | None
    note: str


def _general_parse(text: pd.Series, date_order: str, weights=None, units=None) -> _General:
    """Row by row forms: epoch digits, numeric dates, ISO with or without an offset (any mix)."""
    n = len(text)
    seconds = np.full(n, np.nan)
    wall = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    missing = (text == "").to_numpy() | text.str.upper().isin(["NULL", "NONE", "NAN", "NAT"]).to_numpy()
    todo = ~missing
    is_number = todo & text.str.match(_NUMBER_RE).to_numpy()
    if is_number.any():
        # errors="coerce": a 20-digit number is one unparseable row, not the end of the run
        numbers = pd.to_numeric(text[is_number], errors="coerce").to_numpy(dtype=float)
        seconds[is_number] = _epoch_seconds(numbers, units)
    todo &= ~is_number
    order, note = None, ""
    numeric_date = todo & text.str.match(r"^\d{1,4}[/.]\d{1,2}[/.]\d{1,4}|^\d{1,2}-\d{1,2}-\d{2,4}").to_numpy()
    if numeric_date.any():
        iso, order, note = _numeric_dates_to_iso(
            text[numeric_date], date_order, None if weights is None else weights[numeric_date]
        )
        text = text.copy()
        text[numeric_date] = iso
    has_offset = todo & text.str.contains(_OFFSET_RE, regex=True).to_numpy()
    if has_offset.any():
        seconds[has_offset] = _to_seconds(_parse_iso(text[has_offset], utc=True))
    naive = todo & ~has_offset
    if naive.any():
        parsed = _parse_iso(text[naive], utc=False)
        if parsed.tz is not None:  # pragma: no cover - defensive, offsets were routed above
            parsed = parsed.tz_convert("UTC").tz_localize(None)
        wall[naive] = parsed.to_numpy(dtype="datetime64[ns]")
        naive &= ~np.isnat(wall)
    return _General(seconds, wall, naive, missing, order, note)


def parse_instant(value, timezone: str = DEFAULT_TIMEZONE) -> float | None:
    """One timestamp (e.g. a period bound) to UTC seconds, or None when empty; raises ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    parsed = parse_times(np.array([value], dtype=object), timezone)
    if parsed.problem[0] != OK:
        raise ValueError(f"{PROBLEM_TEXT[int(parsed.problem[0])]}: {value!r}")
    return float(parsed.seconds[0])
