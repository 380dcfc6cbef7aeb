"""Live PostGIS: the throw-away server (tests/pg_server.py), readers, algorithms and the workspace on it."""

from __future__ import annotations

import pytest


def test_server_runs_postgis(postgis_server):
    import pandas as pd

    rows = postgis_server.execute("SELECT postgis_lib_version()")
    assert rows and rows[0][0]
    df = pd.DataFrame(
        {
            "x": [530000.0, float("nan")],
            "y": [180000.0, 1.0],
            "unit": ["A1", None],
            "t": pd.to_datetime(["2026-11-24 14:05:00+00:00", None], utc=True),
        }
    )
    assert postgis_server.load_points("smoke", df, 27700) == 2
    got = postgis_server.execute(
        "SELECT fid, unit, ST_X(geom), ST_Y(geom), t AT TIME ZONE 'UTC' FROM smoke ORDER BY fid"
    )
    assert got[0][1:4] == ("A1", 530000.0, 180000.0)
    assert str(got[0][4]) == "2026-11-24 14:05:00"
    assert got[1][1:4] == (None, None, None)


def test_qgis_opens_the_server_layer(postgis_server, qgis_app):
    import pandas as pd
    from qgis.core import QgsVectorLayer

    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [4.0, 5.0, 6.0], "unit": ["A", "B", "A"]})
    postgis_server.load_points("qgis_open", df, 27700)
    for tcp in (False, True):
        layer = QgsVectorLayer(postgis_server.qgis_uri("qgis_open", sql="\"unit\" = 'A'", tcp=tcp), "t", "postgres")
        assert layer.isValid(), layer.dataProvider().error().message() if layer.dataProvider() else "no provider"
        assert layer.crs().postgisSrid() == 27700
        assert sorted(f["fid"] for f in layer.getFeatures()) == [1, 3]


# ----------------------------------------------------------------------------- the bulk reader
def pings_frame():
    """Unit A walks east along y = 180050 at 0.1 m/s from x = 529950, one ping every 30 s for
    40 minutes, through the zone square 530000..530100: in at 500 s, out at 1500 s (by hand: a
    16.667-minute visit). Unit B stays 1 km away. Plus rows a reader must keep as they are."""
    import pandas as pd

    t0 = pd.Timestamp("2026-07-01T11:00:00Z")
    steps = np.arange(0, 2401, 30)
    rows = [
        {"unit": "A", "t": t0 + pd.Timedelta(seconds=int(s)), "x": 529950.0 + 0.1 * s, "y": 180050.0} for s in steps
    ]
    rows += [
        {"unit": "B", "t": t0 + pd.Timedelta(seconds=int(s)), "x": 531000.0, "y": 181000.0 + s / 100} for s in steps
    ]
    frame = pd.DataFrame(rows)
    frame["speed"] = np.where(np.arange(len(frame)) % 7 == 0, np.nan, 1.25)
    frame["n"] = pd.array(np.where(np.arange(len(frame)) % 5 == 0, None, np.arange(len(frame))), dtype="Int64")
    frame["wall"] = frame["t"].dt.tz_convert("Europe/London").dt.tz_localize(None)
    frame["note"] = np.where(np.arange(len(frame)) % 3 == 0, None, 'a "quoted", text')
    return frame


import numpy as np  # noqa: E402


@pytest.fixture(scope="module")
def pings_table(postgis_server):
    frame = pings_frame()
    postgis_server.load_points("pings", frame, 27700)
    postgis_server.execute("INSERT INTO pings (fid, unit, geom) VALUES (100000, 'C', NULL)")  # no position
    return frame


def pg_layer(server, sql="", table="pings", **kw):
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(server.qgis_uri(table, sql=sql, **kw), table, "postgres")
    assert layer.isValid()
    return layer


