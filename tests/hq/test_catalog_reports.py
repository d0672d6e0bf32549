"""`kassa hq report sales|products|stock` over what the tills pushed (issue 15), against a real
PostgreSQL: the day's money equals the till's own sales to the øre, the products sold, stock
moved as deltas with a negative level flagged, and the CLI's JSON and CSV."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.core import i18n
from kassa_tui.hq.report import report
from kassa_tui.people import users
from tests.unit.conftest import ROMME, TOOTHPASTE

from .test_verify import Shop


@pytest.fixture(autouse=True)
def _fast_pins_in_english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture
def shop(hq_dsn: str, tmp_path: Path) -> Iterator[Shop]:
    made = Shop(hq_dsn, tmp_path)
    yield made
    made.till.db.close()
    made.hq.close()


DAY = date(2026, 11, 27)  # SteeredTime's day (Oslo)


def _sold(shop: Shop) -> None:
    shop.sell(ROMME, ROMME)
    shop.sell(TOOTHPASTE, ROMME)
    assert shop.push() == "ok"


def test_sales_products_and_stock_match_the_till(shop: Shop) -> None:
    _sold(shop)
    till_total, till_vat, receipts = shop.till.db.execute_sql(
        "SELECT sum(total_ore), sum(vat_ore), count(*) FROM sale WHERE training = 0"
    ).fetchone()
    sales = report(shop.hq, "sales", DAY, DAY)
    assert sales.as_json() == [
        {
            "date": "2026-11-27",
            "shop": "OSLO1",
            "receipts": receipts,
            "returns": 0,
            "total_ore": till_total,
            "vat_ore": till_vat,
        }
    ]
    assert till_total == 3 * 2490 + 3990
    products = {r["code"]: r for r in report(shop.hq, "products", DAY, DAY).as_json()}
    assert (products[ROMME]["qty_milli"], products[ROMME]["amount_ore"]) == (3000, 3 * 2490)
    stock = {r["code"]: r for r in report(shop.hq, "stock", DAY, DAY).as_json()}
    # the till's own level: the demo's opening stock (journaled, OPENINGSTOCK) less the 3 sold
    (level,) = shop.till.db.execute_sql(
        "SELECT s.on_hand_milli FROM product_stock s JOIN barcode b USING (product_id)"
        " WHERE b.code = ?",
        (ROMME,),
    ).fetchone()
    assert (stock[ROMME]["level_milli"], stock[ROMME]["negative"]) == (level, level < 0)
    # A sale pushed after the first report is added to the day's totals, once.
    shop.sell(ROMME)
    assert shop.push() == "ok"
    (day,) = report(shop.hq, "sales", DAY, DAY).as_json()
    assert (day["receipts"], day["total_ore"]) == (receipts + 1, till_total + 2490)
    products = {r["code"]: r for r in report(shop.hq, "products", DAY, DAY).as_json()}
    assert products[ROMME]["qty_milli"] == 4000
    stock = {r["code"]: r for r in report(shop.hq, "stock", DAY, DAY).as_json()}
    assert stock[ROMME]["level_milli"] == level - 1000
    before = date(2026, 11, 26)  # the day before: nothing had moved yet
    stock = {r["code"]: r for r in report(shop.hq, "stock", before, before).as_json()}
    assert (stock[ROMME]["moved_milli"], stock[ROMME]["level_milli"]) == (0, 0)
    # Another shop, another day: nothing.
    assert report(shop.hq, "sales", DAY, DAY, "BERGEN1").rows == []
    assert report(shop.hq, "sales", date(2026, 11, 28), date(2026, 11, 28)).rows == []


def test_the_cli_prints_text_json_and_csv(shop: Shop, hq_dsn: str, tmp_path: Path) -> None:
    _sold(shop)
    runner = CliRunner()
    env = {"KASSA_HQ_DSN": hq_dsn}
    args = ["hq", "report", "sales", "--from", "2026-11-27", "--to", "2026-11-27"]
    text = runner.invoke(main, args, env=env)
    assert text.exit_code == 0, text.output
    assert "2026-11-27  OSLO1" in text.output and "114,60" in text.output
    as_json = runner.invoke(main, [*args, "--json"], env=env)
    (day,) = json.loads(as_json.output)
    assert day["total_ore"] == 11460
    as_csv = runner.invoke(main, [*args[:3], "--from", "2026-11-27", "--csv"], env=env)
    assert as_csv.output.splitlines() == [
        "date;shop;receipts;returns;total_ore;vat_ore",
        f"2026-11-27;OSLO1;2;0;11460;{day['vat_ore']}",
    ]
    both = runner.invoke(main, [*args, "--json", "--csv"], env=env)
    assert both.exit_code == 2
