"""The system clock jumps backwards and forwards by hours while the till sells."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from kassa_tui.composition import Till, open_till
from kassa_tui.config import load
from kassa_tui.core import i18n
from kassa_tui.core.clock import Clock
from kassa_tui.core.errors import Refused
from kassa_tui.demo import load_demo
from kassa_tui.people import users
from tests.reliability.figures import FIGURES
from tests.unit.conftest import ROMME, TOOTHPASTE, SteeredTime, print_waiting, write_config

HOUR = 3600.0
# Seconds to move the clock before each sale: forward steps, and jumps back by hours.
STEPS = [60, -3 * HOUR, 30, 30, 6 * HOUR, -1 * HOUR, 20, 5 * HOUR, -7 * HOUR, 10, 10 * HOUR]
STEPS += [-2 * HOUR, 4 * HOUR, -30 * HOUR, 20, 40 * HOUR, -0.5 * HOUR, HOUR]


@pytest.fixture(autouse=True)
def _fast_pins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture
def time() -> SteeredTime:
    return SteeredTime()


@pytest.fixture
def till(tmp_path: Path, time: SteeredTime) -> Iterator[Till]:
    opened = open_till(load(write_config(tmp_path)), clock=Clock(source=time))
    i18n.set_language("en")
    load_demo(opened.db, opened.users)
    yield opened
    opened.db.close()


def clockbacks(till: Till) -> int:
    return sum(1 for row in till.journal.rows() if row.basic_id == "CLOCKBACK")


def last_journal_utc(till: Till) -> str:
    return str(till.db.execute_sql("SELECT MAX(utc) FROM journal").fetchone()[0])


def sell(till: Till, card: bool) -> None:
    cashier = till.users.sign_in("1", "1111")
    till.baskets.add(cashier, ROMME)
    till.baskets.add(cashier, TOOTHPASTE)  # the jumps reach nights and Sundays: no beer then
    pay = till.sales.pay_card if card else till.sales.pay_cash
    assert pay(cashier, "").completed is not None
    print_waiting(till)


def test_clock_jumps_while_selling(till: Till, time: SteeredTime) -> None:
    print_waiting(till)
    expected_backs = 0
    for i, step in enumerate(STEPS):
        before = clockbacks(till)
        ahead = time.now.strftime("%Y-%m-%dT%H:%M:%S.%fZ") >= last_journal_utc(till)
        time.advance(step)
        FIGURES.faults["clock jump"] += 1
        jumped_back = time.now.strftime("%Y-%m-%dT%H:%M:%S.%fZ") < last_journal_utc(till)
        sell(till, card=bool(i % 2))
        sell(till, card=not i % 2)  # a second sale while still behind: no second CLOCKBACK
        if jumped_back and ahead:
            expected_backs += 1
            assert clockbacks(till) == before + 1, f"step {i}: one CLOCKBACK per jump back"
        elif not jumped_back:
            assert clockbacks(till) == before, f"step {i}: CLOCKBACK without a jump back"
    assert expected_backs >= 6
    assert clockbacks(till) == expected_backs

    journal = till.db.execute_sql(
        "SELECT seq, utc, local_date, local_time FROM journal ORDER BY seq"
    )
    rows = journal.fetchall()
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    for earlier, later in itertools.pairwise(rows):
        assert later[1] >= earlier[1], f"journal utc went back at seq {later[0]}"
        assert (later[2], later[3]) >= (earlier[2], earlier[3]), f"local time back at {later[0]}"

    sales = till.db.execute_sql(
        "SELECT receipt_nr, completed_utc, local_date, local_time FROM sale"
        " WHERE training = 0 ORDER BY id"
    ).fetchall()
    assert len(sales) == 2 * len(STEPS)
    numbers = [s[0] for s in sales]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), numbers
    for earlier, later in itertools.pairwise(sales):
        assert later[1] >= earlier[1], f"receipt {later[0]} is stamped before {earlier[0]}"
        assert (later[2], later[3]) >= (earlier[2], earlier[3]), f"receipt {later[0]} date"
    assert till.journal.verify() is None


def test_z_after_the_clock_jumps_back(till: Till, time: SteeredTime) -> None:
    lead = till.users.sign_in("2", "2222")
    print_waiting(till)
    sell(till, card=True)
    first = till.reports.z_report(lead, not_counted=True)
    print_waiting(till)
    zs = till.reports.z_reports()
    seq = int(till.db.execute_sql("SELECT MAX(seq) FROM journal").fetchone()[0])

    for back in (2 * HOUR, 26 * HOUR, 72 * HOUR):
        time.advance(-back)
        with pytest.raises(Refused) as refused:
            till.reports.z_report(lead, not_counted=True)
        assert "behind the last Z" in refused.value.message or "already taken" in (
            refused.value.message
        )
        assert till.reports.z_reports() == zs, "a refused Z was stored"
        sell(till, card=False)  # selling goes on, stamped no earlier than the Z
        time.advance(back)

    rows = till.db.execute_sql(
        "SELECT local_date, local_time FROM journal WHERE seq > ? ORDER BY seq", (seq,)
    ).fetchall()
    z_local = till.db.execute_sql("SELECT local_date, local_time FROM z_report").fetchone()
    assert all(tuple(r) >= tuple(z_local) for r in rows), "a row dated before the last Z"

    # The clock right again, the next day: the next Z is taken and dated after the first.
    time.advance(24 * HOUR)
    sell(till, card=True)
    second = till.reports.z_report(lead, not_counted=True)
    print_waiting(till)
    assert second.z_nr == first.z_nr + 1
    dates = [d for _, d in till.reports.z_reports()]
    assert dates == sorted(dates) and dates[-1] > dates[0]
    assert till.journal.verify() is None
