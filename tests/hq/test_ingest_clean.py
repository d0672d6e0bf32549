"""ingest()'s clean continuation (kassa_tui/hq/sql/0026_ingest_arrays.sql): a batch that simply
continues HQ's chain goes into entry through one streaming INSERT; anything else is ruled by the
general statement. What an auditor needs from that: the two never disagree. Every kind of batch
below goes to two fresh HQs, one told to rule every batch by the general statement
(kassa.ingest_general = on) and one as shipped, and the answers, the errors, the rows stored,
the sales derived, the alarms and the register's state must be the same.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from kassa_tui.composition import Till
from kassa_tui.core.clock import Clock
from kassa_tui.hq import admin
from kassa_tui.sync import push
from tests.unit.conftest import SteeredTime

from .conftest import PgServer, _database
from .pushing import INGEST_ARRAYS, Hq, arrays, journal_rows, make_hq, make_till, role_dsn, sell

REGISTER = "KASSE-1"
Entry = dict[str, Any]

#: What HQ holds after a scenario, table by table.
STATE = {
    "entry": "SELECT seq, uuid, event_code, basic_id, user_number, utc, local_date, local_time,"
    " text, sale_id, prev_hash, hash, payload, record FROM entry ORDER BY seq",
    "sale": "SELECT seq, shop_id, receipt_nr, uuid, kind, training, user_number, total_ore,"
    " vat_ore, discount_ore, rounding_ore, completed_utc, signature, key_version FROM sale"
    " ORDER BY seq",
    "sale_line": "SELECT * FROM sale_line ORDER BY 1, 2, 3",
    "sale_payment": "SELECT * FROM sale_payment ORDER BY 1, 2, 3",
    "stock_delta": "SELECT * FROM stock_delta ORDER BY 1, 2, 3",
    "alarm": "SELECT kind, seq, detail, cleared_at IS NULL FROM alarm ORDER BY id",
    "register": "SELECT last_seq, last_hash, last_signature, forked, fork_seq FROM register",
}


def _payload(entry: Entry, fields: list[Any]) -> Entry:
    payload = push._compact(fields)
    return {**entry, "payload": payload, "hash": hashlib.sha256(payload.encode()).hexdigest()}


def _changed(entry: Entry, field: int, value: Any) -> Entry:
    """The same row with one field of its payload changed, hashed as its own."""
    fields = json.loads(entry["payload"])
    fields[field] = value
    return _payload(entry, fields)


#: A content hash that is JSON null.
NULL = "null"


def _with_record(entry: Entry, record: str | None, content: str | None) -> Entry:
    """A transaction's row carrying `record`, its details naming `content` (None: naming none,
    NULL: a null one)."""
    fields = json.loads(entry["payload"])
    details = json.loads(fields[10] or "{}")
    details.pop("content", None)
    if content is not None:
        details["content"] = None if content is NULL else content
    fields[10] = json.dumps(details, ensure_ascii=False, sort_keys=True)
    changed = _payload(entry, fields)
    changed.pop("record", None)
    if record is not None:
        changed["record"] = record
    return changed


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class _Hqs:
    """Two HQs with the register: [general statement only, as shipped]."""

    def __init__(self, dsns: list[str], folder: Path) -> None:
        self.hqs = [make_hq(dsn) for dsn in dsns]
        self.roles = []
        for k, hq in enumerate(self.hqs):
            with hq.connect() as conn:
                creds = admin.add_register(conn, REGISTER, "OSLO1")
            settings = hq.settings_for(creds.role, creds.password, folder / str(k))
            self.roles.append(role_dsn(settings))

    def ingest(self, batch: list[Entry]) -> list[Any]:
        """The batch to both; each one's answer, or its error's SQLSTATE and text; and whether
        the shipped HQ said it took the batch as a clean continuation."""
        outcomes: list[Any] = []
        for k, dsn in enumerate(self.roles):
            with psycopg.connect(dsn, autocommit=True) as conn:
                said: list[str] = []
                conn.add_notice_handler(lambda d, said=said: said.append(str(d.message_primary)))
                conn.execute("SET client_min_messages = debug1")
                if k == 0:
                    conn.execute("SET kassa.ingest_general = on")
                try:
                    row = conn.execute(INGEST_ARRAYS, (REGISTER, *arrays(batch))).fetchone()
                    assert row is not None
                    outcomes.append(row[0])
                except psycopg.Error as exc:
                    outcomes.append((exc.sqlstate, str(exc).split("\n")[0]))
                clean = any("clean continuation" in m for m in said)
                if k == 0:
                    assert not clean  # told to rule by the general statement
                else:
                    outcomes.append(clean)
        return outcomes

    def state(self, hq: Hq) -> dict[str, list[Any]]:
        return {name: [tuple(r) for r in hq.all(query)] for name, query in STATE.items()}


@pytest.fixture
def hqs(pg_server: PgServer, tmp_path: Path) -> Iterator[_Hqs]:
    made = [_database(pg_server), _database(pg_server)]
    try:
        yield _Hqs([next(m) for m in made], tmp_path)
    finally:
        for m in made:
            next(m, None)


@pytest.fixture
def time() -> SteeredTime:
    return SteeredTime()


@pytest.fixture
def till(tmp_path: Path, time: SteeredTime) -> Iterator[Till]:
    opened = make_till(tmp_path / "till", Clock(source=time), REGISTER)
    yield opened
    opened.db.close()


@pytest.fixture
def rows(till: Till, time: SteeredTime) -> list[Entry]:
    """The till's journal: plain rows, two sales (one by card), a clock that went back."""
    journal_rows(till, 3)
    sell(till)
    journal_rows(till, 2)
    sell(till, card=True)
    time.advance(-3600)  # the journal says CLOCKBACK once
    journal_rows(till, 3)
    entries = push.batch(till.db, REGISTER, 0, 1000)
    assert {"SALE", "CLOCKBACK"} <= {json.loads(e["payload"])[5] for e in entries}
    return entries


