"""The insight screen's figures (kassa_tui.insight.figures) on a real till: sales made through
kassa's services on a steered clock, each figure checked against a count made by hand.

The till's day is Friday 27 November 2026 (business day; cut-off 04:00 Oslo time).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kassa_tui.composition import Till, open_till
from kassa_tui.config import load
from kassa_tui.core import i18n
from kassa_tui.core.clock import Clock
from kassa_tui.demo import load_demo
from kassa_tui.insight import figures, product_table
from kassa_tui.people import users
from kassa_tui.people.person import Person
from kassa_tui.selling import gift_card_sales
from tests.unit.conftest import (
    ROMME,
    ROMME_PRICE,
    TOOTHPASTE,
    TOOTHPASTE_PRICE,
    print_waiting,
    write_config,
)

FRIDAY_NOON = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)  # 12:00 in Oslo


class Steered:
    def __init__(self) -> None:
        self.now = FRIDAY_NOON - timedelta(days=70)  # the till never goes back in time

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def steered() -> Steered:
    return Steered()


@pytest.fixture
def till(tmp_path: Path, steered: Steered, monkeypatch: pytest.MonkeyPatch) -> Iterator[Till]:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)
    i18n.set_language("en")
    opened = open_till(load(write_config(tmp_path)), clock=Clock(source=steered))
    load_demo(opened.db, opened.users)
    yield opened
    opened.db.close()


def sell(till: Till, person: Person, *lines: tuple[str, int]) -> int:
    """Paid by card (no cash rounding); the receipt number."""
    for code, qty in lines:
        till.baskets.add(person, code, qty)
    done = till.sales.pay_card(person, "").completed
    assert done is not None
    print_waiting(till)
    return done.receipt_nr


def at(steered: Steered, when: datetime) -> None:
    steered.now = when


def shop_history(till: Till, steered: Steered) -> None:
    """A week ago: 1 Rømme. Today: 2 Rømme (one comes back), 1 toothpaste after midnight
    (01:30 on Saturday is still Friday's business day), and a training sale."""
    cashier = till.users.sign_in("1", "1111")
    lead = till.users.sign_in("2", "2222")
    romme = till.catalog.by_barcode(ROMME)
    at(steered, FRIDAY_NOON - timedelta(days=30))
    till.stock.receive(lead, [(romme.id, 10_000, 1200)])  # cost 12,00 a piece
    at(steered, FRIDAY_NOON - timedelta(days=7))
    sell(till, cashier, (ROMME, 1000))
    at(steered, FRIDAY_NOON)
    nr = sell(till, cashier, (ROMME, 2000))
    at(steered, FRIDAY_NOON + timedelta(hours=1))
    till.returns.return_lines(cashier, nr, [(1, 1000)], "Feil vare", "2", "2222")
    print_waiting(till)
    at(steered, FRIDAY_NOON + timedelta(hours=13, minutes=30))  # 01:30 Saturday in Oslo
    gift_card_sales.sell(till.baskets, cashier, "7090012345678", "100", training=False)
    sell(till, cashier, (TOOTHPASTE, 1000))  # with a gift card: no revenue, no item
    at(steered, FRIDAY_NOON + timedelta(hours=13, minutes=40))
    till.receipts.training_on(lead)
    sell(till, cashier, (ROMME, 5000))  # training: in no figure
    till.receipts.training_off(lead)
    at(steered, FRIDAY_NOON + timedelta(hours=14))  # 03:00 Saturday: still Friday's day


def test_sales_figures_are_the_hand_count(till: Till, steered: Steered) -> None:
    shop_history(till, steered)
    sales = figures.sales_figures(till.db, till.clock.now(), till.config.day_cutoff_hour)

    assert sales.business_date == "2026-11-27"
    today = {c.name: c for c in sales.comparisons}["today"]
    # 2 x 24,90 - 24,90 returned + 39,90 = 64,80; two receipts, one return, 2 items net.
    assert today.now.revenue_ore == 2 * ROMME_PRICE - ROMME_PRICE + TOOTHPASTE_PRICE
    assert (today.now.receipts, today.now.returns, today.now.items) == (2, 1, 2)
    assert today.now.average_basket_ore == round(today.now.revenue_ore / 2)
    assert today.now.items_per_basket == 1.0
    assert (today.before.first, today.before.revenue_ore, today.before.receipts) == (
        "2026-11-20",
        ROMME_PRICE,
        1,
    )
    assert today.change_pct == pytest.approx(100 * (6480 - 2490) / 2490)
    week = {c.name: c for c in sales.comparisons}["week"]
    assert (week.now.first, week.now.revenue_ore) == ("2026-11-23", 6480)
    assert (week.before.first, week.before.last, week.before.revenue_ore) == (
        "2026-11-16",
        "2026-11-20",
        ROMME_PRICE,
    )
    month = {c.name: c for c in sales.comparisons}["month"]
    assert (month.now.revenue_ore, month.before.revenue_ore) == (6480 + ROMME_PRICE, 0)

    assert len(sales.days) == 90
    assert (sales.days[-1].date, sales.days[-1].revenue_ore) == ("2026-11-27", 6480)
    assert sales.days[-1].average7_ore == round(6480 / 7)  # a week ago is the 8th day back
    assert (sales.days[-8].date, sales.days[-8].revenue_ore) == ("2026-11-20", ROMME_PRICE)
    assert sum(day.revenue_ore for day in sales.days) == 6480 + ROMME_PRICE

    friday = 4
    assert sales.hour_receipts[friday][12] == 2  # today and a week ago; a return is no receipt
    assert sales.hour_revenue[friday][13] == -ROMME_PRICE  # the return, at 13:00
    assert sales.hour_receipts[friday][1] == 1  # 01:30 belongs to Friday's business day
    assert sum(map(sum, sales.hour_receipts)) == 3  # the training sale counts nowhere


def test_product_figures_are_the_hand_count(till: Till, steered: Steered) -> None:
    shop_history(till, steered)
    found = product_table.product_figures(till.db, till.clock.now(), till.config.day_cutoff_hour)
    rows = {row.name: row for row in found.rows}
    romme = rows["Rømme 18 % 3 dl"]
    # 1 a week ago + 2 today - 1 returned; 2 x 24,90 net; cost 12,00: margin ex VAT 15 %.
    assert (romme.units_milli, romme.revenue_ore) == (2000, 2 * ROMME_PRICE)
    net = 2 * ROMME_PRICE - 2 * round(ROMME_PRICE * 1500 / 11500)
    assert romme.margin_ore == pytest.approx(net - 2400, abs=2)
    on_hand = till.stock.on_hand([romme.product_id])[romme.product_id]
    assert romme.on_hand_milli == on_hand > 8000  # the demo's stock, 10 received, 2 sold net
    assert romme.cover_days == pytest.approx(on_hand / (2000 / 28))
    assert romme.trend_pct is None and not romme.dead
    tooth = rows["Colgate Max Fresh 75 ml"]
    assert (tooth.units_milli, tooth.revenue_ore, tooth.margin_ore) == (1000, 3990, None)
    # Revenue 49,80 and 39,90: the toothpaste starts at 56 % of revenue, inside the first 80 %.
    assert (romme.abc, tooth.abc) == ("A", "A")
    assert figures.abc_classes({1: 80, 2: 15, 3: 5}) == {1: "A", 2: "B", 3: "C"}
    sold = [r for r in found.rows if r.abc != "-"]  # the screen's classes are abc_classes'
    assert {r.product_id: r.abc for r in sold} == figures.abc_classes(
        {r.product_id: r.revenue_ore for r in sold}
    )


def test_dead_stock_is_stock_without_a_sale(till: Till, steered: Steered) -> None:
    lead = till.users.sign_in("2", "2222")
    romme = till.catalog.by_barcode(ROMME)
    at(steered, FRIDAY_NOON - timedelta(days=60))
    till.stock.receive(lead, [(romme.id, 10_000, None)])
    sell(till, till.users.sign_in("1", "1111"), (ROMME, 1000))
    at(steered, FRIDAY_NOON)
    found = product_table.product_figures(till.db, till.clock.now(), till.config.day_cutoff_hour)
    row = next(r for r in found.rows if r.product_id == romme.id)
    assert row.dead and row.units_milli == 1000 and row.on_hand_milli > 0
    assert found.dead_count >= 1


# -- kassa report sales|products|hours: the same figures over SSH ------------------------------

LEAD, CASHIER = "2\n2222\n", "1\n1111\n"  # number and PIN, on stdin
PERIOD = ("--from", "2026-11-01", "--to", "2026-11-27")


def kassa(config: Path, *args: str, input: str = LEAD) -> tuple[int, str]:
    from click.testing import CliRunner

    from kassa_tui.cli import main

    result = CliRunner().invoke(main, ["--config", str(config), *args], input=input)
    return result.exit_code, result.output


@pytest.fixture
def shop(till: Till, steered: Steered, tmp_path: Path) -> Path:
    shop_history(till, steered)
    till.db.close()
    return tmp_path / "kassa.toml"


def test_report_sales_has_the_screens_figures(shop: Path) -> None:
    import json

    code, out = kassa(shop, "report", "sales", *PERIOD, "--json")
    assert code == 0, out
    found = json.loads(out[out.index("{") :])
    assert found["total"]["revenue_ore"] == 6480 + ROMME_PRICE  # the week before too
    assert (found["total"]["receipts"], found["total"]["returns"]) == (3, 1)
    today = found["comparisons"][0]
    assert (today["period"], today["now"]["revenue_ore"], today["before"]["revenue_ore"]) == (
        "today",
        6480,
        ROMME_PRICE,
    )
    assert found["days"][-1] == {
        "date": "2026-11-27",
        "revenue_ore": 6480,
        "receipts": 2,
        "average7_ore": round(6480 / 7),
    }
    code, out = kassa(shop, "report", "sales", *PERIOD, "--csv")
    assert code == 0 and "2026-11-27;64,80;2;9,26\n" in out, out
    code, out = kassa(shop, "report", "sales", *PERIOD)
    assert code == 0 and "Revenue 89,70, receipts 3, returns 1" in out, out


def test_report_products_and_hours(shop: Path) -> None:
    import json

    code, out = kassa(shop, "report", "products", *PERIOD, "--json")
    assert code == 0, out
    products = json.loads(out[out.index("{") :])["products"]
    assert [(p["name"], p["units_milli"], p["revenue_ore"]) for p in products] == [
        ("Rømme 18 % 3 dl", 2000, 2 * ROMME_PRICE),
        ("Colgate Max Fresh 75 ml", 1000, TOOTHPASTE_PRICE),
    ]
    code, out = kassa(shop, "report", "products", *PERIOD, "--sort", "units", "--worst", "--csv")
    assert code == 0 and out.splitlines()[1].split(";")[1] == "Colgate Max Fresh 75 ml", out
    code, out = kassa(shop, "report", "hours", *PERIOD, "--csv")
    assert code == 0, out
    assert "fri;12;2;74,70\n" in out and "fri;1;1;39,90\n" in out  # 01:30 is Friday's
    assert "fri;13;0;-24,90\n" in out  # the return


def test_a_cashier_gets_no_report_and_bad_dates_are_refused(shop: Path) -> None:
    code, out = kassa(shop, "report", "sales", *PERIOD, input=CASHIER)
    assert code != 0 and "6480" not in out and "64,80" not in out
    code, out = kassa(shop, "report", "sales", "--from", "2026-11-28", "--to", "2026-11-27")
    assert code == 2 and "--from 2026-11-28 is after --to 2026-11-27" in out
    code, out = kassa(shop, "report", "hours", "--from", "27.11.2026")
    assert code == 2 and "'27.11.2026' is not a date (YYYY-MM-DD)" in out
