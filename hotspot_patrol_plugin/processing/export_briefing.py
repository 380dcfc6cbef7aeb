"""hotspotpatrol:exportbriefing - Export a briefing pack (PDF, optional PNG pages) from a coverage layer."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import time

from qgis.core import (
    QgsProcessingException,
    QgsProcessingMultiStepFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
    QgsProject,
)

from ..core.definitions import DEFAULT_TIMEZONE
from ..qgis_io import compat
from .base import HotspotAlgorithm

HELP = (
    "<p>Prints the result of <i>Match officer tracks to hot spots</i> as a briefing pack that supervisors"
    " and officers can read without QGIS: a PDF (and, if you choose a folder, one PNG per page).</p> "
    "<p><b>Page 1</b>: title, period, area, a map of all zones coloured by status, legend, scale bar, "
    "north arrow, date of production, a note on the data, and a table of the zones (id, name, priority, "
    "visits, median dwell, status, last visit, page). Long tables continue on the next pages. <b>Then one"
    " page per zone</b>, at a readable scale: the zone, its waypoints, the visit paths of the period "
    "coloured by band, a locator map, key figures and a table of the zone's visits.</p> "
    "<p><b>Officer ids are pseudonymised</b> with a keyed hash: the same unit gets the same pseudonym "
    "(e.g. U-3f9a2c) in every pack made with the same key, and nobody without the key can recompute it. "
    "Without a key a random one is used for this pack only. Tick <i>Show unit ids</i> only for packs that"
    " stay with the analyst.</p> "
    "<p>Works offline: the maps show only the layers you give (zones, visits, waypoints and any "
    "background layers you choose, e.g. a local street map). The pack's layout is added to the project "
    "(Project &gt; Layouts) with its pseudonymised data layers, so you can adjust it and re-export with "
    "Atlas &gt; Export Atlas as PDF. The legend names the target band; it is the band the coverage layer "
    "was styled with unless you set it. Input layers are never modified.</p>"
)


class ExportBriefingAlgorithm(HotspotAlgorithm):
    ALG_ID = "exportbriefing"

    DISPLAY = "Export briefing pack (PDF)"
    GROUP = "Reporting"
    GROUP_ID = "reporting"
    HELP = HELP

    COVERAGE = "COVERAGE"
    VISITS = "VISITS"
    WAYPOINTS = "WAYPOINTS"
    BACKGROUND = "BACKGROUND"
    TITLE = "TITLE"
    AREA = "AREA"
    PERIOD = "PERIOD"
    PAPER = "PAPER"
    PSEUDONYMISE_KEY = "PSEUDONYMISE_KEY"
    SHOW_UNIT_IDS = "SHOW_UNIT_IDS"
    TARGET_MIN = "TARGET_MIN"
    TARGET_MAX = "TARGET_MAX"
    TIMEZONE = "TIMEZONE"
    OUTPUT = "OUTPUT"
    PNG_FOLDER = "PNG_FOLDER"
    PAGES = "PAGES"
    LAYOUT = "LAYOUT"
    PNG_FILES = "PNG_FILES"

    PAPERS = ("A4", "A3")
    ORDER = "ORDER"
    ORDERS = ("zone", "priority", "status")
    DEFAULT_TITLE = "Hot spot patrol briefing"

    def flags(self):
        # builds a print layout and adds it to the project: main thread only
        return super().flags() | compat.ALG_NO_THREADING

    def initAlgorithm(self, config=None):
        adv = compat.FLAG_ADVANCED
        self.addParameter(
            QgsProcessingParameterVectorLayer(
                self.COVERAGE, self.tr("Coverage (COVERAGE output of Match officer tracks)"), [compat.SOURCE_POLYGON]
            )
        )
        self.addParameter(
            QgsProcessingParameterVectorLayer(
                self.VISITS,
                self.tr("Visits (VISITS output of Match officer tracks)"),
                [compat.SOURCE_LINE],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterVectorLayer(
                self.WAYPOINTS, self.tr("Waypoints"), [compat.SOURCE_POINT], optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterMultipleLayers(
                self.BACKGROUND,
                self.tr("Background layers, drawn underneath (local data only)"),
                compat.SOURCE_MAP_LAYER,
                optional=True,
            )
        )
        self.addParameter(QgsProcessingParameterString(self.TITLE, self.tr("Title"), defaultValue=self.DEFAULT_TITLE))
        self.addParameter(
            QgsProcessingParameterString(self.AREA, self.tr("Area name (e.g. the district or beat)"), optional=True)
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.PAPER,
                self.tr("Paper (landscape)"),
                options=list(self.PAPERS),
                defaultValue=self.PAPERS[0],
                usesStaticStrings=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.ORDER,
                self.tr("Zones in order of (zone: id; status: not visited and below target first)"),
                options=list(self.ORDERS),
                defaultValue=self.ORDERS[0],
                usesStaticStrings=True,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.PSEUDONYMISE_KEY,
                self.tr("Pseudonymisation key for unit ids (keep it secret; the same key gives the same pseudonyms)"),
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.SHOW_UNIT_IDS,
                self.tr("Show real unit ids (not for packs that leave the analyst)"),
                defaultValue=False,
            )
        )
        for key, label in (
            (self.PERIOD, "Period text (default: from the first to the last visit)"),
            (self.TIMEZONE, "Time zone for printed times"),
        ):
            p = QgsProcessingParameterString(
                key, self.tr(label), optional=True, defaultValue=DEFAULT_TIMEZONE if key == self.TIMEZONE else None
            )
            p.setFlags(p.flags() | adv)
            self.addParameter(p)
        for key, label in (
            (self.TARGET_MIN, "Target band minimum, minutes (default: the coverage style's, else 10)"),
            (self.TARGET_MAX, "Target band maximum, minutes (default: the coverage style's, else 15)"),
        ):
            p = QgsProcessingParameterNumber(key, self.tr(label), compat.NUMBER_DOUBLE, None, True, 0.0)
            p.setFlags(p.flags() | adv)
            self.addParameter(p)
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.OUTPUT, self.tr("Briefing pack (PDF)"), self.tr("PDF files (*.pdf)")
            )
        )
        self.addParameter(
            QgsProcessingParameterFolderDestination(
                self.PNG_FOLDER, self.tr("Folder for one PNG per page"), optional=True, createByDefault=False
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.PAGES, self.tr("Pages")))
        self.addOutput(QgsProcessingOutputString(self.LAYOUT, self.tr("Layout name in the project")))
        self.addOutput(QgsProcessingOutputNumber(self.PNG_FILES, self.tr("PNG pages written")))

    # ------------------------------------------------------------------ helpers
    def helpUrl(self):
        return "https://github.com/hotspot-patrol/hotspot-patrol#coverage-at-a-glance-and-briefing-packs"

    def _layer(self, parameters, key, context, required=False):
        if parameters.get(key) in (None, ""):
            if required:
                raise QgsProcessingException(self.invalidSourceError(parameters, key))
            return None
        layer = self.parameterAsVectorLayer(parameters, key, context)
        if layer is None or not layer.isValid():
            raise QgsProcessingException(self.invalidSourceError(parameters, key))
        return layer

    def _band(self, parameters, context, coverage):
        from ..qgis_io import styles

        lo, hi = styles.target_band(coverage)
        if parameters.get(self.TARGET_MIN) not in (None, ""):
            lo = self.parameterAsDouble(parameters, self.TARGET_MIN, context)
        if parameters.get(self.TARGET_MAX) not in (None, ""):
            hi = self.parameterAsDouble(parameters, self.TARGET_MAX, context)
        if lo > hi:
            raise QgsProcessingException(f"The target band minimum ({lo:g} min) is above its maximum ({hi:g} min).")
        return lo, hi

    @staticmethod
    def _check_writable(path: str, what: str) -> None:
        folder = os.path.dirname(os.path.abspath(path)) or "."
        try:
            os.makedirs(folder, exist_ok=True)
            probe = os.path.join(folder, f".hp-write-test-{os.getpid()}")
            with open(probe, "w"):
                pass
            os.remove(probe)
        except OSError as e:
            raise QgsProcessingException(f"Cannot write the {what} to '{path}': {e.strerror or e}.") from None

    @staticmethod
    def _project_owned(layer, project, context):
        """The layer itself when the project has it; else taken from the run's temporary store."""
        if project.mapLayer(layer.id()) is not None:
            return layer, False
        store = context.temporaryLayerStore()
        if store.mapLayer(layer.id()) is not None:
            taken = store.takeMapLayer(layer)
            if taken is not None:
                return taken, True
        return layer.clone(), True

    def _inputs(self, parameters, context):
        """(coverage, visits, waypoints, background layers), checked."""
        from ..qgis_io import styles

        coverage = self._layer(parameters, self.COVERAGE, context, required=True)
        visits = self._layer(parameters, self.VISITS, context)
        waypoints = self._layer(parameters, self.WAYPOINTS, context)
        background = self.parameterAsLayerList(parameters, self.BACKGROUND, context) or []
        missing = styles.missing_coverage_fields(coverage)
        if missing:
            raise QgsProcessingException(
                f"The layer '{coverage.name()}' is not a COVERAGE output of 'Match officer tracks to hot spots': "
                f"it has no field {', '.join(missing)}."
            )
        for label, layer, wanted in (
            ("coverage", coverage, compat.GEOM_POLYGON),
            ("visits", visits, compat.GEOM_LINE),
            ("waypoints", waypoints, compat.GEOM_POINT),
        ):
            if layer is not None and compat.geometry_type(layer.wkbType()) != wanted:
                raise QgsProcessingException(f"The {label} layer '{layer.name()}' has the wrong geometry type.")
        return coverage, visits, waypoints, background

    def _destinations(self, parameters, context) -> tuple[str, str]:
        """(the PDF, the PNG folder or ""), both checked writable."""
        out_pdf = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        if not out_pdf:
            raise QgsProcessingException("Choose a file for the briefing pack (OUTPUT).")
        if not out_pdf.lower().endswith(".pdf"):
            out_pdf += ".pdf"
        self._check_writable(out_pdf, "briefing pack")
        png_folder = ""
        if parameters.get(self.PNG_FOLDER) not in (None, ""):
            png_folder = self.parameterAsString(parameters, self.PNG_FOLDER, context)
            if png_folder:
                self._check_writable(os.path.join(png_folder, "page_01.png"), "PNG pages")
        return out_pdf, png_folder

    def _options(self, parameters, context, coverage, visits, waypoints, background, feedback):
        """The pack's options (briefing.PackOptions), every parameter resolved once."""
        from ..paths import metadata_path
        from ..qgis_io import briefing as B
        from ..qgis_io import styles

        lo, hi = self._band(parameters, context, coverage)
        mismatched = styles.status_mismatches(coverage, lo, hi)
        if mismatched:
            feedback.pushWarning(
                f"{mismatched} zone(s) have a status that does not follow from their median visit and the "
                f"{lo:g}–{hi:g} min band: the coverage was probably computed with another band. Set "
                "TARGET_MIN and TARGET_MAX to the band used by Match officer tracks so the legend is true."
            )
        show_ids = self.parameterAsBoolean(parameters, self.SHOW_UNIT_IDS, context)
        key = self.parameterAsString(parameters, self.PSEUDONYMISE_KEY, context) or ""
        if visits is not None and not show_ids and not key:
            key = secrets.token_hex(16)
            feedback.pushWarning(
                "No pseudonymisation key was given: unit ids are hidden behind pseudonyms made with a random "
                "key, so they will not match the pseudonyms of other packs."
            )
        if show_ids:
            feedback.pushWarning("Unit ids are shown as recorded: keep this pack with the analyst.")
        title = (self.parameterAsString(parameters, self.TITLE, context) or "").strip() or self.DEFAULT_TITLE
        paper = self.parameterAsEnumString(parameters, self.PAPER, context) or self.PAPERS[0]
        timezone = (self.parameterAsString(parameters, self.TIMEZONE, context) or DEFAULT_TIMEZONE).strip()
        # what the pack shows, in the reader's words (layer names are the analyst's, not the reader's)
        n = coverage.featureCount()
        sources = [f"coverage of {n} zone{'s' if n != 1 else ''} measured from officer location pings"]
        if visits is not None:
            sources.append("each visit's path")
        if waypoints is not None:
            sources.append("waypoints")
        if background:
            sources.append("background map")
        else:
            feedback.pushWarning(
                "No background map (BACKGROUND): the pack's maps show the zones without streets. Add a map "
                "layer held on this machine (e.g. OS OpenData or an OpenStreetMap extract) for street context."
            )
        return B.PackOptions(
            title=title,
            paper=paper,
            area=(self.parameterAsString(parameters, self.AREA, context) or "").strip(),
            period=(self.parameterAsString(parameters, self.PERIOD, context) or "").strip(),
            target_min=lo,
            target_max=hi,
            timezone=timezone,
            unit_key=key,
            show_unit_ids=show_ids,
            source_note="; ".join(sources),
            version=_version(metadata_path),
            order=self.parameterAsEnumString(parameters, self.ORDER, context) or self.ORDERS[0],
            own_bands=styles.own_bands(coverage),
        )

    # ------------------------------------------------------------------ main
    def processAlgorithm(self, parameters, context, feedback):
        self.require_dependencies()
        self.check_outputs(
            parameters, context, [self.COVERAGE, self.VISITS, self.WAYPOINTS, self.BACKGROUND], [self.OUTPUT]
        )
        from ..qgis_io import briefing as B
        from ..qgis_io.crs import working_crs

        started = time.perf_counter()
        coverage, visits, waypoints, background = self._inputs(parameters, context)
        out_pdf, png_folder = self._destinations(parameters, context)
        options = self._options(parameters, context, coverage, visits, waypoints, background, feedback)
        project = context.project() or QgsProject.instance()
        try:
            crs = working_crs(coverage.crs(), coverage.extent())
            layers = B.build_pack_layers(coverage, visits, waypoints, [], options, feedback, crs=crs)
        except B.BriefingError as e:
            raise QgsProcessingException(str(e)) from None
        if feedback.isCanceled():
            return {}
        layout, name, info = self._layout(project, layers, background, options, context, feedback)
        pngs = self._export(layout, out_pdf, png_folder, options.title, feedback)
        if pngs is None:
            return {}
        feedback.pushInfo(
            f"Briefing pack: {info.pages} pages written to {out_pdf}"
            + (f", {len(pngs)} PNG pages to {png_folder}" if png_folder else "")
            + f" in {time.perf_counter() - started:.1f} s."
        )
        return {
            self.OUTPUT: out_pdf,
            self.PNG_FOLDER: png_folder or None,
            self.PAGES: info.pages,
            self.LAYOUT: name,
            self.PNG_FILES: len(pngs),
        }

    # ------------------------------------------------------------------ steps
    def _layout(self, project, layers, background, options, context, feedback):
        """The pack's layers put in the project (one group, not drawn on the canvas) and its layout
        added: (layout, its name, what it holds)."""
        from ..qgis_io import briefing as B
        from ..qgis_io import styles

        stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        group = project.layerTreeRoot().addGroup(f"Briefing pack: {options.title} ({stamp})")
        group.setItemVisibilityChecked(False)
        group.setExpanded(False)
        for layer in layers.all():
            layer.setCustomProperty(styles.ROLE_PROPERTY, styles.BRIEFING_ROLE)  # not a coverage to follow
            project.addMapLayer(layer, False)
            group.addLayer(layer)
        for layer in background:
            owned, added = self._project_owned(layer, project, context)
            if added:
                project.addMapLayer(owned, False)
                group.addLayer(owned)
            layers.background.append(owned)

        name = _unique_layout_name(project, f"{options.title} ({stamp})")
        try:
            layout, info = B.build_layout(project, layers, options, name)
        except B.BriefingError as e:
            for layer in layers.all():  # leave the project as it was
                project.removeMapLayer(layer.id())
            project.layerTreeRoot().removeChildNode(group)
            raise QgsProcessingException(str(e)) from None
        project.layoutManager().addLayout(layout)
        feedback.pushInfo(
            f"Layout '{name}' added to the project: {info.overview_pages} overview page(s) and "
            f"{info.zones} zone page(s)."
        )
        return layout, name, info

    @staticmethod
    def _export(layout, out_pdf, png_folder, title, feedback):
        """The PDF, and the PNG pages when a folder is given: the PNG files written (None: cancelled)."""
        from ..qgis_io import briefing as B

        steps = QgsProcessingMultiStepFeedback(2 if png_folder else 1, feedback)
        try:
            B.export_pdf(layout, out_pdf, steps, title=title)
        except B.BriefingError as e:
            raise QgsProcessingException(str(e)) from None
        if feedback.isCanceled():
            return None
        pngs = []
        if png_folder:
            try:
                steps.setCurrentStep(1)
                pngs = B.export_pngs(layout, png_folder, 150, steps)
            except B.BriefingError as e:
                raise QgsProcessingException(str(e)) from None
        return pngs


def _version(metadata_path) -> str:
    try:
        for line in metadata_path().read_text(encoding="utf-8").splitlines():
            if line.startswith("version="):
                return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return ""


def _unique_layout_name(project, name: str) -> str:
    manager = project.layoutManager()
    candidate, n = name, 2
    while manager.layoutByName(candidate) is not None:
        candidate, n = f"{name} ({n})", n + 1
    return candidate
