"""Returns after a sale (§ 2-8-5): a «Returkvittering», approved by a shift lead.

A return is a transaction of its own: a `sale` row of kind 'return' with negative totals that
names the sale it returns (`original_sale_id`), negative lines, negative payments (the refund),
stock movements back into stock, a journal row (13013) and its receipt, all in one
`BEGIN IMMEDIATE` transaction and signed in the same chain as the sales.

A return's lines carry the line numbers of the sale they return, so what is left of a line is
the sold quantity less the quantities returned under the same number. A line's refund is its
paid amount (after discounts) in proportion, rounded so that returning everything gives back
exactly what was paid. The refund goes back the way the customer paid: card first (up to what
was paid by card and not yet refunded), the rest in cash, rounded to whole kroner.

A return without the receipt is priced from the catalog, needs the shift lead as well, and is
journaled as RETURNNORECEIPT so the X and Z count it apart. In training mode only training
receipts can be returned, and the return is a training transaction (13017).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from peewee import SqliteDatabase

from kassa_tui.catalog.pricing import Payment
from kassa_tui.config import Config
from kassa_tui.core.clock import Clock, Instant, parse_utc
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
from kassa_tui.records.journal import Event, Journal
from kassa_tui.records.printqueue import PrintQueue
from kassa_tui.records.receipts import ReceiptLine, ReceiptPayment, SaleFacts, return_receipt
from kassa_tui.selling.basket import MAX_QTY, Baskets
from kassa_tui.selling.sales import Completed, SaleLineRow, SaleRow, Sales

MAX_REASON = 80
REFUND_METHODS = ("cash", "card")


@dataclass(frozen=True)
class SoldLine:
    line_nr: int
    product_id: int
    code: str
    name: str
    group_code: str
    unit: str  # "stk" or "kg"
    qty_milli: int  # sold
    unit_price: int
    list_price: int
    amount: int  # paid for the whole line, VAT and discounts included
    vat_bp: int
    returned_milli: int  # by earlier returns
    returned_amount: int  # refunded by earlier returns (positive)

    @property
    def left_milli(self) -> int:
        """What can still be returned."""
        return self.qty_milli - self.returned_milli


@dataclass(frozen=True)
class SoldReceipt:
    """A completed sale as the return screen shows it."""

    sale_id: int
    receipt_nr: int
    local_date: str
    local_time: str
    total: int
    training: bool
    lines: tuple[SoldLine, ...]
    paid: tuple[tuple[str, int], ...]  # (method, paid less earlier refunds)

    @property
    def returnable(self) -> bool:
        return any(line.left_milli > 0 for line in self.lines)


@dataclass(frozen=True)
class _Returned:
    """One line of a return being written, amounts positive."""

    line: SaleLineRow
    receipt: ReceiptLine


class Returns:
    def __init__(
        self,
        database: SqliteDatabase,
        config: Config,
        journal: Journal,
        sales: Sales,
        users: Users,
        baskets: Baskets,
        queue: PrintQueue,
        clock: Clock,
    ) -> None:
        self.db = database
        self.config = config
        self.journal = journal
        self.sales = sales
        self.users = users
        self.baskets = baskets
        self.queue = queue
        self.clock = clock

    # -- finding the sale --------------------------------------------------------------------

    def find_sale(self, text: str) -> SoldReceipt:
        """A scanned receipt barcode or a typed receipt number → the sale and what is left."""
        nr = _receipt_nr(text)
        with self.db.atomic():  # one read snapshot
            return self._sold(nr, self.sales.training)

    def _sold(self, nr: int, training_mode: bool) -> SoldReceipt:
        row = self.db.execute_sql(
            "SELECT id, kind, training, total_ore, local_date, local_time FROM sale"
            " WHERE register_id = ? AND receipt_nr = ?",
            (self.config.register_id, nr),
        ).fetchone()
        if row is None:
            raise Refused(_("There is no receipt number {nr}.").format(nr=nr))
        sale_id, kind, training, total, local_date, local_time = row
        if kind != "sale":
            raise Refused(
                _("Receipt {nr} is a return receipt: it cannot be returned.").format(nr=nr)
            )
        if training and not training_mode:
            raise Refused(_("Receipt {nr} is a training receipt: nothing was sold.").format(nr=nr))
        if training_mode and not training:
            raise Refused(_("In training mode only training receipts can be returned."))
        returned = {
            int(r[0]): (int(r[1]), int(r[2]))
            for r in self.db.execute_sql(
                "SELECT l.line_nr, -SUM(l.qty_milli), -SUM(l.amount_ore) FROM sale_line l"
                " JOIN sale s ON s.id = l.sale_id WHERE s.original_sale_id = ?"
                " AND s.kind = 'return' GROUP BY l.line_nr",
                (sale_id,),
            )
        }
        rows = self.db.execute_sql(
            "SELECT l.line_nr, l.product_id, l.code, l.name, l.group_code,"
            " COALESCE(p.unit, 'stk'), l.qty_milli, l.unit_price_ore, l.list_price_ore,"
            " l.amount_ore, l.vat_bp FROM sale_line l LEFT JOIN product p"
            " ON p.id = l.product_id WHERE l.sale_id = ? ORDER BY l.line_nr",
            (sale_id,),
        ).fetchall()
        lines = tuple(
            SoldLine(
                int(r[0]),
                int(r[1]),
                str(r[2]),
                str(r[3]),
                str(r[4]),
                str(r[5]),
                int(r[6]),
                int(r[7]),
                int(r[8]),
                int(r[9]),
                int(r[10]),
                *returned.get(int(r[0]), (0, 0)),
            )
            for r in rows
        )
        paid = self.db.execute_sql(
            "SELECT p.method, SUM(p.amount_ore) FROM payment p JOIN sale s ON s.id = p.sale_id"
            " WHERE s.id = ? OR (s.original_sale_id = ? AND s.kind = 'return')"
            " GROUP BY p.method ORDER BY MIN(p.id)",
            (sale_id, sale_id),
        ).fetchall()
        return SoldReceipt(
            sale_id,
            nr,
            local_date,
            local_time,
            total,
            bool(training),
            lines,
            tuple((str(m), int(a)) for m, a in paid),
        )

    # -- returning ---------------------------------------------------------------------------

    def return_lines(
        self,
        person: Person,
        receipt_nr: int,
        lines: list[tuple[int, int]],
        reason: str,
        approver_number: str,
        approver_pin: str,
        method: str | None = None,
    ) -> Completed:
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
        if method is not None and method not in REFUND_METHODS:
            raise Refused(_("Unknown means of refund."))
        approver = self.users.approver(approver_number, approver_pin)
        permissions.require(self.db, self.journal, approver, Permission.RETURN)
        with self.db.atomic("IMMEDIATE"):
            training = self.sales.training
            sold = self._sold(receipt_nr, training)
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
                # Proportional, so that returning all of it refunds exactly what was paid.
                upto = round_half_up(line.amount * (line.returned_milli + qty), line.qty_milli)
                refund = upto - line.returned_amount
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
                        refund,
                        line.vat_bp,
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
                person, approver, returned, split, reason, sold.sale_id, notes, training
            )

    def return_without_receipt(
        self,
        person: Person,
        code_and_qty: list[tuple[str, int]],
        reason: str,
        approver_number: str,
        approver_pin: str,
        method: str = "cash",
    ) -> Completed:
        """Return goods the customer has no receipt for, at today's catalog price."""
        reason = _reason(reason)
        if not code_and_qty:
            raise Refused(_("Choose what to return."))
        if method not in REFUND_METHODS:
            raise Refused(_("Unknown means of refund."))
        returned: list[_Returned] = []
        for nr, (code, qty) in enumerate(code_and_qty, start=1):
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
            returned.append(
                _line(
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
            training = self.sales.training
            return self._write(
                person, approver, returned, [(method, refund)], reason, None, notes, training
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
    ) -> Completed:
        """The return, inside the caller's IMMEDIATE transaction; `split` refunds (positive)."""
        now = self._now()
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
        sale_id, receipt_nr = self.sales.write_sale(person, now, row)
        self.sales.write_lines(sale_id, lines, now, training=training)
        self.sales.write_payments(sale_id, payments)
        extra: dict[str, Any]
        if training:
            event, extra = Event.TRAINING_RECEIPT, {"kind": "return"}
        elif original_sale_id is None:
            event, extra = Event.RETURN_NO_RECEIPT, {}
        else:
            event, extra = Event.RETURN_RECEIPT, {"original": original_sale_id}
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
            **extra,
        )
        facts = SaleFacts(
            receipt_nr=receipt_nr,
            local_date=now.local_date,
            local_time=now.local_time,
            cashier=f"{person.name} ({person.number})",
            lines=[r.receipt for r in returned],
            total=total,
            discount=0,
            sale_discount=0,
            sale_discount_reason="",
            rounding=rounding,
            change=0,
            vat_lines=vat_split((ln.amount, ln.vat_bp) for ln in lines),
            payments=[ReceiptPayment(p.method, p.amount_ore, p.tendered_ore) for p in payments],
            notes=notes,
        )
        cash = any(p.method == "cash" for p in payments)
        doc = return_receipt(self.config, facts, training=training)
        self.queue.enqueue(
            "training" if training else "receipt", doc, sale_id, kick=cash and not training
        )
        return Completed(sale_id, receipt_nr, total, rounding, 0, cash)

    def _now(self) -> Instant:
        """Now, but never before the last journal row (as the journal stamps it)."""
        now = self.clock.now()
        row = self.db.execute_sql(
            "SELECT utc FROM journal WHERE register_id = ? ORDER BY seq DESC LIMIT 1",
            (self.config.register_id,),
        ).fetchone()
        return parse_utc(row[0]) if row and now.utc_text < row[0] else now


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
) -> _Returned:
    """A returned line: stored negative, shown on the receipt negative."""
    stored = SaleLineRow(
        line_nr,
        product_id,
        code,
        name,
        group_code,
        -qty,
        unit_price,
        list_price,
        0,
        -refund,
        vat_bp,
        vat_of(-refund, vat_bp),
    )
    shown = ReceiptLine(name, -qty, unit, unit_price, -refund, 0, "", -refund)
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


def _receipt_nr(text: str) -> int:
    """'123', or 'R123' as the receipt's own barcode reads (see receipts.RECEIPT_BARCODE)."""
    cleaned = text.strip()
    if cleaned[:1] in ("R", "r"):
        cleaned = cleaned[1:]
    if not (cleaned.isascii() and cleaned.isdigit()) or len(cleaned) > 12:
        raise Refused(_("{text} is not a receipt number.").format(text=text.strip()))
    return int(cleaned)


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
