"""ingest() reading each payload's fields once (kassa_tui/hq/sql/0022_ingest_columns.sql): two
rules the cheaper statement must keep that no other test pins. What an auditor checks at HQ: the
hash HQ holds as its register's last (the next batch must follow it), and that a batch refused
whole is refused for its own fault, nothing of it stored.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from kassa_tui.composition import Till
from kassa_tui.sync import push

from .pushing import Hq, head, journal_rows, role_dsn, sell

REGISTER = "KASSE-1"


def _ingest(settings: Any, entries: list[dict[str, Any]]) -> dict[str, Any]:
    with psycopg.connect(role_dsn(settings), autocommit=True) as conn:
        row = conn.execute("SELECT ingest(%s, %s)", (REGISTER, Jsonb(entries))).fetchone()
    assert row is not None
    return dict(row[0])


def _rehashed(entry: dict[str, Any], field: int, value: Any) -> dict[str, Any]:
    """The same row with one field of its payload changed, hashed as its own."""
    changed = dict(entry)
    fields = json.loads(changed["payload"])
    fields[field] = value
    changed["payload"] = push._compact(fields)
    changed["hash"] = hashlib.sha256(changed["payload"].encode()).hexdigest()
    return changed


def test_after_a_batch_ending_in_replays_hq_holds_the_last_taken_hash_and_the_next_follows(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 4)
    sell(till)
    journal_rows(till, 3)
    entries = push.batch(till.db, REGISTER, 0, 100)
    # the new rows backwards, then the last of them and the first ones again: replays in the
    # batch, one of them at its highest seq
    answer = _ingest(settings, [*reversed(entries[:6]), entries[5], *entries[:3]])
    assert answer["status"] == "ok" and answer["accepted"] == 6 and answer["replayed"] == 4
    held = hq.one("SELECT last_hash FROM register WHERE register_id = %s", REGISTER)
    assert held == entries[5]["hash"]
    answer = _ingest(settings, entries[6:])
    assert answer["status"] == "ok" and answer["last_seq"] == head(till)
    assert hq.one("SELECT count(*) FROM alarm") == 0


def test_a_batch_refused_whole_is_refused_for_its_own_fault_and_stores_nothing(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 4)
    entries = push.batch(till.db, REGISTER, 0, 100)
    # row 2 is a journal row of this register that entry cannot hold (no UUID); row 3 does
    # not hash to its hash: row 3 refuses the batch, and row 2 is never tried
    bad_uuid = _rehashed(entries[1], 3, "not-a-uuid")
    wrong = dict(entries[2], hash="0" * 64)
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="does not hash"):
        _ingest(settings, [entries[0], bad_uuid, wrong, entries[3]])
    assert hq.one("SELECT count(*) FROM entry") == 0
    assert hq.one("SELECT last_seq FROM register") == 0
