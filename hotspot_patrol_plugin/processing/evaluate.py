"""hotspotpatrol:evaluate - Evaluate hot spot patrols (WDD, WDQ, dosage-response, return on investment)."""

from __future__ import annotations

from dataclasses import dataclass

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ..core.definitions import DEFAULT_TIMEZONE
from ..qgis_io import compat
from .base import HotspotAlgorithm

HELP = (
    "<p>Did crime fall in the patrolled hot spots, did it move round the corner, did it fall more where "
    "officers stayed longer, and what did it return for the money? Give the crimes, the patrolled zones "
    "(TREATED) and two periods; everything else is optional.</p> "
    "<p><b>Areas.</b> Each treated zone is compared with a control zone (CONTROL). Left empty, a control "
    "is chosen for every treated zone automatically: copies of the zone's own shape moved in whole steps "
    "around it, outside every treated zone and its ring, and the one whose before-period count is closest"
    " to the zone's is taken (the choice is listed in the log and in CONTROL_CHOICE). A displacement ring"
    " BUFFER metres wide is drawn around each treated and each control zone; rings are clipped so they "
    "never overlap a treated or control zone, and a crime counts in one area only.</p> "
    "<p><b>WDD</b> (Wheeler &amp; Ratcliffe 2018): WDD = &Delta;T &minus; &Delta;Ct + &Delta;D &minus; "
    "&Delta;Cd (after minus before in the treated zones, their controls, the rings and the controls' "
    "rings); negative means fewer crimes than expected. Under a Poisson assumption its variance is the "
    "sum of the eight counts; z = WDD / SE, the two-sided p-value and a CONFIDENCE interval follow. When "
    "the periods differ in length the before counts are divided by the ratio of the lengths (and their "
    "variances by its square), so the WDD is in crimes per after period. Area weights (relative to each "
    "treated zone) are used only when asked for, as in the paper. The harm-weighted total weighs each "
    "crime type's WDD by its harm (HARM_TABLE, or each distinct HARM_FIELD value as its own class) and "
    "adds the variances times the weight squared; the weights are never applied to the counts. Where "
    "counts are tiny the Poisson E-test (Krishnamoorthy &amp; Thomson 2004) of the treated zones' after "
    "versus before rate is given too.</p> "
    "<p><b>WDQ</b> (Bowers &amp; Johnson 2003; POP Center tool guide 10): success measure Ra/Ca &minus; "
    "Rb/Cb (negative = success), WDQ = (Da/Ca &minus; Db/Cb) / (Ra/Ca &minus; Rb/Cb) and total net effect"
    " TNE = [Rb&middot;Ca/Cb &minus; Ra] + [Db&middot;Ca/Cb &minus; Da]. WDQ above 1: diffusion larger "
    "than the direct effect; 0 to 1: diffusion; 0 to &minus;1: displacement smaller than the gain; below "
    "&minus;1: the gain eclipsed. The WDQ is refused, with the reason, when the control had no crimes or "
    "crime did not fall in the treated zones.</p> "
    "<p><b>Dosage&ndash;response</b> (with COVERAGE, the Coverage output of &lsquo;Match officer tracks "
    "to hot spots&rsquo;): Poisson regression of after counts on log(before + 1) and presence hours per "
    "zone; the rate ratio per extra hour, with its interval (quasi-Poisson when overdispersed), and a "
    "chart.</p> "
    "<p><b>Return on investment</b> (with COVERAGE, PATROL_COST per officer-hour and CRIME_COSTS, a CSV "
    "of crime type, cost of one crime; a row &lsquo;*&rsquo; covers every type): crimes prevented "
    "(&minus;WDD per type) &times; their cost &divide; officer-hours &times; PATROL_COST, with the WDD "
    "interval carried through, and the break-even cost per officer-hour. No costs are built in: the "
    "report names the source you give (COST_SOURCE).</p> "
    "<p><b>Outputs.</b> OUTPUT: the treated zones with their counts, WDD, WDQ and a plain-language "
    "sentence, styled by result. AREAS: treated and control zones and rings, for the map. SUMMARY: all "
    "zones together, each crime type and the harm total. CHART and DOSE_CHART: PNG charts drawn "
    "offline.</p>"
)


