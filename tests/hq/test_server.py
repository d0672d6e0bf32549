"""The throwaway server itself: a real PostgreSQL on loopback, one fresh database per test."""

from __future__ import annotations

import psycopg

from tests.hq.conftest import PgServer


def test_a_fresh_database_per_test_on_loopback(pg_server: PgServer, hq_dsn: str) -> None:
    with psycopg.connect(hq_dsn) as conn:
        row = conn.execute(
            "SELECT current_database(), inet_server_addr()::text,"
            " current_setting('server_version_num')::int"
        ).fetchone()
    assert row is not None
    db, addr, version = row
    assert db.startswith("hq_")
    assert addr.startswith("127.0.0.1")
    assert version >= 130000
    with psycopg.connect(hq_dsn) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()
    assert tables == (0,)


def test_a_wrong_password_is_refused(pg_server: PgServer) -> None:
    try:
        psycopg.connect(pg_server.dsn(password="wrong"), connect_timeout=5).close()
    except psycopg.OperationalError as err:
        assert "password authentication failed" in str(err)
    else:
        raise AssertionError("the throwaway server let a wrong password in")
