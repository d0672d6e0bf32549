"""The push never holds up the cashier (issue 15): how kassa_tui.sync.push keeps out of the way.

A scan waited behind the push in two places: the push's cursor commit (an fsync holding the
database's write lock for milliseconds every batch) and the push's Python work (serialising a
batch held the interpreter for its 5 ms switch interval at a time). Now the push runs in a
process of its own (kassa_tui.sync.child), and within it the next batch is read and encoded on a
reader thread with a read-only connection of its own while HQ takes the batch before; the
cursor is committed without an fsync (a cursor lost to a power cut only stands further back:
HQ skips what comes again), and the till's own connection is back at synchronous=FULL after
it. bench/bench_hq.py measures the scans themselves.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from kassa_tui.composition import Till
from kassa_tui.sync import link, push

from .pushing import Hq, head, journal_rows, sell

REGISTER = "KASSE-1"


def test_the_batches_are_read_on_a_reader_thread_while_hq_takes_the_one_before(
    hq: Hq, till: Till, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 1200)
    sell(till)
    readers: list[str] = []
    prepare = push._prepare

    def counted(*args: Any) -> Any:
        readers.append(threading.current_thread().name)
        return prepare(*args)

    monkeypatch.setattr(push, "_prepare", counted)
    own = push.open_own(till.config.database)
    try:
        result = push.push(own, REGISTER, till.clock, lambda: link.connect(settings),
                           batch_size=200, timeout=30)  # fmt: skip
    finally:
        own.close()
    assert result.status == "ok" and result.acked_seq == head(till)
    held = hq.all("SELECT seq, hash FROM entry ORDER BY seq")
    rows = till.db.execute_sql("SELECT seq, hash FROM journal ORDER BY seq").fetchall()
    assert [tuple(r) for r in held] == [tuple(r) for r in rows]
    assert hq.one("SELECT count(*) FROM sale") == 1
    # every batch read on the reader's thread, none on the sender's
    assert len(readers) >= head(till) // 200
    assert {name.split("_")[0] for name in readers} == {"kassa-push-read"}
    assert sys.getswitchinterval() == 0.005  # the push gave the interpreter back as it was


def test_the_cursor_is_committed_without_an_fsync_and_the_till_stays_at_full(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 30)
    own = push.open_own(till.config.database)
    seen: list[int] = []
    real = push._write_cursor

    def watched(database, *args):  # type: ignore[no-untyped-def]
        seen.append(int(database.execute_sql("PRAGMA synchronous").fetchone()[0]))
        real(database, *args)

    try:
        push._write_cursor = watched  # type: ignore[assignment]
        result = push.push(own, REGISTER, till.clock, lambda: link.connect(settings),
                           batch_size=10)  # fmt: skip
        after = int(own.execute_sql("PRAGMA synchronous").fetchone()[0])
    finally:
        push._write_cursor = real  # type: ignore[assignment]
        own.close()
    assert result.status == "ok" and result.acked_seq == head(till)
    assert seen and set(seen) == {1}  # NORMAL: no fsync for the cursor
    assert after == 2  # FULL again: a sale on this connection survives a power cut
    state = push.state(till.db, REGISTER)
    assert state.acked_seq == head(till) and state.waiting == 0
