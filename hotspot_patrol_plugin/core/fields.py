"""Field names of the plugin's outputs, in one place (models, styles and panels rely on them)."""

ZONE_ID = "zone_id"
WAYPOINT_ID = "waypoint_id"

VISIT_ID = "visit_id"
UNIT_ID = "unit_id"
ENTRY_TIME = "entry_time"
EXIT_TIME = "exit_time"
DWELL_MIN = "dwell_min"
PINGS = "pings"
BAND = "band"
PASS_THROUGH = "pass_through"

VISITS = "visits"
VISITS_SHORT = "visits_short"
VISITS_TARGET = "visits_target"
VISITS_LONG = "visits_long"
DWELL_TOTAL_MIN = "dwell_total_min"
DWELL_MEDIAN_MIN = "dwell_median_min"
PRESENCE_MIN = "presence_min"
UNITS = "units"
FIRST_ENTRY = "first_entry"
LAST_EXIT = "last_exit"
STATUS = "status"

COVERAGE_FIELDS = (
    VISITS,
    VISITS_SHORT,
    VISITS_TARGET,
    VISITS_LONG,
    DWELL_TOTAL_MIN,
    DWELL_MEDIAN_MIN,
    PRESENCE_MIN,
    UNITS,
    FIRST_ENTRY,
    LAST_EXIT,
    STATUS,
)

# The planner's workspace: a `zones` polygon table and a `waypoints` point table (GeoPackage or a
# database schema). ZONE_ID, WAYPOINT_ID and DWELL_MIN above are shared with the outputs.
NAME = "name"
PRIORITY = "priority"
TARGET_MIN = "target_min"
TARGET_MAX = "target_max"
VISITS_PER_DAY = "visits_per_day"
ACTIVE_FROM = "active_from"
ACTIVE_TO = "active_to"
NOTES = "notes"
CREATED = "created"
MODIFIED = "modified"
KIND = "kind"

WORKSPACE_ZONE_FIELDS = (
    ZONE_ID,
    NAME,
    PRIORITY,
    TARGET_MIN,
    TARGET_MAX,
    VISITS_PER_DAY,
    ACTIVE_FROM,
    ACTIVE_TO,
    NOTES,
    CREATED,
    MODIFIED,
)
WORKSPACE_WAYPOINT_FIELDS = (WAYPOINT_ID, NAME, ZONE_ID, KIND, DWELL_MIN, NOTES)

# The hot spot analysis (hotspotpatrol:identifyhotspots): GRID, HOTSPOTS, CONCENTRATION
CELL_ID = "cell_id"
CRIMES = "crimes"
HARM = "harm"
GI_Z = "gi_z"
GI_P = "gi_p"
GI_P_FDR = "gi_p_fdr"
CLASS = "class"
AREA_M2 = "area_m2"
CELLS = "cells"
PEAK_GI_Z = "peak_gi_z"
HARM_PER_CELL = "harm_per_cell"
CUM_CELLS = "cum_cells"
AREA_PCT = "area_pct"
HARM_PCT = "harm_pct"
AREA_KM2 = "area_km2"
