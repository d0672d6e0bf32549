"""ingest() written set-based (kassa_tui/hq/sql/0007_ingest_sets.sql): the same rules, one
INSERT per table per batch. What an auditor checks at HQ: each seq once with the till's hash,
every sale with its lines, payments and stock exactly as the till holds them, whatever mix of
replays, twins and new rows a batch carries; a twin that differs is a fork, and a transaction
that is not what its row's content hash names takes the whole batch down.
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

from .pushing import Hq, head, journal_rows, role_dsn, sell

REGISTER = "KASSE-1"


def _ingest(settings: Any, entries: list[dict[str, Any]]) -> dict[str, Any]:
    with psycopg.connect(role_dsn(settings), autocommit=True) as conn:
        row = conn.execute("SELECT ingest(%s, %s)", (REGISTER, Jsonb(entries))).fetchone()
    assert row is not None
    return dict(row[0])


def _held(hq: Hq) -> list[tuple[int, str]]:
    rows = hq.all("SELECT seq, hash FROM entry WHERE register_id = %s ORDER BY seq", REGISTER)
    return [(int(s), str(h)) for s, h in rows]


def _till_rows(till: Till) -> list[tuple[int, str]]:
    rows = till.db.execute_sql("SELECT seq, hash FROM journal ORDER BY seq").fetchall()
    return [(int(s), str(h)) for s, h in rows]


def test_a_batch_of_replays_twins_and_new_rows_stores_each_row_and_sale_once(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    sell(till)
    journal_rows(till, 5)
    first = push.batch(till.db, REGISTER, 0, 10_000)
    answer = _ingest(settings, first[:4])
    assert answer["status"] == "ok" and answer["accepted"] == 4
    sell(till, card=True)
    sell(till)
    journal_rows(till, 3)
    everything = push.batch(till.db, REGISTER, 0, 10_000)
    # rows HQ holds, every new row twice (shuffled: ingest orders by seq), the sales among them
    mixed = everything[:4] + list(reversed(everything[4:])) + everything[4:]
    answer = _ingest(settings, mixed)
    assert answer["status"] == "ok", answer
    new = len(everything) - 4
    assert answer["accepted"] == new and answer["replayed"] == 4 + new
    assert answer["last_seq"] == head(till) and answer["send_from"] == head(till) + 1
    assert _held(hq) == _till_rows(till)
    # the sales rows, lines, payments and stock are the till's, each once
    sales = hq.all("SELECT receipt_nr, total_ore, signature FROM sale ORDER BY seq")
    till_sales = till.db.execute_sql(
        "SELECT receipt_nr, total_ore, signature FROM sale ORDER BY id"
    ).fetchall()
    assert [tuple(s) for s in sales] == [tuple(s) for s in till_sales]
    lines = hq.all("SELECT code, qty_milli, amount_ore FROM sale_line ORDER BY seq, line_nr")
    till_lines = till.db.execute_sql(
        "SELECT code, qty_milli, amount_ore FROM sale_line ORDER BY sale_id, line_nr"
    ).fetchall()
    assert [tuple(ln) for ln in lines] == [tuple(ln) for ln in till_lines]
    payments = hq.all("SELECT method, amount_ore FROM sale_payment ORDER BY seq, n")
    till_payments = till.db.execute_sql(
        "SELECT method, amount_ore FROM payment ORDER BY sale_id, id"
    ).fetchall()
    assert [tuple(p) for p in payments] == [tuple(p) for p in till_payments]
    assert hq.one("SELECT sum(delta_milli) FROM stock_delta") == -9000
    # the last signature HQ holds is the last sale's
    assert hq.one("SELECT last_signature FROM register") == till_sales[-1][2]


def test_a_twin_in_one_batch_that_differs_is_a_fork_and_the_rows_before_it_stay(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 6)
    entries = push.batch(till.db, REGISTER, 0, 100)
    twin = dict(entries[3])
    fields = json.loads(twin["payload"])
    fields[10] = fields[10] + " "  # another row at the same seq, hashed as its own
    twin["payload"] = push._compact(fields)
    twin["hash"] = push.hashlib.sha256(twin["payload"].encode()).hexdigest()
    answer = _ingest(settings, [*entries, twin])
    # whichever of the two comes first is taken (it follows row 3), the other is the fork
    assert answer["status"] == "fork" and answer["fork_seq"] == 4
    assert answer["last_seq"] == 4 and answer["send_from"] is None
    assert [s for s, _h in _held(hq)] == [1, 2, 3, 4]
    assert _held(hq)[3][1] in (entries[3]["hash"], twin["hash"])
    assert hq.one("SELECT count(*) FROM alarm WHERE kind = 'fork'") == 1
    assert hq.one("SELECT forked FROM register") is True


def test_a_different_row_at_a_seq_hq_held_before_the_batch_is_a_fork_nothing_after_it_taken(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 6)
    entries = push.batch(till.db, REGISTER, 0, 100)
    assert _ingest(settings, entries[:4])["accepted"] == 4
    other = dict(entries[1])
    fields = json.loads(other["payload"])
    fields[10] = fields[10] + " "
    other["payload"] = push._compact(fields)
    other["hash"] = push.hashlib.sha256(other["payload"].encode()).hexdigest()
    answer = _ingest(settings, [entries[0], other, *entries[4:]])
    assert answer["status"] == "fork" and answer["fork_seq"] == 2
    assert answer["last_seq"] == 4 and answer["accepted"] == 0 and answer["replayed"] == 1
    assert _held(hq) == _till_rows(till)[:4]
    detail = hq.one("SELECT detail FROM alarm WHERE kind = 'fork'")
    assert entries[1]["hash"] in detail and other["hash"] in detail


def test_a_transaction_that_is_not_what_its_row_names_takes_nothing_of_the_batch(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 3)
    sell(till)
    entries = push.batch(till.db, REGISTER, 0, 100)
    sale_row = next(e for e in entries if "record" in e)
    record = json.loads(sale_row["record"])
    record[0][6] += 100  # the total, 1 krone more
    sale_row["record"] = push._compact(record)
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="content hash"):
        _ingest(settings, entries)
    assert _held(hq) == []
    assert hq.one("SELECT count(*) FROM sale") == 0
    assert hq.one("SELECT last_seq FROM register") == 0
