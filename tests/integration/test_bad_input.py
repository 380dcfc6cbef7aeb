"""Bad and awkward input, run as a user would (issue 13, "Nothing destroyed, nothing misplaced").

The numbered cases (defects 1-13 of the issue) run each algorithm through ``qgis_process`` in a
process of its own, with the sha256 of every input file taken before and after: no traceback,
the one sentence, a non-zero exit when nothing usable is produced, and every row read either kept
or skipped with a reason (read = kept + skipped). Expected values are worked out by hand from the
fixtures (tests/data/bad and the GeoPackages built below); coordinates are checked where they land.

The sweep at the end tries every parameter of every algorithm with an empty, a wrong-typed and an
absurd value, in this process (``processing.run``): never an exception other than Processing's
own one sentence, never a changed input.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsPointXY,
    QgsProcessingException,
    QgsProject,
    QgsVectorLayer,
)

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "data" / "bad"
SAMPLE = ROOT / "resources" / "sample" / "hotspot_patrol_sample.gpkg"
T0 = dt.datetime(2026, 11, 24, 14, 5, 0, tzinfo=dt.timezone.utc)  # November: London = UTC
OX, OY = 430000.0, 433000.0  # Leeds, British National Grid


# ----------------------------------------------------------------------------- qgis_process
def _qgis_process_binary() -> str | None:
    for name in ("qgis_process.bin", "qgis_process"):
        path = shutil.which(name)
        if (
            path
            and subprocess.run(
                [path, "--version"], capture_output=True, timeout=60, env=dict(os.environ, QT_QPA_PLATFORM="offscreen")
            ).returncode
            == 0
        ):
            return path
    return None


class Process:
    """``qgis_process run`` with the plugin as it is in this tree (a staged copy made of links, in
    a throw-away profile), one process per run."""

    def __init__(self, binary: str, base: Path):
        plugins = base / "plugins" / "hotspot_patrol_plugin"
        plugins.mkdir(parents=True)
        package = ROOT / "hotspot_patrol_plugin"
        for child in package.iterdir():
            if child.name != "__pycache__":
                (plugins / child.name).symlink_to(child)
        for name, target in (
            ("resources", ROOT / "resources"),
            ("metadata.txt", ROOT / "metadata.txt"),
            ("LICENSE", ROOT / "LICENSE"),
        ):
            (plugins / name).symlink_to(target)
        import site
        import sys

        venv_site = [p for p in site.getsitepackages() if p.startswith(sys.prefix)]
        self.binary = binary
        self.env = dict(
            os.environ,
            QT_QPA_PLATFORM="offscreen",
            QGIS_PLUGINPATH=str(base / "plugins"),
            QGIS_CUSTOM_CONFIG_PATH=str(base / "profile"),
            PYTHONDONTWRITEBYTECODE="1",
        )
        if venv_site:
            self.env["PYTHONPATH"] = os.pathsep.join(venv_site + [os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        (base / "profile").mkdir()
        subprocess.run(
            [binary, "plugins", "enable", "hotspot_patrol_plugin"], env=self.env, capture_output=True, timeout=120
        )

    def run(self, alg: str, **params) -> Run:
        args = [self.binary, "--json", "run", f"hotspotpatrol:{alg}"]
        for key, value in params.items():
            for v in value if isinstance(value, list) else [value]:
                args.append(f"--{key}={v}")
        out = subprocess.run(args, env=self.env, capture_output=True, text=True, timeout=300)
        try:
            data = json.loads(out.stdout)
        except ValueError:
            data = {}
        return Run(
            out.returncode,
            out.stdout + "\n" + out.stderr,
            data.get("results") or {},
            json.dumps(data.get("log", {}), ensure_ascii=False),
        )


class InProcess:
    """The same runs through ``processing.run`` in this process (the sentence is the exception's
    text, the log what the algorithm told its feedback): for the cases that need no process of
    their own, so that the module stays quick."""

    def run(self, alg: str, **params) -> Run:
        from qgis import processing
        from qgis.core import QgsProcessingContext, QgsProcessingFeedback

        lines = []

        class Feedback(QgsProcessingFeedback):
            def pushInfo(self, text):
                lines.append(text)

            def pushWarning(self, text):
                lines.append(text)

            def reportError(self, text, fatal=False):
                lines.append(text)

        context = QgsProcessingContext()
        context.setProject(QgsProject.instance())
        plain = {
            k: ([str(x) for x in v] if isinstance(v, list) else v if isinstance(v, QgsVectorLayer) else str(v))
            for k, v in params.items()
        }
        try:
            results = processing.run(f"hotspotpatrol:{alg}", plain, context=context, feedback=Feedback())
        except QgsProcessingException as e:
            return Run(1, str(e), {}, "\n".join(lines))
        except Exception as e:  # noqa: BLE001 - shown to a user as a traceback
            return Run(2, f"Traceback: {type(e).__name__}: {e}", {}, "\n".join(lines))
        return Run(0, "", results, "\n".join(lines))


class Run:
    def __init__(self, rc, text, results, log):
        self.rc, self.text, self.results, self.log = rc, text, results, log

    @property
    def all_text(self) -> str:
        return self.text + "\n" + self.log

    def ok(self):
        assert self.rc == 0, self.text[-3000:]
        self.no_traceback()
        return self

    def failed_with(self, sentence: str):
        """A non-zero exit whose message holds ``sentence`` (a regular expression)."""
        assert self.rc != 0, self.text[-3000:]
        self.no_traceback()
        assert re.search(sentence, self.all_text), self.text[-3000:]
        return self

    def no_traceback(self):
        assert "Traceback" not in self.text, self.text[-3000:]


@pytest.fixture(scope="module")
def qp(tmp_path_factory) -> Process:
    binary = _qgis_process_binary()
    if binary is None:
        pytest.skip("qgis_process is not installed")
    return Process(binary, tmp_path_factory.mktemp("qgis_process"))


@pytest.fixture()
def ip(provider, qgis_processing) -> InProcess:
    return InProcess()


def sha256(path: Path) -> str:
    """sha256 of a file's bytes; of a GeoPackage, of every row of every table (its SQL dump).

    QGIS opens a GeoPackage in WAL mode and puts it back when it closes it, which rewrites the
    SQLite header's journal-mode bytes and change counter (seen: bytes 19-20, 28, 96) of a file
    whose tables are untouched; the dump sees any change to a layer, its metadata or its index."""
    path = Path(path)
    if path.suffix.lower() == ".gpkg":
        import sqlite3

        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            digest = hashlib.sha256()
            for line in con.iterdump():
                digest.update(line.encode("utf-8", "surrogatepass"))
            return digest.hexdigest()
        finally:
            con.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Unchanged:
    """The sha256 of files before a run, compared after it."""

    def __init__(self, *paths):
        self.before = {Path(p): sha256(p) for p in paths}

    def check(self):
        changed = [str(p) for p, h in self.before.items() if sha256(p) != h]
        assert not changed, f"inputs changed: {changed}"


# ----------------------------------------------------------------------------- GeoPackages
def gpkg(path: Path, layer: str, geometry: str, epsg: int | None, fields, rows) -> Path:
    """A GeoPackage layer written with OGR (``epsg`` 0: srs_id 0, "undefined geographic");
    ``rows`` are (attributes..., WKT or None)."""
    from osgeo import ogr, osr

    types = {"str": ogr.OFTString, "int": ogr.OFTInteger, "int64": ogr.OFTInteger64, "real": ogr.OFTReal}
    drv = ogr.GetDriverByName("GPKG")
    ds = drv.Open(str(path), 1) if path.exists() else drv.CreateDataSource(str(path))
    srs = None
    if epsg:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    gtype = {"point": ogr.wkbPoint, "polygon": ogr.wkbPolygon}[geometry]
    lyr = ds.CreateLayer(layer, srs, gtype)
    for name, kind in fields:
        lyr.CreateField(ogr.FieldDefn(name, types[kind]))
    for row in rows:
        *attrs, wkt = row
        f = ogr.Feature(lyr.GetLayerDefn())
        for (name, _), value in zip(fields, attrs):
            if value is not None:
                f.SetField(name, value)
        if wkt is not None:
            f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(f)
    ds = None
    if epsg == 0:
        with sqlite3.connect(path) as con:
            con.execute("UPDATE gpkg_geometry_columns SET srs_id = 0 WHERE table_name = ?", (layer,))
            con.execute("UPDATE gpkg_contents SET srs_id = 0 WHERE table_name = ?", (layer,))
    return path


def square(x0, y0, size=100.0) -> str:
    return f"POLYGON(({x0} {y0},{x0 + size} {y0},{x0 + size} {y0 + size},{x0} {y0 + size},{x0} {y0}))"


def iso(seconds: float) -> str:
    return (T0 + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


ZONE = [("Z1", square(OX, OY))]
#: one unit standing in zone Z1 for 14 minutes, a ping a minute: one visit, entry T0, exit T0 + 14 min
STAY = [(60.0 * i, f"POINT({OX + 50} {OY + 50})") for i in range(15)]


def zones_gpkg(path, rows=ZONE, epsg=27700):
    return gpkg(path, "zones", "polygon", epsg, [("zone_id", "str")], rows)


def read_layer(uri: str) -> list[dict]:
    layer = QgsVectorLayer(uri, "l", "ogr")
    assert layer.isValid(), uri
    names = layer.fields().names()
    out = []
    for f in layer.getFeatures():
        row = {n: f[n] for n in names}
        row["geometry"] = f.geometry().asWkt(3) if f.hasGeometry() else None
        out.append(row)
    return out


def log_count(pattern: str, text: str) -> int:
    m = re.search(pattern, text)
    assert m, (pattern, text[-2000:])
    return int(m.group(1).replace(",", ""))


def bng(lon: float, lat: float) -> QgsPointXY:
    """Where QGIS itself puts a WGS 84 position in British National Grid: the reference."""
    t = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem("EPSG:4326"), QgsCoordinateReferenceSystem("EPSG:27700"), QgsProject.instance()
    )
    return t.transform(QgsPointXY(lon, lat))


def import_counts_add_up(r: Run) -> None:
    """read = kept + dropped by reason, in the results and in the log's sentence."""
    res = r.results
    assert res["ROWS_READ"] == res["ROWS_KEPT"] + sum(res["ROWS_DROPPED"].values()), res
    assert log_count(r"Read ([\d,]+) rows", r.log) == res["ROWS_READ"]


