"""Hotspot Patrol: measure police patrol presence in crime hot spots (QGIS plugin)."""


def classFactory(iface):  # noqa: N802 - the name QGIS looks for
    from .plugin import HotspotPatrolPlugin

    return HotspotPatrolPlugin(iface)
