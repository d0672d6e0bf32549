"""The running till pushes from a child process of its own, never from its own interpreter.

- In the App (Textual pilot, 80×24): the cashier sells, the sale reaches HQ and the header says
  «HQ hh:mm» with nothing waiting, while the push function of the till's own process is broken
  on purpose (it would raise): so the rows went through the child. The child ends with the App.
- The real `kassa` on a pty: sells, the sale reaches HQ on the child's own interval; kill -9 of
  the till and its sync child is gone within seconds.
- One sender per register: `kassa sync --once` while the till's child runs says so and exits 1;
  once the child is gone it pushes.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.cli import main
from kassa_tui.composition import Till
from kassa_tui.config import load
from kassa_tui.config.hq import HqSettings
from kassa_tui.sync import push
from kassa_tui.sync.child import SyncChild
from tests.app.test_sale_flow import sign_in
from tests.shop import write_config
from tests.test_crash import RunningTill, query, wait_for
from tests.unit.conftest import ROMME

from .pushing import Hq, head, make_hq
from .selling_app import REGISTER, append_hq_section, assert_header_synced, sell_and_push

pytestmark = pytest.mark.usefixtures("fast_pins")


def _gone(pid: int) -> bool:
    """The process has ended (a zombie waiting for a reaper counts: it runs nothing)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def _sync_children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"kassa_tui.sync.child" in cmdline:
            found.append(int(entry.name))
    return found


async def test_the_app_pushes_through_its_child_process_and_the_header_says_so(
    hq_dsn: str, sync_till: Till, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hq: Hq = make_hq(hq_dsn)
    settings = replace(hq.add(REGISTER, "OSLO1", tmp_path), interval_seconds=3600)
    till = replace(sync_till, config=replace(sync_till.config, hq=settings))

    def not_here(*args: object, **kwargs: object) -> push.PushResult:
        raise AssertionError("the till's own interpreter pushed")

    monkeypatch.setattr(push, "push", not_here)  # only in this (the till's) process
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await sell_and_push(pilot, app)
        assert app.sync_child is not None and app.sync_child.alive
        child = app.sync_child.pid
        assert child is not None and child != os.getpid()
        assert hq.one("SELECT count(*) FROM sale") == 1
        assert hq.one("SELECT last_seq FROM register") == head(till)
        assert_header_synced(app)
    wait_for(lambda: _gone(child), timeout=5)  # the App stopped: so did its child


def _shop_with_hq(tmp_path: Path, hq: Hq) -> tuple[Path, HqSettings]:
    config = write_config(tmp_path, idle_lock_seconds="0", language='"en"')
    result = CliRunner().invoke(main, ["--config", str(config), "init", "--demo"])
    assert result.exit_code == 0, result.output
    register = load(config).register_id
    settings = hq.add(register, "OSLO1", tmp_path)
    append_hq_section(config, settings, interval_seconds=1)
    return config, settings


def test_the_real_till_sells_its_child_pushes_and_dies_with_it(hq_dsn: str, tmp_path: Path) -> None:
    hq = make_hq(hq_dsn)
    config, _settings = _shop_with_hq(tmp_path, hq)
    db = load(config).database
    running = RunningTill(config)
    killed = False
    try:
        wait_for(lambda: len(_sync_children(running.pid)) == 1)
        (child,) = _sync_children(running.pid)
        wait_for(lambda: query(db, "SELECT count(*) FROM sync_cursor")[0][0] == 1)
        running.type("1\r")
        running.type("1111\r")
        wait_for(
            lambda: query(db, "SELECT count(*) FROM journal WHERE basic_id = 'LOGIN'")[0][0] == 1
        )
        running.type(ROMME + "\r")
        wait_for(lambda: query(db, "SELECT count(*) FROM basket_line")[0][0] == 1)
        running.type("\x0b")  # Ctrl+K: cash
        time.sleep(0.3)
        running.type("\r")  # the exact amount
        wait_for(lambda: query(db, "SELECT count(*) FROM sale")[0][0] == 1)
        wait_for(lambda: hq.one("SELECT count(*) FROM sale") == 1)  # on the child's interval
        running.kill()
        killed = True
        wait_for(lambda: _gone(child), timeout=5)
    finally:
        if not killed:
            running.kill()


def test_a_second_sender_for_the_register_says_so_and_stops(
    hq_dsn: str, sync_till: Till, tmp_path: Path
) -> None:
    hq = make_hq(hq_dsn)
    till = sync_till
    toml = till.config.database.parent / "kassa.toml"
    append_hq_section(toml, hq.add(REGISTER, "OSLO1", tmp_path), interval_seconds=3600)
    config = load(toml)
    rounds: list[tuple[int, bool]] = []
    child = SyncChild(config, till.clock, "en", lambda n, ok: rounds.append((n, ok)))
    child.start()
    try:
        assert child.wait(child.ask())
        assert rounds and rounds[-1][1]
        assert hq.one("SELECT last_seq FROM register") == head(till)
        refused = CliRunner().invoke(main, ["--config", str(toml), "sync", "--once"])
        assert refused.exit_code == 1, refused.output
        assert f"another sender pushes register {REGISTER} already (process {child.pid}" in (
            refused.output
        )
    finally:
        child.stop()
    assert not child.alive
    took = CliRunner().invoke(main, ["--config", str(toml), "sync", "--once"])
    assert took.exit_code == 0, took.output
