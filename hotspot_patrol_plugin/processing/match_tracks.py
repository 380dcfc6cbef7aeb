"""hotspotpatrol:matchtracks - Match officer tracks to hot spots."""

from __future__ import annotations

import time
from dataclasses import dataclass

from qgis.core import (
    QgsFields,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ..core.definitions import DEFAULT_TIMEZONE, TARGET_MAX_MIN, TARGET_MIN_MIN, WAYPOINT_RADIUS_M
from ..qgis_io import compat
from .base import HotspotAlgorithm

HELP = (
    "<p>Measures every visit of every officer (unit) to every hot spot zone: entry time, exit time and "
    "dwell, judged against the 10–15 minute target (the Koper curve).</p> "
    "<p><b>How visits are measured.</b> Each unit's pings are put in time order (exact duplicates count "
    "once). Between two pings at most <i>Max gap</i> apart the unit is assumed to move in a straight line"
    " at constant speed; across a longer gap nothing is inferred. Entry and exit are the moments this "
    "path crosses the zone boundary (grown by <i>Boundary tolerance</i>; the boundary counts as inside), "
    "not the times of the nearest pings, so a unit that crosses a zone between two pings still makes a "
    "visit. Visits of one unit to one zone less than <i>Merge gap</i> apart are one visit. Visits shorter"
    " than <i>Min dwell</i> are pass-throughs: listed, not counted. Bands: short (&lt; target min), "
    "target, long (&gt; target max).</p> "
    "<p><b>Times</b> may be date-time fields, ISO 8601 text with or without an offset, or epoch "
    "seconds/milliseconds. Times without an offset are local to <i>Time zone</i>; the repeated autumn "
    "hour is resolved by each unit's ping order.</p> "
    "<p><b>Outputs.</b> VISITS: one line per visit (the path inside the zone) with entry/exit in UTC. "
    "COVERAGE: the zones with visits by band, total and median dwell, presence (the union of all units' "
    "time in the zone: two officers together count once), distinct units, first/last visit and a status "
    "from the median dwell. WAYPOINT_VISITS: the same for waypoints (a disc of <i>Waypoint "
    "radius</i>).</p> "
    "<p>Rows with no unit, no usable time or no coordinates are skipped, counted by reason in the log and"
    " in SKIPPED_ROWS. Inputs are never modified.</p>"
)


@dataclass
class MatchOptions:
    """The run's parameters as plain values (``MatchTracksAlgorithm._options``)."""

    unit_field: str
    time_field: str
    timezone: str
    params: object  # core.matching.MatchParams
    tolerance: float  # metres the zones are grown by
    radius: float  # a waypoint's disc, metres


class MatchTracksAlgorithm(HotspotAlgorithm):
    ALG_ID = "matchtracks"
    DISPLAY = "Match officer tracks to hot spots"
    HELP = HELP

    TRACKS = "TRACKS"
    UNIT_FIELD = "UNIT_FIELD"
    TIME_FIELD = "TIME_FIELD"
    TIMEZONE = "TIMEZONE"
    ZONES = "ZONES"
    ZONE_ID_FIELD = "ZONE_ID_FIELD"
    WAYPOINTS = "WAYPOINTS"
    WAYPOINT_ID_FIELD = "WAYPOINT_ID_FIELD"
    WAYPOINT_RADIUS = "WAYPOINT_RADIUS"
    MAX_GAP = "MAX_GAP"
    MERGE_GAP = "MERGE_GAP"
    MIN_DWELL = "MIN_DWELL"
    BOUNDARY_TOLERANCE = "BOUNDARY_TOLERANCE"
    TARGET_MIN = "TARGET_MIN"
    TARGET_MAX = "TARGET_MAX"
    PERIOD_START = "PERIOD_START"
    PERIOD_END = "PERIOD_END"
    VISITS = "VISITS"
    COVERAGE = "COVERAGE"
    WAYPOINT_VISITS = "WAYPOINT_VISITS"
    DWELL_HISTOGRAM = "DWELL_HISTOGRAM"
    SKIPPED_ROWS = "SKIPPED_ROWS"
    SKIPPED_REASONS = "SKIPPED_REASONS"
    VISIT_COUNT = "VISIT_COUNT"
    ZONES_WITHOUT_GEOMETRY = "ZONES_WITHOUT_GEOMETRY"

    NUMBERS = (
        (WAYPOINT_RADIUS, "Waypoint radius (metres)", WAYPOINT_RADIUS_M),
        (MAX_GAP, "Max gap: a longer silence breaks a track (seconds)", 300.0),
        (MERGE_GAP, "Merge gap: visits closer than this are one (seconds)", 60.0),
        (MIN_DWELL, "Min dwell: shorter visits are pass-throughs (seconds)", 60.0),
        (BOUNDARY_TOLERANCE, "Boundary tolerance: grow zones by (metres)", 0.0),
        (TARGET_MIN, "Target band minimum (minutes)", TARGET_MIN_MIN),
        (TARGET_MAX, "Target band maximum (minutes)", TARGET_MAX_MIN),
    )

    TUNING = (WAYPOINT_RADIUS, MAX_GAP, MERGE_GAP, MIN_DWELL, BOUNDARY_TOLERANCE)

    def helpUrl(self):
        return "https://github.com/hotspot-patrol/hotspot-patrol#what-it-does-today"

    def initAlgorithm(self, config=None):
        opt = compat.FLAG_OPTIONAL
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.TRACKS, self.tr("Officer pings (point layer)"), [compat.SOURCE_POINT]
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.UNIT_FIELD, self.tr("Unit / officer / callsign field"), parentLayerParameterName=self.TRACKS
            )
        )
        self.addParameter(
            QgsProcessingParameterField(self.TIME_FIELD, self.tr("Time field"), parentLayerParameterName=self.TRACKS)
        )
        tz = QgsProcessingParameterString(
            self.TIMEZONE, self.tr("Time zone of times without an offset"), defaultValue=DEFAULT_TIMEZONE
        )
        tz.setFlags(tz.flags() | opt)
        self.addParameter(tz)
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.ZONES, self.tr("Hot spot zones (polygon layer)"), [compat.SOURCE_POLYGON]
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.ZONE_ID_FIELD,
                self.tr("Zone id field (default: zone_id, else the feature id)"),
                parentLayerParameterName=self.ZONES,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.WAYPOINTS, self.tr("Waypoints (point layer)"), [compat.SOURCE_POINT], optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.WAYPOINT_ID_FIELD,
                self.tr("Waypoint id field (default: waypoint_id, else the feature id)"),
                parentLayerParameterName=self.WAYPOINTS,
                optional=True,
            )
        )
        for key, label, default in self.NUMBERS:
            p = QgsProcessingParameterNumber(key, self.tr(label), compat.NUMBER_DOUBLE, default, True, 0.0)
            if key in self.TUNING:  # tuning, rarely changed: under Advanced, shown as whole numbers
                p.setFlags(p.flags() | compat.FLAG_ADVANCED)
                p.setMetadata({"widget_wrapper": {"decimals": 0}})
            self.addParameter(p)
        for key, label in ((self.PERIOD_START, "Analysis period start"), (self.PERIOD_END, "Analysis period end")):
            p = QgsProcessingParameterDateTime(key, self.tr(label), compat.DATETIME_TYPE, optional=True)
            self.addParameter(p)
        self.addParameter(QgsProcessingParameterFeatureSink(self.VISITS, self.tr("Visits"), compat.SOURCE_LINE))
        self.addParameter(QgsProcessingParameterFeatureSink(self.COVERAGE, self.tr("Coverage"), compat.SOURCE_POLYGON))
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.WAYPOINT_VISITS,
                self.tr("Waypoint visits"),
                compat.SOURCE_LINE,
                optional=True,
                createByDefault=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.DWELL_HISTOGRAM,
                self.tr("Dwell-time histogram (visits per minute of dwell, against the band)"),
                compat.SOURCE_VECTOR,
                optional=True,
                createByDefault=True,
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.SKIPPED_ROWS, self.tr("Pings skipped")))
        self.addOutput(QgsProcessingOutputString(self.SKIPPED_REASONS, self.tr("Pings skipped, by reason")))
        self.addOutput(QgsProcessingOutputNumber(self.VISIT_COUNT, self.tr("Visits found")))
        self.addOutput(
            QgsProcessingOutputString(self.ZONES_WITHOUT_GEOMETRY, self.tr("Zones left out: no geometry (their ids)"))
        )

    # ------------------------------------------------------------------ helpers
    def _number(self, parameters, key, context) -> float:
        value = self.parameterAsDouble(parameters, key, context)
        if parameters.get(key) in (None, ""):
            value = next(d for k, _, d in self.NUMBERS if k == key)
        value = float(value)
        if not abs(value) <= 1e9:  # NaN, infinite or absurd (1e308 m of tolerance breaks GEOS)
            raise QgsProcessingException(f"{key} must be a number up to 1e9, not {value:g}.")
        return value

    def _options(self, parameters, context, tracks_src) -> MatchOptions:
        """Every parameter as a plain value, checked once."""
        from ..core import matching as M

        unit_field = self.parameterAsString(parameters, self.UNIT_FIELD, context)
        time_field = self.parameterAsString(parameters, self.TIME_FIELD, context)
        for label, name in (("unit", unit_field), ("time", time_field)):
            if not name or tracks_src.fields().indexFromName(name) < 0:
                raise QgsProcessingException(
                    f"The {label} field '{name}' does not exist in the pings layer "
                    f"(its fields: {', '.join(tracks_src.fields().names())})."
                )
        timezone = self.timezone(parameters, self.TIMEZONE, context)
        params = M.MatchParams(
            max_gap=self._number(parameters, self.MAX_GAP, context),
            merge_gap=self._number(parameters, self.MERGE_GAP, context),
            min_dwell=self._number(parameters, self.MIN_DWELL, context),
            target_min=self._number(parameters, self.TARGET_MIN, context) * 60.0,
            target_max=self._number(parameters, self.TARGET_MAX, context) * 60.0,
            period_start=self.instant(parameters, self.PERIOD_START, context, timezone),
            period_end=self.instant(parameters, self.PERIOD_END, context, timezone),
        )
        try:
            params.check()
        except ValueError as e:
            raise QgsProcessingException(str(e)) from None
        return MatchOptions(
            unit_field,
            time_field,
            timezone,
            params,
            self._number(parameters, self.BOUNDARY_TOLERANCE, context),
            self._number(parameters, self.WAYPOINT_RADIUS, context),
        )

    def _sources(self, parameters, context):
        """The pings and zones layers, checked: one sentence for each way they cannot be used."""
        tracks_src = self.source(parameters, self.TRACKS, context)
        zones_src = self.source(parameters, self.ZONES, context)
        if tracks_src.featureCount() == 0:
            raise QgsProcessingException("The officer pings layer has no features: there is nothing to match.")
        if compat.geometry_type(tracks_src.wkbType()) != compat.GEOM_POINT:
            raise QgsProcessingException("The officer pings layer must be a point layer.")
        from ..qgis_io.crs import undefined_crs

        if undefined_crs(tracks_src.sourceCrs()):
            raise QgsProcessingException("The officer pings layer has no coordinate reference system: set one first.")
        if compat.geometry_type(zones_src.wkbType()) != compat.GEOM_POLYGON:
            raise QgsProcessingException("The zones layer must be a polygon layer.")
        return tracks_src, zones_src

    def _read_zones(self, parameters, context, zones_src, feedback):
        """(zones, the metric CRS everything is measured in)."""
        from ..core import fields as F
        from ..qgis_io.areas import area_id_field, read_areas
        from ..qgis_io.crs import transformer, working_crs

        zones_crs = zones_src.sourceCrs()
        work = working_crs(zones_crs, zones_src.sourceExtent())
        if work != zones_crs:
            feedback.pushInfo(f"Zones are in a geographic CRS; distances are measured in {work.authid()}.")
        zone_id_field = area_id_field(
            zones_src, self.parameterAsString(parameters, self.ZONE_ID_FIELD, context), F.ZONE_ID
        )
        zones = read_areas(zones_src, "zone", zone_id_field, transformer(zones_crs, work, context), feedback, True)
        if not zones.ids:
            raise QgsProcessingException("The zones layer has no zones with a geometry.")
        return zones, work

    def _read_pings(self, parameters, context, tracks_src, work, opts, feedback, started):
        """The usable pings as arrays in the working CRS; every row left out counted by reason."""
        from ..core.times import plausibility_warning
        from ..qgis_io.crs import transformer
        from ..qgis_io.layers import UNPLACED, unplaced_rows
        from ..qgis_io.tracks import read_tracks

        layer = self.parameterAsVectorLayer(parameters, self.TRACKS, context)
        tr = read_tracks(
            tracks_src,
            layer,
            parameters.get(self.TRACKS),
            opts.unit_field,
            opts.time_field,
            opts.timezone,
            transformer(tracks_src.sourceCrs(), work, context),
            feedback,
        )
        unplaced = unplaced_rows(layer, parameters.get(self.TRACKS), tr.rows_read)
        if unplaced:  # rows QGIS's delimited-text reader left out: counted like any other skipped row
            tr.skipped[UNPLACED] = unplaced
            tr.rows_read += unplaced
        feedback.pushInfo(
            f"Read {tr.rows_read:,} pings ({tr.method}) in {time.perf_counter() - started:.1f} s; "
            f"{len(tr.t):,} usable from {len(tr.unit_labels):,} units."
        )
        if not len(tr.t):  # nothing usable: every zone "not visited" would be no answer
            why = "; ".join(f"{k}: {v:,}" for k, v in tr.skipped.items()) or "none read"
            raise QgsProcessingException(f"None of the {tr.rows_read:,} pings can be used ({why}).")
        implausible = plausibility_warning(tr.t, time.time(), f"times in '{opts.time_field}'")
        if implausible:
            feedback.pushWarning(implausible)
        return tr

    # ------------------------------------------------------------------ main
    def processAlgorithm(self, parameters, context, feedback):
        self.require_dependencies()
        from ..core import matching as M
        from ..qgis_io import outputs, styles

        started = time.perf_counter()
        self.check_outputs(
            parameters,
            context,
            [self.TRACKS, self.ZONES, self.WAYPOINTS],
            [self.VISITS, self.COVERAGE, self.WAYPOINT_VISITS],
        )
        tracks_src, zones_src = self._sources(parameters, context)
        opts = self._options(parameters, context, tracks_src)
        zones, work = self._read_zones(parameters, context, zones_src, feedback)
        feedback.setProgress(5)
        pings = self._read_pings(parameters, context, tracks_src, work, opts, feedback, started)
        if feedback.isCanceled():
            return {}
        feedback.setProgress(40)
        plan = self._zone_plan(zones, zones_src, opts.params, opts.timezone)
        run = M.match_zones(pings.unit, pings.t, pings.x, pings.y, zones.geoms, opts.params, plan, opts.tolerance)
        self._log_run(run, plan, feedback)
        feedback.setProgress(70)
        if feedback.isCanceled():
            return {}

        results = self._write(parameters, context, run, zones, zones_src, pings.unit_labels, work, opts, feedback)
        band = (None, None) if run.own_band else (opts.params.target_min / 60, opts.params.target_max / 60)
        period = run.period(opts.params, opts.timezone)
        outputs.style_on_load(
            context,
            results[self.COVERAGE],
            styles.finish_output,
            styles.COVERAGE_ROLE,
            f"Coverage · {period}" if period else None,
            styles.apply_coverage_style,
            *band,
        )
        outputs.style_on_load(
            context,
            results[self.VISITS],
            styles.finish_output,
            styles.VISITS_ROLE,
            f"Visits · {period}" if period else None,
            styles.apply_visits_style,
            *band,
        )
        wid = self._waypoints(parameters, context, run, pings.unit_labels, work, opts, feedback)
        if wid:
            results[self.WAYPOINT_VISITS] = wid
            outputs.style_on_load(context, wid, styles.apply_visits_style, *band)
        return {**results, **self._summary(run, zones, pings, started, feedback)}

    # ------------------------------------------------------------------ steps
    def _log_run(self, run, plan, feedback) -> None:
        for warning in run.warnings:
            feedback.pushWarning(warning)
        if run.tracks.duplicates:
            feedback.pushInfo(f"{run.tracks.duplicates:,} duplicate pings (same unit and time) counted once.")
        if plan:
            feedback.pushInfo(
                "Zones carry their own plan ("
                + ", ".join(k for k in ("target_min", "active_from", "visits_per_day") if k in plan)
                + "): "
                + ("bands and statuses follow each zone's band; " if run.own_band else "")
                + "zones without one use the band set here."
            )

    def _write(self, parameters, context, run, zones, zones_src, unit_labels, work, opts, feedback) -> dict:
        """The visits, coverage and (when asked for) dwell histogram outputs."""
        from ..core import fields as F
        from ..core import matching as M
        from ..core.definitions import HISTOGRAM_SCHEMA
        from ..qgis_io import outputs
        from ..qgis_io.crs import transformer

        zones_crs = zones_src.sourceCrs()
        to_out = transformer(work, zones_crs, context)
        results = {}
        results[self.VISITS] = self._write_visits(
            parameters,
            self.VISITS,
            context,
            run.visits,
            zones.ids,
            F.ZONE_ID,
            unit_labels,
            zones_crs,
            to_out,
            feedback,
            clip=run.zone_geoms,
            area_names=self._names(zones, zones_src),
        )
        results[self.COVERAGE] = self._write_coverage(parameters, context, zones, zones_src, run.coverage, zones_crs)
        if parameters.get(self.DWELL_HISTOGRAM) is not None:
            rows = M.dwell_histogram(run.visits, run.coverage, zones.ids, opts.params)
            columns = [list(c) for c in zip(*rows)] if rows else [[] for _ in HISTOGRAM_SCHEMA]
            results[self.DWELL_HISTOGRAM] = outputs.write(
                self, parameters, self.DWELL_HISTOGRAM, context, HISTOGRAM_SCHEMA, columns
            )
        return results

    def _waypoints(self, parameters, context, run, unit_labels, work, opts, feedback) -> str | None:
        """Visits to the waypoints, when a waypoints layer is given; the output's id when written."""
        from ..core import fields as F
        from ..core import matching as M
        from ..qgis_io.areas import area_id_field, read_areas
        from ..qgis_io.crs import transformer

        waypoints_src = self.parameterAsSource(parameters, self.WAYPOINTS, context)
        if waypoints_src is None:
            return None
        if compat.geometry_type(waypoints_src.wkbType()) != compat.GEOM_POINT:
            raise QgsProcessingException("The waypoints layer must be a point layer.")
        wp_field = area_id_field(
            waypoints_src, self.parameterAsString(parameters, self.WAYPOINT_ID_FIELD, context), F.WAYPOINT_ID
        )
        wps = read_areas(
            waypoints_src, "waypoint", wp_field, transformer(waypoints_src.sourceCrs(), work, context), feedback, False
        )
        wp_visits = M.match_waypoints(run.tracks, wps.geoms, opts.radius, opts.params)
        wid = None
        if parameters.get(self.WAYPOINT_VISITS) is not None:
            zones_crs = self.parameterAsSource(parameters, self.ZONES, context).sourceCrs()
            wid = self._write_visits(
                parameters,
                self.WAYPOINT_VISITS,
                context,
                wp_visits,
                wps.ids,
                F.WAYPOINT_ID,
                unit_labels,
                zones_crs,
                transformer(work, zones_crs, context),
                feedback,
            )
        feedback.pushInfo(f"Waypoints: {len(wp_visits):,} visits to {len(wps.ids):,} waypoints.")
        return wid

    def _summary(self, run, zones, pings, started, feedback) -> dict:
        """The log's last lines and the numeric results."""
        from ..core import status as S

        visits, cov = run.visits, run.coverage
        n_visits = len(visits)
        counted = int((~visits.pass_through).sum())
        feedback.pushInfo(
            f"{n_visits:,} visits ({counted:,} counted, {n_visits - counted:,} pass-throughs) in "
            f"{len(zones.ids):,} zones; {int((cov.status == S.STATUS_ON).sum()):,} zones on target, "
            f"{int((cov.status == S.STATUS_NOT_VISITED).sum()):,} not visited. "
            f"Total time {time.perf_counter() - started:.1f} s."
        )
        skipped = dict(pings.skipped)
        if run.tracks.duplicates:
            skipped["duplicate ping (same unit and time)"] = run.tracks.duplicates
        total_skipped = int(sum(v for k, v in skipped.items() if not k.startswith("duplicate")))
        reasons = "; ".join(f"{k}: {v}" for k, v in skipped.items()) or "none"
        feedback.pushInfo(f"Skipped pings: {total_skipped:,} ({reasons}).")
        return {
            self.SKIPPED_ROWS: total_skipped,
            self.SKIPPED_REASONS: reasons,
            self.VISIT_COUNT: n_visits,
            self.ZONES_WITHOUT_GEOMETRY: ", ".join(zones.no_geometry),
        }

    @staticmethod
    def _zone_plan(zones, zones_src, params, timezone) -> dict:
        """The zones' own band, visits per day and active hours/dates, when the layer has them."""
        from ..core import fields as F
        from ..core import status as S
        from ..qgis_io.workspace import plain

        names = set(zones_src.fields().names())

        def column(name):
            return [plain(f[name]) for f in zones.features] if name in names else None

        plan = {}
        lo, hi = column(F.TARGET_MIN), column(F.TARGET_MAX)
        if lo is not None or hi is not None:
            none = [None] * len(zones.features)

            def number(v):
                try:
                    return float(v)
                except (TypeError, ValueError):
                    return None

            plan["target_min"], plan["target_max"] = S.zone_band(
                [number(v) for v in (lo or none)],
                [number(v) for v in (hi or none)],
                params.target_min,
                params.target_max,
            )
        if F.VISITS_PER_DAY in names:
            plan["visits_per_day"] = [v if isinstance(v, (int, float)) else None for v in column(F.VISITS_PER_DAY)]
        if F.ACTIVE_FROM in names or F.ACTIVE_TO in names:
            plan["active_from"], plan["active_to"] = column(F.ACTIVE_FROM), column(F.ACTIVE_TO)
        if plan:
            plan["timezone"] = timezone
        return plan

    @staticmethod
    def _names(areas, source):
        """Each zone's name (its ``name`` field) for the visits table, or None without one."""
        import numpy as np

        from ..qgis_io.workspace import plain

        if "name" not in source.fields().names():
            return None
        return np.asarray(
            [None if plain(f["name"]) is None else str(plain(f["name"])) for f in areas.features], dtype=object
        )

    def _write_visits(
        self,
        parameters,
        key,
        context,
        visits,
        area_ids,
        id_name,
        unit_labels,
        crs,
        to_out,
        feedback,
        clip=None,
        area_names=None,
    ):
        import numpy as np

        from ..core.definitions import visits_schema
        from ..qgis_io import outputs
        from ..qgis_io.features import line_strings
        from ..qgis_io.tracks import output_seconds

        n = len(visits)
        lines = line_strings(visits.path_xy, visits.path_offsets, to_out)
        if clip is not None:
            from ..core.matching import clip_paths

            lines = clip_paths(lines, visits.area, clip, to_out)
        area_ids = np.asarray(area_ids, dtype=object)
        columns = [np.arange(1, n + 1), area_ids[visits.area]]
        if area_names is not None:  # the zone's name beside its id: the table reads without a lookup
            columns.append(area_names[visits.area])
        columns += [
            np.asarray(unit_labels, dtype=object)[visits.unit],
            output_seconds(visits.entry),
            output_seconds(visits.exit),
            np.round(visits.dwell / 60.0, 4),
            visits.pings,
            visits.band,
            visits.pass_through,
        ]
        dest = outputs.write(
            self,
            parameters,
            key,
            context,
            visits_schema(id_name, area_names is not None),
            columns,
            crs,
            geometry="multilinestring" if clip is not None else "linestring",
            geoms=lines,
            feedback=feedback,
            progress=(70.0, 95.0),
        )
        return dest

    def _write_coverage(self, parameters, context, zones, zones_src, cov, crs):
        import math

        from ..core import fields as F
        from ..core.definitions import COVERAGE_PLAN_SCHEMA, COVERAGE_SCHEMA
        from ..qgis_io import outputs
        from ..qgis_io.tracks import qdatetime_utc

        own = zones_src.fields()
        kept = [i for i, f in enumerate(own) if f.name() not in F.COVERAGE_FIELDS and f.name().lower() != "fid"]
        base = QgsFields()
        for i in kept:
            base.append(own.at(i))
        fields = outputs.fields(COVERAGE_SCHEMA, base)
        extra = [(n, k) for n, k in COVERAGE_PLAN_SCHEMA if fields.indexFromName(n) < 0]
        fields = outputs.fields(extra, fields)
        sink, dest = outputs.sink(self, parameters, self.COVERAGE, context, fields, zones_src.wkbType(), crs)

        def num(v):
            v = float(v)
            return None if math.isnan(v) else round(v, 4)

        rows = []
        for i, feat in enumerate(zones.features):
            attrs = [feat.attributes()[j] for j in kept] + [
                int(cov.visits[i]),
                int(cov.visits_short[i]),
                int(cov.visits_target[i]),
                int(cov.visits_long[i]),
                num(cov.dwell_total_min[i]),
                num(cov.dwell_median_min[i]),
                num(cov.presence_min[i]),
                int(cov.units[i]),
                qdatetime_utc(cov.first_entry[i]),
                qdatetime_utc(cov.last_exit[i]),
                str(cov.status[i]),
            ]
            plan = {
                "band_min": num(cov.target_min[i] / 60),
                "band_max": num(cov.target_max[i] / 60),
                "days": int(cov.days[i]),
                "per_day": num(round(float(cov.per_day[i]), 2)),
            }
            rows.append(attrs + [plan[n] for n, _ in extra])
        geoms = [feat.geometry() for feat in zones.features]
        outputs.write_rows(sink, fields, rows, lambda lo, hi: geoms[lo:hi])
        return dest
