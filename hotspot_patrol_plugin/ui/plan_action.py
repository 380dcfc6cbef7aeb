"""The Zones dock's "Plan patrols…" action: hotspotpatrol:planpatrols opened with the workspace zones
and the settings of the last plan; afterwards the schedule opens as a table and the routes are on
the map (Processing loads them; the schedule's attribute table is opened here)."""

from __future__ import annotations

from qgis.core import QgsProject, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication

ALG_ID = "hotspotpatrol:planpatrols"
SETTINGS_PREFIX = "hotspot_patrol/plan/"
#: the parameters remembered between plans (days and seed are chosen afresh every time)
REMEMBERED = ("SHIFT_START", "SHIFT_END", "PATROLS", "TRAVEL", "DWELL", "MIN_SPACING", "MAX_SPACING")
#: the remembered numbers (QgsSettings gives them back as text after a restart)
NUMBERS = ("DWELL", "MIN_SPACING", "MAX_SPACING")


def tr(text: str) -> str:
    return QCoreApplication.translate("HotspotPatrol", text)


def last_settings() -> dict:
    s = QgsSettings()
    out = {}
    for key in REMEMBERED:
        value = s.value(SETTINGS_PREFIX + key, None)
        if value in (None, ""):
            continue
        if key in NUMBERS:
            try:
                value = float(value)
            except (TypeError, ValueError):
                continue  # a damaged setting: the algorithm's default applies
        out[key] = value
    return out


def remember(parameters: dict) -> None:
    s = QgsSettings()
    for key in REMEMBERED:
        value = parameters.get(key)
        if isinstance(value, (str, int, float)) and value != "":
            s.setValue(SETTINGS_PREFIX + key, value)


def initial_parameters(zones_layer) -> dict:
    params = {
        "ZONES": zones_layer.id() if zones_layer is not None else None,
        "SCHEDULE": "TEMPORARY_OUTPUT",
        "ROUTES": "TEMPORARY_OUTPUT",
    }
    params.update(last_settings())
    return {k: v for k, v in params.items() if v is not None}


def open_plan_dialog(iface, zones_layer, project: QgsProject | None = None):
    """Open the algorithm's dialog prefilled; after a run, remember its settings and show the
    schedule's attribute table. Returns the results dict (empty when cancelled)."""
    from qgis import processing

    project = project or QgsProject.instance()
    dialog = processing.createAlgorithmDialog(ALG_ID, initial_parameters(zones_layer))
    if dialog is None:
        iface.messageBar().pushWarning(
            tr("Hotspot Patrol"), tr("The patrol planner is not available: is the Processing plugin enabled?")
        )
        return {}
    dialog.exec()
    try:
        remember(dialog.createProcessingParameters())
    except Exception:  # the dialog was closed before its parameters were valid
        pass
    results = dialog.results() if hasattr(dialog, "results") else {}
    schedule = (results or {}).get("SCHEDULE")
    layer = project.mapLayer(schedule) if isinstance(schedule, str) else None
    if layer is None and isinstance(schedule, str):
        found = [lyr for lyr in project.mapLayers().values() if lyr.source() == schedule]
        layer = found[0] if found else None
    if layer is not None:
        iface.showAttributeTable(layer)
    return results or {}
