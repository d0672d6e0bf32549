"""A register's role may hold 8 connections at HQ (CONNECTION LIMIT 8, kassa_tui.hq.admin): the
till's sync child pushing a backlog (push.DEPTH connections at once), a `kassa sync` refused by
the register's sender lock meanwhile, then the catalog pull and the large-revision fetch
(one connection each, after the push) stay within it, and leave none open at HQ.

Counted twice: in the process (every connection the round opens, and how many are open at
once) and at HQ (pg_stat_activity for the register's role, read all through the round).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from psycopg.conninfo import conninfo_to_dict

from kassa_tui.cli import main
from kassa_tui.composition import Till
from kassa_tui.config import load
from kassa_tui.sync import link, push
from kassa_tui.sync.large import Waiting
from kassa_tui.sync.sender import SenderLock
from kassa_tui.sync.status import sync_round
from tests.test_crash import wait_for

from .pushing import Hq, head, journal_rows, make_hq
from .selling_app import REGISTER, append_hq_section

pytestmark = pytest.mark.usefixtures("fast_pins")


class Counted:
    """link's connections, counted: how many were opened and the most open at once."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.opened: list[Any] = []
        self.peak = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        conn = self.real(*args, **kwargs)
        self.opened.append(conn)
        self.peak = max(self.peak, self.open())
        return conn

    def open(self) -> int:
        return sum(not conn.closed for conn in self.opened)


class AtHq:
    """The register's role's connections at HQ (pg_stat_activity), read until stopped."""

    def __init__(self, hq: Hq, role: str) -> None:
        self.hq, self.role, self.peak = hq, role, 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def now(self) -> int:
        return int(
            self.hq.one("SELECT count(*) FROM pg_stat_activity WHERE usename = %s", self.role)
        )

    def _watch(self) -> None:
        with self.hq.connect() as conn:
            while not self.stopping.is_set():
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE usename = %s", (self.role,)
                ).fetchone()
                self.peak = max(self.peak, int(row[0]) if row else 0)

    def __enter__(self) -> AtHq:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join()


def test_a_register_stays_within_its_connection_limit_at_hq(
    hq_dsn: str, sync_till: Till, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hq = make_hq(hq_dsn)
    till = sync_till
    toml = till.config.database.parent / "kassa.toml"
    settings = replace(hq.add(REGISTER, "OSLO1", tmp_path), batch_size=50)
    append_hq_section(toml, settings, interval_seconds=3600)
    config = replace(load(toml), hq=settings)
    role = str(conninfo_to_dict(settings.dsn)["user"])
    limit = hq.one("SELECT rolconnlimit FROM pg_roles WHERE rolname = %s", role)
    assert limit == 8
    journal_rows(till, 3000)  # a backlog: 60 batches, DEPTH of them in flight
    counted = Counted(link._connect)
    monkeypatch.setattr(link, "_connect", counted)

    child_lock = SenderLock(config.database)  # the till's child holds it while it runs
    assert child_lock.acquire()
    waiting = Waiting(config, till.clock, threading.Event())
    try:
        with AtHq(hq, role) as at_hq:
            round_done: list[bool] = []
            pushing = threading.Thread(
                target=lambda: round_done.append(sync_round(config, till.clock))
            )
            pushing.start()
            wait_for(lambda: counted.open() == push.DEPTH or bool(round_done))
            refused = CliRunner().invoke(main, ["--config", str(toml), "sync", "--once"])
            pushing.join()
            waiting.prepare(lambda: link.connect(settings))  # the child's large-revision fetch
        assert refused.exit_code == 1 and "another sender" in refused.output, refused.output
        assert round_done == [True]
        assert hq.one("SELECT last_seq FROM register") == head(till)
    finally:
        waiting.close()
        child_lock.release()
    # push: DEPTH at once; the refused `kassa sync` none; pull and fetch one each, after it
    assert len(counted.opened) == push.DEPTH + 2
    assert counted.peak == push.DEPTH <= limit
    assert 0 < at_hq.peak <= push.DEPTH
    assert counted.open() == 0
    wait_for(lambda: at_hq.now() == 0, timeout=5)  # none left behind at HQ
