"""New pings of a growing layer, a batch per refresh, for the Shift dock (core/shift.py does the rest).

* ``PostgisSource``: the usual case, a table an AVL feed writes to. One query per refresh through
  psycopg2 on the layer's own connection (its QgsDataSourceUri): ``WHERE key > %s`` on the layer's
  integer key when it has one (rows inserted late with old times are then still found), else
  ``WHERE time > %s`` minus an overlap of ``late_tolerance`` whose rows already seen are dropped.
* ``GeoPackageSource``: rows with ``fid > %s`` read straight from the file (sqlite, read-only).
* ``LayerSource``: any other layer (a CSV a feed appends to, a memory layer): the provider is
  reloaded and the features with a feature id above the last one seen are read.
* ``ReplaySource``: a past day's pings played at a chosen speed (training, demos, tests).

A source keeps its watermark when a fetch fails: it raises ``SourceError`` with one sentence the
dock shows as a banner, and the next fetch (a fresh connection) carries on where it stopped.
"""

from __future__ import annotations

import re
import sqlite3
import time as _time
from dataclasses import dataclass, field

import numpy as np
from qgis.core import QgsDataSourceUri, QgsFeatureRequest, QgsProviderRegistry

from ..core.crs import transform_finite
from ..core.definitions import DEFAULT_TIMEZONE
from ..core.shift import WallClock
from ..core.times import PROBLEM_TEXT
from . import fieldtypes


class SourceError(Exception):
    """A fetch failed (connection dropped, file locked ...): the message is for the user."""


@dataclass
class Batch:
    """New pings: unit labels, UTC epoch seconds, x/y in the working CRS; rows skipped by reason."""

    unit: np.ndarray
    t: np.ndarray
    x: np.ndarray
    y: np.ndarray
    rows: int = 0
    skipped: dict = field(default_factory=dict)

    @classmethod
    def empty(cls) -> Batch:
        z = np.zeros(0)
        return cls(np.zeros(0, dtype=object), z, z, z)

    def __len__(self) -> int:
        return len(self.t)


def _unit_text(values) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out[i] = None
        elif isinstance(v, float) and v.is_integer():
            out[i] = str(int(v))
        else:
            s = str(v).strip()
            out[i] = s or None
    return out


class _Source:
    """What every source shares: times through a WallClock, coordinates to the working CRS."""

    kind = "layer"

    def __init__(
        self,
        unit_field: str,
        time_field: str,
        to_work=None,
        timezone: str = DEFAULT_TIMEZONE,
        since: float | None = None,
    ):
        self.unit_field = unit_field
        self.time_field = time_field
        self.to_work = to_work
        self.timezone = timezone
        self.clock = WallClock(timezone)
        self.since = since  # UTC seconds: older pings are not wanted (before the shift's look-back)
        self.watermark = None
        self.rows_seen = 0

    def now(self) -> float:
        """The time the board is worked out at: the wall clock (UTC epoch seconds)."""
        return _time.time()

    def _batch(self, units, times, x, y) -> Batch:
        units = _unit_text(units)
        n = len(units)
        skipped: dict[str, int] = {}
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        x, y = transform_finite(self.to_work, x, y)
        no_unit = np.array([u is None for u in units], dtype=bool)
        bad_xy = ~(np.isfinite(x) & np.isfinite(y)) & ~no_unit
        rest = ~no_unit & ~bad_xy
        t = np.full(n, np.nan)
        if rest.any():
            parsed = self.clock.resolve(np.asarray(times, dtype=object)[rest], units[rest])
            t[rest] = parsed.seconds
            for code in np.unique(parsed.problem[np.isnan(parsed.seconds)]):
                skipped[PROBLEM_TEXT.get(int(code), "unreadable time")] = int(
                    ((parsed.problem == code) & np.isnan(parsed.seconds)).sum()
                )
        if no_unit.any():
            skipped["no unit id"] = int(no_unit.sum())
        if bad_xy.any():
            skipped["missing or invalid coordinates"] = int(bad_xy.sum())
        keep = rest & np.isfinite(t)
        if self.since is not None:
            keep &= t >= self.since
        self.rows_seen += n
        return Batch(units[keep], t[keep], x[keep], y[keep], n, skipped)


