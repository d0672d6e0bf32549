"""Payment methods from kassa.toml ([[payment]]): Vipps beside cash and card, end to end.

A sale paid partly with Vipps and partly in cash is followed to what a cashier, an auditor
and the accountant see: the receipt's bytes, the journal, the X and Z figures, the SAF-T
file (valid against the official XSD, the code from PredefinedBasicID-12) and the voucher's
debit on the Vipps clearing account. A bad [[payment]] table stops kassa naming its key.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from kassa_tui.accounting.voucher import PAYMENT, build_voucher
from kassa_tui.composition import Till, open_till
from kassa_tui.config import ConfigError, load
from kassa_tui.config.payments import DEFAULT_PAYMENT_METHODS
from kassa_tui.core.clock import Clock
from kassa_tui.core.errors import Refused
from kassa_tui.demo import load_demo
from kassa_tui.people.person import Person
from kassa_tui.saft.export import export_saft
from kassa_tui.selling.payment_methods import other_methods

from .conftest import (
    PILSNER,
    PILSNER_PRICE,
    REPO_CONFIG,
    SteeredTime,
    count,
    print_waiting,
    write_config,
)
from .test_saft import DAY, NS, code_list, schema

VIPPS_PART = 2000  # 20,00 of the pilsner's 39,90 by Vipps, the rest in cash


def rows(till: Till, sql: str, *params: object) -> list[tuple[object, ...]]:
    return [tuple(r) for r in till.db.execute_sql(sql, params).fetchall()]


def vipps_and_cash(till: Till, cashier: Person) -> list[bytes]:
    till.baskets.add(cashier, PILSNER)
    till.baskets.confirm_age(cashier, 18)  # the cashier's J: the beer is sold from 18
    part = till.sales.pay_card(cashier, "20,00", "vipps")
    assert part.completed is None
    assert part.remaining == PILSNER_PRICE - VIPPS_PART
    done = till.sales.pay_cash(cashier, "")
    assert done.completed is not None
    return print_waiting(till)


# -- the config --------------------------------------------------------------------------------


def test_the_documented_kassa_toml_lists_cash_card_and_vipps(till: Till) -> None:
    methods = till.config.payment_methods
    assert [(m.key, m.name, m.account, m.saft_code, m.drawer) for m in methods] == [
        ("cash", "Kontant", "1900", "12001", True),
        ("card", "Bankkort", "1579", "12002", False),
        ("vipps", "Vipps", "1578", "12011", False),
        ("gift_card", "Gavekort", "2901", "12005", False),
        ("credit_note", "Tilgodelapp", "2902", "12010", False),
    ]
    assert methods == DEFAULT_PAYMENT_METHODS  # the file shows the built-in defaults
    assert [m.key for m in other_methods(till.config)] == ["vipps", "gift_card", "credit_note"]
    assert till.config.keys["pay_other"] == "shift+f11,alt+v"  # Alt+V: the Linux console


def test_every_code_is_from_the_official_list() -> None:
    assert {m.saft_code for m in DEFAULT_PAYMENT_METHODS} <= code_list("PredefinedBasicID-12")


def without_payment_tables(text: str) -> str:
    start = text.index("[[payment]]")
    end = text.index("[printer]")
    return text[:start] + text[end:]


def test_left_out_the_defaults_apply_with_the_accounting_accounts(tmp_path: Path) -> None:
    text = without_payment_tables(REPO_CONFIG.read_text(encoding="utf-8"))
    text = text.replace('cash = "1900"', 'cash = "1901"')
    config = load(write_config(tmp_path, text))
    assert [m.key for m in config.payment_methods] == [
        "cash",
        "card",
        "vipps",
        "gift_card",
        "credit_note",
    ]
    assert config.accounting.payment_account("cash") == "1901"
    assert config.accounting.payment_account("vipps") == "1578"


BAD = [
    ('key = "vipps"', 'key = "Vipps!"', "payment[2].key"),
    ('saft_code = "12011"', 'saft_code = "12345"', "payment[2].saft_code"),
    ('account = "1578"', 'account = "15a8"', "payment[2].account"),
    ('key = "card"', 'key = "kort"', "payment: must list key = 'card'"),
    ('key = "vipps"', 'key = "card"', "payment[2].key: 'card' is listed twice"),
    ('name = "Vipps"', 'name = "Vipps €"', "payment[2].name"),
    ('name = "Vipps"', 'name = ""', "payment[2].name"),
    ('name = "Vipps"', 'name = "Vipps"\ncolour = "orange"', "payment[2].colour"),
    ('saft_code = "12001"\ndrawer = true', 'saft_code = "12001"\ndrawer = false', "drawer"),
    ('account = "1578"\n', "", "payment[2].account: is missing"),
    ('saft_code = "12010"', 'saft_code = "12005"', "payment: only one method may redeem gift"),
]


@pytest.mark.parametrize(("old", "new", "key"), BAD)
def test_a_bad_payment_table_names_its_key(old: str, new: str, key: str, tmp_path: Path) -> None:
    text = REPO_CONFIG.read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(ConfigError) as caught:
        load(write_config(tmp_path, text.replace(old, new, 1)))
    assert key in str(caught.value)


# -- a sale paid with Vipps ------------------------------------------------------------------


def test_vipps_and_cash_on_the_receipt_and_in_the_journal(till: Till, cashier: Person) -> None:
    jobs = vipps_and_cash(till, cashier)
    receipt = jobs[0].decode("cp865", errors="replace")
    assert "Vipps" in receipt
    assert "20,00" in receipt
    assert rows(till, "SELECT method, amount_ore FROM payment ORDER BY id") == [
        ("vipps", VIPPS_PART),
        ("cash", 2000),  # 19,90 rounded to whole kroner
    ]
    payments = [r.text for r in till.journal.rows() if r.basic_id == "PAYMENT"]
    assert len(payments) == 2
    assert '"method": "vipps"' in payments[0]
    assert f'"amount": {VIPPS_PART}' in payments[0]


def test_a_vipps_payment_alone_leaves_the_drawer_shut(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, PILSNER)
    till.baskets.confirm_age(cashier, 18)  # the cashier's J: the beer is sold from 18
    assert till.sales.pay_card(cashier, "", "vipps").completed is not None
    assert rows(till, "SELECT kick_drawer FROM print_job") == [(0,)]


def test_a_method_set_to_open_the_drawer_opens_it(tmp_path: Path, time: SteeredTime) -> None:
    text = REPO_CONFIG.read_text(encoding="utf-8").replace(
        'saft_code = "12011"\n', 'saft_code = "12011"\ndrawer = true\n'
    )
    till = open_till(load(write_config(tmp_path, text)), clock=Clock(source=time))
    try:
        load_demo(till.db, till.users)
        cashier = till.users.sign_in("1", "1111")
        till.baskets.add(cashier, PILSNER)
        till.baskets.confirm_age(cashier, 18)  # the cashier's J: the beer is sold from 18
        assert till.sales.pay_card(cashier, "", "vipps").completed is not None
        assert rows(till, "SELECT kick_drawer FROM print_job") == [(1,)]
    finally:
        till.db.close()


def test_wrong_vipps_payments_are_refused_and_change_nothing(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, PILSNER)
    till.baskets.confirm_age(cashier, 18)  # the cashier's J: the beer is sold from 18
    with pytest.raises(Refused, match="A Vipps payment cannot be more than the 39,90 left"):
        till.sales.pay_card(cashier, "40,00", "vipps")
    with pytest.raises(Refused, match="klarna is not a payment method of this till"):
        till.sales.pay_card(cashier, "", "klarna")
    with pytest.raises(Refused, match="cash is not a payment method"):
        till.sales.pay_card(cashier, "", "cash")  # cash is counted and rounded: F10
    with pytest.raises(Refused, match="Scan the card first: Gavekort is taken off a card"):
        till.sales.pay_card(cashier, "", "gift_card")
    assert count(till.db, "basket_payment") == 0
    assert count(till.db, "sale") == 0


def test_the_x_and_z_count_vipps_with_its_code(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    vipps_and_cash(till, cashier)
    x = till.reports.x_report(shift_lead)
    pays = {p.method: (p.code, p.num, p.amount) for p in x.payments}
    assert pays["vipps"] == ("12011", 1, VIPPS_PART)
    assert pays["cash"] == ("12001", 1, 2000)
    emp = {(p.emp, p.method): p.amount for p in x.emp_payments}
    assert emp[(cashier.number, "vipps")] == VIPPS_PART
    z = till.reports.z_report(shift_lead, not_counted=True)
    printed = b"".join(print_waiting(till)).decode("cp865", errors="replace")
    assert "Vipps: 1" in printed
    assert z.z_nr is not None


def test_saft_declares_vipps_as_a_mobile_app_and_is_valid(
    till: Till, cashier: Person, shift_lead: Person, tmp_path: Path
) -> None:
    vipps_and_cash(till, cashier)
    till.reports.z_report(shift_lead, not_counted=True)
    doc = etree.parse(str(export_saft(till.db, till.config, DAY, DAY, tmp_path, clock=till.clock)))
    schema().assertValid(doc)
    payments = {
        b.findtext("s:basicID", None, NS): b.findtext("s:predefinedBasicID", None, NS)
        for b in doc.iterfind(".//s:basics/s:basic[s:basicType='12']", NS)
    }
    assert payments["VIPPS"] == "12011"
    paid = [
        (p.findtext("s:paymentType", None, NS), p.findtext("s:paidAmnt", None, NS))
        for p in doc.iterfind(".//s:cashtransaction/s:payment", NS)
    ]
    assert ("VIPPS", "20.00") in paid
    z_types = [e.text for e in doc.iterfind(".//s:eventReport//s:reportPayment/s:paymentType", NS)]
    assert "VIPPS" in z_types


def test_the_voucher_debits_vipps_clearing(till: Till, cashier: Person, shift_lead: Person) -> None:
    vipps_and_cash(till, cashier)
    z = till.reports.z_report(shift_lead, not_counted=True)
    voucher = build_voucher(z, till.config.accounting)
    debits = {
        (ln.account, ln.description): ln.amount for ln in voucher.lines if ln.line_type == PAYMENT
    }
    assert debits[("1578", "Vipps")] == VIPPS_PART
