"""A real, throwaway PostgreSQL for the head office's tests.

`pg_server` (one per session) runs initdb into a temp dir as a non-root user (initdb refuses root:
as root the cluster belongs to the `postgres` system user, run through `runuser`), starts the
server on 127.0.0.1 at a free port with `pg_ctl -w start` and stops it with `-m fast` at the end
of the session, also when a test failed. `hq_dsn` gives each test a fresh database, dropped after.

Where the PostgreSQL binaries are missing the tests are skipped, unless KASSA_REQUIRE_POSTGRES=1
(CI: .ci/run installs Debian's postgresql), where a missing server fails them loudly.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from kassa_tui.composition import Till

    from .pushing import Hq

psycopg = pytest.importorskip("psycopg")

SUPERUSER = "postgres"


def _bindir() -> Path | None:
    """Where initdb and pg_ctl are: PATH first, then Debian's /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    roots = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return roots[-1].parent if roots else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class PgServer:
    """A running throwaway cluster: connect as its superuser over loopback with a password."""

    host: str
    port: int
    password: str
    datadir: Path
    bindir: Path
    certificate: Path | None = None  # ssl=on, hostssl only: the server's certificate (PEM)

    def dsn(
        self, dbname: str = "postgres", user: str = SUPERUSER, password: str | None = None
    ) -> str:
        pw = self.password if password is None else password
        return f"host={self.host} port={self.port} dbname={dbname} user={user} password={pw}"

    def pg_ctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run pg_ctl on this cluster (as its owner), e.g. pg_ctl("stop", "-m", "immediate")."""
        cmd = [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), *args]
        return _run_as_owner(cmd, check=False)

    def start(self) -> None:
        log = self.datadir.parent / "server.log"
        opts = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.datadir.parent} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        if self.certificate is not None:
            opts += " -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key"
        res = self.pg_ctl("-w", "-t", "60", "-l", str(log), "-o", opts, "start")
        if res.returncode != 0:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {res.stdout}{res.stderr}\n{tail}")

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("-w", "-m", mode, "stop")


def _as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _run_as_owner(cmd: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
    if _as_root():
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, check=check, capture_output=True, text=True)


def _missing(reason: str) -> None:
    if os.environ.get("KASSA_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"KASSA_REQUIRE_POSTGRES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _tls_files(datadir: Path) -> Path:
    """A self-signed certificate (127.0.0.1, localhost) and key in the data dir, the owner's,
    mode 0600, and pg_hba's host lines made hostssl; the certificate's copy for the tills."""
    from tests.hq.tls import self_signed

    cert, key = self_signed()
    for name, data in (("server.crt", cert), ("server.key", key)):
        path = datadir / name
        path.write_bytes(data)
        if _as_root():
            shutil.chown(path, "postgres", "postgres")
        path.chmod(0o600)
    hba = datadir / "pg_hba.conf"
    lines = hba.read_text().splitlines()
    hba.write_text(
        "\n".join("hostssl" + line[4:] if line.startswith("host ") else line for line in lines)
        + "\n"
    )
    copy = datadir.parent / "hq.crt"
    copy.write_bytes(cert)
    copy.chmod(0o644)
    return copy


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    yield from _cluster(tls=False)


@pytest.fixture(scope="session")
def pg_tls_server() -> Iterator[PgServer]:
    """A second throwaway cluster with ssl=on that takes TCP connections over TLS only."""
    yield from _cluster(tls=True)


def _cluster(tls: bool) -> Iterator[PgServer]:
    bindir = _bindir()
    if bindir is None or not (bindir / "pg_ctl").exists():
        _missing("the PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        raise AssertionError  # unreachable: _missing skips or fails
    if _as_root() and shutil.which("runuser") is None:
        _missing("running as root and runuser is missing (initdb refuses root)")
    base = Path(tempfile.mkdtemp(prefix="kassa-pg-"))
    datadir = base / "data"
    password = secrets.token_urlsafe(16)
    pwfile = base / "pw"
    pwfile.write_text(password + "\n")
    if _as_root():
        shutil.chown(base, "postgres", "postgres")
        shutil.chown(pwfile, "postgres", "postgres")
    pwfile.chmod(0o600)
    server = PgServer("127.0.0.1", _free_port(), password, datadir, bindir)
    try:
        res = _run_as_owner(
            [
                str(bindir / "initdb"),
                "-D", str(datadir),
                "-U", SUPERUSER,
                f"--pwfile={pwfile}",
                "--auth-host=scram-sha-256",
                "--auth-local=trust",
                "-E", "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            check=False,
        )  # fmt: skip
        if res.returncode != 0:
            raise RuntimeError(f"initdb failed: {res.stdout}{res.stderr}")
        if tls:
            server = dataclasses.replace(server, certificate=_tls_files(datadir))
        server.start()
        yield server
    finally:
        with contextlib.suppress(Exception):
            server.stop("fast")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def hq_tls_dsn(pg_tls_server: PgServer) -> Iterator[str]:
    """A fresh database on the TLS-only server (its superuser's DSN, sslmode=require)."""
    for dsn in _database(pg_tls_server):
        yield dsn + " sslmode=require"


@pytest.fixture
def hq_dsn(pg_server: PgServer) -> Iterator[str]:
    yield from _database(pg_server)


def _database(pg_server: PgServer) -> Iterator[str]:
    """A fresh, empty database on the throwaway server (its superuser's DSN); dropped after.

    Roles the test created whose names start with the database's name (the head office prefixes
    its roles with it) are dropped too.
    """
    name = f"hq_{secrets.token_hex(4)}"
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg_server.dsn(name)
    finally:
        with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            roles = conn.execute(
                "SELECT rolname FROM pg_roles WHERE starts_with(rolname, %s)", (name + "_",)
            ).fetchall()
            for (role,) in roles:
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')


@pytest.fixture
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    """PINs hashed at a small scrypt cost: demo users, signing in and `kassa init` are quick."""
    from kassa_tui.people import users

    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


@pytest.fixture
def sync_till(tmp_path: Path, fast_pins: None) -> Iterator[Till]:
    """A demo till for register KASSE-1 in tmp_path/till on a stepping clock, in English (the
    tests of a till pushing while it sells: tests/hq/selling_app.py); closed after."""
    from kassa_tui.core import i18n
    from tests.shop import SteppingClock

    from .pushing import make_till
    from .selling_app import REGISTER

    opened = make_till(tmp_path / "till", SteppingClock(), REGISTER)
    i18n.set_language("en")
    yield opened
    opened.db.close()


@pytest.fixture
def hq(hq_dsn: str) -> Hq:
    """HQ at its migrations in a database of this test's own (tests/hq/pushing.Hq)."""
    from .pushing import make_hq

    return make_hq(hq_dsn)


@pytest.fixture
def till(tmp_path: Path) -> Iterator[Till]:
    """A till for register KASSE-1 in tmp_path/till on a steered clock; closed after (a test
    file's own `till` fixture, where it has one, comes first)."""
    from kassa_tui.core.clock import Clock
    from tests.unit.conftest import SteeredTime

    from .pushing import make_till

    opened = make_till(tmp_path / "till", Clock(source=SteeredTime()), "KASSE-1")
    yield opened
    opened.db.close()
