"""hotspotpatrol:compliance - Plan against actual: were the planned patrols made?"""

from __future__ import annotations

from dataclasses import dataclass

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputString,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ..core.definitions import DEFAULT_TIMEZONE
from ..qgis_io import compat
from .base import HotspotAlgorithm

HELP = (
    "<p>Compares a patrol plan (the SCHEDULE of <i>Plan randomised hot spot patrols</i>) with what happened "
    "(the VISITS of <i>Match officer tracks to hot spots</i> for the same period): for every planned visit, "
    "was it made, by whom, how late, for how long and in which band.</p> "
    "<p>A planned visit is <b>made</b> by a counted visit (pass-throughs never count) to the same zone that "
    "starts within <i>Tolerance</i> minutes of the planned arrival, or overlaps the planned stay. Each actual "
    "visit makes at most one planned visit; the closest arrivals are paired first. With a unit ↔ patrol table "
    "only the patrol's own units count; without one any unit does. Units are shown as they are in VISITS, so "
    "pseudonyms stay pseudonyms.</p> "
    "<p><b>Status</b>: on plan; late or early (arrival more than <i>Late after</i> minutes off the plan); "
    "short (the actual visit is in the short band); missed. A visit made in another zone than planned shows as "
    "missed in the planned zone and as unplanned in the other.</p> "
    "<p><b>Outputs.</b> PLANNED_VISITS: one row per planned visit with the actual visit's unit, entry, exit, "
    "arrival offset, dwell, band and status. BY_ZONE: per zone (on the map when ZONES is given, coloured by "
    "the share made): planned, made, on target, their shares, presence planned and delivered (minutes) and "
    "unplanned visits. BY_PATROL_DAY: the same per patrol and day. BRIEFING: a PDF in the look of the patrol "
    "briefing pack, for the sergeant's debrief: the map of the zones coloured by the share made, the headline "
    '("31 of 36 planned visits made (86%), 24 on target"), counts by status, and tables per zone, per patrol '
    "and day and of the planned visits not made as planned (units as in VISITS, no tracks). Schedule times "
    "without an offset are read as local times in <i>Time zone</i>.</p>"
)


@dataclass
class ComplianceOptions:
    schedule: object
    visits: object
    zones: object
    mapping: dict | None
    params: object
    timezone: str


def style_by_zone(layer) -> None:
    """Zones coloured by the share of planned visits made, labelled 'HS-001 3/4' (as on the briefing page)."""
    from ..qgis_io import plan_briefing

    plan_briefing.style_compliance_zones(layer)


