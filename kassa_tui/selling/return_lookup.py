"""Finding the sale a return returns, and what of it is left to return.

A return starts from the receipt: its barcode («R» and the number) or its number typed. The
sale's lines carry what earlier returns took back (under the same line numbers), and its
payments what each means of payment still holds after earlier refunds; a return receipt or, out
of training mode, a training receipt cannot be returned.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import SqliteDatabase

from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import round_half_up


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
    discount: int = 0  # the line's discount at the sale (its own and its share of the sale's)

    @property
    def left_milli(self) -> int:
        """What can still be returned."""
        return self.qty_milli - self.returned_milli

    def refund(self, qty_milli: int) -> int:
        """What returning `qty_milli` more of the line pays back: the paid amount (after
        discounts) in proportion, rounded so that returning all of it, in any steps, pays back
        exactly what was paid."""
        upto = round_half_up(self.amount * (self.returned_milli + qty_milli), self.qty_milli)
        return upto - self.returned_amount

    def gross(self, qty_milli: int) -> int:
        """The same share of the line before its discount (what the return receipt shows,
        with the discount under it, so its lines add up)."""
        whole = self.amount + self.discount
        done = round_half_up(whole * self.returned_milli, self.qty_milli)
        return round_half_up(whole * (self.returned_milli + qty_milli), self.qty_milli) - done


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


def sold_receipt(db: SqliteDatabase, register_id: str, nr: int, training_mode: bool) -> SoldReceipt:
    """Receipt `nr` of this register as a return sees it; refused if it cannot be returned."""
    row = db.execute_sql(
        "SELECT id, kind, training, total_ore, local_date, local_time FROM sale"
        " WHERE register_id = ? AND receipt_nr = ?",
        (register_id, nr),
    ).fetchone()
    if row is None:
        raise Refused(_("There is no receipt number {nr}.").format(nr=nr))
    sale_id, kind, training, total, local_date, local_time = row
    if kind != "sale":
        raise Refused(_("Receipt {nr} is a return receipt: it cannot be returned.").format(nr=nr))
    if training and not training_mode:
        raise Refused(_("Receipt {nr} is a training receipt: nothing was sold.").format(nr=nr))
    if training_mode and not training:
        raise Refused(_("In training mode only training receipts can be returned."))
    returned = {
        int(r[0]): (int(r[1]), int(r[2]))
        for r in db.execute_sql(
            "SELECT l.line_nr, -SUM(l.qty_milli), -SUM(l.amount_ore) FROM sale_line l"
            " JOIN sale s ON s.id = l.sale_id WHERE s.original_sale_id = ?"
            " AND s.kind = 'return' GROUP BY l.line_nr",
            (sale_id,),
        )
    }
    rows = db.execute_sql(
        "SELECT l.line_nr, l.product_id, l.code, l.name, l.group_code,"
        " COALESCE(p.unit, 'stk'), l.qty_milli, l.unit_price_ore, l.list_price_ore,"
        " l.amount_ore, l.vat_bp, l.discount_ore FROM sale_line l LEFT JOIN product p"
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
            discount=int(r[11]),
        )
        for r in rows
    )
    paid = db.execute_sql(
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


def parse_receipt_nr(text: str) -> int:
    """'123', or 'R123' as the receipt's own barcode reads (see receipts.RECEIPT_BARCODE)."""
    cleaned = text.strip()
    if cleaned[:1] in ("R", "r"):
        cleaned = cleaned[1:]
    if not (cleaned.isascii() and cleaned.isdigit()) or len(cleaned) > 12:
        raise Refused(_("{text} is not a receipt number.").format(text=text.strip()))
    return int(cleaned)
