"""hotspotpatrol:identifyhotspots through Processing: hand-computed grids, filters, bad rows, real data.

Hand-made geometry (British National Grid metres): the study area is the square 430000-430900 x
433000-433900, i.e. exactly 9 x 9 cells of the 100 m square lattice (columns 4300-4308, rows
4330-4338). 20 crimes at the centre of the middle cell give, by hand (see tests/unit/test_hotspots.py):
z = 2*sqrt(2) for the middle cell and its 8 neighbours, p = erfc(2) = 0.0046777, BH-adjusted
p = 9 * 0.0046777 = 0.0420996 ("hot 95%"), one zone HS-001 of 9 cells (90,000 m2) holding the 20
crimes, and 1 cell of 81 (1.23% of the area) holding half of them.

tests/data/crime/crimes_bng.csv (10 rows, police.uk-like columns) has: rows 1-4 in the middle cell
(Burglary, Burglary, Robbery, Drugs; weights 2, 2, 1, 1), row 5 exactly on the edge x = 430400
between two cells, row 6 in August, row 7 with the date "junk", row 8 without coordinates, rows 9-10
(Violence) with an empty and a negative weight.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)

ROOT_DATA = Path(__file__).resolve().parents[1] / "data" / "crime"
SAMPLE_CSV = ROOT_DATA.parents[2] / "resources" / "sample" / "crime" / "leeds_city_centre_2018-07_street.csv"
X0, Y0 = 430000.0, 433000.0
P_HOT = 0.004677734981047266  # erfc(2): the two-sided p of z = 2*sqrt(2)


class Log(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.lines = []

    def pushInfo(self, info):
        self.lines.append(info)
        super().pushInfo(info)

    def pushWarning(self, warning):
        self.lines.append(warning)
        super().pushWarning(warning)

    @property
    def text(self):
        return "\n".join(self.lines)


def csv_layer(path, x="Easting", y="Northing", crs="EPSG:27700"):
    uri = f"file://{path}?type=csv&xField={x}&yField={y}&crs={crs}&detectTypes=yes"
    layer = QgsVectorLayer(uri, "crimes", "delimitedtext")
    assert layer.isValid(), uri
    return layer


def point_layer(points, crs="EPSG:27700", fields="id:integer"):
    layer = QgsVectorLayer(f"Point?crs={crs}&field={fields}", "crimes", "memory")
    feats = []
    for i, (x, y) in enumerate(points):
        f = QgsFeature(layer.fields())
        f.setAttributes([i + 1])
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x, y)))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def area_layer(x0=X0, y0=Y0, x1=X0 + 900, y1=Y0 + 900, crs="EPSG:27700"):
    layer = QgsVectorLayer(f"Polygon?crs={crs}", "area", "memory")
    f = QgsFeature()
    f.setGeometry(QgsGeometry.fromRect(QgsRectangle(x0, y0, x1, y1)))
    layer.dataProvider().addFeatures([f])
    return layer


def as_layer(value):
    return value if isinstance(value, QgsVectorLayer) else QgsProject.instance().mapLayer(value)


def run(run_alg, crimes, feedback=None, **extra):
    params = {"INPUT": crimes, "GRID": "memory:", "HOTSPOTS": "memory:", "CONCENTRATION": "memory:"}
    params.update(extra)
    res = run_alg("hotspotpatrol:identifyhotspots", params, feedback)
    return res, as_layer(res["GRID"]), as_layer(res["HOTSPOTS"]), as_layer(res["CONCENTRATION"])


def cell_containing(grid, x, y):
    found = [f for f in grid.getFeatures() if f.geometry().contains(QgsGeometry.fromPointXY(QgsPointXY(x, y)))]
    assert len(found) == 1, (x, y, len(found))
    return found[0]


# =========================================================================== hand-computed
def test_single_hot_cell_hand_computed(run_alg):
    crimes = point_layer([(X0 + 450, Y0 + 450)] * 20)
    res, grid, hotspots, conc = run(run_alg, crimes, STUDY_AREA=area_layer(), CELL_SHAPE=1)
    assert grid.featureCount() == 81 and res["CELL_COUNT"] == 81
    assert grid.crs().authid() == "EPSG:27700" and hotspots.crs().authid() == "EPSG:27700"
    assert grid.fields().names() == ["cell_id", "crimes", "harm", "gi_z", "gi_p", "gi_p_fdr", "class"]
    feats = list(grid.getFeatures())
    assert sorted(f["cell_id"] for f in feats) == list(range(1, 82))
    hot = [f for f in feats if f["class"] != "not significant"]
    assert len(hot) == 9 and {f["class"] for f in hot} == {"hot 95%"}
    for f in hot:
        assert f["gi_z"] == pytest.approx(2 * math.sqrt(2), rel=1e-12)
        assert f["gi_p"] == pytest.approx(P_HOT, rel=1e-12)
        assert f["gi_p_fdr"] == pytest.approx(9 * P_HOT, rel=1e-12)
    middle = cell_containing(grid, X0 + 450, Y0 + 450)
    assert middle["crimes"] == 20 and middle["harm"] == 20.0
    assert middle.geometry().area() == pytest.approx(10000.0)
    # the first cell is the north-west corner: W = 4, S = 0 -> z = -80 / sqrt(123200)
    nw = cell_containing(grid, X0 + 50, Y0 + 850)
    assert nw["cell_id"] == 1 and nw["gi_z"] == pytest.approx(-80 / math.sqrt(123200), rel=1e-12)

    (zone,) = list(hotspots.getFeatures())
    assert hotspots.fields().names()[:2] == ["zone_id", "name"]
    assert zone["zone_id"] == "HS-001" and zone["crimes"] == 20 and zone["harm"] == 20.0
    assert zone["cells"] == 9 and zone["area_m2"] == pytest.approx(90000.0)
    assert zone["peak_gi_z"] == pytest.approx(2 * math.sqrt(2))
    expected = QgsGeometry.fromWkt(
        f"POLYGON(({X0 + 300} {Y0 + 300}, {X0 + 600} {Y0 + 300}, {X0 + 600} {Y0 + 600}, "
        f"{X0 + 300} {Y0 + 600}, {X0 + 300} {Y0 + 300}))"
    )
    assert zone.geometry().isGeosEqual(expected) or zone.geometry().symDifference(expected).area() < 1e-6

    rows = [(f["cells"], f["cum_cells"], f["area_pct"], f["harm_pct"]) for f in conc.getFeatures()]
    assert rows[0] == (0, 0, 0.0, 0.0)
    assert rows[1][:2] == (1, 1) and rows[1][2] == pytest.approx(100 / 81) and rows[1][3] == pytest.approx(100.0)
    assert rows[2][:2] == (80, 81) and rows[2][2] == pytest.approx(100.0)
    assert res["AREA_PCT_HALF"] == pytest.approx(1.2346, abs=1e-4)
    assert res["HEADLINE"] == "1.2% of the area (1 of 81 cells, 0.01 km²) holds 50% of the crime"
    assert res["HOTSPOT_COUNT"] == 1 and res["HOT_CELLS"] == 9 and res["CRIMES_USED"] == 20


def test_crimes_in_wgs84_are_transformed(run_alg):
    to_ll = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem("EPSG:27700"), QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance()
    )
    p = to_ll.transform(QgsPointXY(X0 + 450, Y0 + 450))
    crimes = point_layer([(p.x(), p.y())] * 20, crs="EPSG:4326")
    res, grid, hotspots, _ = run(run_alg, crimes, STUDY_AREA=area_layer(), CELL_SHAPE=1)
    # QGIS and pyproj may pick different WGS 84 -> OSGB transformations (metres apart at most):
    # the crimes stay well inside the middle cell, 50 m from its edges
    assert cell_containing(grid, X0 + 450, Y0 + 450)["crimes"] == 20
    (zone,) = list(hotspots.getFeatures())
    assert zone["cells"] == 9 and zone["peak_gi_z"] == pytest.approx(2 * math.sqrt(2))
    assert grid.crs().authid() == "EPSG:27700"


def test_study_area_in_wgs84_and_an_other_output_crs(run_alg):
    crimes = point_layer([(X0 + 450, Y0 + 450)] * 20)
    to_ll = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem("EPSG:27700"), QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance()
    )
    g = QgsGeometry.fromWkt(
        f"POLYGON(({X0 + 10} {Y0 + 10}, {X0 + 890} {Y0 + 10}, {X0 + 890} {Y0 + 890}, "
        f"{X0 + 10} {Y0 + 890}, {X0 + 10} {Y0 + 10}))"
    )
    g.transform(to_ll)
    area = QgsVectorLayer("Polygon?crs=EPSG:4326", "area", "memory")
    f = QgsFeature()
    f.setGeometry(g)
    area.dataProvider().addFeatures([f])
    res, grid, _, _ = run(run_alg, crimes, STUDY_AREA=area, CELL_SHAPE=1)
    assert res["CELL_COUNT"] == 81  # 10 m inside the 9 x 9 cells: still all 81 overlap it
    crimes = point_layer([(X0 + 450, Y0 + 450)] * 20 + [(X0, Y0), (X0 + 900, Y0 + 900)])
    res, grid, _, _ = run(run_alg, crimes, CELL_SHAPE=1, OUTPUT_CRS="EPSG:32630")
    assert grid.crs().authid() == "EPSG:32630" and res["CRIMES_USED"] == 22
    with pytest.raises(QgsProcessingException, match="All 3 crimes are at one location .* no pattern to find"):
        run(run_alg, point_layer([(X0 + 450, Y0 + 450)] * 3))


def test_a_crime_exactly_on_a_cell_edge_counts_once(run_alg):
    crimes = csv_layer(ROOT_DATA / "crimes_bng.csv")
    res, grid, _, _ = run(run_alg, crimes, STUDY_AREA=area_layer(), CELL_SHAPE=1, MIN_CRIMES=0)
    total = sum(f["crimes"] for f in grid.getFeatures())
    assert total == res["CRIMES_USED"] == 9  # rows 1-7, 9, 10 (row 8 has no location)
    # row 5 at x = 430400 is on the edge between two squares: it counts in the east one only
    assert cell_containing(grid, X0 + 450, Y0 + 150)["crimes"] == 1
    assert cell_containing(grid, X0 + 350, Y0 + 150)["crimes"] == 0
    # the same for hexagons: (430400, 433150) is counted once, whichever cell gets it
    res, grid, _, _ = run(run_alg, point_layer([(X0 + 400, Y0 + 150)] * 3 + [(X0, Y0), (X0 + 900, Y0 + 900)]))
    assert sum(f["crimes"] for f in grid.getFeatures()) == 5


def test_hexagons_by_default(run_alg):
    crimes = point_layer([(X0 + 450, Y0 + 450)] * 14 + [(X0, Y0), (X0 + 900, Y0 + 900)])
    res, grid, hotspots, _ = run(run_alg, crimes)
    g = next(grid.getFeatures()).geometry()
    assert g.constGet().exteriorRing().numPoints() == 7
    assert g.area() == pytest.approx(100 * 100 * math.sqrt(3) / 2)
    assert sum(f["crimes"] for f in grid.getFeatures()) == 16
    (zone,) = list(hotspots.getFeatures())
    assert zone["cells"] == 7 and zone["crimes"] == 14


def test_all_equal_counts_no_hot_spots(run_alg):
    # one crime in the middle of each of the 81 cells
    pts = [(X0 + 50 + 100 * i, Y0 + 50 + 100 * j) for i in range(9) for j in range(9)]
    log = Log()
    res, grid, hotspots, _ = run(run_alg, point_layer(pts), log, STUDY_AREA=area_layer(), CELL_SHAPE=1)
    assert {f["class"] for f in grid.getFeatures()} == {"not significant"}
    assert {f["gi_z"] for f in grid.getFeatures()} == {0.0}
    assert hotspots.featureCount() == 0 and res["HOTSPOT_COUNT"] == 0
    assert "Every cell holds the same harm" in log.text


# =========================================================================== filters and bad rows
def test_bad_rows_are_skipped_and_counted_by_reason(run_alg):
    crimes = csv_layer(ROOT_DATA / "crimes_bng.csv")
    log = Log()
    res, grid, _, _ = run(
        run_alg, crimes, log, STUDY_AREA=area_layer(), CELL_SHAPE=1, WEIGHT_FIELD="weight", MIN_CRIMES=0
    )
    # row 8: no location; row 9: no weight; row 10: negative weight
    assert res["SKIPPED_ROWS"] == 3
    assert "no location" in res["SKIPPED_REASONS"] and "missing or non-numeric weight: 1" in res["SKIPPED_REASONS"]
    assert "negative weight: 1" in res["SKIPPED_REASONS"]
    assert res["CRIMES_USED"] == 7
    assert sum(f["harm"] for f in grid.getFeatures()) == pytest.approx(2 + 2 + 1 + 1 + 1 + 1 + 1)
    assert cell_containing(grid, X0 + 450, Y0 + 450)["harm"] == pytest.approx(6.0)
    assert "Skipped 1 crime(s) with negative weight" in log.text


def test_period_filter_and_unparseable_dates(run_alg):
    from qgis.PyQt.QtCore import QDate, QDateTime, QTime

    crimes = csv_layer(ROOT_DATA / "crimes_bng.csv")
    res, grid, _, _ = run(
        run_alg,
        crimes,
        STUDY_AREA=area_layer(),
        CELL_SHAPE=1,
        DATE_FIELD="Month",
        PERIOD_START=QDateTime(QDate(2018, 7, 1), QTime(0, 0)),
        PERIOD_END=QDateTime(QDate(2018, 7, 31), QTime(23, 59, 59)),
        MIN_CRIMES=0,
    )
    assert (
        res["SKIPPED_REASONS"] == "no location (empty geometry or coordinates that do not transform): 1; "
        "missing or unparseable date: 1"
    )
    assert res["EXCLUDED_ROWS"] == 1 and res["EXCLUDED_REASONS"] == "outside the period: 1"
    assert res["CRIMES_USED"] == 7  # rows 1-5, 9, 10


def test_type_filter(run_alg):
    crimes = csv_layer(ROOT_DATA / "crimes_bng.csv")
    log = Log()
    res, _, _, _ = run(
        run_alg,
        crimes,
        log,
        STUDY_AREA=area_layer(),
        CELL_SHAPE=1,
        TYPE_FIELD="Crime type",
        TYPES="burglary, Shoplifting",
        MIN_CRIMES=0,
    )
    # Robbery x2, Drugs, Violence x2 are filtered out; row 8 (Burglary) has no location
    assert res["EXCLUDED_REASONS"] == "crime type not selected: 5" and res["CRIMES_USED"] == 4
    assert "Crime types not found in 'Crime type': Shoplifting." in log.text
    with pytest.raises(QgsProcessingException, match="None of the crime types 'Arson' occur"):
        run(run_alg, crimes, TYPE_FIELD="Crime type", TYPES="Arson")


def test_harm_table_weights_by_type(run_alg):
    crimes = csv_layer(ROOT_DATA / "crimes_bng.csv")
    log = Log()
    res, grid, _, _ = run(
        run_alg,
        crimes,
        log,
        STUDY_AREA=area_layer(),
        CELL_SHAPE=1,
        TYPE_FIELD="Crime type",
        HARM_TABLE=str(ROOT_DATA / "harm_weights_test.csv"),
        MIN_CRIMES=0,
    )
    # Drugs (row 4) is not in the table; Burglary 2, Robbery 3.5, Violence 1.5:
    # rows 1, 2, 5, 6 Burglary = 8; rows 3, 7 Robbery = 7; rows 9, 10 Violence = 3 -> 18
    assert res["SKIPPED_REASONS"].endswith("crime type not in the harm table: 1")
    assert sum(f["harm"] for f in grid.getFeatures()) == pytest.approx(18.0)
    middle = cell_containing(grid, X0 + 450, Y0 + 450)
    assert middle["crimes"] == 3 and middle["harm"] == pytest.approx(7.5)
    assert "Crime types missing from the harm table (left out): Drugs (1)." in log.text
    assert res["HEADLINE"].endswith("holds 50% of the harm")


# =========================================================================== clear errors
def test_empty_input_is_a_clear_error(run_alg):
    empty = point_layer([])
    with pytest.raises(QgsProcessingException, match="The crime layer has no features"):
        run(run_alg, empty)
    from qgis.PyQt.QtCore import QDate, QDateTime, QTime

    crimes = csv_layer(ROOT_DATA / "crimes_bng.csv")
    with pytest.raises(
        QgsProcessingException,
        match=r"No crimes are left to analyse out of 10 \(.*"
        r"missing or unparseable date: 1; outside the period: 8\)",
    ):
        run(run_alg, crimes, DATE_FIELD="Month", PERIOD_START=QDateTime(QDate(2030, 1, 1), QTime(0, 0)))
    far = area_layer(0, 0, 1000, 1000)
    with pytest.raises(QgsProcessingException, match="There are no crimes inside the study area"):
        run(run_alg, crimes, STUDY_AREA=far)


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"OUTPUT_CRS": "EPSG:4326"}, "is not a projected CRS in metres"),
        (
            {"WEIGHT_FIELD": "weight", "TYPE_FIELD": "Crime type", "HARM_TABLE": "x.csv"},
            "either a weight field or a harm table",
        ),
        ({"TYPES": "Burglary"}, "no crime type field"),
        ({"HARM_TABLE": "x.csv"}, "choose the crime type field"),
        ({"DATE_FIELD": "nope"}, "The date field 'nope' does not exist"),
        ({"TIMEZONE": "Mars/Olympus"}, "Unknown time zone"),
    ],
)
def test_bad_parameters_fail_with_one_sentence(run_alg, extra, message):
    crimes = csv_layer(ROOT_DATA / "crimes_bng.csv")
    with pytest.raises(QgsProcessingException, match=message):
        run(run_alg, crimes, **extra)


def test_period_without_date_field(run_alg):
    from qgis.PyQt.QtCore import QDate, QDateTime, QTime

    crimes = csv_layer(ROOT_DATA / "crimes_bng.csv")
    with pytest.raises(QgsProcessingException, match="A period is set but no date field"):
        run(run_alg, crimes, PERIOD_START=QDateTime(QDate(2018, 7, 1), QTime(0, 0)))


def test_bad_harm_table_names_the_line(run_alg, tmp_path):
    path = tmp_path / "harm.csv"
    path.write_text("type,weight\nBurglary,two\n", encoding="utf-8")
    crimes = csv_layer(ROOT_DATA / "crimes_bng.csv")
    with pytest.raises(QgsProcessingException, match="line 2: the weight 'two' of 'Burglary' is not a number"):
        run(run_alg, crimes, TYPE_FIELD="Crime type", HARM_TABLE=str(path))


# =========================================================================== real data
@pytest.fixture(scope="module")
def leeds_points():
    """The sample's crimes in BNG, transformed as the algorithm does (pyproj), for independent counts."""
    import pandas as pd

    from hotspot_patrol_plugin.qgis_io.crs import _pyproj

    d = pd.read_csv(SAMPLE_CSV)
    t = _pyproj().Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    x, y = t.transform(d["Longitude"].to_numpy(), d["Latitude"].to_numpy())
    return d, np.asarray(x), np.asarray(y)


