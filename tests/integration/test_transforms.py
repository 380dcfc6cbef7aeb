"""Coordinates are transformed with the operation QGIS would use (issue 14, item 4): the one chosen
in the transform context when there is one, PROJ's best available one otherwise. Expected values
come from QgsCoordinateTransform itself, one point at a time (an independent route through QGIS)."""

from __future__ import annotations

import numpy as np
import pytest

# WGS84 pings across Great Britain: Land's End, Cardiff, Leeds, Inverness, Lerwick, Norwich, Belfast
# is outside GB and left out
LONLAT = np.array(
    [
        (-5.714, 50.066),
        (-3.179, 51.481),
        (-1.549, 53.801),
        (-4.224, 57.478),
        (-1.145, 60.155),
        (1.297, 52.630),
        (-2.0, 55.0),
    ]
)


def _qgis_points(src, dst, tc, xy):
    from qgis.core import QgsCoordinateTransform, QgsPointXY

    ct = QgsCoordinateTransform(src, dst, tc)
    out = [ct.transform(QgsPointXY(float(x), float(y))) for x, y in xy]
    return np.array([(p.x(), p.y()) for p in out])


def _operations(src, dst):
    from qgis.core import QgsDatumTransform

    return [o for o in QgsDatumTransform.operations(src, dst) if o.isAvailable]


def _check(tc, src, dst, xy):
    from hotspot_patrol_plugin.qgis_io.crs import transformer

    expected = _qgis_points(src, dst, tc, xy)
    got = np.column_stack(transformer(src, dst, tc)(xy[:, 0], xy[:, 1]))
    assert np.abs(got - expected).max() < 1e-3, np.abs(got - expected).max()
    return got


def test_default_operation_equals_qgis(qgis_app):
    from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransformContext

    wgs, bng = QgsCoordinateReferenceSystem("EPSG:4326"), QgsCoordinateReferenceSystem("EPSG:27700")
    got = _check(QgsCoordinateTransformContext(), wgs, bng, LONLAT)
    # Leeds by hand-checked reference (EPSG:27700 of 53.801 N 1.549 W is about 429.8 km E, 433.9 km N)
    assert abs(got[2, 0] - 429_860) < 500 and abs(got[2, 1] - 433_930) < 500


def test_chosen_operation_is_followed_both_ways(qgis_app):
    """A non-default operation chosen in the project (OSTN15 where the grid is installed, else a
    Helmert one QGIS lists) moves the result the way QgsCoordinateTransform moves it, and the reverse
    direction (BNG -> WGS84, used for output) follows the same choice."""
    from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransformContext

    wgs, bng = QgsCoordinateReferenceSystem("EPSG:4326"), QgsCoordinateReferenceSystem("EPSG:27700")
    ops = _operations(wgs, bng)
    if not ops:
        pytest.skip("QGIS lists no available WGS84 -> BNG operation on this machine")
    ostn = [o for o in ops if "OSTN15" in o.proj]
    default = _qgis_points(wgs, bng, QgsCoordinateTransformContext(), LONLAT)
    for op in (ostn or []) + [o for o in ops if "helmert" in o.proj][-1:]:
        tc = QgsCoordinateTransformContext()
        assert tc.addCoordinateOperation(wgs, bng, op.proj)
        got = _check(tc, wgs, bng, LONLAT)
        if "helmert" in op.proj:  # a different datum shift than PROJ's best: really not the default
            assert np.abs(got - default).max() > 0.5
        back = _check(tc, bng, wgs, got)
        assert np.abs(back - LONLAT).max() < 1e-6


def test_project_context_is_the_default(qgis_app):
    from qgis.core import QgsCoordinateReferenceSystem, QgsProject

    from hotspot_patrol_plugin.qgis_io.crs import chosen_operation

    wgs, bng = QgsCoordinateReferenceSystem("EPSG:4326"), QgsCoordinateReferenceSystem("EPSG:27700")
    ops = [o for o in _operations(wgs, bng) if "helmert" in o.proj][-1:]
    if not ops:
        pytest.skip("no Helmert WGS84 -> BNG operation listed")
    project = QgsProject.instance()
    tc = project.transformContext()
    saved = project.transformContext()
    try:
        tc.addCoordinateOperation(wgs, bng, ops[0].proj)
        project.setTransformContext(tc)
        assert chosen_operation(wgs, bng)[0] == ops[0].proj
        assert chosen_operation(bng, wgs)[1] is True
    finally:
        project.setTransformContext(saved)
