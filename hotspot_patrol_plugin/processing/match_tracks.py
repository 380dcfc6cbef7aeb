"""hotspotpatrol:matchtracks - Match officer tracks to hot spots."""
from __future__ import annotations

import time

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


#: coverage fields beside the zone's plan: the band its status used (minutes), the days of the
#: period it is patrolled, and its counted visits per day over them
PLAN_FIELDS = ("band_min", "band_max", "days", "per_day")
#: the visits table's column holding the zone's name (when the zones have a ``name`` field)
ZONE_NAME = "zone_name"
#: the dwell histogram's last bin: this many minutes and more
HISTOGRAM_MINUTES = 30


def gpkg_destination(alg, parameters, key, context) -> str | None:
    """The output's GeoPackage path (``path|layername=..``) when the user chose one, else None.

    Asked before the sink exists, and only for a file: ``parameterAsOutputLayer`` on a temporary
    output registers "memory:<name>" to load, which Processing then reports as not generated.
    """
    value = parameters.get(key)
    sink = getattr(value, "sink", None)
    if sink is not None:
        value = sink.valueAsString(context.expressionContext())
        value = value[0] if isinstance(value, tuple) else value
    text = str(value or "")
    if not text.partition("|")[0].lower().endswith(".gpkg"):
        return None
    return alg.parameterAsOutputLayer(parameters, key, context)


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
        (WAYPOINT_RADIUS, "Waypoint radius (metres)", 25.0),
        (MAX_GAP, "Max gap: a longer silence breaks a track (seconds)", 300.0),
        (MERGE_GAP, "Merge gap: visits closer than this are one (seconds)", 60.0),
        (MIN_DWELL, "Min dwell: shorter visits are pass-throughs (seconds)", 60.0),
        (BOUNDARY_TOLERANCE, "Boundary tolerance: grow zones by (metres)", 0.0),
        (TARGET_MIN, "Target band minimum (minutes)", 10.0),
        (TARGET_MAX, "Target band maximum (minutes)", 15.0),
    )

    TUNING = (WAYPOINT_RADIUS, MAX_GAP, MERGE_GAP, MIN_DWELL, BOUNDARY_TOLERANCE)

    def helpUrl(self):  # noqa: N802 - QGIS API
        return "https://github.com/hotspot-patrol/hotspot-patrol#what-it-does-today"

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API
        opt = compat.FLAG_OPTIONAL
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.TRACKS, self.tr("Officer pings (point layer)"), [compat.SOURCE_POINT]))
        self.addParameter(QgsProcessingParameterField(
            self.UNIT_FIELD, self.tr("Unit / officer / callsign field"), parentLayerParameterName=self.TRACKS))
        self.addParameter(QgsProcessingParameterField(
            self.TIME_FIELD, self.tr("Time field"), parentLayerParameterName=self.TRACKS))
        tz = QgsProcessingParameterString(self.TIMEZONE, self.tr("Time zone of times without an offset"),
                                          defaultValue="Europe/London")
        tz.setFlags(tz.flags() | opt)
        self.addParameter(tz)
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.ZONES, self.tr("Hot spot zones (polygon layer)"), [compat.SOURCE_POLYGON]))
        self.addParameter(QgsProcessingParameterField(
            self.ZONE_ID_FIELD, self.tr("Zone id field (default: zone_id, else the feature id)"),
            parentLayerParameterName=self.ZONES, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.WAYPOINTS, self.tr("Waypoints (point layer)"), [compat.SOURCE_POINT], optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.WAYPOINT_ID_FIELD, self.tr("Waypoint id field (default: waypoint_id, else the feature id)"),
            parentLayerParameterName=self.WAYPOINTS, optional=True))
        for key, label, default in self.NUMBERS:
            p = QgsProcessingParameterNumber(key, self.tr(label), compat.NUMBER_DOUBLE, default, True, 0.0)
            if key in self.TUNING:  # tuning, rarely changed: under Advanced, shown as whole numbers
                p.setFlags(p.flags() | compat.FLAG_ADVANCED)
                p.setMetadata({"widget_wrapper": {"decimals": 0}})
            self.addParameter(p)
        for key, label in ((self.PERIOD_START, "Analysis period start"), (self.PERIOD_END, "Analysis period end")):
            p = QgsProcessingParameterDateTime(key, self.tr(label), compat.DATETIME_TYPE, optional=True)
            self.addParameter(p)
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.VISITS, self.tr("Visits"), compat.SOURCE_LINE))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.COVERAGE, self.tr("Coverage"), compat.SOURCE_POLYGON))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.WAYPOINT_VISITS, self.tr("Waypoint visits"),
            compat.SOURCE_LINE, optional=True, createByDefault=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.DWELL_HISTOGRAM, self.tr("Dwell-time histogram (visits per minute of dwell, against the band)"),
            compat.SOURCE_VECTOR, optional=True, createByDefault=True))
        self.addOutput(QgsProcessingOutputNumber(self.SKIPPED_ROWS, self.tr("Pings skipped")))
        self.addOutput(QgsProcessingOutputString(self.SKIPPED_REASONS, self.tr("Pings skipped, by reason")))
        self.addOutput(QgsProcessingOutputNumber(self.VISIT_COUNT, self.tr("Visits found")))
        self.addOutput(QgsProcessingOutputString(
            self.ZONES_WITHOUT_GEOMETRY, self.tr("Zones left out: no geometry (their ids)")))

    # ------------------------------------------------------------------ helpers
    def _number(self, parameters, key, context) -> float:
        value = self.parameterAsDouble(parameters, key, context)
        if parameters.get(key) in (None, ""):
            value = next(d for k, _, d in self.NUMBERS if k == key)
        value = float(value)
        if not abs(value) <= 1e9:  # NaN, infinite or absurd (1e308 m of tolerance breaks GEOS)
            raise QgsProcessingException(f"{key} must be a number up to 1e9, not {value:g}.")
        return value

    # ------------------------------------------------------------------ main
    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 - QGIS API
        self.require_dependencies()

        import numpy as np

        from ..core import fields as F
        from ..core import matching as M
        from ..qgis_io import styles
        from ..qgis_io import tracks as T

        started = time.perf_counter()
        self.check_outputs(parameters, context, [self.TRACKS, self.ZONES, self.WAYPOINTS],
                           [self.VISITS, self.COVERAGE, self.WAYPOINT_VISITS])
        tracks_src = self.source(parameters, self.TRACKS, context)
        zones_src = self.source(parameters, self.ZONES, context)
        if tracks_src.featureCount() == 0:
            raise QgsProcessingException("The officer pings layer has no features: there is nothing to match.")
        if compat.geometry_type(tracks_src.wkbType()) != compat.GEOM_POINT:
            raise QgsProcessingException("The officer pings layer must be a point layer.")
        if T.undefined_crs(tracks_src.sourceCrs()):
            raise QgsProcessingException("The officer pings layer has no coordinate reference system: set one first.")
        if compat.geometry_type(zones_src.wkbType()) != compat.GEOM_POLYGON:
            raise QgsProcessingException("The zones layer must be a polygon layer.")
        unit_field = self.parameterAsString(parameters, self.UNIT_FIELD, context)
        time_field = self.parameterAsString(parameters, self.TIME_FIELD, context)
        for label, name in (("unit", unit_field), ("time", time_field)):
            if not name or tracks_src.fields().indexFromName(name) < 0:
                raise QgsProcessingException(
                    f"The {label} field '{name}' does not exist in the pings layer "
                    f"(its fields: {', '.join(tracks_src.fields().names())}).")
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
        tolerance = self._number(parameters, self.BOUNDARY_TOLERANCE, context)
        radius = self._number(parameters, self.WAYPOINT_RADIUS, context)

        # zones, and the metric CRS everything is measured in
        zones_crs = zones_src.sourceCrs()
        work = T.working_crs(zones_crs, zones_src.sourceExtent())
        if work != zones_crs:
            feedback.pushInfo(f"Zones are in a geographic CRS; distances are measured in {work.authid()}.")
        zone_id_field = T.area_id_field(
            zones_src, self.parameterAsString(parameters, self.ZONE_ID_FIELD, context), F.ZONE_ID)
        zones = T.read_areas(zones_src, "zone", zone_id_field, T.transformer(zones_crs, work), feedback, True)
        if not zones.ids:
            raise QgsProcessingException("The zones layer has no zones with a geometry.")
        zone_geoms = zones.geoms
        if tolerance > 0:
            import shapely

            zone_geoms = shapely.buffer(zone_geoms, tolerance, quad_segs=8)
        feedback.setProgress(5)

        # pings
        layer = self.parameterAsVectorLayer(parameters, self.TRACKS, context)
        tr = T.read_tracks(
            tracks_src, layer, parameters.get(self.TRACKS), unit_field, time_field, timezone,
            T.transformer(tracks_src.sourceCrs(), work), feedback)
        if feedback.isCanceled():
            return {}
        from ..qgis_io.readers import UNPLACED, unplaced_rows

        unplaced = unplaced_rows(layer, parameters.get(self.TRACKS), tr.rows_read)
        if unplaced:  # rows QGIS's delimited-text reader left out: counted like any other skipped row
            tr.skipped[UNPLACED] = unplaced
            tr.rows_read += unplaced
        read_s = time.perf_counter() - started
        feedback.pushInfo(f"Read {tr.rows_read:,} pings ({tr.method}) in {read_s:.1f} s; "
                          f"{len(tr.t):,} usable from {len(tr.unit_labels):,} units.")
        if not len(tr.t):  # nothing usable: every zone "not visited" would be no answer
            why = "; ".join(f"{k}: {v:,}" for k, v in tr.skipped.items()) or "none read"
            raise QgsProcessingException(f"None of the {tr.rows_read:,} pings can be used ({why}).")
        from ..core.cleaning import far_from_zones
        from ..core.times import plausibility_warning

        for warning in (plausibility_warning(tr.t, time.time(), f"times in '{time_field}'"),
                        far_from_zones(tr.x, tr.y, zone_geoms)):
            if warning:
                feedback.pushWarning(warning)
        feedback.setProgress(40)
        tracks = M.Tracks.build(tr.unit, tr.t, tr.x, tr.y)
        skipped = dict(tr.skipped)
        if tracks.duplicates:
            skipped["duplicate ping (same unit and time)"] = tracks.duplicates
            feedback.pushInfo(f"{tracks.duplicates:,} duplicate pings (same unit and time) counted once.")
        visits = M.match(tracks, M.PolygonAreas(zone_geoms), params)
        plan = self._zone_plan(zones, zones_src, params, timezone)
        cov = M.coverage(visits, len(zones.ids), params, **plan)
        visits.band = cov.visit_band
        own_band = bool(plan) and not (np.all(cov.target_min == params.target_min)
                                       and np.all(cov.target_max == params.target_max))
        if plan:
            feedback.pushInfo("Zones carry their own plan (" + ", ".join(
                k for k in ("target_min", "active_from", "visits_per_day") if k in plan) + "): "
                + ("bands and statuses follow each zone's band; " if own_band else "")
                + "zones without one use the band set here.")
        feedback.setProgress(70)
        if feedback.isCanceled():
            return {}

        to_out = T.transformer(work, zones_crs)
        results = {}
        visits_id, n_visits = self._write_visits(
            parameters, self.VISITS, context, visits, zones.ids, F.ZONE_ID, tr.unit_labels, zones_crs, to_out, feedback,
            clip=zone_geoms, area_names=self._names(zones, zones_src))
        results[self.VISITS] = visits_id
        results[self.COVERAGE] = self._write_coverage(parameters, context, zones, zones_src, cov, zones_crs)
        band = (None, None) if own_band else (params.target_min / 60, params.target_max / 60)
        period = self._period(params, visits, timezone)
        self._style(context, results[self.COVERAGE], styles.finish_output, styles.COVERAGE_ROLE,
                    f"Coverage · {period}" if period else None, styles.apply_coverage_style, *band)
        self._style(context, visits_id, styles.finish_output, styles.VISITS_ROLE,
                    f"Visits · {period}" if period else None, styles.apply_visits_style, *band)

        if parameters.get(self.DWELL_HISTOGRAM) is not None:
            results[self.DWELL_HISTOGRAM] = self._write_histogram(parameters, context, visits, cov, zones.ids, params)
        waypoints_src = self.parameterAsSource(parameters, self.WAYPOINTS, context)
        if waypoints_src is not None:
            if compat.geometry_type(waypoints_src.wkbType()) != compat.GEOM_POINT:
                raise QgsProcessingException("The waypoints layer must be a point layer.")
            wp_field = T.area_id_field(
                waypoints_src, self.parameterAsString(parameters, self.WAYPOINT_ID_FIELD, context), F.WAYPOINT_ID)
            wps = T.read_areas(waypoints_src, "waypoint", wp_field,
                               T.transformer(waypoints_src.sourceCrs(), work), feedback, False)
            import shapely

            discs = M.DiscAreas(shapely.get_x(wps.geoms), shapely.get_y(wps.geoms), radius)
            wp_visits = M.match(tracks, discs, params)
            if parameters.get(self.WAYPOINT_VISITS) is not None:
                wid, _ = self._write_visits(parameters, self.WAYPOINT_VISITS, context, wp_visits, wps.ids,
                                            F.WAYPOINT_ID, tr.unit_labels, zones_crs, to_out, feedback)
                results[self.WAYPOINT_VISITS] = wid
                self._style(context, wid, styles.apply_visits_style, *band)
            feedback.pushInfo(f"Waypoints: {len(wp_visits):,} visits to {len(wps.ids):,} waypoints.")

        counted = int((~visits.pass_through).sum())
        on = int((cov.status == M.STATUS_ON).sum())
        feedback.pushInfo(
            f"{n_visits:,} visits ({counted:,} counted, {n_visits - counted:,} pass-throughs) in "
            f"{len(zones.ids):,} zones; {on:,} zones on target, "
            f"{int((cov.status == M.STATUS_NOT_VISITED).sum()):,} not visited. "
            f"Total time {time.perf_counter() - started:.1f} s.")
        total_skipped = int(sum(v for k, v in skipped.items() if not k.startswith("duplicate")))
        reasons = "; ".join(f"{k}: {v}" for k, v in skipped.items()) or "none"
        feedback.pushInfo(f"Skipped pings: {total_skipped:,} ({reasons}).")
        results.update({self.SKIPPED_ROWS: total_skipped, self.SKIPPED_REASONS: reasons,
                        self.VISIT_COUNT: n_visits, self.ZONES_WITHOUT_GEOMETRY: ", ".join(zones.no_geometry)})
        return results

    @staticmethod
    def _period(params, visits, timezone) -> str:
        """The period the run covers, as layer names say it: the analysis period, else the visits'."""
        from ..core.definitions import period_label

        if params.period_start is not None and params.period_end is not None:
            return period_label(params.period_start, params.period_end, timezone, end_exclusive=True)
        if not len(visits):
            return ""
        start = params.period_start if params.period_start is not None else float(visits.entry.min())
        end = params.period_end if params.period_end is not None else float(visits.exit.max())
        return period_label(start, end, timezone)

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
                [number(v) for v in (lo or none)], [number(v) for v in (hi or none)],
                params.target_min, params.target_max)
        if F.VISITS_PER_DAY in names:
            plan["visits_per_day"] = [v if isinstance(v, (int, float)) else None
                                      for v in column(F.VISITS_PER_DAY)]
        if F.ACTIVE_FROM in names or F.ACTIVE_TO in names:
            plan["active_from"], plan["active_to"] = column(F.ACTIVE_FROM), column(F.ACTIVE_TO)
        if plan:
            plan["timezone"] = timezone
        return plan

    def _style(self, context, layer_id, apply, *args):
        from ..qgis_io.styles import StylePostProcessor

        if layer_id and context.willLoadLayerOnCompletion(layer_id):
            details = context.layerToLoadOnCompletionDetails(layer_id)
            details.setPostProcessor(StylePostProcessor.create(apply, *args))

    @staticmethod
    def _clip(lines, visits, areas, to_out):
        """Each visit's path cut to its zone, so a visit merged across the gap between two parts of a
        multi-part zone draws no line over the gap: multi-line strings, in the output CRS."""
        import numpy as np
        import shapely

        if not len(lines):
            return lines
        result = shapely.multilinestrings(lines, indices=np.arange(len(lines)))  # a path left as it is
        # a merged visit's path can cross a gap between parts, a hole or a bay of a concave zone: the
        # costly overlay runs only for the paths that leave their zone (a prepared test finds them)
        if to_out is not None:
            areas = shapely.transform(areas, lambda xy: np.column_stack(to_out(xy[:, 0], xy[:, 1])))
        # entry and exit lie on the boundary, where rounding puts half of them a hair outside: the test
        # is against the zone grown by a billionth of its coordinates (0.5 mm in BNG, ~5 mm in degrees)
        tol = float(np.nanmax(np.abs(shapely.total_bounds(areas)))) * 1e-9
        grown = shapely.buffer(areas, tol, quad_segs=2)
        shapely.prepare(grown)
        todo = np.flatnonzero(~shapely.covered_by(lines, grown[visits.area]))
        if not len(todo):
            return result
        cut = shapely.intersection(lines[todo], areas[visits.area[todo]])
        parts, index = shapely.get_parts(cut, return_index=True)
        keep = shapely.get_type_id(parts) == 1
        parts, index = parts[keep], index[keep]
        if len(parts):  # ... unless some of it lies in its zone
            cut_ones, order = np.unique(index, return_inverse=True)
            result[todo[cut_ones]] = shapely.multilinestrings(parts, indices=order)
        return result

    @staticmethod
    def _names(areas, source):
        """Each zone's name (its ``name`` field) for the visits table, or None without one."""
        import numpy as np

        from ..qgis_io.workspace import plain

        if "name" not in source.fields().names():
            return None
        return np.asarray([None if plain(f["name"]) is None else str(plain(f["name"])) for f in areas.features],
                          dtype=object)

    def _write_visits(self, parameters, key, context, visits, area_ids, id_name, unit_labels, crs, to_out, feedback,
                      clip=None, area_names=None):
        import numpy as np

        from ..qgis_io import tracks as T

        n = len(visits)
        lines = T.line_strings(visits.path_xy, visits.path_offsets, to_out)
        plain_lines = lines
        if clip is not None:
            lines = self._clip(lines, visits, clip, to_out)
        area_ids = np.asarray(area_ids, dtype=object)
        unit_labels = np.asarray(unit_labels, dtype=object)
        dwell_min = np.round(visits.dwell / 60.0, 4)
        dest = gpkg_destination(self, parameters, key, context)
        path, _, layer = (dest or "").partition("|layername=")
        if path.lower().endswith(".gpkg"):
            # a GeoPackage file: written in bulk (a feature loop costs minutes at force scale)
            import os

            import shapely

            from ..core import fields as F
            from ..qgis_io import gpkg_writer as W

            path, layer, replace = W.destination(dest, os.path.splitext(os.path.basename(path))[0])
            columns = [
                (F.VISIT_ID, "int", np.arange(1, n + 1)), (id_name, "string", area_ids[visits.area]),
                (F.UNIT_ID, "string", unit_labels[visits.unit]),
                (F.ENTRY_TIME, "utc", T.output_seconds(visits.entry)),
                (F.EXIT_TIME, "utc", T.output_seconds(visits.exit)),
                (F.DWELL_MIN, "real", dwell_min), (F.PINGS, "int", visits.pings), (F.BAND, "string", visits.band),
                (F.PASS_THROUGH, "bool", visits.pass_through),
            ]
            if area_names is not None:  # the zone's name beside its id: the table reads without a lookup
                columns.insert(2, (ZONE_NAME, "string", area_names[visits.area]))
            W.write_lines(path, layer, crs.toWkt(), shapely.to_wkb(lines).tolist(), shapely.bounds(lines),
                          columns, feedback=feedback, progress=(70.0, 95.0), replace=replace,
                          geometry="multilinestring" if clip is not None else "linestring")
            return dest, n
        from qgis.core import QgsWkbTypes

        fields = T.visit_fields(id_name)
        if area_names is not None:
            from ..qgis_io import fieldtypes

            names = QgsFields()
            for i, f in enumerate(fields):
                names.append(f)
                if i == 1:
                    names.append(fieldtypes.field(ZONE_NAME, fieldtypes.STRING))
            fields = names
        kind = QgsWkbTypes.multiType(compat.WKB_LINESTRING) if clip is not None else compat.WKB_LINESTRING
        sink, dest = self.parameterAsSink(parameters, key, context, fields, kind, crs)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, key))
        geoms = T.qgs_geometries(lines)
        for i in range(n):
            if i % 5000 == 0 and feedback.isCanceled():
                break
            attrs = [
                i + 1,
                area_ids[int(visits.area[i])],
                str(unit_labels[int(visits.unit[i])]),
                T.qdatetime_utc(visits.entry[i]),
                T.qdatetime_utc(visits.exit[i]),
                float(dwell_min[i]),
                int(visits.pings[i]),
                str(visits.band[i]),
                bool(visits.pass_through[i]),
            ]
            if area_names is not None:
                attrs.insert(2, area_names[int(visits.area[i])])
            sink.addFeature(T.new_feature(fields, attrs, geoms[i]), compat.SINK_FAST_INSERT)
        return dest, n

    def _write_histogram(self, parameters, context, visits, cov, zone_ids, params):
        """Counted visits per whole minute of dwell (0–1 … 29–30, 30+), per zone and for all zones,
        each bin labelled with the band its middle falls in: the Koper curve's 10–15 minutes at a
        glance (a bar chart of ``visits`` by ``minute_from``)."""
        import numpy as np
        from qgis.core import QgsCoordinateReferenceSystem

        from ..core import status as S
        from ..qgis_io import fieldtypes
        from ..qgis_io import tracks as T

        top = HISTOGRAM_MINUTES
        counted = ~visits.pass_through & cov.visit_active
        area = visits.area[counted]
        minute = np.minimum((visits.dwell[counted] // 60).astype(np.int64), top)
        n_zones = len(zone_ids)
        per_zone = np.bincount(area * (top + 1) + minute, minlength=n_zones * (top + 1)).reshape(n_zones, top + 1)
        fields = QgsFields()
        for name, kind in (("zone_id", fieldtypes.STRING), ("minute_from", fieldtypes.INT),
                           ("minute_to", fieldtypes.INT), ("dwell", fieldtypes.STRING), ("visits", fieldtypes.INT),
                           ("share_pct", fieldtypes.DOUBLE), ("band", fieldtypes.STRING)):
            fields.append(fieldtypes.field(name, kind))
        sink, dest = self.parameterAsSink(parameters, self.DWELL_HISTOGRAM, context, fields, compat.WKB_NO_GEOMETRY,
                                          QgsCoordinateReferenceSystem())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.DWELL_HISTOGRAM))
        middle = (np.arange(top + 1) + 0.5) * 60.0
        rows = [("all zones", per_zone.sum(axis=0), params.target_min, params.target_max)]
        rows += [(zone_ids[i], per_zone[i], cov.target_min[i], cov.target_max[i])
                 for i in np.flatnonzero(per_zone.sum(axis=1))]
        for zid, counts, lo, hi in rows:
            bands = S.band(middle, lo, hi)
            total = max(int(counts.sum()), 1)
            for m in range(top + 1):
                label = f"{m}–{m + 1} min" if m < top else f"{top}+ min"
                attrs = [str(zid), m, m + 1 if m < top else None, label, int(counts[m]),
                         round(100.0 * float(counts[m]) / total, 1), str(bands[m])]
                sink.addFeature(T.new_feature(fields, attrs), compat.SINK_FAST_INSERT)
        return dest

    def _write_coverage(self, parameters, context, zones, zones_src, cov, crs):
        import math

        from ..qgis_io import fieldtypes
        from ..qgis_io import tracks as T

        fields, kept = T.coverage_fields(zones_src.fields())
        extra = [n for n in PLAN_FIELDS if fields.indexFromName(n) < 0]
        for name in extra:
            fields.append(fieldtypes.field(name, fieldtypes.INT if name == "days" else fieldtypes.DOUBLE))
        sink, dest = self.parameterAsSink(parameters, self.COVERAGE, context, fields, zones_src.wkbType(), crs)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.COVERAGE))

        def num(v):
            v = float(v)
            return None if math.isnan(v) else round(v, 4)

        for i, feat in enumerate(zones.features):
            attrs = [feat.attributes()[j] for j in kept] + [
                int(cov.visits[i]), int(cov.visits_short[i]), int(cov.visits_target[i]),
                int(cov.visits_long[i]), num(cov.dwell_total_min[i]), num(cov.dwell_median_min[i]),
                num(cov.presence_min[i]), int(cov.units[i]), T.qdatetime_utc(cov.first_entry[i]),
                T.qdatetime_utc(cov.last_exit[i]), str(cov.status[i]),
            ]
            plan = {"band_min": num(cov.target_min[i] / 60), "band_max": num(cov.target_max[i] / 60),
                    "days": int(cov.days[i]), "per_day": num(round(float(cov.per_day[i]), 2))}
            attrs += [plan[n] for n in extra]
            sink.addFeature(T.new_feature(fields, attrs, feat.geometry()), compat.SINK_FAST_INSERT)
        return dest
