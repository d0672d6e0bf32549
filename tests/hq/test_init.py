"""`kassa hq init` and `kassa hq register add`: HQ's schema, its roles, and what a till may do."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from kassa_tui.cli import main
from kassa_tui.hq import admin, migrations
from tests.hq.conftest import PgServer


def _as(dsn: str, user: str, password: str) -> str:
    return make_conninfo(dsn, user=user, password=password)


def test_init_applies_every_file_once_and_again_nothing(hq_dsn: str) -> None:
    with psycopg.connect(hq_dsn) as conn:
        first = migrations.upgrade(conn)
        again = migrations.upgrade(conn)
        versions = migrations.applied(conn)
    assert first[0] == "0001_push"
    assert again == []
    assert versions == [m.version for m in migrations.available()]


def test_a_register_role_may_call_ingest_and_nothing_else(hq_dsn: str) -> None:
    with psycopg.connect(hq_dsn) as conn:
        migrations.upgrade(conn)
        creds = admin.add_register(conn, "K1", "OSLO1")
        other = admin.add_register(conn, "K2", "OSLO1")
    till = _as(hq_dsn, creds.role, creds.password)
    with psycopg.connect(till, autocommit=True) as conn:
        answer = conn.execute("SELECT ingest('K1', '[]'::jsonb)").fetchone()
        assert answer is not None and answer[0]["status"] == "ok"
        for statement in (
            "SELECT * FROM entry",
            "SELECT * FROM register",
            "INSERT INTO shop (shop_id) VALUES ('X')",
            "CREATE TABLE mine (x int)",
            "CREATE TEMP TABLE mine (x int)",
            "SELECT hq_fork('K1', 1, 'x')",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="may not push"):
            conn.execute("SELECT ingest('K2', '[]'::jsonb)")
    # and a wrong password does not get in at all
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(_as(hq_dsn, other.role, "wrong"), connect_timeout=5).close()
    assert conninfo_to_dict(till)["user"] == creds.role


def test_the_same_register_twice_is_refused(hq_dsn: str) -> None:
    with psycopg.connect(hq_dsn) as conn:
        migrations.upgrade(conn)
        admin.add_register(conn, "K1", "OSLO1")
        with pytest.raises(admin.HqRefused, match="already at HQ"):
            admin.add_register(conn, "K1", "OSLO2")
        with pytest.raises(admin.HqRefused, match="register ID"):
            admin.add_register(conn, "K 1; DROP", "OSLO2")
        assert [s.register_id for s in admin.status(conn)] == ["K1"]


def test_the_commands_init_register_add_and_status(hq_dsn: str, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"KASSA_HQ_DSN": hq_dsn, "KASSA_CONFIG": str(tmp_path / "none.toml")}
    first = runner.invoke(main, ["hq", "init"], env=env)
    assert first.exit_code == 0, first.output
    assert "Applied: 0001_push" in first.output
    again = runner.invoke(main, ["hq", "init"], env=env)
    assert again.exit_code == 0 and "Applied" not in again.output
    pw = tmp_path / "k1.pw"
    added = runner.invoke(
        main,
        ["hq", "register", "add", "K1", "--shop", "OSLO1", "--sslmode", "disable",
         "--password-file", str(pw)],
        env=env,
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    hq_table = tomllib.loads(
        "\n".join(ln for ln in added.output.splitlines() if not ln.startswith("#"))
    )["hq"]
    assert pw.stat().st_mode & 0o777 == 0o600
    # the printed DSN and the password file are enough for the till to get in
    with psycopg.connect(hq_table["dsn"], password=pw.read_text().strip()) as conn:
        assert conn.execute("SELECT ingest('K1', '[]')").fetchone() == (
            {"status": "ok", "last_seq": 0, "send_from": 1, "fork_seq": None, "accepted": 0,
             "replayed": 0},
        )  # fmt: skip
    twice = runner.invoke(
        main, ["hq", "register", "add", "K1", "--shop", "OSLO1", "--sslmode", "disable"], env=env
    )
    assert twice.exit_code == 1 and "already at HQ" in twice.output
    shown = runner.invoke(main, ["hq", "status", "--json"], env=env)
    assert shown.exit_code == 0, shown.output
    [k1] = json.loads(shown.output)
    assert k1["register"] == "K1" and k1["last_seq"] == 0 and k1["last_contact"] is not None
    plain = runner.invoke(main, ["hq", "status"], env=env)
    assert "OSLO1" in plain.output and "K1" in plain.output


def test_no_dsn_is_a_clear_message(tmp_path: Path) -> None:
    env = {"KASSA_HQ_DSN": "", "KASSA_CONFIG": str(tmp_path / "none.toml")}
    result = CliRunner().invoke(main, ["hq", "status"], env=env)
    assert result.exit_code == 2
    assert "no HQ database given: use --dsn or set KASSA_HQ_DSN" in result.output


def test_the_readmes_setup_an_owner_with_createrole_not_a_superuser(
    pg_server: PgServer, hq_dsn: str, tmp_path: Path
) -> None:
    """As README's Debian steps: a database owned by a CREATEROLE role, no superuser."""
    admin_role = conninfo_to_dict(hq_dsn)["dbname"] + "_admin"
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE \"{admin_role}\" LOGIN CREATEROLE PASSWORD 'pw'")
        conn.execute(
            f'ALTER DATABASE "{conninfo_to_dict(hq_dsn)["dbname"]}" OWNER TO "{admin_role}"'
        )
    owner_dsn = _as(hq_dsn, admin_role, "pw")
    env = {"KASSA_HQ_DSN": owner_dsn, "KASSA_CONFIG": str(tmp_path / "none.toml")}
    runner = CliRunner()
    assert runner.invoke(main, ["hq", "init"], env=env).exit_code == 0
    added = runner.invoke(
        main, ["hq", "register", "add", "K1", "--shop", "S1", "--sslmode", "disable"], env=env
    )
    assert added.exit_code == 0, added.output
    password = added.output.strip().splitlines()[-1]
    with psycopg.connect(owner_dsn) as conn:
        role = admin.register_role(conn, "K1")
    with psycopg.connect(_as(hq_dsn, role, password), autocommit=True) as conn:
        assert conn.execute("SELECT ingest('K1', '[]')").fetchone()[0]["status"] == "ok"