@pytest.mark.parametrize("sql", ["", '"unit" = \'A\' AND "speed" IS NOT NULL'])
def test_postgis_bulk_reader_equals_feature_iteration(qgis_app, postgis_server, pings_table, sql):
    from test_bulk_readers import assert_same_as_features

    layer = pg_layer(postgis_server, sql)
    names = ["unit", "t", "speed", "n", "wall", "note"]
    bulk = assert_same_as_features(layer, names, "postgis-copy")
    expected = pings_table if not sql else pings_table[(pings_table.unit == "A") & pings_table.speed.notna()]
    assert len(bulk) == len(expected) + (0 if sql else 1)
    from hotspot_patrol_plugin.core.times import parse_times

    seconds = parse_times(bulk.columns["t"], "Europe/London").seconds
    walls = parse_times(bulk.columns["wall"], "Europe/London").seconds
    assert np.array_equal(seconds, walls, equal_nan=True)  # a London wall-clock time is the same instant
    first = np.argsort(bulk.fid)[0]
    assert seconds[first] == expected["t"].iloc[0].timestamp()
    if not sql:
        assert seconds[first] == 1782903600.0  # 2026-07-01 11:00 UTC


def test_postgis_server_that_refuses_is_one_sentence(qgis_app, postgis_server):
    from qgis.core import QgsDataSourceUri

    from hotspot_patrol_plugin.qgis_io import bulk_read

    uri = QgsDataSourceUri()
    uri.setConnection("127.0.0.1", "1", postgis_server.dbname, postgis_server.user, "")
    with pytest.raises(Exception) as info:
        bulk_read.pg_connection(uri, "pings")
    assert "The PostgreSQL server of the layer 'pings'" in str(info.value) and "\n" not in str(info.value)


AUTH_SCRIPT = r"""
import json, sys
from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsVectorLayer, QgsProcessingFeedback
app = QgsApplication([], False)
app.initQgis()
sys.path.insert(0, sys.argv[1])
from hotspot_patrol_plugin.qgis_io.layers import read_points
auth = QgsApplication.authManager()
auth.setMasterPassword("hp-test-master", True)
cfg = QgsAuthMethodConfig("Basic")
cfg.setName("hp test")
cfg.setConfig("username", sys.argv[2])
cfg.setConfig("password", sys.argv[3])
auth.storeAuthenticationConfig(cfg)
lines = []
class Log(QgsProcessingFeedback):
    def pushInfo(self, text):
        lines.append(text)
layer = QgsVectorLayer(sys.argv[4].replace("AUTHCFG", cfg.id()), "pings", "postgres")
table = read_points(layer.dataProvider(), layer, ["unit"], Log())
print(json.dumps({"valid": layer.isValid(), "method": table.method, "n": len(table), "log": lines,
                  "source": layer.source()}))
"""


def test_postgis_with_an_authentication_configuration(postgis_server, pings_table, tmp_path, root):
    """A layer whose credentials live in QGIS's authentication database (authcfg, here a throw-away
    profile in a process of its own): read in bulk with them; the password is in no log line."""
    import json
    import os
    import subprocess
    import sys

    postgis_server.execute(f"GRANT SELECT ON pings TO {postgis_server.password_user}")
    from qgis.core import QgsDataSourceUri

    uri = QgsDataSourceUri()
    uri.setConnection(
        postgis_server.tcp_host,
        str(postgis_server.port),
        postgis_server.dbname,
        "",
        "",
        QgsDataSourceUri.SslMode.SslDisable,
        "AUTHCFG",
    )
    uri.setDataSource("public", "pings", "geom", "", "fid")
    script = tmp_path / "auth.py"
    script.write_text(AUTH_SCRIPT)
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(tmp_path / "profile"), QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, str(script), str(root), postgis_server.password_user, postgis_server.password, uri.uri(False)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["valid"] and result["method"] == "postgis-copy" and result["n"] == len(pings_table) + 1
    assert postgis_server.password not in out.stdout + out.stderr
    assert postgis_server.password not in result["source"]


