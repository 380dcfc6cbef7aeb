"""The one rule for bands and statuses, used by matching, styles, the briefing pack and the panels.

A visit's **band** compares its dwell with the target band: short (< min), target (min..max, both
ends included), long (> max). A zone's **status** compares its median counted visit the same way:
below / on / above target, or not visited. Times are seconds. A value within ``TOLERANCE_S`` of a
band edge counts as on the edge, so a median read back from an output rounded to 0.0001 min
(what the coverage layer stores) gets the status it was given.

Each zone may carry its own band (``target_min``/``target_max`` in minutes on the zone); where it
has none, the run's band applies (``zone_band``).
"""

from __future__ import annotations

import numpy as np

BAND_SHORT, BAND_TARGET, BAND_LONG = "short", "target", "long"
BANDS = np.array([BAND_SHORT, BAND_TARGET, BAND_LONG], dtype=object)

STATUS_NOT_VISITED = "not visited"
STATUS_BELOW = "below target"
STATUS_ON = "on target"
STATUS_ABOVE = "above target"
STATUS_ORDER = (STATUS_NOT_VISITED, STATUS_BELOW, STATUS_ON, STATUS_ABOVE)
#: what the panels and tables show for each status
STATUS_SHORT = {STATUS_NOT_VISITED: "not visited", STATUS_BELOW: "below", STATUS_ON: "on target", STATUS_ABOVE: "above"}

#: seconds: a dwell or median this close to a band edge counts as on it
TOLERANCE_S = 0.01


def _code(seconds, target_min, target_max) -> np.ndarray:
    s = np.asarray(seconds, dtype=float)
    lo = np.asarray(target_min, dtype=float) - TOLERANCE_S
    hi = np.asarray(target_max, dtype=float) + TOLERANCE_S
    return np.where(s < lo, 0, np.where(s <= hi, 1, 2))


def band(dwell_s, target_min_s, target_max_s) -> np.ndarray:
    """short / target / long for each dwell (seconds); the band may be one value or one per dwell."""
    return BANDS[_code(dwell_s, target_min_s, target_max_s)]


def status(median_s, target_min_s, target_max_s) -> np.ndarray:
    """below / on / above target for each median (seconds); NaN (no counted visit) is not visited."""
    median = np.asarray(median_s, dtype=float)
    names = np.array([STATUS_BELOW, STATUS_ON, STATUS_ABOVE], dtype=object)
    out = names[_code(np.nan_to_num(median), target_min_s, target_max_s)]
    out = np.asarray(out, dtype=object)
    out[np.isnan(median)] = STATUS_NOT_VISITED
    return out


def status_of(median_min: float | None, target_min: float, target_max: float) -> str:
    """One zone's status from its median visit in minutes (None: not visited), band in minutes."""
    if median_min is None:
        return STATUS_NOT_VISITED
    return str(status([float(median_min) * 60.0], target_min * 60.0, target_max * 60.0)[0])


def zone_band(target_min, target_max, default_min_s: float, default_max_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-zone band in seconds from the zones' own target_min/target_max (minutes; None, NaN or
    <= 0 = not set): a zone with a usable band of its own keeps it, every other zone gets the
    default. A zone whose own minimum exceeds its maximum is not usable and gets the default."""
    lo = np.array([np.nan if v is None else v for v in target_min], dtype=float) * 60.0
    hi = np.array([np.nan if v is None else v for v in target_max], dtype=float) * 60.0
    lo = np.where(np.isfinite(lo) & (lo >= 0), lo, default_min_s)
    hi = np.where(np.isfinite(hi) & (hi > 0), hi, default_max_s)
    bad = lo > hi
    lo[bad], hi[bad] = default_min_s, default_max_s
    return lo, hi