# --------------------------------------------------------------------------- PostGIS
def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class PostgisSource(_Source):
    kind = "postgis"

    def __init__(
        self,
        layer,
        unit_field,
        time_field,
        to_work=None,
        timezone=DEFAULT_TIMEZONE,
        late_tolerance: float = 120.0,
        connect_timeout: int = 5,
        since: float | None = None,
    ):
        super().__init__(unit_field, time_field, to_work, timezone, since)
        self._time_type = None
        self.uri = QgsDataSourceUri(layer.source())
        self.layer_name = layer.name()
        self.late_tolerance = float(late_tolerance)
        self.connect_timeout = connect_timeout
        self.conn = None
        key = self.uri.keyColumn().strip('"')
        idx = layer.fields().indexFromName(key) if key and "," not in key else -1
        # an integer key (serial, bigint ...) grows with every insert: the best watermark
        self.key = key if idx >= 0 and layer.fields().at(idx).type() in (fieldtypes.INT, fieldtypes.LONG) else None
        self._recent: set = set()  # (unit, raw time) read in the overlap window (time mode)

    @property
    def table(self) -> str:
        schema = self.uri.schema()
        return (_ident(schema) + "." if schema else "") + _ident(self.uri.table())

    def _connect(self):
        import psycopg2

        info = self.uri.connectionInfo(True)
        self.conn = psycopg2.connect(
            info, connect_timeout=self.connect_timeout, application_name="Hotspot Patrol shift dock"
        )
        self.conn.autocommit = True
        with self.conn.cursor() as cur:
            cur.execute("SET TIME ZONE 'UTC'")
        return self.conn

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # noqa: BLE001 - already broken
                pass
        self.conn = None

    def query(self) -> tuple[str, list]:
        geom = _ident(self.uri.geometryColumn() or "geom")
        mark = _ident(self.key) if self.key else _ident(self.time_field)
        cols = (
            f"{_ident(self.unit_field)} AS hp_unit, {_ident(self.time_field)}::text AS hp_time, "
            f"ST_X({geom}) AS hp_x, ST_Y({geom}) AS hp_y, {mark} AS hp_mark"
        )
        where, params = [], []
        if self.watermark is None and self.since is not None:
            # the first read: from the shift's look-back on, in the time column's own type
            where.append(f"{_ident(self.time_field)} >= %s")
            params.append(self._since_value())
        if self.watermark is not None:
            if self.key:
                where.append(f"{_ident(self.key)} > %s")
                params.append(self.watermark)
            else:
                where.append(f"{_ident(self.time_field)} > %s")
                params.append(self._time_floor())
        if self.uri.sql():
            where.append(f"({self.uri.sql()})")
        sql = f"SELECT {cols} FROM {self.table}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return sql + " ORDER BY hp_mark", params

    def _since_value(self):
        import pandas as pd

        when = pd.Timestamp(self.since, unit="s", tz="UTC")
        kind = (self._time_type or "").lower()
        if "with time zone" in kind:
            return when.to_pydatetime()
        local = when.tz_convert(self.timezone).tz_localize(None)
        if kind.startswith("timestamp") or kind == "date":
            return local.to_pydatetime()
        return local.strftime("%Y-%m-%dT%H:%M:%S")  # ISO text sorts as time

    def _time_floor(self):
        import datetime as dt

        w = self.watermark
        if isinstance(w, dt.datetime):
            return w - dt.timedelta(seconds=self.late_tolerance)
        return w  # text or numbers: no overlap can be taken off

    def fetch(self) -> Batch:
        try:
            import psycopg2
        except ImportError:
            raise SourceError(
                "Following a PostGIS table needs the Python module psycopg2, which this QGIS "
                "does not have: install it (Debian/Ubuntu: python3-psycopg2)."
            ) from None
        try:
            conn = self.conn or self._connect()
            with conn.cursor() as cur:
                if self._time_type is None:
                    cur.execute(
                        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                        "%s::regclass AND attname = %s",
                        (self.table, self.time_field),
                    )
                    row = cur.fetchone()
                    self._time_type = row[0] if row else "text"
                sql, params = self.query()
                cur.execute(sql, params)
                rows = cur.fetchall()
        except psycopg2.Error as e:
            self.close()
            first = (str(e).strip().splitlines() or [type(e).__name__])[0]
            if isinstance(e, (psycopg2.OperationalError, psycopg2.InterfaceError)):
                raise SourceError(
                    f"The connection to the pings table {self.layer_name} was lost ({first}); "
                    "the shift so far is kept and the next refresh reconnects."
                ) from None
            raise SourceError(
                f"The pings table {self.layer_name} could not be read ({first}); the shift so far is kept "
                "and the next refresh tries again."
            ) from None
        if not rows:
            return Batch.empty()
        units, times, xs, ys, marks = zip(*rows)
        if self.key:
            self.watermark = max(marks) if self.watermark is None else max(self.watermark, max(marks))
            return self._batch(units, times, xs, ys)
        # time mode: drop rows of the overlap window already read
        keep = [(u, tt) not in self._recent for u, tt in zip(units, times)]
        newest = max(marks)
        self.watermark = newest if self.watermark is None else max(self.watermark, newest)
        self._recent = {(u, tt) for u, tt, m in zip(units, times, marks) if m > self._time_floor()}
        pick = np.flatnonzero(keep)
        return self._batch(
            [units[i] for i in pick], [times[i] for i in pick], [xs[i] for i in pick], [ys[i] for i in pick]
        )


