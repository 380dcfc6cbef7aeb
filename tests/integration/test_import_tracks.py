"""hotspotpatrol:importtracks on hand-made export files (tests/data/import) with hand-checked answers."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from qgis.core import QgsProcessingException, QgsVectorLayer

DATA = Path(__file__).resolve().parents[1] / "data" / "import"


def utc_ms(*args) -> int:
    return int(dt.datetime(*args, tzinfo=dt.timezone.utc).timestamp() * 1000)


def run_import(run_alg, tmp_path, files=None, **extra):
    params = {
        "INPUT": [str(DATA / f) for f in files or []],
        "OUTPUT": str(tmp_path / "tracks.gpkg"),
        "SUMMARY": "memory:",
        "REPORT": str(tmp_path / "report.html"),
    }
    params.update(extra)
    res = run_alg("hotspotpatrol:importtracks", params)
    layer = QgsVectorLayer(res["OUTPUT"], "tracks", "ogr")
    assert layer.isValid()
    return res, layer


def rows(layer):
    return [
        (
            f["unit_id"],
            f["time"].toMSecsSinceEpoch(),
            round(f.geometry().asPoint().x(), 3),
            round(f.geometry().asPoint().y(), 3),
            f["source_row"],
        )
        for f in layer.getFeatures()
    ]


def test_uk_avl_export_day_first_bng_cp1252(run_alg, tmp_path):
    res, layer = run_import(run_alg, tmp_path, ["avl_dayfirst.csv"])
    assert layer.crs().authid() == "EPSG:27700"
    got = rows(layer)
    # sorted by unit then time; the duplicate, the jump, and every bad row gone
    assert got == [
        ("NE21", utc_ms(2026, 11, 24, 14, 5, 0), 430000, 433000, 1),
        ("NE21", utc_ms(2026, 11, 24, 14, 5, 30), 430010, 433000, 2),
        ("NE21", utc_ms(2026, 11, 24, 14, 6, 0), 430020, 433000, 5),
        ("NE21", utc_ms(2026, 11, 24, 14, 6, 30), 430030, 433000, 4),
        ("NE21", utc_ms(2026, 11, 24, 14, 7, 30), 430040, 433000, 8),
        ("NE22", utc_ms(2026, 11, 24, 14, 7, 0), 430100, 433100, 13),
    ]
    assert res["ROWS_READ"] == 14 and res["ROWS_KEPT"] == 6
    assert res["ROWS_DROPPED"] == {
        "repeated header line": 1,
        "exact duplicate (same unit, time and place)": 1,
        "impossible jump (too fast there and back)": 1,
        "unparseable time": 1,
        "coordinates (0, 0)": 1,
        "no unit id": 1,
        "missing or invalid coordinates": 1,
        "local time that does not exist (spring daylight-saving gap)": 1,
    }
    report = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "day-first" in report and "cp1252" in report and "31/11/2026" in report
    assert "1 rows were out of order" in report or "1 rows were out of time order" in report


def test_summary_table(run_alg, tmp_path):
    from qgis.core import QgsProject

    res, _ = run_import(run_alg, tmp_path, ["avl_dayfirst.csv"])
    summary = res["SUMMARY"]
    summary = summary if isinstance(summary, QgsVectorLayer) else QgsProject.instance().mapLayer(summary)
    by_unit = {f["unit_id"]: f for f in summary.getFeatures()}
    ne21 = by_unit["NE21"]
    assert ne21["pings"] == 5 and ne21["median_interval_s"] == 30 and ne21["longest_gap_s"] == 60
    assert ne21["first"].toMSecsSinceEpoch() == utc_ms(2026, 11, 24, 14, 5, 0)
    # NE21 lost the duplicate, the jump and the bad date: 3 of 8 rows
    assert ne21["share_dropped"] == pytest.approx(3 / 8, abs=1e-3)


def test_headerless_latlon_with_mixed_time_forms(run_alg, tmp_path):
    res, layer = run_import(run_alg, tmp_path, ["noheader_latlon.csv"], OUTPUT_CRS="EPSG:4326")
    got = rows(layer)
    assert [r[0] for r in got] == ["PC4471"] * 3
    # +01:00 offset, Z, and epoch milliseconds (1782903660000 = 2026-07-01T11:01:00Z)
    assert [r[1] for r in got] == [
        utc_ms(2026, 7, 1, 11, 0, 0),
        utc_ms(2026, 7, 1, 11, 0, 30),
        utc_ms(2026, 7, 1, 11, 1, 0),
    ]
    assert got[0][2:4] == (-1.55, 53.8)  # the larger of two small columns is the latitude
    assert res["ROWS_DROPPED"] == {}


def test_month_first_only_when_asked(run_alg, tmp_path):
    # 11/13 and 11/14 prove month-first in auto mode
    res, layer = run_import(run_alg, tmp_path, ["monthfirst.csv"])
    assert [r[1] for r in rows(layer)] == [utc_ms(2025, 11, 13, 14, 5), utc_ms(2025, 11, 14, 14, 5)]
    # forced day-first: both dates are impossible and reported, not guessed; nothing is left, so
    # the run fails (a script must not see success and an empty layer) with the counts by reason
    with pytest.raises(QgsProcessingException, match=r"Nothing was imported: .*kept 0.*unparseable time: 2"):
        run_import(run_alg, tmp_path, ["monthfirst.csv"], DATE_ORDER=1, OUTPUT=str(tmp_path / "forced.gpkg"))
    assert not (tmp_path / "forced.gpkg").exists()


def test_gpx_nmea_geojson_and_a_truncated_file_together(run_alg, tmp_path):
    files = ["pc5102_shift.gpx", "NE31 evening.gpx", "truncated.gpx", "ne32.nmea", "phone_app.geojson"]
    res, layer = run_import(run_alg, tmp_path, files, MAX_ACCURACY_M=5)
    units = {}
    for unit, t, *_ in rows(layer):
        units.setdefault(unit, []).append(t)
    t0 = utc_ms(2026, 11, 24, 14, 5, 0)
    # PC5102: its own 3 points plus the 1 complete point of the truncated copy (same unit, same
    # time and place: an exact duplicate, dropped)
    assert units["PC5102"] == [t0, t0 + 30000, t0 + 60000]
    assert units["NE31 evening"] == [t0, t0 + 30000, t0 + 60000]  # no track name: the file name
    # NMEA: 2 good RMC fixes; the second has HDOP 7.5 > 5 and is dropped
    assert units["ne32"] == [t0]
    # GeoJSON: callsign column; the second point has hdop 9.5 > 5
    assert units["NE41"] == [t0]
    dropped = res["ROWS_DROPPED"]
    assert dropped["NMEA sentence with a bad checksum"] == 1
    assert dropped["NMEA sentence without a GPS fix"] == 1
    assert dropped["accuracy worse than the limit"] == 2
    assert dropped["exact duplicate (same unit, time and place)"] == 1
    report = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "truncated.gpx: damaged GPX" in report


def test_pseudonymised_ids_never_show_the_real_ones(run_alg, tmp_path):
    from hotspot_patrol_plugin.core.pseudonym import pseudonym

    res, layer = run_import(run_alg, tmp_path, ["avl_dayfirst.csv"], PSEUDONYMISE_KEY="s3cret")
    assert {f["unit_id"] for f in layer.getFeatures()} == {pseudonym("NE21", "s3cret"), pseudonym("NE22", "s3cret")}
    blob = (tmp_path / "tracks.gpkg").read_bytes() + (tmp_path / "report.html").read_bytes()
    assert b"NE21" not in blob and b"s3cret" not in blob


def test_folder_input_and_empty_files(run_alg, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    for name in ("empty.csv", "header_only.csv", "pc5102_shift.gpx"):
        (folder / name).write_bytes((DATA / name).read_bytes())
    (folder / "readme.pdf").write_bytes(b"%PDF")
    res = run_alg("hotspotpatrol:importtracks", {"INPUT": [str(folder)], "OUTPUT": str(tmp_path / "t.gpkg")})
    assert res["ROWS_KEPT"] == 3 and res["ROWS_READ"] == 3


def test_output_has_a_working_spatial_index(run_alg, tmp_path):
    res, layer = run_import(run_alg, tmp_path, ["avl_dayfirst.csv"])
    con = sqlite3.connect(tmp_path / "tracks.gpkg")
    assert con.execute("SELECT rtreecheck('rtree_tracks_geom')").fetchone() == ("ok",)
    assert con.execute("SELECT COUNT(*) FROM rtree_tracks_geom").fetchone() == (6,)
    assert layer.hasSpatialIndex() in (1, 2)  # QgsFeatureSource.SpatialIndexPresent (2) or unknown (1)


def test_import_then_match_equals_matching_the_original(run_alg, tmp_path, sample_gpkg):
    from qgis.core import QgsProject

    s = str(sample_gpkg)
    res = run_alg("hotspotpatrol:importtracks", {"LAYER": f"{s}|layername=pings", "OUTPUT": str(tmp_path / "t.gpkg")})
    assert res["ROWS_DROPPED"] == {} and res["ROWS_KEPT"] == res["ROWS_READ"] > 2000

    def visits(tracks, unit, time):
        r = run_alg(
            "hotspotpatrol:matchtracks",
            {
                "TRACKS": tracks,
                "UNIT_FIELD": unit,
                "TIME_FIELD": time,
                "ZONES": f"{s}|layername=zones",
                "VISITS": "memory:",
                "COVERAGE": "memory:",
            },
        )
        layer = r["VISITS"] if isinstance(r["VISITS"], QgsVectorLayer) else QgsProject.instance().mapLayer(r["VISITS"])
        return sorted(
            (
                f["zone_id"],
                f["unit_id"],
                f["entry_time"].toMSecsSinceEpoch() // 1000,
                f["exit_time"].toMSecsSinceEpoch() // 1000,
            )
            for f in layer.getFeatures()
        )

    original = visits(f"{s}|layername=pings", "callsign", "time")
    imported = visits(res["OUTPUT"], "unit_id", "time")
    assert len(original) > 50 and imported == original


def test_nothing_to_import_is_one_sentence(run_alg, tmp_path):
    with pytest.raises(QgsProcessingException) as err:
        run_alg("hotspotpatrol:importtracks", {"OUTPUT": str(tmp_path / "t.gpkg")})
    assert "Choose track files" in str(err.value)


def test_out_of_area_and_future_rows_are_dropped(run_alg, tmp_path):
    res, layer = run_import(run_alg, tmp_path, ["outside_future.csv"])
    assert res["ROWS_KEPT"] == 1
    assert res["ROWS_DROPPED"] == {"outside the area of the output CRS": 1, "time in the future": 1}


def test_ids_keep_leading_zeros_and_a_bad_number_costs_one_row(run_alg, tmp_path):
    res, layer = run_import(run_alg, tmp_path, ["collar_bad_lat.csv"])
    assert {f["unit_id"] for f in layer.getFeatures()} == {"0071"}
    assert res["ROWS_KEPT"] == 2 and res["ROWS_DROPPED"] == {"missing or invalid coordinates": 1}


def test_the_pseudonymisation_key_never_reaches_log_or_history(qgis_processing):
    """Processing logs the input parameters and records runs in its history (Python and
    qgis_process commands, the parameter map): every one shows a mask instead of the key."""
    from qgis.core import QgsApplication, QgsProcessingAlgorithm, QgsProcessingContext

    alg = QgsApplication.processingRegistry().createAlgorithmById("hotspotpatrol:importtracks")
    context = QgsProcessingContext()
    params = {"INPUT": [str(DATA / "avl_dayfirst.csv")], "PSEUDONYMISE_KEY": "s3cret-key", "OUTPUT": "TEMPORARY_OUTPUT"}
    shown = [
        alg.parameterDefinition("PSEUDONYMISE_KEY").valueAsPythonString("s3cret-key", context),
        alg.parameterDefinition("PSEUDONYMISE_KEY").clone().valueAsPythonString("s3cret-key", context),
        alg.asPythonCommand(params, context),
    ]
    if hasattr(QgsProcessingAlgorithm, "asQgisProcessCommand"):  # QGIS 3.24+
        shown.append(str(alg.asQgisProcessCommand(params, context)))
    if hasattr(QgsProcessingAlgorithm, "asMap"):
        shown.append(str(alg.asMap(params, context)))
    assert all("s3cret" not in text for text in shown)
    assert "********" in shown[0] and "'PSEUDONYMISE_KEY':'********'" in shown[2].replace(" ", "")
    assert "s3cret" not in alg.asPythonCommand({"PSEUDONYMISE_KEY": "s3cret-key"}, context)


def test_cleaning_steps_can_be_switched_off(run_alg, tmp_path):
    # all on: the duplicate and the (0,0) row go (see the first test)
    res, layer = run_import(run_alg, tmp_path, ["avl_dayfirst.csv"], CLEANING=[1, 2, 3])
    assert res["ROWS_KEPT"] == 7  # the duplicate (row 3) stays: duplicates are not checked
    assert ("NE21", utc_ms(2026, 11, 24, 14, 5, 30), 430010, 433000, 3) in rows(layer)
    assert "exact duplicate (same unit, time and place)" not in res["ROWS_DROPPED"]
    res, layer = run_import(run_alg, tmp_path, ["avl_dayfirst.csv"], CLEANING=[0, 2, 3])
    assert ("NE22", utc_ms(2026, 11, 24, 14, 5, 0), 0, 0, 10) in rows(layer)  # (0,0) is a BNG position then
    assert "coordinates (0, 0)" not in res["ROWS_DROPPED"] and res["ROWS_KEPT"] == 7
    # future and out-of-area: on by default, off when left out
    res, _ = run_import(run_alg, tmp_path, ["outside_future.csv"])
    assert res["ROWS_KEPT"] == 1 and res["ROWS_DROPPED"] == {
        "outside the area of the output CRS": 1,
        "time in the future": 1,
    }
    res, layer = run_import(run_alg, tmp_path, ["outside_future.csv"], CLEANING=[0, 1], OUTPUT_CRS="EPSG:4326")
    assert res["ROWS_KEPT"] == 3 and res["ROWS_DROPPED"] == {}
    assert sorted(round(f.geometry().asPoint().x(), 2) for f in layer.getFeatures()) == [-1.55, -1.55, 151.2]


@pytest.mark.parametrize(
    "files", [["NE31 evening.gpx"], ["pc5102_shift.gpx"], ["phone_app.geojson"], ["offsets_nulls.geojson"]]
)
def test_big_layers_read_in_bulk_give_the_same_tracks(run_alg, tmp_path, monkeypatch, files):
    """Layers above SMALL_LAYER features go through GDAL's Arrow stream (SQLite SQL keeps time
    offsets); forced here on small fixtures, the import must equal the feature-by-feature one."""
    from hotspot_patrol_plugin.formats import readers

    (tmp_path / "features").mkdir()
    (tmp_path / "bulk").mkdir()
    _, layer = run_import(run_alg, tmp_path / "features", files)
    by_feature = rows(layer)
    monkeypatch.setattr(readers, "SMALL_LAYER", 1)
    bulk, used = readers._ogr_bulk, []
    monkeypatch.setattr(readers, "_ogr_bulk", lambda *a: used.append(bulk(*a)) or used[-1])
    _, layer = run_import(run_alg, tmp_path / "bulk", files)
    assert rows(layer) == by_feature and len(by_feature) >= 2
    assert used and all(u is not None for u in used)  # really read in bulk, no fallback


def test_geojson_offsets_null_values_and_a_null_geometry(run_alg, tmp_path):
    res, layer = run_import(run_alg, tmp_path, ["offsets_nulls.geojson"])
    # 12:00+01:00 is 11:00 UTC; the row without a geometry is dropped as having no position
    assert [(u, t) for u, t, *_ in rows(layer)] == [
        ("A1", utc_ms(2026, 7, 1, 11, 0, 0)),
        ("A1", utc_ms(2026, 7, 1, 12, 0, 30) + 250),
    ]
    assert res["ROWS_DROPPED"] == {"missing or invalid coordinates": 1}
    speeds = sqlite3.connect(tmp_path / "tracks.gpkg").execute("SELECT speed FROM tracks ORDER BY fid").fetchall()
    assert speeds == [(4.5,), (None,)]  # a null speed stays null


def test_columns_not_needed_are_not_read(run_alg, tmp_path):
    """A wide export: only the detected columns are read (headerless, so by position), with the
    same rows as reading everything."""
    text = (
        "NE21,24/11/2026 14:05:00,Car,53.8,-1.55,Millgarth,ok\n"
        "NE21,24/11/2026 14:05:30,Car,53.802,-1.55,Millgarth,\n"
        "NE22,24/11/2026 14:05:00,Foot,53.81,-1.56,Weetwood,x\n"
    )
    (tmp_path / "wide.csv").write_text(text)
    res = run_alg(
        "hotspotpatrol:importtracks",
        {
            "INPUT": [str(tmp_path / "wide.csv")],
            "OUTPUT_CRS": "EPSG:4326",
            "OUTPUT": str(tmp_path / "t.gpkg"),
            "REPORT": str(tmp_path / "r.html"),
        },
    )
    layer = QgsVectorLayer(res["OUTPUT"], "t", "ogr")
    assert rows(layer) == [
        ("NE21", utc_ms(2026, 11, 24, 14, 5, 0), -1.55, 53.8, 1),
        ("NE21", utc_ms(2026, 11, 24, 14, 5, 30), -1.55, 53.802, 2),
        ("NE22", utc_ms(2026, 11, 24, 14, 5, 0), -1.56, 53.81, 3),
    ]
    report = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "4 of 7 columns read" in report and "position from column_5/column_4" in report
