"""formats.gpkg_writer: the bulk GeoPackage writer, read back through SQLite and GDAL.

Every column kind, missing values, text that cannot be packed at a fixed width, times at calendar
edges, and the R-tree, on the fast path (one INSERT ... SELECT per chunk) and on the row-by-row
fallback used when SQLite has no JSON functions.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import numpy as np
import pandas as pd
import pytest

from hotspot_patrol_plugin.formats import gpkg_writer as W

LONG = "a label longer than sixty-four bytes, so it goes through a temporary table: é"


def iso(seconds: float) -> str:
    when = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(milliseconds=round(seconds * 1000))
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


TIMES = [
    0.0,
    951782400.0,
    951868799.9996,
    -2208988800.0,
    1798761599.999,
    1795608600.123,
    float("inf"),
    4102444800.0,
    float("nan"),
    1e13,
]  # epoch, 2000-02-29, rounding up to 1 March, 1900, New Year's Eve,
# ..., infinite, 2100, missing, beyond the year 9999
EXPECTED_TIMES = [
    "1970-01-01T00:00:00.000Z",
    "2000-02-29T00:00:00.000Z",
    "2000-03-01T00:00:00.000Z",
    "1900-01-01T00:00:00.000Z",
    "2026-12-31T23:59:59.999Z",
    "2026-11-25T12:10:00.123Z",
    None,
    "2100-01-01T00:00:00.000Z",
    None,
    None,
]


def test_iso_text_is_computed_like_the_calendar():
    assert W.iso_utc(np.array(TIMES)).tolist() == EXPECTED_TIMES
    rng = np.random.default_rng(7)
    many = rng.uniform(-3e9, 7e9, 20000)  # 1874..2191, at random milliseconds
    assert W.iso_utc(many).tolist() == [iso(s) for s in many]


def columns(n: int):
    rng = np.random.default_rng(1)
    units = np.array(["NE21", "Bé-7", None, "K9 2", LONG, ""], dtype=object)[np.arange(n) % 6]
    short = np.array(["U1", "U22", "U333"], dtype=object)[np.arange(n) % 3]
    real = rng.normal(0, 100, n)  # full precision: the exact (slower) JSON path
    real[::5] = np.nan
    real[1:2] = np.inf
    tenths = np.round(rng.uniform(0, 50, n), 1)  # sensor readings: scaled integers
    whole = np.where(np.arange(n) % 4 == 0, np.nan, np.round(rng.normal(0, 1000, n)))  # k = 0, NULLs, negatives
    micro = np.round(rng.uniform(-1, 1, n), 6)  # six decimals, the most taken as integers
    micro[3:4] = 2.5e9  # too big for the integer route: this chunk goes through JSON
    times = np.array((TIMES * (n // len(TIMES) + 1))[:n])
    return [
        ("unit", "string", units),
        ("short", "string", short),
        ("file", "string", np.full(n, "avl.csv", object)),
        ("cat", "string", pd.Categorical.from_codes(np.arange(n) % 2, ["x", "y"])),
        ("time", "utc", times),
        ("r", "real", real),
        ("tenths", "real", tenths),
        ("whole", "real", whole),
        ("micro", "real", micro),
        ("none", "real", np.full(n, np.nan)),
        ("i", "int", np.arange(n) * 7 - 500),
        ("i32", "int32", np.arange(n) % 100),
        ("flag", "bool", np.arange(n) % 2 == 0),
    ]


def expected_rows(cols, n):
    out = []
    for i in range(n):
        row = []
        for _, kind, values in cols:
            v = values[i]
            if kind == "utc":
                row.append(iso(v) if np.isfinite(v) and abs(v) < 2e11 else None)
            elif kind == "real":
                row.append(float(v) if np.isfinite(v) else None)
            elif kind in ("int", "int32", "bool"):
                row.append(int(v))
            else:
                row.append(None if v is None else str(v))
        out.append(tuple(row))
    return out


def written(path, layer="pts"):
    con = sqlite3.connect(path)
    try:
        rows = con.execute(f'SELECT * FROM "{layer}" ORDER BY fid').fetchall()
        check = con.execute(f"SELECT rtreecheck('rtree_{layer}_geom')").fetchone()[0]
        tree = con.execute(f'SELECT id, minx, maxx, miny, maxy FROM "rtree_{layer}_geom" ORDER BY id').fetchall()
        count = con.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = ?", (layer,)).fetchone()
        return rows, check, tree, count[0]
    finally:
        con.close()


@pytest.mark.parametrize("fast", [True, False], ids=["insert-select", "row-by-row"])
def test_points_round_trip_exactly(tmp_path, monkeypatch, fast):
    if not fast:
        monkeypatch.setattr(W, "_json_ok", lambda con: False)
    n = 1003
    x = np.arange(n) * 10.0 + 0.25
    y = np.arange(n) * -3.0 + 0.5
    x[4] = np.nan  # no position: an empty point, not in the R-tree
    cols = columns(n)
    path = tmp_path / "p.gpkg"
    assert W.write_points(str(path), "pts", "EPSG:27700", x, y, cols, chunk=100) == n
    rows, check, tree, count = written(path)
    assert check == "ok" and count == n and len(rows) == n
    assert [r[0] for r in rows] == list(range(1, n + 1))
    assert [r[2:] for r in rows] == expected_rows(cols, n)
    # geometry: 'GP', version 0, flags 1, srs id, little-endian WKB point
    srs_id = sqlite3.connect(path).execute("SELECT srs_id FROM gpkg_geometry_columns").fetchone()[0]
    blob = rows[2][1]
    assert blob[:4] == b"GP\x00\x01" and int.from_bytes(blob[4:8], "little") == srs_id
    assert np.frombuffer(blob[13:29], "<f8").tolist() == [20.25, -5.5]
    assert [t[0] for t in tree] == [i + 1 for i in range(n) if i != 4]
    # R-tree boxes hold the points (32-bit floats rounded outwards)
    assert all(b[1] <= x[b[0] - 1] <= b[2] and b[3] <= y[b[0] - 1] <= b[4] for b in tree)


def test_gdal_reads_the_types_back(tmp_path):
    from osgeo import ogr

    n = 12
    cols = columns(n)
    path = tmp_path / "p.gpkg"
    W.write_points(str(path), "pts", "EPSG:27700", np.arange(n, dtype=float), np.zeros(n), cols)
    ds = ogr.Open(str(path))
    layer = ds.GetLayerByName("pts")
    assert layer.GetFeatureCount() == n and layer.GetSpatialRef().GetAuthorityCode(None) == "27700"
    defn = layer.GetLayerDefn()
    types = {
        defn.GetFieldDefn(i).GetName(): (defn.GetFieldDefn(i).GetType(), defn.GetFieldDefn(i).GetSubType())
        for i in range(defn.GetFieldCount())
    }
    assert types["time"][0] == ogr.OFTDateTime and types["flag"] == (ogr.OFTInteger, ogr.OFSTBoolean)
    assert types["i"][0] == ogr.OFTInteger64 and types["r"][0] == ogr.OFTReal
    f = layer.GetFeature(6)  # row 5: a real-world time, 2026-11-25 12:10:00.123 UTC
    assert f.GetFieldAsDateTime("time")[:6] == [2026, 11, 25, 12, 10, pytest.approx(0.123, abs=1e-6)]
    assert f.GetFieldAsString("unit") == "" and f.GetFieldAsString("file") == "avl.csv"
    assert f.GetGeometryRef().GetX() == 5.0
    layer.SetSpatialFilterRect(2.5, -1, 7.5, 1)
    assert sorted(g.GetFID() for g in layer) == [4, 5, 6, 7, 8]


def test_lines_and_polygons_keep_their_wkb(tmp_path):
    import shapely

    lines = [shapely.LineString([(0, 0), (10, 5)]), shapely.LineString([(3, 3), (4, 4), (5, 3)])] * 150
    wkb = shapely.to_wkb(lines).tolist()
    cols = [("id", "int", np.arange(len(wkb))), ("name", "string", np.array(["a", "bb"] * 150, object))]
    path = tmp_path / "l.gpkg"
    W.write_lines(str(path), "lines", "EPSG:27700", wkb, shapely.bounds(lines), cols, chunk=40)
    rows, check, tree, count = written(path, "lines")
    assert check == "ok" and count == 300 and len(tree) == 300
    assert [r[1][8:] for r in rows] == wkb
    assert [r[2:] for r in rows] == [(i, "a" if i % 2 == 0 else "bb") for i in range(300)]


def test_an_empty_layer_is_valid(tmp_path):
    from osgeo import ogr

    path = tmp_path / "e.gpkg"
    W.write_points(str(path), "pts", "EPSG:27700", np.zeros(0), np.zeros(0), columns(0))
    rows, check, tree, count = written(path)
    assert (rows, check, tree, count) == ([], "ok", [], 0)
    assert ogr.Open(str(path)).GetLayerByName("pts").GetFeatureCount() == 0


def test_rtree_of_many_points_answers_like_brute_force(tmp_path):
    rng = np.random.default_rng(3)
    n = 60_000
    x, y = rng.uniform(0, 1000, n), rng.uniform(0, 1000, n)
    path = tmp_path / "r.gpkg"
    W.write_points(str(path), "pts", "EPSG:27700", x, y, [("i", "int", np.arange(n))])
    con = sqlite3.connect(path)
    assert con.execute("SELECT rtreecheck('rtree_pts_geom')").fetchone() == ("ok",)
    for _ in range(50):
        x0, y0 = rng.uniform(0, 950, 2)
        got = {
            r[0]
            for r in con.execute(
                "SELECT id FROM rtree_pts_geom WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?",
                (x0 + 50, x0, y0 + 50, y0),
            )
        }
        inside = np.flatnonzero((x >= x0) & (x <= x0 + 50) & (y >= y0) & (y <= y0 + 50)) + 1
        assert set(inside.tolist()) <= got and len(got - set(inside.tolist())) <= 2  # float32 rounding


def test_a_cancelled_write_leaves_a_consistent_layer(tmp_path):
    """Cancelled after the second chunk: the rows written so far, an R-tree of just those rows."""

    class Feedback:
        calls = 0

        def isCanceled(self):
            self.calls += 1
            return self.calls >= 2

        def setProgress(self, value):
            pass

    n = 1000
    path = tmp_path / "c.gpkg"
    written_rows = W.write_points(
        str(path),
        "pts",
        "EPSG:27700",
        np.arange(n, dtype=float),
        np.zeros(n),
        [("i", "int", np.arange(n))],
        chunk=300,
        feedback=Feedback(),
    )
    rows, check, tree, count = written(path)
    assert written_rows == count == len(rows) == len(tree) == 600 and check == "ok"
    assert [t[0] for t in tree] == list(range(1, 601))
