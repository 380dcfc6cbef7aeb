"""A throw-away PostGIS server for tests (a pytest plugin: ``pytest_plugins = ["tests.pg_server"]``).

The session fixture ``postgis_server`` initdb's a cluster in a fresh temporary directory, starts it
listening on a private unix socket and on 127.0.0.1 at a port picked here, creates a database with
the postgis extension, and stops and deletes the cluster when the session ends. Nothing else on the
machine is touched: no system cluster, no service, no config outside the temporary directory.

PostgreSQL refuses to run as root, so under root the cluster belongs to the ``postgres`` OS user
(created by Debian's postgresql-common) and its commands run through ``runuser``.

When the server binaries or PostGIS are missing, every test that uses the fixture is skipped with a
reason that starts with "POSTGIS SERVER UNAVAILABLE" and names the Debian package to install; set
``HP_REQUIRE_POSTGIS=1`` (CI does) to turn that skip into a failure.

Connection details: ``.host`` is the socket directory (libpq and QGIS accept a directory as host),
``.tcp_host``/``.port`` the loopback address; ``.user`` is a trust-authenticated superuser.
``.password_user``/``.password`` is a role that must log in with a password over TCP (for tests
of QGIS's authentication configurations).
"""

from __future__ import annotations

import csv
import glob
import io
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

DEBIAN_PACKAGE = "postgresql-postgis"  # Debian 12: postgresql-15-postgis-3; Debian 13: -17-


def _version_key(path: str) -> tuple:
    return tuple(int(p) for p in re.findall(r"\d+", path.split("/postgresql/")[1].split("/")[0]) or [0])


