"""HQ's sales report counts sales as the Z does (issue 15): a gift card sold is not a sale.

The Z's cash sales leave out the lines of group GAVEKORT (money taken for a card, not goods
sold); `kassa hq report sales` now does too (0008_report_gift_cards.sql), with a return and a
training sale beside it. What HQ holds of each receipt is unchanged: the sale row's total is
still the receipt's, gift card and all.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import psycopg

from kassa_tui.composition import Till
from kassa_tui.hq.report import report
from kassa_tui.selling import gift_card_sales
from kassa_tui.sync import link, push
from tests.unit.conftest import TOOTHPASTE, print_waiting

from .pushing import Hq, sell

REGISTER = "KASSE-1"


def test_the_sales_report_leaves_gift_cards_sold_out_as_the_z_does(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    sell(till)
    cashier = till.users.sign_in("1", "1111")
    till.baskets.add(cashier, TOOTHPASTE)  # goods and a 500 kr gift card on one receipt
    gift_card_sales.sell(till.baskets, cashier, "7090012345678", "500", training=False)
    till.sales.pay_card(cashier, "")
    print_waiting(till)
    cashier = till.users.sign_in("1", "1111")  # a gift card alone
    gift_card_sales.sell(till.baskets, cashier, "7090012345685", "200", training=False)
    till.sales.pay_card(cashier, "")
    print_waiting(till)
    assert till.returns.return_lines(cashier, 1, [(1, 1000)], "Skadet", "2", "2222").total < 0
    print_waiting(till)
    lead = till.users.sign_in("2", "2222")
    till.receipts.training_on(lead)
    sell(till)
    till.receipts.training_off(lead)
    z = till.reports.z_report(lead, not_counted=True)
    result = push.push(till.db, REGISTER, till.clock, lambda: link.connect(settings))
    assert result.status == "ok", result.message
    day = date.fromisoformat(z.business_date)
    with psycopg.connect(hq.dsn, autocommit=True) as conn:
        sales = report(conn, "sales", day, day).as_json()
    assert len(sales) == 1
    assert sales[0]["total_ore"] == z.total_cash_sale
    assert sales[0]["vat_ore"] == sum(v.vat for v in z.vat)
    # the receipts HQ holds still carry the cards: 700 kr more than the Z's sales
    receipts = hq.one("SELECT sum(total_ore) FROM sale WHERE NOT training")
    assert receipts - z.total_cash_sale == 70_000