def test_real_police_uk_extract_through_a_delimited_text_layer(run_alg, leeds_points):
    import shapely

    d, x, y = leeds_points
    crimes = csv_layer(SAMPLE_CSV, x="Longitude", y="Latitude", crs="EPSG:4326")
    log = Log()
    res, grid, hotspots, conc = run(run_alg, crimes, log, DATE_FIELD="Month", TYPE_FIELD="Crime type")
    assert res["CRIMES_USED"] == len(d) == 2587 and res["SKIPPED_ROWS"] == 0
    assert "Dates of the crimes analysed: July 2018." in log.text
    # every cell's count equals an independent point-in-polygon count (no crime lies on an edge)
    cells = list(grid.getFeatures())
    polys = shapely.from_wkb([bytes(f.geometry().asWkb()) for f in cells])
    tree = shapely.STRtree(polys)
    pairs = tree.query(shapely.points(x, y), predicate="intersects")
    assert pairs.shape[1] == len(d)  # each crime in exactly one cell
    counted = np.bincount(pairs[1], minlength=len(cells))
    assert counted.tolist() == [f["crimes"] for f in cells]
    # the headline from the grid's own counts: fewest cells holding half of the crimes
    c = np.sort(counted)[::-1]
    k = int(np.searchsorted(np.cumsum(c), len(d) / 2) + 1)
    assert res["AREA_PCT_HALF"] == pytest.approx(100 * k / len(cells), abs=1e-4)
    assert res["HEADLINE"].startswith(f"{100 * k / len(cells):.1f}% of the area ({k:,} of {len(cells):,} cells")
    # zones: ranked by harm, each at least 5 crimes, made of hot cells, peak z = their best cell's
    zones = list(hotspots.getFeatures())
    assert len(zones) == res["HOTSPOT_COUNT"] >= 1
    assert [z["zone_id"] for z in zones] == [f"HS-{i + 1:03d}" for i in range(len(zones))]
    assert [z["harm"] for z in zones] == sorted((z["harm"] for z in zones), reverse=True)
    z_of = np.array([f["gi_z"] for f in cells])
    cls = np.array([f["class"] for f in cells])
    centres = shapely.centroid(polys)
    for zone in zones:
        g = shapely.from_wkb(bytes(zone.geometry().asWkb()))
        inside = shapely.contains(g, centres)
        assert inside.sum() == zone["cells"] and zone["crimes"] >= 5
        assert counted[inside].sum() == zone["crimes"]
        assert set(cls[inside]) <= {"hot 99%", "hot 95%"}
        assert zone["peak_gi_z"] == pytest.approx(z_of[inside].max())
        assert zone["area_m2"] == pytest.approx(g.area)
    rows = list(conc.getFeatures())
    assert rows[-1]["area_pct"] == pytest.approx(100) and rows[-1]["harm_pct"] == pytest.approx(100)
    assert rows[-1]["cum_cells"] == len(cells)


