"""The electronic journal: gap-free, hash-chained, tamper-evident, never stamped back in time."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime

import pytest

from kassa_tui.composition import Till
from kassa_tui.people.person import Person
from kassa_tui.records.journal import row_hash

from .conftest import PILSNER, ROMME, SteeredTime, journal_events, print_waiting


def busy_day(till: Till, person: Person, time: SteeredTime) -> None:
    """A few ordinary actions, a second apart."""
    for code in (ROMME, PILSNER, ROMME):
        till.baskets.add(person, code)
        time.advance(1)
    till.baskets.price_lookup(person, PILSNER)
    time.advance(1)
    till.baskets.confirm_age(person, 18)  # the cashier's J: the beer is sold from 18
    till.sales.pay_cash(person, "")


def utcs(till: Till) -> list[str]:
    cursor = till.db.execute_sql("SELECT utc FROM journal ORDER BY seq")
    return [row[0] for row in cursor.fetchall()]


def drop_trigger(till: Till, name: str) -> None:
    """Simulate a tamperer with direct access to the SQLite file."""
    till.db.execute_sql(f"DROP TRIGGER {name}")


def test_intact_chain_verifies(till: Till, cashier: Person, time: SteeredTime) -> None:
    busy_day(till, cashier, time)
    assert till.journal.verify() is None


def test_rows_carry_register_gap_free_seq_and_uuid(
    till: Till, cashier: Person, time: SteeredTime
) -> None:
    busy_day(till, cashier, time)
    rows = till.db.execute_sql(
        "SELECT register_id, seq, uuid, prev_hash, hash FROM journal ORDER BY seq"
    ).fetchall()
    assert {r[0] for r in rows} == {"KASSE-1"}
    assert [r[1] for r in rows] == list(range(1, len(rows) + 1))
    assert len({r[2] for r in rows}) == len(rows)
    assert rows[0][3] == "0" * 64
    assert all(later[3] == earlier[4] for earlier, later in itertools.pairwise(rows))


def test_altered_row_is_named(till: Till, cashier: Person, time: SteeredTime) -> None:
    busy_day(till, cashier, time)
    add = next(r for r in till.journal.rows() if r.basic_id == "LINEADD")
    drop_trigger(till, "journal_no_update")
    cheaper = json.dumps({**json.loads(add.text), "amount": 1}, sort_keys=True)
    till.db.execute_sql("UPDATE journal SET text = ? WHERE seq = ?", (cheaper, add.seq))
    assert till.journal.verify() == add.seq


def test_altered_time_is_named(till: Till, cashier: Person, time: SteeredTime) -> None:
    busy_day(till, cashier, time)
    drop_trigger(till, "journal_no_update")
    till.db.execute_sql("UPDATE journal SET local_time = '03:00:00' WHERE seq = 4")
    assert till.journal.verify() == 4


def test_removed_row_is_named(till: Till, cashier: Person, time: SteeredTime) -> None:
    busy_day(till, cashier, time)
    drop_trigger(till, "journal_no_delete")
    till.db.execute_sql("DELETE FROM journal WHERE seq = 5")
    assert till.journal.verify() == 5


def test_rehashed_row_breaks_the_next_link(till: Till, cashier: Person, time: SteeredTime) -> None:
    """A tamperer who also recomputes the row's own hash is caught by the row after it."""
    busy_day(till, cashier, time)
    drop_trigger(till, "journal_no_update")
    columns = (
        "register_id, seq, uuid, event_code, basic_id, user_number, utc, local_date, local_time,"
        " text, sale_id, prev_hash"
    )
    row = till.db.execute_sql(f"SELECT {columns} FROM journal WHERE seq = 3").fetchone()
    fields = (*row[:9], '{"amount":1}', row[10])
    forged = row_hash(row[11], fields)
    till.db.execute_sql(
        "UPDATE journal SET text = ?, hash = ? WHERE seq = 3", ('{"amount":1}', forged)
    )
    assert till.journal.verify() == 4


def test_clock_going_back_is_journaled(till: Till, cashier: Person, time: SteeredTime) -> None:
    till.baskets.add(cashier, ROMME)
    before = utcs(till)[-1]
    time.advance(-3600)  # the Pi booted an hour in the past
    till.baskets.add(cashier, PILSNER)
    rows = till.journal.rows()
    assert [r.basic_id for r in rows[-2:]] == ["CLOCKBACK", "LINEADD"]
    detail = json.loads(rows[-2].text)
    assert detail["last"] == before
    assert detail["clock"] == "2026-11-27T10:00:00.000000Z"
    assert utcs(till)[-2:] == [before, before]  # stamped with the last good time, not earlier
    assert (rows[-1].local_date, rows[-1].local_time) == ("2026-11-27", "12:00:00")
    assert till.journal.verify() is None


def test_no_row_ever_carries_an_earlier_time(
    till: Till, cashier: Person, time: SteeredTime
) -> None:
    busy_day(till, cashier, time)
    time.advance(-86_400)
    busy_day(till, cashier, time)
    time.advance(86_400 + 600)  # the clock is set right again
    print_waiting(till)
    till.baskets.add(cashier, ROMME)
    stamped = utcs(till)
    assert stamped == sorted(stamped)
    assert stamped[-1] == "2026-11-27T11:10:08.000000Z"  # right time again, no CLOCKBACK
    assert journal_events(till)[-1] == "LINEADD"
    assert "CLOCKBACK" in journal_events(till)
    assert till.journal.verify() is None


def test_a_sale_is_never_stamped_before_the_previous_one(
    till: Till, cashier: Person, time: SteeredTime
) -> None:
    till.baskets.add(cashier, ROMME)
    till.sales.pay_card(cashier, "")
    time.advance(-3600)
    till.baskets.add(cashier, PILSNER)
    till.baskets.confirm_age(cashier, 18)  # the cashier's J
    till.sales.pay_card(cashier, "")
    sales = till.db.execute_sql(
        "SELECT receipt_nr, completed_utc, local_date, local_time FROM sale ORDER BY receipt_nr"
    ).fetchall()
    assert [s[0] for s in sales] == [1, 2]
    assert sales[1][1] >= sales[0][1]
    assert sales[1][2:] >= sales[0][2:]  # the receipt does not show an earlier time
    texts = [job.doc.as_text() for job in till.print_queue.pending()]
    assert "Kl. 12:00:00" in texts[1]


@pytest.mark.parametrize(
    ("utc", "local"),
    [
        (datetime(2027, 1, 15, 23, 30, tzinfo=UTC), ("2027-01-16", "00:30:00")),  # CET
        (datetime(2027, 7, 1, 22, 30, tzinfo=UTC), ("2027-07-02", "00:30:00")),  # CEST
        (datetime(2027, 3, 28, 1, 30, tzinfo=UTC), ("2027-03-28", "03:30:00")),  # after 02→03
        (datetime(2027, 10, 31, 0, 30, tzinfo=UTC), ("2027-10-31", "02:30:00")),  # CEST
        (datetime(2027, 10, 31, 1, 30, tzinfo=UTC), ("2027-10-31", "02:30:00")),  # CET again
    ],
)
def test_rows_show_oslo_wall_clock_time(
    till: Till, cashier: Person, time: SteeredTime, utc: datetime, local: tuple[str, str]
) -> None:
    time.now = utc
    till.baskets.add(cashier, ROMME)
    row = till.journal.rows()[-1]
    assert (row.local_date, row.local_time) == local
    assert utcs(till)[-1] == utc.strftime("%Y-%m-%dT%H:%M:%S.000000Z")
