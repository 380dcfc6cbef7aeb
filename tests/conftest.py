"""Shared fixtures. Core tests (tests/unit) need no QGIS; the rest use pytest-qgis, headless."""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

pytest_plugins = ["tests.pg_server"]  # the postgis_server fixture (a throw-away PostGIS)

SAMPLE = ROOT / "resources" / "sample" / "hotspot_patrol_sample.gpkg"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def sample_gpkg(tmp_path_factory) -> Path:
    """A copy of the bundled sample: QGIS may touch a GeoPackage it opens (e.g. its metadata)."""
    import shutil

    copy = tmp_path_factory.mktemp("sample") / SAMPLE.name
    shutil.copyfile(SAMPLE, copy)
    return copy
