"""core.validation on hand-made geometries (metres); expected values worked out by hand."""

from __future__ import annotations

import math

import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from hotspot_patrol_plugin.core import validation as V


def sq(x0, y0, size=100.0):
    return box(x0, y0, x0 + size, y0 + size)


def zone(key, zid="HS-001", geom=None, name="Somewhere", **kw):
    return V.Zone(key=key, zone_id=zid, name=name, geometry=sq(0, 0) if geom is None else geom, **kw)


def codes(problems):
    return sorted(p.code for p in problems)


# --- helpers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "existing, expected",
    [
        ([], "HS-001"),
        (["HS-001", "HS-009"], "HS-010"),
        (["HS-099"], "HS-100"),
        (["HS-999"], "HS-1000"),
        (["x", None, "", " HS-002 ", "Market 7", "G-12"], "HS-003"),  # other id schemes do not count
    ],
)
def test_next_id(existing, expected):
    assert V.next_id(existing) == expected


def test_next_waypoint_id():
    assert V.next_id(["WP-004"], V.WAYPOINT_ID_PREFIX) == "WP-005"


def test_minimum_width_by_hand():
    assert V.minimum_width(sq(0, 0, 100)) == pytest.approx(100)
    # triangle: base 100, height 40; the other altitudes are 2*2000/64.03 = 62.5, so 40 is narrowest
    assert V.minimum_width(Polygon([(0, 0), (100, 0), (50, 40)])) == pytest.approx(40)
    # a 30 m x 200 m street segment, rotated by 37 degrees: still 30 m across
    strip = shapely.affinity.rotate(box(0, 0, 200, 30), 37, origin=(0, 0))
    assert V.minimum_width(strip) == pytest.approx(30)
    # concave L-shape: its hull is what GPS has to resolve (60 x 60 square minus a corner)
    ell = Polygon([(0, 0), (60, 0), (60, 10), (10, 10), (10, 60), (0, 60)])
    assert V.minimum_width(ell) == pytest.approx(60 / math.sqrt(2) + 5 * math.sqrt(2))  # 49.50
    assert V.minimum_width(Point(1, 1)) == 0.0
    assert V.minimum_width(None) == 0.0


def test_zone_for_point_inside_boundary_outside_and_smallest():
    big = zone(1, "HS-001", sq(0, 0, 200))
    small = zone(2, "HS-002", sq(50, 50, 50))
    other = zone(3, "HS-003", sq(500, 0))
    zs = [big, small, other]
    assert V.zone_for_point(Point(10, 10), zs) == "HS-001"
    assert V.zone_for_point(Point(60, 60), zs) == "HS-002"  # in both: the smaller wins
    assert V.zone_for_point(Point(500, 50), zs) == "HS-003"  # on the boundary counts as inside
    assert V.zone_for_point(Point(300, 300), zs) is None
    assert V.zones_for_points([Point(10, 10), None], zs) == ["HS-001", None]
    assert V.zone_for_point(Point(0, 0), []) is None


# --- zones ---------------------------------------------------------------------------------------


def test_a_good_zone_has_no_problems():
    assert (
        V.check_zones([zone(1, target_min=10, target_max=15, priority=2, active_from="18:30", active_to="2:00")]) == []
    )


def test_self_intersection_is_an_error_located_at_the_crossing():
    bowtie = Polygon([(0, 0), (100, 100), (100, 0), (0, 100)])
    (p,) = V.check_zones([zone(7, "HS-007", bowtie)])
    assert p.code == V.INVALID_GEOMETRY and p.severity == V.ERROR and p.keys == (7,)
    assert "crosses itself" in p.message and "HS-007" in p.message
    assert "Fix Geometries" in p.hint
    x0, y0, x1, y1 = p.bounds  # 10 m around the crossing at (50, 50)
    assert (x0, y0, x1, y1) == pytest.approx((40, 40, 60, 60))


def test_missing_geometry():
    (p,) = V.check_zones([V.Zone(key=1, zone_id="HS-001", name="A", geometry=None)])
    assert p.code == V.NO_GEOMETRY and p.bounds is None


def test_duplicate_zone_id_names_every_zone():
    zs = [zone(1, "HS-001", sq(0, 0)), zone(2, "HS-001", sq(500, 0)), zone(3, "HS-002", sq(1000, 0))]
    (p,) = V.check_zones(zs)
    assert p.code == V.DUPLICATE_ID and p.keys == (1, 2) and "used by 2 zones" in p.message
    assert p.bounds == (0, 0, 600, 100)


def test_missing_id_and_name():
    ps = V.check_zones([zone(1, zid=None, name=None), zone(2, zid="  ", name="Park gate", geom=sq(500, 0))])
    assert codes(ps) == [V.MISSING_ID, V.MISSING_ID, V.MISSING_NAME]
    assert ps[0].is_error and any("“Park gate” has no zone_id" in p.message for p in ps)


