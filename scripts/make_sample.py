"""Writes the bundled sample (resources/sample/): zones, waypoints and one evening of pings.

Run once with `make sample` (the outputs are committed; they are small). Seeded: the same files
every time. Times are local Europe/London wall-clock text, as UK force exports usually are.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import shapely
from osgeo import gdal, ogr, osr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import make_tracks, make_zones  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "resources" / "sample"
NAMES = ["Market Street", "Bus Station", "Park Entrance", "Kirkgate", "Briggate Arcade",
         "Station Square", "Riverside Walk", "Corn Exchange"]


def main():
    gdal.UseExceptions()
    OUT.mkdir(parents=True, exist_ok=True)
    zones = make_zones(8, seed=7, extent=1600)
    unit, t, x, y = make_tracks(zones, 6, 4.0, ping_s=30, seed=11, start=1795201200.0)  # 2026-11-20 18:00Z
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
        f.SetField("name", NAMES[i])
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
        f.SetField("name", f"{NAMES[i]} (centre)")
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
