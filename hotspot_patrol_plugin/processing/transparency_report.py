"""hotspotpatrol:transparencyreport - Public patrol report (HTML and PDF, aggregated and suppressed)."""

from __future__ import annotations

import datetime
import os
import tempfile

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ..core.definitions import DEFAULT_TIMEZONE
from ..qgis_io import compat
from .base import HotspotAlgorithm

HELP = (
    "<p>A report for the public and the police and crime commissioner, in HTML and PDF: per zone and "
    "month the patrol hours delivered, the visits and the share of visits on target (10&ndash;15 "
    "minutes), crime before and after with the evaluation's headline in plain English, a map of the zones"
    " drawn offline, and a section on what a visit is and what the numbers can and cannot say.</p> "
    "<p><b>What it never contains.</b> No officer ids, no tracks and no times of individual visits: only "
    "totals per zone and month. Counts from 1 to THRESHOLD &minus; 1 are shown as &ldquo;&lt;5&rdquo; "
    "(for the default 5), and further numbers are hidden (&ldquo;*&rdquo;) wherever a row or column total"
    " would otherwise give a hidden number away. With GENERALISE the zones are drawn only as dots at "
    "their centroid snapped to a grid of GRID_SIZE metres, for sensitive locations.</p> "
    "<p><b>Inputs.</b> VISITS: the Visits output of &lsquo;Match officer tracks to hot spots&rsquo; "
    "(pass-throughs are left out). ZONES: the zone polygons for the map. EVALUATION (optional): the "
    "&lsquo;Evaluation per zone&rsquo; output of &lsquo;Evaluate hot spot patrols&rsquo;, with HEADLINE "
    "its headline. The HTML is one self-contained file: images inline, no scripts, no fonts or styles "
    "fetched, and a content security policy that forbids any request.</p>"
)


