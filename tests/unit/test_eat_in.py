"""Eaten in or taken away (issue 14): buns and baguettes are 15 % taken away and 25 % eaten
in. One key marks the sale eaten in; the per-line VAT follows it, the receipt says which, and
the X/Z VAT lines, the voucher and the SAF-T export carry the rates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from kassa_tui.accounting.voucher import build_voucher
from kassa_tui.catalog.counter_rules import set_product_rule
from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from kassa_tui.people.person import Person
from kassa_tui.saft.export import export_saft

from .conftest import ROMME, count, print_waiting
from .test_saft import DAY, NS, schema

BOLLE = "7013369185434"  # Skillingsbolle 1 stk, 22,90: 15 % taken away, 25 % eaten in
BAGUETTE = "7014358251918"  # Baguette 1 stk, 24,90: 15 % / 25 %


def rates(till: Till) -> list[tuple[str, int]]:
    return [(p.line.name, p.line.vat_bp) for p in till.baskets.current().priced.lines]


def test_eaten_in_from_the_receipt_to_the_voucher(
    till: Till, cashier: Person, shift_lead: Person, tmp_path: Path
) -> None:
    till.baskets.add(cashier, BOLLE)
    till.baskets.add(cashier, ROMME)  # no eat-in rate: 15 % either way
    assert till.baskets.toggle_eat_in(cashier) is True
    till.baskets.add(cashier, BAGUETTE)  # scanned after the key: eaten in too
    assert rates(till) == [
        ("Skillingsbolle 1 stk", 2500),
        ("Rømme 18 % 3 dl", 1500),
        ("Baguette 1 stk", 2500),
    ]
    assert till.baskets.current().priced.total == 2290 + 2490 + 2490  # prices stay
    [row] = [json.loads(r.text) for r in till.journal.rows() if r.basic_id == "EATIN"]
    assert (row["eat_in"], row["lines"]) == (True, 1)
    done = till.sales.pay_cash(cashier, "").completed
    assert done is not None
    assert count(till.db, "sale_eat_in", "sale_id = ?", done.sale_id) == 1
    [receipt] = print_waiting(till)
    text = receipt.decode("cp865", errors="replace")
    assert "Spises her (servering)" in text and "Ta med" not in text
    assert "25 %          38,24       9,56" in text  # 22,90 + 24,90 at 25 %
    assert "15 %          21,65       3,25" in text
    z = till.reports.z_report(shift_lead, not_counted=True)
    vat = {v.rate_bp: (v.basis, v.vat) for v in z.vat}
    assert vat[2500] == (3824, 956) and vat[1500] == (2165, 325)
    voucher = build_voucher(z, till.config.accounting)
    sales = [(ln.account, ln.amount, ln.vat_code) for ln in voucher.lines if ln.line_type == "sale"]
    assert sales == [("3000", -3824, "3"), ("3030", -2165, "31")]
    doc = etree.parse(str(export_saft(till.db, till.config, DAY, DAY, tmp_path, clock=till.clock)))
    schema().assertValid(doc)
    codes = [
        (line.findtext("s:artID", "", NS), line.findtext("s:vat/s:vatCode", "", NS))
        for line in doc.iterfind(".//s:cashtransaction/s:ctLine", NS)
    ]
    assert [code for _art, code in codes] == ["3", "31", "3"]


def test_the_key_again_takes_it_away_and_the_receipt_says_so(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, BOLLE)
    till.baskets.toggle_eat_in(cashier)
    assert till.baskets.toggle_eat_in(cashier) is False
    assert rates(till) == [("Skillingsbolle 1 stk", 1500)]
    assert till.baskets.eaten_in() is False
    done = till.sales.pay_card(cashier, "").completed
    assert done is not None and count(till.db, "sale_eat_in") == 0
    [receipt] = print_waiting(till)
    text = receipt.decode("cp865", errors="replace")
    assert "Ta med (takeaway)" in text and "Spises her" not in text
    till.baskets.add(cashier, ROMME)  # nothing with two rates: nothing said
    till.sales.pay_card(cashier, "")
    [plain] = print_waiting(till)
    assert "Ta med" not in plain.decode("cp865", errors="replace")


def test_bad_eat_in_changes_nothing(till: Till, cashier: Person) -> None:
    with pytest.raises(Refused, match="Scan the first item"):
        till.baskets.toggle_eat_in(cashier)
    till.baskets.add(cashier, BOLLE)
    till.baskets.add(cashier, ROMME)
    till.sales.pay_card(cashier, "10")  # part paid: the rates can no longer change
    with pytest.raises(Refused, match="payment"):
        till.baskets.toggle_eat_in(cashier)
    assert rates(till)[0] == ("Skillingsbolle 1 stk", 1500)
    product_id = till.baskets.current().priced.lines[1].line.product_id
    with pytest.raises(Refused, match="one of the till's rates"):
        set_product_rule(till.db, product_id, eat_in_vat_bp=3000)
    assert count(till.db, "product_counter_rule", "product_id = ?", product_id) == 0


def test_a_provisional_receipt_says_eaten_in_too(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, BOLLE)
    till.baskets.toggle_eat_in(cashier)
    till.receipts.provisional(cashier)
    [receipt] = print_waiting(till)
    text = receipt.decode("cp865", errors="replace")
    assert "Spises her (servering)" in text and "25 %          18,32       4,58" in text
