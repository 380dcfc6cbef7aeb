"""Fixtures for Processing tests: the provider registered once per session, layer builders."""

from __future__ import annotations

import pytest

_KEEP = []  # the Python side of providers we registered must outlive the registry's use of them


@pytest.fixture()
def provider(qgis_app, qgis_processing):
    """The provider, registered if no earlier test left one (the registry owns it)."""
    from qgis.core import QgsApplication

    from hotspot_patrol_plugin.processing.provider import HotspotPatrolProvider

    registry = QgsApplication.processingRegistry()
    if registry.providerById("hotspotpatrol") is None:
        _KEEP.append(HotspotPatrolProvider())
        registry.addProvider(_KEEP[-1])
    return registry.providerById("hotspotpatrol")


@pytest.fixture()
def no_provider(qgis_app, qgis_processing):
    """A registry without our provider, as QGIS has before the plugin loads."""
    from qgis.core import QgsApplication

    registry = QgsApplication.processingRegistry()
    existing = registry.providerById("hotspotpatrol")
    if existing is not None:
        registry.removeProvider(existing)


@pytest.fixture()
def run_alg(provider, qgis_processing):
    """processing.run with a fresh context; returns the results dict."""
    from qgis import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsProject

    def run(alg_id, params, feedback=None):
        context = QgsProcessingContext()
        context.setProject(QgsProject.instance())
        return processing.run(alg_id, params, context=context, feedback=feedback or QgsProcessingFeedback())

    return run
