"""Hotspot Patrol: measure police patrol presence in crime hot spots (QGIS plugin)."""


def classFactory(iface):  # the name QGIS looks for
    from .plugin import HotspotPatrolPlugin

    return HotspotPatrolPlugin(iface)
