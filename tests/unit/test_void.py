"""Voiding a whole sale before payment (annullering, issue 14): a reason, a shift lead above
`[sale] void_approval_above`, every line kept in the journal (13028), counted on the X and Z
and in the SAF-T export; bad input changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from kassa_tui.composition import Till
from kassa_tui.config import ConfigError, load
from kassa_tui.core.errors import Refused
from kassa_tui.people.person import Person
from kassa_tui.saft.export import export_saft

from .conftest import REPO_CONFIG, ROMME, ROMME_PRICE, VG, count, write_config
from .test_saft import DAY, NS, schema

VG_PRICE = 4000  # VG (newspaper), 0 % VAT


def void_rows(till: Till) -> list[tuple[str, int | None, dict[str, object]]]:
    rows = till.db.execute_sql(
        "SELECT event_code, user_number, text FROM journal WHERE basic_id = 'VOID' ORDER BY seq"
    ).fetchall()
    return [(code, user, json.loads(text)) for code, user, text in rows]


def test_a_cashier_voids_a_small_sale_and_every_line_is_kept(
    till: Till, cashier: Person, tmp_path: Path
) -> None:
    till.baskets.add(cashier, ROMME)
    till.baskets.add(cashier, VG, 2000)
    uuid = till.baskets.current().uuid
    assert till.baskets.void_needs_approval(cashier) is False
    voided = till.baskets.void_sale(cashier, "Feil registrering")
    total = ROMME_PRICE + 2 * VG_PRICE
    assert voided == total
    assert till.baskets.current().empty  # the next customer starts on an empty basket
    # The basket is kept, never dropped: its row says voided and its lines are still there.
    assert count(till.db, "basket", "uuid = ? AND status = 'voided'", uuid) == 1
    assert count(till.db, "basket_line l JOIN basket b ON b.id = l.basket_id", "b.uuid = ?", uuid)
    [(code, user, details)] = void_rows(till)
    assert (code, user) == ("13028", cashier.number)
    assert details["reason"] == "Feil registrering" and details["amount"] == total
    assert details["basket"] == uuid and "approver" not in details
    lines = details["lines"]
    assert isinstance(lines, list)
    assert [(ln["name"], ln["qty"], ln["amount"]) for ln in lines] == [
        ("Rømme 18 % 3 dl", 1000, ROMME_PRICE),
        ("VG", 2000, 2 * VG_PRICE),
    ]
    # X: its own figure, number and amount; nothing sold.
    x = till.reports.x_report(cashier)
    assert (x.voided.num, x.voided.amount) == (1, total)
    assert x.receipts == 0 and x.total_cash_sale == 0
    # SAF-T: valid against the XSD, the void an event of its own declared as 13028.
    doc = etree.parse(str(export_saft(till.db, till.config, DAY, DAY, tmp_path, clock=till.clock)))
    schema().assertValid(doc)
    assert "VOID" in [e.text for e in doc.iterfind(".//s:event/s:eventType", NS)]
    basic = ".//s:basic[s:basicID='VOID']/s:predefinedBasicID"
    assert doc.findtext(basic, None, NS) == "13028"
    assert doc.findtext(".//s:eventReport/s:reportVoidTransNum", None, NS) == "1"
    assert doc.findtext(".//s:eventReport/s:reportVoidTransAmnt", None, NS) == "104.90"


def test_above_the_limit_a_cashier_needs_a_shift_lead(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, ROMME, 21_000)  # 522,90 kr
    assert till.baskets.void_needs_approval(cashier) is True
    before = count(till.db, "journal")
    with pytest.raises(Refused, match="shift lead"):
        till.baskets.void_sale(cashier, "Annet")
    assert count(till.db, "journal") == before and not till.baskets.current().empty
    with pytest.raises(Refused, match="PIN"):
        till.baskets.void_sale(cashier, "Annet", ("2", "0000"))
    assert void_rows(till) == [] and not till.baskets.current().empty
    with pytest.raises(Refused):  # another cashier cannot approve
        till.baskets.void_sale(cashier, "Annet", ("1", "1111"))
    assert void_rows(till) == []
    assert till.baskets.void_sale(cashier, "Annet", ("2", "2222")) == 21 * ROMME_PRICE
    [(_code, user, details)] = void_rows(till)
    assert (user, details["approver"]) == (cashier.number, 2)
    assert till.baskets.current().empty


def test_a_shift_lead_voids_above_the_limit_on_their_own(till: Till, shift_lead: Person) -> None:
    till.baskets.add(shift_lead, ROMME, 21_000)
    assert till.baskets.void_needs_approval(shift_lead) is False
    till.baskets.void_sale(shift_lead, "Annet")
    assert [d.get("approver") for _c, _u, d in void_rows(till)] == [None]


def test_bad_voids_are_refused_and_change_nothing(till: Till, cashier: Person) -> None:
    with pytest.raises(Refused, match="empty"):
        till.baskets.void_sale(cashier, "Annet")
    till.baskets.add(cashier, ROMME)
    with pytest.raises(Refused, match="reason"):
        till.baskets.void_sale(cashier, "  ")
    till.baskets.add(cashier, VG)
    till.sales.pay_card(cashier, "10")  # a payment taken: finish the payment first
    with pytest.raises(Refused, match="payment"):
        till.baskets.void_sale(cashier, "Annet")
    assert void_rows(till) == []
    assert len(till.baskets.current().priced.lines) == 2


def test_a_bad_void_setting_names_its_key(tmp_path: Path) -> None:
    text = REPO_CONFIG.read_text(encoding="utf-8")
    bad = text.replace("void_approval_above = 500", "void_approval_above = -1")
    with pytest.raises(ConfigError, match=r"sale\.void_approval_above"):
        load(write_config(tmp_path, bad))
    reasons = (
        'void_reasons = ["Kunden ombestemte seg", "Feil registrering", "Kunden kunne ikke betale"]'
    )
    assert reasons in text
    with pytest.raises(ConfigError, match=r"sale\.void_reasons"):
        load(write_config(tmp_path, text.replace(reasons, 'void_reasons = ["  "]')))