# ============================================================================ 1: output over input
def test_1_output_naming_an_input_is_refused_and_the_input_is_intact(qp, ip, tmp_path):
    ws = tmp_path / "ws.gpkg"
    shutil.copyfile(SAMPLE, ws)
    guard = Unchanged(ws)
    tracks, zones = f"{ws}|layername=pings", f"{ws}|layername=zones"
    base = dict(TRACKS=tracks, UNIT_FIELD="callsign", TIME_FIELD="time", ZONES=zones)
    qp.run("matchtracks", **base, VISITS=ws, COVERAGE="TEMPORARY_OUTPUT").failed_with(
        r"The output VISITS \(.*ws\.gpkg\) would overwrite the whole file, which the input TRACKS"
    )
    ip.run(
        "matchtracks", **base, VISITS="TEMPORARY_OUTPUT", COVERAGE=f"ogr:dbname='{ws}' table=\"zones\" (geom)"
    ).failed_with(r"The output COVERAGE .* would overwrite its layer 'zones', which the input ZONES")
    ip.run("matchtracks", **base, VISITS=tmp_path / "out.gpkg", COVERAGE=tmp_path / "out.gpkg").failed_with(
        r"The outputs VISITS and COVERAGE both name .*out\.gpkg: the second would overwrite the first"
    )
    guard.check()
    # a new layer in the same GeoPackage is allowed, and leaves the others as they were
    before = {name: read_layer(f"{ws}|layername={name}") for name in ("pings", "zones", "waypoints")}
    r = ip.run(
        "matchtracks", **base, VISITS=f"{ws}|layername=visits", COVERAGE=f"ogr:dbname='{ws}' table=\"coverage\" (geom)"
    ).ok()
    assert r.results["VISIT_COUNT"] > 0
    assert {name: read_layer(f"{ws}|layername={name}") for name in before} == before
    assert len(read_layer(f"{ws}|layername=visits")) == r.results["VISIT_COUNT"]


