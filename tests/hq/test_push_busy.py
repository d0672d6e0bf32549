"""While the cashier works, a backlog drains gently (issue 15: «a till's push never delays its
own scan → line»).

The running till's sync child knows whether the till is idle (the App's `idle 1|0` lines, the
flag kassa_tui.sync.large applies large catalog revisions by). While it is clear a push sends
batches of at most push.BUSY_BATCH rows, one at a time, push.BUSY_PAUSE_S apart; a sale's few
rows still go at once; the moment the till turns idle the rest goes at full speed. `kassa sync`
(no flag) pushes at full speed as before. bench/bench_hq.py `--push-while-busy` measures the
scans beside it.
"""

from __future__ import annotations

import threading
import time
from itertools import pairwise
from pathlib import Path

import pytest

from kassa_tui.composition import Till
from kassa_tui.config import load
from kassa_tui.sync import link, push
from kassa_tui.sync.child import SyncChild
from tests.test_crash import wait_for

from .pushing import Hq, head, journal_rows, sell
from .selling_app import append_hq_section

REGISTER = "KASSE-1"


def _steps(batches: list[int], start: int = 0) -> list[int]:
    """Rows HQ took at each batch."""
    acked = [start, *batches]
    return [b - a for a, b in pairwise(acked)]


def test_while_the_cashier_works_the_backlog_goes_in_small_batches_one_at_a_time(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 600)
    sell(till)
    busy = threading.Event()  # clear: the till is not idle
    batches: list[int] = []
    started = time.monotonic()
    result = push.push(till.db, REGISTER, till.clock, lambda: link.connect(settings),
                       batch_size=500, timeout=30, idle=busy,
                       on_batch=lambda acked, _head: batches.append(acked))  # fmt: skip
    took = time.monotonic() - started
    assert result.status == "ok", result.message
    assert hq.one("SELECT last_seq FROM register") == head(till)  # all of it, nothing lost
    steps = _steps(batches)
    assert max(steps) <= push.BUSY_BATCH, steps
    # a pause between batches: six or more batches, five or more pauses
    assert took >= (len(steps) - 1) * push.BUSY_PAUSE_S * 0.9, (took, steps)


def test_an_idle_till_or_kassa_sync_pushes_at_full_size(hq: Hq, till: Till, tmp_path: Path) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 1_200)
    sell(till)
    idle = threading.Event()
    idle.set()
    batches: list[int] = []
    result = push.push(till.db, REGISTER, till.clock, lambda: link.connect(settings),
                       batch_size=500, timeout=30, idle=idle,
                       on_batch=lambda acked, _head: batches.append(acked))  # fmt: skip
    assert result.status == "ok", result.message
    assert _steps(batches)[0] == 500
    assert hq.one("SELECT last_seq FROM register") == head(till)


def test_a_sale_goes_at_once_and_the_rest_at_full_speed_when_the_till_turns_idle(
    hq: Hq, till: Till, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pause of a second: "the first batch without waiting" then means under a second, which
    # connecting and HQ's first batch keep to on a loaded CI machine (0.2 s they might not)
    monkeypatch.setattr(push, "BUSY_PAUSE_S", 1.0)
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 3_000)
    sell(till)
    idle = threading.Event()  # busy
    batches: list[int] = []
    times: list[float] = []

    def taken(acked: int, _head: int) -> None:
        batches.append(acked)
        times.append(time.monotonic())
        if len(batches) == 3:
            idle.set()  # the cashier stepped away

    started = time.monotonic()
    result = push.push(till.db, REGISTER, till.clock, lambda: link.connect(settings),
                       batch_size=500, timeout=30, idle=idle, on_batch=taken)  # fmt: skip
    assert result.status == "ok", result.message
    assert hq.one("SELECT last_seq FROM register") == head(till)
    steps = _steps(batches)
    assert times[0] - started < push.BUSY_PAUSE_S  # the first batch without waiting
    assert max(steps[:3]) <= push.BUSY_BATCH, steps
    assert max(steps[3:]) == 500, steps  # idle: full batches again
    # 3,000 rows at BUSY_BATCH a pause would take 5+ s; once idle, no more pauses
    assert time.monotonic() - started < 3_000 / push.BUSY_BATCH * push.BUSY_PAUSE_S / 2


def test_the_running_tills_sync_child_drains_gently_until_the_till_turns_idle(
    hq: Hq, sync_till: Till, tmp_path: Path
) -> None:
    """The real child, told by the App's lines: busy from its start until `idle 1`."""
    toml = sync_till.config.database.parent / "kassa.toml"
    append_hq_section(toml, hq.add(REGISTER, "OSLO1", tmp_path), interval_seconds=3600)
    journal_rows(sync_till, 3_000)
    sell(sync_till)
    child = SyncChild(load(toml), sync_till.clock, "en", lambda n, ok: None)
    child.start()
    try:
        asked = child.ask()

        def at_hq() -> int:
            return int(hq.one("SELECT last_seq FROM register") or 0)

        wait_for(lambda: at_hq() > 0)
        time.sleep(1.0)
        # at full speed 3,000 rows take a tenth of a second here; gently 6 s or more
        assert at_hq() < head(sync_till), "the child drained at full speed while busy"
        child.tell_idle(True)
        assert child.wait(asked)
        assert at_hq() == head(sync_till)
    finally:
        child.stop()
