"""Tracks and segments: pings grouped by unit in time order, and the straight pieces between them;
the matching parameters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..definitions import TARGET_MAX_MIN, TARGET_MIN_MIN

BAND_SHORT, BAND_TARGET, BAND_LONG = "short", "target", "long"
BANDS = np.array([BAND_SHORT, BAND_TARGET, BAND_LONG], dtype=object)


@dataclass
class MatchParams:
    max_gap: float = 300.0
    merge_gap: float = 60.0
    min_dwell: float = 60.0
    target_min: float = TARGET_MIN_MIN * 60.0
    target_max: float = TARGET_MAX_MIN * 60.0
    period_start: float | None = None
    period_end: float | None = None

    def check(self) -> None:
        for name in ("max_gap", "merge_gap", "min_dwell", "target_min", "target_max"):
            value = getattr(self, name)
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a number of seconds >= 0, not {value!r}")
        if self.target_min > self.target_max:
            raise ValueError(
                f"the target band is empty: its minimum ({self.target_min / 60:g} min) is above "
                f"its maximum ({self.target_max / 60:g} min)"
            )
        if self.period_start is not None and self.period_end is not None and self.period_end <= self.period_start:
            raise ValueError("the analysis period ends before it starts")


@dataclass
class Tracks:
    """Pings sorted by (unit, time), duplicates removed. ``unit`` are integer codes."""

    unit: np.ndarray
    t: np.ndarray
    x: np.ndarray
    y: np.ndarray
    duplicates: int = 0

    @classmethod
    def build(cls, unit, t, x, y) -> Tracks:
        # integer codes and times are ordered as they come and converted after (same values, one
        # pass over the data less)
        unit = np.asarray(unit)
        if unit.dtype.kind != "i" and not (unit.dtype.kind == "u" and unit.dtype.itemsize < 8):
            unit = unit.astype(np.int64)
        t = np.asarray(t)
        if t.dtype.kind not in "iuf":
            t = t.astype(np.float64)
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        order, unit, t = _unit_time_order(unit, t)
        x, y = x[order], y[order]
        dup = np.zeros(len(t), dtype=bool)
        if len(t) > 1:
            dup[1:] = (unit[1:] == unit[:-1]) & (t[1:] == t[:-1])
        n_dup = int(dup.sum())
        if n_dup == 0:
            return cls(unit, t, x, y, 0)
        keep = ~dup
        return cls(unit[keep], t[keep], x[keep], y[keep], n_dup)

    def __len__(self) -> int:
        return len(self.t)


@dataclass
class Segments:
    """Track pieces: from ping ``a`` to ping ``b`` (b == a for a ping with no usable neighbour)."""

    a: np.ndarray
    b: np.ndarray

    @classmethod
    def from_tracks(cls, tracks: Tracks, max_gap: float) -> Segments:
        n = len(tracks)
        if n == 0:
            return cls(np.zeros(0, np.int64), np.zeros(0, np.int64))
        has_right = np.zeros(n, dtype=bool)
        link = has_right[:-1]
        np.equal(tracks.unit[1:], tracks.unit[:-1], out=link)
        link &= np.diff(tracks.t) <= max_gap
        # a segment starts at every ping linked to the next, and at every lonely ping (linked to
        # neither neighbour): at each ping but those linked only to the previous one
        starts_here = np.ones(n, dtype=bool)
        starts_here[1:] = ~link
        starts_here |= has_right
        a = np.flatnonzero(starts_here)
        return cls(a, a + has_right[a])

    def __len__(self) -> int:
        return len(self.a)


def _unit_time_order(unit: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row order by unit, then time, with unit and t in that order. Exports are usually in time
    order with units interleaved: a stable radix sort on the unit code then already leaves each
    unit's pings in time order."""
    if len(t) and 0 <= unit.min() and unit.max() < 65536:
        codes = unit.astype(np.uint16)
        order = np.argsort(codes, kind="stable")  # radix sort: linear time
        tt = t[order].astype(np.float64, copy=False)
        counts = np.bincount(codes)
        uu = np.repeat(np.arange(len(counts), dtype=np.int64), counts)  # == unit[order]
        if len(t) < 2 or not np.any((tt[1:] < tt[:-1]) & (uu[1:] == uu[:-1])):
            return order, uu, tt
    unit = unit.astype(np.int64, copy=False)
    t = t.astype(np.float64, copy=False)
    order = np.argsort(_time_key(unit, t), kind="stable")
    return order, unit[order], t[order]


def _time_key(unit: np.ndarray, t: np.ndarray) -> np.ndarray:
    """One float key ordering pings by unit, then time (exact to ~1e-6 s for a month of 2,000 units)."""
    if len(t) == 0:
        return np.zeros(0)
    base = float(t.min())
    span = float(t.max() - base) + 10.0
    return unit * span + (t - base)