class ComplianceAlgorithm(HotspotAlgorithm):
    ALG_ID = "compliance"
    DISPLAY = "Plan against actual (compliance)"
    GROUP = "Patrol planning"
    GROUP_ID = "planning"
    HELP = HELP

    SCHEDULE = "SCHEDULE"
    VISITS = "VISITS"
    ZONES = "ZONES"
    UNIT_PATROL = "UNIT_PATROL"
    UNIT_FIELD = "UNIT_FIELD"
    PATROL_FIELD = "PATROL_FIELD"
    TOLERANCE = "TOLERANCE"
    LATE = "LATE"
    TIMEZONE = "TIMEZONE"
    PLANNED_VISITS = "PLANNED_VISITS"
    BY_ZONE = "BY_ZONE"
    BY_PATROL_DAY = "BY_PATROL_DAY"
    BRIEFING = "BRIEFING"
    SUMMARY = "SUMMARY"

    def flags(self):
        # the briefing page builds a print layout: main thread only
        return super().flags() | compat.ALG_NO_THREADING

    def initAlgorithm(self, config=None):
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.SCHEDULE,
                self.tr("Schedule (SCHEDULE of Plan randomised hot spot patrols)"),
                [compat.SOURCE_VECTOR],
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.VISITS, self.tr("Visits (VISITS of Match officer tracks)"), [compat.SOURCE_LINE]
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.ZONES, self.tr("Zones, for the map"), [compat.SOURCE_POLYGON], optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.UNIT_PATROL, self.tr("Unit ↔ patrol table"), [compat.SOURCE_VECTOR], optional=True
            )
        )
        for key, label in (
            (self.UNIT_FIELD, "Unit field of the table"),
            (self.PATROL_FIELD, "Patrol field of the table"),
        ):
            self.addParameter(
                QgsProcessingParameterField(
                    key, self.tr(label), parentLayerParameterName=self.UNIT_PATROL, optional=True
                )
            )
        for key, label, default in (
            (self.TOLERANCE, "Tolerance: a visit this close to the planned arrival counts (minutes)", 30.0),
            (self.LATE, "Late or early after (minutes)", 10.0),
        ):
            self.addParameter(
                QgsProcessingParameterNumber(key, self.tr(label), compat.NUMBER_DOUBLE, default, False, 0.0)
            )
        self.addParameter(
            QgsProcessingParameterString(
                self.TIMEZONE, self.tr("Time zone of schedule times without an offset"), defaultValue=DEFAULT_TIMEZONE
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.PLANNED_VISITS, self.tr("Planned visits, made or missed"), compat.SOURCE_VECTOR
            )
        )
        self.addParameter(QgsProcessingParameterFeatureSink(self.BY_ZONE, self.tr("Compliance by zone")))
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.BY_PATROL_DAY, self.tr("Compliance by patrol and day"), compat.SOURCE_VECTOR
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.BRIEFING,
                self.tr("Compliance briefing page (PDF; needs the zones)"),
                self.tr("PDF files (*.pdf)"),
                optional=True,
                createByDefault=False,
            )
        )
        self.addOutput(QgsProcessingOutputString(self.SUMMARY, self.tr("Summary")))

    def processAlgorithm(self, parameters, context, feedback):
        self.require_dependencies()
        from ..core import compliance as C

        self.check_outputs(
            parameters,
            context,
            [self.SCHEDULE, self.VISITS, self.ZONES, self.UNIT_PATROL],
            [self.PLANNED_VISITS, self.BY_ZONE, self.BY_PATROL_DAY, self.BRIEFING],
        )
        opts = self.options(parameters, context, feedback)
        if self.wants_briefing(parameters) and opts.zones is None:
            raise QgsProcessingException(
                "The compliance briefing page draws the zones: give ZONES, or leave BRIEFING empty."
            )
        try:
            result = C.check(opts.schedule, opts.visits, opts.mapping, opts.params)
        except ValueError as e:
            raise QgsProcessingException(str(e)) from None
        feedback.pushInfo(result.summary())
        return self.write(parameters, context, feedback, opts, result)

    def options(self, parameters, context, feedback) -> ComplianceOptions:
        from ..core import compliance as C
        from ..qgis_io import plan_io

        tz = self.timezone(parameters, self.TIMEZONE, context)
        schedule = plan_io.read_schedule(self.source(parameters, self.SCHEDULE, context), tz, feedback)
        if not len(schedule):
            raise QgsProcessingException("The schedule has no planned visits: nothing to compare.")
        visits = plan_io.read_visits(self.source(parameters, self.VISITS, context), feedback)
        zones = self.parameterAsSource(parameters, self.ZONES, context)
        mapping = None
        table = self.parameterAsSource(parameters, self.UNIT_PATROL, context)
        if table is not None:
            unit_f = self.parameterAsString(parameters, self.UNIT_FIELD, context)
            patrol_f = self.parameterAsString(parameters, self.PATROL_FIELD, context)
            if not unit_f or not patrol_f:
                raise QgsProcessingException("Give the unit field and the patrol field of the unit ↔ patrol table.")
            mapping = {str(f[unit_f]): str(f[patrol_f]) for f in table.getFeatures()}
        params = C.ComplianceParams(
            self.parameterAsDouble(parameters, self.TOLERANCE, context),
            self.parameterAsDouble(parameters, self.LATE, context),
        )
        feedback.pushInfo(
            f"{len(schedule)} planned visits, {len(visits)} measured visits"
            + (f", {len(mapping)} units mapped to patrols." if mapping else "; any unit counts.")
        )
        return ComplianceOptions(schedule, visits, zones, mapping, params, tz)

    def wants_briefing(self, parameters) -> bool:
        return parameters.get(self.BRIEFING) not in (None, "")

    def write(self, parameters, context, feedback, opts, result) -> dict:
        from ..qgis_io import plan_io
        from ..qgis_io.styles import StylePostProcessor

        out = {self.SUMMARY: result.summary()}
        for key, fields, feats, wkb, crs in plan_io.compliance_outputs(result, opts.zones, self):
            sink, dest = self.parameterAsSink(parameters, key, context, fields, wkb, crs)
            if sink is None:
                raise QgsProcessingException(self.invalidSinkError(parameters, key))
            sink.addFeatures(feats, compat.SINK_FAST_INSERT)
            out[key] = dest
            if key == self.BY_ZONE and opts.zones is not None and context.willLoadLayerOnCompletion(dest):
                context.layerToLoadOnCompletionDetails(dest).setPostProcessor(StylePostProcessor.create(style_by_zone))
        if self.wants_briefing(parameters):
            from qgis.core import QgsProject

            from ..qgis_io import plan_briefing
            from ..qgis_io.briefing import BriefingError

            path = self.parameterAsFileOutput(parameters, self.BRIEFING, context)
            try:
                pages = plan_briefing.export_compliance_pack(
                    result,
                    opts.zones,
                    opts.params,
                    path,
                    context.project() or QgsProject.instance(),
                    opts.timezone,
                    feedback,
                )
            except BriefingError as e:
                raise QgsProcessingException(str(e)) from None
            feedback.pushInfo(f"Compliance briefing: {pages} page(s) in {path}.")
            out[self.BRIEFING] = path
        return out