# --------------------------------------------------------------------------- GeoPackage
_ENVELOPE = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def _gpkg_xy(blobs) -> tuple[np.ndarray, np.ndarray]:
    import shapely

    wkb = [None if b is None else bytes(b[8 + _ENVELOPE.get((b[3] >> 1) & 7, 0) :]) for b in blobs]
    geoms = shapely.from_wkb(np.asarray(wkb, dtype=object), on_invalid="ignore")
    return shapely.get_x(geoms), shapely.get_y(geoms)


class GeoPackageSource(_Source):
    kind = "geopackage"

    def __init__(self, layer, unit_field, time_field, to_work=None, timezone=DEFAULT_TIMEZONE, since=None):
        super().__init__(unit_field, time_field, to_work, timezone, since)
        parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
        self.path = parts.get("path") or ""
        self.table = parts.get("layerName") or layer.dataProvider().subLayers()[0].split("!!::!!")[1]
        self.subset = layer.subsetString()
        self.layer_name = layer.name()

    def _geometry_column(self, con) -> str:
        row = con.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE lower(table_name) = lower(?)", (self.table,)
        ).fetchone()
        return row[0] if row else "geom"

    def fetch(self) -> Batch:
        try:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=5)
            try:
                geom = _ident(self._geometry_column(con))
                sql = (
                    f"SELECT fid, {_ident(self.unit_field)}, {_ident(self.time_field)}, {geom} "
                    f"FROM {_ident(self.table)} WHERE fid > ?"
                )
                if self.subset:
                    sql += f" AND ({self.subset})"
                rows = con.execute(sql + " ORDER BY fid", (self.watermark or 0,)).fetchall()
            finally:
                con.close()
        except sqlite3.Error as e:
            raise SourceError(
                f"The pings GeoPackage {self.layer_name} could not be read ({e}); the shift so far "
                "is kept and the next refresh tries again."
            ) from None
        if not rows:
            return Batch.empty()
        fids, units, times, blobs = zip(*rows)
        self.watermark = max(fids)
        x, y = _gpkg_xy(blobs)
        return self._batch(units, times, x, y)


