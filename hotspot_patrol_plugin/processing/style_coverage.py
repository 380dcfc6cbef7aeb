"""hotspotpatrol:stylecoverage - (Re)apply the coverage style to a layer with the coverage fields."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterVectorLayer,
)

from ..core.definitions import TARGET_MAX_MIN, TARGET_MIN_MIN
from ..qgis_io import compat
from .base import HotspotAlgorithm

HELP = (
    "<p>Colours a coverage layer (the COVERAGE output of <i>Match officer tracks to hot spots</i>, or any"
    " layer with its fields) by status, with a colour-blind-safe palette: <b>not visited</b> grey and "
    "hatched, <b>below target</b> orange, <b>on target</b> green, <b>above target</b> blue. The legend "
    'says what each colour means for the target band you choose (e.g. "on target: median visit 10–15 '
    'min") and zones are labelled with their id, visits and median minutes at street scales.</p> '
    "<p>The status itself is not recomputed: choose the band the coverage was measured with. When the "
    "layer's medians do not fit the chosen band, a warning says how many zones disagree.</p> "
    "<p>The style changes how the layer is drawn, never its data. Optionally the style is also saved as a"
    " QML file, to share or to load onto other layers.</p>"
)


class StyleCoverageAlgorithm(HotspotAlgorithm):
    ALG_ID = "stylecoverage"
    DISPLAY = "Style coverage layer"
    GROUP = "Reporting"
    GROUP_ID = "reporting"
    HELP = HELP

    INPUT = "INPUT"
    TARGET_MIN = "TARGET_MIN"
    TARGET_MAX = "TARGET_MAX"
    QML = "QML"
    OUTPUT = "OUTPUT"
    MISMATCHED = "MISMATCHED"

    def flags(self):
        # changes the renderer of a layer in the project: main thread only
        return super().flags() | compat.ALG_NO_THREADING

    def initAlgorithm(self, config=None):
        self.addParameter(
            QgsProcessingParameterVectorLayer(self.INPUT, self.tr("Coverage layer"), [compat.SOURCE_POLYGON])
        )
        for key, label, default in (
            (self.TARGET_MIN, "Target band minimum (minutes)", TARGET_MIN_MIN),
            (self.TARGET_MAX, "Target band maximum (minutes)", TARGET_MAX_MIN),
        ):
            self.addParameter(
                QgsProcessingParameterNumber(key, self.tr(label), compat.NUMBER_DOUBLE, default, False, 0.0)
            )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.QML,
                self.tr("Also save the style as"),
                self.tr("QGIS layer style (*.qml)"),
                optional=True,
                createByDefault=False,
            )
        )
        self.addOutput(QgsProcessingOutputVectorLayer(self.OUTPUT, self.tr("Styled layer")))
        self.addOutput(
            QgsProcessingOutputNumber(self.MISMATCHED, self.tr("Zones whose status does not fit the chosen band"))
        )

    def processAlgorithm(self, parameters, context, feedback):
        from ..core import fields as F
        from ..core.status import status_of
        from ..qgis_io import styles

        layer = self.parameterAsVectorLayer(parameters, self.INPUT, context)
        if layer is None or not layer.isValid():
            raise QgsProcessingException(self.invalidSourceError(parameters, self.INPUT))
        missing = styles.missing_coverage_fields(layer)
        if missing:
            raise QgsProcessingException(
                f"The layer '{layer.name()}' is not a coverage layer from 'Match officer tracks to hot spots': "
                f"it has no field {', '.join(missing)}."
            )
        lo = self.parameterAsDouble(parameters, self.TARGET_MIN, context)
        hi = self.parameterAsDouble(parameters, self.TARGET_MAX, context)
        if lo > hi:
            raise QgsProcessingException(f"The target band minimum ({lo:g} min) is above its maximum ({hi:g} min).")

        mismatched = 0
        own = "band_min" in layer.fields().names() and "band_max" in layer.fields().names()
        for f in layer.getFeatures():
            try:
                med, visits = float(f[F.DWELL_MEDIAN_MIN]), int(f[F.VISITS])
                band = (float(f["band_min"]), float(f["band_max"])) if own else (lo, hi)
            except (TypeError, ValueError):
                continue
            if visits > 0:  # the one status rule (core.status), each zone's own band where it has one
                mismatched += str(f[F.STATUS]) != status_of(med, *band)
        if mismatched:
            feedback.pushWarning(
                f"{mismatched} zone(s) have a status that does not follow from their median visit and the "
                f"{lo:g}–{hi:g} min band: the coverage was computed with another band, so the legend would "
                "not be true. Run Match officer tracks again with this band, or choose the band it used."
            )
        try:
            styles.apply_coverage_style(layer, lo, hi)
        except styles.StyleError as e:
            raise QgsProcessingException(str(e)) from None
        feedback.pushInfo(f"Styled '{layer.name()}': target band {lo:g}–{hi:g} min.")
        results = {self.OUTPUT: layer.id(), self.MISMATCHED: mismatched}
        if parameters.get(self.QML) not in (None, ""):
            qml = self.parameterAsFileOutput(parameters, self.QML, context)
            if qml:
                message, ok = layer.saveNamedStyle(qml, compat.STYLE_SYMBOLOGY_AND_LABELS)
                if not ok:
                    raise QgsProcessingException(f"Could not save the style to '{qml}': {message}.")
                results[self.QML] = qml
        return results