# ----------------------------------------------------------------------------- through qgis_process
class Process:
    """``qgis_process run`` with the plugin of this tree (linked into a throw-away profile)."""

    def __init__(self, base, root):
        import os
        import shutil
        import site
        import subprocess
        import sys

        self.binary = next((shutil.which(n) for n in ("qgis_process.bin", "qgis_process") if shutil.which(n)), None)
        if self.binary is None:
            pytest.skip("qgis_process is not installed")
        plugins = base / "plugins" / "hotspot_patrol_plugin"
        plugins.mkdir(parents=True)
        for child in (root / "hotspot_patrol_plugin").iterdir():
            if child.name != "__pycache__":
                (plugins / child.name).symlink_to(child)
        for name in ("resources", "metadata.txt", "LICENSE"):
            (plugins / name).symlink_to(root / name)
        (base / "profile").mkdir()
        venv_site = [p for p in site.getsitepackages() if p.startswith(sys.prefix)]
        self.env = dict(
            os.environ,
            QT_QPA_PLATFORM="offscreen",
            QGIS_PLUGINPATH=str(base / "plugins"),
            QGIS_CUSTOM_CONFIG_PATH=str(base / "profile"),
            PYTHONDONTWRITEBYTECODE="1",
            PYTHONPATH=os.pathsep.join(venv_site),
        )
        subprocess.run(
            [self.binary, "plugins", "enable", "hotspot_patrol_plugin"], env=self.env, capture_output=True, timeout=120
        )

    def run(self, alg, **params):
        import json
        import subprocess

        args = [self.binary, "--json", "run", f"hotspotpatrol:{alg}"] + [f"--{k}={v}" for k, v in params.items()]
        out = subprocess.run(args, env=self.env, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, (out.stdout + out.stderr)[-3000:]
        data = json.loads(out.stdout)
        return data.get("results") or {}, "\n".join(data.get("log", {}).get("info", []))


@pytest.fixture(scope="module")
def qgis_process(tmp_path_factory, root):
    return Process(tmp_path_factory.mktemp("qp"), root)


def zones_gpkg(path):
    from osgeo import ogr, osr

    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(27700)
    lyr = ds.CreateLayer("zones", srs, ogr.wkbPolygon)
    lyr.CreateField(ogr.FieldDefn("zone_id", ogr.OFTString))
    f = ogr.Feature(lyr.GetLayerDefn())
    f.SetField("zone_id", "HS-001")
    f.SetGeometry(
        ogr.CreateGeometryFromWkt(
            "POLYGON ((530000 180000, 530100 180000, 530100 180100, 530000 180100, 530000 180000))"
        )
    )
    lyr.CreateFeature(f)
    ds = None
    return f"{path}|layername=zones"


def test_matchtracks_on_postgis_through_qgis_process(postgis_server, pings_table, qgis_process, tmp_path):
    from osgeo import ogr

    tracks = "postgres://" + postgis_server.qgis_uri("pings", tcp=True)
    results, log = qgis_process.run(
        "matchtracks",
        TRACKS=tracks,
        UNIT_FIELD="unit",
        TIME_FIELD="t",
        ZONES=zones_gpkg(tmp_path / "z.gpkg"),
        VISITS=str(tmp_path / "visits.gpkg"),
        COVERAGE=str(tmp_path / "coverage.gpkg"),
    )
    assert "postgis-copy" in log, log
    ds = ogr.Open(str(tmp_path / "visits.gpkg"))
    visits = [(f.GetField("unit_id"), f.GetField("dwell_min")) for f in ds.GetLayer(0)]
    # by hand: A crosses x = 530000 at 500 s and x = 530100 at 1500 s: 1000 s = 16.6667 min
    assert visits == [("A", pytest.approx(1000 / 60, abs=1e-3))]


def test_importtracks_from_postgis_through_qgis_process(postgis_server, pings_table, qgis_process, tmp_path):
    from osgeo import ogr

    layer = "postgres://" + postgis_server.qgis_uri("pings", sql="\"unit\" = 'A'")
    results, log = qgis_process.run(
        "importtracks", LAYER=layer, UNIT_FIELD="unit", TIME_FIELD="t", OUTPUT=str(tmp_path / "tracks.gpkg")
    )
    assert "postgis-copy" in log, log
    ds = ogr.Open(str(tmp_path / "tracks.gpkg"))
    rows = [(f.GetField("unit_id"), f.GetGeometryRef().GetX()) for f in ds.GetLayer(0)]
    assert len(rows) == int((pings_table.unit == "A").sum()) == 81
    assert rows[0] == ("A", 529950.0) and rows[-1] == ("A", pytest.approx(529950.0 + 240.0))


# ----------------------------------------------------------------------------- the workspace
def square(x0, y0, size):
    from qgis.core import QgsGeometry

    return QgsGeometry.fromWkt(
        f"Polygon(({x0} {y0}, {x0 + size} {y0}, {x0 + size} {y0 + size}, {x0} {y0 + size}, {x0} {y0}))"
    )


class _GeometryInUri:
    """A provider connection whose tableUri() names the geometry column: QGIS 3.22's postgres
    connection leaves it out, and a layer opened from that URI has no geometry (no CRS, no shapes)."""

    def __init__(self, conn):
        self._conn = conn

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def tableUri(self, schema, table):
        from qgis.core import QgsDataSourceUri

        uri = QgsDataSourceUri(self._conn.tableUri(schema, table))
        if not uri.geometryColumn():
            column = self._conn.table(schema, table).geometryColumn()
            if column:
                uri.setGeometryColumn(column)
        return uri.uri(False)


def _table_uri_has_geometry() -> bool:
    from qgis.core import Qgis

    return Qgis.QGIS_VERSION_INT >= 33400  # assumed fixed in later QGIS; measured missing on 3.22


@pytest.mark.parametrize("connection", ["as is", "geometry column in the URI"])
def test_workspace_on_postgis_create_edit_undo_save_reopen(qgis_new_project, postgis_server, monkeypatch, connection):
    from qgis.core import QgsCoordinateReferenceSystem, QgsGeometry, QgsPointXY

    from hotspot_patrol_plugin.core import fields as F
    from hotspot_patrol_plugin.qgis_io import workspace as W

    if connection != "as is":
        plain = W._connection
        monkeypatch.setattr(
            W, "_connection", lambda p, u: _GeometryInUri(plain(p, u)) if p == "postgres" else plain(p, u)
        )
    postgis_server.execute("DROP SCHEMA IF EXISTS patrol CASCADE; CREATE SCHEMA patrol")
    conn = (
        f"dbname='{postgis_server.dbname}' host={postgis_server.host} port={postgis_server.port} "
        f"user='{postgis_server.user}'"
    )
    ws = W.add_to_project(
        W.create("postgres", conn, "patrol", QgsCoordinateReferenceSystem("EPSG:27700")), qgis_new_project
    )
    assert ws.zones.isValid() and ws.waypoints.isValid() and ws.zones.crs().authid() == "EPSG:27700"
    assert postgis_server.execute("SELECT count(*) FROM patrol.zones") == [(0,)]
    with pytest.raises(W.WorkspaceError, match="already has"):
        W.create("postgres", conn, "patrol")

    z = ws.zones
    W.add_feature(z, square(530000, 180000, 60), {F.NAME: "Market"}, "Add zone")
    W.add_feature(z, square(530200, 180000, 60), {F.NAME: "Station"}, "Add zone")
    assert z.featureCount() == 2
    assert postgis_server.execute("SELECT count(*) FROM patrol.zones") == [(0,)]  # in the edit buffer only
    z.undoStack().undo()
    assert sorted(f[F.NAME] for f in z.getFeatures()) == ["Market"]
    assert z.commitChanges(False), z.commitErrors()
    rows = postgis_server.execute(f"SELECT {F.ZONE_ID}, {F.NAME}, ST_AsText(geom) FROM patrol.zones")
    assert [(r[0], r[1]) for r in rows] == [("HS-001", "Market")]
    assert rows[0][2].startswith("MULTIPOLYGON(((530000 180000")

    wp = ws.waypoints
    W.add_feature(wp, QgsGeometry.fromPointXY(QgsPointXY(530030, 180030)), {F.NAME: "Cash point"}, "Add waypoint")
    assert wp.commitChanges(False), wp.commitErrors()

    again = W.open_database("postgres", conn, "patrol")
    assert [f[F.NAME] for f in again.zones.getFeatures()] == ["Market"]
    assert [(f[F.NAME], f[F.ZONE_ID]) for f in again.waypoints.getFeatures()] == [("Cash point", "HS-001")]
    # an edit after reopening, saved, is what a third opening sees
    zone = next(again.zones.getFeatures())
    again.zones.startEditing()
    again.zones.changeAttributeValue(zone.id(), again.zones.fields().indexOf(F.NAME), "Market square")
    assert again.zones.commitChanges(), again.zones.commitErrors()
    assert [f[F.NAME] for f in W.open_database("postgres", conn, "patrol").zones.getFeatures()] == ["Market square"]
