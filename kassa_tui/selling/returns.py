"""Returns after a sale (§ 2-8-5): a «Returkvittering», approved by a shift lead.

A return is a transaction of its own: a `sale` row of kind 'return' with negative totals that
names the sale it returns (`original_sale_id`), negative lines, negative payments (the refund),
stock movements back into stock, a journal row (13013) and its receipt, all in one
`BEGIN IMMEDIATE` transaction and signed in the same chain as the sales.

A return's lines carry the line numbers of the sale they return, so what is left of a line is
the sold quantity less the quantities returned under the same number (selling.return_lookup
finds the sale and what is left; the return screen imports its `SoldReceipt` from here). A
line's refund is its paid amount (after discounts) in proportion, rounded so that returning
everything gives back exactly what was paid; the return receipt shows the line before the
sale's discount and that discount under it, so its lines add up (the stored line keeps no
discount: the X, Z and SAF-T count a discount once, at the sale). The refund goes back the way
the customer paid: card first (up to what was paid by card and not yet refunded), the rest in
cash, rounded to whole kroner; `plan` tells the approval beforehand, `ReturnDone.refunds` the
cashier afterwards.

A return without the receipt is priced from the catalog, needs the shift lead as well, and is
journaled as RETURNNORECEIPT so the X and Z count it apart. In training mode only training
receipts can be returned, and the return is a training transaction (13017).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from kassa_tui.catalog.deposits import PANT_GROUP, PANT_LINE_NAME, deposit_of
from kassa_tui.catalog.pricing import Payment
from kassa_tui.club.returns import link_return
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import (
    QTY_ONE,
    cash_rounding,
    format_quantity,
    line_amount,
    round_half_up,
    vat_of,
    vat_split,
)
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.people.users import Users
from kassa_tui.records.journal import Event
from kassa_tui.records.receipts import ReceiptLine, return_receipt
from kassa_tui.records.register import Register, RegisterService
from kassa_tui.selling import gift_card_sales
from kassa_tui.selling.basket import MAX_QTY, Baskets
from kassa_tui.selling.payment_methods import refund_to_cards
from kassa_tui.selling.receipt_facts import receipt_facts
from kassa_tui.selling.return_lookup import SoldReceipt as SoldReceipt
from kassa_tui.selling.return_lookup import parse_receipt_nr, sold_receipt
from kassa_tui.selling.sales import Completed
from kassa_tui.selling.transactions import SaleLineRow, SaleRow, Transactions

MAX_REASON = 80
#: A returned line's discount on the return receipt: the one given when it was sold.
DISCOUNT_AT_SALE = "som ved kjøpet"
REFUND_METHODS = ("cash", "card")


@dataclass(frozen=True)
class ReturnDone(Completed):
    """A written return; `refunds` is what goes back, per means (positive, cash rounded)."""

    refunds: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class NoReceiptLine:
    """A line of a return without receipt as the screen shows it before it is approved."""

    code: str
    name: str
    unit: str
    qty_milli: int  # what is taken back (a weight from the barcode replaces the one typed)
    refund: int  # positive, at today's catalog price


@dataclass(frozen=True)
class _Returned:
    """One line of a return being written, amounts positive."""

    line: SaleLineRow
    receipt: ReceiptLine


class Returns(RegisterService):
    """Returns with and without the receipt, each approved by a shift lead."""

    def __init__(
        self, register: Register, transactions: Transactions, users: Users, baskets: Baskets
    ) -> None:
        super().__init__(register)
        self.transactions = transactions
        self.users = users
        self.baskets = baskets

    # -- finding the sale --------------------------------------------------------------------

    def find_sale(self, text: str) -> SoldReceipt:
        """A scanned receipt barcode or a typed receipt number → the sale and what is left."""
        nr = parse_receipt_nr(text)
        with self.db.atomic():  # one read snapshot
            return sold_receipt(self.db, self.register_id, nr, self.transactions.training)

    # -- returning ---------------------------------------------------------------------------

    def plan(self, sold: SoldReceipt, wanted: dict[int, int]) -> list[tuple[str, int]]:
        """How returning `wanted` (line_nr → qty_milli) of `sold` would pay back (positive
        amounts per means, cash rounded as the till rounds it), for the approval to show."""
        by_nr = {line.line_nr: line for line in sold.lines}
        refund = sum(by_nr[nr].refund(qty) for nr, qty in wanted.items() if nr in by_nr)
        return self.rounded(_split(refund, sold.paid))

    def rounded(self, split: list[tuple[str, int]]) -> list[tuple[str, int]]:
        """Refunds per means as they will be paid: cash rounded to whole kroner."""
        plan = []
        for method, amount in split:
            if amount <= 0:
                continue
            if method == "cash" and self.config.cash_rounding:
                amount -= cash_rounding(-amount)
            plan.append((method, amount))
        return plan

    def return_lines(
        self,
        person: Person,
        receipt_nr: int,
        lines: list[tuple[int, int]],
        reason: str,
        approver_number: str,
        approver_pin: str,
        method: str | None = None,
    ) -> ReturnDone:
        """Return (sale line_nr, qty_milli) pairs of a receipt; refunded the way it was paid
        unless `method` ('cash' or 'card') says otherwise."""
        reason = _reason(reason)
        wanted: dict[int, int] = {}
        for line_nr, qty in lines:
            if qty <= 0:
                raise Refused(_("A quantity to return must be more than zero."))
            wanted[line_nr] = wanted.get(line_nr, 0) + qty
        if not wanted:
            raise Refused(_("Choose what to return."))
        credit_note = gift_card_sales.is_credit_refund(self.config, method)  # a new one
        if method is not None and method not in REFUND_METHODS and not credit_note:
            raise Refused(_("Unknown means of refund."))
        approver = self.users.approver(approver_number, approver_pin)
        permissions.require(self.db, self.journal, approver, Permission.RETURN)
        with self.db.atomic("IMMEDIATE"):
            training = self.transactions.training
            sold = sold_receipt(self.db, self.register_id, receipt_nr, training)
            by_nr = {line.line_nr: line for line in sold.lines}
            returned: list[_Returned] = []
            for line_nr, qty in sorted(wanted.items()):
                line = by_nr.get(line_nr)
                if line is None:
                    raise Refused(
                        _("Receipt {nr} has no line {line}.").format(nr=receipt_nr, line=line_nr)
                    )
                if qty > line.left_milli:
                    raise Refused(
                        _("Only {left} of {name} can still be returned.").format(
                            left=format_quantity(line.left_milli), name=line.name
                        )
                    )
                _whole_units(line.unit, qty, line.name)
                gift_card_sales.refuse_return(line.group_code)
                returned.append(
                    _line(
                        line_nr,
                        line.product_id,
                        line.code,
                        line.name,
                        line.group_code,
                        line.unit,
                        qty,
                        line.unit_price,
                        line.list_price,
                        line.refund(qty),
                        line.vat_bp,
                        gross=line.gross(qty),
                    )
                )
            refund_total = -sum(r.line.amount for r in returned)
            split = [(method, refund_total)] if method else _split(refund_total, sold.paid)
            day = f"{sold.local_date[8:10]}.{sold.local_date[5:7]}.{sold.local_date[:4]}"
            notes = (
                f"Retur av kvittering nr {receipt_nr} ({day})",
                f"Årsak: {reason}",
                f"Godkjent av: {approver.name} ({approver.number})",
            )
            return self._write(
                person,
                approver,
                returned,
                split,
                reason,
                sold.sale_id,
                notes,
                training,
                credit_note=credit_note,
            )

    def return_without_receipt(
        self,
        person: Person,
        code_and_qty: list[tuple[str, int]],
        reason: str,
        approver_number: str,
        approver_pin: str,
        method: str = "cash",
    ) -> ReturnDone:
        """Return goods the customer has no receipt for, at today's catalog price."""
        reason = _reason(reason)
        if not code_and_qty:
            raise Refused(_("Choose what to return."))
        credit_note = gift_card_sales.is_credit_refund(self.config, method)  # a new one
        if method not in REFUND_METHODS and not credit_note:
            raise Refused(_("Unknown means of refund."))
        returned = self._with_pant(
            [
                self._without_receipt(nr, code, qty)
                for nr, (code, qty) in enumerate(code_and_qty, start=1)
            ]
        )
        approver = self.users.approver(approver_number, approver_pin)
        permissions.require(self.db, self.journal, approver, Permission.RETURN_WITHOUT_RECEIPT)
        notes = (
            "Retur uten kvittering",
            f"Årsak: {reason}",
            f"Godkjent av: {approver.name} ({approver.number})",
        )
        refund = -sum(r.line.amount for r in returned)
        with self.db.atomic("IMMEDIATE"):
            training = self.transactions.training
            return self._write(
                person,
                approver,
                returned,
                [(method, refund)],
                reason,
                None,
                notes,
                training,
                credit_note=credit_note,
            )

    def price_without_receipt(self, code: str, qty_milli: int) -> NoReceiptLine:
        """A code and quantity as a return without receipt would take it back, refused as
        the return itself would be; nothing is written."""
        returned = self._without_receipt(1, code, qty_milli)
        line = returned.line
        refund = -sum(r.line.amount for r in self._with_pant([returned]))  # its pant too
        return NoReceiptLine(code, line.name, returned.receipt.unit, -line.qty_milli, refund)

    def _with_pant(self, returned: list[_Returned]) -> list[_Returned]:
        """A drink taken back without its receipt gives its pant back too, on a line of its
        own under it (selling.pant: the pant follows its drink); lines renumbered."""
        out: list[_Returned] = []
        for item in returned:
            row = item.line
            out.append(replace(item, line=replace(row, line_nr=len(out) + 1)))
            kind = deposit_of(self.db, row.product_id) if item.receipt.unit == "stk" else None
            if kind is not None:
                qty, amount = -row.qty_milli, kind.amount_ore
                out.append(
                    _line(
                        len(out) + 1,
                        kind.product_id,
                        kind.plu,
                        PANT_LINE_NAME,
                        PANT_GROUP,
                        "stk",
                        qty,
                        amount,
                        amount,
                        line_amount(amount, qty),
                        kind.vat_for(row.vat_bp),
                    )
                )
        return out

    def _without_receipt(self, nr: int, code: str, qty: int) -> _Returned:
        """One line of a return without receipt, at today's catalog price."""
        scanned = self.baskets.classify(code)
        product = self.baskets.find_product(scanned)
        if scanned.grams is not None:
            qty = scanned.grams
        if qty <= 0 or qty > MAX_QTY:
            raise Refused(_("Quantity must be between 0 and 9999."))
        if scanned.price_ore is not None:
            amount = scanned.price_ore
            if product.weighed and product.price_ore > 0:
                qty = round_half_up(amount * QTY_ONE, product.price_ore)
        else:
            _whole_units(product.unit, qty, product.name)
            amount = line_amount(product.price_ore, qty)
        unit_price = scanned.price_ore if scanned.price_ore is not None else product.price_ore
        return _line(
            nr,
            product.id,
            scanned.code,
            product.name,
            product.group_code,
            product.unit,
            qty,
            unit_price,
            product.price_ore,
            amount,
            product.vat_bp,
        )

    # -- writing -----------------------------------------------------------------------------

    def _write(
        self,
        person: Person,
        approver: Person,
        returned: list[_Returned],
        split: list[tuple[str, int]],
        reason: str,
        original_sale_id: int | None,
        notes: tuple[str, ...],
        training: bool,
        *,
        credit_note: bool = False,
    ) -> ReturnDone:
        """The return, inside the caller's IMMEDIATE transaction; `split` refunds (positive);
        `credit_note`: refunded to a new credit note, issued here."""
        now = self.now()
        lines = [r.line for r in returned]
        total = sum(ln.amount for ln in lines)
        vat = sum(ln.vat for ln in lines)
        payments: list[Payment] = []
        rounding = 0
        for method, refund in split:
            if refund <= 0:
                continue
            amount = -refund
            if method == "cash" and self.config.cash_rounding:
                rounding = cash_rounding(amount)
                amount += rounding
            payments.append(Payment(method, amount, amount))
        row = SaleRow(
            "return",
            total,
            vat,
            rounding=rounding,
            training=training,
            original_sale_id=original_sale_id,
            reason=reason,
            approved_by=approver.number,
        )
        sale_id, receipt_nr = self.transactions.write_sale(person, now, row)
        self.transactions.write_lines(sale_id, lines, now, training=training)
        self.transactions.write_payments(sale_id, payments)
        link_return(self.db, original_sale_id, sale_id, training)  # a member's sale: theirs too
        credit_notes = []
        if credit_note:
            gift_card_sales.refuse_credit_note_in_training(training)
            amount = -sum(p.amount_ore for p in payments)
            issued = gift_card_sales.issue_credit_note
            credit_notes = [issued(self.db, self.config, sale_id, amount, now, person.number)]
        elif original_sale_id is not None and not training:  # gift cards: back on the card
            refund_to_cards(self.db, self.config, original_sale_id, payments, now, person.number)
        extra: dict[str, Any]
        if training:
            event, extra = Event.TRAINING_RECEIPT, {"kind": "return"}
        elif original_sale_id is None:
            event, extra = Event.RETURN_NO_RECEIPT, {}
        else:
            event, extra = Event.RETURN_RECEIPT, {"original": original_sale_id}
        extra.update(gift_card_sales.journal_details(credit_notes))
        self.journal.write(
            event,
            user=person.number,
            sale_id=sale_id,
            nr=receipt_nr,
            total=total,
            amount=-total,  # what was returned, positive (as the X and Z show returns)
            vat=vat,
            rounding=rounding,
            approver=approver.number,
            reason=reason,
            lines=[[ln.line_nr, -ln.qty_milli, -ln.amount] for ln in lines],
            refunds={p.method: p.amount_ore for p in payments},
            content=self.transactions.content_of(sale_id),
            **extra,
        )
        facts = receipt_facts(
            receipt_nr,
            now,
            person,
            payments,
            lines=[r.receipt for r in returned],
            total=total,
            vat_lines=vat_split((ln.amount, ln.vat_bp) for ln in lines),
            rounding=rounding,
            notes=notes,
        )
        doc = return_receipt(self.config, facts, training=training)
        gift_card_sales.add_to_receipt(doc, credit_notes)
        cash = self.transactions.queue_receipt(doc, sale_id, payments, training=training)
        refunds = tuple((p.method, -p.amount_ore) for p in payments)
        return ReturnDone(sale_id, receipt_nr, total, rounding, 0, cash, refunds)