def test_target_band_upside_down():
    (p,) = V.check_zones([zone(1, target_min=15, target_max=10)])
    assert p.code == V.TARGET_BAND and p.is_error and "15 min" in p.message and "10 min" in p.message
    assert V.check_zones([zone(1, target_min=10, target_max=10)]) == []
    assert V.check_zones([zone(1, target_min=None, target_max=10)]) == []


def test_priority_and_active_times():
    ps = V.check_zones([zone(1, priority=7, active_from="25:00", active_to="6:05")])
    assert codes(ps) == [V.ACTIVE_TIME, V.PRIORITY_RANGE]
    assert "active_from “25:00”" in ps[0].message


def test_overlap_reports_the_shared_area():
    a, b = zone(1, "HS-001", sq(0, 0)), zone(2, "HS-002", sq(50, 0))
    (p,) = V.check_zones([a, b])
    assert p.code == V.OVERLAP and p.keys == (1, 2) and p.severity == V.WARNING
    assert "5,000 m²" in p.message
    assert p.bounds == (50, 0, 100, 100)


def test_shared_edges_and_slivers_are_not_overlaps():
    touching = [zone(1, "HS-001", sq(0, 0)), zone(2, "HS-002", sq(100, 0))]
    sliver = [zone(1, "HS-001", sq(0, 0)), zone(2, "HS-002", box(99.995, 0, 200, 100))]  # 0.5 m²
    assert V.check_zones(touching) == []
    assert V.check_zones(sliver) == []


def test_too_small_uses_the_width_not_the_area():
    strip = zone(1, geom=box(0, 0, 400, 20))  # 8,000 m², but only 20 m across
    (p,) = V.check_zones([strip])
    assert p.code == V.TOO_SMALL and "20 m across" in p.message
    # a 12 m radius circle is 24 m across (just under), a 13 m one is not
    assert codes(V.check_zones([zone(1, geom=Point(0, 0).buffer(12, 32))])) == [V.TOO_SMALL]
    assert V.check_zones([zone(1, geom=Point(0, 0).buffer(13, 32))]) == []
    assert V.check_zones([strip], V.Limits(min_width_m=15)) == []


def test_too_large_default_and_setting():
    big = zone(1, geom=sq(0, 0, 1100))  # 1.21 km²
    (p,) = V.check_zones([big])
    assert p.code == V.TOO_LARGE and "1.21 km²" in p.message and "1.00 km²" in p.message
    assert V.check_zones([big], V.Limits(max_area_m2=2_000_000)) == []
    assert V.check_zones([zone(1, geom=sq(0, 0, 1000))]) == []  # exactly 1 km² is allowed


def test_invalid_geometry_is_left_out_of_geometric_checks():
    bowtie = Polygon([(0, 0), (100, 100), (100, 0), (0, 100)])
    ps = V.check_zones([zone(1, "HS-001", bowtie), zone(2, "HS-002", sq(0, 0))])
    assert codes(ps) == [V.INVALID_GEOMETRY]


def test_errors_come_first():
    ps = V.check_zones([zone(1, name=None), zone(2, "HS-002", sq(500, 0), target_min=20, target_max=5)])
    assert [p.severity for p in ps] == [V.ERROR, V.WARNING]


# --- waypoints -----------------------------------------------------------------------------------


def test_waypoint_checks():
    zs = [zone(1, "HS-001", sq(0, 0)), zone(2, "HS-002", sq(500, 0))]
    wps = [
        V.Waypoint(10, "WP-001", Point(50, 50), "HS-001"),  # fine
        V.Waypoint(11, "WP-002", Point(300, 50), None),  # outside every zone
        V.Waypoint(12, "WP-003", Point(550, 50), "HS-001"),  # says HS-001, lies in HS-002
        V.Waypoint(13, "WP-003", Point(20, 20), "HS-001"),  # duplicate id
        V.Waypoint(14, None, Point(21, 21), "HS-001"),  # no id
    ]
    ps = V.check_waypoints(wps, zs)
    assert codes(ps) == [V.DUPLICATE_ID, V.MISSING_ID, V.OUTSIDE_ZONES, V.WRONG_ZONE]
    by = {p.code: p for p in ps}
    assert by[V.OUTSIDE_ZONES].keys == (11,) and "WP-002 lies outside every zone" in by[V.OUTSIDE_ZONES].message
    assert by[V.OUTSIDE_ZONES].bounds == (275, 25, 325, 75)
    assert "has HS-001 but lies in HS-002" in by[V.WRONG_ZONE].message
    assert by[V.DUPLICATE_ID].keys == (12, 13)


def test_waypoints_without_zones_are_outside():
    (p,) = V.check_waypoints([V.Waypoint(1, "WP-001", Point(0, 0))], [])
    assert p.code == V.OUTSIDE_ZONES


def test_report_counts():
    r = V.Report([V.Problem("a", V.ERROR, (1,), "m", "h"), V.Problem("b", V.WARNING, (1,), "m", "h")])
    assert (r.errors, r.warnings) == (1, 1)
