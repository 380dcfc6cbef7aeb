"""The Spark job: officer pings (Parquet/CSV) x hot spot zones -> visits and coverage, computed by
the plugin's own core on every executor.

    spark-submit hotspot_patrol_plugin/spark/job.py --pings pings.parquet --zones zones.gpkg --out out/
    python -m hotspot_patrol_plugin.spark --pings ... --zones ... --out ...   (a local session)

From a notebook: ``from hotspot_patrol_plugin.spark.job import run; run(spark, pings, zones, out)``.

Steps: units are hashed into buckets of about half a million pings (``groupBy(bucket)
.applyInPandas``; visits never cross units, so a bucket is matched as the plugin matches a whole
layer: ``parse_times``, ``Tracks.build``, ``matching.match``); the visits are staged as Parquet;
coverage is a second grouped step by zone over those visits (``matching.coverage``: presence is the
union of all units' time in the zone). Nothing collects pings on the driver: only the zones (a few
thousand rows), counts, and the coverage (one row per zone) ever go there.

Outputs in ``out``: ``visits/`` and ``waypoint_visits/`` (Parquet, partitioned by the local day of
entry), ``coverage/`` (Parquet, one row per zone over the whole period: what ``matchtracks``
gives), ``coverage_daily/`` (per zone and day, partitioned by day), ``coverage.gpkg`` (opens in
QGIS, styled like the plugin's coverage) and ``summary.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

if __package__ in (None, ""):  # run as a file by spark-submit: make the package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402
import shapely  # noqa: E402

from hotspot_patrol_plugin.core import fields as F  # noqa: E402
from hotspot_patrol_plugin.core import matching as M  # noqa: E402
from hotspot_patrol_plugin.core.times import DATE_ORDERS, decide_date_order_counts, parse_instant  # noqa: E402
from hotspot_patrol_plugin.spark import inputs as I  # noqa: E402, N812
from hotspot_patrol_plugin.spark import steps as S  # noqa: E402, N812
from hotspot_patrol_plugin.spark.inputs import InputError  # noqa: E402

PACKAGE_DIR = Path(__file__).resolve().parents[1]
#: column names tried, in order, when none is given (case-insensitive)
X_Y_NAMES = (("x", "y"), ("easting", "northing"), ("lon", "lat"), ("longitude", "latitude"), ("lng", "lat"))
GEOGRAPHIC_NAMES = {"lon", "lat", "longitude", "latitude", "lng"}
#: pings per unit-hash bucket (one core call each): large enough to amortise the core's fixed
#: costs, small enough for an executor's memory (~1 GB of working arrays)
BUCKET_PINGS = 500_000
_DMY = r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(\s|T|$)"


def log(message: str) -> None:
    print(f"hotspot-patrol spark: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- options
def match_params(
    max_gap=300.0,
    merge_gap=60.0,
    min_dwell=60.0,
    target_min=10.0,
    target_max=15.0,
    period_start=None,
    period_end=None,
    timezone="Europe/London",
) -> M.MatchParams:
    """``matchtracks``' parameters (target band in minutes, period bounds as text or epoch seconds)."""

    def instant(value, name):
        if value is None or value == "":
            return None
        if isinstance(value, (int, float)):
            return float(value)
        try:
            return parse_instant(str(value), timezone)
        except ValueError as e:
            raise InputError(f"{name}: {e}.") from None

    params = M.MatchParams(
        max_gap=float(max_gap),
        merge_gap=float(merge_gap),
        min_dwell=float(min_dwell),
        target_min=float(target_min) * 60.0,
        target_max=float(target_max) * 60.0,
        period_start=instant(period_start, "period start"),
        period_end=instant(period_end, "period end"),
    )
    try:
        params.check()
    except ValueError as e:
        raise InputError(f"{str(e)[0].upper()}{str(e)[1:]}.") from None
    return params


def check_timezone(name: str) -> str:
    import pandas as pd

    name = (name or "Europe/London").strip()
    try:
        pd.Timestamp(0).tz_localize(name)
    except Exception:
        raise InputError(f"Unknown time zone '{name}': use an IANA name such as Europe/London.") from None
    return name


