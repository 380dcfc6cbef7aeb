"""hotspotpatrol:importtracks - Import officer tracks from the files forces have."""

from __future__ import annotations

import html
import os
import time

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterCrs,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorDestination,
)

from ..core.definitions import DATE_ORDERS, DEFAULT_TIMEZONE
from ..qgis_io import compat
from .base import HotspotAlgorithm

HELP = (
    "<p>Turns the location exports forces have into one clean track layer, ready for <i>Match officer tracks "
    "to hot spots</i>. Give one file, several files or a folder (CSV/TSV/TXT with any delimiter, with or "
    "without a header, UTF-8 or Windows-1252; GPX tracks, routes and waypoints; GeoJSON; KML; NMEA logs with "
    "$GPRMC/$GPGGA) or an existing point layer.</p> "
    "<p><b>Columns</b> are detected by name and content (callsign, collar number, device id, ISSI; time, or a"
    " date and a time column; latitude/longitude, British National Grid easting/northing or a WKT column; "
    "speed, heading, accuracy or HDOP). Name any of them to override. The log and the report say what was "
    "chosen. For one-officer GPX files the unit is the track name, else the file name.</p> "
    "<p><b>Times</b>: ISO 8601 with or without an offset, UK day-first dates (24/11/2026 14:05:09), "
    "month-first only when you say so, year-first, epoch seconds, milliseconds, microseconds or nanoseconds "
    "(the unit decided by the size of the numbers, and named in the log). Whether numeric dates are day- or "
    "month-first is decided from the data (a day above 12 proves it) and reported; when the data cannot prove"
    " it they are read day-first and the log says so. Times without an offset are local to the time zone; the"
    " repeated autumn hour is resolved by each unit's ping order.</p> "
    "<p><b>Cleaning</b>, every step counted by reason with example rows in the report: rows without a unit, "
    "time or position; (0,0) and out-of-area coordinates; future times; accuracy worse than the limit (HDOP "
    "is compared as given); exact duplicates; a second position at the same time; impossible jumps (a single "
    "ping faster than the speed limit there and back; 0 switches this off). Out-of-order rows are sorted. "
    "Duplicates, (0,0), out-of-area and future-time checks can each be switched off under <i>Cleaning "
    "steps</i>; rows without a unit, a readable time or a position can never be imported.</p> "
    "<p><b>Pseudonymisation</b>: with a key, unit ids become keyed HMAC-SHA256 pseudonyms such as U-3f9a2c, "
    "the same every month for the same key. The key is not written to the outputs, and Processing's log and "
    "history show ******** in its place.</p> "
    "<p>Outputs: a GeoPackage point layer (unit_id, time in UTC, speed, heading, accuracy, source_file, "
    "source_row) with a spatial index, a per-unit summary table and an HTML report. An output never replaces "
    "an input: naming an input file (or a layer the run reads) as an output stops the run with one sentence; "
    "a new layer in an input GeoPackage (<code>file.gpkg|layername=tracks</code>) is fine. When no row can be"
    " imported the run fails with the reasons, so a script never sees success and an empty layer.</p>"
)

#: optional cleaning steps (CLEANING), all on by default; track_import.Options.steps names them
CLEANING_STEPS = [
    ("duplicates", "Drop exact duplicates and second positions at the same time"),
    ("zero", "Drop (0,0) coordinates"),
    ("outside", "Drop coordinates outside the output CRS's area"),
    ("future", "Drop times in the future"),
]


MASK = "********"


class KeyParameter(QgsProcessingParameterString):
    """The pseudonymisation key: a string that is never echoed. Processing's log, its history and
    the Python/qgis_process commands it records show a mask instead of the key."""

    def clone(self):
        copy = KeyParameter(
            self.name(),
            self.description(),
            self.defaultValue(),
            self.multiLine(),
            bool(self.flags() & compat.FLAG_OPTIONAL),
        )
        copy.setFlags(self.flags())
        return copy

    def valueAsPythonString(self, value, context):
        return repr(MASK) if value else "''"

    def valueAsJsonObject(self, value, context):  # QGIS API (3.24+)
        return MASK if value else ""


