"""The Zones dock's "Plan patrols…" action (ui/plan_action.open_plan_dialog): the planpatrols dialog
opens with the given zones layer and the settings of the last plan, remembers what was run, and
shows the schedule's attribute table afterwards.

The real Processing dialog is built (so the values are those its widgets show); only its exec()
is replaced, since a modal dialog would wait for a user."""

from __future__ import annotations

import pytest
from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsProject, QgsVectorLayer

from hotspot_patrol_plugin.ui import plan_action

_KEEP = []


@pytest.fixture()
def provider(qgis_app, qgis_processing):
    from qgis.core import QgsApplication

    from hotspot_patrol_plugin.processing.provider import HotspotPatrolProvider

    registry = QgsApplication.processingRegistry()
    if registry.providerById("hotspotpatrol") is None:
        _KEEP.append(HotspotPatrolProvider())
        registry.addProvider(_KEEP[-1])
    return registry.providerById("hotspotpatrol")


def zones(name="Workspace zones"):
    layer = QgsVectorLayer("Polygon?crs=EPSG:27700&field=zone_id:string", name, "memory")
    f = QgsFeature(layer.fields())
    f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(430000, 433000)).buffer(30, 4))
    f.setAttributes(["HS-001"])
    layer.dataProvider().addFeatures([f])
    QgsProject.instance().addMapLayer(layer)
    return layer


@pytest.fixture()
def dialogs(monkeypatch, provider, qgis_iface):
    """Every dialog open_plan_dialog creates, with exec() replaced by ``on_exec(dialog)``."""
    from qgis import processing

    class Made(list):
        """(algorithm id, parameters passed, dialog) per dialog; ``on_exec`` stands in for the user."""

        @staticmethod
        def on_exec(dialog):
            return 0  # closed without running

    # pytest-qgis's iface answers browserModel() with a MagicMock, which the dialog cannot use
    monkeypatch.setattr(qgis_iface, "browserModel", lambda: None, raising=False)
    made = Made()
    real = processing.createAlgorithmDialog

    def create(alg_id, parameters=None):
        dialog = real(alg_id, parameters or {})
        dialog.exec = lambda: made.on_exec(dialog)
        made.append((alg_id, dict(parameters or {}), dialog))
        return dialog

    monkeypatch.setattr(processing, "createAlgorithmDialog", create)
    return made


def shown(dialog) -> dict:
    """The values the dialog's widgets hold (what the user sees and would run)."""
    return dialog.createProcessingParameters()


def test_opens_with_the_zones_layer_and_the_defaults(qgis_iface, qgis_new_project, dialogs):
    layer = zones()
    assert plan_action.open_plan_dialog(qgis_iface, layer) == {}
    assert len(dialogs) == 1
    alg_id, params, dialog = dialogs[0]
    assert alg_id == "hotspotpatrol:planpatrols"
    assert params == {"ZONES": layer.id(), "SCHEDULE": "TEMPORARY_OUTPUT", "ROUTES": "TEMPORARY_OUTPUT"}
    values = shown(dialog)
    assert values["ZONES"] == layer.id()
    # nothing remembered yet: the algorithm's own defaults
    assert (values["SHIFT_START"], values["SHIFT_END"], values["PATROLS"], values["DWELL"]) == (
        "18:00",
        "02:00",
        "2",
        15.0,
    )


def test_last_settings_are_restored_and_days_and_seed_are_not(qgis_iface, qgis_new_project, dialogs):
    layer = zones()
    chosen = {
        "SHIFT_START": "20:00",
        "SHIFT_END": "03:30",
        "PATROLS": "1 foot, 2 vehicle",
        "TRAVEL": "foot 5, vehicle 30, detour 1.4",
        "DWELL": 12.0,
        "MIN_SPACING": 45.0,
        "MAX_SPACING": 100.0,
        "SEED": 99,
        "FIRST_DAY": "2026-12-05",
    }
    dialogs.on_exec = lambda d: d.setParameters(chosen)  # the sergeant's changes, then Run
    plan_action.open_plan_dialog(qgis_iface, layer)
    other = zones("Other zones")
    dialogs.on_exec = lambda d: 0
    plan_action.open_plan_dialog(qgis_iface, other)
    _, params, dialog = dialogs[1]
    assert params["ZONES"] == other.id()
    remembered = {k: v for k, v in chosen.items() if k not in ("SEED", "FIRST_DAY")}
    assert {k: params[k] for k in remembered} == remembered
    values = shown(dialog)
    assert values["ZONES"] == other.id()
    assert {k: values[k] for k in remembered} == remembered
    assert values["SEED"] is None and values["FIRST_DAY"] is None  # a new seed and days every time


def test_numbers_read_back_as_text_still_fill_the_dialog(qgis_iface, qgis_new_project, dialogs):
    from qgis.core import QgsSettings

    QgsSettings().setValue(plan_action.SETTINGS_PREFIX + "DWELL", "14")  # as an ini file gives it back
    QgsSettings().setValue(plan_action.SETTINGS_PREFIX + "MIN_SPACING", "soon")  # damaged: default used
    plan_action.open_plan_dialog(qgis_iface, zones())
    values = shown(dialogs[0][2])
    assert values["DWELL"] == 14.0 and values["MIN_SPACING"] == 60.0


def test_the_schedule_opens_as_a_table_after_a_run(qgis_iface, qgis_new_project, dialogs, monkeypatch):
    layer = zones()
    schedule = QgsVectorLayer("None?field=day:string&field=patrol:string", "Schedule", "memory")
    QgsProject.instance().addMapLayer(schedule)
    opened = []
    monkeypatch.setattr(qgis_iface, "showAttributeTable", lambda lyr, *a: opened.append(lyr), raising=False)
    dialogs.on_exec = lambda d: d.setResults({"SCHEDULE": schedule.id()})
    results = plan_action.open_plan_dialog(qgis_iface, layer)
    assert results["SCHEDULE"] == schedule.id()
    assert opened == [schedule]


def test_without_processing_a_message_not_a_traceback(qgis_iface, qgis_new_project, monkeypatch):
    from qgis import processing

    warnings = []
    monkeypatch.setattr(processing, "createAlgorithmDialog", lambda *a, **k: None)
    bar = type("Bar", (), {"pushWarning": lambda self, title, text: warnings.append(text)})()
    monkeypatch.setattr(qgis_iface, "messageBar", lambda: bar, raising=False)
    assert plan_action.open_plan_dialog(qgis_iface, zones()) == {}
    assert warnings == ["The patrol planner is not available: is the Processing plugin enabled?"]
