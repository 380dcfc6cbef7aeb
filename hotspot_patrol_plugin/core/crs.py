"""Choosing a metric CRS for distances when the zones are in a geographic CRS; transforming arrays."""

from __future__ import annotations

#: lon/lat box of Great Britain (with its islands) where British National Grid is the natural choice
GB_BOUNDS = (-8.75, 49.75, 1.85, 60.95)
BNG = "EPSG:27700"


def metric_crs_for(lon: float, lat: float) -> str:
    """British National Grid inside Great Britain, else the WGS 84 UTM zone of the point."""
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise ValueError(f"not a longitude/latitude: {lon}, {lat}")
    west, south, east, north = GB_BOUNDS
    if west <= lon <= east and south <= lat <= north:
        return BNG
    zone = min(int((lon + 180.0) // 6.0) + 1, 60)
    return f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"


def transform_finite(to, x, y):
    """(x, y) through the transform ``to`` where both are finite, NaN elsewhere; as given when
    ``to`` is None (same CRS)."""
    import numpy as np

    if to is None or len(x) == 0:
        return x, y
    ok = np.isfinite(x) & np.isfinite(y)
    ox, oy = np.full(len(x), np.nan), np.full(len(x), np.nan)
    if ok.any():
        ox[ok], oy[ok] = to(x[ok], y[ok])
    return ox, oy