# --------------------------------------------------------------------------- any layer
class LayerSource(_Source):
    """Any provider (delimited text, memory ...): reload, then the features above the last id."""

    def __init__(self, layer, unit_field, time_field, to_work=None, timezone=DEFAULT_TIMEZONE, since=None):
        super().__init__(unit_field, time_field, to_work, timezone, since)
        self.layer = layer
        self.kind = layer.providerType()

    def fetch(self) -> Batch:
        from .layers import _plain

        layer = self.layer
        try:
            if self.kind != "memory":
                layer.dataProvider().reloadData()
            fields = layer.fields()
            iu, it = fields.indexFromName(self.unit_field), fields.indexFromName(self.time_field)
            if iu < 0 or it < 0:
                raise SourceError(
                    f"The pings layer {layer.name()} has no field {self.unit_field if iu < 0 else self.time_field}."
                )
            request = QgsFeatureRequest().setSubsetOfAttributes([iu, it])
            last = self.watermark if self.watermark is not None else -1
            fids, units, times, xs, ys = [], [], [], [], []
            for f in layer.dataProvider().getFeatures(request):
                if f.id() <= last:
                    continue
                fids.append(f.id())
                attrs = f.attributes()
                units.append(_plain(attrs[iu]))
                times.append(_plain(attrs[it]))
                g = f.geometry()
                if g is None or g.isNull() or g.isEmpty():
                    xs.append(np.nan)
                    ys.append(np.nan)
                else:
                    p = g.asPoint()
                    xs.append(p.x())
                    ys.append(p.y())
        except SourceError:
            raise
        except Exception as e:  # noqa: BLE001 - a provider error becomes the banner
            raise SourceError(
                f"The pings layer {layer.name()} could not be read ({e}); the shift so far is "
                "kept and the next refresh tries again."
            ) from None
        if not fids:
            return Batch.empty()
        self.watermark = max(fids)
        return self._batch(units, times, xs, ys)


def source_for(
    layer, unit_field, time_field, to_work=None, timezone=DEFAULT_TIMEZONE, late_tolerance=120.0, since=None
):
    """The right source for the layer's provider; ``since``: UTC seconds of the oldest ping wanted."""
    provider = layer.providerType()
    if provider == "postgres":
        return PostgisSource(layer, unit_field, time_field, to_work, timezone, late_tolerance, since=since)
    if provider == "ogr":
        path = QgsProviderRegistry.instance().decodeUri("ogr", layer.source()).get("path") or ""
        if re.search(r"\.gpkg$", path, re.I):
            return GeoPackageSource(layer, unit_field, time_field, to_work, timezone, since)
    return LayerSource(layer, unit_field, time_field, to_work, timezone, since)


# --------------------------------------------------------------------------- replay
class ReplaySource:
    """A past day's pings (already in UTC seconds and the working CRS) played back: the replay clock
    runs ``speed`` times faster than the wall clock from ``start`` (default: the first ping); each
    fetch gives the pings up to the replay clock not given yet. ``advance`` moves the clock by hand."""

    kind = "replay"

    def __init__(self, unit, t, x, y, speed: float = 60.0, start: float | None = None, clock=_time.monotonic):
        order = np.argsort(np.asarray(t, dtype=float), kind="stable")
        self.unit = np.asarray(unit, dtype=object)[order]
        self.t = np.asarray(t, dtype=float)[order]
        self.x = np.asarray(x, dtype=float)[order]
        self.y = np.asarray(y, dtype=float)[order]
        self.start = float(self.t[0]) if start is None and len(self.t) else float(start or 0.0)
        self.speed = float(speed)
        self._clock = clock
        self._replay_at = self.start
        self._wall = None  # wall clock when last playing; None: paused
        self.position = 0
        self.watermark = None

    @property
    def playing(self) -> bool:
        return self._wall is not None

    def play(self):
        if self._wall is None:
            self._wall = self._clock()

    def pause(self):
        self._replay_at = self.now()
        self._wall = None

    def set_speed(self, speed: float):
        self._replay_at = self.now()
        if self._wall is not None:
            self._wall = self._clock()
        self.speed = float(speed)

    def advance(self, seconds: float):
        self._replay_at = self.now() + float(seconds)
        if self._wall is not None:
            self._wall = self._clock()

    def now(self) -> float:
        if self._wall is None:
            return self._replay_at
        return self._replay_at + (self._clock() - self._wall) * self.speed

    @property
    def finished(self) -> bool:
        return self.position >= len(self.t)

    def fetch(self) -> Batch:
        end = int(np.searchsorted(self.t, self.now(), side="right"))
        sl = slice(self.position, max(end, self.position))
        self.position = max(end, self.position)
        self.watermark = float(self.t[self.position - 1]) if self.position else None
        return Batch(self.unit[sl], self.t[sl], self.x[sl], self.y[sl], sl.stop - sl.start)


