"""core.columns: which columns hold the position, and whether they are longitude/latitude.

The coordinate system is decided from the names *and* the range of the values that are numbers:
blanks, "n/a" and decimal commas must not turn latitudes into British National Grid metres
(issue 13, defect 2). Expected kinds are from the values by hand: |lon| <= 180, |lat| <= 90.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hotspot_patrol_plugin.core.columns import coords_kind, detect

TIMES = ["2026-11-24T14:05:00Z", "2026-11-24T14:05:30Z", "2026-11-24T14:06:00Z", "2026-11-24T14:06:30Z"]


def frame(**cols):
    n = len(next(iter(cols.values())))
    return pd.DataFrame({"collar": ["0071"] * n, "time": TIMES[:n], **cols})


def test_lat_lon_with_a_quarter_blank_or_na_stay_lonlat():
    d = detect(frame(lat=["53.8000", "n/a", "", "53.8002"], lon=["-1.5500", "-1.5500", "", "-1.5500"]))
    assert (d.x, d.y, d.coords) == ("lon", "lat", "lonlat")


def test_decimal_commas_are_numbers():
    d = detect(frame(lat=["53,8000", "53,8001", "53,8002"], lon=["-1,5500", "-1,5500", "-1,5501"]))
    assert d.coords == "lonlat"


def test_x_y_named_columns_holding_degrees_are_lonlat():
    d = detect(frame(x=["-1.55", "-1.56", "-1.57"], y=["53.8", "53.8", "53.8"]))
    assert (d.x, d.y, d.coords) == ("x", "y", "lonlat")


def test_eastings_are_projected():
    d = detect(frame(easting=["430000", "430010", ""], northing=["433000", "433005", ""]))
    assert d.coords == "bng"


def test_lat_lon_names_with_metre_values_are_projected_and_said_so():
    d = detect(frame(lat=["433000", "433005"], lon=["430000", "430010"]))
    assert d.coords == "bng" and any("beyond ±180/±90" in n for n in d.notes)


@pytest.mark.parametrize("named, kind", [(True, "lonlat"), (False, "bng")])
def test_no_number_at_all_falls_back_on_the_names(named, kind):
    nan = np.full(3, np.nan)
    assert coords_kind(nan, nan, named) == (kind, "")


def test_range_decides_on_the_parseable_values_only():
    vx = np.array([-1.55, np.nan, np.nan, np.nan, -1.56])  # 60% missing
    vy = np.array([53.8, np.nan, np.nan, np.nan, 53.81])
    assert coords_kind(vx, vy, False)[0] == "lonlat"
