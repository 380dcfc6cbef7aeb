"""hotspotpatrol:planpatrols - Plan randomised hot spot patrols (Koper schedules)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from qgis.core import (
    Qgis,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ..core.definitions import DEFAULT_TIMEZONE
from ..qgis_io import compat
from .base import HotspotAlgorithm

if hasattr(Qgis, "ProcessingDateTimeParameterDataType"):  # QGIS >= 3.36
    DATE_TYPE = Qgis.ProcessingDateTimeParameterDataType.Date
else:
    DATE_TYPE = QgsProcessingParameterDateTime.Type.Date

HELP = """<p>Plans who visits which hot spot when, for one or more days: short visits (about 15 minutes, the Koper
curve) at random times, coming back no sooner than <i>Min spacing</i> and, wherever the patrols allow, at
least every <i>Max spacing</i> through the shift. The times and the order change every day and with every
seed, so nobody can predict them.</p>
<p><b>Zones.</b> Each zone is planned from its <i>zone_id</i>; the workspace fields are used when present:
<i>visits_per_day</i> (empty: one more than the fewest visits that keep every gap within the maximum spacing),
<i>priority</i> (1 highest: when the patrols cannot deliver every visit, lower priorities give up visits
first), <i>target_min</i>/<i>target_max</i> (the dwell is kept inside the zone's band) and
<i>active_from</i>/<i>active_to</i> (times of day HH:MM narrow the zone's window; dates YYYY-MM-DD leave the
zone out of days outside them).</p>
<p><b>Shift.</b> <i>Shift start</i> and <i>Shift end</i> are local times (Europe/London) and may cross
midnight (18:00–02:00). On the nights the clocks change the shift is an hour longer or shorter, as it is on
the street.</p>
<p><b>Patrols.</b> A number (foot patrols), counts per mode ('2 foot, 1 vehicle'), or a point layer of patrols
with an id field (patrol, id or callsign), a <i>mode</i> field (foot or vehicle) and the start location as the
point.</p>
<p><b>Travel.</b> Straight-line distance times a detour factor at each mode's speed ('foot 4.5, vehicle 25,
detour 1.3', km/h), or a road line layer (its name, id or path, optionally followed by speeds after a ';'), in
which case travel times are shortest paths over the network (QGIS network analysis). Every leg's travel time
fits between leaving one zone and arriving at the next; a patrol is never in two places at once.</p>
<p><b>Seed.</b> The same seed gives the same plan; empty draws one, which is printed in the log and written in
the outputs so the plan can be made again.</p>
<p><b>Outputs.</b> SCHEDULE: one row per visit (day, patrol, seq, zone_id, arrive, leave as local date-times,
travel_min from the previous stop). ROUTES: one line per patrol and day through its stops, numbered.
FEASIBILITY: per zone and day, visits wanted and planned, the longest gap and the shortest spacing, with a
note. The log says exactly which zones get fewer visits than asked and what would cover them (one more patrol
of a mode, or a longer shift, each tried by planning the day again), and compares the plan with a naive
round-robin rota: visits delivered, zones covered, idle time and predictability (the entropy of start times
per zone; how many visits are at the same time as the day before). BRIEFING: a PDF with one page per patrol
and day (map with numbered stops, times and zone names) for the sergeant to hand out.</p>"""


@dataclass
class PlanOptions:
    zones: list
    zone_geoms: list
    patrols: list
    params: object
    travel: object
    source_crs: object
    work_crs: object
    network: str | None


class PlanPatrolsAlgorithm(HotspotAlgorithm):
    ALG_ID = "planpatrols"
    DISPLAY = "Plan randomised hot spot patrols"
    GROUP = "Patrol planning"
    GROUP_ID = "planning"
    HELP = HELP
    TIMEZONE = DEFAULT_TIMEZONE

    ZONES = "ZONES"
    FIRST_DAY = "FIRST_DAY"
    LAST_DAY = "LAST_DAY"
    SHIFT_START = "SHIFT_START"
    SHIFT_END = "SHIFT_END"
    PATROLS = "PATROLS"
    TRAVEL = "TRAVEL"
    DWELL = "DWELL"
    MIN_SPACING = "MIN_SPACING"
    MAX_SPACING = "MAX_SPACING"
    SEED = "SEED"
    SCHEDULE = "SCHEDULE"
    ROUTES = "ROUTES"
    FEASIBILITY = "FEASIBILITY"
    BRIEFING = "BRIEFING"
    SUMMARY = "SUMMARY"
    SEED_USED = "SEED_USED"
    VISITS_PLANNED = "VISITS_PLANNED"
    VISITS_SHORT = "VISITS_SHORT"

    DEFAULT_TRAVEL = "foot 4.5, vehicle 25, detour 1.3"

    def flags(self):
        # the briefing pack builds a print layout: main thread only
        return super().flags() | compat.ALG_NO_THREADING

    def initAlgorithm(self, config=None):
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.ZONES, self.tr("Hot spot zones (workspace zones or HOTSPOTS)"), [compat.SOURCE_POLYGON]
            )
        )
        for key, label in (
            (self.FIRST_DAY, "First day (default: today)"),
            (self.LAST_DAY, "Last day (default: the first day)"),
        ):
            self.addParameter(QgsProcessingParameterDateTime(key, self.tr(label), DATE_TYPE, optional=True))
        self.addParameter(
            QgsProcessingParameterString(
                self.SHIFT_START, self.tr("Shift start (local time, HH:MM)"), defaultValue="18:00"
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.SHIFT_END, self.tr("Shift end (local time, HH:MM; may be after midnight)"), defaultValue="02:00"
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.PATROLS,
                self.tr("Patrols: a number, '2 foot, 1 vehicle', or a point layer of patrols"),
                defaultValue="2",
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.TRAVEL,
                self.tr("Travel: speeds (km/h) and detour factor, or a road line layer"),
                defaultValue=self.DEFAULT_TRAVEL,
            )
        )
        for key, label, default in (
            (self.DWELL, "Dwell per visit (minutes)", 15.0),
            (self.MIN_SPACING, "Min spacing between visits to a zone (minutes)", 60.0),
            (self.MAX_SPACING, "Max spacing between visits to a zone (minutes)", 120.0),
        ):
            self.addParameter(
                QgsProcessingParameterNumber(key, self.tr(label), compat.NUMBER_DOUBLE, default, False, 1.0)
            )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.SEED, self.tr("Seed (empty: random, printed in the log)"), compat.NUMBER_INTEGER, None, True, 0
            )
        )
        self.addParameter(QgsProcessingParameterFeatureSink(self.SCHEDULE, self.tr("Schedule"), compat.SOURCE_VECTOR))
        self.addParameter(QgsProcessingParameterFeatureSink(self.ROUTES, self.tr("Routes"), compat.SOURCE_LINE))
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.FEASIBILITY,
                self.tr("Feasibility per zone and day"),
                compat.SOURCE_VECTOR,
                optional=True,
                createByDefault=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.BRIEFING,
                self.tr("Patrol briefing pack (PDF)"),
                self.tr("PDF files (*.pdf)"),
                optional=True,
                createByDefault=False,
            )
        )
        self.addOutput(QgsProcessingOutputString(self.SUMMARY, self.tr("Feasibility summary")))
        self.addOutput(QgsProcessingOutputNumber(self.SEED_USED, self.tr("Seed used")))
        self.addOutput(QgsProcessingOutputNumber(self.VISITS_PLANNED, self.tr("Visits planned")))
        self.addOutput(QgsProcessingOutputNumber(self.VISITS_SHORT, self.tr("Visits asked for but not planned")))

    # ------------------------------------------------------------------ main
    def processAlgorithm(self, parameters, context, feedback):
        self.require_dependencies()
        from ..core import plans as P

        self.check_outputs(
            parameters, context, [self.ZONES], [self.SCHEDULE, self.ROUTES, self.FEASIBILITY, self.BRIEFING]
        )
        opts = self.options(parameters, context, feedback)
        try:
            result = P.plan(
                opts.zones,
                opts.patrols,
                opts.params,
                opts.travel,
                progress=lambda pct: feedback.setProgress(10 + 0.6 * pct),
                cancelled=feedback.isCanceled,
            )
        except P.PlanError as e:
            raise QgsProcessingException(str(e)) from None
        if parameters.get(self.SEED) in (None, ""):
            feedback.pushInfo(f"No seed given: drew {result.seed}. Give it as SEED to make this plan again.")
        for line in result.summary_lines():
            feedback.pushInfo(line)
        return self.write(parameters, context, feedback, opts, result)

    # ------------------------------------------------------------------ options
    def _day(self, parameters, key, context):
        if parameters.get(key) in (None, ""):
            return None
        value = self.parameterAsDateTime(parameters, key, context)
        if value is None or not value.isValid():
            raise QgsProcessingException(f"{key} is not a date.")
        d = value.date()
        return dt.date(d.year(), d.month(), d.day())

    def options(self, parameters, context, feedback) -> PlanOptions:
        from ..core import plans as P
        from ..qgis_io import plan_io
        from ..qgis_io.crs import transformer

        source = self.source(parameters, self.ZONES, context)
        if compat.geometry_type(source.wkbType()) != compat.GEOM_POLYGON:
            raise QgsProcessingException("The zones layer must be a polygon layer.")
        work = plan_io.working_crs_for(source)
        zones, geoms, _ = plan_io.read_zones(source, transformer(source.sourceCrs(), work, context), feedback)
        if not zones:
            raise QgsProcessingException("The zones layer has no zones with a zone_id and a geometry: nothing to plan.")
        first = self._day(parameters, self.FIRST_DAY, context) or dt.date.today()
        last = self._day(parameters, self.LAST_DAY, context) or first
        seed = None if parameters.get(self.SEED) in (None, "") else self.parameterAsInt(parameters, self.SEED, context)
        params = P.PlanParams(
            first_day=first,
            last_day=last,
            timezone=self.TIMEZONE,
            shift_start=self.parameterAsString(parameters, self.SHIFT_START, context).strip(),
            shift_end=self.parameterAsString(parameters, self.SHIFT_END, context).strip(),
            dwell=self.parameterAsDouble(parameters, self.DWELL, context),
            min_spacing=self.parameterAsDouble(parameters, self.MIN_SPACING, context),
            max_spacing=self.parameterAsDouble(parameters, self.MAX_SPACING, context),
            seed=seed,
        )
        try:
            params.check()
        except P.PlanError as e:
            raise QgsProcessingException(str(e)) from None
        patrols = plan_io.read_patrols(
            self.parameterAsString(parameters, self.PATROLS, context), context, work, feedback
        )
        travel, network = plan_io.parse_travel(
            self.parameterAsString(parameters, self.TRAVEL, context) or self.DEFAULT_TRAVEL
        )
        if network:
            travel = plan_io.network_matrices(network, context, zones, patrols, travel, work, feedback)
        feedback.pushInfo(
            f"{len(zones)} zones, {len(patrols)} patrols, {len(params.days())} day(s); "
            f"travel {'over the network ' + network if network else 'straight line x detour'}."
        )
        feedback.setProgress(10)
        return PlanOptions(zones, geoms, patrols, params, travel, source.sourceCrs(), work, network)

    # ------------------------------------------------------------------ outputs
    def _sink(self, parameters, key, context, fields, wkb, crs):
        sink, dest = self.parameterAsSink(parameters, key, context, fields, wkb, crs)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, key))
        return sink, dest

    def write(self, parameters, context, feedback, opts: PlanOptions, result) -> dict:
        from ..qgis_io import plan_briefing, plan_io
        from ..qgis_io.crs import transformer
        from ..qgis_io.styles import StylePostProcessor

        to_out = transformer(opts.work_crs, opts.source_crs, context)
        out = {}
        for key, fields, feats, wkb, style in (
            (self.SCHEDULE, plan_io.schedule_fields(), plan_io.schedule_features, compat.WKB_NO_GEOMETRY, None),
            (
                self.ROUTES,
                plan_io.route_fields(),
                lambda r, f: plan_io.route_features(r, f, to_out),
                compat.WKB_LINESTRING,
                plan_briefing.style_routes,
            ),
            (
                self.FEASIBILITY,
                plan_io.feasibility_fields(),
                plan_io.feasibility_features,
                compat.WKB_NO_GEOMETRY,
                None,
            ),
        ):
            if parameters.get(key) is None:
                continue
            sink, dest = self._sink(parameters, key, context, fields, wkb, opts.source_crs)
            sink.addFeatures(feats(result, fields), compat.SINK_FAST_INSERT)
            out[key] = dest
            if style and context.willLoadLayerOnCompletion(dest):
                context.layerToLoadOnCompletionDetails(dest).setPostProcessor(StylePostProcessor.create(style))
        feedback.setProgress(80)
        if parameters.get(self.BRIEFING) not in (None, ""):
            path = self.parameterAsFileOutput(parameters, self.BRIEFING, context)
            pages = plan_briefing.export_plan_pack(
                result, opts.zones, opts.zone_geoms, opts.source_crs, to_out, path, context.project(), feedback
            )
            feedback.pushInfo(f"Briefing pack: {pages} page(s) in {path}.")
            out[self.BRIEFING] = path
        out.update(
            {
                self.SUMMARY: "\n".join(result.summary_lines()),
                self.SEED_USED: result.seed,
                self.VISITS_PLANNED: len(result.schedule),
                self.VISITS_SHORT: int(result.feasibility["shortfall"].sum()) if len(result.feasibility) else 0,
            }
        )
        return out