class TransparencyReportAlgorithm(HotspotAlgorithm):
    ALG_ID = "transparencyreport"
    DISPLAY = "Public patrol report"
    GROUP = "Evaluation"
    GROUP_ID = "evaluation"
    HELP = HELP

    VISITS, ZONES, EVALUATION, HEADLINE, TITLE = "VISITS", "ZONES", "EVALUATION", "HEADLINE", "TITLE"
    ZONE_ID_FIELD, TIMEZONE, THRESHOLD = "ZONE_ID_FIELD", "TIMEZONE", "THRESHOLD"
    GENERALISE, GRID_SIZE, OUTPUT_HTML, OUTPUT_PDF = "GENERALISE", "GRID_SIZE", "OUTPUT_HTML", "OUTPUT_PDF"
    SUPPRESSED = "SUPPRESSED_CELLS"

    def initAlgorithm(self, config=None):
        tr = self.tr
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.VISITS, tr("Visits (from Match officer tracks)"), [compat.SOURCE_VECTOR]
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(self.ZONES, tr("Zones (for the map)"), [compat.SOURCE_POLYGON])
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.EVALUATION,
                tr("Evaluation per zone (from Evaluate hot spot patrols)"),
                [compat.SOURCE_VECTOR],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.HEADLINE, tr("Headline (the evaluation's HEADLINE)"), optional=True, multiLine=True
            )
        )
        self.addParameter(
            QgsProcessingParameterString(self.TITLE, tr("Title"), "Hot spot patrols: what we did and what changed")
        )
        p = QgsProcessingParameterString(self.ZONE_ID_FIELD, tr("Zone id field"), "zone_id")
        p.setFlags(p.flags() | compat.FLAG_ADVANCED)
        self.addParameter(p)
        p = QgsProcessingParameterString(self.TIMEZONE, tr("Time zone for months"), DEFAULT_TIMEZONE, optional=True)
        p.setFlags(p.flags() | compat.FLAG_ADVANCED)
        self.addParameter(p)
        self.addParameter(
            QgsProcessingParameterNumber(self.THRESHOLD, tr("Hide counts below"), compat.NUMBER_INTEGER, 5, False, 1)
        )
        self.addParameter(
            QgsProcessingParameterBoolean(self.GENERALISE, tr("Show zones generalised (dots on a grid)"), False)
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.GRID_SIZE, tr("Grid for generalised zones (m)"), compat.NUMBER_DOUBLE, 500.0, False, 10.0
            )
        )
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT_HTML, tr("Report (HTML)"), "HTML (*.html)"))
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.OUTPUT_PDF, tr("Report (PDF)"), "PDF (*.pdf)", optional=True, createByDefault=True
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.SUPPRESSED, tr("Numbers hidden")))

    def processAlgorithm(self, parameters, context, feedback):
        self.require_dependencies()
        from ..qgis_io import report as R

        outputs = [self.OUTPUT_HTML, self.OUTPUT_PDF]
        self.check_outputs(parameters, context, [self.VISITS, self.ZONES, self.EVALUATION], outputs)
        zone_field = (self.parameterAsString(parameters, self.ZONE_ID_FIELD, context) or "zone_id").strip()
        threshold = self.parameterAsInt(parameters, self.THRESHOLD, context)
        generalise = (
            self.parameterAsDouble(parameters, self.GRID_SIZE, context)
            if self.parameterAsBoolean(parameters, self.GENERALISE, context)
            else 0.0
        )
        zones_src = self.source(parameters, self.ZONES, context)
        zone_ids, months, counts, crime, sentences = self.tables(parameters, context, zones_src, zone_field, feedback)
        workdir = tempfile.mkdtemp(prefix="hp_report_")
        label = zone_field if zone_field in zones_src.fields().names() else None
        map_png = R.render_zone_map(zones_src, label, os.path.join(workdir, "map.png"), generalise)
        chart_png = self.crime_chart(crime, workdir)
        args = (
            *self.texts(parameters, context, months, zone_ids),
            map_png,
            *self.map_words(generalise, len(zone_ids)),
            months,
            zone_ids,
            *counts,
            crime,
            sentences,
            chart_png,
            threshold,
            generalise > 0,
        )
        html_text, hidden = R.build_report_html(*args, inline=True)
        html_path = self.parameterAsFileOutput(parameters, self.OUTPUT_HTML, context)
        with open(html_path, "w", encoding="utf-8") as f:
            f.write(html_text)
        results = {self.OUTPUT_HTML: html_path, self.SUPPRESSED: hidden}
        pdf_path = self.parameterAsFileOutput(parameters, self.OUTPUT_PDF, context)
        if pdf_path:
            images = {"map.png": map_png, **({"chart.png": chart_png} if chart_png else {})}
            results[self.OUTPUT_PDF] = R.write_pdf(R.build_report_html(*args, inline=False)[0], images, pdf_path)
        feedback.pushInfo(f"Report for {len(zone_ids)} zones over {len(months)} month(s); {hidden} number(s) hidden.")
        return results

    def tables(self, parameters, context, zones_src, zone_field, feedback):
        """(zone ids, months, (visits, hours, on target) per zone × month, crimes before/after per zone or
        None, one evaluation sentence per zone): aggregates only."""
        from ..core import suppression as S
        from ..qgis_io import report as R

        tz = self.timezone(parameters, self.TIMEZONE, context)
        visits = R.read_visits(self.source(parameters, self.VISITS, context), zone_field, tz, feedback)
        zone_ids = self.zone_ids(zones_src, zone_field)
        months = sorted(set(visits.month))
        if not months:
            raise QgsProcessingException("The visits layer holds no counted visits: there is nothing to report.")
        counts = S.monthly(visits.zone, visits.month, visits.dwell_min, visits.on_target, zone_ids, months)
        ev_src = self.parameterAsSource(parameters, self.EVALUATION, context)
        if ev_src is None:
            return zone_ids, months, counts, None, []
        ev = R.read_evaluation_layer(ev_src)
        crime = [[float(ev.get(z, (0, 0))[0] or 0), float(ev.get(z, (0, 0))[1] or 0)] for z in zone_ids]
        return zone_ids, months, counts, crime, [ev.get(z, (0, 0, ""))[2] or "" for z in zone_ids]

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def zone_ids(source, zone_field) -> list:
        if zone_field not in source.fields().names():
            raise QgsProcessingException(
                f"The zones layer has no field '{zone_field}' (its fields: {', '.join(source.fields().names())})."
            )
        return sorted({str(f[zone_field]) for f in source.getFeatures()})

    def texts(self, parameters, context, months, zone_ids):
        title = self.parameterAsString(parameters, self.TITLE, context) or "Hot spot patrols"
        headline = (self.parameterAsString(parameters, self.HEADLINE, context) or "").strip() or (
            f"Officers patrolled {len(zone_ids)} hot spot zones between {months[0]} and {months[-1]}."
        )
        period = months[0] if len(months) == 1 else f"{months[0]} to {months[-1]}"
        return title, period, datetime.date.today().isoformat(), headline

    @staticmethod
    def map_words(generalise, n):
        if generalise:
            return (
                f"Map of the {n} patrolled zones, each shown as a dot placed at the centre of a "
                f"{generalise:g} metre grid square near it.",
                f"Zones generalised: each dot marks the {generalise:g} m grid square the zone's centre falls in.",
            )
        return (
            f"Map of the {n} patrolled hot spot zones, drawn as blue shapes with their names.",
            "The patrolled zones. Map drawn without a background map; no data was sent anywhere to make it.",
        )

    @staticmethod
    def crime_chart(crime, workdir):
        from ..qgis_io import charts

        if crime is None or not charts.available():
            return None
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.pyplot as plt

        before = sum(r[0] for r in crime)
        after = sum(r[1] for r in crime)
        fig, ax = plt.subplots(figsize=(5.5, 3.0), dpi=110)
        bars = ax.bar(["Before", "After"], [before, after], color=[charts.BEFORE, charts.AFTER])
        ax.bar_label(bars, fmt="%.0f")
        ax.set_ylabel("Recorded crimes in the patrolled zones")
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        path = os.path.join(workdir, "chart.png")
        fig.savefig(path)
        plt.close(fig)
        return path
