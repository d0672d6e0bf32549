"""Payment and completing a sale: one transaction writes it all, then the receipt is queued.

Completion writes the sale, its lines, payments, stock movements, journal rows and the print job
in one `BEGIN IMMEDIATE` transaction. A crash before the commit leaves the basket open; after it,
the sale is complete and its receipt waits in the queue. Never half.
"""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass
from typing import Any

from peewee import SqliteDatabase

from kassa_tui.catalog.pricing import Payment, Priced, price
from kassa_tui.config import Config
from kassa_tui.core.clock import Clock, Instant
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import InvalidAmount, format_kr, parse_amount
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event, Journal
from kassa_tui.records.printqueue import PrintQueue
from kassa_tui.records.receipts import ReceiptLine, ReceiptPayment, SaleFacts, sales_receipt
from kassa_tui.records.signing import Signer, signing_string
from kassa_tui.selling.basket import Baskets


@dataclass(frozen=True)
class Completed:
    sale_id: int
    receipt_nr: int
    total: int
    rounding: int
    change: int
    cash: bool


@dataclass(frozen=True)
class PaymentResult:
    """Either the sale is complete, or `remaining` is still to be paid."""

    completed: Completed | None
    remaining: int


@dataclass(frozen=True)
class SaleRow:
    """One completed transaction as `sale` stores it; a return's amounts are all negative."""

    kind: str  # 'sale' or 'return'
    total: int
    vat: int
    discount: int = 0
    rounding: int = 0
    change: int = 0
    training: bool = False
    basket_uuid: str | None = None  # a return has no basket: a fresh UUID stands in
    original_sale_id: int | None = None  # the sale a return returns (None: without receipt)
    reason: str = ""
    approved_by: int | None = None  # the approving shift lead's user number


@dataclass(frozen=True)
class SaleLineRow:
    """One `sale_line`; on a return the quantity and amounts are negative."""

    line_nr: int
    product_id: int
    code: str
    name: str
    group_code: str
    qty_milli: int
    unit_price: int
    list_price: int
    discount: int
    amount: int
    vat_bp: int
    vat: int
    overridden: bool = False


_NEXT_NUMBER = (
    "INSERT INTO counter (register_id, series, value) VALUES (?, ?, 1)"
    " ON CONFLICT (register_id, series) DO UPDATE SET value = value + 1 RETURNING value"
)
#: Training receipts have their own series (counter 'training'), numbered from here on, so a
#: training receipt's number (and barcode) is never a real receipt's.
TRAINING_NR_BASE = 900_000_000
_TRAINING_KEY = "training_mode:{register}"