def find_binaries() -> tuple[Path | None, str]:
    """The newest PostgreSQL bin directory that has initdb and pg_ctl, and a reason when none."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key, reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(on_path)
    for initdb in candidates:
        bindir = Path(initdb).parent
        if (bindir / "pg_ctl").exists() and (bindir / "postgres").exists():
            return bindir, ""
    return None, (
        f"no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin "
        f"or on PATH: install the Debian package {DEBIAN_PACKAGE} (apt-get install -y "
        f"{DEBIAN_PACKAGE}), which brings the server and PostGIS"
    )


def _server_version(bindir: Path) -> str:
    out = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True, text=True).stdout
    m = re.search(r"(\d+)", out.split(")")[-1] if ")" in out else out)
    return m.group(1) if m else "?"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_type(series) -> str:
    import pandas as pd

    dt = series.dtype
    if isinstance(dt, pd.DatetimeTZDtype):
        return "timestamptz"
    kind = getattr(dt, "kind", "O")
    if kind == "M":
        return "timestamp"
    if kind == "b" or str(dt) == "boolean":
        return "boolean"
    if kind in "iu" or str(dt).startswith(("Int", "UInt")):
        return "bigint"
    if kind == "f":
        return "double precision"
    return "text"


class PostgisServer:
    """A running throw-away cluster; see the module docstring."""

    dbname = "hp_test"
    user = "hp"
    password_user = "hp_secret"
    password = "hp-test-only-password"  # a throw-away role on a throw-away loopback cluster

    def __init__(self, root: Path, bindir: Path, run_as: str | None):
        self.root = root
        self.bindir = bindir
        self.run_as = run_as
        self.data = root / "data"
        self.socket_dir = root / "sock"
        self.log = root / "server.log"
        self.port = _free_port()
        self.host = str(self.socket_dir)
        self.tcp_host = "127.0.0.1"
        self.version = _server_version(bindir)

    # --- process control -------------------------------------------------------------------
    def _run(self, *args, check=True, timeout=120):
        cmd = [str(self.bindir / args[0]), *map(str, args[1:])]
        if self.run_as:
            cmd = ["runuser", "-u", self.run_as, "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}"
            )
        return done

    def start(self) -> None:
        self.socket_dir.mkdir()
        if self.run_as:
            entry = pwd.getpwnam(self.run_as)
            for p in (self.root, self.socket_dir):
                os.chown(p, entry.pw_uid, entry.pw_gid)
        self.root.chmod(0o755)
        self.socket_dir.chmod(0o755)
        self._run("initdb", "-D", self.data, "-U", self.user, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")
        with open(self.data / "pg_hba.conf", "w") as f:  # written by the owner of the directory tree
            f.write(
                "local all all trust\n"
                f"host all {self.password_user} 127.0.0.1/32 scram-sha-256\n"
                "host all all 127.0.0.1/32 trust\n"
            )
        with open(self.data / "postgresql.conf", "a") as f:
            f.write(
                f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.socket_dir}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "shared_buffers = 64MB\nmax_connections = 40\nlogging_collector = off\n"
                "password_encryption = 'scram-sha-256'\n"
            )
        if self.run_as:
            entry = pwd.getpwnam(self.run_as)
            for p in ("pg_hba.conf", "postgresql.conf"):
                os.chown(self.data / p, entry.pw_uid, entry.pw_gid)
            log_fd = os.open(self.log, os.O_CREAT | os.O_WRONLY, 0o644)
            os.close(log_fd)
            os.chown(self.log, entry.pw_uid, entry.pw_gid)
        self._run("pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60", "start")
        deadline = time.time() + 30
        while True:  # pg_ctl -w waits already; the loop covers slow sockets on a busy machine
            try:
                conn = self._connect("postgres")
                break
            except Exception:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{self.dbname}"')
            cur.execute(f"CREATE ROLE {self.password_user} LOGIN PASSWORD %s", (self.password,))
        conn.close()

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    # --- connections -----------------------------------------------------------------------
    @property
    def dsn(self) -> str:
        """A libpq connection string (unix socket, trust)."""
        return f"host={self.host} port={self.port} dbname={self.dbname} user={self.user}"

    @property
    def tcp_dsn(self) -> str:
        return f"host={self.tcp_host} port={self.port} dbname={self.dbname} user={self.user}"

    def _connect(self, dbname):
        import psycopg2

        conn = psycopg2.connect(host=self.host, port=self.port, dbname=dbname, user=self.user, connect_timeout=10)
        conn.autocommit = True
        return conn

    def connect(self):
        """A psycopg2 connection to the test database, autocommit."""
        return self._connect(self.dbname)

    def execute(self, sql: str, params=None) -> list:
        """Run one statement; its rows (empty for statements without a result)."""
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()

    def qgis_uri(
        self,
        table: str,
        geometry: str = "geom",
        key: str = "fid",
        sql: str = "",
        schema: str = "public",
        tcp: bool = False,
        authcfg: str = "",
    ) -> str:
        """A QgsDataSourceUri string for a postgres layer on ``schema.table``."""
        from qgis.core import QgsDataSourceUri

        uri = QgsDataSourceUri()
        host = self.tcp_host if tcp else self.host
        if authcfg:
            uri.setConnection(host, str(self.port), self.dbname, "", "", QgsDataSourceUri.SslMode.SslDisable, authcfg)
        else:
            uri.setConnection(host, str(self.port), self.dbname, self.user, "")
        uri.setDataSource(schema, table, geometry or None, sql, key)
        return uri.uri(False)

    # --- data --------------------------------------------------------------------------------
    def load_points(
        self,
        table: str,
        df,
        srid: int,
        x: str = "x",
        y: str = "y",
        geometry: str = "geom",
        key: str = "fid",
        index: bool = True,
    ) -> int:
        """Create ``table`` (replacing it) from a DataFrame: its ``x``/``y`` columns become a Point
        geometry in ``srid`` (NaN coordinates -> NULL geometry), a ``key`` column (bigint primary
        key) is taken from the frame when present, 1..n otherwise; every other column keeps a
        matching type (timezone-aware datetimes as timestamptz, naive as timestamp, ints bigint,
        floats double, bools boolean, the rest text; NaN/None/NaT -> NULL). Returns the row count.
        """
        import numpy as np
        import pandas as pd

        attrs = [c for c in df.columns if c not in (x, y, key)]
        frame = pd.DataFrame({key: df[key].to_numpy() if key in df.columns else np.arange(1, len(df) + 1)})
        for c in attrs:
            frame[c] = df[c].reset_index(drop=True)  # keeps nullable integers whole (no 1.0)
        xs = np.asarray(df[x], dtype=float)
        ys = np.asarray(df[y], dtype=float)
        ok = np.isfinite(xs) & np.isfinite(ys)
        wkt = np.full(len(df), None, dtype=object)
        wkt[ok] = [f"SRID={srid};POINT({a!r} {b!r})" for a, b in zip(xs[ok].tolist(), ys[ok].tolist())]
        frame[geometry] = wkt
        cols = ", ".join(f'"{c}" {_pg_type(df[c])}' for c in attrs)
        ddl = (
            f'DROP TABLE IF EXISTS "{table}"; CREATE TABLE "{table}" ("{key}" bigint PRIMARY KEY'
            f'{", " + cols if cols else ""}, "{geometry}" geometry(Point, {int(srid)}))'
        )
        buf = io.StringIO()
        frame.to_csv(buf, index=False, header=False, na_rep="\\N", quoting=csv.QUOTE_MINIMAL)
        buf.seek(0)
        names = ", ".join(f'"{c}"' for c in frame.columns)
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                cur.execute(ddl)
                cur.copy_expert(f"COPY \"{table}\" ({names}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buf)
                if index:
                    cur.execute(f'CREATE INDEX ON "{table}" USING gist ("{geometry}")')
                cur.execute(f'ANALYZE "{table}"')
        finally:
            conn.close()
        return len(frame)


def _skip_or_fail(reason: str):
    message = f"POSTGIS SERVER UNAVAILABLE: {reason}"
    if os.environ.get("HP_REQUIRE_POSTGIS") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgis_server(tmp_path_factory):
    """A running throw-away PostGIS server for the whole session (skips loudly when impossible)."""
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        _skip_or_fail("the Python module psycopg2 is missing: install the Debian package python3-psycopg2")
    bindir, reason = find_binaries()
    if bindir is None:
        _skip_or_fail(reason)
    run_as = None
    if os.geteuid() == 0:
        try:
            run_as = pwd.getpwnam("postgres").pw_name
        except KeyError:
            _skip_or_fail(
                "running as root and there is no 'postgres' OS user to own the cluster: "
                f"install the Debian package {DEBIAN_PACKAGE} (postgresql-common creates it)"
            )
        # pytest's own temp tree is private to root (0700); the cluster's owner must reach its dir
        root = Path(tempfile.mkdtemp(prefix="hp-pg-"))
    else:
        root = Path(tempfile.mkdtemp(prefix="hp-pg-", dir=tmp_path_factory.getbasetemp()))
    server = PostgisServer(root, bindir, run_as)
    try:
        server.start()
    except Exception as exc:  # noqa: BLE001 - reported as the skip reason, with the server log
        log = server.log.read_text(errors="replace")[-800:] if server.log.exists() else ""
        server.stop()
        _skip_or_fail(f"PostgreSQL {server.version} in {bindir} did not start: {exc} {log}")
    try:
        server.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    except Exception as exc:  # noqa: BLE001
        server.stop()
        _skip_or_fail(
            f"the postgis extension is not installed for PostgreSQL {server.version} "
            f"({str(exc).strip().splitlines()[0]}): install the Debian package "
            f"postgresql-{server.version}-postgis-3 (or {DEBIAN_PACKAGE})"
        )
    yield server
    server.stop()