# --------------------------------------------------------------------------- the live map layer
DUE_LAYER_FIELDS = (
    ("zone_id", "string"),
    ("name", "string"),
    ("due", "string"),
    ("due_score", "double"),
    ("minutes_since", "double"),
    ("presence_min", "double"),
    ("planned_min", "double"),
    ("units_inside", "integer"),
)


class DueLayer:
    """A memory layer of the zones styled by due-ness, created once and updated in place: each
    refresh changes attribute values of the same features (no new layer, no new features)."""

    def __init__(self, zone_ids, zone_geometries, crs, name: str = "Shift: zones due now"):
        from qgis.core import QgsFeature, QgsVectorLayer

        fields = "&".join(f"field={n}:{t}" for n, t in DUE_LAYER_FIELDS)
        self.layer = QgsVectorLayer(f"MultiPolygon?crs={crs.authid() or 'EPSG:4326'}&{fields}", name, "memory")
        if not crs.authid():
            self.layer.setCrs(crs)
        feats = []
        for zid, geom in zip(zone_ids, zone_geometries):
            f = QgsFeature(self.layer.fields())
            f.setGeometry(geom)
            f.setAttribute("zone_id", str(zid))
            feats.append(f)
        ok, added = self.layer.dataProvider().addFeatures(feats)
        self.fid = {str(f.attribute("zone_id")): f.id() for f in added}
        self.index = {n: self.layer.fields().indexFromName(n) for n, _ in DUE_LAYER_FIELDS}
        self.style()

    def style(self) -> None:
        from qgis.core import (
            QgsCategorizedSymbolRenderer,
            QgsFillSymbol,
            QgsPalLayerSettings,
            QgsRendererCategory,
            QgsTextBufferSettings,
            QgsTextFormat,
            QgsVectorLayerSimpleLabeling,
        )
        from qgis.PyQt.QtGui import QColor

        from ..core.shift import DUE_COLOURS

        labels = {
            "ok": "Visited recently",
            "soon": "Due soon",
            "due": "Due now",
            "overdue": "Overdue",
            "not planned": "No visit planned",
        }
        cats = []
        for key, colour in DUE_COLOURS.items():
            sym = QgsFillSymbol.createSimple({"color": colour, "outline_color": "#222222", "outline_width": "0.4"})
            sym.setOpacity(0.75)
            cats.append(QgsRendererCategory(key, sym, labels.get(key, key)))
        self.layer.setRenderer(QgsCategorizedSymbolRenderer("due", cats))
        pal = QgsPalLayerSettings()
        pal.fieldName = (
            "\"zone_id\" || '\\n' || CASE WHEN \"minutes_since\" IS NULL THEN '' "
            "ELSE format_number(\"minutes_since\", 0) || ' min' END || "
            "CASE WHEN \"units_inside\" > 0 THEN ' · ' || \"units_inside\" || ' in' ELSE '' END"
        )
        pal.isExpression = True
        fmt = QgsTextFormat()
        fmt.setSize(8)
        fmt.setColor(QColor("#111111"))
        buf = QgsTextBufferSettings()
        buf.setEnabled(True)
        buf.setSize(0.8)
        buf.setColor(QColor("#ffffff"))
        fmt.setBuffer(buf)
        pal.setFormat(fmt)
        self.layer.setLabeling(QgsVectorLayerSimpleLabeling(pal))
        self.layer.setLabelsEnabled(True)

    def update(self, board) -> None:
        """Write the board's values (a core.shift.zone_board frame) to the features, in place."""
        import math

        def num(v):
            return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)

        changes = {}
        for row in board.itertuples(index=False):
            fid = self.fid.get(str(row.zone_id))
            if fid is None:
                continue
            changes[fid] = {
                self.index["name"]: str(row.name),
                self.index["due"]: str(row.due),
                self.index["due_score"]: num(row.due_score),
                self.index["minutes_since"]: num(row.minutes_since),
                self.index["presence_min"]: num(row.presence_min),
                self.index["planned_min"]: num(row.planned_min),
                self.index["units_inside"]: int(row.units_inside),
            }
        self.layer.dataProvider().changeAttributeValues(changes)
        self.layer.triggerRepaint()
