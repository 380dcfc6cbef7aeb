"""Zones and waypoints for the Spark job, read without QGIS: a GeoPackage through sqlite3 (the
GeoPackage geometry header stripped, the WKB read by shapely) or a CSV table with a WKT column.

The choices the plugin makes through QGIS are made here the same way: the zone id is the
``zone_id`` field when there is one, else the feature id; features without geometry are skipped
and counted; an invalid polygon stops the run with one sentence; the working CRS is the zones' own
when projected, else British National Grid in Great Britain, else the local UTM zone
(``core.crs.metric_crs_for`` at the centre of the zones' extent)."""

from __future__ import annotations

import csv
import os
import sqlite3
import sys
from dataclasses import dataclass, field

import numpy as np
import shapely

from ..core.crs import metric_crs_for


def _proj_data() -> None:
    """Point PROJ at its data when nothing else does: Debian's pyproj in a virtualenv looks under
    the venv's prefix, finds nothing, and warns on every import (the plugin asks QGIS instead)."""
    if os.environ.get("PROJ_DATA") or os.environ.get("PROJ_LIB"):
        return
    for folder in (os.path.join(sys.prefix, "share", "proj"), "/usr/share/proj", "/usr/local/share/proj"):
        if os.path.isfile(os.path.join(folder, "proj.db")):
            os.environ["PROJ_DATA"] = os.environ["PROJ_LIB"] = folder
            return


_proj_data()


class InputError(Exception):
    """Bad input: the message is one sentence for the user, never a traceback."""


#: bytes of the envelope after the 8-byte GeoPackage geometry header, by envelope indicator
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_POLYGON_TYPES = {"POLYGON", "MULTIPOLYGON", "CURVEPOLYGON", "MULTISURFACE", "SURFACE"}
_POINT_TYPES = {"POINT", "MULTIPOINT"}
#: a zone's own plan, read when the zones carry these fields (as the plugin's matchtracks does)
PLAN_COLUMNS = ("target_min", "target_max", "visits_per_day", "active_from", "active_to")


@dataclass
class AreaTable:
    """Zones (polygons) or waypoints (points) as read: ids, feature ids, shapely geometries in
    their own CRS (``crs``: an authority code such as EPSG:27700, or WKT)."""

    ids: list
    fids: list
    geoms: np.ndarray
    crs: str
    id_field: str | None
    skipped: dict = field(default_factory=dict)
    plan: dict = field(default_factory=dict)  # PLAN_COLUMNS present: one raw value per feature


def gpkg_wkb(blob: bytes | None) -> bytes | None:
    """The WKB inside a GeoPackage geometry blob ('GP', version, flags, srs_id, envelope, WKB);
    None for a NULL or empty geometry."""
    if blob is None:
        return None
    blob = bytes(blob)
    if len(blob) < 8 or blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry blob")
    flags = blob[3]
    if flags & 0b00010000:  # the empty-geometry flag
        return None
    envelope = _ENVELOPE_BYTES.get((flags >> 1) & 0b111)
    if envelope is None:
        raise ValueError("unknown envelope indicator in a GeoPackage geometry blob")
    return blob[8 + envelope :]


def split_layer(path: str) -> tuple[str, str | None]:
    """'file.gpkg|layername=zones' -> ('file.gpkg', 'zones'), as QGIS writes layer sources."""
    base, _, rest = path.partition("|")
    layer = None
    for part in rest.split("|"):
        key, _, value = part.partition("=")
        if key.strip().lower() == "layername" and value:
            layer = value
    return base, layer


def read_areas(
    path: str, what: str, layer: str | None = None, id_field: str | None = None, crs: str | None = None
) -> AreaTable:
    """Zones (``what="zone"``) or waypoints (``what="waypoint"``) from a GeoPackage or a WKT CSV."""
    path, from_path = split_layer(path)
    layer = layer or from_path
    if not os.path.exists(path):
        raise InputError(f"The {what}s file {path} does not exist.")
    if path.lower().endswith(".gpkg"):
        return _read_gpkg(path, what, layer, id_field)
    if path.lower().endswith((".csv", ".tsv", ".txt")):
        return _read_wkt_csv(path, what, id_field, crs)
    raise InputError(f"The {what}s file {path} is neither a GeoPackage (.gpkg) nor a WKT table (.csv).")


def _default_id(names: list[str], what: str, requested: str | None) -> str | None:
    if requested:
        if requested not in names:
            raise InputError(
                f"The field '{requested}' does not exist in the {what}s layer (its fields: {', '.join(names)})."
            )
        return requested
    default = f"{what}_id"
    return default if default in names else None


