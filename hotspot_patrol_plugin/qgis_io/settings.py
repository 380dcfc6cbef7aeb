"""The plugin's settings: declared once here, with type and default, under one QgsSettings prefix.

Read with ``settings.get(settings.MAX_ZONE_AREA)`` and write with ``settings.put(...)``; the options
page (ui/options_page.py) lists :data:`ALL` and the panels read the values when they need them.
"""

from __future__ import annotations

from dataclasses import dataclass

from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QObject, pyqtSignal

from ..core.definitions import TARGET_MAX_MIN, TARGET_MIN_MIN

PREFIX = "hotspot_patrol/"


@dataclass(frozen=True)
class Setting:
    key: str  # below PREFIX
    type: type
    default: object
    label: str
    tooltip: str
    minimum: float = 0.0
    maximum: float = 0.0
    suffix: str = ""

    @property
    def full_key(self) -> str:
        return PREFIX + self.key


DEFAULT_CRS = Setting(
    "workspace/default_crs",
    str,
    "EPSG:27700",
    "Default CRS of new workspaces",
    "Coordinate reference system offered when you create a new patrol workspace "
    "(British National Grid by default; use a projected CRS in metres).",
)
MAX_ZONE_AREA = Setting(
    "checks/max_zone_area_m2",
    float,
    50_000.0,
    "Largest patrollable zone",
    "Zones larger than this are flagged: a hot spot is a few street segments or a small place "
    "(0.05 km² by default), somewhere one officer can cover in a 10–15 minute visit.",
    1_000.0,
    100_000_000.0,
    " m²",
)
MIN_ZONE_WIDTH = Setting(
    "checks/min_zone_width_m",
    float,
    25.0,
    "Narrowest measurable zone",
    "Zones narrower than this at their narrowest are flagged: GPS fixes scatter by 5–15 m.",
    1.0,
    1_000.0,
    " m",
)
TARGET_MIN = Setting(
    "defaults/target_min",
    float,
    TARGET_MIN_MIN,
    "Target visit from",
    "Default target_min of new zones (minutes). The Koper curve suggests 10–15 minutes.",
    0.0,
    600.0,
    " min",
)
TARGET_MAX = Setting(
    "defaults/target_max",
    float,
    TARGET_MAX_MIN,
    "Target visit to",
    "Default target_max of new zones (minutes).",
    0.0,
    600.0,
    " min",
)
VISITS_PER_DAY = Setting(
    "defaults/visits_per_day",
    int,
    3,
    "Visits per day",
    "Default visits_per_day of new zones: how many visits each zone should get per day.",
    0,
    96,
)
WAYPOINT_RADIUS = Setting(
    "defaults/waypoint_radius_m",
    float,
    25.0,
    "Waypoint radius",
    "Presence at a waypoint means being within this distance of it (metres); drawn as a dashed ring "
    "around each waypoint.",
    1.0,
    1_000.0,
    " m",
)
CIRCLE_RADIUS = Setting(
    "zones/circle_radius_m",
    float,
    50.0,
    "Circle zone radius",
    "Radius of the last circle zone drawn (metres).",
    13.0,
    5_000.0,
    " m",
)

START_PANEL_SHOWN = Setting(
    "ui/start_panel_shown",
    int,
    0,
    "Start panel shown",
    "1 once the start panel has opened by itself (first start); it stays in Vector ▸ Hotspot Patrol.",
    0,
    1,
)

#: what the options page shows, in order (CIRCLE_RADIUS is remembered from the zones panel)
ALL = (DEFAULT_CRS, MAX_ZONE_AREA, MIN_ZONE_WIDTH, TARGET_MIN, TARGET_MAX, VISITS_PER_DAY, WAYPOINT_RADIUS)


class _Notifier(QObject):
    #: a setting was written (its key below PREFIX); the panels re-apply defaults and checks
    changed = pyqtSignal(str)


notifier = _Notifier()


def get(setting: Setting):
    raw = QgsSettings().value(setting.full_key, setting.default)
    try:
        return setting.type(raw)
    except (TypeError, ValueError):
        return setting.default


def put(setting: Setting, value) -> None:
    value = setting.type(value)
    if get(setting) == value and QgsSettings().contains(setting.full_key):
        return
    QgsSettings().setValue(setting.full_key, value)
    notifier.changed.emit(setting.key)


def reset(setting: Setting) -> None:
    QgsSettings().remove(setting.full_key)
    notifier.changed.emit(setting.key)