def _sale_at(rows: list[Entry]) -> int:
    return next(k for k, e in enumerate(rows) if "record" in e)


def _records(rows: list[Entry]) -> list[str]:
    return [e["record"] for e in rows if "record" in e]


#: Each scenario: the batches it sends, from the journal's rows, and whether the shipped HQ
#: takes its first batch as a clean continuation. A batch refused whole stores nothing; the
#: whole journal goes after each scenario.
SCENARIOS: dict[str, tuple[Callable[[list[Entry]], list[list[Entry]]], bool]] = {
    "clean, in three batches": (lambda r: [r[:4], r[4:12], r[12:]], True),
    "clean, one batch": (lambda r: [r], True),
    "replays first, then new rows": (lambda r: [r[:5], r[2:9], r[9:]], True),
    "a replay inside the batch": (lambda r: [[*r[:4], r[2], *r[4:8]]], False),
    "rows out of order": (lambda r: [[r[1], r[0], *r[2:6]]], False),
    "a gap": (lambda r: [[*r[:3], *r[4:8]]], False),
    "a twin: another row at a new seq twice": (
        lambda r: [[*r[:3], r[3], _changed(r[3], 3, "00000000-0000-7000-8000-000000000001")]],
        False,
    ),
    "a broken chain, rehashed": (lambda r: [[*r[:2], _changed(r[2], 0, "f" * 64), *r[3:6]]], False),
    "a row that does not hash to its hash": (
        lambda r: [[*r[:2], {**r[2], "hash": "0" * 64}, *r[3:6]]],
        False,
    ),
    "the last row not hashing to its hash": (
        lambda r: [[*r[:2], {**r[2], "hash": "0" * 64}]],
        False,
    ),
    "another register's row": (lambda r: [[*r[:2], _changed(r[2], 1, "KASSE-9")]], False),
    "a row whose seq is not its payload's": (lambda r: [[*r[:2], {**r[2], "seq": 4}]], False),
    "a row that is not twelve fields": (
        lambda r: [[*r[:2], _payload(r[2], json.loads(r[2]["payload"])[:11])]],
        False,
    ),
    "a row that is not a journal row entry can hold (no UUID)": (
        lambda r: [[*r[:2], _changed(r[2], 3, "not-a-uuid")]],
        False,
    ),
    "a sale without its transaction": (
        lambda r: [[*r[: _sale_at(r)], {k: v for k, v in r[_sale_at(r)].items() if k != "record"}]],
        False,
    ),
    "a sale with another transaction than it names": (
        lambda r: [[*r[: _sale_at(r)], {**r[_sale_at(r)], "record": "[[]]"}]],
        False,
    ),
    "a sale with the other sale's transaction": (
        lambda r: [[*r[: _sale_at(r)], {**r[_sale_at(r)], "record": _records(r)[1]}]],
        False,
    ),
    "a chain that skips a seq": (
        lambda r: [[*r[:3], {**_changed(r[3], 2, 5), "seq": 5}]],
        False,
    ),
    "a sale whose transaction is another register's": (
        lambda r: [
            [
                *r[: _sale_at(r)],
                _with_record(
                    r[_sale_at(r)],
                    (rec := r[_sale_at(r)]["record"].replace('"KASSE-1"', '"KASSE-9"', 1)),
                    _sha(rec),
                ),
            ]
        ],
        False,
    ),
    "a sale naming no content (an old till's row)": (
        lambda r: [[*r[: _sale_at(r)], _with_record(r[_sale_at(r)], None, None)]],
        True,
    ),
    "a sale whose content is null, its transaction with it": (
        lambda r: [
            [*r[: _sale_at(r)], _with_record(r[_sale_at(r)], r[_sale_at(r)]["record"], NULL)]
        ],
        False,
    ),
    "a sale whose content is null, no transaction with it": (
        lambda r: [[*r[: _sale_at(r)], _with_record(r[_sale_at(r)], None, NULL)]],
        False,
    ),
    "an empty batch": (lambda r: [[], r[:3], []], False),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_the_clean_continuation_and_the_general_statement_agree(
    hqs: _Hqs, rows: list[Entry], name: str
) -> None:
    make, first_clean = SCENARIOS[name]
    # then the journal as it is: what HQ lacks after the scenario comes, as after a fault
    for k, batch in enumerate([*make(rows), rows]):
        general, shipped, clean = hqs.ingest(batch)
        assert shipped == general, (name, k)
        if k == 0:
            assert clean is first_clean, name
    held = [hqs.state(hq) for hq in hqs.hqs]
    assert held[1] == held[0]
    assert held[1]["entry"], "the scenario stored nothing: it compares nothing"
