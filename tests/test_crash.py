"""Kill a real `kassa` process (SIGKILL) mid-basket and mid-payment; nothing may be half-written.

The till runs in a pseudo-terminal exactly as on a Pi's console; keys are written to it as a
keyboard-wedge scanner would type them.
"""

from __future__ import annotations

import fcntl
import os
import pty
import random
import signal
import sqlite3
import struct
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.composition import open_till
from kassa_tui.config import load
from kassa_tui.records.journal import Journal
from kassa_tui.store.register_lock import RegisterLock
from tests.shop import write_config

CODES = ("7020164760728", "7045811781536", "7080913613231")  # 24,90 + 39,90 + 49,90


class RunningTill:
    """A `kassa` process on a pty; its screen output is drained so it never blocks."""

    def __init__(self, config: Path) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: become kassa
            os.environ["TERM"] = "xterm-256color"
            os.execv(sys.executable, [sys.executable, "-m", "kassa_tui", "--config", str(config)])
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.output = bytearray()
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output += chunk[-4096:]

    def type(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for the till")


def query(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db, timeout=10) as conn:
        return conn.execute(sql).fetchall()


def open_basket_lines(db: Path) -> list[str]:
    return [
        r[0]
        for r in query(
            db,
            "SELECT l.code FROM basket_line l JOIN basket b"
            " ON b.id = l.basket_id WHERE b.status = 'open'"
            " ORDER BY l.position",
        )
    ]  # type: ignore[misc]


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    config = write_config(tmp_path, idle_lock_seconds="0")
    result = CliRunner().invoke(main, ["--config", str(config), "init", "--demo"])
    assert result.exit_code == 0, result.output
    yield config, load(config).database


def assert_consistent(db: Path) -> None:
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    # Every completed sale is whole: lines, payments covering it, stock moves, a queued or
    # printed receipt, and its SALE journal row.
    for sale_id, total, rounding in query(db, "SELECT id, total_ore, rounding_ore FROM sale"):
        assert query(db, f"SELECT COUNT(*) FROM sale_line WHERE sale_id = {sale_id}")[0][0] > 0
        paid = query(db, f"SELECT SUM(amount_ore) FROM payment WHERE sale_id = {sale_id}")[0][0]
        assert paid == total + rounding  # type: ignore[operator]
        assert query(db, f"SELECT COUNT(*) FROM stock_movement WHERE sale_id = {sale_id}")[0][0]
        assert query(db, f"SELECT COUNT(*) FROM print_job WHERE sale_id = {sale_id}")[0][0] == 1
        assert (
            query(
                db, f"SELECT COUNT(*) FROM journal WHERE sale_id = {sale_id} AND basic_id = 'SALE'"
            )[0][0]
            == 1
        )


def test_killed_with_a_half_built_basket_comes_back_line_for_line(
    shop: tuple[Path, Path],
) -> None:
    config, db = shop
    till = RunningTill(config)
    try:
        time.sleep(1.0)
        till.type("1\r")
        till.type("1111\r")
        wait_for(
            lambda: query(db, "SELECT COUNT(*) FROM journal WHERE basic_id = 'LOGIN'")[0][0] == 1
        )
        for code in CODES:
            till.type(code + "\r")
        wait_for(lambda: len(open_basket_lines(db)) == 3)
    finally:
        till.kill()

    assert open_basket_lines(db) == list(CODES)
    assert_consistent(db)
    lock = RegisterLock(db, load(config).register_id)
    lock.acquire()  # the kernel released the dead till's lock
    lock.release()

    # Started again, the till shows the same basket.
    restarted = open_till(load(config))
    state = restarted.baskets.current()
    assert [p.line.code for p in state.priced.lines] == list(CODES)
    assert state.priced.total == 2490 + 3990 + 4990
    assert Journal(restarted.db, restarted.config.register_id, restarted.clock).verify() is None


def test_killed_during_payment_leaves_a_whole_sale_or_an_open_basket(
    shop: tuple[Path, Path],
) -> None:
    config, db = shop
    rng = random.Random(20261127)
    outcomes = {"sold": 0, "open": 0}
    for _attempt in range(4):
        sales_before = query(db, "SELECT COUNT(*) FROM sale")[0][0]
        till = RunningTill(config)
        try:
            logins = query(db, "SELECT COUNT(*) FROM journal WHERE basic_id = 'LOGIN'")[0][0]
            time.sleep(1.0)
            till.type("1\r")
            till.type("1111\r")
            wait_for(
                lambda n=logins: (
                    query(db, "SELECT COUNT(*) FROM journal WHERE basic_id = 'LOGIN'")[0][0]
                    == n + 1
                )
            )
            if not open_basket_lines(db):
                till.type(CODES[0] + "\r")
                till.type(CODES[1] + "\r")
                wait_for(lambda: len(open_basket_lines(db)) == 2)
            lines = open_basket_lines(db)
            till.type("\x0b")  # Ctrl+K: cash
            time.sleep(0.3)
            till.type("\r")  # exact amount
            time.sleep(rng.uniform(0.0, 0.05))
        finally:
            till.kill()
        assert_consistent(db)
        sales_after = query(db, "SELECT COUNT(*) FROM sale")[0][0]
        if sales_after == sales_before + 1:
            outcomes["sold"] += 1
            assert open_basket_lines(db) == []
            sold = query(
                db,
                "SELECT code FROM sale_line WHERE sale_id ="
                " (SELECT MAX(id) FROM sale) ORDER BY line_nr",
            )
            assert [r[0] for r in sold] == lines
        else:
            outcomes["open"] += 1
            assert sales_after == sales_before
            assert open_basket_lines(db) == lines
    print(f"kill during payment: {outcomes}")
    assert sum(outcomes.values()) == 4
