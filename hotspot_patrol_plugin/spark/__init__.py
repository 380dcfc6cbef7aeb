"""Hotspot Patrol past one machine: the plugin's matching core run by Apache Spark.

``job.run(spark, pings, zones, out, ...)`` for notebooks, ``python -m hotspot_patrol_plugin.spark``
or ``spark-submit hotspot_patrol_plugin/spark/job.py`` on the command line. Nothing here imports
QGIS: zones are read from a GeoPackage with sqlite3 (or from a WKT table), pings from Parquet/CSV.
"""
