"""File formats read and written without QGIS: GDAL/OGR and SQLite only (no qgis, no Qt).

``gpkg_writer`` writes GeoPackage layers in bulk; ``readers`` reads force exports (delimited text,
GPX/KML/GeoJSON through GDAL, NMEA logs); ``track_import`` turns them into clean tracks; ``arrow``
decodes GDAL's Arrow stream (text, WKB points). May import core and osgeo, never qgis.
"""
