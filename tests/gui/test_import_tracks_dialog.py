"""The "Import officer tracks" dialog: what it detects in the first rows, overrides, and the
parameters it hands to hotspotpatrol:importtracks. Hand-checked against tests/data/import."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from qgis.PyQt.QtGui import QFont
from qgis.PyQt.QtWidgets import QApplication, QDialogButtonBox

from hotspot_patrol_plugin.formats import readers
from hotspot_patrol_plugin.formats import track_import as T
from hotspot_patrol_plugin.ui.track_import_dialog import ImportTracksDialog

DATA = Path(__file__).resolve().parents[1] / "data" / "import"
DOCS = Path(__file__).resolve().parents[2] / "docs"


def column(dialog, header_start: str) -> list[str]:
    t = dialog.table
    j = next(j for j in range(t.columnCount()) if t.horizontalHeaderItem(j).text().startswith(header_start))
    return [t.item(i, j).text() for i in range(t.rowCount())]


def headers(dialog) -> list[str]:
    return [dialog.table.horizontalHeaderItem(j).text() for j in range(dialog.table.columnCount())]


def test_preview_reads_only_the_first_rows_and_says_what_it_found():
    raw = readers.read_file(str(DATA / "avl_dayfirst.csv"), limit=3)[0]
    assert len(raw.frame) == 3
    pv = T.preview(raw, T.Options())
    assert pv.columns == {"unit": "Callsign", "time": "Date Time", "x": "Easting", "y": "Northing", "speed": "Speed"}
    # 24/11/2026 is November: London is on GMT, so the wall-clock time is the UTC time
    assert pv.times == ["2026-11-24 14:05:00 UTC", "2026-11-24 14:05:30 UTC", "2026-11-24 14:05:30 UTC"]
    assert pv.usable == 3 and pv.time_note == "dates are day-first: 3 have a first number above 12"


def test_gpx_position_comes_from_the_geometry_without_a_misleading_note():
    raw = readers.read_file(str(DATA / "NE31 evening.gpx"), limit=5)[0]
    pv = T.preview(raw, T.Options())
    assert "position from the geometry" in pv.describe and "chosen by their values" not in pv.describe
    assert "x" not in pv.columns and pv.columns["time"] == "time"


def test_dialog_shows_detected_columns_and_times(qgis_app):
    d = ImportTracksDialog(paths=[str(DATA / "avl_dayfirst.csv")])
    assert d.source.count() == 1 and d.source.currentText() == "avl_dayfirst.csv"
    text = d.detected.text()
    assert "unit from Callsign" in text and "dates are day-first" in text
    assert headers(d)[:4] == ["Callsign\n[unit]", "Date Time\n[time]", "Easting\n[x]", "Northing\n[y]"]
    assert headers(d)[-2:] == ["time read as\n(UTC)", "time read as\n(Europe/London)"]
    assert column(d, "time read as")[:2] == ["2026-11-24 14:05:00 UTC", "2026-11-24 14:05:30 UTC"]
    assert d.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert d.parameters() == {"INPUT": [str(DATA / "avl_dayfirst.csv")], "DATE_ORDER": 0, "TIMEZONE": "Europe/London"}


def test_overrides_change_the_preview_and_the_parameters(qgis_app):
    d = ImportTracksDialog(paths=[str(DATA / "monthfirst.csv")])
    # 11/13/2025: only month-first can read it (no month 13)
    assert column(d, "time read as") == ["2025-11-13 14:05:00 UTC", "2025-11-14 14:05:00 UTC"]
    assert "month-first" in d.detected.text()
    d.date_order.setCurrentText("day-first")  # forced the wrong way: every row unreadable, and said so
    assert column(d, "time read as") == ["cannot read", "cannot read"]
    assert "0 of the first 2 rows" in d.detected.text()
    assert not d.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()  # nothing to import
    d.date_order.setCurrentText("auto")
    d.combos["unit"].setCurrentIndex(d.combos["unit"].findData("lat"))  # a silly choice, but the user's
    assert headers(d)[2] == "lat\n[unit, y]"
    assert d.parameters()["UNIT_FIELD"] == "lat" and "TIME_FIELD" not in d.parameters()


def test_folder_lists_every_track_table_and_reports_unusable_files(qgis_app, tmp_path):
    (tmp_path / "a.csv").write_text("callsign,time,lat,lon\nA1,2026-07-01T12:00:00+01:00,53.8,-1.5\n")
    (tmp_path / "notes.docx").write_bytes(b"PK")
    (tmp_path / "b.csv").write_text("foo,bar\n1,2\n")
    d = ImportTracksDialog(paths=[str(tmp_path)])
    assert [d.source.itemText(i) for i in range(d.source.count())] == ["a.csv", "b.csv"]
    assert column(d, "time read as") == ["2026-07-01 11:00:00 UTC"]  # the offset honoured
    # ... and shown as the analyst's clock reads it: July in London is UTC+1 (issue 15: 19:00 shown as 18:00)
    assert column(d, "time read as\n(Europe") == ["2026-07-01 12:00:00 BST"]
    assert "notes.docx: ignored" in d.detected.text()
    d.source.setCurrentIndex(1)
    assert "Cannot be imported" in d.detected.text() and "no unit column found" in d.detected.text()


def test_unknown_time_zone_is_one_sentence(qgis_app):
    d = ImportTracksDialog(paths=[str(DATA / "avl_dayfirst.csv")])
    d.timezone.setText("Europe/Londn")
    d.refresh()
    assert d.detected.text().startswith("Cannot read these rows:") and d.table.rowCount() == 0


@pytest.mark.skipif(not os.environ.get("HP_UPDATE_DOCS"), reason="writes docs/import_dialog.png (HP_UPDATE_DOCS=1)")
def test_render_dialog_for_the_docs(qgis_app):
    old = QApplication.font()
    QApplication.setFont(QFont("DejaVu Sans", 9))
    try:
        d = ImportTracksDialog(paths=[str(DATA / "avl_dayfirst.csv")])
        d.resize(900, 560)
        d.show()
        QApplication.processEvents()
        assert d.grab().save(str(DOCS / "import_dialog.png"))
    finally:
        QApplication.setFont(old)


def test_gpx_previews_its_track_points_and_an_empty_file_is_said(qgis_app):
    d = ImportTracksDialog(paths=[str(DATA / "NE31 evening.gpx"), str(DATA / "empty.csv")])
    assert [d.source.itemText(i) for i in range(d.source.count())] == ["NE31 evening.gpx", "empty.csv"]
    assert "unit from the file name (NE31 evening)" in d.detected.text()
    assert column(d, "time read as") == [
        "2026-11-24 14:05:00 UTC",
        "2026-11-24 14:05:30 UTC",
        "2026-11-24 14:06:00 UTC",
    ]
    d.source.setCurrentIndex(1)
    assert "Cannot be imported" in d.detected.text() and "no rows" in d.detected.text()
    assert d.table.rowCount() == 0