def _masked(parameters: dict) -> dict:
    masked = dict(parameters or {})
    if masked.get("PSEUDONYMISE_KEY"):
        masked["PSEUDONYMISE_KEY"] = MASK
    return masked


class ImportTracksAlgorithm(HotspotAlgorithm):
    ALG_ID = "importtracks"
    DISPLAY = "Import officer tracks"
    GROUP = "Data preparation"
    GROUP_ID = "preparation"
    HELP = HELP

    INPUT = "INPUT"
    LAYER = "LAYER"
    UNIT_FIELD = "UNIT_FIELD"
    TIME_FIELD = "TIME_FIELD"
    X_FIELD = "X_FIELD"
    Y_FIELD = "Y_FIELD"
    SOURCE_CRS = "SOURCE_CRS"
    DATE_ORDER = "DATE_ORDER"
    TIMEZONE = "TIMEZONE"
    MAX_SPEED_KMH = "MAX_SPEED_KMH"
    MAX_ACCURACY_M = "MAX_ACCURACY_M"
    CLEANING = "CLEANING"
    PSEUDONYMISE_KEY = "PSEUDONYMISE_KEY"
    OUTPUT_CRS = "OUTPUT_CRS"
    OUTPUT = "OUTPUT"
    SUMMARY = "SUMMARY"
    REPORT = "REPORT"
    ROWS_READ = "ROWS_READ"
    ROWS_KEPT = "ROWS_KEPT"
    ROWS_DROPPED = "ROWS_DROPPED"

    def initAlgorithm(self, config=None):
        opt = compat.FLAG_OPTIONAL
        self.addParameter(
            QgsProcessingParameterMultipleLayers(
                self.INPUT, self.tr("Track files or folders"), compat.SOURCE_FILE, optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.LAYER, self.tr("…or an existing point layer"), [compat.SOURCE_POINT], optional=True
            )
        )
        for key, label in (
            (self.UNIT_FIELD, "Unit column (empty: detect)"),
            (self.TIME_FIELD, "Time column (empty: detect)"),
            (self.X_FIELD, "X / longitude / easting column (empty: detect)"),
            (self.Y_FIELD, "Y / latitude / northing column (empty: detect)"),
        ):
            self.addParameter(QgsProcessingParameterString(key, self.tr(label), optional=True))
        self.addParameter(
            QgsProcessingParameterCrs(self.SOURCE_CRS, self.tr("CRS of the coordinates (empty: detect)"), optional=True)
        )
        p = QgsProcessingParameterEnum(
            self.DATE_ORDER, self.tr("Order of numeric dates"), list(DATE_ORDERS), defaultValue=0
        )
        p.setFlags(p.flags() | opt)
        self.addParameter(p)
        p = QgsProcessingParameterString(
            self.TIMEZONE, self.tr("Time zone of times without an offset"), defaultValue=DEFAULT_TIMEZONE
        )
        p.setFlags(p.flags() | opt)
        self.addParameter(p)
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MAX_SPEED_KMH,
                self.tr("Impossible jump above (km/h; 0 = keep all)"),
                compat.NUMBER_DOUBLE,
                200.0,
                True,
                0.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MAX_ACCURACY_M,
                self.tr("Drop pings with accuracy worse than (metres; empty = keep all)"),
                compat.NUMBER_DOUBLE,
                None,
                True,
                0.0,
            )
        )
        p = QgsProcessingParameterEnum(
            self.CLEANING,
            self.tr("Cleaning steps"),
            [t for _, t in CLEANING_STEPS],
            allowMultiple=True,
            defaultValue=list(range(len(CLEANING_STEPS))),
            optional=True,
        )
        self.addParameter(p)
        self.addParameter(
            KeyParameter(self.PSEUDONYMISE_KEY, self.tr("Pseudonymisation key (empty = keep unit ids)"), optional=True)
        )
        self.addParameter(
            QgsProcessingParameterCrs(self.OUTPUT_CRS, self.tr("Output CRS"), "EPSG:27700", optional=True)
        )
        self.addParameter(
            QgsProcessingParameterVectorDestination(self.OUTPUT, self.tr("Imported tracks"), compat.SOURCE_POINT)
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.SUMMARY, self.tr("Per-unit summary"), compat.SOURCE_VECTOR, optional=True, createByDefault=True
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.REPORT,
                self.tr("Import report"),
                self.tr("HTML files (*.html)"),
                optional=True,
                createByDefault=True,
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.ROWS_READ, self.tr("Rows read")))
        self.addOutput(QgsProcessingOutputNumber(self.ROWS_KEPT, self.tr("Rows kept")))

    def _steps(self, parameters, context) -> frozenset:
        if parameters.get(self.CLEANING) is None:  # not given: every step
            return frozenset(name for name, _ in CLEANING_STEPS)
        chosen = self.parameterAsEnums(parameters, self.CLEANING, context)
        return frozenset(CLEANING_STEPS[i][0] for i in chosen)

    def _crs(self, parameters, key, context, label):
        """A CRS parameter; one that is given but unknown stops the run (it is never ignored)."""
        crs = self.parameterAsCrs(parameters, key, context)
        given = parameters.get(key)
        if given not in (None, "") and not crs.isValid():
            raise QgsProcessingException(
                f"The {label} CRS '{given}' ({key}) is not a coordinate reference system QGIS knows: "
                "give an authority id such as EPSG:4326 or EPSG:27700."
            )
        return crs

    # what Processing writes into its log and history: the key masked
    def asPythonCommand(self, parameters, context):
        return super().asPythonCommand(_masked(parameters), context)

    if hasattr(QgsProcessingAlgorithm, "asQgisProcessCommand"):  # QGIS 3.24+

        def asQgisProcessCommand(self, parameters, context):
            return super().asQgisProcessCommand(_masked(parameters), context)

    if hasattr(QgsProcessingAlgorithm, "asMap"):  # QGIS 3.24+

        def asMap(self, parameters, context):
            return super().asMap(_masked(parameters), context)

    def _options(self, parameters, context):
        """(options for the import, the output CRS): every parameter as a plain value, checked once."""
        from ..formats import track_import
        from ..qgis_io.crs import crs_text, valid_box

        timezone = self.timezone(parameters, self.TIMEZONE, context)
        out_crs = self._crs(parameters, self.OUTPUT_CRS, context, "output")
        if not out_crs.isValid():
            out_crs = QgsCoordinateReferenceSystem("EPSG:27700")
        src_crs = self._crs(parameters, self.SOURCE_CRS, context, "source")
        max_speed = (
            self.parameterAsDouble(parameters, self.MAX_SPEED_KMH, context)
            if parameters.get(self.MAX_SPEED_KMH) not in (None, "")
            else 200.0
        )
        max_acc = (
            self.parameterAsDouble(parameters, self.MAX_ACCURACY_M, context)
            if parameters.get(self.MAX_ACCURACY_M) not in (None, "")
            else None
        )
        opts = track_import.Options(
            unit_field=(self.parameterAsString(parameters, self.UNIT_FIELD, context) or "").strip(),
            time_field=(self.parameterAsString(parameters, self.TIME_FIELD, context) or "").strip(),
            x_field=(self.parameterAsString(parameters, self.X_FIELD, context) or "").strip(),
            y_field=(self.parameterAsString(parameters, self.Y_FIELD, context) or "").strip(),
            source_crs=crs_text(src_crs) if src_crs.isValid() else "",
            date_order=DATE_ORDERS[self.parameterAsEnum(parameters, self.DATE_ORDER, context)],
            timezone=timezone,
            max_speed_kmh=max_speed if max_speed > 0 else None,
            max_accuracy_m=max_acc,
            steps=self._steps(parameters, context),
            pseudonymise_key=self.parameterAsString(parameters, self.PSEUDONYMISE_KEY, context) or "",
            output_crs=crs_text(out_crs),
            output_bounds=valid_box(out_crs),
        )
        return opts, out_crs

    def _read(self, parameters, context, opts, feedback):
        """(raw tables read from the files and the layer, sentences about inputs left out); None if cancelled."""
        import pandas as pd

        from ..formats import readers, track_import
        from ..qgis_io import layers
        from ..qgis_io.crs import crs_text
        from ..qgis_io.layers import read_points

        files = self.parameterAsFileList(parameters, self.INPUT, context) if parameters.get(self.INPUT) else []
        source = self.parameterAsSource(parameters, self.LAYER, context)
        if not files and source is None:
            if parameters.get(self.LAYER) not in (None, ""):
                raise QgsProcessingException(self.invalidSourceError(parameters, self.LAYER))
            raise QgsProcessingException("Choose track files or a folder (INPUT), or a point layer (LAYER).")
        raws, skipped_inputs = [], []
        paths, notes = readers.expand_inputs(files)
        skipped_inputs += notes
        for i, path in enumerate(paths):
            if feedback.isCanceled():
                return None
            try:
                raws += readers.read_file(path, columns=lambda sample: track_import.needed_columns(sample, opts))
            except Exception as e:  # one unreadable file must not stop the others
                skipped_inputs.append(f"{os.path.basename(path)}: unreadable ({e})")
            feedback.setProgress(30.0 * (i + 1) / max(len(paths), 1))
        if source is not None:
            layer = self.parameterAsVectorLayer(parameters, self.LAYER, context)
            names = source.fields().names()
            table = read_points(source, layer, names, feedback, parameters.get(self.LAYER))
            name = layer.name() if layer is not None else "layer"
            raw = readers.Raw(
                name,
                pd.DataFrame(table.columns),
                table.fid.astype("int64"),
                table.x,
                table.y,
                crs_text(source.sourceCrs()),
            )
            unplaced = layers.unplaced_rows(layer, parameters.get(self.LAYER), len(table))
            if unplaced:
                raw.dropped[layers.UNPLACED] = unplaced
            raws.append(raw)
        return raws, skipped_inputs

    @staticmethod
    def _to_crs(target, context):
        """A function: a source CRS (text) -> the transform to ``target`` (cached)."""
        from ..qgis_io.crs import transformer

        cache = {}

        def make(crs_text):
            key = (crs_text, target.authid() or target.toWkt())
            if key not in cache:
                src = QgsCoordinateReferenceSystem(crs_text)
                if not src.isValid():
                    raise QgsProcessingException(f"Unknown coordinate reference system '{crs_text}'.")
                cache[key] = transformer(src, target, context)
            return cache[key]

        return make

    def processAlgorithm(self, parameters, context, feedback):
        self.require_dependencies()
        from ..core.definitions import TRACKS_SCHEMA
        from ..formats import readers, track_import
        from ..qgis_io import outputs

        started = time.perf_counter()
        self.check_outputs(parameters, context, [self.INPUT, self.LAYER], [self.OUTPUT, self.SUMMARY, self.REPORT])
        opts, out_crs = self._options(parameters, context)
        read = self._read(parameters, context, opts, feedback)
        if read is None:
            return {}
        raws, skipped_inputs = read
        imp = track_import.run(raws, opts, self._to_crs(out_crs, context), feedback)
        feedback.setProgress(60)
        self._log_import(imp, skipped_inputs, feedback)
        dropped = {k: int(v) for k, v in imp.dropped.items() if k != readers.TRUNCATED}
        counts = f"Read {imp.rows_read:,} rows, kept {len(imp):,}, dropped {sum(dropped.values()):,}" + "".join(
            f"; {k}: {v:,}" for k, v in dropped.items()
        )
        report = self.parameterAsFileOutput(parameters, self.REPORT, context)
        if len(imp) == 0:  # nothing usable: the report still says why, but the run fails
            self._fail(report, imp, dropped, skipped_inputs, counts, started)
        dest = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        columns = [imp.unit, imp.t, imp.speed, imp.heading, imp.accuracy, imp.source_file, imp.source_row]
        outputs.write_points_file(
            dest, "tracks", out_crs, TRACKS_SCHEMA, columns, imp.x, imp.y, feedback, progress=(60.0, 95.0)
        )
        results = {self.OUTPUT: dest}
        if parameters.get(self.SUMMARY) is not None:
            results[self.SUMMARY] = self._write_summary(parameters, context, track_import.summary(imp))
        if report:
            write_report(report, imp, dropped, skipped_inputs, time.perf_counter() - started)
            results[self.REPORT] = report
        feedback.pushInfo(counts + f" ({time.perf_counter() - started:.1f} s).")
        return {**results, self.ROWS_READ: imp.rows_read, self.ROWS_KEPT: len(imp), self.ROWS_DROPPED: dropped}

    @staticmethod
    def _log_import(imp, skipped_inputs, feedback) -> None:
        from ..core.times import plausibility_warning

        for line in skipped_inputs + imp.notes:
            feedback.pushInfo(line)
        implausible = plausibility_warning(imp.t, time.time())  # e.g. a count column taken for the time
        if implausible:
            feedback.pushWarning(implausible)

    @staticmethod
    def _fail(report, imp, dropped, skipped_inputs, counts, started):
        """Nothing was imported: the report (when asked for) says why, and the run stops with one sentence."""
        if report:
            write_report(report, imp, dropped, skipped_inputs, time.perf_counter() - started)
        why = [line[len("NOT IMPORTED: ") :] for line in imp.notes if line.startswith("NOT IMPORTED: ")]
        why += [line for line in skipped_inputs if "unreadable" in line or "no such file" in line]
        why += [line for line in imp.notes if line.endswith(("empty file", "no point features", "no rows"))]
        raise QgsProcessingException(
            "Nothing was imported: " + ("; ".join(why[:5]) + ". " if why else "") + counts + "."
        )

    def _write_summary(self, parameters, context, table):
        from ..core.definitions import IMPORT_SUMMARY_SCHEMA
        from ..qgis_io import outputs

        def num(values):
            return [None if v != v else round(float(v), 3) for v in values]

        columns = [
            table.unit_id.tolist(),
            table.pings.tolist(),
            table["first"].to_numpy(dtype=float),
            table["last"].to_numpy(dtype=float),
            num(table.median_interval_s),
            num(table.longest_gap_s),
            num(table.share_dropped),
        ]
        return outputs.write(self, parameters, self.SUMMARY, context, IMPORT_SUMMARY_SCHEMA, columns)


