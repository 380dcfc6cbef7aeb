"""Writes the bundled sample (resources/sample/): zones, waypoints and one evening of pings.

The zones are real hot spots: Gi* hot spot zones (core.hotspots, 50 m hexagons, FDR 0.05, at least
5 crimes) of the bundled police.uk extract (resources/sample/crime/, Leeds city centre, July 2018),
named after the police.uk locations most of their crimes are mapped to. The officers' pings are
synthetic (scripts/synth.py): six units patrolling those hot spots for an evening.

Run once with `make sample` (the outputs are committed; they are small). Seeded: the same files
every time. Times are local Europe/London wall-clock text, as UK force exports usually are.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import shapely
from osgeo import gdal, ogr, osr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from synth import make_tracks  # noqa: E402

from hotspot_patrol_plugin.core import hotspots as H  # noqa: E402

OUT = ROOT / "resources" / "sample"
CRIMES = OUT / "crime" / "leeds_city_centre_2018-07_street.csv"
CELL_SIZE = 50.0


def hot_spot_zones():
    """The extract's hot spot zones (BNG shapely polygons, ranked by harm = crimes) and their names."""
    import pandas as pd
    import pyproj

    crimes = pd.read_csv(CRIMES)
    x, y = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True).transform(
        crimes["Longitude"].to_numpy(), crimes["Latitude"].to_numpy()
    )
    result = H.analyse(np.asarray(x), np.asarray(y), None, H.Lattice(H.HEXAGON, CELL_SIZE))
    zone_of = result.zones.cell_zone[result.grid.cell_of(x, y)]
    names = []
    for k in range(len(result.zones)):
        where = crimes["Location"][zone_of == k].str.replace("On or near ", "", regex=False)
        top = where.value_counts().index[:2].tolist()
        names.append(" & ".join(top))
    return result.zones.geoms, names


def main():
    gdal.UseExceptions()
    OUT.mkdir(parents=True, exist_ok=True)
    zones, names = hot_spot_zones()
    # synth loiters at each zone's centroid: give it discs around a point inside each zone instead
    # (a hot spot of many cells may be concave, its centroid outside it)
    inner = shapely.buffer(shapely.point_on_surface(zones), 1.0)
    unit, t, x, y = make_tracks(inner, 6, 4.0, ping_s=30, seed=11, start=1795201200.0)  # 2026-11-20 18:00Z
    callsigns = np.array(["NE21", "NE22", "NE31", "NE32", "PC4471", "PC5102"])
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(27700)
    path = OUT / "hotspot_patrol_sample.gpkg"
    if path.exists():
        path.unlink()
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    zl = ds.CreateLayer("zones", srs, ogr.wkbPolygon)
    for name, kind in (("zone_id", ogr.OFTString), ("name", ogr.OFTString), ("priority", ogr.OFTInteger)):
        zl.CreateField(ogr.FieldDefn(name, kind))
    for i, g in enumerate(zones):
        f = ogr.Feature(zl.GetLayerDefn())
        f.SetField("zone_id", f"HS-{i + 1:03d}")
        f.SetField("name", names[i])
        f.SetField("priority", 1 + i % 5)
        f.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(g)))
        zl.CreateFeature(f)
    wl = ds.CreateLayer("waypoints", srs, ogr.wkbPoint)
    for name in ("waypoint_id", "name", "zone_id"):
        wl.CreateField(ogr.FieldDefn(name, ogr.OFTString))
    for i, g in enumerate(zones[:4]):
        c = shapely.get_coordinates(shapely.point_on_surface(g))[0]
        f = ogr.Feature(wl.GetLayerDefn())
        f.SetField("waypoint_id", f"WP-{i + 1:02d}")
        f.SetField("name", f"{names[i]} (centre)")
        f.SetField("zone_id", f"HS-{i + 1:03d}")
        f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({c[0]:.1f} {c[1]:.1f})"))
        wl.CreateFeature(f)
    tl = ds.CreateLayer("pings", srs, ogr.wkbPoint)
    tl.CreateField(ogr.FieldDefn("callsign", ogr.OFTString))
    tl.CreateField(ogr.FieldDefn("time", ogr.OFTString))
    local = (np.datetime64("1970-01-01T00:00:00") + (t * 1000).astype("timedelta64[ms]")).astype("datetime64[s]")
    ds.StartTransaction()
    for u, ts, px, py in zip(unit, local, x, y):
        f = ogr.Feature(tl.GetLayerDefn())
        f.SetField("callsign", str(callsigns[u]))
        f.SetField("time", str(ts))  # November: Europe/London wall time equals UTC
        f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({px:.1f} {py:.1f})"))
        tl.CreateFeature(f)
    ds.CommitTransaction()
    ds = None
    print(f"wrote {path} ({len(zones)} zones, {len(t)} pings, {len(callsigns)} units)")


if __name__ == "__main__":
    main()
