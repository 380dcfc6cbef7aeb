"""Fixtures for Processing tests: the provider registered once per session, layer builders."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def provider(qgis_app, qgis_processing):
    from qgis.core import QgsApplication

    from hotspot_patrol_plugin.processing.provider import HotspotPatrolProvider

    registry = QgsApplication.processingRegistry()
    existing = registry.providerById("hotspotpatrol")
    if existing is not None:
        yield existing
        return
    prov = HotspotPatrolProvider()
    registry.addProvider(prov)
    yield prov
    registry.removeProvider(prov)


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