# --------------------------------------------------------------------------- pings
def read_pings(spark, path: str, fmt: str | None = None, sep: str = ","):
    """A DataFrame over the pings (nothing is read yet but the schema); one sentence when the file
    is missing or is not what it claims to be."""
    base = path.rstrip("/")
    fmt = (fmt or ("csv" if base.lower().endswith((".csv", ".txt", ".tsv")) else "parquet")).lower()
    if "://" not in path and not any(ch in path for ch in "*?[") and not os.path.exists(path):
        raise InputError(f"The pings file {path} does not exist.")
    try:
        if fmt == "csv":
            df = spark.read.option("header", True).option("sep", sep).option("mode", "PERMISSIVE").csv(path)
        elif fmt == "parquet":
            df = spark.read.parquet(path)
        else:
            raise InputError(f"Unknown pings format '{fmt}': use parquet or csv.")
        df.schema  # noqa: B018 - reads the footers / header now, so a bad file fails here
    except InputError:
        raise
    except Exception as e:  # Spark's AnalysisException / SparkException (JVM errors)
        raise InputError(f"The pings file {path} could not be read as {fmt.upper()} ({_short(e)}).") from None
    return df


def _short(error: Exception) -> str:
    """The first meaningful line of a JVM error, without the stack trace."""
    text = str(getattr(error, "desc", None) or error)
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("at ", "Caused by", "JVM stacktrace", "org.apache", "Traceback")):
            line = re.sub(r"^\[[A-Z_.]+\]\s*", "", line)
            return line[:200].rstrip(". ")
    return type(error).__name__


def pick_columns(columns: list[str], unit_col: str, time_col: str, x_col: str | None, y_col: str | None):
    """(unit, time, x, y) column names as spelled in the data; one sentence when one is missing."""
    lower = {c.lower(): c for c in columns}

    def need(name, label, flag):
        real = lower.get(name.lower())
        if real is None:
            raise InputError(
                f"The pings have no {label} column '{name}' (their columns: {', '.join(columns)}); name it with {flag}."
            )
        return real

    unit = need(unit_col, "unit", "--unit-col")
    t = need(time_col, "time", "--time-col")
    if x_col or y_col:
        return unit, t, need(x_col or "x", "x", "--x-col"), need(y_col or "y", "y", "--y-col")
    for xn, yn in X_Y_NAMES:
        if xn in lower and yn in lower:
            return unit, t, lower[xn], lower[yn]
    raise InputError(
        f"The pings have no coordinate columns (x/y, easting/northing or lon/lat; their columns: "
        f"{', '.join(columns)}); name them with --x-col and --y-col."
    )


def _time_column(df, name: str):
    """The time column as Spark gives it to pandas: text and numbers as they are; an instant
    (TimestampType) as epoch seconds; a wall-clock timestamp or a date as ISO text (read in the
    time zone, like text without an offset)."""
    from pyspark.sql import functions as SF
    from pyspark.sql import types as T

    col = SF.col(f"`{name}`")
    kind = df.schema[name].dataType
    if isinstance(kind, T.TimestampType):
        return SF.unix_micros(col).cast("double") / 1e6
    if isinstance(kind, (T.NumericType,)):
        return col.try_cast("double")
    if isinstance(kind, T.TimestampNTZType):
        return SF.date_format(col, "yyyy-MM-dd'T'HH:mm:ss.SSSSSS")
    return col.cast("string")


def decide_date_order(df, requested: str = "auto") -> tuple[str, str]:
    """Numeric dates (24/11/2026) are read in one order for the whole data set, decided as the
    plugin decides it over the whole column (a day above 12 proves day-first); one aggregate over
    the time column, run only when the first rows show such dates."""
    from pyspark.sql import functions as SF

    if requested not in DATE_ORDERS:
        raise InputError(f"Date order must be one of {', '.join(DATE_ORDERS)}, not '{requested}'.")
    if requested != "auto":
        return requested, f"dates read {requested}, as asked"
    if dict(df.dtypes)["time"] != "string":
        return "auto", ""
    head = [r[0] for r in df.select("time").limit(200).collect()]
    if not any(v is not None and re.match(_DMY, v) for v in head):
        return "auto", ""
    a = SF.regexp_extract("time", _DMY, 1).try_cast("int")
    b = SF.regexp_extract("time", _DMY, 2).try_cast("int")
    day_only = (a > 12) & (a <= 31) & (b >= 1) & (b <= 12)
    month_only = (b > 12) & (b <= 31) & (a >= 1) & (a <= 12)
    row = df.select(SF.sum(day_only.cast("long")).alias("d"), SF.sum(month_only.cast("long")).alias("m")).first()
    return decide_date_order_counts(int(row["d"] or 0), int(row["m"] or 0))