def _line(
    line_nr: int,
    product_id: int,
    code: str,
    name: str,
    group_code: str,
    unit: str,
    qty: int,
    unit_price: int,
    list_price: int,
    refund: int,
    vat_bp: int,
    *,
    gross: int | None = None,
) -> _Returned:
    """A returned line: stored negative, shown on the receipt negative. `gross` is the line
    before the sale's discount: the receipt shows it and the discount, so its lines add up."""
    gross = refund if gross is None else gross
    stored = SaleLineRow(
        line_nr,
        product_id,
        code,
        name,
        group_code,
        -qty,
        unit_price,
        list_price,
        0,  # the discount stays the sale's: X, Z and SAF-T count it there
        -refund,
        vat_bp,
        vat_of(-refund, vat_bp),
    )
    discount = DISCOUNT_AT_SALE if gross != refund else ""
    shown = ReceiptLine(name, -qty, unit, unit_price, -gross, refund - gross, discount, -refund)
    return _Returned(stored, shown)


def _split(refund: int, paid: tuple[tuple[str, int], ...]) -> list[tuple[str, int]]:
    """The refund back the way it was paid: card (and any other means) first, up to what each
    still holds, the rest in cash."""
    order = [m for m in paid if m[0] != "cash"] + [m for m in paid if m[0] == "cash"]
    if not order:
        return [("cash", refund)]
    split: list[tuple[str, int]] = []
    left = refund
    for method, holds in order:
        take = min(left, max(holds, 0))
        split.append((method, take))
        left -= take
    if left:  # more than was paid (should not happen): the last means takes the rest
        method, take = split[-1]
        split[-1] = (method, take + left)
    return split


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise Refused(_("A return needs a reason."))
    if len(reason) > MAX_REASON:
        raise Refused(_("The reason is too long (at most 80 characters)."))
    return reason


def _whole_units(unit: str, qty_milli: int, name: str) -> None:
    if unit != "kg" and qty_milli % QTY_ONE:
        raise Refused(_("{name} is sold in whole units.").format(name=name))
