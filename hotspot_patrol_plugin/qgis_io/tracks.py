"""Officer pings from a QGIS layer as arrays (unit codes, UTC seconds, x, y in the working CRS), and
times as this QGIS's writer will store them (``output_seconds``, ``qdatetime_utc``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from qgis.core import Qgis
from qgis.PyQt.QtCore import QDateTime, QTimeZone

from ..core.columns import unit_codes
from ..core.crs import transform_finite
from .layers import read_points

#: QGIS 3.22's GeoPackage writer cuts the fraction of a second (measured); 3.44 keeps milliseconds.
#: Below 3.40 (not measured in between) times are rounded to the nearest second instead of cut.
ROUND_TO_SECOND = Qgis.QGIS_VERSION_INT < 34000


@dataclass
class TrackArrays:
    unit_labels: np.ndarray
    unit: np.ndarray
    t: np.ndarray
    x: np.ndarray
    y: np.ndarray
    rows_read: int
    skipped: dict
    method: str


def read_tracks(source, layer, definition, unit_field, time_field, timezone, to_work, feedback) -> TrackArrays:

    from ..core.times import parse_times

    table = read_points(source, layer, [unit_field, time_field], feedback, definition)
    n = len(table)
    skipped: dict[str, int] = {}
    codes, labels = unit_codes(table.columns[unit_field])
    no_unit = codes < 0
    parsed = parse_times(table.columns[time_field], timezone, group=codes)
    x, y = transform_finite(to_work, table.x, table.y)
    bad_xy = ~(np.isfinite(x) & np.isfinite(y))
    bad_time = np.isnan(parsed.seconds)
    keep = ~(no_unit | bad_xy | bad_time)

    def count(reason, mask):
        k = int(mask.sum())
        if k:
            skipped[reason] = k
            first = table.fid[mask][:5].tolist()
            feedback.pushWarning(f"Skipped {k} ping(s) with {reason} (first feature ids: {first}).")

    count("no unit id", no_unit)
    count("missing or invalid coordinates", bad_xy & ~no_unit)
    rest = ~no_unit & ~bad_xy
    for code in np.unique(parsed.problem[rest & bad_time]):
        from ..core.times import PROBLEM_TEXT

        count(PROBLEM_TEXT[int(code)], rest & bad_time & (parsed.problem == code))
    return TrackArrays(
        unit_labels=np.asarray(labels, dtype=object),
        unit=codes[keep],
        t=parsed.seconds[keep],
        x=x[keep],
        y=y[keep],
        rows_read=n,
        skipped=skipped,
        method=table.method,
    )


def output_seconds(seconds):
    """Times as they will be written: to the second where this QGIS's writer would cut the
    fraction (3.22's GeoPackage writer cuts it), else to the millisecond."""
    seconds = np.asarray(seconds, dtype=float)
    return np.round(seconds) if ROUND_TO_SECOND else np.round(seconds * 1000.0) / 1000.0


def qdatetime_utc(seconds: float) -> QDateTime | None:
    if seconds is None or not np.isfinite(seconds):
        return None
    return QDateTime.fromMSecsSinceEpoch(int(round(float(output_seconds(seconds)) * 1000.0)), QTimeZone.utc())