def zone_plan(zt: I.AreaTable, params: M.MatchParams, timezone: str) -> dict:
    """The zones' own band, visits per day and active hours/dates when they carry those fields:
    the keywords ``matching.coverage`` takes, built as the plugin's matchtracks builds them."""
    from hotspot_patrol_plugin.core import status as ST

    cols, n = zt.plan, len(zt.ids)
    plan: dict = {}

    def number(v):
        try:
            return float(v)
        except (TypeError, ValueError):
            return None

    if F.TARGET_MIN in cols or F.TARGET_MAX in cols:
        none = [None] * n
        lo, hi = ST.zone_band(
            [number(v) for v in cols.get(F.TARGET_MIN, none)],
            [number(v) for v in cols.get(F.TARGET_MAX, none)],
            params.target_min,
            params.target_max,
        )
        plan["target_min"], plan["target_max"] = lo.tolist(), hi.tolist()
    if F.VISITS_PER_DAY in cols:
        plan["visits_per_day"] = [v if isinstance(v, (int, float)) else None for v in cols[F.VISITS_PER_DAY]]
    if F.ACTIVE_FROM in cols or F.ACTIVE_TO in cols:
        plan["active_from"], plan["active_to"] = cols.get(F.ACTIVE_FROM), cols.get(F.ACTIVE_TO)
    if plan:
        plan["timezone"] = timezone
    return plan


# --------------------------------------------------------------------------- the job
def _ship_package(spark) -> None:
    """Executors import the core from a zip of the package (core + spark only), so the job runs on
    any cluster without installing the plugin there."""
    sc = spark.sparkContext
    digest = hashlib.sha1()
    files = sorted(
        p for sub in ("core", "spark") for p in (PACKAGE_DIR / sub).rglob("*.py") if "__pycache__" not in p.parts
    )
    for p in files:
        digest.update(p.read_bytes())
    name = f"hotspot_patrol_core_{digest.hexdigest()[:12]}.zip"
    if getattr(sc, "_hp_shipped", None) == name:
        return
    folder = tempfile.mkdtemp(prefix="hp-spark-")
    target = os.path.join(folder, name)
    with zipfile.ZipFile(target, "w") as z:
        z.writestr("hotspot_patrol_plugin/__init__.py", (PACKAGE_DIR / "__init__.py").read_text())
        for p in files:
            z.write(p, f"hotspot_patrol_plugin/{p.relative_to(PACKAGE_DIR).as_posix()}")
    sc.addPyFile(target)
    sc._hp_shipped = name


def _check_out(out: str, inputs: list[str]) -> None:
    out_abs = os.path.abspath(out)
    for p in inputs:
        if not p or "://" in p:
            continue
        p_abs = os.path.abspath(I.split_layer(p)[0])
        if p_abs == out_abs or p_abs.startswith(out_abs + os.sep) or out_abs.startswith(p_abs + os.sep):
            raise InputError(f"The output folder {out} would overwrite an input ({p}); choose another folder.")


