"""Bridge for hot spot analysis: crime layers -> arrays, a study area -> shapely, results -> features."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFields,
    QgsProcessingException,
    QgsUnitTypes,
)

from ..core.crs import transform_finite
from ..core.definitions import DEFAULT_TIMEZONE
from . import fieldtypes
from .layers import read_points

#: skipped-row reasons (bad input) and excluded-row reasons (filtered out on purpose)
NO_LOCATION = "no location (empty geometry or coordinates that do not transform)"
NO_DATE = "missing or unparseable date"
NO_WEIGHT = "missing or non-numeric weight"
NEGATIVE_WEIGHT = "negative weight"
NOT_IN_TABLE = "crime type not in the harm table"
OTHER_TYPE = "crime type not selected"
OUTSIDE_PERIOD = "outside the period"
OUTSIDE_AREA = "outside the study area"


def is_metric_projected(crs: QgsCoordinateReferenceSystem) -> bool:
    return crs.isValid() and not crs.isGeographic() and QgsUnitTypes.encodeUnit(crs.mapUnits()) == "meters"


@dataclass
class Crimes:
    """The crimes kept for the analysis (projected x, y, weight) and the rows left out, by reason."""

    x: np.ndarray
    y: np.ndarray
    weight: np.ndarray | None
    rows_read: int
    method: str
    skipped: dict = field(default_factory=dict)
    excluded: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    date_range: tuple | None = None
    labels: np.ndarray | None = None  # the label field's value of each kept crime (zone names)


def _norm(values) -> np.ndarray:
    """Text values trimmed and case-folded (missing values become None)."""
    import pandas as pd

    s = pd.Series(values, dtype=object)
    missing = s.isna()
    out = s.astype(str).str.strip().str.casefold().to_numpy(dtype=object)
    out[missing.to_numpy()] = None
    return out


def read_crimes(
    source,
    layer,
    definition,
    to_work,
    feedback,
    *,
    date_field=None,
    period=(None, None),
    timezone=DEFAULT_TIMEZONE,
    type_field=None,
    types=(),
    weight_field=None,
    harm_table=None,
    label_field=None,
) -> Crimes:
    """Read the crime points and apply the filters; every row left out is counted by reason."""
    import pandas as pd

    from ..core.times import parse_times

    wanted = list(dict.fromkeys(f for f in (date_field, type_field, weight_field, label_field) if f))
    table = read_points(source, layer, wanted, feedback, definition)
    n = len(table)
    x, y = transform_finite(to_work, table.x, table.y)
    keep = np.ones(n, dtype=bool)
    skipped: dict[str, int] = {}
    excluded: dict[str, int] = {}
    notes: list[str] = []

    def drop(reason, mask, into, warn=True):
        mask = mask & keep
        k = int(mask.sum())
        if k:
            into[reason] = into.get(reason, 0) + k
            if warn:
                first = table.fid[mask][:5].tolist()
                feedback.pushWarning(f"Skipped {k:,} crime(s) with {reason} (first feature ids: {first}).")
            keep[mask] = False

    drop(NO_LOCATION, ~(np.isfinite(x) & np.isfinite(y)), skipped)

    kinds = None
    if type_field:
        kinds = _norm(table.columns[type_field])
    if types:
        wanted_types = {t.casefold(): t for t in types}
        present = set(pd.unique(kinds[keep & ~pd.isna(kinds)]).tolist())
        missing = [t for k, t in wanted_types.items() if k not in present]
        if len(missing) == len(wanted_types):
            sample = sorted({str(v) for v in table.columns[type_field] if v is not None})[:12]
            raise QgsProcessingException(
                f"None of the crime types {', '.join(repr(t) for t in types)} occur in the field "
                f"'{type_field}' (its values include: {', '.join(sample)})."
            )
        if missing:
            notes.append(f"Crime types not found in '{type_field}': {', '.join(missing)}.")
            feedback.pushWarning(notes[-1])
        drop(OTHER_TYPE, ~pd.Series(kinds, dtype=object).isin(set(wanted_types)).to_numpy(), excluded, warn=False)

    weight = None
    if weight_field:
        weight = pd.to_numeric(pd.Series(table.columns[weight_field], dtype=object), errors="coerce").to_numpy(
            dtype=np.float64
        )
        drop(NO_WEIGHT, ~np.isfinite(weight), skipped)
        drop(NEGATIVE_WEIGHT, weight < 0, skipped)
    elif harm_table is not None:
        uniq, codes = _unique_map(kinds)
        per_type = np.array([np.nan if k is None else harm_table.get(k, np.nan) for k in uniq], dtype=np.float64)
        weight = per_type[codes] if n else np.zeros(0)
        unknown = ~np.isfinite(weight)
        if (unknown & keep).any():
            names = pd.Series(table.columns[type_field][unknown & keep], dtype=object).fillna("(empty)")
            top = names.value_counts().head(8)
            notes.append(
                "Crime types missing from the harm table (left out): "
                + ", ".join(f"{k} ({v:,})" for k, v in top.items())
                + "."
            )
        drop(NOT_IN_TABLE, unknown, skipped)

    date_range = None
    start, end = period
    if date_field:
        parsed = parse_times(table.columns[date_field], timezone)
        seconds = parsed.seconds
        good = np.isfinite(seconds)
        if start is not None or end is not None:
            drop(NO_DATE, ~good, skipped)
            lo = -np.inf if start is None else start
            hi = np.inf if end is None else end
            with np.errstate(invalid="ignore"):
                drop(OUTSIDE_PERIOD, ~((seconds >= lo) & (seconds <= hi)), excluded, warn=False)
        sel = keep & good
        if sel.any():
            date_range = (float(seconds[sel].min()), float(seconds[sel].max()))
    labels = None
    if label_field:
        labels = np.asarray(table.columns[label_field], dtype=object)[keep]
    return Crimes(
        x=x[keep],
        y=y[keep],
        weight=None if weight is None else weight[keep],
        rows_read=n,
        method=table.method,
        skipped=skipped,
        excluded=excluded,
        notes=notes,
        date_range=date_range,
        labels=labels,
    )


#: police.uk's Location ("On or near Briggate"): the zone's name is the street
NAME_PREFIXES = ("on or near ",)
PRIORITIES = 5


def zone_names(zone_of_crime: np.ndarray, labels: np.ndarray, n_zones: int) -> list:
    """Each zone's name: the most common label of its crimes ("On or near " dropped; ties to the
    first in alphabetical order); a name two zones share gets " (2)", " (3)" … in rank order;
    None where a zone has no labelled crime."""
    import pandas as pd

    text = pd.Series(labels, dtype=object).astype("string").str.strip()
    for prefix in NAME_PREFIXES:
        text = text.str.replace(f"^{prefix}", "", case=False, regex=True)
    frame = pd.DataFrame({"zone": zone_of_crime, "name": text})
    frame = frame[(frame["zone"] >= 0) & frame["name"].notna() & (frame["name"] != "")]
    names = [None] * n_zones
    if len(frame):
        counts = frame.groupby(["zone", "name"]).size().reset_index(name="n")
        counts = counts.sort_values(["zone", "n", "name"], ascending=[True, False, True], kind="stable")
        for zone, name in counts.drop_duplicates("zone")[["zone", "name"]].itertuples(index=False):
            names[int(zone)] = str(name)
    seen: dict = {}
    for i, name in enumerate(names):
        if name is None:
            continue
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            names[i] = f"{name} ({seen[name]})"
    return names


def priorities(n_zones: int) -> list:
    """Priority 1 (highest) to 5 by harm rank (zones come ranked by harm): the top fifth of zones is 1."""
    return [1 + (PRIORITIES * i) // max(n_zones, 1) for i in range(n_zones)]


def _unique_map(values):
    """(unique values, inverse) of an object array that may hold None."""
    import pandas as pd

    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    uniq = np.array(
        [None if (u is None or (isinstance(u, float) and np.isnan(u))) else u for u in uniques], dtype=object
    )
    return uniq, codes


def study_area(source, to_work, feedback):
    """The union of the study area's polygons in the working CRS (shapely), repaired if invalid."""
    import shapely

    wkbs = []
    for feat in source.getFeatures():
        geom = feat.geometry()
        if geom is None or geom.isNull() or geom.isEmpty():
            continue
        wkbs.append(bytes(geom.asWkb()))
    if not wkbs:
        raise QgsProcessingException("The study area layer has no polygons with a geometry.")
    geoms = shapely.from_wkb(np.asarray(wkbs, dtype=object))
    if to_work is not None:
        geoms = shapely.transform(geoms, lambda xy: np.column_stack(to_work(xy[:, 0], xy[:, 1])))
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        feedback.pushWarning(
            f"Repaired {int(bad.sum())} invalid study area polygon(s) ({shapely.is_valid_reason(geoms[bad][0])})."
        )
        geoms[bad] = shapely.make_valid(geoms[bad])
    area = shapely.union_all(geoms)
    area = shapely.get_parts(area)
    area = shapely.union_all(area[shapely.get_type_id(area) >= 3])  # polygons only
    if shapely.is_empty(area) or shapely.area(area) <= 0:
        raise QgsProcessingException("The study area layer's polygons enclose no area.")
    return area


# ----------------------------------------------------------------------------------- outputs
def _fields(spec) -> QgsFields:
    fs = QgsFields()
    for name, kind in spec:
        fs.append(fieldtypes.field(name, kind))
    return fs
