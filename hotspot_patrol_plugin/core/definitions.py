"""Small shared definitions: how a period is named on layers, in logs and in packs; help text."""
from __future__ import annotations

import re

import pandas as pd


def period_label(start: float | None, end: float | None, timezone: str = "Europe/London",
                 end_exclusive: bool = False) -> str:
    """A period (UTC epoch seconds) as people say it, in local dates.

    A whole calendar month is "July 2018"; one day "20 Nov 2026"; else "20–22 Nov 2026",
    "28 Nov – 3 Dec 2026" or "30 Dec 2025 – 2 Jan 2026". ``end_exclusive``: the end is the first
    moment after the period (a period end of midnight means the day before). Empty when unknown.
    """
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


def dates_label(first: float, last: float, timezone: str = "Europe/London") -> str:
    """The dates of some records (UTC epoch seconds of the first and last) as people say them.

    Monthly data (police.uk's ``Month``: every date the 1st at midnight) is named by its months,
    "July 2018" or "May – July 2018"; other data by its days, as ``period_label``."""
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
