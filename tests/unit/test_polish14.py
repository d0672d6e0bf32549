"""Issue 14's loose ends (polish14). The hidden product «Gavekort» a gift card is sold as is
master data like every product: `kassa init` makes it with its 13021 MASTERDATA journal rows
(group and product), and a till made before that gets it, journaled, with its first card; the
sale screen's VAT lines leave a gift card out (as the receipt does)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.composition import Till, open_till
from kassa_tui.config import load
from kassa_tui.people.person import Person
from kassa_tui.selling import gift_card_sales

from .conftest import TOOTHPASTE, write_config

CARD = "7090012345678"


def masterdata(till: Till) -> list[dict[str, object]]:
    rows = till.db.execute_sql(
        "SELECT text FROM journal WHERE basic_id = 'MASTERDATA' AND event_code = '13021'"
        " ORDER BY seq"
    ).fetchall()
    return [json.loads(row[0]) for row in rows]


def gift_rows(till: Till) -> list[dict[str, object]]:
    return [
        row
        for row in masterdata(till)
        if row.get("plu") == "GAVEKORT" or row.get("group") == "GAVEKORT"
    ]


def test_kassa_init_makes_the_gift_card_product_with_its_journal_rows(tmp_path: Path) -> None:
    path = write_config(tmp_path)
    result = CliRunner().invoke(main, ["--config", str(path), "init", "--demo"])
    assert result.exit_code == 0, result.output
    till = open_till(load(path))
    try:
        product = till.db.execute_sql(
            "SELECT p.id, p.name, p.vat_bp, p.active, g.code FROM product p"
            " JOIN product_group g ON g.id = p.group_id WHERE p.plu = 'GAVEKORT'"
        ).fetchone()
        assert product is not None and product[1:] == ("Gavekort", 0, 0, "GAVEKORT")
        rows = gift_rows(till)
        assert [row["action"] for row in rows] == ["add_group", "add"]
        assert rows[1]["product"] == product[0] and rows[1]["vat_bp"] == 0
        assert rows[0]["saft_group"] == "04999"
    finally:
        till.db.close()


def test_an_older_till_gets_the_product_journaled_with_its_first_card(
    till: Till, cashier: Person
) -> None:
    assert gift_rows(till) == []  # a till made before kassa init made it
    till.baskets.add(cashier, TOOTHPASTE)
    gift_card_sales.sell(till.baskets, cashier, CARD, "500", training=False)
    rows = gift_rows(till)
    assert [row["action"] for row in rows] == ["add_group", "add"]
    product = till.db.execute_sql("SELECT id FROM product WHERE plu = 'GAVEKORT'").fetchone()
    assert rows[1]["product"] == product[0]
    gift_card_sales.sell(till.baskets, cashier, "", "100", training=False)
    assert len(gift_rows(till)) == 2  # made once


def test_the_screen_shows_no_vat_line_for_a_card(till: Till, cashier: Person) -> None:
    gift_card_sales.sell(till.baskets, cashier, CARD, "500", training=False)
    priced = till.baskets.current().priced
    assert [v.rate_bp for v in priced.vat_lines] == [0]  # the price split has the card at 0 %
    assert gift_card_sales.screen_vat_lines(priced) == []
    till.baskets.add(cashier, TOOTHPASTE)  # 25 %
    priced = till.baskets.current().priced
    assert [v.rate_bp for v in gift_card_sales.screen_vat_lines(priced)] == [2500]