def write_report(path: str, imp, dropped: dict, skipped_inputs: list, seconds: float) -> None:
    """A self-contained HTML page: counts, what was detected, what was dropped and examples."""
    esc = html.escape
    kept = len(imp)
    rows = "".join(f"<tr><td>{esc(k)}</td><td class=n>{v:,}</td></tr>" for k, v in dropped.items())
    examples = ""
    for reason, items in imp.examples.items():
        lis = "".join(f"<li>{esc(str(f))}, row {r}: <code>{esc(str(t))}</code></li>" for f, r, t in items[:5])
        examples += f"<h3>{esc(reason)}</h3><ul>{lis}</ul>"
    notes = "".join(f"<li>{esc(n)}</li>" for n in skipped_inputs + imp.notes)
    units = imp.unit_count() if kept else 0
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>Hotspot Patrol: track import</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:60em}}td,th{{padding:.2em .8em;border-bottom:1px solid #ddd}}
.n{{text-align:right}}code{{font-size:90%}}</style></head><body>
<h1>Track import report</h1>
<p>{imp.rows_read:,} rows read, <b>{kept:,} kept</b> ({units:,} units), {sum(dropped.values()):,} dropped;
{imp.out_of_order:,} rows were out of order and sorted. Took {seconds:.1f} s.</p>
<h2>What was read and how</h2><ul>{notes}</ul>
<h2>Dropped rows by reason</h2><table><tr><th>reason</th><th>rows</th></tr>
{rows or "<tr><td>none</td><td></td></tr>"}</table>
<h2>Examples</h2>{examples or "<p>none</p>"}
</body></html>"""
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(page)
    except OSError as e:
        raise QgsProcessingException(f"The import report cannot be written to {path} ({e.strerror}).") from None
