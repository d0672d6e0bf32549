"""ingest() taking a batch as arrays (kassa_tui/hq/sql/0026_ingest_arrays.sql): HQ parses no
batch document, only each payload once. What the till's technician and an auditor check: the
push goes the new way when HQ has it and the old way when HQ is not upgraded yet, both ways
hold one set of rules (a batch sent one way is a replay the other way), and a malformed call
stores nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from kassa_tui.composition import Till
from kassa_tui.hq import migrations
from kassa_tui.sync import link, push

from .pushing import INGEST_ARRAYS, Hq, arrays, head, journal_rows, make_hq, role_dsn, sell

REGISTER = "KASSE-1"


def _push(till: Till, settings: Any) -> push.PushResult:
    return push.push(till.db, REGISTER, till.clock, lambda: link.connect(settings),
                     batch_size=50, timeout=30)  # fmt: skip


def _held(hq: Hq) -> list[tuple[int, str]]:
    return [tuple(r) for r in hq.all("SELECT seq, hash FROM entry ORDER BY seq")]


def _till_rows(till: Till) -> list[tuple[int, str]]:
    rows = till.db.execute_sql("SELECT seq, hash FROM journal ORDER BY seq").fetchall()
    return [tuple(r) for r in rows]


def test_the_push_sends_arrays_when_hq_takes_them(hq: Hq, till: Till, tmp_path: Path) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    with hq.connect() as conn:  # HQ refuses the JSON form from now on: only arrays get in
        tills = migrations.role_name(conn, migrations.TILLS)
        conn.execute(
            f'REVOKE EXECUTE ON FUNCTION ingest(text, jsonb, timestamptz, bigint) FROM "{tills}"'
        )
    journal_rows(till, 120)
    sell(till, card=True)
    result = _push(till, settings)
    assert result.status == "ok", result.message
    assert result.acked_seq == head(till) and result.accepted == head(till)
    assert _held(hq) == _till_rows(till)
    assert hq.one("SELECT count(*) FROM sale") == 1
    assert hq.one("SELECT count(*) FROM sale_payment") == 1


def test_a_till_newer_than_its_hq_pushes_json_and_goes_over_to_arrays_after_the_upgrade(
    hq_dsn: str, till: Till, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    every = migrations.available()
    monkeypatch.setattr(migrations, "available", lambda: [m for m in every if m.version <= 25])
    old = make_hq(hq_dsn)
    settings = old.add(REGISTER, "OSLO1", tmp_path)
    with psycopg.connect(role_dsn(settings), autocommit=True) as conn:
        assert push.takes_arrays(conn) is False
    journal_rows(till, 60)
    sell(till)
    first = _push(till, settings)
    assert first.status == "ok", first.message
    assert first.accepted == head(till)
    monkeypatch.undo()
    with psycopg.connect(hq_dsn, autocommit=True) as conn:
        assert "0026_ingest_arrays" in migrations.upgrade(conn)
    with psycopg.connect(role_dsn(settings), autocommit=True) as conn:
        assert push.takes_arrays(conn) is True
    journal_rows(till, 60)
    sell(till)
    second = _push(till, settings)
    assert second.status == "ok", second.message
    assert second.accepted == head(till) - first.acked_seq
    assert _held(old) == _till_rows(till)
    assert old.one("SELECT count(*) FROM sale") == 2
    assert old.one("SELECT count(*) FROM alarm WHERE kind = 'fork'") == 0
    # Two batches in flight: one that overtook the batch in front of it at HQ's register lock
    # leaves a gap alarm that the batch in front clears as it commits (tests/hq/
    # test_push_flights.py). None stays open, and HQ cleared each one itself.
    assert old.all("SELECT cleared_by FROM alarm WHERE kind = 'gap' AND cleared_by IS DISTINCT"
                   " FROM 'ingest'") == []  # fmt: skip


def test_one_set_of_rules_a_batch_sent_as_arrays_is_a_replay_as_json(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 5)
    sell(till)
    entries = push.batch(till.db, REGISTER, 0, 100)
    with psycopg.connect(role_dsn(settings), autocommit=True) as conn:
        row = conn.execute(INGEST_ARRAYS, (REGISTER, *arrays(entries))).fetchone()
        assert row is not None
        assert row[0]["accepted"] == len(entries) and row[0]["replayed"] == 0
        row = conn.execute("SELECT ingest(%s, %s)", (REGISTER, Jsonb(entries))).fetchone()
        assert row is not None
        assert row[0]["accepted"] == 0 and row[0]["replayed"] == len(entries)
        # a row that does not hash to its hash is refused as arrays as it was as JSON
        forged = dict(entries[2], hash="f" * 64)
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="does not hash"):
            conn.execute(INGEST_ARRAYS, (REGISTER, *arrays([forged])))
        # an empty batch (a till asking where HQ stands) answers HQ's last seq either way
        for query, params in (
            (INGEST_ARRAYS, (REGISTER, [], [], [], [])),
            ("SELECT ingest(%s, %s)", (REGISTER, Jsonb([]))),
        ):
            row = conn.execute(query, params).fetchone()
            assert row is not None
            assert row[0]["status"] == "ok" and row[0]["last_seq"] == len(entries)
    assert _held(hq) == _till_rows(till)
    assert hq.one("SELECT count(*) FROM sale") == 1


@pytest.mark.parametrize(
    "bend",
    ["a hash short", "a record short", "two dimensions", "no payloads", "5001 rows"],
)
def test_a_malformed_call_is_refused_and_stores_nothing(
    hq: Hq, till: Till, tmp_path: Path, bend: str
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 4)
    seqs, hashes, payloads, records = arrays(push.batch(till.db, REGISTER, 0, 4))
    query = INGEST_ARRAYS
    if bend == "a hash short":
        hashes = hashes[:-1]
    elif bend == "a record short":
        records = records[:-1]
    elif bend == "two dimensions":
        seqs, hashes = [seqs[:2], seqs[2:]], [hashes[:2], hashes[2:]]
        payloads, records = [payloads[:2], payloads[2:]], [records[:2], records[2:]]
    elif bend == "no payloads":
        query = INGEST_ARRAYS.replace("%b::text[], %b::text[])", "NULL::text[], %b::text[])")
        params = (REGISTER, seqs, hashes, records)
    else:
        seqs, hashes = seqs * 1251, hashes * 1251
        payloads, records = payloads * 1251, records * 1251
    if bend != "no payloads":
        params = (REGISTER, seqs, hashes, payloads, records)
    with (
        psycopg.connect(role_dsn(settings), autocommit=True) as conn,
        pytest.raises(psycopg.errors.InvalidParameterValue, match="ingest: "),
    ):
        conn.execute(query, params)
    assert hq.one("SELECT count(*) FROM entry") == 0
    assert hq.one("SELECT last_seq FROM register") == 0


def test_a_stranger_may_not_push_arrays_for_another_register(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    hq.add(REGISTER, "OSLO1", tmp_path / "one")
    other = hq.add("KASSE-2", "OSLO1", tmp_path / "two")
    journal_rows(till, 3)
    entries = push.batch(till.db, REGISTER, 0, 100)
    with (
        psycopg.connect(role_dsn(other), autocommit=True) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(INGEST_ARRAYS, (REGISTER, *arrays(entries)))
    assert hq.one("SELECT count(*) FROM entry") == 0
