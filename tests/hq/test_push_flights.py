"""Two batches in flight (kassa_tui.sync.push.DEPTH): HQ takes the next batch the moment the one
before commits, on a second connection, instead of after a round trip and the till's bookkeeping.

HQ's rules keep it exact: a batch HQ runs before the one in front of it has committed is after a
gap, takes nothing and answers "gap"; the till sends it again (now alone in flight) and never
moves its cursor back for that stale answer. Each seq reaches HQ once, the gap alarm the early
batch raised is cleared, and the cursor only goes forward.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import psycopg

from kassa_tui.composition import Till
from kassa_tui.sync import link, push

from .pushing import Hq, head, journal_rows, sell

REGISTER = "KASSE-1"


def test_a_batch_hq_ran_before_the_one_in_front_of_it_is_sent_again_and_counted_once(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 250)
    sell(till)
    opened: list[psycopg.Connection[Any]] = []
    second_answered = threading.Event()
    calls: list[int] = []

    def connect() -> psycopg.Connection[Any]:
        conn = link.connect(settings)
        n = len(opened)
        opened.append(conn)
        real = conn.execute

        def execute(*args: Any, **kwargs: Any) -> Any:
            if "SELECT ingest(" not in str(args[0]):  # the push asking what ingest takes
                return real(*args, **kwargs)
            calls.append(n)
            if n == 0 and len(calls) == 1:  # the first batch waits until HQ ran the second
                assert second_answered.wait(20)
            try:
                return real(*args, **kwargs)
            finally:
                if n == 1:
                    second_answered.set()

        conn.execute = execute  # type: ignore[method-assign]
        return conn

    cursors: list[int] = []
    result = push.push(till.db, REGISTER, till.clock, connect, batch_size=100, timeout=30,
                       on_batch=lambda cursor, _head: cursors.append(cursor))  # fmt: skip
    assert result.status == "ok", result.message
    assert result.acked_seq == head(till)
    assert len(opened) == push.DEPTH == 2 and set(calls) == {0, 1}
    held = hq.all("SELECT seq, hash FROM entry WHERE register_id = %s ORDER BY seq", REGISTER)
    rows = till.db.execute_sql("SELECT seq, hash FROM journal ORDER BY seq").fetchall()
    assert [tuple(r) for r in held] == [tuple(r) for r in rows]  # each seq once, as the till's
    assert hq.one("SELECT count(*) FROM sale") == 1
    # the early batch's gap (and the one of the batch sent behind it) was raised at HQ, and
    # cleared once the rows before it came
    assert hq.one("SELECT count(*) FROM alarm WHERE kind = 'gap'") >= 1
    assert hq.one("SELECT count(*) FROM alarm WHERE kind = 'gap' AND cleared_at IS NULL") == 0
    # the stale answer never moved the cursor back
    assert cursors == sorted(cursors) and cursors[-1] == head(till)
    assert push.state(till.db, REGISTER).acked_seq == head(till)