def test_geopackage_bulk_read_gives_the_same_grid(run_alg, tmp_path):
    from qgis.core import QgsVectorFileWriter

    crimes = csv_layer(SAMPLE_CSV, x="Longitude", y="Latitude", crs="EPSG:4326")
    path = str(tmp_path / "crimes.gpkg")
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = "crimes"
    err = QgsVectorFileWriter.writeAsVectorFormatV2(crimes, path, QgsProject.instance().transformContext(), options)
    assert err[0] == QgsVectorFileWriter.WriterError.NoError
    gpkg = QgsVectorLayer(f"{path}|layername=crimes", "crimes", "ogr")
    log = Log()
    res_a, grid_a, hs_a, _ = run(run_alg, gpkg, log, TYPE_FIELD="Crime type", TYPES="Violence and sexual offences")
    assert "(gdal-arrow)" in log.text
    res_b, grid_b, hs_b, _ = run(run_alg, crimes, TYPE_FIELD="Crime type", TYPES="Violence and sexual offences")
    assert res_a["CRIMES_USED"] == res_b["CRIMES_USED"] == 703  # grep -c "Violence and sexual" on the CSV
    assert [f["crimes"] for f in grid_a.getFeatures()] == [f["crimes"] for f in grid_b.getFeatures()]
    assert [f["zone_id"] for f in hs_a.getFeatures()] == [f["zone_id"] for f in hs_b.getFeatures()]


