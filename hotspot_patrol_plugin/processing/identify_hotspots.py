"""hotspotpatrol:identifyhotspots - Identify hot spots from crime data."""

from __future__ import annotations

import time
from dataclasses import dataclass

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterCrs,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ..core.definitions import DEFAULT_TIMEZONE
from ..qgis_io import compat
from .base import HotspotAlgorithm

HELP = (
    "<p>Finds statistically significant hot spots of crime and turns them into zones to patrol.</p> "
    "<p><b>Grid.</b> The study area (a polygon layer, or by default the extent of the crimes) is covered "
    "with hexagons (or squares) <i>Cell size</i> metres apart centre to centre, in the output CRS. Every "
    "crime counts in exactly one cell (a crime on a shared edge belongs to one of the two cells). Each "
    "crime weighs 1, or the value of the weight field, or the weight of its type in the harm table (a CSV"
    " of <i>crime type, weight</i>); <code>harm</code> is the cell's total weight.</p> "
    "<p><b>Statistic.</b> Getis-Ord Gi* on harm, with binary weights to the adjacent cells (6 hexagons or"
    " 8 squares) plus the cell itself, over all n cells of the grid (empty cells included):</p> "
    "<p><code>z<sub>i</sub> = (S<sub>i</sub> &minus; x&#772; W<sub>i</sub>) / ( s &radic;[(n "
    "W<sub>i</sub> &minus; W<sub>i</sub>&sup2;) / (n &minus; 1)] )</code></p> "
    "<p>where S<sub>i</sub> is the harm in cell i and its neighbours, W<sub>i</sub> how many cells that "
    "is, x&#772; the mean and s the standard deviation (divided by n) of harm per cell. <code>gi_p</code>"
    " is the two-sided p-value of z under the normal approximation; <code>gi_p_fdr</code> is that p "
    "adjusted by Benjamini&ndash;Hochberg across all cells, which controls the false discovery rate among"
    " the many cells tested. <code>class</code>: hot/cold 99%, 95%, 90% where gi_p_fdr &le; 0.01, 0.05, "
    "0.10 (hot when z &gt; 0), else not significant.</p> "
    "<p><b>Outputs.</b> GRID: every cell with <code>cell_id, crimes, harm, gi_z, gi_p, gi_p_fdr, "
    "class</code>. HOTSPOTS: hot cells with gi_p_fdr &le; <i>Alpha</i> that share an edge, dissolved into"
    " zones (<code>zone_id</code> HS-001&hellip; ranked by harm, <code>crimes, harm, area_m2, cells, "
    "peak_gi_z</code>); zones with fewer than <i>Min crimes</i> are dropped and counted. They import "
    "straight into a patrol workspace and feed &lsquo;Match officer tracks to hot spots&rsquo;. "
    "CONCENTRATION: the cumulative share of harm against the cumulative share of area, cells sorted by "
    "harm, and the headline &ldquo;x% of the area holds 50% of the harm&rdquo;.</p> "
    "<p><b>Filters.</b> A period (on the date field; both ends included; times without an offset are "
    "local to the time zone) and a list of crime types (separated by commas, or semicolons when a type "
    "contains a comma; case does not matter). Crimes without a location, with a bad date (when a period "
    "is set) or without a weight are skipped and counted by reason; the input is never modified.</p>"
)

SHAPE_OPTIONS = ("hexagon", "square")
#: m²: a few street segments (0.05 km²); a larger cluster of hot cells is cut at its Gi* peaks. The
#: plugin's toolbar and start panel open the algorithm with this; run bare (models, qgis_process) the
#: default is 0, no limit, as before the limit existed
PATROL_ZONE_AREA = 50_000.0
DEFAULT_MAX_ZONE_AREA = 0.0


@dataclass
class HotspotOptions:
    """The run's parameters as plain values (``IdentifyHotspotsAlgorithm._options``)."""

    out_crs: object  # QgsCoordinateReferenceSystem, metric
    date_field: str | None
    type_field: str | None
    weight_field: str | None
    harm_table: dict | None
    name_field: str | None
    types: list
    timezone: str
    period: tuple  # (start, end) UTC seconds or None
    shape: str
    size: float
    lattice: object  # core.hotspots.Lattice
    alpha: float
    min_crimes: int
    max_area: float