def _read_gpkg(path: str, what: str, layer: str | None, id_field: str | None) -> AreaTable:
    polygons = what == "zone"
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        rows = con.execute(
            "SELECT table_name, column_name, geometry_type_name, srs_id FROM gpkg_geometry_columns"
        ).fetchall()
    except sqlite3.DatabaseError:
        raise InputError(f"The {what}s file {path} is not a readable GeoPackage.") from None
    try:
        wanted = _POLYGON_TYPES if polygons else _POINT_TYPES
        if layer:
            match = [r for r in rows if r[0] == layer]
            if not match:
                raise InputError(
                    f"The GeoPackage {path} has no layer '{layer}' (its layers: {', '.join(r[0] for r in rows)})."
                )
        else:
            match = [r for r in rows if r[2].upper() in wanted]
            if len(match) > 1:
                named = [r for r in match if r[0] == f"{what}s"]
                if not named:
                    raise InputError(
                        f"The GeoPackage {path} has several {what} layers "
                        f"({', '.join(r[0] for r in match)}): name one with '|layername='."
                    )
                match = named
            if not match:
                raise InputError(f"The GeoPackage {path} has no {'polygon' if polygons else 'point'} layer.")
        table, geom_col, gtype, srs_id = match[0]
        if gtype.upper() not in wanted and gtype.upper() != "GEOMETRY":
            raise InputError(
                f"The {what}s layer must be a {'polygon' if polygons else 'point'} layer "
                f"('{table}' holds {gtype.lower()}s)."
            )
        crs = _gpkg_crs(con, srs_id)
        if crs is None:
            raise InputError(f"The {what}s layer has no coordinate reference system: set one first.")
        info = con.execute(f'PRAGMA table_info("{table}")').fetchall()
        names = [c[1] for c in info if c[1] != geom_col]
        pk = next((c[1] for c in info if c[5] == 1), None)
        idf = _default_id([n for n in names if n != pk], what, id_field)
        fid_sql = f'"{pk}"' if pk else "rowid"
        id_sql = f'"{idf}"' if idf else "NULL"
        plan_cols = [c for c in PLAN_COLUMNS if c in names] if polygons else []
        extra = "".join(f', "{c}"' for c in plan_cols)
        data = con.execute(
            f'SELECT {fid_sql}, {id_sql}, "{geom_col}"{extra} FROM "{table}" ORDER BY {fid_sql}'
        ).fetchall()
    finally:
        con.close()
    fids, idents, wkbs = [], [], []
    plan: dict = {c: [] for c in plan_cols}
    skipped: dict[str, int] = {}
    for fid, ident, blob, *values in data:
        try:
            wkb = gpkg_wkb(blob)
        except ValueError:
            raise InputError(
                f"{what.capitalize()} feature {fid} has a geometry that is not a GeoPackage geometry."
            ) from None
        if wkb is None:
            key = f"{what} without geometry"
            skipped[key] = skipped.get(key, 0) + 1
            continue
        fids.append(fid)
        idents.append(ident)
        wkbs.append(wkb)
        for c, v in zip(plan_cols, values):
            plan[c].append(v)
    return _finish(what, fids, idents, wkbs, crs, idf, skipped, plan)


def _gpkg_crs(con, srs_id) -> str | None:
    if srs_id is None or int(srs_id) in (0, -1):
        return None
    row = con.execute(
        "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?",
        (srs_id,),
    ).fetchone()
    if row is None:
        return None
    org, code, definition = row
    if org and org.upper() == "EPSG" and code:
        return f"EPSG:{int(code)}"
    return definition if definition and definition.strip().lower() != "undefined" else None


def _read_wkt_csv(path: str, what: str, id_field: str | None, crs: str | None) -> AreaTable:
    if not crs:
        raise InputError(f"The {what}s table {path} is a WKT table: give its CRS (e.g. --{what}s-crs EPSG:27700).")
    with open(path, newline="", encoding="utf-8-sig") as f:
        sample = f.read(4096)
        f.seek(0)
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(f, dialect=dialect)
        names = list(reader.fieldnames or [])
        lower = {n.lower(): n for n in names}
        geom_col = next((lower[k] for k in ("wkt", "geometry", "geom", "the_geom") if k in lower), None)
        if geom_col is None:
            raise InputError(
                f"The {what}s table {path} has no WKT column (named wkt, geometry or geom; "
                f"its columns: {', '.join(names)})."
            )
        idf = _default_id([n for n in names if n != geom_col], what, id_field)
        fids, idents, wkbs = [], [], []
        plan_cols = [c for c in PLAN_COLUMNS if c in names] if what == "zone" else []
        plan: dict = {c: [] for c in plan_cols}
        skipped: dict[str, int] = {}
        for row_no, row in enumerate(reader, start=1):
            text = (row.get(geom_col) or "").strip()
            if not text:
                key = f"{what} without geometry"
                skipped[key] = skipped.get(key, 0) + 1
                continue
            try:
                geom = shapely.from_wkt(text)
            except Exception:  # shapely raises GEOSException for unreadable text
                raise InputError(f"Row {row_no} of {path} has a {geom_col} that is not WKT.") from None
            if geom is None or geom.is_empty:
                key = f"{what} without geometry"
                skipped[key] = skipped.get(key, 0) + 1
                continue
            fids.append(row_no)
            idents.append(row.get(idf) if idf else None)
            wkbs.append(shapely.to_wkb(geom))
            for c in plan_cols:
                plan[c].append(_csv_value(row.get(c), c))
    return _finish(what, fids, idents, wkbs, crs, idf, skipped, plan)