def test_grid_written_to_a_geopackage_in_bulk_equals_the_sink_output(run_alg, tmp_path):
    """A .gpkg GRID is written by SQLite in bulk (R-tree packed at once): same rows as a QGIS sink."""
    from qgis.core import QgsFeatureRequest

    crimes = csv_layer(SAMPLE_CSV, x="Longitude", y="Latitude", crs="EPSG:4326")
    path = tmp_path / "grid.gpkg"
    res, mem, _, _ = run(run_alg, crimes)
    res_file = run_alg(
        "hotspotpatrol:identifyhotspots",
        {"INPUT": crimes, "GRID": str(path), "HOTSPOTS": "memory:", "CONCENTRATION": "memory:"},
    )
    assert res_file["GRID"] == str(path)
    disk = QgsVectorLayer(str(path), "grid", "ogr")
    assert disk.isValid() and disk.crs().authid() == "EPSG:27700"
    assert disk.featureCount() == mem.featureCount() == res["CELL_COUNT"]
    assert [f.name() for f in disk.fields()][1:] == mem.fields().names()  # after the GeoPackage fid
    assert [f.typeName().lower() for f in disk.fields()][1:] == [
        "integer64",
        "integer",
        "real",
        "real",
        "real",
        "real",
        "string",
    ]
    a = {f["cell_id"]: f for f in mem.getFeatures()}
    for f in disk.getFeatures():
        g = a[f["cell_id"]]
        assert [f[k] for k in mem.fields().names()] == [g[k] for k in mem.fields().names()]
        assert f.geometry().equals(g.geometry())
    # the packed spatial index answers window queries like a scan does
    rect = QgsRectangle(430003.3, 433501.7, 430597.1, 433998.9)  # off the cell edges
    hits = sorted(f["cell_id"] for f in disk.getFeatures(QgsFeatureRequest().setFilterRect(rect)))
    scan = sorted(k for k, g in a.items() if g.geometry().boundingBox().intersects(rect))
    assert hits == scan and len(hits) > 20


