"""hotspotpatrol:matchtracks - Match officer tracks to hot spots."""
from __future__ import annotations

import time

from qgis.core import (
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

HELP = """<p>Measures every visit of every officer (unit) to every hot spot zone: entry time, exit
time and dwell, judged against the 10–15 minute target (the Koper curve).</p>
<p><b>How visits are measured.</b> Each unit's pings are put in time order (exact duplicates count
once). Between two pings at most <i>Max gap</i> apart the unit is assumed to move in a straight line at
constant speed; across a longer gap nothing is inferred. Entry and exit are the moments this path
crosses the zone boundary (grown by <i>Boundary tolerance</i>; the boundary counts as inside), not the
times of the nearest pings, so a unit that crosses a zone between two pings still makes a visit.
Visits of one unit to one zone less than <i>Merge gap</i> apart are one visit. Visits shorter than
<i>Min dwell</i> are pass-throughs: listed, not counted. Bands: short (&lt; target min), target,
long (&gt; target max).</p>
<p><b>Times</b> may be date-time fields, ISO 8601 text with or without an offset, or epoch
seconds/milliseconds. Times without an offset are local to <i>Time zone</i>; the repeated autumn
hour is resolved by each unit's ping order.</p>
<p><b>Outputs.</b> VISITS: one line per visit (the path inside the zone) with entry/exit in UTC.
COVERAGE: the zones with visits by band, total and median dwell, presence (the union of all units'
time in the zone: two officers together count once), distinct units, first/last visit and a status
from the median dwell. WAYPOINT_VISITS: the same for waypoints (a disc of <i>Waypoint radius</i>).</p>
<p>Rows with no unit, no usable time or no coordinates are skipped, counted by reason in the log
and in SKIPPED_ROWS. Inputs are never modified.</p>"""


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
    SKIPPED_ROWS = "SKIPPED_ROWS"
    SKIPPED_REASONS = "SKIPPED_REASONS"
    VISIT_COUNT = "VISIT_COUNT"

    NUMBERS = (
        (WAYPOINT_RADIUS, "Waypoint radius (metres)", 25.0),
        (MAX_GAP, "Max gap: a longer silence breaks a track (seconds)", 300.0),
        (MERGE_GAP, "Merge gap: visits closer than this are one (seconds)", 60.0),
        (MIN_DWELL, "Min dwell: shorter visits are pass-throughs (seconds)", 60.0),
        (BOUNDARY_TOLERANCE, "Boundary tolerance: grow zones by (metres)", 0.0),
        (TARGET_MIN, "Target band minimum (minutes)", 10.0),
        (TARGET_MAX, "Target band maximum (minutes)", 15.0),
    )

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
        self.addOutput(QgsProcessingOutputNumber(self.SKIPPED_ROWS, self.tr("Pings skipped")))
        self.addOutput(QgsProcessingOutputString(self.SKIPPED_REASONS, self.tr("Pings skipped, by reason")))
        self.addOutput(QgsProcessingOutputNumber(self.VISIT_COUNT, self.tr("Visits found")))

    # ------------------------------------------------------------------ helpers
    def _number(self, parameters, key, context) -> float:
        value = self.parameterAsDouble(parameters, key, context)
        if parameters.get(key) in (None, ""):
            value = next(d for k, _, d in self.NUMBERS if k == key)
        return float(value)

    # ------------------------------------------------------------------ main
    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 - QGIS API
        self.require_dependencies()

        from ..core import fields as F
        from ..core import matching as M
        from ..qgis_io import styles
        from ..qgis_io import tracks as T

        started = time.perf_counter()
        tracks_src = self.source(parameters, self.TRACKS, context)
        zones_src = self.source(parameters, self.ZONES, context)
        if compat.geometry_type(tracks_src.wkbType()) != compat.GEOM_POINT:
            raise QgsProcessingException("The officer pings layer must be a point layer.")
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
        read_s = time.perf_counter() - started
        feedback.pushInfo(f"Read {tr.rows_read:,} pings ({tr.method}) in {read_s:.1f} s; "
                          f"{len(tr.t):,} usable from {len(tr.unit_labels):,} units.")
        feedback.setProgress(40)
        tracks = M.Tracks.build(tr.unit, tr.t, tr.x, tr.y)
        skipped = dict(tr.skipped)
        if tracks.duplicates:
            skipped["duplicate ping (same unit and time)"] = tracks.duplicates
            feedback.pushInfo(f"{tracks.duplicates:,} duplicate pings (same unit and time) counted once.")
        visits = M.match(tracks, M.PolygonAreas(zone_geoms), params)
        cov = M.coverage(visits, len(zones.ids), params)
        feedback.setProgress(70)
        if feedback.isCanceled():
            return {}

        to_out = T.transformer(work, zones_crs)
        results = {}
        visits_id, n_visits = self._write_visits(
            parameters, self.VISITS, context, visits, zones.ids, F.ZONE_ID, tr.unit_labels, zones_crs, to_out, feedback)
        results[self.VISITS] = visits_id
        results[self.COVERAGE] = self._write_coverage(parameters, context, zones, zones_src, cov, zones_crs)
        self._style(context, results[self.COVERAGE], styles.apply_coverage_style,
                    params.target_min / 60, params.target_max / 60)
        band = (params.target_min / 60, params.target_max / 60)
        self._style(context, visits_id, styles.apply_visits_style, *band)

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
                        self.VISIT_COUNT: n_visits})
        return results

    def _style(self, context, layer_id, apply, *args):
        from ..qgis_io.styles import StylePostProcessor

        if layer_id and context.willLoadLayerOnCompletion(layer_id):
            details = context.layerToLoadOnCompletionDetails(layer_id)
            details.setPostProcessor(StylePostProcessor.create(apply, *args))

    def _write_visits(self, parameters, key, context, visits, area_ids, id_name, unit_labels, crs, to_out, feedback):
        import numpy as np

        from ..qgis_io import tracks as T

        n = len(visits)
        lines = T.line_strings(visits.path_xy, visits.path_offsets, to_out)
        area_ids = np.asarray(area_ids, dtype=object)
        unit_labels = np.asarray(unit_labels, dtype=object)
        dwell_min = np.round(visits.dwell / 60.0, 4)
        dest = self.parameterAsOutputLayer(parameters, key, context)
        path, _, layer = (dest or "").partition("|layername=")
        if path.lower().endswith(".gpkg"):
            # a GeoPackage file: written in bulk (a feature loop costs minutes at force scale)
            import os

            import shapely

            from ..core import fields as F
            from ..qgis_io import gpkg_writer as W

            if os.path.exists(path) and not layer:
                os.remove(path)
            columns = [
                (F.VISIT_ID, "int", np.arange(1, n + 1)), (id_name, "string", area_ids[visits.area]),
                (F.UNIT_ID, "string", unit_labels[visits.unit]),
                (F.ENTRY_TIME, "utc", T.output_seconds(visits.entry)),
                (F.EXIT_TIME, "utc", T.output_seconds(visits.exit)),
                (F.DWELL_MIN, "real", dwell_min), (F.PINGS, "int", visits.pings), (F.BAND, "string", visits.band),
                (F.PASS_THROUGH, "bool", visits.pass_through),
            ]
            W.write_lines(path, layer or os.path.splitext(os.path.basename(path))[0], crs.toWkt(),
                          shapely.to_wkb(lines).tolist(), shapely.bounds(lines), columns, feedback=feedback,
                          progress=(70.0, 95.0))
            return dest, n
        fields = T.visit_fields(id_name)
        sink, dest = self.parameterAsSink(parameters, key, context, fields, compat.WKB_LINESTRING, crs)
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
            sink.addFeature(T.new_feature(fields, attrs, geoms[i]), compat.SINK_FAST_INSERT)
        return dest, n

    def _write_coverage(self, parameters, context, zones, zones_src, cov, crs):
        import math

        from ..qgis_io import tracks as T

        fields, kept = T.coverage_fields(zones_src.fields())
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
            sink.addFeature(T.new_feature(fields, attrs, feat.geometry()), compat.SINK_FAST_INSERT)
        return dest