class IdentifyHotspotsAlgorithm(HotspotAlgorithm):
    ALG_ID = "identifyhotspots"
    DISPLAY = "Identify hot spots from crime data"
    GROUP = "Hot spot analysis"
    GROUP_ID = "hotspots"
    HELP = HELP

    INPUT = "INPUT"
    DATE_FIELD = "DATE_FIELD"
    PERIOD_START = "PERIOD_START"
    PERIOD_END = "PERIOD_END"
    TIMEZONE = "TIMEZONE"
    TYPE_FIELD = "TYPE_FIELD"
    TYPES = "TYPES"
    WEIGHT_FIELD = "WEIGHT_FIELD"
    HARM_TABLE = "HARM_TABLE"
    STUDY_AREA = "STUDY_AREA"
    CELL_SHAPE = "CELL_SHAPE"
    CELL_SIZE = "CELL_SIZE"
    ALPHA = "ALPHA"
    MIN_CRIMES = "MIN_CRIMES"
    OUTPUT_CRS = "OUTPUT_CRS"
    MAX_ZONE_AREA = "MAX_ZONE_AREA"
    NAME_FIELD = "NAME_FIELD"
    GRID = "GRID"
    HOTSPOTS = "HOTSPOTS"
    CONCENTRATION = "CONCENTRATION"
    HEADLINE = "HEADLINE"
    AREA_PCT_HALF = "AREA_PCT_HALF"
    HOTSPOT_COUNT = "HOTSPOT_COUNT"
    DROPPED_ZONES = "DROPPED_ZONES"
    CELL_COUNT = "CELL_COUNT"
    HOT_CELLS = "HOT_CELLS"
    CRIMES_USED = "CRIMES_USED"
    SKIPPED_ROWS = "SKIPPED_ROWS"
    SKIPPED_REASONS = "SKIPPED_REASONS"
    EXCLUDED_ROWS = "EXCLUDED_ROWS"
    EXCLUDED_REASONS = "EXCLUDED_REASONS"

    def helpUrl(self):
        return "https://github.com/hotspot-patrol/hotspot-patrol#find-the-hot-spots-from-crime-data"

    def initAlgorithm(self, config=None):
        self.addParameter(
            QgsProcessingParameterFeatureSource(self.INPUT, self.tr("Crimes (point layer)"), [compat.SOURCE_POINT])
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.DATE_FIELD,
                self.tr("Date field (for the period)"),
                parentLayerParameterName=self.INPUT,
                optional=True,
            )
        )
        for key, label in ((self.PERIOD_START, "Period start"), (self.PERIOD_END, "Period end (included)")):
            self.addParameter(QgsProcessingParameterDateTime(key, self.tr(label), compat.DATETIME_TYPE, optional=True))
        tz = QgsProcessingParameterString(
            self.TIMEZONE, self.tr("Time zone of dates without an offset"), defaultValue=DEFAULT_TIMEZONE, optional=True
        )
        tz.setFlags(tz.flags() | compat.FLAG_ADVANCED)
        self.addParameter(tz)
        self.addParameter(
            QgsProcessingParameterField(
                self.TYPE_FIELD, self.tr("Crime type field"), parentLayerParameterName=self.INPUT, optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.TYPES, self.tr("Only these crime types (comma-separated; empty: all)"), optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.WEIGHT_FIELD,
                self.tr("Harm weight field (empty: every crime weighs 1)"),
                parentLayerParameterName=self.INPUT,
                type=compat.FIELD_NUMERIC,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFile(
                self.HARM_TABLE,
                self.tr("Or a harm table: CSV of crime type, weight"),
                behavior=compat.FILE_BEHAVIOR_FILE,
                extension="csv",
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.STUDY_AREA,
                self.tr("Study area (empty: the crimes' extent)"),
                [compat.SOURCE_POLYGON],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(self.CELL_SHAPE, self.tr("Cell shape"), list(SHAPE_OPTIONS), defaultValue=0)
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.CELL_SIZE,
                self.tr("Cell size: metres between the centres of adjacent cells"),
                compat.NUMBER_DOUBLE,
                100.0,
                False,
                1.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.ALPHA,
                self.tr("Alpha: false discovery rate for hot spot zones"),
                compat.NUMBER_DOUBLE,
                0.05,
                False,
                0.0001,
                0.5,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MIN_CRIMES,
                self.tr("Min crimes: fewest crimes a hot spot zone may hold"),
                compat.NUMBER_INTEGER,
                5,
                False,
                0,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MAX_ZONE_AREA,
                self.tr("Max zone size: larger clusters are cut at their Gi* peaks (m², 0: no limit)"),
                compat.NUMBER_DOUBLE,
                DEFAULT_MAX_ZONE_AREA,
                True,
                0.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.NAME_FIELD,
                self.tr("Name zones after (the most common value in each; police.uk: Location)"),
                parentLayerParameterName=self.INPUT,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterCrs(
                self.OUTPUT_CRS, self.tr("Output CRS (projected, metres)"), "EPSG:27700", optional=True
            )
        )
        self.addParameter(QgsProcessingParameterFeatureSink(self.GRID, self.tr("Gi* grid"), compat.SOURCE_POLYGON))
        self.addParameter(
            QgsProcessingParameterFeatureSink(self.HOTSPOTS, self.tr("Hot spot zones"), compat.SOURCE_POLYGON)
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(self.CONCENTRATION, self.tr("Crime concentration"), compat.SOURCE_VECTOR)
        )
        for key, label in (
            (self.AREA_PCT_HALF, "Share of the area holding half the harm (%)"),
            (self.HOTSPOT_COUNT, "Hot spot zones"),
            (self.DROPPED_ZONES, "Hot spot zones dropped (fewer than min crimes)"),
            (self.CELL_COUNT, "Cells"),
            (self.HOT_CELLS, "Hot cells (at alpha)"),
            (self.CRIMES_USED, "Crimes analysed"),
            (self.SKIPPED_ROWS, "Crimes skipped"),
            (self.EXCLUDED_ROWS, "Crimes filtered out"),
        ):
            self.addOutput(QgsProcessingOutputNumber(key, self.tr(label)))
        for key, label in (
            (self.HEADLINE, "Concentration headline"),
            (self.SKIPPED_REASONS, "Crimes skipped, by reason"),
            (self.EXCLUDED_REASONS, "Crimes filtered out, by reason"),
        ):
            self.addOutput(QgsProcessingOutputString(key, self.tr(label)))

    # ------------------------------------------------------------------ helpers
    def _field(self, parameters, key, context, source, label) -> str | None:
        name = (self.parameterAsString(parameters, key, context) or "").strip()
        if not name:
            return None
        if source.fields().indexFromName(name) < 0:
            raise QgsProcessingException(
                f"The {label} field '{name}' does not exist in the crime layer "
                f"(its fields: {', '.join(source.fields().names())})."
            )
        return name

    # ------------------------------------------------------------------ options and reading
    def _source(self, parameters, context):
        source = self.source(parameters, self.INPUT, context)
        if source.featureCount() == 0:  # before the type: a header-only CSV layer has no geometry type
            raise QgsProcessingException("The crime layer has no features.")
        if compat.geometry_type(source.wkbType()) != compat.GEOM_POINT:
            raise QgsProcessingException("The crime layer must be a point layer.")
        from ..qgis_io.crs import undefined_crs

        if undefined_crs(source.sourceCrs()):
            raise QgsProcessingException("The crime layer has no coordinate reference system: set one first.")
        return source

    def _options(self, parameters, context, source) -> HotspotOptions:
        """Every parameter as a plain value, checked once."""
        from ..core import hotspots as H
        from ..qgis_io import hotspots as IO

        out_crs = self.parameterAsCrs(parameters, self.OUTPUT_CRS, context)
        if parameters.get(self.OUTPUT_CRS) in (None, ""):
            out_crs = QgsCoordinateReferenceSystem("EPSG:27700")
        if not IO.is_metric_projected(out_crs):
            raise QgsProcessingException(
                f"The output CRS {out_crs.authid() or out_crs.description() or '(invalid)'} is not a projected "
                f"CRS in metres; choose one such as EPSG:27700 (British National Grid)."
            )
        date_field = self._field(parameters, self.DATE_FIELD, context, source, "date")
        type_field = self._field(parameters, self.TYPE_FIELD, context, source, "crime type")
        weight_field = self._field(parameters, self.WEIGHT_FIELD, context, source, "weight")
        harm_path = (self.parameterAsFile(parameters, self.HARM_TABLE, context) or "").strip()
        name_field = self._field(parameters, self.NAME_FIELD, context, source, "zone name")
        if name_field is None and "Location" in source.fields().names():
            name_field = "Location"  # police.uk: "On or near <street>" names the zone after its street
        types = H.split_types(self.parameterAsString(parameters, self.TYPES, context) or "")
        timezone = self.timezone(parameters, self.TIMEZONE, context)
        start = self.instant(parameters, self.PERIOD_START, context, timezone)
        end = self.instant(parameters, self.PERIOD_END, context, timezone)
        if (start is not None or end is not None) and not date_field:
            raise QgsProcessingException(
                "A period is set but no date field: choose the field holding each crime's date."
            )
        if start is not None and end is not None and end < start:
            raise QgsProcessingException("The period ends before it starts.")
        if types and not type_field:
            raise QgsProcessingException("Crime types are listed but no crime type field is chosen.")
        if weight_field and harm_path:
            raise QgsProcessingException("Use either a weight field or a harm table, not both.")
        harm_table = None
        if harm_path:
            if not type_field:
                raise QgsProcessingException("A harm table weighs crimes by type: choose the crime type field too.")
            try:
                harm_table = H.read_harm_table(harm_path)
            except OSError as e:
                raise QgsProcessingException(f"The harm table {harm_path} cannot be read ({e.strerror}).") from None
            except ValueError as e:
                raise QgsProcessingException(str(e)) from None
        shape = SHAPE_OPTIONS[self.parameterAsEnum(parameters, self.CELL_SHAPE, context)]
        size = self.parameterAsDouble(parameters, self.CELL_SIZE, context)
        try:
            lattice = H.Lattice(shape, size)
        except ValueError as e:  # e.g. a cell size that is not a number
            raise QgsProcessingException(str(e)[:1].upper() + str(e)[1:] + ".") from None
        max_area = (
            self.parameterAsDouble(parameters, self.MAX_ZONE_AREA, context)
            if parameters.get(self.MAX_ZONE_AREA) not in (None, "")
            else DEFAULT_MAX_ZONE_AREA
        )
        return HotspotOptions(
            out_crs=out_crs,
            date_field=date_field,
            type_field=type_field,
            weight_field=weight_field,
            harm_table=harm_table,
            name_field=name_field,
            types=types,
            timezone=timezone,
            period=(start, end),
            shape=shape,
            size=size,
            lattice=lattice,
            alpha=self.parameterAsDouble(parameters, self.ALPHA, context),
            min_crimes=self.parameterAsInt(parameters, self.MIN_CRIMES, context),
            max_area=max_area,
        )

    def _study_area(self, parameters, context, opts, feedback):
        from ..qgis_io import hotspots as IO
        from ..qgis_io.crs import transformer

        area_src = self.parameterAsSource(parameters, self.STUDY_AREA, context)
        if area_src is None:
            return None
        if compat.geometry_type(area_src.wkbType()) != compat.GEOM_POLYGON:
            raise QgsProcessingException("The study area layer must be a polygon layer.")
        return IO.study_area(area_src, transformer(area_src.sourceCrs(), opts.out_crs, context), feedback)

    def _read_crimes(self, parameters, context, source, opts, feedback, started):
        """The crimes that pass the filters, as arrays in the output CRS; rows left out counted by reason."""
        from ..core.definitions import dates_label
        from ..qgis_io import hotspots as IO
        from ..qgis_io.crs import transformer
        from ..qgis_io.layers import UNPLACED, unplaced_rows

        layer = self.parameterAsVectorLayer(parameters, self.INPUT, context)
        crimes = IO.read_crimes(
            source,
            layer,
            parameters.get(self.INPUT),
            transformer(source.sourceCrs(), opts.out_crs, context),
            feedback,
            date_field=opts.date_field,
            period=opts.period,
            timezone=opts.timezone,
            type_field=opts.type_field,
            types=opts.types,
            weight_field=opts.weight_field,
            harm_table=opts.harm_table,
            label_field=opts.name_field,
        )
        if feedback.isCanceled():
            return None
        unplaced = unplaced_rows(layer, parameters.get(self.INPUT), crimes.rows_read)
        if unplaced:  # rows QGIS's delimited-text reader left out: counted like any other skipped row
            crimes.skipped[UNPLACED] = unplaced
            crimes.rows_read += unplaced
        feedback.pushInfo(
            f"Read {crimes.rows_read:,} crimes ({crimes.method}) in "
            f"{time.perf_counter() - started:.1f} s; {len(crimes.x):,} pass the filters."
        )
        if crimes.date_range is not None:
            feedback.pushInfo(f"Dates of the crimes analysed: {dates_label(*crimes.date_range, opts.timezone)}.")
        for note in crimes.notes:
            feedback.pushInfo(note)
        if len(crimes.x) == 0:
            reasons = "; ".join(f"{k}: {v:,}" for k, v in {**crimes.skipped, **crimes.excluded}.items()) or "none"
            raise QgsProcessingException(f"No crimes are left to analyse out of {crimes.rows_read:,} ({reasons}).")
        return crimes

    # ------------------------------------------------------------------ main
    def processAlgorithm(self, parameters, context, feedback):
        self.require_dependencies()
        from ..core import hotspots as H
        from ..qgis_io import hotspot_styles as S
        from ..qgis_io import outputs

        started = time.perf_counter()
        self.check_outputs(
            parameters,
            context,
            [self.INPUT, self.STUDY_AREA, self.HARM_TABLE],
            [self.GRID, self.HOTSPOTS, self.CONCENTRATION],
        )
        source = self._source(parameters, context)
        opts = self._options(parameters, context, source)
        area = self._study_area(parameters, context, opts, feedback)
        crimes = self._read_crimes(parameters, context, source, opts, feedback, started)
        if crimes is None:
            return {}
        feedback.setProgress(35)
        try:
            result = H.analyse(
                crimes.x,
                crimes.y,
                crimes.weight,
                opts.lattice,
                area,
                opts.alpha,
                opts.min_crimes,
                max_area_m2=opts.max_area or None,
            )
        except ValueError as e:
            raise QgsProcessingException(str(e)[:1].upper() + str(e)[1:] + ".") from None
        if feedback.isCanceled():
            return {}
        feedback.setProgress(55)
        self._log_grid(result, opts, feedback)

        results = {self.GRID: self._write_grid(parameters, context, result, opts.out_crs, feedback)}
        if feedback.isCanceled():
            return {}
        names = self._zone_names(result, crimes)
        results[self.HOTSPOTS] = self._write_zones(parameters, context, result.zones, opts.out_crs, names)
        results[self.CONCENTRATION] = self._write_concentration(parameters, context, result.concentration)
        outputs.style_on_load(context, results[self.GRID], S.apply_grid_style)
        outputs.style_on_load(context, results[self.HOTSPOTS], S.apply_hotspots_style)
        return {**results, **self._summary(result, crimes, opts, started, feedback)}

    # ------------------------------------------------------------------ steps
    @staticmethod
    def _log_grid(result, opts, feedback) -> None:
        grid = result.grid
        n = len(grid)
        mean, sd = float(result.harm.mean()), float(result.harm.std())
        counts = result.class_counts()
        feedback.pushInfo(
            f"Gi* over {n:,} {opts.shape}s of {opts.size:g} m ({grid.cell_area / 1e6:.4f} km² each, "
            f"{n * grid.cell_area / 1e6:.2f} km² in all): harm per cell mean {mean:.3f}, sd {sd:.3f}; "
            + ", ".join(f"{k}: {v:,}" for k, v in counts.items() if v)
            + "."
        )
        if not sd > 0:
            feedback.pushWarning("Every cell holds the same harm: Gi* is undefined, so no cell is a hot spot.")

    @staticmethod
    def _zone_names(result, crimes) -> list:
        """Each zone's name from its crimes' labels (police.uk's street), None without labels."""
        import numpy as np

        from ..qgis_io import hotspots as IO

        names = [None] * len(result.zones)
        if crimes.labels is not None and len(result.zones):
            cell = result.grid.cell_of(crimes.x, crimes.y)
            zone_of = np.where(cell >= 0, result.zones.cell_zone[np.maximum(cell, 0)], -1)
            names = IO.zone_names(zone_of, crimes.labels, len(result.zones))
        return names

    def _summary(self, result, crimes, opts, started, feedback) -> dict:
        """The log's last lines and the numeric results."""
        import numpy as np

        from ..core import hotspots as H
        from ..qgis_io import hotspots as IO

        excluded = dict(crimes.excluded)
        if result.outside:
            excluded[IO.OUTSIDE_AREA] = result.outside
        weighted = opts.weight_field is not None or opts.harm_table is not None
        headline = H.headline(result.concentration, result.grid.cell_area, "harm" if weighted else "crime")
        feedback.pushInfo(f"Concentration: {headline}.")
        zones, alpha = result.zones, opts.alpha
        hot_cells = int(((result.z > 0) & (result.p_fdr <= alpha)).sum())
        if len(zones):
            top = "; ".join(
                f"{zones.ids[i]}: {int(zones.crimes[i])} crimes, {zones.harm[i]:g} harm, "
                f"{int(zones.cells[i])} cells, peak z {zones.peak_z[i]:.2f}"
                for i in range(min(len(zones), 10))
            )
            feedback.pushInfo(
                f"{len(zones):,} hot spot zone(s) at FDR {alpha:g}: {top}" + (" …" if len(zones) > 10 else "") + "."
            )
        else:
            feedback.pushInfo(f"No hot spot zones at FDR {alpha:g}.")
        if zones.dropped:
            feedback.pushInfo(f"{zones.dropped:,} candidate zone(s) with fewer than {opts.min_crimes} crimes dropped.")
        skipped_total = int(sum(crimes.skipped.values()))
        skipped = "; ".join(f"{k}: {v:,}" for k, v in crimes.skipped.items()) or "none"
        excluded_total = int(sum(excluded.values()))
        excluded_text = "; ".join(f"{k}: {v:,}" for k, v in excluded.items()) or "none"
        feedback.pushInfo(
            f"Skipped crimes: {skipped_total:,} ({skipped}). Filtered out: {excluded_total:,} "
            f"({excluded_text}). Crimes analysed: {result.points_used:,}. "
            f"Total time {time.perf_counter() - started:.1f} s."
        )
        return {
            self.HEADLINE: headline,
            self.AREA_PCT_HALF: float(np.round(result.concentration.half_area_pct, 4)),
            self.HOTSPOT_COUNT: len(zones),
            self.DROPPED_ZONES: zones.dropped,
            self.CELL_COUNT: len(result.grid),
            self.HOT_CELLS: hot_cells,
            self.CRIMES_USED: result.points_used,
            self.SKIPPED_ROWS: skipped_total,
            self.SKIPPED_REASONS: skipped,
            self.EXCLUDED_ROWS: excluded_total,
            self.EXCLUDED_REASONS: excluded_text,
        }

    # ------------------------------------------------------------------ outputs
    def _write_grid(self, parameters, context, result, crs, feedback):
        import numpy as np

        from ..core.definitions import GRID_SCHEMA
        from ..qgis_io import outputs

        n = len(result.grid)
        columns = [np.arange(1, n + 1), result.crimes, result.harm, result.z, result.p, result.p_fdr, result.classes]
        return outputs.write(
            self,
            parameters,
            self.GRID,
            context,
            GRID_SCHEMA,
            columns,
            crs,
            geometry="polygon",
            rings=result.grid.rings(),
            feedback=feedback,
            progress=(55.0, 95.0),
        )

    def _write_zones(self, parameters, context, zones, crs, names=None):
        from ..core.definitions import HOTSPOTS_SCHEMA
        from ..qgis_io import hotspots as IO
        from ..qgis_io import outputs

        names = names or [None] * len(zones)
        columns = [
            list(zones.ids),
            [names[i] or f"Hot spot {i + 1}" for i in range(len(zones))],
            IO.priorities(len(zones)),  # by harm: zones come ranked by harm
            zones.crimes,
            zones.harm,
            zones.area_m2,
            zones.cells,
            zones.peak_z,
        ]
        return outputs.write(
            self,
            parameters,
            self.HOTSPOTS,
            context,
            HOTSPOTS_SCHEMA,
            columns,
            crs,
            geometry="polygon",
            geoms=zones.geoms,
            bulk=False,
        )

    def _write_concentration(self, parameters, context, conc):
        from ..core.definitions import CONCENTRATION_SCHEMA
        from ..qgis_io import outputs

        columns = [conc.harm_per_cell, conc.cells, conc.cum_cells, conc.area_pct, conc.area_km2, conc.harm_pct]
        return outputs.write(self, parameters, self.CONCENTRATION, context, CONCENTRATION_SCHEMA, columns)