# =========================================================================== downstream
def test_outputs_are_styled_on_arrival(provider, qgis_processing, tmp_path):
    """Outputs meant for the project carry a post-processor that styles them as they load."""
    from qgis import processing
    from qgis.core import (
        QgsCategorizedSymbolRenderer,
        QgsProcessingContext,
        QgsProcessingOutputLayerDefinition,
        QgsSingleSymbolRenderer,
    )

    from hotspot_patrol_plugin.core import hotspots as H

    project = QgsProject.instance()
    context = QgsProcessingContext()
    context.setProject(project)
    outputs = {key: str(tmp_path / f"{key.lower()}.gpkg") for key in ("GRID", "HOTSPOTS", "CONCENTRATION")}
    params = {"INPUT": point_layer([(X0 + 450, Y0 + 450)] * 20), "STUDY_AREA": area_layer(), "CELL_SHAPE": 1}
    params.update({k: QgsProcessingOutputLayerDefinition(v, project) for k, v in outputs.items()})
    feedback = QgsProcessingFeedback()
    processing.run("hotspotpatrol:identifyhotspots", params, context=context, feedback=feedback)
    loaded = {}
    for layer_id, details in context.layersToLoadOnCompletion().items():
        layer = QgsVectorLayer(layer_id, details.name, "ogr")
        if details.postProcessor() is not None:
            details.postProcessor().postProcessLayer(layer, context, feedback)
        loaded[Path(layer_id.split("|")[0]).stem] = layer
    grid, hs = loaded["grid"], loaded["hotspots"]
    assert isinstance(grid.renderer(), QgsCategorizedSymbolRenderer)
    assert grid.renderer().classAttribute() == "class"
    assert [c.value() for c in grid.renderer().categories()] == list(H.CLASSES)
    assert isinstance(hs.renderer(), QgsSingleSymbolRenderer) and hs.labelsEnabled()


