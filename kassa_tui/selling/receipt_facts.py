"""What a receipt shows (`SaleFacts`), built in one place for every kind of receipt.

A sale's receipt, a provisional receipt and a return receipt are all printed from `SaleFacts`:
`basket_facts` for a priced basket (sale, provisional), `receipt_facts` for any (a return's
lines). So all three name the moment, the cashier and the payments the same way. (`SaleFacts`
lives in records.receipts, which knows neither people nor pricing.)
"""

from __future__ import annotations

from kassa_tui.catalog.pricing import Payment, Priced
from kassa_tui.core.clock import Instant
from kassa_tui.core.money import VatLine
from kassa_tui.people.person import Person
from kassa_tui.records.receipts import ReceiptLine, ReceiptPayment, SaleFacts


def basket_facts(
    nr: int,
    now: Instant,
    person: Person,
    priced: Priced,
    payments: list[Payment],
    sale_discount_reason: str,
    *,
    rounding: int = 0,
    change: int = 0,
) -> SaleFacts:
    """A priced basket's receipt: the completed sale's, or a provisional one before payment."""
    return receipt_facts(
        nr,
        now,
        person,
        payments,
        lines=receipt_lines(priced),
        total=priced.total,
        vat_lines=priced.vat_lines,
        discount=priced.discount,
        sale_discount=priced.discount
        - sum(p.line.line_discount for p in priced.lines)
        - sum(h.discount_ore for h in priced.campaigns),
        sale_discount_reason=sale_discount_reason,
        rounding=rounding,
        change=change,
        campaigns=tuple((h.name, h.discount_ore) for h in priced.campaigns),
    )


def receipt_facts(
    nr: int,
    now: Instant,
    person: Person,
    payments: list[Payment],
    *,
    lines: list[ReceiptLine],
    total: int,
    vat_lines: list[VatLine],
    discount: int = 0,
    sale_discount: int = 0,
    sale_discount_reason: str = "",
    rounding: int = 0,
    change: int = 0,
    notes: tuple[str, ...] = (),
    campaigns: tuple[tuple[str, int], ...] = (),
) -> SaleFacts:
    """Any receipt's facts, stamped with the moment `now` and the cashier `person`; a return's
    lines, payments (refunds) and total are negative and it has no discounts."""
    return SaleFacts(
        receipt_nr=nr,
        local_date=now.local_date,
        local_time=now.local_time,
        cashier=f"{person.name} ({person.number})",
        lines=lines,
        total=total,
        discount=discount,
        sale_discount=sale_discount,
        sale_discount_reason=sale_discount_reason,
        rounding=rounding,
        change=change,
        vat_lines=vat_lines,
        payments=[ReceiptPayment(p.method, p.amount_ore, p.tendered_ore) for p in payments],
        notes=notes,
        campaigns=campaigns,
    )


def receipt_lines(priced: Priced) -> list[ReceiptLine]:
    """A priced basket's lines as a receipt shows them."""
    return [
        ReceiptLine(
            p.line.name,
            p.line.qty_milli,
            p.line.unit,
            p.line.unit_price_ore,
            p.line.gross,
            p.line.line_discount,
            p.line.discount_reason,
            p.amount,
        )
        for p in priced.lines
    ]
