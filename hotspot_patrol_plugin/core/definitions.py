"""Shared definitions: defaults (time zone, target band, radii, date orders), every output's schema
(declared once as name + kind), how a period is named on layers, in logs and in packs; help text.

Statuses and bands live in ``core/status.py`` (the one status function); field names in
``core/fields.py``.
"""

from __future__ import annotations

import re

from . import fields as F
from . import fields as H  # the hot spot outputs' names

# ------------------------------------------------------------------ defaults
#: times without an offset are local to this zone unless the user says otherwise
DEFAULT_TIMEZONE = "Europe/London"
#: the target band of a visit's dwell, minutes (the Koper curve's 10–15 minutes)
TARGET_MIN_MIN = 10.0
TARGET_MAX_MIN = 15.0
#: a waypoint's disc, metres
WAYPOINT_RADIUS_M = 25.0
#: the order of numeric dates (01/02/2026): "auto" decides from the data
DATE_ORDERS = ("auto", "day-first", "month-first", "year-first")

# ------------------------------------------------------------------ output schemas
#: the kinds a column may be: "int" (64-bit), "int32", "real", "string", "bool", "utc" (UTC epoch
#: seconds, written as a date-time); ``qgis_io/outputs.py`` derives the QgsFields and the GeoPackage
#: columns from these
KINDS = ("int", "int32", "real", "string", "bool", "utc")


def visits_schema(id_name: str, zone_name: bool = False) -> tuple[tuple[str, str], ...]:
    """One visit per row: the visits and waypoint visits layers (``id_name``: zone_id/waypoint_id;
    ``zone_name``: the zone's name beside its id)."""
    head = ((F.VISIT_ID, "int"), (id_name, "string")) + ((("zone_name", "string"),) if zone_name else ())
    return head + (
        (F.UNIT_ID, "string"),
        (F.ENTRY_TIME, "utc"),
        (F.EXIT_TIME, "utc"),
        (F.DWELL_MIN, "real"),
        (F.PINGS, "int"),
        (F.BAND, "string"),
        (F.PASS_THROUGH, "bool"),
    )


#: the coverage fields that follow the zone's own
COVERAGE_SCHEMA = (
    (F.VISITS, "int32"),
    (F.VISITS_SHORT, "int32"),
    (F.VISITS_TARGET, "int32"),
    (F.VISITS_LONG, "int32"),
    (F.DWELL_TOTAL_MIN, "real"),
    (F.DWELL_MEDIAN_MIN, "real"),
    (F.PRESENCE_MIN, "real"),
    (F.UNITS, "int32"),
    (F.FIRST_ENTRY, "utc"),
    (F.LAST_EXIT, "utc"),
    (F.STATUS, "string"),
)
#: coverage fields beside the zone's plan: the band its status used (minutes), the days of the period
#: it is patrolled, and its counted visits per day over them
COVERAGE_PLAN_SCHEMA = (("band_min", "real"), ("band_max", "real"), ("days", "int32"), ("per_day", "real"))
#: the dwell histogram (a table)
HISTOGRAM_SCHEMA = (
    ("zone_id", "string"),
    ("minute_from", "int32"),
    ("minute_to", "int32"),
    ("dwell", "string"),
    ("visits", "int32"),
    ("share_pct", "real"),
    ("band", "string"),
)
#: the import's summary table: one row per unit
IMPORT_SUMMARY_SCHEMA = (
    ("unit_id", "string"),
    ("pings", "int"),
    ("first", "utc"),
    ("last", "utc"),
    ("median_interval_s", "real"),
    ("longest_gap_s", "real"),
    ("share_dropped", "real"),
)
#: hot spot analysis: the grid of cells, the zones, the concentration table
GRID_SCHEMA = (
    (H.CELL_ID, "int"),
    (H.CRIMES, "int32"),
    (H.HARM, "real"),
    (H.GI_Z, "real"),
    (H.GI_P, "real"),
    (H.GI_P_FDR, "real"),
    (H.CLASS, "string"),
)
HOTSPOTS_SCHEMA = (
    (H.ZONE_ID, "string"),
    (H.NAME, "string"),
    (F.PRIORITY, "int32"),
    (H.CRIMES, "int32"),
    (H.HARM, "real"),
    (H.AREA_M2, "real"),
    (H.CELLS, "int32"),
    (H.PEAK_GI_Z, "real"),
)
CONCENTRATION_SCHEMA = (
    (H.HARM_PER_CELL, "real"),
    (H.CELLS, "int"),
    (H.CUM_CELLS, "int"),
    (H.AREA_PCT, "real"),
    (H.AREA_KM2, "real"),
    (H.HARM_PCT, "real"),
)
#: imported tracks (points)
TRACKS_SCHEMA = (
    ("unit_id", "string"),
    ("time", "utc"),
    ("speed", "real"),
    ("heading", "real"),
    ("accuracy", "real"),
    ("source_file", "string"),
    ("source_row", "int"),
)


def period_label(
    start: float | None, end: float | None, timezone: str = DEFAULT_TIMEZONE, end_exclusive: bool = False
) -> str:
    """A period (UTC epoch seconds) as people say it, in local dates.

    A whole calendar month is "July 2018"; one day "20 Nov 2026"; else "20–22 Nov 2026",
    "28 Nov – 3 Dec 2026" or "30 Dec 2025 – 2 Jan 2026". ``end_exclusive``: the end is the first
    moment after the period (a period end of midnight means the day before). Empty when unknown.
    """
    import pandas as pd

    if start is None or end is None or end < start:
        return ""
    a = pd.Timestamp(start, unit="s", tz="UTC").tz_convert(timezone)
    b = pd.Timestamp(end - (1e-3 if end_exclusive and end > start else 0), unit="s", tz="UTC").tz_convert(timezone)
    da, db = a.normalize(), b.normalize()
    if da.day == 1 and (db + pd.Timedelta(days=1)).day == 1 and (da.year, da.month) == (db.year, db.month):
        return f"{da:%B %Y}"
    if da == db:
        return f"{da.day} {da:%b %Y}"
    if (da.year, da.month) == (db.year, db.month):
        return f"{da.day}–{db.day} {db:%b %Y}"
    if da.year == db.year:
        return f"{da.day} {da:%b} – {db.day} {db:%b %Y}"
    return f"{da.day} {da:%b %Y} – {db.day} {db:%b %Y}"


def dates_label(first: float, last: float, timezone: str = DEFAULT_TIMEZONE) -> str:
    """The dates of some records (UTC epoch seconds of the first and last) as people say them.

    Monthly data (police.uk's ``Month``: every date the 1st at midnight) is named by its months,
    "July 2018" or "May – July 2018"; other data by its days, as ``period_label``."""
    import pandas as pd

    a = pd.Timestamp(first, unit="s", tz="UTC").tz_convert(timezone)
    b = pd.Timestamp(last, unit="s", tz="UTC").tz_convert(timezone)
    if all(t.day == 1 and t == t.normalize() for t in (a, b)):
        if (a.year, a.month) == (b.year, b.month):
            return f"{a:%B %Y}"
        return f"{a:%B} – {b:%B %Y}" if a.year == b.year else f"{a:%B %Y} – {b:%B %Y}"
    return period_label(first, last, timezone)


def flowing(html: str) -> str:
    """Help text as flowing paragraphs: a line break inside a paragraph becomes a space (QGIS shows
    source line breaks as they are, so hard-wrapped source text appears broken mid-sentence)."""
    return re.sub(r"[ \t]*\n[ \t]*", " ", html.strip())