def test_hot_spots_feed_the_matching_algorithm(run_alg):
    """HOTSPOTS is a zones layer as matchtracks wants it: zone_id is picked up without mapping."""
    crimes = point_layer([(X0 + 450, Y0 + 450)] * 20)
    _, _, hotspots, _ = run(run_alg, crimes, STUDY_AREA=area_layer(), CELL_SHAPE=1)
    pings = QgsVectorLayer("Point?crs=EPSG:27700&field=unit:string&field=t:string", "pings", "memory")
    feats = []
    # walking east along y = 433450 through the zone (x 430300-430600) at 0.5 m/s, a ping a minute
    for i in range(14):
        f = QgsFeature(pings.fields())
        f.setAttributes(["PC1", f"2026-11-20T12:{i:02d}:00"])
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(X0 + 240 + 30 * i, Y0 + 450)))
        feats.append(f)
    pings.dataProvider().addFeatures(feats)
    res = run_alg(
        "hotspotpatrol:matchtracks",
        {
            "TRACKS": pings,
            "UNIT_FIELD": "unit",
            "TIME_FIELD": "t",
            "ZONES": hotspots,
            "VISITS": "memory:",
            "COVERAGE": "memory:",
        },
    )
    (visit,) = list(as_layer(res["VISITS"]).getFeatures())
    # enters at x = 430300 (t = 2 min), leaves at x = 430600 (t = 12 min): 10 minutes
    assert visit["zone_id"] == "HS-001" and visit["dwell_min"] == pytest.approx(10.0)
