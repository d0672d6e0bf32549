"""A register's HQ connections never pile up after a cut (issue 15, operations).

A till cut off mid-push (no FIN/RST reaches HQ) left backends that held its role's CONNECTION
LIMIT 8 until the OS keepalive gave up (~2 h). Every register's role carries server-side
settings so HQ ends such a connection itself: `kassa hq register add` sets them on a new role,
HQ migration 0023 on a role made before it. Checked as a technician would: the role's settings
in pg_db_role_setting and what `SHOW` says in a session of that role; then HQ really ends an
idle session of a register's role after the role's idle_session_timeout, and the till's next
push opens a new connection and gets through.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from kassa_tui.composition import Till
from kassa_tui.config import load
from kassa_tui.hq import admin, migrations
from kassa_tui.sync import link
from kassa_tui.sync.status import sync_round
from tests.test_crash import wait_for

from .pushing import Hq, head, journal_rows, make_hq, role_dsn
from .selling_app import REGISTER, append_hq_section

pytestmark = pytest.mark.usefixtures("fast_pins")

#: As stored in pg_db_role_setting, and as SHOW says it in a session of the role.
STORED = SHOWN = {
    "idle_session_timeout": "10min",
    "tcp_keepalives_idle": "60",
    "tcp_keepalives_interval": "10",
    "tcp_keepalives_count": "6",
}


def role_of(settings: Any) -> str:
    return str(conninfo_to_dict(settings.dsn)["user"])


def stored(hq: Hq, role: str) -> dict[str, str]:
    """The role's own settings (ALTER ROLE … SET), any database."""
    rows = hq.all(
        "SELECT unnest(s.setconfig) FROM pg_db_role_setting s"
        " JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = %s",
        role,
    )
    return dict(str(row[0]).split("=", 1) for row in rows)


def shown(settings: Any) -> dict[str, str]:
    """What a session of the register's role says (over TCP, as the till connects)."""
    with psycopg.connect(role_dsn(settings), autocommit=True) as conn:
        out = {}
        for name in SHOWN:
            row = conn.execute(f"SHOW {name}").fetchone()
            assert row is not None
            out[name] = str(row[0])
        return out


def test_a_new_registers_role_carries_the_timeouts(hq_dsn: str, tmp_path: Path) -> None:
    hq = make_hq(hq_dsn)
    settings = hq.add("KASSE-9", "OSLO1", tmp_path)
    assert stored(hq, role_of(settings)) == STORED
    assert shown(settings) == SHOWN
    # the owner's own session is not a register's: the role's settings are the role's only
    with hq.connect() as conn:
        assert conn.execute("SHOW idle_session_timeout").fetchone() == ("0",)


def test_migration_0023_gives_a_role_made_before_it_the_same(
    hq_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    every = migrations.available()
    assert 23 in [m.version for m in every]
    before = [m for m in every if m.version < 23]
    monkeypatch.setattr(migrations, "available", lambda: before)
    monkeypatch.setattr(admin, "ROLE_SETTINGS", ())  # kassa before this change
    hq = make_hq(hq_dsn)
    old = hq.add("KASSE-1", "OSLO1", tmp_path / "old")
    retired = hq.add("KASSE-2", "OSLO1", tmp_path / "retired")
    with hq.connect() as conn:
        conn.execute("UPDATE register SET retired_seq = 0 WHERE register_id = 'KASSE-2'")
    assert stored(hq, role_of(old)) == {}
    assert shown(old)["idle_session_timeout"] == "0"
    monkeypatch.undo()

    with psycopg.connect(hq_dsn, autocommit=True) as conn:
        done = migrations.upgrade(conn)
    assert done == [f"{m.version:04d}_{m.name}" for m in every if m.version >= 23]
    assert stored(hq, role_of(old)) == STORED == stored(hq, role_of(retired))
    assert shown(old) == SHOWN
    new = hq.add("KASSE-3", "OSLO1", tmp_path / "new")  # 0023 and add_register agree
    assert stored(hq, role_of(new)) == stored(hq, role_of(old))
    with psycopg.connect(hq_dsn, autocommit=True) as conn:
        assert migrations.upgrade(conn) == []  # once


def test_hq_ends_an_idle_register_session_and_the_next_push_reconnects(
    hq_dsn: str, sync_till: Till, tmp_path: Path
) -> None:
    hq = make_hq(hq_dsn)
    till = sync_till
    toml = till.config.database.parent / "kassa.toml"
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    append_hq_section(toml, settings, interval_seconds=3600)
    config = replace(load(toml), hq=settings)
    role = role_of(settings)
    journal_rows(till, 20)
    assert sync_round(config, till.clock)
    assert hq.one("SELECT last_seq FROM register") == head(till)

    # the mechanism is the role's: its timeout made 1 s (10 min is the setting), then a till's
    # connection left idle (as one a cut leaves behind at HQ, without the cut) is ended by HQ
    with hq.connect() as conn:
        conn.execute(f"ALTER ROLE \"{role}\" SET idle_session_timeout = '1s'")
    idle = link.connect(settings)
    pid = idle.info.backend_pid
    assert idle.execute("SHOW idle_session_timeout").fetchone() == ("1s",)

    def gone() -> bool:
        return not hq.all("SELECT 1 FROM pg_stat_activity WHERE pid = %s", pid)

    wait_for(gone, timeout=15)
    with pytest.raises(psycopg.OperationalError):
        idle.execute("SELECT 1")
    idle.close()
    assert hq.one("SELECT count(*) FROM pg_stat_activity WHERE usename = %s", role) == 0

    # the till's next push opens its connections afresh and gets through
    journal_rows(till, 30)
    assert sync_round(config, till.clock)
    assert hq.one("SELECT last_seq FROM register") == head(till)
    wait_for(lambda: hq.one("SELECT count(*) FROM pg_stat_activity WHERE usename = %s", role) == 0)