def run(
    spark,
    pings: str,
    zones: str,
    out: str,
    waypoints: str | None = None,
    *,
    unit_col: str = "unit",
    time_col: str = "time",
    x_col: str | None = None,
    y_col: str | None = None,
    pings_crs: str | None = None,
    pings_format: str | None = None,
    csv_sep: str = ",",
    zones_layer: str | None = None,
    zone_id_field: str | None = None,
    zones_crs: str | None = None,
    waypoints_layer: str | None = None,
    waypoint_id_field: str | None = None,
    waypoints_crs: str | None = None,
    timezone: str = "Europe/London",
    date_order: str = "auto",
    max_gap: float = 300.0,
    merge_gap: float = 60.0,
    min_dwell: float = 60.0,
    boundary_tolerance: float = 0.0,
    waypoint_radius: float = 25.0,
    target_min: float = 10.0,
    target_max: float = 15.0,
    period_start=None,
    period_end=None,
    daily: bool = True,
    buckets: int | None = None,
) -> dict:
    """Match pings to zones (and waypoints) on ``spark``; write the outputs to ``out``; return the
    summary (also written to ``out/summary.json``). Raises InputError (one sentence) on bad input.
    Parameters are ``matchtracks``': seconds for the gaps and dwell, minutes for the target band,
    metres for the tolerance and radius."""
    from pyspark.sql import functions as SF

    started = time.perf_counter()
    timezone = check_timezone(timezone)
    params = match_params(max_gap, merge_gap, min_dwell, target_min, target_max, period_start, period_end, timezone)
    for name, value in (("boundary tolerance", boundary_tolerance), ("waypoint radius", waypoint_radius)):
        if not np.isfinite(value) or value < 0:
            raise InputError(f"The {name} must be a number of metres >= 0, not {value!r}.")
    _check_out(out, [pings, zones, waypoints])

    # zones and waypoints (small: read on the driver), the working CRS
    zt = I.read_areas(zones, "zone", zones_layer, zone_id_field, zones_crs)
    if not zt.ids:
        raise InputError("The zones layer has no zones with a geometry.")
    work = I.working_crs(zt)
    zone_work = I.to_crs(zt.geoms, I.transformer(zt.crs, work))
    if boundary_tolerance > 0:
        zone_work = shapely.buffer(zone_work, boundary_tolerance, quad_segs=8)
    wt = None
    wp_xy: list = []
    if waypoints:
        wt = I.read_areas(waypoints, "waypoint", waypoints_layer, waypoint_id_field, waypoints_crs)
        wg = I.to_crs(wt.geoms, I.transformer(wt.crs, work))
        wp_xy = np.column_stack([shapely.get_x(wg), shapely.get_y(wg)]).tolist() if len(wg) else []

    # pings: the four columns, named as the steps expect; the file order kept as a row number
    df = read_pings(spark, pings, pings_format, csv_sep)
    unit, tcol, xcol, ycol = pick_columns(df.columns, unit_col, time_col, x_col, y_col)
    if pings_crs is None:
        pings_crs = "EPSG:4326" if xcol.lower() in GEOGRAPHIC_NAMES else zt.crs
    try:
        I.transformer(pings_crs, work)
    except Exception:
        raise InputError(f"The pings' coordinate reference system '{pings_crs}' is not known to PROJ.") from None
    label = SF.regexp_replace(SF.col(f"`{unit}`").cast("string"), r"^\s+|\s+$", "")
    row = SF.monotonically_increasing_id()
    pings_df = df.select(
        label.alias("unit"),
        _time_column(df, tcol).alias("time"),
        SF.col(f"`{xcol}`").try_cast("double").alias("x"),
        SF.col(f"`{ycol}`").try_cast("double").alias("y"),
        row.alias("row"),
    )
    order, order_note = decide_date_order(pings_df, date_order)
    # units are hashed into buckets of about BUCKET_PINGS pings: each bucket is matched in one call
    # of the core (per-unit calls would pay the core's fixed costs thousands of times); pings
    # without a unit are spread over the buckets too (counted there, never matched)
    n_rows = pings_df.count() if buckets is None else 0
    buckets = buckets or max(-(-n_rows // BUCKET_PINGS), 2 * spark.sparkContext.defaultParallelism)
    key = SF.when(SF.col("unit").isNull() | (SF.col("unit") == ""), SF.col("row")).otherwise(SF.xxhash64("unit"))
    pings_df = pings_df.withColumn("g", SF.pmod(key, SF.lit(buckets)))

    zone_wkb = shapely.to_wkb(zone_work).tolist()
    plan = zone_plan(zt, params, timezone)
    token = hashlib.sha1(b"".join(zone_wkb) + repr((wp_xy, waypoint_radius, pings_crs)).encode()).hexdigest()
    ctx = S.Context(
        params=params,
        timezone=timezone,
        date_order=order,
        pings_crs=pings_crs,
        work_crs=work,
        out_crs=zt.crs,
        zone_ids=list(zt.ids),
        zone_wkb=zone_wkb,
        waypoint_ids=list(wt.ids) if wt else [],
        waypoint_xy=wp_xy,
        waypoint_radius=float(waypoint_radius),
        token=token,
        zone_tmin=plan.get("target_min"),
        zone_tmax=plan.get("target_max"),
    )
    _ship_package(spark)
    os.makedirs(out, exist_ok=True)
    stage_path = os.path.join(out, "_stage")
    stage = pings_df.groupBy("g").applyInPandas(S.unit_function(ctx), S.STAGE_SCHEMA)
    _write(stage, stage_path, mode="overwrite")
    staged = spark.read.parquet(stage_path)
    # counts (one small aggregate of the staged rows)
    tally = (
        staged.groupBy("kind", "reason")
        .agg(
            SF.count(SF.lit(1)).alias("rows"),
            SF.sum("n").alias("n"),
            SF.sum((~SF.col("pass_through")).cast("long")).alias("counted"),
        )
        .collect()
    )
    skipped = {r["reason"]: int(r["n"]) for r in tally if r["kind"] == "skipped"}
    kinds = {r["kind"]: (int(r["rows"]), int(r["counted"] or 0)) for r in tally if r["kind"] in ("zone", "waypoint")}
    used = sum(int(r["n"]) for r in tally if r["kind"] == "used")
    if used == 0:  # nothing usable: every zone "not visited" would be no answer
        shutil.rmtree(stage_path, ignore_errors=True)
        total = sum(skipped.values())
        if total == 0:
            raise InputError(f"The pings file {pings} has no rows: there is nothing to match.")
        why = "; ".join(f"{k}: {v:,}" for k, v in skipped.items())
        raise InputError(f"None of the {total:,} pings can be used ({why}).")

    # visits (zones, waypoints) as Parquet by day
    def visit_frame(kind: str, id_name: str):
        v = staged.filter(SF.col("kind") == kind)
        return v.select(
            SF.col("area_id").alias(id_name),
            SF.col("unit_id").alias(F.UNIT_ID),
            SF.timestamp_millis("entry_ms").alias(F.ENTRY_TIME),
            SF.timestamp_millis("exit_ms").alias(F.EXIT_TIME),
            SF.col("dwell_min").alias(F.DWELL_MIN),
            SF.col("pings").alias(F.PINGS),
            SF.col("band").alias(F.BAND),
            SF.col("pass_through").alias(F.PASS_THROUGH),
            SF.col("entry").alias("entry_epoch"),
            SF.col("exit").alias("exit_epoch"),
            "geometry",
            "day",
        )

    _write(visit_frame("zone", F.ZONE_ID), os.path.join(out, "visits"), partition="day")
    if wt is not None:
        _write(visit_frame("waypoint", F.WAYPOINT_ID), os.path.join(out, "waypoint_visits"), partition="day")

    # coverage: per zone, a second grouped step over the zone's visits. The days a zone is counted
    # over run from the period's start (else the first entry of all visits) to its end (else the
    # last exit), as in matchtracks: one small aggregate finds them.
    zone_visits = staged.filter(SF.col("kind") == "zone").select(
        "area", "area_id", "unit_id", "entry", "exit", "band", "pass_through", "day"
    )
    span = zone_visits.agg(SF.min("entry").alias("a"), SF.max("exit").alias("b")).first()
    cov_params = M.MatchParams(
        **{
            **params.__dict__,
            "period_start": params.period_start if params.period_start is not None else span["a"],
            "period_end": params.period_end if params.period_end is not None else span["b"],
        }
    )
    cov = zone_visits.groupBy("area").applyInPandas(S.coverage_function(cov_params, plan), S.COVERAGE_SCHEMA)
    cov_rows = {int(r["area"]): r.asDict() for r in cov.collect()}  # one row per visited zone
    unvisited = [i for i in range(len(zt.ids)) if i not in cov_rows]
    for r in S.not_visited(unvisited, zt.ids, cov_params, plan):
        cov_rows[r["area"]] = r
    coverage = [cov_rows[i] for i in range(len(zt.ids))]
    cov_df = spark.createDataFrame(coverage, S.COVERAGE_SCHEMA)

    def coverage_columns(df):
        return df.select(
            "zone_id",
            *[c for c in F.COVERAGE_FIELDS if c not in (F.FIRST_ENTRY, F.LAST_EXIT, F.STATUS)],
            SF.timestamp_millis("first_entry_ms").alias(F.FIRST_ENTRY),
            SF.timestamp_millis("last_exit_ms").alias(F.LAST_EXIT),
            F.STATUS,
            "band_min",
            "band_max",
            "days",
            "per_day",
            *(["day"] if "day" in df.columns else []),
        )

    _write(coverage_columns(cov_df).coalesce(1), os.path.join(out, "coverage"))
    if daily:
        daily_df = zone_visits.groupBy("area", "day").applyInPandas(
            S.coverage_function(params, plan, timezone), S.COVERAGE_DAILY_SCHEMA
        )
        _write(coverage_columns(daily_df), os.path.join(out, "coverage_daily"), partition="day")
    gpkg = os.path.join(out, "coverage.gpkg")
    from hotspot_patrol_plugin.spark import gpkg as G

    G.write_coverage(gpkg, zt, coverage, params.target_min / 60.0, params.target_max / 60.0)

    shutil.rmtree(stage_path, ignore_errors=True)
    n_visits, counted = kinds.get("zone", (0, 0))
    summary = {
        "visits": n_visits,
        "counted_visits": counted,
        "pass_throughs": n_visits - counted,
        "waypoint_visits": kinds.get("waypoint", (0, 0))[0] if wt is not None else None,
        "zones": len(zt.ids),
        "zones_on_target": sum(r[F.STATUS] == M.STATUS_ON for r in coverage),
        "zones_not_visited": sum(r[F.STATUS] == M.STATUS_NOT_VISITED for r in coverage),
        "skipped_pings": sum(v for k, v in skipped.items() if k != S.DUPLICATE),
        "skipped_reasons": skipped,
        "working_crs": work,
        "pings_crs": pings_crs,
        "date_order": order_note or None,
        "zones_skipped": zt.skipped,
        "seconds": round(time.perf_counter() - started, 1),
    }
    with open(os.path.join(out, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
    return summary


def _write(df, path: str, partition: str | None = None, mode: str = "overwrite") -> None:
    w = df.write.mode(mode)
    if partition:
        w = w.partitionBy(partition)
    w.parquet(path)


# --------------------------------------------------------------------------- command line
def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hotspot_patrol_plugin.spark",
        description="Match officer pings to hot spot zones on Apache Spark (the plugin's matchtracks, at force scale).",
    )
    p.add_argument("--pings", required=True, help="Parquet file/folder or CSV of pings")
    p.add_argument("--zones", required=True, help="GeoPackage (file.gpkg or file.gpkg|layername=zones) or WKT CSV")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--waypoints", help="GeoPackage point layer or WKT CSV of waypoints")
    p.add_argument("--unit-col", default="unit")
    p.add_argument("--time-col", default="time")
    p.add_argument("--x-col")
    p.add_argument("--y-col")
    p.add_argument("--pings-crs", help="CRS of x/y (default: EPSG:4326 for lon/lat, else the zones' CRS)")
    p.add_argument("--pings-format", choices=("parquet", "csv"))
    p.add_argument("--csv-sep", default=",")
    p.add_argument("--zones-layer")
    p.add_argument("--zone-id-field")
    p.add_argument("--zones-crs", help="CRS of a WKT zones table")
    p.add_argument("--waypoints-layer")
    p.add_argument("--waypoint-id-field")
    p.add_argument("--waypoints-crs")
    p.add_argument("--timezone", default="Europe/London")
    p.add_argument("--date-order", default="auto", choices=DATE_ORDERS)
    p.add_argument("--max-gap", type=float, default=300.0, help="seconds")
    p.add_argument("--merge-gap", type=float, default=60.0, help="seconds")
    p.add_argument("--min-dwell", type=float, default=60.0, help="seconds")
    p.add_argument("--boundary-tolerance", type=float, default=0.0, help="metres")
    p.add_argument("--waypoint-radius", type=float, default=25.0, help="metres")
    p.add_argument("--target-min", type=float, default=10.0, help="minutes")
    p.add_argument("--target-max", type=float, default=15.0, help="minutes")
    p.add_argument("--period-start")
    p.add_argument("--period-end")
    p.add_argument("--no-daily", action="store_true", help="skip the per-day coverage")
    p.add_argument(
        "--buckets", type=int, help="unit-hash buckets (default: one per 500,000 pings, at least two per core)"
    )
    p.add_argument("--master", help="Spark master when no session exists yet (default: spark-submit's, else local[*])")
    p.add_argument("--spark-log", default="OFF", help="Spark's own log level (default OFF: errors are reported here)")
    return p


QUIET_LOG4J = """rootLogger.level = off
rootLogger.appenderRef.stdout.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


def session(master: str | None = None, log_level: str = "OFF", app: str = "hotspot-patrol"):
    """A Spark session kept on this machine's loopback when local, its UI off, Spark's own log
    quiet (errors are reported in one sentence by the job)."""
    from pyspark.sql import SparkSession

    existing = SparkSession.getActiveSession()
    if existing is not None:
        existing.sparkContext.setLogLevel(log_level)
        _quiet_python_logs(log_level)
        return existing
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    b = (
        SparkSession.builder.appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    if master:
        b = b.master(master)
    if (master or "local").startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        b = b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
    if log_level.upper() == "OFF":
        conf = os.path.join(tempfile.mkdtemp(prefix="hp-spark-log-"), "log4j2.properties")
        with open(conf, "w") as f:
            f.write(QUIET_LOG4J)
        b = b.config("spark.driver.extraJavaOptions", f"-Dlog4j.configurationFile=file:{conf}")
    spark = b.getOrCreate()
    spark.sparkContext.setLogLevel(log_level)
    _quiet_python_logs(log_level)
    return spark


def _quiet_python_logs(log_level: str) -> None:
    """PySpark 4 logs a failed query's context (with the JVM's stack trace) through Python's
    logging: off too, unless Spark's log was asked for."""
    import logging

    if log_level.upper() == "OFF":
        for name in ("DataFrameQueryContextLogger", "pyspark", "py4j"):
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def main(argv: list[str] | None = None, spark=None) -> int:
    """The command line; returns the exit code (0 done, 2 bad input, 1 the job failed)."""
    args = parser().parse_args(argv)
    try:
        spark = spark or session(args.master, args.spark_log)
        summary = run(
            spark,
            args.pings,
            args.zones,
            args.out,
            args.waypoints,
            unit_col=args.unit_col,
            time_col=args.time_col,
            x_col=args.x_col,
            y_col=args.y_col,
            pings_crs=args.pings_crs,
            pings_format=args.pings_format,
            csv_sep=args.csv_sep,
            zones_layer=args.zones_layer,
            zone_id_field=args.zone_id_field,
            zones_crs=args.zones_crs,
            waypoints_layer=args.waypoints_layer,
            waypoint_id_field=args.waypoint_id_field,
            waypoints_crs=args.waypoints_crs,
            timezone=args.timezone,
            date_order=args.date_order,
            max_gap=args.max_gap,
            merge_gap=args.merge_gap,
            min_dwell=args.min_dwell,
            boundary_tolerance=args.boundary_tolerance,
            waypoint_radius=args.waypoint_radius,
            target_min=args.target_min,
            target_max=args.target_max,
            period_start=args.period_start,
            period_end=args.period_end,
            daily=not args.no_daily,
            buckets=args.buckets,
        )
    except InputError as e:
        log(str(e))
        return 2
    except Exception as e:  # a failure inside Spark: its first line, not the JVM's stack trace
        log(f"The Spark job failed: {_short(e)}.")
        return 1
    log(
        f"{summary['visits']:,} visits ({summary['counted_visits']:,} counted, {summary['pass_throughs']:,} "
        f"pass-throughs) in {summary['zones']:,} zones; {summary['zones_on_target']:,} on target, "
        f"{summary['zones_not_visited']:,} not visited; skipped pings: {summary['skipped_pings']:,} "
        f"({'; '.join(f'{k}: {v}' for k, v in summary['skipped_reasons'].items()) or 'none'}); "
        f"{summary['seconds']} s. Outputs in {args.out}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