@dataclass
class Settings:
    date_field: str
    type_field: str | None
    harm_field: str | None
    zone_id: str
    timezone: str
    before: tuple
    after: tuple
    buffer: float
    confidence: float
    area_weights: bool
    harm_table: dict | None
    costs: dict | None
    cost_source: str
    patrol_rate: float


class EvaluateAlgorithm(HotspotAlgorithm):
    ALG_ID = "evaluate"
    DISPLAY = "Evaluate hot spot patrols"
    GROUP = "Evaluation"
    GROUP_ID = "evaluation"
    HELP = HELP

    CRIMES, DATE_FIELD, TYPE_FIELD = "CRIMES", "DATE_FIELD", "TYPE_FIELD"
    TREATED, CONTROL, ZONE_ID_FIELD, BUFFER = "TREATED", "CONTROL", "ZONE_ID_FIELD", "BUFFER"
    BEFORE_START, BEFORE_END, AFTER_START, AFTER_END = "BEFORE_START", "BEFORE_END", "AFTER_START", "AFTER_END"
    TIMEZONE = "TIMEZONE"
    HARM_FIELD, HARM_TABLE, COVERAGE = "HARM_FIELD", "HARM_TABLE", "COVERAGE"
    PATROL_COST, CRIME_COSTS, COST_SOURCE = "PATROL_COST", "CRIME_COSTS", "COST_SOURCE"
    CONFIDENCE, AREA_WEIGHTS = "CONFIDENCE", "AREA_WEIGHTS"
    OUTPUT, AREAS, SUMMARY, CHART, DOSE_CHART = "OUTPUT", "AREAS", "SUMMARY", "CHART", "DOSE_CHART"
    NUMBERS = (
        "WDD_LOCAL",
        "WDD_DISPLACEMENT",
        "WDD_TOTAL",
        "WDD_SE",
        "WDD_Z",
        "WDD_P",
        "WDD_CI_LOW",
        "WDD_CI_HIGH",
        "WDQ",
        "TNE",
        "SUCCESS",
        "E_TEST_P",
        "HARM_WDD",
        "HARM_SE",
        "DOSAGE_RATE_RATIO",
        "DOSAGE_CI_LOW",
        "DOSAGE_CI_HIGH",
        "ROI",
        "ROI_LOW",
        "ROI_HIGH",
        "BREAK_EVEN_COST",
        "CRIMES_USED",
        "SKIPPED_ROWS",
    )
    TEXTS = ("HEADLINE", "CONTROL_CHOICE", "WDQ_READING", "DOSAGE", "NOTES")

    def initAlgorithm(self, config=None):
        tr = self.tr
        self.addParameter(
            QgsProcessingParameterFeatureSource(self.CRIMES, tr("Crimes (points, any CRS)"), [compat.SOURCE_POINT])
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.DATE_FIELD, tr("Date or date-time of each crime"), parentLayerParameterName=self.CRIMES
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.TYPE_FIELD, tr("Crime type field"), parentLayerParameterName=self.CRIMES, optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(self.TREATED, tr("Patrolled zones"), [compat.SOURCE_POLYGON])
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.CONTROL, tr("Control zones (empty: chosen automatically)"), [compat.SOURCE_POLYGON], optional=True
            )
        )
        p = QgsProcessingParameterString(self.ZONE_ID_FIELD, tr("Zone id field (empty: zone_id)"), optional=True)
        p.setFlags(p.flags() | compat.FLAG_ADVANCED)
        self.addParameter(p)
        self.addParameter(
            QgsProcessingParameterNumber(
                self.BUFFER, tr("Displacement ring width (m)"), compat.NUMBER_DOUBLE, 150.0, False, 1.0
            )
        )
        for key, label in (
            (self.BEFORE_START, "Before period: start"),
            (self.BEFORE_END, "Before period: end (included)"),
            (self.AFTER_START, "After period: start"),
            (self.AFTER_END, "After period: end (included)"),
        ):
            self.addParameter(QgsProcessingParameterDateTime(key, tr(label), compat.DATETIME_TYPE))
        p = QgsProcessingParameterString(
            self.TIMEZONE, tr("Time zone of dates without an offset"), defaultValue=DEFAULT_TIMEZONE, optional=True
        )
        p.setFlags(p.flags() | compat.FLAG_ADVANCED)
        self.addParameter(p)
        self.addParameter(
            QgsProcessingParameterField(
                self.HARM_FIELD,
                tr("Harm weight field"),
                parentLayerParameterName=self.CRIMES,
                type=compat.FIELD_NUMERIC,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFile(
                self.HARM_TABLE,
                tr("Or a harm table: CSV of crime type, weight"),
                behavior=compat.FILE_BEHAVIOR_FILE,
                extension="csv",
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.COVERAGE,
                tr("Coverage from 'Match officer tracks' (dosage and officer-hours)"),
                [compat.SOURCE_VECTOR],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.PATROL_COST, tr("Cost per officer-hour (0: no ROI)"), compat.NUMBER_DOUBLE, 0.0, True, 0.0
            )
        )
        self.addParameter(
            QgsProcessingParameterFile(
                self.CRIME_COSTS,
                tr("Costs of crime: CSV of crime type, cost"),
                behavior=compat.FILE_BEHAVIOR_FILE,
                extension="csv",
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(self.COST_SOURCE, tr("Whose costs (named in the report)"), optional=True)
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.CONFIDENCE, tr("Confidence level"), compat.NUMBER_DOUBLE, 0.95, False, 0.5, 0.999
            )
        )
        p = QgsProcessingParameterBoolean(
            self.AREA_WEIGHTS, tr("Weight counts by area (default off, as in the paper)"), False
        )
        p.setFlags(p.flags() | compat.FLAG_ADVANCED)
        self.addParameter(p)
        self.addParameter(
            QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Evaluation per zone"), compat.SOURCE_POLYGON)
        )
        self.addParameter(QgsProcessingParameterFeatureSink(self.AREAS, tr("Evaluation areas"), compat.SOURCE_POLYGON))
        self.addParameter(
            QgsProcessingParameterFeatureSink(self.SUMMARY, tr("Evaluation summary"), compat.SOURCE_VECTOR)
        )
        for key, label in ((self.CHART, "Chart: before and after"), (self.DOSE_CHART, "Chart: dosage and response")):
            self.addParameter(
                QgsProcessingParameterFileDestination(
                    key, tr(label), "PNG files (*.png)", optional=True, createByDefault=False
                )
            )
        for key in self.NUMBERS:
            self.addOutput(QgsProcessingOutputNumber(key, key))
        for key in self.TEXTS:
            self.addOutput(QgsProcessingOutputString(key, key))

    # ------------------------------------------------------------------ main
    def processAlgorithm(self, parameters, context, feedback):
        self.require_dependencies()
        from ..core import evaluation as E
        from ..qgis_io import report as R

        inputs = [self.CRIMES, self.TREATED, self.CONTROL, self.COVERAGE, self.HARM_TABLE, self.CRIME_COSTS]
        self.check_outputs(
            parameters, context, inputs, [self.OUTPUT, self.AREAS, self.SUMMARY, self.CHART, self.DOSE_CHART]
        )
        s = self.settings(parameters, context)
        crs, (treated, treated_ids), (control, control_ids) = self.zones(parameters, context, s, feedback)
        got = self.crimes(parameters, context, s, crs, feedback)
        coverage = self.parameterAsSource(parameters, self.COVERAGE, context)
        presence, officer = R.read_coverage(coverage, feedback) if coverage is not None else (None, None)
        opts = E.Options(
            s.before,
            s.after,
            s.buffer,
            s.confidence,
            s.area_weights,
            s.harm_table,
            s.costs,
            s.cost_source,
            s.patrol_rate,
            presence,
            officer,
        )
        try:
            ev = E.evaluate(got.crimes, treated, treated_ids, control, control_ids, opts)
        except ValueError as e:
            raise QgsProcessingException(str(e)[:1].upper() + str(e)[1:] + ".") from None
        results = R.write_evaluation(self, parameters, context, ev, crs, (self.OUTPUT, self.AREAS, self.SUMMARY))
        R.style_on_load(context, results[self.OUTPUT], R.apply_zone_style)
        R.style_on_load(context, results[self.AREAS], R.apply_areas_style)
        charts = (self.parameterAsFileOutput(parameters, k, context) for k in (self.CHART, self.DOSE_CHART))
        results.update(R.write_charts(ev, *charts, feedback))
        return {**results, **self.report(ev, got, feedback)}

    # ------------------------------------------------------------------ reading
    def zones(self, parameters, context, s, feedback):
        """(working CRS, treated (geometries, ids), control (geometries, ids) or (None, None))."""
        from ..qgis_io import report as R
        from ..qgis_io.crs import transformer

        treated_src = self.source(parameters, self.TREATED, context)
        crs = R.work_crs(treated_src.sourceCrs(), treated_src.sourceExtent())
        to_work = transformer(treated_src.sourceCrs(), crs, context)
        treated = R.read_zones(treated_src, "treated zones", s.zone_id, to_work, feedback)
        control_src = self.parameterAsSource(parameters, self.CONTROL, context)
        if control_src is None:
            return crs, treated, (None, None)
        to_work = transformer(control_src.sourceCrs(), crs, context)
        return crs, treated, R.read_zones(control_src, "control zones", s.zone_id, to_work, feedback)

    def crimes(self, parameters, context, s, crs, feedback):
        from ..qgis_io import report as R
        from ..qgis_io.crs import transformer

        src = self.source(parameters, self.CRIMES, context)
        layer = self.parameterAsVectorLayer(parameters, self.CRIMES, context)
        return R.read_crimes(
            src,
            layer,
            parameters.get(self.CRIMES),
            s.date_field,
            s.type_field,
            s.harm_field,
            transformer(src.sourceCrs(), crs, context),
            s.timezone,
            (s.before, s.after),
            feedback,
        )

    # ------------------------------------------------------------------ parameters in, numbers out
    def settings(self, parameters, context) -> Settings:
        from ..core.evaluation import DAY_S
        from ..qgis_io import report as R

        tz = self.timezone(parameters, self.TIMEZONE, context)
        bounds = []
        for key in (self.BEFORE_START, self.BEFORE_END, self.AFTER_START, self.AFTER_END):
            value = self.instant(parameters, key, context, tz)
            if value is None:
                raise QgsProcessingException(
                    f"{key} is required: give the date (or date-time) the period starts or ends."
                )
            bounds.append(value)
        b0, b1, a0, a1 = bounds
        # an end at local midnight (a date) includes that whole day
        b1, a1 = (
            v + DAY_S if self._midnight(parameters, k, context) else v
            for v, k in ((b1, self.BEFORE_END), (a1, self.AFTER_END))
        )
        if b1 <= b0 or a1 <= a0:
            raise QgsProcessingException("A period ends before it starts: check BEFORE_START/END and AFTER_START/END.")
        if a0 < b1 and b0 < a1:
            raise QgsProcessingException("The before and after periods overlap: a crime must belong to one of them.")
        field = lambda key: (self.parameterAsString(parameters, key, context) or "").strip() or None  # noqa: E731
        harm_path, cost_path = (
            self.parameterAsFile(parameters, k, context) for k in (self.HARM_TABLE, self.CRIME_COSTS)
        )
        if field(self.HARM_FIELD) and harm_path:
            raise QgsProcessingException("Use either a harm weight field or a harm table, not both.")
        if harm_path and not field(self.TYPE_FIELD):
            raise QgsProcessingException("A harm table weighs crimes by type: choose the crime type field too.")
        costs = R.read_type_table(cost_path, "crime cost") if cost_path else None
        if costs and not field(self.TYPE_FIELD) and "*" not in costs:
            raise QgsProcessingException(
                "Without a crime type field the cost table needs a row '*' (the cost of any crime)."
            )
        return Settings(
            field(self.DATE_FIELD),
            field(self.TYPE_FIELD),
            field(self.HARM_FIELD),
            field(self.ZONE_ID_FIELD) or "",
            tz,
            (b0, b1),
            (a0, a1),
            self.parameterAsDouble(parameters, self.BUFFER, context),
            self.parameterAsDouble(parameters, self.CONFIDENCE, context),
            self.parameterAsBoolean(parameters, self.AREA_WEIGHTS, context),
            R.read_type_table(harm_path, "harm") if harm_path else None,
            costs,
            field(self.COST_SOURCE) or ("the cost table " + cost_path if cost_path else ""),
            self.parameterAsDouble(parameters, self.PATROL_COST, context),
        )

    def _midnight(self, parameters, key, context) -> bool:
        value = self.parameterAsDateTime(parameters, key, context)
        t = value.time()
        return (t.hour(), t.minute(), t.second(), t.msec()) == (0, 0, 0, 0)

    def report(self, ev, got, feedback) -> dict:
        r, q, d, m = ev.wdd, ev.wdq, ev.dosage, ev.roi
        for line in [
            ev.control_choice,
            *ev.notes,
            *(z["sentence"] for z in ev.zones),
            ev.overall["sentence"],
            *(t["sentence"] for t in ev.by_type),
            d.refusal or d.method if d else "",
            ev.headline,
        ]:
            if line:
                feedback.pushInfo(line)
        if got.outside:
            feedback.pushInfo(f"{got.outside:,} crimes fall outside both periods and are not counted.")
        out = {
            "WDD_LOCAL": r.local,
            "WDD_DISPLACEMENT": r.displacement,
            "WDD_TOTAL": r.total,
            "WDD_SE": r.se,
            "WDD_Z": r.z,
            "WDD_P": r.p,
            "WDD_CI_LOW": r.ci_low,
            "WDD_CI_HIGH": r.ci_high,
            "WDQ": q.wdq,
            "TNE": q.tne,
            "SUCCESS": q.success,
            "E_TEST_P": ev.overall["e_test_p"],
            "HARM_WDD": ev.harm.total if ev.harm else None,
            "HARM_SE": ev.harm.se if ev.harm else None,
            "CRIMES_USED": len(got.crimes.x),
            "SKIPPED_ROWS": sum(got.skipped.values()),
            "HEADLINE": ev.headline,
            "CONTROL_CHOICE": ev.control_choice,
            "WDQ_READING": q.reading or q.refusal,
            "DOSAGE": (d.refusal or f"{d.method}: rate ratio {d.rate_ratio:.4f} per hour") if d else "",
            "NOTES": " ".join(ev.notes),
        }
        if d and not d.refusal:
            out.update(DOSAGE_RATE_RATIO=d.rate_ratio, DOSAGE_CI_LOW=d.ci_low, DOSAGE_CI_HIGH=d.ci_high)
        if m is not None:
            out.update(ROI=m.roi, ROI_LOW=m.roi_low, ROI_HIGH=m.roi_high, BREAK_EVEN_COST=m.break_even_rate)
        return out
