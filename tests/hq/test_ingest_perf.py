"""ingest() ruled in one query (kassa_tui/hq/sql/0011_ingest_one_pass.sql, issue 15: the ingest
rate): the rules 0007's row-by-row loop kept, where a batch mixes them. What an auditor checks
at HQ: the rows held, the answer the till gets, the alarm.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from kassa_tui.composition import Till
from kassa_tui.sync import push

from .pushing import Hq, journal_rows, role_dsn

REGISTER = "KASSE-1"


def _ingest(settings: Any, entries: list[dict[str, Any]]) -> dict[str, Any]:
    with psycopg.connect(role_dsn(settings), autocommit=True) as conn:
        row = conn.execute("SELECT ingest(%s, %s)", (REGISTER, Jsonb(entries))).fetchone()
    assert row is not None
    return dict(row[0])


def _rehashed(entry: dict[str, Any], index: int, value: Any) -> dict[str, Any]:
    """The same row with one field changed, hashed as its own (a consistent other row)."""
    fields = json.loads(entry["payload"])
    fields[index] = value
    payload = push._compact(fields)
    return {**entry, "payload": payload, "hash": push.hashlib.sha256(payload.encode()).hexdigest()}


def _held(hq: Hq) -> list[int]:
    return [int(s) for (s,) in hq.all("SELECT seq FROM entry ORDER BY seq")]


def test_a_new_row_not_over_the_hash_before_it_is_a_fork_and_the_rows_before_it_stay(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 6)
    entries = push.batch(till.db, REGISTER, 0, 100)
    assert _ingest(settings, entries[:2])["accepted"] == 2
    # row 4 claims to follow another row 3: hashes to its hash, but not HQ's chain
    stranger = _rehashed(entries[3], 0, "f" * 64)
    answer = _ingest(settings, [entries[1], entries[2], stranger, *entries[4:]])
    assert answer["status"] == "fork" and answer["fork_seq"] == 4
    assert answer["accepted"] == 1 and answer["replayed"] == 1 and answer["last_seq"] == 3
    assert _held(hq) == [1, 2, 3]
    detail = hq.one("SELECT detail FROM alarm WHERE kind = 'fork'")
    assert detail == f"entry 4 follows {'f' * 64}, HQ holds {entries[2]['hash']}"
    assert hq.one("SELECT forked FROM register") is True


def test_a_gap_inside_a_batch_takes_the_rows_before_it_and_says_where_to_send_from(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 8)
    entries = push.batch(till.db, REGISTER, 0, 100)
    answer = _ingest(settings, [*entries[:3], *entries[5:]])  # 4 and 5 lost on the way
    assert answer["status"] == "gap" and answer["send_from"] == 4 and answer["accepted"] == 3
    assert _held(hq) == [1, 2, 3]
    assert hq.one("SELECT seq FROM alarm WHERE kind = 'gap' AND cleared_at IS NULL") == 4
    answer = _ingest(settings, entries[3:])
    assert answer["status"] == "ok" and answer["last_seq"] == len(entries)
    assert hq.one("SELECT count(*) FROM alarm WHERE kind = 'gap' AND cleared_at IS NULL") == 0


def test_a_row_that_does_not_hash_to_its_hash_refuses_the_whole_batch(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 6)
    entries = push.batch(till.db, REGISTER, 0, 100)
    broken = {**entries[4], "hash": "0" * 64}
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="entry 5 of register"):
        _ingest(settings, [*entries[:4], broken, entries[5]])
    assert _held(hq) == []
    assert _ingest(settings, entries)["accepted"] == len(entries)
