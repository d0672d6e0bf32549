"""Writing a completed transaction: a sale or a return, numbered, signed and stored.

A transaction is a `sale` row (append-only) with its lines, payments and stock movements, all
inside the caller's `BEGIN IMMEDIATE` transaction. Its receipt number is the next of a gap-free
series of the register, and it is signed over the register's previous one (SAF-T § 2-7): sales,
returns and training sales share one signature chain. Training mode decides the series: training
receipts are numbered apart, so their numbers (and barcodes) are never a real receipt's.
"""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass

from kassa_tui.catalog.deposits import PANT_GROUP
from kassa_tui.catalog.pricing import Payment
from kassa_tui.core.clock import Instant
from kassa_tui.people.person import Person
from kassa_tui.records.audit import sale_content_hash
from kassa_tui.records.receipts import ReceiptDoc
from kassa_tui.records.register import Register, RegisterService
from kassa_tui.records.signing import Signer, signing_string


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


class Transactions(RegisterService):
    """The register's completed transactions: numbering, signing and writing them."""

    def __init__(self, register: Register, signer: Signer | None = None) -> None:
        if signer is None and register.config.signing.enabled:
            raise ValueError("signing is enabled in the config but no Signer was given")
        super().__init__(register)
        self.signer = signer

    # -- training mode -----------------------------------------------------------------------

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

    # -- writing a transaction (for Sales and Returns) ---------------------------------------

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
            if training or ln.group_code == PANT_GROUP:  # pant is no stock of the shop's
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

    def content_of(self, sale_id: int) -> str:
        """The hash of a written transaction (sale, lines, payments) for the journal row that
        announces it: `kassa journal verify` then notices any of them changed afterwards."""
        return sale_content_hash(self.db, sale_id)

    def queue_receipt(
        self, doc: ReceiptDoc, sale_id: int, payments: list[Payment], *, training: bool
    ) -> bool:
        """Queue a transaction's receipt; returns whether cash changed hands. A training
        transaction takes no real cash: it neither kicks the drawer nor holds up sales."""
        cash = any(p.method == "cash" for p in payments)
        kick = cash or any(
            m.drawer for p in payments if (m := self.config.accounting.payment_method(p.method))
        )
        self.queue.enqueue(
            "training" if training else "receipt", doc, sale_id, kick=kick and not training
        )
        return cash
