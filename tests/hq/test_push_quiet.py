"""A push draining a backlog keeps out of the cashier's way (issue 15: «a till's push never
delays its own scan → line»).

- The cursor is written at most every push.CURSOR_EVERY_S while batches go (each write takes the
  till database's write lock and adds to its WAL; at one a batch a scan met them in its tail),
  and always at the end: it stands on HQ's last seq when the push is done.
- The push's reader (its CPU: reading, hashing, encoding every row) runs in the kernel's idle
  scheduling class: it only gets a core nothing else wants. The thread that writes SQLite (the
  cursor; a large catalog revision) does not: at idle priority, holding the write lock, it could
  keep the cashier's scan waiting while every core has other work. The running till's sync
  child is at nice 10.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from kassa_tui.composition import Till
from kassa_tui.config import load
from kassa_tui.sync import link, push
from kassa_tui.sync.child import SyncChild

from .pushing import Hq, head, journal_rows, sell
from .selling_app import append_hq_section

REGISTER = "KASSE-1"


def _count_cursor_writes(till: Till) -> None:
    """A trigger of the test's own: every write of the cursor leaves a row."""
    till.db.execute_sql("CREATE TABLE test_cursor_writes (acked INTEGER)")
    for when in ("INSERT", "UPDATE"):
        till.db.execute_sql(
            f"CREATE TRIGGER test_cursor_{when.lower()} AFTER {when} ON sync_cursor"
            " BEGIN INSERT INTO test_cursor_writes VALUES (NEW.acked_seq); END"
        )


def test_a_long_push_writes_the_cursor_seldom_and_last_on_hqs_seq(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 2_000)
    sell(till)
    _count_cursor_writes(till)
    batches: list[int] = []
    started = time.monotonic()
    result = push.push(till.db, REGISTER, till.clock, lambda: link.connect(settings),
                       batch_size=50, timeout=30,
                       on_batch=lambda acked, _head: batches.append(acked))  # fmt: skip
    took = time.monotonic() - started
    assert result.status == "ok", result.message
    assert len(batches) >= 40  # every batch taken by HQ
    writes = [r[0] for r in till.db.execute_sql("SELECT acked FROM test_cursor_writes")]
    assert writes[-1] == head(till) == hq.one("SELECT last_seq FROM register")
    assert push.state(till.db, REGISTER).acked_seq == head(till)
    # one write a batch was 40+; now the first, one every CURSOR_EVERY_S, and the last
    assert len(writes) <= 2 + took / push.CURSOR_EVERY_S, (len(writes), len(batches), took)


def test_a_failing_push_writes_the_cursor_it_reached_before_its_error(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 1_000)
    calls = [0]

    def connect():  # type: ignore[no-untyped-def]
        conn = link.connect(settings)
        real = conn.execute

        def execute(*args, **kwargs):  # type: ignore[no-untyped-def]
            if str(args[0]).startswith("SELECT ingest("):
                calls[0] += 1
                if calls[0] == 12:  # HQ goes away after eleven batches
                    conn.close()
            return real(*args, **kwargs)

        conn.execute = execute  # type: ignore[method-assign]
        return conn

    result = push.push(till.db, REGISTER, till.clock, connect, batch_size=50, timeout=30)
    assert result.status == "error"
    at_hq = hq.one("SELECT last_seq FROM register")
    assert at_hq >= 300  # ten batches or so (two in flight: the cut one may be either)
    # the cursor stands on what HQ holds (never ahead of it), not at the first batch
    assert push.state(till.db, REGISTER).acked_seq == result.acked_seq
    assert at_hq - 100 <= result.acked_seq <= at_hq


def test_the_push_reads_in_the_idle_class_and_writes_the_cursor_from_a_normal_thread(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 300)
    reader = push._Reader(till.db, REGISTER, 100)
    try:
        assert reader.read(0).result().entries  # the reader's thread is there
        assert reader._pool is not None
        policy = reader._pool.submit(os.sched_getscheduler, 0).result()
    finally:
        reader.close()
    assert policy == os.SCHED_IDLE
    writers: list[int] = []
    real_save = push._save

    def save(*args, **kwargs):  # type: ignore[no-untyped-def]
        writers.append(os.sched_getscheduler(0))
        real_save(*args, **kwargs)

    push._save = save  # type: ignore[assignment]
    try:
        result = push.push(till.db, REGISTER, till.clock, lambda: link.connect(settings),
                           batch_size=100, timeout=30)  # fmt: skip
    finally:
        push._save = real_save  # type: ignore[assignment]
    assert result.status == "ok" and result.acked_seq == head(till)
    assert writers and set(writers) == {os.SCHED_OTHER}


@pytest.mark.usefixtures("fast_pins")
def test_the_running_tills_sync_child_runs_at_nice_10_not_in_the_idle_class(
    hq: Hq, sync_till: Till, tmp_path: Path
) -> None:
    toml = sync_till.config.database.parent / "kassa.toml"
    append_hq_section(toml, hq.add(REGISTER, "OSLO1", tmp_path), interval_seconds=3600)
    child = SyncChild(load(toml), sync_till.clock, "en", lambda n, ok: None)
    child.start()
    try:
        assert child.wait(child.ask())  # its set-up is done once it answered a round
        assert child.pid is not None
        # the main thread, which writes SQLite (the cursor, a large catalog revision)
        assert os.sched_getscheduler(child.pid) == os.SCHED_OTHER
        assert os.getpriority(os.PRIO_PROCESS, child.pid) == 10
        assert hq.one("SELECT last_seq FROM register") == head(sync_till)
    finally:
        child.stop()
