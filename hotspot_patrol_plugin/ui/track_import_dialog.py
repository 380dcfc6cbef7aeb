"""Import officer tracks: choose files, see what will be read from them, then run the import.

Before anything runs, the dialog reads the first rows of the chosen file (nothing else) and shows
which columns give the unit, the time and the position, how numeric dates will be read (day- or
month-first) and each row's time as the import will read it, in UTC. Any column can be overridden;
the preview follows. "Import…" opens hotspotpatrol:importtracks pre-filled, so the run has
Processing's own progress, log and history.
"""

from __future__ import annotations

import html
import os

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QBrush, QColor
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ..core.definitions import DATE_ORDERS, DEFAULT_TIMEZONE

ALGORITHM = "hotspotpatrol:importtracks"
PREVIEW_ROWS = 50
DETECT = "(detect)"
ROLE_COLOUR = QColor(222, 235, 247)  # a light blue behind the columns the import uses
FILTER = (
    "Track files (*.csv *.tsv *.txt *.tab *.dat *.gpx *.kml *.kmz *.geojson *.json *.gpkg *.nmea *.nma *.log);;"
    "All files (*)"
)


class ImportTracksDialog(QDialog):
    def __init__(self, parent=None, paths=None):
        super().__init__(parent)
        self.setObjectName("HotspotPatrolImportTracksDialog")
        self.setWindowTitle("Import Officer Tracks")
        self.resize(860, 620)
        self._raws = {}  # file -> its first table with rows (first rows only)
        self._notes = []  # files that could not be previewed
        self.preview = None
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Choose the files a force system exported (CSV, GPX, GeoJSON, KML, NMEA) or a folder of "
            "them. Below: what will be read from the first rows. Nothing is imported until you press "
            "Import."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        row = QHBoxLayout()
        self.paths = QLineEdit()
        self.paths.setObjectName("import_paths")
        self.paths.setPlaceholderText("Files or a folder; several separated by ;")
        self.paths.setToolTip("Track files or folders to import, separated by semicolons")
        self.paths.editingFinished.connect(self._paths_changed)
        row.addWidget(self.paths, 1)
        files = QPushButton("Files…")
        files.setToolTip("Choose one or more track files")
        files.clicked.connect(self._choose_files)
        folder = QPushButton("Folder…")
        folder.setToolTip("Choose a folder: every track file in it is imported")
        folder.clicked.connect(self._choose_folder)
        row.addWidget(files)
        row.addWidget(folder)
        layout.addLayout(row)

        form = QFormLayout()
        self.source = QComboBox()
        self.source.setObjectName("preview_source")
        self.source.setToolTip("The file (or layer of a file) shown below; all of them are imported")
        self.source.currentIndexChanged.connect(self._source_changed)
        form.addRow("Preview of", self.source)
        self.combos = {}
        columns = QHBoxLayout()
        for role, label, tip in (
            ("unit", "Unit", "Callsign, collar number, device id or ISSI"),
            ("time", "Time", "Date and time of each ping"),
            ("x", "X / lon / easting", "Longitude, easting or a WKT column"),
            ("y", "Y / lat / northing", "Latitude or northing"),
        ):
            combo = QComboBox()
            combo.setObjectName(f"column_{role}")
            combo.setToolTip(f"{tip}. “{DETECT}” lets the import choose; pick a column to override it.")
            combo.addItem(DETECT, "")
            combo.currentIndexChanged.connect(self.refresh)
            self.combos[role] = combo
            columns.addWidget(QLabel(label))
            columns.addWidget(combo, 1)
        form.addRow("Columns", columns)
        options = QHBoxLayout()
        self.date_order = QComboBox()
        self.date_order.setObjectName("date_order")
        self.date_order.addItems(list(DATE_ORDERS))
        self.date_order.setToolTip("How dates like 03/04/2026 are read. auto decides from the data and says how.")
        self.date_order.currentIndexChanged.connect(self.refresh)
        self.timezone = QLineEdit(DEFAULT_TIMEZONE)
        self.timezone.setObjectName("timezone")
        self.timezone.setToolTip("IANA time zone of times written without an offset, e.g. Europe/London")
        self.timezone.editingFinished.connect(self.refresh)
        options.addWidget(QLabel("Dates"))
        options.addWidget(self.date_order)
        options.addWidget(QLabel("Time zone"))
        options.addWidget(self.timezone, 1)
        form.addRow("Reading", options)
        layout.addLayout(form)

        self.detected = QLabel()
        self.detected.setObjectName("detected")
        self.detected.setWordWrap(True)
        self.detected.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.detected)
        self.table = QTableWidget()
        self.table.setObjectName("preview_table")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import…")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setToolTip(
            "Opens the import algorithm with these choices: set the output file and cleaning options there"
        )
        self.buttons.accepted.connect(self._import)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        if paths:
            self.set_paths(paths)
        else:
            self._show_nothing("Choose files or a folder to see a preview.")

    # ------------------------------------------------------------------ choosing files
    def _choose_files(self):
        chosen, _ = QFileDialog.getOpenFileNames(self, "Track files", self._start_dir(), FILTER)
        if chosen:
            self.set_paths(chosen)

    def _choose_folder(self):
        chosen = QFileDialog.getExistingDirectory(self, "Folder of track files", self._start_dir())
        if chosen:
            self.set_paths([chosen])

    def _start_dir(self) -> str:
        first = self.path_list()[:1]
        return os.path.dirname(first[0]) if first else os.path.expanduser("~")

    def path_list(self) -> list[str]:
        return [p.strip().strip('"') for p in self.paths.text().split(";") if p.strip()]

    def set_paths(self, paths) -> None:
        self.paths.setText("; ".join(str(p) for p in paths))
        self._paths_changed()

    def _paths_changed(self):
        from ..formats.readers import expand_inputs

        files, notes = expand_inputs(self.path_list())
        self._raws = {}
        self.source.blockSignals(True)
        self.source.clear()
        for path in files:  # read when chosen: a folder of thousands of files lists at once
            self.source.addItem(os.path.basename(path), path)
        self.source.blockSignals(False)
        self._notes = notes
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(files))
        if self.source.count():
            self._source_changed()
        else:
            self._show_nothing(" ".join(notes) or "No track files found there.")

    def _current_raw(self):
        """The first table with rows of the chosen file (its first rows only), read once."""
        from ..formats.readers import read_file

        path = self.source.currentData()
        if path is None:
            return None
        if path not in self._raws:
            try:
                raws = read_file(path, limit=PREVIEW_ROWS)
            except Exception as e:  # an unreadable file is said, the others still preview
                raws = []
                self._notes = self._notes + [f"{os.path.basename(path)}: unreadable ({e})"]
            with_rows = [r for r in raws if len(r.frame)]
            self._raws[path] = (with_rows or raws or [None])[0]
        return self._raws[path]

    def _source_changed(self, *_):
        raw = self._current_raw()
        names = [str(c) for c in raw.frame.columns] if raw is not None else []
        for combo in self.combos.values():
            keep = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(DETECT, "")
            for name in names:
                combo.addItem(name, name)
            combo.setCurrentIndex(max(combo.findData(keep), 0))
            combo.blockSignals(False)
        self.refresh()

    # ------------------------------------------------------------------ the preview
    def options(self):
        from ..formats.track_import import Options

        return Options(
            unit_field=self.combos["unit"].currentData() or "",
            time_field=self.combos["time"].currentData() or "",
            x_field=self.combos["x"].currentData() or "",
            y_field=self.combos["y"].currentData() or "",
            date_order=self.date_order.currentText(),
            timezone=self.timezone.text().strip() or DEFAULT_TIMEZONE,
        )

    def refresh(self, *_):
        from ..formats.track_import import preview

        raw = self._current_raw()
        if raw is None:
            self._show_nothing(" ".join(self._notes) or "Nothing to preview in this file.")
            return
        try:
            self.preview = preview(raw, self.options())
        except Exception as e:  # e.g. an unknown time zone: said in one sentence, no traceback
            self.preview = None
            self._show_nothing(f"Cannot read these rows: {e}")
            return
        self._show(self.preview)

    def _show(self, pv):
        n = len(pv.frame)
        text = html.escape(pv.describe.split(": ", 1)[-1] if not pv.error else pv.describe)
        if pv.error:
            text = f"<b style='color:#b00'>Cannot be imported:</b> {text}"
        else:
            text = f"<b>Reads</b> {text}."
            if pv.time_note:
                text += f"<br><b>Dates:</b> {html.escape(pv.time_note)} (in the first {n:,} rows)."
            text += f"<br><b>{pv.usable:,} of the first {n:,} rows</b> have a unit, a readable time and a position."
        if self._notes:
            text += "<br>" + html.escape(" ".join(self._notes))
        self.detected.setText(text)
        role_of = {}
        for role, column in pv.columns.items():
            role_of.setdefault(column, []).append(role)
        columns = [str(c) for c in pv.frame.columns]
        self.table.clear()
        self.table.setColumnCount(len(columns) + 2)
        self.table.setRowCount(n)
        headers = [f"{c}\n[{', '.join(role_of[c])}]" if c in role_of else c for c in columns]
        zone = self.timezone.text().strip() or DEFAULT_TIMEZONE
        self.table.setHorizontalHeaderLabels(headers + ["time read as\n(UTC)", f"time read as\n({zone})"])
        # the Import button: only when some row can be imported
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not pv.error and pv.usable > 0)
        brush = QBrush(ROLE_COLOUR)
        for j, c in enumerate(pv.frame.columns):
            values = pv.frame[c].astype(object).tolist()
            for i, v in enumerate(values):
                item = QTableWidgetItem("" if v is None or v != v else str(v))
                if str(c) in role_of:
                    item.setBackground(brush)
                self.table.setItem(i, j, item)
        for i, (t, local) in enumerate(zip(pv.times, _local_times(pv.times, zone))):
            for k, text in enumerate((t, local)):
                item = QTableWidgetItem(text or "cannot read")
                if not text:
                    item.setForeground(QBrush(QColor(176, 0, 0)))
                item.setBackground(brush)
                self.table.setItem(i, len(columns) + k, item)

    def _show_nothing(self, text: str):
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.detected.setText(html.escape(text))
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)

    # ------------------------------------------------------------------ running
    def parameters(self) -> dict:
        """hotspotpatrol:importtracks parameters for the choices made here."""
        params = {
            "INPUT": self.path_list(),
            "DATE_ORDER": self.date_order.currentIndex(),
            "TIMEZONE": self.timezone.text().strip() or DEFAULT_TIMEZONE,
        }
        for role, key in (("unit", "UNIT_FIELD"), ("time", "TIME_FIELD"), ("x", "X_FIELD"), ("y", "Y_FIELD")):
            if self.combos[role].currentData():
                params[key] = self.combos[role].currentData()
        return params

    def _import(self):
        from qgis import processing

        params = self.parameters()
        self.accept()
        processing.execAlgorithmDialog(ALGORITHM, params)


def _local_times(utc_texts, timezone: str) -> list:
    """UTC ISO texts as wall-clock times in ``timezone`` (a July 18:00 UTC is 19:00 in London)."""
    import pandas as pd

    try:
        t = pd.to_datetime(pd.Series(list(utc_texts), dtype=object), utc=True, errors="coerce")
        local = t.dt.tz_convert(timezone)
    except Exception:  # noqa: BLE001 - an unknown zone or an old pandas: the UTC column stays
        return [""] * len(utc_texts)
    return ["" if pd.isna(v) else v.strftime("%Y-%m-%d %H:%M:%S %Z") for v in local]
