"""The permission matrix, as the services apply it: every guarded method refuses the wrong role
with a clear message and a DENIED journal row, and writes nothing else."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission, allowed, describe
from kassa_tui.people.person import Person
from tests.unit.conftest import PILSNER, ROMME, count

TECHNICIAN = Person(9, "Tor Tekniker", "technician")  # demo user 9
TABLES = (
    "journal",
    "basket",
    "basket_line",
    "sale",
    "print_job",
    "cash_event",
    "z_report",
    "stock_movement",
    "delivery",
    "product",
    "stocktake",
    "stocktake_count",
)


def rows(till: Till) -> dict[str, int]:
    return {table: count(till.db, table) for table in TABLES}


def denied(till: Till) -> list[dict[str, Any]]:
    return [
        {"user": r.user_number, **json.loads(r.text)}
        for r in till.journal.rows()
        if r.basic_id == "DENIED"
    ]


def assert_denied(
    till: Till, person: Person, permission: Permission, call: Callable[[], object]
) -> None:
    before = rows(till)
    with pytest.raises(Refused) as refused:
        call()
    message = str(refused.value)
    assert person.name in message and describe(permission) in message
    after = rows(till)
    assert after["journal"] == before["journal"] + 1  # the DENIED row, nothing else
    assert {k: v for k, v in after.items() if k != "journal"} == {
        k: v for k, v in before.items() if k != "journal"
    }
    last = denied(till)[-1]
    assert last["user"] == person.number
    assert last["permission"] == str(permission)


def first_line(till: Till) -> int:
    return till.baskets.current().priced.lines[0].line.id


def sold(till: Till, person: Person, *codes: str) -> int:
    for code in codes:
        till.baskets.add(person, code)
    if age := till.baskets.age_to_confirm():  # the cashier's J: beer is sold from 18
        till.baskets.confirm_age(person, age)
    done = till.sales.pay_cash(person, "").completed
    assert done is not None
    return done.receipt_nr


def romme_id(till: Till) -> int:
    return till.catalog.by_barcode(ROMME).id


def as_approver(till: Till, monkeypatch: pytest.MonkeyPatch, person: Person) -> None:
    """users.approver already insists on a shift lead; make it hand over `person` so the
    matrix check behind it is what decides."""
    monkeypatch.setattr(till.users, "approver", lambda number, pin: person)


# -- the matrix --------------------------------------------------------------------------------


def test_the_matrix() -> None:
    assert allowed("cashier", Permission.SELL) and allowed("cashier", Permission.X_REPORT)
    assert not allowed("cashier", Permission.DISCOUNT_OVER_LIMIT)
    assert not allowed("shift_lead", Permission.USERS)
    assert not allowed("shift_lead", Permission.EXPORT)
    assert not allowed("technician", Permission.SELL)
    assert not allowed("nobody", Permission.X_REPORT)


@pytest.mark.parametrize("permission", [Permission.USERS, Permission.EXPORT])
def test_a_shift_lead_may_not_administer(
    till: Till, shift_lead: Person, permission: Permission
) -> None:
    assert_denied(
        till,
        shift_lead,
        permission,
        lambda: permissions.require(till.db, till.journal, shift_lead, permission),
    )
    permissions.require(till.db, till.journal, TECHNICIAN, permission)  # the technician may


def test_nobody_signed_in_is_refused_and_journaled(till: Till) -> None:
    with pytest.raises(Refused, match="Nobody signed in"):
        permissions.require(till.db, till.journal, None, Permission.SELL)
    assert denied(till)[-1] == {"user": None, "permission": "sell"}


# -- SELL --------------------------------------------------------------------------------------


def test_a_technician_cannot_sell(till: Till, cashier: Person) -> None:
    assert_denied(till, TECHNICIAN, Permission.SELL, lambda: till.baskets.add(TECHNICIAN, ROMME))
    till.baskets.add(cashier, ROMME)
    assert_denied(till, TECHNICIAN, Permission.SELL, lambda: till.sales.pay_cash(TECHNICIAN))
    assert_denied(till, TECHNICIAN, Permission.SELL, lambda: till.sales.pay_card(TECHNICIAN))


def test_a_cashier_sells(till: Till, cashier: Person) -> None:
    assert sold(till, cashier, ROMME, PILSNER) >= 1
    till.baskets.add(cashier, ROMME)
    assert till.sales.pay_card(cashier).completed is not None
    assert denied(till) == []


# -- discounts ---------------------------------------------------------------------------------


def test_a_cashier_discounts_up_to_the_limit(till: Till, cashier: Person) -> None:
    assert till.config.discount_limit_percent == 20
    till.baskets.add(cashier, PILSNER)  # 39,90: 20 % is 7,98
    line = first_line(till)
    till.baskets.discount_line(cashier, line, "20%", "Kort dato")
    till.baskets.discount_line(cashier, line, "7,98", "Kort dato")
    till.baskets.discount_sale(cashier, "20%", "Kundeklubb")
    assert denied(till) == []


def test_a_cashier_cannot_discount_above_the_limit(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, PILSNER)
    line = first_line(till)
    over = Permission.DISCOUNT_OVER_LIMIT
    discount_line = till.baskets.discount_line
    assert_denied(till, cashier, over, lambda: discount_line(cashier, line, "21%", "Annet"))
    assert_denied(till, cashier, over, lambda: discount_line(cashier, line, "7,99", "Annet"))
    discount_sale = till.baskets.discount_sale
    assert_denied(till, cashier, over, lambda: discount_sale(cashier, "50%", "Annet"))
    assert_denied(till, cashier, over, lambda: discount_sale(cashier, "8", "Annet"))
    priced = till.baskets.current().priced
    assert priced.discount == 0


def test_a_shift_lead_discounts_above_the_limit(till: Till, shift_lead: Person) -> None:
    till.baskets.add(shift_lead, PILSNER)
    till.baskets.discount_line(shift_lead, first_line(till), "50%", "Skadet vare")
    till.baskets.discount_sale(shift_lead, "10", "Kundeklubb")
    assert till.baskets.current().priced.discount == 1995 + 1000
    assert denied(till) == []


# -- approvals ---------------------------------------------------------------------------------


def test_a_price_override_needs_price_override(
    till: Till, cashier: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    till.baskets.add(cashier, PILSNER)
    line = first_line(till)
    till.baskets.override_price(cashier, line, "30", "2", "2222")  # a shift lead approves
    assert till.baskets.current().priced.lines[0].line.unit_price_ore == 3000
    as_approver(till, monkeypatch, cashier)
    assert_denied(
        till,
        cashier,
        Permission.PRICE_OVERRIDE,
        lambda: till.baskets.override_price(cashier, line, "10", "1", "1111"),
    )


def test_a_cashier_cannot_approve(till: Till, cashier: Person) -> None:
    """users.approver refuses a cashier first (journaled as a failed approval, not DENIED)."""
    nr = sold(till, cashier, ROMME)
    till.baskets.add(cashier, PILSNER)
    before = count(till.db, "sale")
    with pytest.raises(Refused, match="shift lead"):
        till.baskets.override_price(cashier, first_line(till), "10", "1", "1111")
    with pytest.raises(Refused, match="shift lead"):
        till.returns.return_lines(cashier, nr, [(1, 1000)], "Feil", "1", "1111")
    with pytest.raises(Refused, match="shift lead"):
        till.drawer.open_no_sale(cashier, "1", "1111")
    assert count(till.db, "sale") == before


def test_returns_need_the_approvers_permission(
    till: Till, cashier: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    nr = sold(till, cashier, ROMME, PILSNER)
    done = till.returns.return_lines(cashier, nr, [(1, 1000)], "Knust", "2", "2222")
    assert done.receipt_nr
    done = till.returns.return_without_receipt(cashier, [(ROMME, 1000)], "Defekt", "2", "2222")
    assert done.receipt_nr
    as_approver(till, monkeypatch, cashier)
    assert_denied(
        till,
        cashier,
        Permission.RETURN,
        lambda: till.returns.return_lines(cashier, nr, [(2, 1000)], "Feil", "1", "1111"),
    )
    assert_denied(
        till,
        cashier,
        Permission.RETURN_WITHOUT_RECEIPT,
        lambda: till.returns.return_without_receipt(
            cashier, [(ROMME, 1000)], "Defekt", "1", "1111"
        ),
    )


def test_no_sale_needs_no_sale(
    till: Till, cashier: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert till.drawer.open_no_sale(cashier, "2", "2222")
    as_approver(till, monkeypatch, cashier)
    assert_denied(
        till, cashier, Permission.NO_SALE, lambda: till.drawer.open_no_sale(cashier, "1", "1111")
    )


# -- training ----------------------------------------------------------------------------------


def test_training_is_the_shift_leads(till: Till, cashier: Person, shift_lead: Person) -> None:
    assert_denied(till, cashier, Permission.TRAINING, lambda: till.receipts.training_on(cashier))
    till.receipts.training_on(shift_lead)
    assert_denied(till, cashier, Permission.TRAINING, lambda: till.receipts.training_off(cashier))
    till.receipts.training_off(shift_lead)
    assert not till.receipts.training


# -- stock and products ------------------------------------------------------------------------


def test_a_cashier_cannot_change_stock(till: Till, cashier: Person, shift_lead: Person) -> None:
    romme = romme_id(till)
    stock = till.stock
    S = Permission.STOCK
    assert_denied(till, cashier, S, lambda: stock.receive(cashier, [(romme, 1000, None)], "F"))
    assert_denied(till, cashier, S, lambda: stock.adjust(cashier, romme, -1000, "waste"))
    assert_denied(till, cashier, S, lambda: till.stocktakes.start_count(cashier, "20"))
    started = till.stocktakes.start_count(shift_lead, "20")
    assert_denied(till, cashier, S, lambda: till.stocktakes.count(cashier, started.id, romme, 1000))
    assert_denied(
        till, cashier, S, lambda: till.stocktakes.set_count(cashier, started.id, romme, 1000)
    )
    assert_denied(till, cashier, S, lambda: till.stocktakes.post_count(cashier, started.id))
    assert_denied(till, cashier, S, lambda: till.stocktakes.cancel_count(cashier, started.id))
    till.stocktakes.cancel_count(shift_lead, started.id)


def test_stock_for_the_shift_lead_and_the_technician(till: Till, shift_lead: Person) -> None:
    romme = romme_id(till)
    till.stock.receive(shift_lead, [(romme, 6000, None)], "F-1")
    till.stock.adjust(TECHNICIAN, romme, -1000, "waste")
    started = till.stocktakes.start_count(TECHNICIAN, "20")
    till.stocktakes.count(TECHNICIAN, started.id, romme, 2000)
    till.stocktakes.post_count(shift_lead, started.id)
    assert denied(till) == []


def test_a_cashier_cannot_change_products(till: Till, cashier: Person) -> None:
    romme = romme_id(till)
    P = Permission.PRODUCTS
    assert_denied(
        till,
        cashier,
        P,
        lambda: till.products.add_product(
            cashier, name="X", group_code="50", vat_bp=1500, price_ore=100, barcodes=[]
        ),
    )
    assert_denied(till, cashier, P, lambda: till.products.update_product(cashier, romme, name="Y"))
    assert_denied(till, cashier, P, lambda: till.products.set_active(cashier, romme, False))


def test_products_for_the_technician(till: Till, shift_lead: Person) -> None:
    new = till.products.add_product(
        TECHNICIAN, name="Syltetøy", group_code="50", vat_bp=1500, price_ore=4290, barcodes=[]
    )
    till.products.update_product(TECHNICIAN, new, price_ore=3990)
    till.products.set_active(shift_lead, new, False)
    assert denied(till) == []


# -- reports and cash --------------------------------------------------------------------------


def test_x_report_for_everyone_who_signs_in(till: Till, cashier: Person) -> None:
    till.reports.x_report(cashier)
    till.reports.x_report(TECHNICIAN)
    till.reports.x_report(None)  # the CLI's, with nobody signed in
    stranger = Person(77, "Ukjent", "visitor")
    assert_denied(till, stranger, Permission.X_REPORT, lambda: till.reports.x_report(stranger))


def test_z_report_is_the_shift_leads(till: Till, cashier: Person, shift_lead: Person) -> None:
    sold(till, cashier, ROMME)
    Z = Permission.Z_REPORT
    assert_denied(till, cashier, Z, lambda: till.reports.z_report(cashier))
    assert_denied(till, TECHNICIAN, Z, lambda: till.reports.z_report(TECHNICIAN))
    assert till.reports.z_report(shift_lead, not_counted=True).z_nr == 1


def test_float_and_count_are_the_shift_leads(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    C = Permission.CASH
    assert_denied(till, cashier, C, lambda: till.cash.opening_float(cashier, 50000))
    assert_denied(till, TECHNICIAN, C, lambda: till.cash.opening_float(TECHNICIAN, 50000))
    assert_denied(till, cashier, C, lambda: till.cash.count(cashier, {100: 1}))
    till.cash.opening_float(shift_lead, 50000)
    assert till.cash.count(shift_lead, {20000: 2, 10000: 1}).counted_ore == 50000


def test_pay_ins_and_pay_outs_are_the_shift_leads(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    C = Permission.CASH
    assert_denied(till, cashier, C, lambda: till.cash.pay_in(cashier, 50000, "Veksel"))
    assert_denied(till, cashier, C, lambda: till.cash.pay_out(cashier, 50000, "Bud"))
    assert_denied(till, TECHNICIAN, C, lambda: till.cash.pay_in(TECHNICIAN, 50000, "Veksel"))
    assert_denied(till, TECHNICIAN, C, lambda: till.cash.pay_out(TECHNICIAN, 50000, "Bud"))
    till.cash.pay_in(shift_lead, 10000, "Veksel")
    till.cash.pay_out(shift_lead, 5000, "Bud")
    assert count(till.db, "cash_event", "kind IN ('payin', 'payout')") == 2