class Sales:
    def __init__(
        self,
        database: SqliteDatabase,
        config: Config,
        journal: Journal,
        baskets: Baskets,
        queue: PrintQueue,
        clock: Clock,
        signer: Signer | None = None,
    ) -> None:
        if signer is None and config.signing.enabled:
            raise ValueError("signing is enabled in the config but no Signer was given")
        self.db = database
        self.config = config
        self.journal = journal
        self.baskets = baskets
        self.queue = queue
        self.clock = clock
        self.signer = signer

    def _amount(self, text: str) -> int:
        try:
            return parse_amount(text)
        except InvalidAmount:
            raise Refused(_("{text} is not an amount.").format(text=text)) from None

    def pay_cash(self, person: Person, tendered_text: str = "") -> PaymentResult:
        """Cash: empty means exactly the amount due, rounded to whole kroner."""
        self.baskets._guard()
        permissions.require(self.db, self.journal, person, Permission.SELL)
        tendered = self._amount(tendered_text) if tendered_text.strip() else None
        if tendered is not None and tendered % 100 and self.config.cash_rounding:
            raise Refused(_("Cash is counted in whole kroner: there are no øre coins."))
        with self.db.atomic("IMMEDIATE"):
            basket_id, priced = self._open_priced()
            due = priced.cash_due
            given = due if tendered is None else tendered
            if given <= 0 and due > 0:
                raise Refused(_("The amount tendered must be more than zero."))
            if given >= due:
                final = Payment("cash", due, given)
                return PaymentResult(
                    self._complete(person, basket_id, priced, final, priced.rounding_if_cash),
                    0,
                )
            self._add_payment(person, basket_id, Payment("cash", given, given))
            return PaymentResult(None, priced.remaining - given)

    def pay_card(self, person: Person, amount_text: str = "") -> PaymentResult:
        """Card on a standalone terminal: the cashier confirms the amount it approved."""
        self.baskets._guard()
        permissions.require(self.db, self.journal, person, Permission.SELL)
        amount = self._amount(amount_text) if amount_text.strip() else None
        with self.db.atomic("IMMEDIATE"):
            basket_id, priced = self._open_priced()
            remaining = priced.remaining
            paid = remaining if amount is None else amount
            if paid <= 0:
                raise Refused(_("Nothing is left to pay by card."))
            if paid > remaining:
                raise Refused(
                    _("A card payment cannot be more than the {due} left.").format(
                        due=format_kr(remaining)
                    )
                )
            if paid == remaining:
                return PaymentResult(
                    self._complete(person, basket_id, priced, Payment("card", paid, paid), 0), 0
                )
            self._add_payment(person, basket_id, Payment("card", paid, paid))
            return PaymentResult(None, remaining - paid)

    def _open_priced(self) -> tuple[int, Priced]:
        row = self.db.execute_sql(
            "SELECT id, sale_discount_ore, sale_discount_bp FROM basket"
            " WHERE register_id = ? AND status = 'open' ORDER BY id LIMIT 1",
            (self.config.register_id,),
        ).fetchone()
        if row is None:
            raise Refused(_("The basket is empty."))
        basket_id, disc_ore, disc_bp = row
        lines = self.baskets.lines(basket_id)
        if not lines:
            raise Refused(_("The basket is empty."))
        priced = price(
            lines,
            self.baskets.payments(basket_id),
            sale_discount_ore=disc_ore,
            sale_discount_bp=disc_bp,
            cash_rounding_enabled=self.config.cash_rounding,
        )
        return basket_id, priced

    def _add_payment(self, person: Person, basket_id: int, payment: Payment) -> Instant:
        """Record a payment; returns the journal's instant (never earlier than the last row)."""
        now = self.clock.now()
        self.db.execute_sql(
            "INSERT INTO basket_payment (basket_id, method, amount_ore, tendered_ore, created_utc)"
            " VALUES (?, ?, ?, ?, ?)",
            (basket_id, payment.method, payment.amount_ore, payment.tendered_ore, now.utc_text),
        )
        return self.journal.write(
            Event.PAYMENT,
            user=person.number,
            method=payment.method,
            amount=payment.amount_ore,
            tendered=payment.tendered_ore,
        )

    def _sale_discount_reason(self, basket_id: int) -> str:
        row = self.db.execute_sql(
            "SELECT sale_discount_reason FROM basket WHERE id = ?", (basket_id,)
        ).fetchone()
        return str(row[0]) if row else ""

    def _sign(
        self, nr: int, now: Instant, amount_in: int, amount_ex: int
    ) -> tuple[str | None, str | None]:
        """The signature over the register's previous one (SAF-T § 2-7), before the INSERT:
        `sale` is append-only. Runs inside the caller's IMMEDIATE transaction, so no other
        till process can slip a sale in between reading the last signature and this one."""
        if self.signer is None:
            return None, None
        row = self.db.execute_sql(
            "SELECT signature FROM sale WHERE register_id = ? ORDER BY id DESC LIMIT 1",
            (self.config.register_id,),
        ).fetchone()
        data = signing_string(
            row[0] if row else None, now.local_date, now.local_time, str(nr), amount_in, amount_ex
        )
        return self.signer.sign(data), self.signer.key_version

    # -- training mode ---------------------------------------------------------------------

    @property
    def training(self) -> bool:
        """Is this register in training mode? (A setting row: a restart keeps the mode.)"""
        row = self.db.execute_sql(
            "SELECT value FROM setting WHERE key = ?",
            (_TRAINING_KEY.format(register=self.config.register_id),),
        ).fetchone()
        return bool(row and row[0] == "1")

    def set_training(self, on: bool) -> None:
        """Inside the caller's transaction, with its journal row (13023/13024)."""
        self.db.execute_sql(
            "INSERT INTO setting (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (_TRAINING_KEY.format(register=self.config.register_id), "1" if on else "0"),
        )

    # -- writing a transaction (sales here, returns in selling.returns) ----------------------

    def next_number(self, series: str) -> int:
        """The next number of a gap-free series of this register; inside a transaction."""
        return int(
            self.db.execute_sql(_NEXT_NUMBER, (self.config.register_id, series)).fetchone()[0]
        )

    def next_receipt_nr(self, training: bool) -> int:
        if training:
            return TRAINING_NR_BASE + self.next_number("training")
        return self.next_number("receipt")

    def write_sale(self, person: Person, now: Instant, row: SaleRow) -> tuple[int, int]:
        """Number, sign and insert one transaction: (sale id, receipt number).

        Inside the caller's IMMEDIATE transaction, which writes its lines, payments, journal row
        and print job too. Sales, returns and training sales share one signature chain.
        """
        receipt_nr = self.next_receipt_nr(row.training)
        signature, key_version = self._sign(receipt_nr, now, row.total, row.total - row.vat)
        cursor = self.db.execute_sql(
            "INSERT INTO sale (register_id, receipt_nr, uuid, basket_uuid, user_id, kind,"
            " total_ore, vat_ore, discount_ore, rounding_ore, change_ore, completed_utc,"
            " local_date, local_time, signature, key_version, training, original_sale_id, reason,"
            " approved_by) VALUES (?, ?, ?, ?, (SELECT id FROM user WHERE number = ?), ?, ?, ?,"
            " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.config.register_id,
                receipt_nr,
                str(uuidlib.uuid4()),
                row.basket_uuid or str(uuidlib.uuid4()),
                person.number,
                row.kind,
                row.total,
                row.vat,
                row.discount,
                row.rounding,
                row.change,
                now.utc_text,
                now.local_date,
                now.local_time,
                signature,
                key_version,
                int(row.training),
                row.original_sale_id,
                row.reason,
                row.approved_by,
            ),
        )
        return int(cursor.lastrowid), receipt_nr

    def write_lines(
        self, sale_id: int, lines: list[SaleLineRow], now: Instant, *, training: bool
    ) -> None:
        """The lines and their stock movements (a sale takes out, a return puts back).
        Training moves no stock."""
        for ln in lines:
            self.db.execute_sql(
                "INSERT INTO sale_line (sale_id, line_nr, product_id, code, name, group_code,"
                " qty_milli, unit_price_ore, list_price_ore, discount_ore, amount_ore, vat_bp,"
                " vat_ore, price_overridden) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    sale_id,
                    ln.line_nr,
                    ln.product_id,
                    ln.code,
                    ln.name,
                    ln.group_code,
                    ln.qty_milli,
                    ln.unit_price,
                    ln.list_price,
                    ln.discount,
                    ln.amount,
                    ln.vat_bp,
                    ln.vat,
                    ln.overridden,
                ),
            )
            if training:
                continue
            self.db.execute_sql(
                "INSERT INTO stock_movement (uuid, product_id, delta_milli, reason, sale_id,"
                " register_id, created_utc) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    str(uuidlib.uuid4()),
                    ln.product_id,
                    -ln.qty_milli,
                    "return" if ln.qty_milli < 0 else "sale",
                    sale_id,
                    self.config.register_id,
                    now.utc_text,
                ),
            )

    def write_payments(self, sale_id: int, payments: list[Payment]) -> None:
        for payment in payments:
            self.db.execute_sql(
                "INSERT INTO payment (sale_id, method, amount_ore, tendered_ore)"
                " VALUES (?, ?, ?, ?)",
                (sale_id, payment.method, payment.amount_ore, payment.tendered_ore),
            )

    def _complete(
        self, person: Person, basket_id: int, priced: Priced, final: Payment, rounding: int
    ) -> Completed:
        """Write the whole sale; runs inside the caller's IMMEDIATE transaction."""
        # The sale and its receipt carry the journal's time: a clock that went back must not
        # give a receipt an earlier time than the one before it.
        now = self._add_payment(person, basket_id, final)
        payments = [*priced.payments, final]
        change = final.tendered_ore - final.amount_ore
        training = self.training
        basket_uuid = self.db.execute_sql(
            "SELECT uuid FROM basket WHERE id = ?", (basket_id,)
        ).fetchone()[0]
        row = SaleRow(
            "sale",
            priced.total,
            priced.vat,
            priced.discount,
            rounding,
            change,
            training,
            basket_uuid,
        )
        sale_id, receipt_nr = self.write_sale(person, now, row)
        lines = [
            SaleLineRow(
                nr,
                pl.line.product_id,
                pl.line.code,
                pl.line.name,
                pl.line.group_code,
                pl.line.qty_milli,
                pl.line.unit_price_ore,
                pl.line.list_price_ore,
                pl.discount,
                pl.amount,
                pl.line.vat_bp,
                pl.vat,
                pl.line.overridden,
            )
            for nr, pl in enumerate(priced.lines, start=1)
        ]
        self.write_lines(sale_id, lines, now, training=training)
        self.write_payments(sale_id, payments)
        self.db.execute_sql("UPDATE basket SET status = 'sold' WHERE id = ?", (basket_id,))
        details: dict[str, Any] = {"kind": "sale"} if training else {}
        self.journal.write(
            Event.TRAINING_RECEIPT if training else Event.SALE,
            user=person.number,
            sale_id=sale_id,
            nr=receipt_nr,
            total=priced.total,
            vat=priced.vat,
            rounding=rounding,
            change=change,
            lines=len(priced.lines),
            **details,
        )
        facts = SaleFacts(
            receipt_nr=receipt_nr,
            local_date=now.local_date,
            local_time=now.local_time,
            cashier=f"{person.name} ({person.number})",
            lines=receipt_lines(priced),
            total=priced.total,
            discount=priced.discount,
            sale_discount=priced.discount - sum(p.line.line_discount for p in priced.lines),
            sale_discount_reason=self._sale_discount_reason(basket_id),
            rounding=rounding,
            change=change,
            vat_lines=priced.vat_lines,
            payments=[ReceiptPayment(p.method, p.amount_ore, p.tendered_ore) for p in payments],
        )
        cash = any(p.method == "cash" for p in payments)
        doc = sales_receipt(self.config, facts, training=training)
        # A training sale takes no real cash: it neither kicks the drawer nor holds up sales.
        self.queue.enqueue(
            "training" if training else "receipt", doc, sale_id, kick=cash and not training
        )
        return Completed(sale_id, receipt_nr, priced.total, rounding, change, cash)


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