def test_1_import_and_hotspots_refuse_to_overwrite_their_input(qp, ip, tmp_path):
    csv = tmp_path / "x.csv"
    shutil.copyfile(BAD / "decimal_commas.csv", csv)
    crimes = gpkg(
        tmp_path / "crimes.gpkg",
        "crimes",
        "point",
        27700,
        [("type", "str")],
        [("Theft", f"POINT({OX + 10 * i} {OY + 7 * i})") for i in range(30)],
    )
    guard = Unchanged(csv, crimes)
    qp.run("importtracks", INPUT=csv, OUTPUT=csv).failed_with(
        r"The output OUTPUT \(.*x\.csv\) would overwrite the whole file, which the input INPUT"
    )
    ip.run("importtracks", INPUT=csv, OUTPUT=tmp_path / "ok.gpkg", REPORT=csv).failed_with(
        r"The output REPORT .* would overwrite the whole file"
    )
    qp.run(
        "identifyhotspots", INPUT=crimes, GRID=crimes, HOTSPOTS="TEMPORARY_OUTPUT", CONCENTRATION="TEMPORARY_OUTPUT"
    ).failed_with(r"The output GRID \(.*crimes\.gpkg\) would overwrite the whole file, which the input INPUT")
    guard.check()


def test_1_the_bulk_writer_keeps_other_layers_unless_asked_to_replace_the_file(tmp_path):
    from hotspot_patrol_plugin.formats import gpkg_writer as W

    path = zones_gpkg(tmp_path / "two.gpkg")
    W.write_points(str(path), "pts", "EPSG:27700", [OX], [OY], [("i", "int", [1])])
    W.write_points(str(path), "pts", "EPSG:27700", [OX], [OY], [("i", "int", [2])])  # that layer again
    assert [r["i"] for r in read_layer(f"{path}|layername=pts")] == [2]
    assert len(read_layer(f"{path}|layername=zones")) == 1  # still there
    assert W.destination(str(path), "visits") == (str(path), "visits", True)
    assert W.destination(f"{path}|layername=v", "visits") == (str(path), "v", False)
    W.write_points(str(path), "pts", "EPSG:27700", [OX], [OY], [("i", "int", [3])], replace=True)
    with sqlite3.connect(path) as con:  # replaced as asked: only the new layer
        assert [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")] == ["pts"]


# ============================================================================ 2: lon/lat is lon/lat
def test_2_lonlat_with_blanks_and_decimal_commas_lands_in_leeds(qp, ip, tmp_path):
    leeds = bng(-1.55, 53.8)  # about (429737, 433838)
    assert abs(leeds.x() - 429737) < 5 and abs(leeds.y() - 433838) < 5
    for runner, name, kept in ((ip, "decimal_commas.csv", 2), (qp, "../import/collar_bad_lat.csv", 2)):
        out = tmp_path / f"{Path(name).stem}.gpkg"
        guard = Unchanged(BAD / name)
        r = runner.run("importtracks", INPUT=BAD / name, OUTPUT=out).ok()
        guard.check()
        import_counts_add_up(r)
        assert r.results["ROWS_KEPT"] == kept and "EPSG:4326" in r.log and "EPSG:27700)" not in r.log
        first = read_layer(str(out))[0]["geometry"]
        x, y = (float(v) for v in re.findall(r"[-\d.]+", first))
        assert abs(x - leeds.x()) < 1 and abs(y - leeds.y()) < 1, first


def test_2_nmea_positions_are_wgs84(ip, tmp_path):
    out = tmp_path / "nmea.gpkg"
    r = ip.run("importtracks", INPUT=ROOT / "tests" / "data" / "import" / "ne32.nmea", OUTPUT=out).ok()
    import_counts_add_up(r)
    # $GPRMC 5348.000,N 00133.000,W: 53 + 48/60 = 53.8 N, 1 + 33/60 = 1.55 W
    leeds = bng(-1.55, 53.8)
    x, y = (float(v) for v in re.findall(r"[-\d.]+", read_layer(str(out))[0]["geometry"]))
    assert abs(x - leeds.x()) < 1 and abs(y - leeds.y()) < 1


# ============================================================================ 3, 6: numbers as times
def test_3_a_twenty_digit_time_is_one_unparseable_row(qp, ip, tmp_path):
    r = qp.run("importtracks", INPUT=BAD / "twenty_digits.csv", OUTPUT=tmp_path / "t.gpkg").ok()
    import_counts_add_up(r)
    assert r.results["ROWS_KEPT"] == 2 and r.results["ROWS_DROPPED"] == {"unparseable time": 1}
    pings = gpkg(
        tmp_path / "p.gpkg",
        "pings",
        "point",
        27700,
        [("unit", "str"), ("t", "str")],
        [("A", iso(s), wkt) for s, wkt in STAY] + [("A", "99999999999999999999999", f"POINT({OX} {OY})")],
    )
    zones = zones_gpkg(tmp_path / "z.gpkg")
    guard = Unchanged(pings, zones)
    r = ip.run(
        "matchtracks",
        TRACKS=pings,
        UNIT_FIELD="unit",
        TIME_FIELD="t",
        ZONES=zones,
        VISITS="TEMPORARY_OUTPUT",
        COVERAGE="TEMPORARY_OUTPUT",
    ).ok()
    guard.check()
    assert r.results["SKIPPED_ROWS"] == 1 and "unparseable time: 1" in r.results["SKIPPED_REASONS"]
    assert log_count(r"Read ([\d,]+) pings", r.log) == 16 == log_count(r"([\d,]+) usable", r.log) + 1
    crimes = gpkg(
        tmp_path / "c.gpkg",
        "crimes",
        "point",
        27700,
        [("d", "str")],
        [
            ("99999999999999999999999" if i == 0 else "2026-11-24", f"POINT({OX + 13 * i} {OY + 11 * (i % 7)})")
            for i in range(40)
        ],
    )
    r = ip.run(
        "identifyhotspots",
        INPUT=crimes,
        DATE_FIELD="d",
        PERIOD_START="2026-11-01T00:00:00",
        GRID="TEMPORARY_OUTPUT",
        HOTSPOTS="TEMPORARY_OUTPUT",
        CONCENTRATION="TEMPORARY_OUTPUT",
    ).ok()
    assert r.results["SKIPPED_ROWS"] == 1 and r.results["CRIMES_USED"] == 39


@pytest.mark.parametrize("name, unit", [("epoch_us.csv", "microseconds"), ("epoch_ns.csv", "nanoseconds")])
def test_6_epoch_micro_and_nanoseconds_are_read_by_their_size(ip, tmp_path, name, unit):
    out = tmp_path / "e.gpkg"
    r = ip.run("importtracks", INPUT=BAD / name, OUTPUT=out).ok()
    import_counts_add_up(r)
    assert f"epoch numbers read as {unit}" in r.log
    times = [row["time"].toMSecsSinceEpoch() for row in read_layer(str(out))]
    t0 = int(T0.timestamp() * 1000)
    assert times == [t0, t0 + 30_000, t0 + 60_000]


def test_6_microsecond_times_in_a_layer_give_visits_with_times(ip, tmp_path):
    pings = gpkg(
        tmp_path / "p.gpkg",
        "pings",
        "point",
        27700,
        [("unit", "str"), ("t", "int64")],
        [("A", int((T0.timestamp() + s) * 1_000_000), wkt) for s, wkt in STAY],
    )
    zones = zones_gpkg(tmp_path / "z.gpkg")
    visits = tmp_path / "v.gpkg"
    r = ip.run(
        "matchtracks",
        TRACKS=pings,
        UNIT_FIELD="unit",
        TIME_FIELD="t",
        ZONES=zones,
        VISITS=visits,
        COVERAGE="TEMPORARY_OUTPUT",
    ).ok()
    assert r.results["VISIT_COUNT"] == 1
    (v,) = read_layer(str(visits))
    assert v["entry_time"].toMSecsSinceEpoch() == int(T0.timestamp() * 1000)
    assert v["exit_time"].toMSecsSinceEpoch() == int(T0.timestamp() * 1000) + 14 * 60_000


# ============================================================================ 4: output folders
def test_4_missing_or_unwritable_output_folder_is_one_sentence(qp, ip, tmp_path):
    src = BAD / "epoch_us.csv"
    qp.run("importtracks", INPUT=src, OUTPUT=tmp_path / "no" / "such" / "t.gpkg").failed_with(
        r"The folder .*no/such for the output OUTPUT does not exist"
    )
    ip.run("importtracks", INPUT=src, OUTPUT=tmp_path / "t.gpkg", REPORT=tmp_path / "nope" / "r.html").failed_with(
        r"The folder .*nope for the output REPORT does not exist"
    )
    # /proc takes no new files, even from root
    ip.run("importtracks", INPUT=src, OUTPUT="/proc/hp_tracks.gpkg").failed_with(r"cannot be written|read-only")
    assert not (tmp_path / "t.gpkg").exists()


# ============================================================================ 5: Windows-1252 late
def test_5_a_windows_1252_character_after_64_kib(qp, tmp_path):
    out = tmp_path / "c.gpkg"
    r = qp.run("importtracks", INPUT=BAD / "cp1252_late.csv", OUTPUT=out).ok()
    import_counts_add_up(r)
    assert r.results["ROWS_READ"] == 3000 and r.results["ROWS_KEPT"] == 3000
    units = {row["unit_id"] for row in read_layer(str(out))}
    assert units == {f"PC{i}" for i in range(5)} | {f"PC\u00e9{i}" for i in range(5)}


# ============================================================================ 7, 8, 12: zones
def test_7_zones_without_geometry_are_named(ip, tmp_path):
    pings = gpkg(
        tmp_path / "p.gpkg",
        "pings",
        "point",
        27700,
        [("unit", "str"), ("t", "str")],
        [("A", iso(s), wkt) for s, wkt in STAY],
    )
    zones = zones_gpkg(tmp_path / "z.gpkg", ZONE + [("Z2", None), ("Z3", "POLYGON EMPTY")])
    r = ip.run(
        "matchtracks",
        TRACKS=pings,
        UNIT_FIELD="unit",
        TIME_FIELD="t",
        ZONES=zones,
        VISITS="TEMPORARY_OUTPUT",
        COVERAGE="TEMPORARY_OUTPUT",
    ).ok()
    assert r.results["ZONES_WITHOUT_GEOMETRY"] == "Z2, Z3"
    assert "2 zone(s) without a geometry left out: Z2, Z3" in r.all_text


def test_8_zones_with_an_undefined_crs_are_refused(qp, tmp_path):
    pings = gpkg(
        tmp_path / "p.gpkg",
        "pings",
        "point",
        27700,
        [("unit", "str"), ("t", "str")],
        [("A", iso(s), wkt) for s, wkt in STAY],
    )
    zones = zones_gpkg(tmp_path / "z.gpkg", epsg=0)
    guard = Unchanged(pings, zones)
    qp.run(
        "matchtracks",
        TRACKS=pings,
        UNIT_FIELD="unit",
        TIME_FIELD="t",
        ZONES=zones,
        VISITS="TEMPORARY_OUTPUT",
        COVERAGE="TEMPORARY_OUTPUT",
    ).failed_with("The zones layer has no coordinate reference system")
    guard.check()


def test_12_duplicate_zone_ids_are_refused_and_null_ids_named(ip, tmp_path):
    pings = gpkg(
        tmp_path / "p.gpkg",
        "pings",
        "point",
        27700,
        [("unit", "str"), ("t", "str")],
        [("A", iso(s), wkt) for s, wkt in STAY],
    )
    dup = zones_gpkg(tmp_path / "dup.gpkg", ZONE + [("Z1", square(OX + 500, OY))])
    base = dict(TRACKS=pings, UNIT_FIELD="unit", TIME_FIELD="t", VISITS="TEMPORARY_OUTPUT", COVERAGE="TEMPORARY_OUTPUT")
    ip.run("matchtracks", **base, ZONES=dup).failed_with(
        r"The zone id 'Z1' \(zone_id\) is on features 1 and 2: zone ids must be unique"
    )
    null = zones_gpkg(tmp_path / "null.gpkg", ZONE + [(None, square(OX + 500, OY))])
    r = ip.run("matchtracks", **base, ZONES=null).ok()
    assert "1 zone(s) with no zone_id: named by their feature id 2" in r.all_text


# ============================================================================ 9, 13: unit ids
def test_9_an_integer_unit_with_a_null_keeps_its_id(qp, tmp_path):
    pings = gpkg(
        tmp_path / "p.gpkg",
        "pings",
        "point",
        27700,
        [("unit", "int"), ("t", "str")],
        [(21, iso(s), wkt) for s, wkt in STAY] + [(None, iso(900), f"POINT({OX} {OY})")],
    )
    zones = zones_gpkg(tmp_path / "z.gpkg")
    visits = tmp_path / "v.gpkg"
    r = qp.run(
        "matchtracks",
        TRACKS=pings,
        UNIT_FIELD="unit",
        TIME_FIELD="t",
        ZONES=zones,
        VISITS=visits,
        COVERAGE="TEMPORARY_OUTPUT",
    ).ok()
    assert r.results["SKIPPED_REASONS"] == "no unit id: 1"
    assert [v["unit_id"] for v in read_layer(str(visits))] == ["21"]


def test_13_a_nul_byte_does_not_cut_a_unit_id_short(ip, tmp_path):
    out = tmp_path / "n.gpkg"
    r = ip.run("importtracks", INPUT=BAD / "nul_unit.csv", OUTPUT=out).ok()
    import_counts_add_up(r)
    assert {row["unit_id"] for row in read_layer(str(out))} == {"PC\ufffd5"}


# ============================================================================ 10: row accounting
def test_10_a_line_break_inside_quotes_is_one_record(ip, tmp_path):
    r = ip.run("importtracks", INPUT=BAD / "embedded_newline.csv", OUTPUT=tmp_path / "e.gpkg").ok()
    import_counts_add_up(r)
    # 4 records in 6 lines: 3 good (one with a quoted line break, one with a quoted comma) and one
    # cut short before its longitude; no phantom "malformed line" for the line break
    assert r.results["ROWS_READ"] == 4 and r.results["ROWS_KEPT"] == 3
    assert r.results["ROWS_DROPPED"] == {"missing or invalid coordinates": 1}


def test_10_rows_a_delimited_text_layer_cannot_place_are_counted(run_alg, tmp_path):
    uri = f"file://{BAD / 'blank_xy_41.csv'}?type=csv&xField=x&yField=y&crs=EPSG:27700&detectTypes=no"
    layer = QgsVectorLayer(uri, "pings", "delimitedtext")
    assert layer.isValid() and layer.featureCount() == 39  # QGIS leaves out rows 7 and 30
    res = run_alg("hotspotpatrol:importtracks", {"LAYER": layer, "OUTPUT": str(tmp_path / "b.gpkg")})
    assert res["ROWS_READ"] == 41 and res["ROWS_KEPT"] == 39
    assert res["ROWS_DROPPED"] == {"no usable coordinates (left out by QGIS's delimited-text reader)": 2}
    zones = QgsVectorLayer(f"{zones_gpkg(tmp_path / 'z.gpkg', [('Z1', square(OX - 10, OY - 50, 200))])}", "z", "ogr")
    res = run_alg(
        "hotspotpatrol:matchtracks",
        {
            "TRACKS": layer,
            "UNIT_FIELD": "unit",
            "TIME_FIELD": "time",
            "ZONES": zones,
            "VISITS": "memory:",
            "COVERAGE": "memory:",
        },
    )
    assert res["SKIPPED_ROWS"] == 2 and "delimited-text reader): 2" in res["SKIPPED_REASONS"]
    res = run_alg(
        "hotspotpatrol:identifyhotspots",
        {"INPUT": layer, "CELL_SIZE": 10, "GRID": "memory:", "HOTSPOTS": "memory:", "CONCENTRATION": "memory:"},
    )
    assert res["CRIMES_USED"] == 39 and res["SKIPPED_ROWS"] == 2 and res["EXCLUDED_ROWS"] == 0


# ============================================================================ 11: nothing imported
def test_11_nothing_imported_fails_but_one_good_file_is_enough(qp, ip, tmp_path):
    good = BAD / "epoch_us.csv"
    qp.run("importtracks", INPUT=good, UNIT_FIELD="no_such", OUTPUT=tmp_path / "a.gpkg").failed_with(
        r"Nothing was imported: .*the unit column 'no_such' does not exist"
    )
    ip.run("importtracks", INPUT=tmp_path / "missing.csv", OUTPUT=tmp_path / "b.gpkg").failed_with(
        r"Nothing was imported: .*missing\.csv: no such file or folder"
    )
    r = ip.run("importtracks", INPUT=[good, tmp_path / "missing.csv"], OUTPUT=tmp_path / "c.gpkg").ok()
    assert r.results["ROWS_KEPT"] == 3 and "missing.csv: no such file or folder" in r.log
    assert not (tmp_path / "a.gpkg").exists() and not (tmp_path / "b.gpkg").exists()


# ============================================================================ 12: clearer messages
def test_12_empty_pings_swapped_lonlat_and_epoch_numbers_as_times(ip, tmp_path):
    zones = zones_gpkg(tmp_path / "z.gpkg")
    base = dict(UNIT_FIELD="unit", TIME_FIELD="t", ZONES=zones, VISITS="TEMPORARY_OUTPUT", COVERAGE="TEMPORARY_OUTPUT")
    empty = gpkg(tmp_path / "e.gpkg", "pings", "point", 27700, [("unit", "str"), ("t", "str")], [])
    ip.run("matchtracks", TRACKS=empty, **base).failed_with("The officer pings layer has no features")
    # lat/lon given as x/y in a layer that says EPSG:4326: nowhere near the zone
    ll = bng(-1.55, 53.8)
    zones_ll = zones_gpkg(tmp_path / "zll.gpkg", [("Z1", square(ll.x() - 50, ll.y() - 50))])
    swapped = gpkg(
        tmp_path / "s.gpkg",
        "pings",
        "point",
        4326,
        [("unit", "str"), ("t", "str")],
        [("A", iso(s), "POINT(53.8 -1.55)") for s, _ in STAY],
    )
    r = ip.run("matchtracks", TRACKS=swapped, **{**base, "ZONES": zones_ll}).ok()
    assert "None of the 15 pings lies within 10 km of any zone" in r.all_text
    # a numeric field that is not a time: small numbers read as seconds of 1970
    numbers = gpkg(
        tmp_path / "n.gpkg",
        "pings",
        "point",
        27700,
        [("unit", "str"), ("t", "int")],
        [("A", 21 + i, wkt) for i, (_, wkt) in enumerate(STAY)],
    )
    r = ip.run("matchtracks", TRACKS=numbers, **base).ok()
    assert "15 of 15 times in 't' fall before 1990" in r.all_text


def test_12_unknown_source_crs_is_refused(ip, tmp_path):
    ip.run(
        "importtracks", INPUT=BAD / "epoch_us.csv", SOURCE_CRS="EPSG:999999", OUTPUT=tmp_path / "u.gpkg"
    ).failed_with(r"The source CRS 'EPSG:999999' \(SOURCE_CRS\) is not")


def test_12_hotspot_messages(qp, ip, tmp_path):
    one = gpkg(
        tmp_path / "one.gpkg",
        "crimes",
        "point",
        27700,
        [("type", "str")],
        [("Theft", f"POINT({OX + 450} {OY + 450})")] * 6,
    )
    out = dict(GRID="TEMPORARY_OUTPUT", HOTSPOTS="TEMPORARY_OUTPUT", CONCENTRATION="TEMPORARY_OUTPUT")
    qp.run("identifyhotspots", INPUT=one, **out).failed_with(r"All 6 crimes are at one location")
    spread = [
        (t, f"POINT({OX + 37 * i} {OY + 23 * (i % 9)})")
        for i, t in enumerate(["Violence \u2013 serious", "Theft (\u00a3)"] * 20)
    ]
    crimes = gpkg(tmp_path / "c.gpkg", "crimes", "point", 27700, [("type", "str")], spread)
    guard = Unchanged(crimes, BAD / "harm_cp1252.csv")
    r = ip.run("identifyhotspots", INPUT=crimes, TYPE_FIELD="type", HARM_TABLE=BAD / "harm_cp1252.csv", **out).ok()
    guard.check()
    assert r.results["CRIMES_USED"] == 40 and r.results["SKIPPED_ROWS"] == 0
    huge = gpkg(
        tmp_path / "h.gpkg",
        "crimes",
        "point",
        27700,
        [("w", "real")],
        [(1e308, f"POINT({OX + 37 * i} {OY + 23 * (i % 9)})") for i in range(40)],
    )
    ip.run("identifyhotspots", INPUT=huge, WEIGHT_FIELD="w", **out).failed_with(
        r"The harm weights are too large to analyse"
    )


# ============================================================================ every parameter
def _sweep_inputs(tmp_path):
    """Small valid inputs for every algorithm, and their parameters for a run that works."""
    pings = gpkg(
        tmp_path / "p.gpkg",
        "pings",
        "point",
        27700,
        [("unit", "str"), ("t", "str"), ("n", "real")],
        [("A", iso(s), 1.5, wkt) for s, wkt in STAY],
    )
    zones = zones_gpkg(tmp_path / "z.gpkg")
    crimes = gpkg(
        tmp_path / "c.gpkg",
        "crimes",
        "point",
        27700,
        [("type", "str"), ("d", "str"), ("w", "real")],
        [("Theft", "2026-11-24", 1.0, f"POINT({OX + 37 * i} {OY + 23 * (i % 9)})") for i in range(40)],
    )
    matched = tmp_path / "matched.gpkg"
    InProcess().run(
        "matchtracks",
        TRACKS=pings,
        UNIT_FIELD="unit",
        TIME_FIELD="t",
        ZONES=zones,
        VISITS=f"{matched}|layername=visits",
        COVERAGE=f"ogr:dbname='{matched}' table=\"coverage\" (geom)",
    ).ok()
    files = [pings, zones, crimes, matched, BAD / "epoch_us.csv"]
    valid = {
        "importtracks": {"INPUT": [str(BAD / "epoch_us.csv")], "OUTPUT": str(tmp_path / "out_tracks.gpkg")},
        "matchtracks": {
            "TRACKS": str(pings),
            "UNIT_FIELD": "unit",
            "TIME_FIELD": "t",
            "ZONES": str(zones),
            "VISITS": "memory:",
            "COVERAGE": "memory:",
        },
        "identifyhotspots": {
            "INPUT": str(crimes),
            "GRID": "memory:",
            "HOTSPOTS": "memory:",
            "CONCENTRATION": "memory:",
        },
        "exportbriefing": {
            "COVERAGE": f"{matched}|layername=coverage",
            "VISITS": f"{matched}|layername=visits",
            "OUTPUT": str(tmp_path / "pack.pdf"),
        },
    }
    return files, valid


def _bad_values(definition, tmp_path) -> dict:
    """An empty, a wrong-typed and an absurd value for one parameter, by its type."""
    kind = definition.type()
    wrong = {
        "source": 42,
        "vector": 42,
        "multilayer": 42,
        "field": 42,
        "number": "abc",
        "enum": "seven",
        "crs": "not a crs",
        "datetime": "the day after",
        "string": 3.5,
        "file": 42,
        "sink": 42,
        "vectorDestination": 42,
        "fileDestination": 42,
        "boolean": "perhaps",
        "folderDestination": 42,
    }
    absurd = {
        "source": str(tmp_path / "nowhere.gpkg"),
        "vector": str(tmp_path / "nowhere.gpkg"),
        "multilayer": [str(tmp_path / "nowhere.csv"), "/dev/null"],
        "field": "no_such_field",
        "number": 1e308,
        "enum": 99,
        "crs": "EPSG:999999",
        "datetime": "9999-99-99T99:99:99",
        "string": "\x00" + "é" * 5000,
        "file": "/dev/null",
        "sink": str(tmp_path / "no" / "such.gpkg"),
        "vectorDestination": str(tmp_path / "no" / "such.gpkg"),
        "fileDestination": str(tmp_path / "no" / "such.html"),
        "boolean": 1e308,
        "folderDestination": "/proc/none",
    }
    out = {"empty": ""}
    if kind in wrong:
        out["wrong-typed"] = wrong[kind]
    if kind in absurd:
        out["absurd"] = absurd[kind]
    if kind == "number":
        out["negative"] = -1e308
        out["not a number"] = float("nan")
    return out


@pytest.mark.parametrize("alg", ["importtracks", "matchtracks", "identifyhotspots", "exportbriefing"])
def test_every_parameter_empty_wrong_typed_and_absurd(provider, qgis_processing, tmp_path, monkeypatch, alg):
    """Every parameter, one at a time, with each bad value, on otherwise valid input: the run
    either works or stops with Processing's or the algorithm's own sentence, and never changes
    an input. (In this process: a few hundred runs through qgis_process would take minutes.)"""
    from qgis import processing
    from qgis.core import QgsApplication, QgsProcessingContext, QgsProcessingFeedback

    monkeypatch.chdir(tmp_path)  # a relative path among the bad values lands here, not in the tree
    files, valid = _sweep_inputs(tmp_path)
    guard = Unchanged(*files)
    algorithm = QgsApplication.processingRegistry().algorithmById(f"hotspotpatrol:{alg}")
    tried, refused = 0, 0
    for definition in algorithm.parameterDefinitions():
        for label, value in _bad_values(definition, tmp_path).items():
            if alg == "exportbriefing" and label not in ("wrong-typed", "absurd"):
                continue  # a pack renders in ~0.5 s: the two kinds most likely to break, to keep this quick
            params = dict(valid[alg])
            params[definition.name()] = value
            context = QgsProcessingContext()
            context.setProject(QgsProject.instance())
            try:
                processing.run(f"hotspotpatrol:{alg}", params, context=context, feedback=QgsProcessingFeedback())
            except QgsProcessingException as e:
                message = str(e).strip()
                assert message and "Traceback" not in message, (definition.name(), label, message)
                refused += 1
            except Exception as e:  # noqa: BLE001 - anything else is a traceback for the user
                pytest.fail(f"{alg} {definition.name()} = {label} ({value!r:.40}): {type(e).__name__}: {e}")
            tried += 1
    guard.check()
    assert tried >= (2 if alg == "exportbriefing" else 3) * len(algorithm.parameterDefinitions()) - 5
    assert refused > 0


def test_1_the_briefing_pdf_never_replaces_its_coverage(ip, tmp_path):
    ws = tmp_path / "ws.gpkg"
    shutil.copyfile(SAMPLE, ws)
    ip.run(
        "matchtracks",
        TRACKS=f"{ws}|layername=pings",
        UNIT_FIELD="callsign",
        TIME_FIELD="time",
        ZONES=f"{ws}|layername=zones",
        VISITS=f"{ws}|layername=visits",
        COVERAGE=f"ogr:dbname='{ws}' table=\"coverage\" (geom)",
    ).ok()
    guard = Unchanged(ws)
    ip.run("exportbriefing", COVERAGE=f"{ws}|layername=coverage", OUTPUT=ws).failed_with(
        r"The output OUTPUT \(.*ws\.gpkg\) would overwrite the whole file, which the input COVERAGE"
    )
    guard.check()


def test_12_a_count_column_taken_for_the_time_is_called_implausible(ip, tmp_path):
    csv = tmp_path / "counts.csv"
    csv.write_text("unit,pings,lat,lon\n" + "".join(f"PC1,{21 + i},53.8,-1.55\n" for i in range(3)))
    r = ip.run("importtracks", INPUT=csv, TIME_FIELD="pings", OUTPUT=tmp_path / "c.gpkg").ok()
    assert "3 of 3 times fall before 1990 (e.g. 1970-01-01 00:00:21 UTC)" in r.all_text


def test_12_a_header_only_csv_layer_says_it_has_no_rows(ip, tmp_path):
    csv = tmp_path / "header.csv"
    csv.write_text("unit,time,x,y\n")
    layer = QgsVectorLayer(f"file://{csv}?type=csv&xField=x&yField=y&crs=EPSG:27700", "pings", "delimitedtext")
    zones = zones_gpkg(tmp_path / "z.gpkg")
    ip.run(
        "matchtracks",
        TRACKS=layer,
        UNIT_FIELD="unit",
        TIME_FIELD="time",
        ZONES=zones,
        VISITS="TEMPORARY_OUTPUT",
        COVERAGE="TEMPORARY_OUTPUT",
    ).failed_with("The officer pings layer has no features")
    ip.run(
        "identifyhotspots",
        INPUT=layer,
        GRID="TEMPORARY_OUTPUT",
        HOTSPOTS="TEMPORARY_OUTPUT",
        CONCENTRATION="TEMPORARY_OUTPUT",
    ).failed_with("The crime layer has no features")
    ip.run("importtracks", LAYER=layer, OUTPUT=tmp_path / "t.gpkg").failed_with(r"Nothing was imported: pings: no rows")
