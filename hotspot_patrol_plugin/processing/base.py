"""What every Hotspot Patrol algorithm shares: naming, help, the dependency gate, and the guard
that keeps an output from replacing an input (``HotspotAlgorithm.check_outputs``)."""

from __future__ import annotations

import os
import re

from qgis.core import (
    Qgis,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputLayerDefinition,
    QgsProperty,
    QgsProviderRegistry,
)
from qgis.PyQt.QtCore import QCoreApplication

from ..core import dependencies
from ..core.definitions import DEFAULT_TIMEZONE


def dependency_problems() -> list[str]:
    geos = Qgis.geosVersionInt()
    return dependencies.problems((geos // 10000, geos // 100 % 100, geos % 100))


class HotspotAlgorithm(QgsProcessingAlgorithm):
    """Base class: subclasses set ``ALG_ID``, ``DISPLAY``, ``GROUP_ID``, ``GROUP`` and ``HELP``."""

    ALG_ID = ""
    DISPLAY = ""
    GROUP = "Patrol analysis"
    GROUP_ID = "analysis"
    HELP = ""

    def tr(self, text: str) -> str:
        return QCoreApplication.translate("HotspotPatrol", text)

    def name(self) -> str:
        return self.ALG_ID

    def displayName(self) -> str:
        return self.tr(self.DISPLAY)

    def group(self) -> str:
        return self.tr(self.GROUP)

    def groupId(self) -> str:
        return self.GROUP_ID

    def shortHelpString(self) -> str:
        from ..core.definitions import flowing

        return flowing(self.tr(self.HELP))

    def createInstance(self):
        return type(self)()

    def timezone(self, parameters, key, context) -> str:
        """The IANA time-zone parameter (default Europe/London), checked: one sentence if unknown."""
        import pandas as pd

        name = (self.parameterAsString(parameters, key, context) or DEFAULT_TIMEZONE).strip()
        try:
            pd.Timestamp(0).tz_localize(name)
        except Exception:
            raise QgsProcessingException(
                f"Unknown time zone '{name}': use an IANA name such as Europe/London."
            ) from None
        return name

    def instant(self, parameters, key, context, timezone) -> float | None:
        """An optional date-time parameter (a period bound) as UTC seconds, None when empty."""
        from ..core.times import parse_instant
        from ..qgis_io.layers import qdatetime_text

        if parameters.get(key) in (None, ""):
            return None
        value = self.parameterAsDateTime(parameters, key, context)
        if value is None or not value.isValid():
            return None
        try:
            return parse_instant(qdatetime_text(value), timezone)
        except ValueError as e:
            raise QgsProcessingException(f"{key}: {e}") from None

    @staticmethod
    def require_dependencies() -> None:
        """Stop with the one sentence that says what to install (canExecute says it in the dialog)."""
        problems = dependency_problems()
        if problems:
            raise QgsProcessingException(" ".join(problems))

    def source(self, parameters, key, context):
        """A feature source parameter, or Processing's own sentence when it cannot be opened."""
        source = self.parameterAsSource(parameters, key, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, key))
        return source

    # ------------------------------------------------------------------ outputs never replace inputs
    def check_outputs(self, parameters, context, input_keys, output_keys) -> None:
        """Stop, before anything is written, when an output would destroy what the run reads or
        cannot be written at all. Call it first thing in ``processAlgorithm``.

        ``input_keys``: the parameters the run reads (layers, files, file lists, folders);
        ``output_keys``: its destinations (sinks, vector/file destinations). An output whose file
        is an input's file is refused with one sentence, except that a GeoPackage (or SQLite)
        may get a *new* layer (``path|layername=new``): only replacing the whole file or a layer
        the run reads is refused. An output in a folder that does not exist or cannot be
        written, or over a read-only file, is refused too. Temporary and memory outputs pass."""
        inputs = []  # (key, real path, layer name or None, label)
        for key in input_keys:
            inputs += self._input_files(parameters, key, context)
        written = {}  # real path -> (key, layer) of the outputs checked so far
        for key in output_keys:
            dest = _destination(parameters.get(key))
            if dest is None:
                continue
            path, layer = dest
            real = _real(path)
            shown = path + (f"|layername={layer}" if layer else "")
            if real in written:  # two outputs of one run in one file: only as two named layers
                other, other_layer = written[real]
                if not (layer and other_layer and layer.lower() != other_layer.lower()):
                    raise QgsProcessingException(
                        f"The outputs {other} and {key} both name {path}: the second would overwrite the first; "
                        "choose two files, or two layer names in one GeoPackage (…|layername=name)."
                    )
            written[real] = (key, layer)
            for in_key, in_real, in_layer, in_label in inputs:
                if in_real != real:
                    continue
                container = real.lower().endswith((".gpkg", ".sqlite", ".db"))
                if container and layer and in_layer is not None and layer.lower() != in_layer.lower():
                    continue  # a new layer in the input's GeoPackage: allowed
                what = f"its layer '{layer}'" if container and layer else "the whole file"
                raise QgsProcessingException(
                    f"The output {key} ({shown}) would overwrite {what}, which the input {in_key} "
                    f"({in_label}) reads: choose another file"
                    + (", or a new layer name in that GeoPackage (…|layername=new_name)." if container else ".")
                )
            folder = os.path.dirname(os.path.abspath(path)) or "."
            if not os.path.isdir(folder):
                raise QgsProcessingException(
                    f"The folder {folder} for the output {key} does not exist: create it or choose another place."
                )
            if not os.access(folder, os.W_OK | os.X_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
                where = path if os.path.exists(path) and os.access(folder, os.W_OK) else f"the folder {folder}"
                raise QgsProcessingException(
                    f"The output {key} cannot be written: {where} is read-only; choose another place."
                )

    def _input_files(self, parameters, key, context) -> list:
        """(key, real path, layer name or None, label) of every file the parameter ``key`` reads."""
        value = parameters.get(key)
        if value in (None, "", []):
            return []
        definition = self.parameterDefinition(key)
        kind = definition.type() if definition is not None else ""
        out = []
        if kind in ("file",):
            path = self.parameterAsFile(parameters, key, context)
            if path:
                out.append((key, _real(path), None, path))
            return out
        if kind == "multilayer":
            paths = self.parameterAsFileList(parameters, key, context) or []
            for p in paths:
                if os.path.isdir(p):
                    out += [
                        (key, _real(os.path.join(p, c)), None, os.path.join(p, c))
                        for c in sorted(os.listdir(p))
                        if os.path.isfile(os.path.join(p, c))
                    ]
                elif p:
                    layer = _layer_in_path(p)
                    out.append((key, _real(p.split("|")[0]), layer, p))
            if not out:
                for layer in self.parameterAsLayerList(parameters, key, context) or []:
                    out += _layer_files(key, layer)
            return out
        try:
            layer = self.parameterAsVectorLayer(parameters, key, context)
        except Exception:  # noqa: BLE001 - a value Processing itself cannot read: nothing to guard
            layer = None
        if layer is not None:
            out += _layer_files(key, layer)
        return out

    def canExecute(self):
        problems = dependency_problems()
        if problems:
            return False, " ".join(problems)
        return True, ""


_OGR_URI = re.compile(
    r"""^ogr:dbname=(?P<q>['"]?)(?P<path>.+?)(?P=q)(?:\s+table=(?P<tq>['"]?)(?P<table>.+?)(?P=tq))?"""
    r"""(?:\s*\(\w+\))?\s*$"""
)


def _real(path: str) -> str:
    return os.path.normcase(os.path.realpath(os.path.expanduser(str(path))))


def _layer_in_path(path: str) -> str | None:
    m = re.search(r"\|layername=([^|]+)", path)
    return m.group(1) if m else None


def _destination(value) -> tuple[str, str | None] | None:
    """(file path, layer name or None) of an output parameter's value; None for temporary and
    memory outputs, databases and anything that is not a file."""
    if value is None:
        return None
    if isinstance(value, QgsProcessingOutputLayerDefinition):
        value = value.sink
    if isinstance(value, QgsProperty):
        value = value.staticValue()
    text = str(value or "").strip()
    if not text or text == "TEMPORARY_OUTPUT" or text.startswith(("memory:", "postgres:", "postgis:", "spatialite:")):
        return None
    m = _OGR_URI.match(text)
    if m:
        return m.group("path"), m.group("table")
    if text.startswith("ogr:"):
        return None
    path, _, rest = text.partition("|")
    return path, _layer_in_path(text)


def _layer_files(key, layer) -> list:
    """(key, real path, layer name, label) of a map layer that lives in a file."""
    try:
        parts = QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source())
    except Exception:  # noqa: BLE001 - a provider without decodeUri: not a file we can name
        return []
    path = parts.get("path") or ""
    if not path or not os.path.exists(path):
        return []
    name = parts.get("layerName")
    if not name and path.lower().endswith((".gpkg", ".sqlite", ".db")):
        try:
            from osgeo import gdal

            ds = gdal.OpenEx(path, gdal.OF_VECTOR | gdal.OF_READONLY)
            lyr = ds.GetLayer(int(parts.get("layerId") or 0)) if ds is not None else None
            name = lyr.GetName() if lyr is not None else None
        except Exception:  # noqa: BLE001 - unreadable: the whole file then counts as read
            name = None
    label = path + (f"|layername={name}" if name else "")
    return [(key, _real(path), name, label)]