def _csv_value(text, column: str):
    """A plan value from CSV text: numbers for the band and visits per day, text otherwise."""
    if text is None or text.strip() == "":
        return None
    if column in ("target_min", "target_max", "visits_per_day"):
        try:
            return float(text)
        except ValueError:
            return None
    return text.strip()


def _finish(what, fids, idents, wkbs, crs, idf, skipped, plan=None) -> AreaTable:
    ids = []
    for fid, ident in zip(fids, idents):
        if ident is None or str(ident).strip() == "":
            ident = str(fid)
        ids.append(str(ident))
    geoms = shapely.from_wkb(np.asarray(wkbs, dtype=object)) if wkbs else np.zeros(0, dtype=object)
    if what == "zone":
        kinds = shapely.get_type_id(geoms) if len(geoms) else np.zeros(0, int)
        for i in np.flatnonzero(~np.isin(kinds, (3, 6))):
            raise InputError(
                f"Zone feature {fids[i]} ({idf or 'id'} '{ids[i]}') is not a polygon; "
                "the zones layer must be a polygon layer."
            )
        valid = shapely.is_valid(geoms)
        for i in np.flatnonzero(~valid):
            why = shapely.is_valid_reason(geoms[i])
            raise InputError(
                f"Zone feature {fids[i]} ({idf or 'id'} '{ids[i]}') has an invalid polygon ({why}); "
                "run 'Fix geometries' on the zones layer and use its output."
            )
    else:
        multi = shapely.get_type_id(geoms) == 4 if len(geoms) else np.zeros(0, bool)
        geoms[multi] = shapely.get_geometry(geoms[multi], 0)
        bad = np.flatnonzero(shapely.get_type_id(geoms) != 0) if len(geoms) else []
        for i in bad:
            raise InputError(f"Waypoint feature {fids[i]} is not a point; the waypoints layer must be a point layer.")
    return AreaTable(ids, list(fids), geoms, crs, idf, skipped, plan or {})


# --------------------------------------------------------------------------- CRS
def _pyproj():
    import pyproj

    return pyproj


def same_crs(a: str, b: str) -> bool:
    crs = _pyproj().CRS
    return a == b or crs.from_user_input(a) == crs.from_user_input(b)


def transformer(src: str, dst: str):
    """A pyproj (x, y) -> (x, y) function, or None when both CRSs are the same (as the plugin's
    ``qgis_io.tracks.transformer``)."""
    if same_crs(src, dst):
        return None
    t = _pyproj().Transformer.from_crs(src, dst, always_xy=True)
    return lambda x, y: t.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))


def transform_finite(to, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) through ``to`` where both are finite, NaN elsewhere; as given when ``to`` is None."""
    if to is None or len(x) == 0:
        return x, y
    ok = np.isfinite(x) & np.isfinite(y)
    ox, oy = np.full(len(x), np.nan), np.full(len(x), np.nan)
    if ok.any():
        ox[ok], oy[ok] = to(x[ok], y[ok])
    return ox, oy


def working_crs(zones: AreaTable) -> str:
    """The zones' CRS when projected; else BNG in Great Britain, else the local UTM zone, chosen at
    the centre of the zones' extent (as ``qgis_io.tracks.working_crs``)."""
    pyproj = _pyproj()
    try:
        crs = pyproj.CRS.from_user_input(zones.crs)
    except pyproj.exceptions.CRSError:
        raise InputError(f"The zones' coordinate reference system '{zones.crs}' is not known to PROJ.") from None
    if not crs.is_geographic:
        return zones.crs
    box = shapely.total_bounds(zones.geoms)
    cx, cy = (box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0
    to_ll = transformer(zones.crs, "EPSG:4326")
    if to_ll is not None:
        cx, cy = (float(v[0]) for v in to_ll([cx], [cy]))
    return metric_crs_for(cx, cy)


def to_crs(geoms: np.ndarray, to) -> np.ndarray:
    if to is None or len(geoms) == 0:
        return geoms
    return shapely.transform(geoms, lambda xy: np.column_stack(to(xy[:, 0], xy[:, 1])))


def crs_wkt(crs: str) -> str:
    return _pyproj().CRS.from_user_input(crs).to_wkt()
