"""Which column of a force's export holds what: unit, time, coordinates, speed, heading, accuracy.

Detection looks at the names first (the words AVL, telematics and body-worn camera exports use)
and then checks the values (latitudes within +-90, British National Grid eastings 0-700 km ...).
Every choice can be overridden by the user; ``Detected.describe()`` says what was chosen and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

UNIT_NAMES = (
    "callsign",
    "call_sign",
    "unit",
    "unit_id",
    "unitid",
    "officer",
    "officer_id",
    "collar",
    "collar_number",
    "collar_no",
    "shoulder_number",
    "device",
    "device_id",
    "deviceid",
    "issi",
    "radio",
    "radio_id",
    "tei",
    "vehicle",
    "vehicle_id",
    "vehicle_reg",
    "registration",
    "resource",
    "resource_id",
    "imei",
    "serial",
    "name",
    "track_name",
    "id",
)
TIME_NAMES = (
    "timestamp",
    "datetime",
    "date_time",
    "time_stamp",
    "gps_time",
    "gpstime",
    "utc",
    "time_utc",
    "utc_time",
    "event_time",
    "recorded",
    "recorded_at",
    "fix_time",
    "position_time",
    "logtime",
    "log_time",
    "time",
    "date",
)
DATE_ONLY_NAMES = ("date", "gps_date", "fix_date", "day")
TIME_ONLY_NAMES = ("time", "gps_time", "fix_time", "clock")
LAT_NAMES = ("lat", "latitude", "lat_deg", "gps_lat", "y_lat")
LON_NAMES = ("lon", "long", "lng", "longitude", "lon_deg", "gps_lon", "gps_long", "x_lon")
EAST_NAMES = ("easting", "eastings", "east", "x", "x_coord", "xcoord", "os_x", "bng_x", "grid_x")
NORTH_NAMES = ("northing", "northings", "north", "y", "y_coord", "ycoord", "os_y", "bng_y", "grid_y")
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom", "shape", "location_wkt")
SPEED_NAMES = ("speed", "speed_kmh", "speed_kph", "speed_mph", "speed_ms", "velocity", "spd")
HEADING_NAMES = ("heading", "bearing", "course", "direction", "hdg", "cog")
ACCURACY_NAMES = (
    "accuracy",
    "accuracy_m",
    "horizontal_accuracy",
    "hacc",
    "h_acc",
    "precision",
    "error",
    "hdop",
    "pdop",
    "eph",
)


def normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


@dataclass
class Detected:
    unit: str | None = None
    time: str | None = None
    date: str | None = None  # a separate date column (time then holds only the clock time)
    x: str | None = None
    y: str | None = None
    wkt: str | None = None
    coords: str = "none"  # "lonlat", "bng" (or other projected), "wkt"
    speed: str | None = None
    heading: str | None = None
    accuracy: str | None = None
    notes: list = field(default_factory=list)

    def describe(self) -> str:
        parts = [f"unit: {self.unit or '(none)'}"]
        parts.append(f"time: {self.date} + {self.time}" if self.date else f"time: {self.time or '(none)'}")
        if self.coords == "wkt":
            parts.append(f"position: WKT in {self.wkt}")
        elif self.coords != "none":
            kind = "longitude/latitude" if self.coords == "lonlat" else "easting/northing"
            parts.append(f"position: {kind} in {self.x}/{self.y}")
        else:
            parts.append("position: (none found)")
        for label in ("speed", "heading", "accuracy"):
            if getattr(self, label):
                parts.append(f"{label}: {getattr(self, label)}")
        return "; ".join(parts)


def _numeric(series: pd.Series) -> np.ndarray:
    """Numbers of a column, NaN where a value is not one; decimal commas (53,8) are accepted."""
    out = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    if series.dtype == object or isinstance(series.dtype, pd.CategoricalDtype):
        text = series.astype(object)
        retry = np.isnan(out) & text.notna().to_numpy()
        if retry.any():
            fixed = text[retry].astype(str).str.strip().str.replace(",", ".", regex=False)
            out[retry] = pd.to_numeric(fixed, errors="coerce").to_numpy(dtype=float)
    return out


def coords_kind(vx: np.ndarray, vy: np.ndarray, named_lonlat: bool) -> tuple[str, str]:
    """("lonlat" or "bng", a note or "") for x/y values: decided by the range of the values that
    are numbers (blanks, n/a and text do not count), by the column names when none are."""
    ok = np.isfinite(vx) & np.isfinite(vy)
    if not ok.any():
        return ("lonlat" if named_lonlat else "bng"), ""
    within = (np.abs(vx[ok]) <= 180) & (np.abs(vy[ok]) <= 90)
    if _share(within) > 0.9:
        return "lonlat", ""
    if named_lonlat:
        return "bng", (
            "the longitude/latitude columns hold values beyond ±180/±90: read as projected coordinates (set SOURCE_CRS)"
        )
    return "bng", ""


def _pick(columns: dict[str, str], names, exclude=()) -> str | None:
    for wanted in names:
        for norm, original in columns.items():
            if norm == wanted and original not in exclude:
                return original
    return None


def _share(mask: np.ndarray) -> float:
    return float(mask.mean()) if len(mask) else 0.0


def detect(frame: pd.DataFrame, sample: int = 2000, **override) -> Detected:
    """Choose the columns of ``frame`` (text or numbers); ``override`` fixes any of them by name."""
    head = frame.head(sample)
    columns = {normalise(c): c for c in frame.columns}
    d = Detected()
    for key, value in override.items():
        if value:
            if value not in frame.columns:
                raise KeyError(f"the column '{value}' does not exist (columns: {', '.join(map(str, frame.columns))})")
            setattr(d, key, value)

    # position first: it claims x/y-ish names before "unit" or "time" could
    if not (d.x and d.y) and not d.wkt:
        lat, lon = _pick(columns, LAT_NAMES), _pick(columns, LON_NAMES)
        east, north = _pick(columns, EAST_NAMES), _pick(columns, NORTH_NAMES)
        wkt = _pick(columns, WKT_NAMES)
        if lat and lon:
            d.x, d.y = lon, lat
        elif east and north:
            d.x, d.y = east, north
        elif wkt:
            d.wkt = wkt
        else:  # by content: two numeric columns that look like lon/lat or eastings/northings
            d.x, d.y = _position_by_values(head, [c for c in frame.columns if c not in override.values()])
            if d.x:
                d.notes.append(f"position columns chosen by their values: {d.x}, {d.y}")
    if d.wkt:
        d.coords = "wkt"
    elif d.x and d.y:
        named = normalise(d.x) in LON_NAMES and normalise(d.y) in LAT_NAMES
        d.coords, note = coords_kind(_numeric(head[d.x]), _numeric(head[d.y]), named)
        if note:
            d.notes.append(note)
    used = {d.x, d.y, d.wkt}

    if not d.time and not any(n in columns for n in TIME_NAMES + DATE_ONLY_NAMES):
        d.time = _time_by_values(head, exclude=used)
        if d.time:
            d.notes.append(f"time column chosen by its values: {d.time}")
    if not d.time:
        date_col = _pick(columns, DATE_ONLY_NAMES, exclude=used)
        time_col = _pick(columns, TIME_ONLY_NAMES, exclude=used | {date_col})
        if date_col and time_col and _looks_clock_only(head[time_col]) and not _has_clock(head[date_col]):
            d.date, d.time = date_col, time_col
        else:
            d.time = _pick(columns, TIME_NAMES, exclude=used)
    used |= {d.time, d.date}
    if not d.unit:
        d.unit = _pick(columns, UNIT_NAMES, exclude=used)
    if not d.unit and not any(n in columns for n in UNIT_NAMES):
        d.unit = next((c for c in frame.columns if c not in used and _is_label(head[c])), None)
        if d.unit:
            d.notes.append(f"unit column chosen by its values: {d.unit}")
    used.add(d.unit)
    for key, names in (("speed", SPEED_NAMES), ("heading", HEADING_NAMES), ("accuracy", ACCURACY_NAMES)):
        if not getattr(d, key):
            setattr(d, key, _pick(columns, names, exclude=used))
            used.add(getattr(d, key))
    return d


def _position_by_values(head: pd.DataFrame, candidates) -> tuple[str | None, str | None]:
    """Two numeric columns side by side that look like lat/lon (either order) or easting/northing."""
    nums = [c for c in candidates if _share(np.isfinite(_numeric(head[c]))) > 0.9]
    for a, b in zip(nums, nums[1:]):
        va, vb = _numeric(head[a]), _numeric(head[b])
        ma, mb = np.nanmax(np.abs(va)), np.nanmax(np.abs(vb))
        small = np.nanstd(va) < 1 and np.nanstd(vb) < 1  # one force's area: a degree or so
        if ma <= 180 and mb <= 180 and min(ma, mb) <= 90 and small and ma + mb > 0:
            if ma > 90:  # only a longitude goes beyond 90
                return a, b
            if mb > 90:
                return b, a
            # both could be either: latitude is the larger in most of the world's populated places
            # (UK: ~53 against ~-1.5); the report names the choice so a user can override it
            return (b, a) if np.nanmean(np.abs(va)) >= np.nanmean(np.abs(vb)) else (a, b)
        if np.nanmin(va) > 1000 and ma <= 700_000 and np.nanmin(vb) > 1000 and mb <= 1_300_000:
            return a, b
    return None, None


_DATE_LIKE = re.compile(
    r"^\s*(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{4}/\d{1,2}/\d{1,2}|\d{10}(\d{3})?)"
)


def _time_by_values(head: pd.DataFrame, exclude) -> str | None:
    for c in head.columns:
        if c in exclude:
            continue
        text = head[c].dropna().astype(str)
        if len(text) and text.str.match(_DATE_LIKE).mean() > 0.8:
            return c
    return None


def _is_label(series: pd.Series) -> bool:
    text = series.dropna().astype(str).str.strip()
    text = text[text != ""]
    return len(text) > 0 and not np.isfinite(_numeric(text)).all() and text.str.len().max() <= 40


_CLOCK = re.compile(r"^\s*\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*$")


def _looks_clock_only(series: pd.Series) -> bool:
    text = series.dropna().astype(str)
    return len(text) > 0 and text.str.match(_CLOCK).mean() > 0.9


def _has_clock(series: pd.Series) -> bool:
    text = series.dropna().astype(str)
    return len(text) > 0 and text.str.contains(r"\d:\d\d").mean() > 0.5


# ------------------------------------------------------------------ unit ids
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
