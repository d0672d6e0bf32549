"""The SQLite connection every service shares, and the version-1 tables as Peewee models.

Durability is set here once: WAL, synchronous=FULL (a Pi loses power), foreign keys, and a busy
timeout so a CLI report beside the till waits instead of failing.

The schema to read is schema.sql beside this file (the current version, every table, index and
trigger, with the room that owns it). The models below are not it: they are schema version 1,
which migration 1 (kassa_tui.store.migrations) creates from them, so they stay as they are;
later columns and tables exist only in the migrations and schema.sql. The services read and
write with plain SQL on the injected database; only `Setting` is still queried through Peewee
(the schema version, in migrations.py). The defaults written in these models are Peewee's, in
Python, not SQL DEFAULTs: plain SQL that inserts into these tables gives every column a value.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from peewee import (
    BlobField,
    BooleanField,
    CompositeKey,
    ForeignKeyField,
    IntegerField,
    Model,
    SqliteDatabase,
    TextField,
)

PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": 2,  # FULL: a committed sale survives a power cut
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "cache_size": -16000,
    "temp_store": 2,
}


class TillDatabase(SqliteDatabase):
    """SQLite as the till uses it: a failed COMMIT keeps its own error.

    When COMMIT fails on a full disk (or an I/O error), SQLite has already ended the
    transaction; Peewee then sends ROLLBACK, whose "cannot rollback - no transaction is active"
    would replace "database or disk is full" and the cashier would get "Something went wrong"
    instead of what to do about the disk.
    """

    def rollback(self) -> None:
        if self.is_closed():
            return super().rollback()  # Peewee's own error: the connection is not open
        connection: sqlite3.Connection = self.connection()  # type: ignore[no-untyped-call]
        if not connection.in_transaction:
            return  # SQLite rolled back already; nothing is left half-written
        super().rollback()


db = TillDatabase(None)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class Setting(BaseModel):
    """Key/value facts: the schema version, and per register whether training mode is on."""

    key = TextField(primary_key=True)
    value = TextField()


class ProductGroup(BaseModel):
    code = TextField(unique=True)
    name = TextField()
    saft_group = TextField(default="04999")  # PredefinedBasicID-04


class Product(BaseModel):
    plu = TextField(unique=True, null=True)
    name = TextField()
    group = ForeignKeyField(ProductGroup, backref="products")
    vat_bp = IntegerField()  # basis points: 2500 = 25 %
    price_ore = IntegerField()  # VAT included; per kg for weighed items
    unit = TextField(default="stk")  # "stk" or "kg"
    active = BooleanField(default=True)


class Barcode(BaseModel):
    code = TextField(primary_key=True)
    product = ForeignKeyField(Product, backref="barcodes", index=True)


class User(BaseModel):
    number = IntegerField(unique=True)
    name = TextField()
    role = TextField()  # cashier, shift_lead, technician
    pin_hash = TextField()
    active = BooleanField(default=True)


class Basket(BaseModel):
    """A basket being built, parked or already sold; survives a crash line for line."""

    uuid = TextField(unique=True)
    register_id = TextField(index=True)
    user = ForeignKeyField(User, null=True)
    status = TextField(default="open")  # open, parked, sold
    sale_discount_ore = IntegerField(default=0)
    sale_discount_bp = IntegerField(default=0)
    sale_discount_reason = TextField(default="")
    created_utc = TextField()
    parked_utc = TextField(null=True)


class BasketLine(BaseModel):
    basket = ForeignKeyField(Basket, backref="lines", on_delete="CASCADE")
    position = IntegerField()
    product = ForeignKeyField(Product)
    code = TextField()
    name = TextField()
    group_code = TextField()
    vat_bp = IntegerField()
    unit = TextField()
    unit_price_ore = IntegerField()
    list_price_ore = IntegerField()
    qty_milli = IntegerField()
    fixed_amount_ore = IntegerField(null=True)  # price-embedded items
    discount_ore = IntegerField(default=0)
    discount_bp = IntegerField(default=0)
    discount_reason = TextField(default="")
    override_by = ForeignKeyField(User, null=True)


class BasketPayment(BaseModel):
    basket = ForeignKeyField(Basket, backref="payments", on_delete="CASCADE")
    method = TextField()  # cash, card
    amount_ore = IntegerField()
    tendered_ore = IntegerField()
    created_utc = TextField()


class Counter(BaseModel):
    """Gap-free number series per register (receipt numbers)."""

    register_id = TextField()
    series = TextField()
    value = IntegerField(default=0)

    class Meta:
        primary_key = CompositeKey("register_id", "series")


class Sale(BaseModel):
    register_id = TextField()
    receipt_nr = IntegerField()
    uuid = TextField(unique=True)
    basket_uuid = TextField(unique=True)
    user = ForeignKeyField(User)
    kind = TextField(default="sale")
    total_ore = IntegerField()
    vat_ore = IntegerField()
    discount_ore = IntegerField()
    rounding_ore = IntegerField()
    change_ore = IntegerField()
    completed_utc = TextField()
    local_date = TextField()
    local_time = TextField()

    class Meta:
        indexes = ((("register_id", "receipt_nr"), True), (("local_date",), False))


class SaleLine(BaseModel):
    sale = ForeignKeyField(Sale, backref="lines")
    line_nr = IntegerField()
    product = ForeignKeyField(Product)
    code = TextField()
    name = TextField()
    group_code = TextField()
    qty_milli = IntegerField()
    unit_price_ore = IntegerField()
    list_price_ore = IntegerField()
    discount_ore = IntegerField()
    amount_ore = IntegerField()
    vat_bp = IntegerField()
    vat_ore = IntegerField()
    price_overridden = BooleanField(default=False)


class Payment(BaseModel):
    sale = ForeignKeyField(Sale, backref="payments")
    method = TextField()
    amount_ore = IntegerField()
    tendered_ore = IntegerField()


class StockMovement(BaseModel):
    """Stock is a sum of deltas, never an overwritten level (several tills merge later)."""

    uuid = TextField(unique=True)
    product = ForeignKeyField(Product, index=True)
    delta_milli = IntegerField()
    reason = TextField()
    sale = ForeignKeyField(Sale, null=True)
    register_id = TextField()
    created_utc = TextField()


class PrintJob(BaseModel):
    kind = TextField()  # receipt, test
    sale = ForeignKeyField(Sale, null=True)
    register_id = TextField()
    payload = BlobField()
    kick_drawer = BooleanField(default=False)
    status = TextField(default="queued", index=True)  # queued, printed
    attempts = IntegerField(default=0)
    last_error = TextField(default="")
    created_utc = TextField()
    printed_utc = TextField(null=True)


class JournalEntry(BaseModel):
    """One row of the electronic journal (§ 2-7): append-only, hash-chained per register."""

    register_id = TextField()
    seq = IntegerField()
    uuid = TextField(unique=True)
    event_code = TextField()  # PredefinedBasicID-13, e.g. "13003"
    basic_id = TextField()  # our own event name, e.g. "LOGIN", "LINEADD"
    user_number = IntegerField(null=True)
    utc = TextField()
    local_date = TextField()
    local_time = TextField()
    text = TextField(default="")
    sale_id = IntegerField(null=True)
    prev_hash = TextField()
    hash = TextField()

    class Meta:
        table_name = "journal"
        indexes = ((("register_id", "seq"), True), (("event_code",), False))


MODELS: list[type[BaseModel]] = [
    Setting,
    ProductGroup,
    Product,
    Barcode,
    User,
    Basket,
    BasketLine,
    BasketPayment,
    Counter,
    Sale,
    SaleLine,
    Payment,
    StockMovement,
    PrintJob,
    JournalEntry,
]

#: The version-1 tables whose triggers refuse UPDATE and DELETE (later ones: see schema.sql).
APPEND_ONLY = ("sale", "sale_line", "payment", "stock_movement", "journal")


def connect(path: Path) -> SqliteDatabase:
    """Open the shop's database with kassa's pragmas (creating its folder)."""
    if not db.is_closed():
        db.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    db.init(str(path), pragmas=PRAGMAS, check_same_thread=False)
    db.connect(reuse_if_open=True)
    return db
