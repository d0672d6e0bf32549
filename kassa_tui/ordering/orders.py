"""Purchase orders: made when a shift lead confirms one, printed, written as CSV, received.

An order, its lines, its status changes and what goods in booked against it are append-only
rows (triggers refuse UPDATE and DELETE). The status is the latest purchase_order_event row:
'confirmed' when made, 'closed' when goods in has received every line in full, 'cancelled'.
"On order" per product is, over the confirmed (still open) orders, each line's quantity less
what was received against it (never below zero: an over-delivery does not count as on order).
Numbers run 1, 2, 3 … per register.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from peewee import SqliteDatabase

from kassa_tui.config import Config
from kassa_tui.core.clock import Clock
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event, Journal
from kassa_tui.records.printqueue import PrintQueue
from kassa_tui.records.receipts import ReceiptDoc
from kassa_tui.stock.levels import Stock

CONFIRMED, CLOSED, CANCELLED = "confirmed", "closed", "cancelled"
MAX_QTY = 1_000_000
PRINT_KIND = "purchaseorder"

_STATUS = (
    "(SELECT e.status FROM purchase_order_event e WHERE e.order_id = o.id"
    " ORDER BY e.id DESC LIMIT 1)"
)


@dataclass(frozen=True)
class OrderLine:
    product_id: int
    plu: str
    ean: str
    supplier_code: str
    name: str
    qty: int
    pack_size: int
    cost_ore: int | None
    received: int
    suggested: int = 0
    reason: str = ""

    @property
    def outstanding(self) -> int:
        return max(self.qty - self.received, 0)


@dataclass(frozen=True)
class PurchaseOrder:
    id: int
    number: int
    register_id: str
    supplier_code: str
    supplier_name: str
    status: str
    user_number: int
    created_utc: str
    local_date: str
    lines: list[OrderLine]

    @property
    def cost_ore(self) -> int | None:
        """What the order costs at the known cost prices (None: none known)."""
        known = [line.qty * line.cost_ore for line in self.lines if line.cost_ore is not None]
        return sum(known) if known else None


@dataclass(frozen=True)
class Received:
    """One product of a delivery against an order: ordered, received before and now."""

    plu: str
    name: str
    ordered: int
    before: int
    now: int

    @property
    def difference(self) -> int:
        """Received in all less ordered: negative short, positive over."""
        return self.before + self.now - self.ordered

    def text(self) -> str:
        got = self.before + self.now
        if self.ordered == 0:
            return _("{name}: not ordered, received {got}").format(name=self.name, got=got)
        if self.difference < 0:
            return _("{name}: ordered {ordered}, received {got}: {n} short").format(
                name=self.name, ordered=self.ordered, got=got, n=-self.difference
            )
        if self.difference > 0:
            return _("{name}: ordered {ordered}, received {got}: {n} over").format(
                name=self.name, ordered=self.ordered, got=got, n=self.difference
            )
        return _("{name}: ordered {ordered}, received {got}").format(
            name=self.name, ordered=self.ordered, got=got
        )


def on_order(
    conn: sqlite3.Connection | SqliteDatabase, product_ids: Sequence[int] | None = None
) -> dict[int, int]:
    """Units on order per product: open orders' lines less what was received against them."""
    only = ""
    if product_ids is not None:
        if not product_ids:
            return {}
        only = f" AND l.product_id IN ({','.join(str(int(p)) for p in product_ids)})"
    sql = (
        "SELECT l.product_id, SUM(MAX(l.qty - COALESCE((SELECT SUM(r.qty) FROM"
        " purchase_order_receipt r WHERE r.order_id = l.order_id AND r.product_id ="
        " l.product_id), 0), 0)) FROM purchase_order_line l JOIN purchase_order o ON o.id ="
        f" l.order_id WHERE {_STATUS} = 'confirmed'{only} GROUP BY l.product_id"
    )
    rows = (conn.execute if isinstance(conn, sqlite3.Connection) else conn.execute_sql)(sql)
    return {int(pid): int(qty) for pid, qty in rows.fetchall() if qty}


def orders(db: SqliteDatabase, status: str | None = None, limit: int = 50) -> list[PurchaseOrder]:
    """The latest orders first (`status`: only those)."""
    where = "" if status is None else f" WHERE {_STATUS} = ?"
    ids = db.execute_sql(
        f"SELECT o.number FROM purchase_order o{where} ORDER BY o.id DESC LIMIT ?",
        ((status,) if status else ()) + (limit,),
    ).fetchall()
    return [order(db, int(n)) for (n,) in ids]


def open_orders(db: SqliteDatabase, supplier_id: int) -> list[PurchaseOrder]:
    """A supplier's confirmed orders not yet received in full, the oldest first."""
    rows = db.execute_sql(
        f"SELECT o.number FROM purchase_order o WHERE o.supplier_id = ? AND {_STATUS} = ?"
        " ORDER BY o.id",
        (supplier_id, CONFIRMED),
    ).fetchall()
    return [order(db, int(n)) for (n,) in rows]


def orders_stamp(db: SqliteDatabase) -> str:
    """Changes whenever an order is confirmed, closed or cancelled or goods are received
    against one: what is on order is then different (the Reorder tab reads again)."""
    row = db.execute_sql(
        "SELECT (SELECT COALESCE(MAX(id), 0) FROM purchase_order_event),"
        " (SELECT COALESCE(MAX(id), 0) FROM purchase_order_receipt)"
    ).fetchone()
    return f"{row[0]}.{row[1]}"


def order(db: SqliteDatabase, number: int, register_id: str | None = None) -> PurchaseOrder:
    """Order `number` (of this register when given); Refused if there is none."""
    where = "o.number = ?" + ("" if register_id is None else " AND o.register_id = ?")
    params: tuple[object, ...] = (number,) if register_id is None else (number, register_id)
    row = db.execute_sql(
        "SELECT o.id, o.number, o.register_id, s.code, s.name, "
        f"{_STATUS}, o.user_number, o.created_utc, o.local_date FROM purchase_order o"
        f" JOIN supplier s ON s.id = o.supplier_id WHERE {where} ORDER BY o.id DESC LIMIT 1",
        params,
    ).fetchone()
    if row is None:
        raise Refused(_("There is no purchase order {number}.").format(number=number))
    lines = [
        OrderLine(*line)
        for line in db.execute_sql(
            "SELECT l.product_id, COALESCE(p.plu, ''),"
            " COALESCE((SELECT MIN(code) FROM barcode b WHERE b.product_id = p.id), ''),"
            " COALESCE(ps.supplier_code, ''), p.name, l.qty, l.pack_size, l.cost_ore,"
            " COALESCE((SELECT SUM(r.qty) FROM purchase_order_receipt r"
            " WHERE r.order_id = l.order_id AND r.product_id = l.product_id), 0),"
            " l.suggested, l.reason"
            " FROM purchase_order_line l JOIN product p ON p.id = l.product_id"
            " LEFT JOIN product_supplier ps ON ps.product_id = l.product_id"
            " WHERE l.order_id = ? ORDER BY l.id",
            (row[0],),
        ).fetchall()
    ]
    number_, register, code, name, status, user, created, day = row[1:]
    return PurchaseOrder(
        int(row[0]), int(number_), register, code, name, status, int(user), created, day, lines
    )


@dataclass(frozen=True)
class Wanted:
    """A line the shift lead confirms: the product, units (whole packs), what was proposed."""

    product_id: int
    qty: int
    suggested: int = 0
    reason: str = ""


def confirm(
    db: SqliteDatabase,
    journal: Journal,
    queue: PrintQueue,
    config: Config,
    clock: Clock,
    person: Person,
    supplier_id: int,
    wanted: Sequence[Wanted],
) -> PurchaseOrder:
    """Make the purchase order: lines with a quantity above zero, each whole packs of its
    product's pack size; journaled (PURCHASEORDER) and queued for the till's printer, in one
    transaction. Refused, nothing written, on a bad line or none."""
    permissions.require(db, journal, person, Permission.STOCK)
    lines = [w for w in wanted if w.qty != 0]
    facts: dict[int, tuple[str, str, int, int | None]] = {}
    for line in lines:
        row = db.execute_sql(
            "SELECT COALESCE(p.plu, ''), p.name, ps.pack_size, p.cost_ore, ps.supplier_id"
            " FROM product p JOIN product_supplier ps ON ps.product_id = p.id WHERE p.id = ?",
            (line.product_id,),
        ).fetchone()
        if row is None or row[4] != supplier_id:
            raise Refused(_("A product on the order is not this supplier's."))
        plu, name, pack, cost, _supplier = row
        if line.qty < 0 or line.qty > MAX_QTY:
            raise Refused(_("{name}: a quantity must be 0 to {n}.").format(name=name, n=MAX_QTY))
        if line.qty % pack:
            raise Refused(
                _("{name}: {qty} is not whole packs of {pack}.").format(
                    name=name, qty=line.qty, pack=pack
                )
            )
        facts[line.product_id] = (plu, name, pack, cost)
    if not lines:
        raise Refused(_("Nothing to order: every quantity is 0."))
    if len({line.product_id for line in lines}) != len(lines):
        raise Refused(_("A product is on the order twice."))
    now = clock.now()
    with db.atomic("IMMEDIATE"):
        number = int(
            db.execute_sql(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM purchase_order WHERE register_id = ?",
                (config.register_id,),
            ).fetchone()[0]
        )
        order_id = int(
            db.execute_sql(
                "INSERT INTO purchase_order (register_id, number, supplier_id, user_number,"
                " created_utc, local_date) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    config.register_id,
                    number,
                    supplier_id,
                    person.number,
                    now.utc_text,
                    now.local_date,
                ),
            ).lastrowid
        )
        for line in lines:
            plu, name, pack, cost = facts[line.product_id]
            db.execute_sql(
                "INSERT INTO purchase_order_line (order_id, product_id, qty, pack_size, cost_ore,"
                " suggested, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (order_id, line.product_id, line.qty, pack, cost, line.suggested, line.reason),
            )
        db.execute_sql(
            "INSERT INTO purchase_order_event (order_id, status, user_number, created_utc)"
            " VALUES (?, ?, ?, ?)",
            (order_id, CONFIRMED, person.number, now.utc_text),
        )
        made = order(db, number, config.register_id)
        journal.write(
            Event.PURCHASE_ORDER,
            user=person.number,
            order=number,
            supplier=made.supplier_code,
            lines=[[facts[w.product_id][0], w.qty, w.suggested] for w in lines],
            cost_ore=made.cost_ore,
        )
        queue.enqueue(PRINT_KIND, order_doc(config, made), None, kick=False)
    return made


def receive_against(
    db: SqliteDatabase,
    journal: Journal,
    clock: Clock,
    person: Person,
    number: int,
    delivery_id: int,
    received: Sequence[tuple[int, int]],
    register_id: str | None = None,
) -> tuple[list[Received], bool]:
    """Book a delivery's lines (product id, units) against open order `number`: call in the
    delivery's transaction. Returns each line against the order (and every ordered line not
    in this delivery), and whether the order is now closed (every line received in full)."""
    permissions.require(db, journal, person, Permission.STOCK)
    before = order(db, number, register_id)
    if before.status != CONFIRMED:
        raise Refused(
            _("Purchase order {number} is {status}: nothing can be received against it.").format(
                number=number, status=status_name(before.status)
            )
        )
    now = clock.now()
    got: dict[int, int] = {}
    for product_id, qty in received:
        got[product_id] = got.get(product_id, 0) + qty
    by_product = {line.product_id: line for line in before.lines}
    result: list[Received] = []
    for product_id, qty in got.items():
        line = by_product.get(product_id)
        if line is not None:
            db.execute_sql(
                "INSERT INTO purchase_order_receipt (order_id, delivery_id, product_id, qty,"
                " created_utc) VALUES (?, ?, ?, ?, ?)",
                (before.id, delivery_id, product_id, qty, now.utc_text),
            )
            result.append(Received(line.plu, line.name, line.qty, line.received, qty))
        else:
            name = db.execute_sql(
                "SELECT COALESCE(plu, ''), name FROM product WHERE id = ?", (product_id,)
            ).fetchone()
            result.append(Received(name[0], name[1], 0, 0, qty))
    for line in before.lines:
        if line.product_id not in got:
            result.append(Received(line.plu, line.name, line.qty, line.received, 0))
    closed = all(line.received + got.get(line.product_id, 0) >= line.qty for line in before.lines)
    if closed:
        db.execute_sql(
            "INSERT INTO purchase_order_event (order_id, status, user_number, created_utc)"
            " VALUES (?, ?, ?, ?)",
            (before.id, CLOSED, person.number, now.utc_text),
        )
    journal.write(
        Event.ORDER_RECEIVED,
        user=person.number,
        order=number,
        delivery=delivery_id,
        lines=[[r.plu, r.ordered, r.before + r.now] for r in result],
        closed=closed,
    )
    return result, closed


def cancel(db: SqliteDatabase, journal: Journal, clock: Clock, person: Person, number: int) -> None:
    """Cancel an open order (what was received stays received); journaled."""
    permissions.require(db, journal, person, Permission.STOCK)
    found = order(db, number)
    if found.status != CONFIRMED:
        raise Refused(
            _("Purchase order {number} is {status}.").format(
                number=number, status=status_name(found.status)
            )
        )
    with db.atomic("IMMEDIATE"):
        db.execute_sql(
            "INSERT INTO purchase_order_event (order_id, status, user_number, created_utc)"
            " VALUES (?, ?, ?, ?)",
            (found.id, CANCELLED, person.number, clock.now().utc_text),
        )
        journal.write(Event.ORDER_CANCELLED, user=person.number, order=number)


def status_name(status: str) -> str:
    return {
        CONFIRMED: _("open"),
        CLOSED: _("received"),
        CANCELLED: _("cancelled"),
    }.get(status, status)


CSV_HEADER = ("supplier_code", "ean", "plu", "name", "qty", "pack_size", "packs", "cost_ore")


def order_csv(found: PurchaseOrder) -> str:
    """The order as the supplier reads it: `;` separated, one line a product."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for line in found.lines:
        writer.writerow(
            (
                line.supplier_code,
                line.ean,
                line.plu,
                line.name,
                line.qty,
                line.pack_size,
                line.qty // line.pack_size,
                "" if line.cost_ore is None else line.cost_ore,
            )
        )
    return out.getvalue()


def order_doc(config: Config, found: PurchaseOrder) -> ReceiptDoc:
    """The printed order: plain Norwegian, as the till prints its other documents."""
    doc = ReceiptDoc()
    doc.add("title", "Bestilling")
    doc.add("center", config.shop_name)
    for text in config.shop_address:
        doc.add("center", text)
    doc.add("center", config.org_nr_display)
    doc.add("rule")
    doc.add("cols", "Bestilling nr.", str(found.number))
    doc.add("cols", "Leverandør", found.supplier_code)
    doc.add("text", found.supplier_name)
    doc.add("cols", "Dato", found.local_date)
    doc.add("cols", "Kasse", found.register_id)
    doc.add("cols", "Bestilt av", str(found.user_number))
    doc.add("rule")
    for line in found.lines:
        code = line.supplier_code or line.ean or line.plu
        doc.add("text", f"{code} {line.name}")
        packs = line.qty // line.pack_size
        doc.add("cols", f"  {packs} x {line.pack_size} stk", f"{line.qty} stk")
    doc.add("rule")
    doc.add("cols", "Linjer", str(len(found.lines)))
    doc.add("cols", "Enheter", str(sum(line.qty for line in found.lines)))
    if found.cost_ore is not None:
        doc.add("cols", "Innkjøpsverdi", format_kr(found.cost_ore))
    return doc


def receive_delivery(
    stock: Stock,
    clock: Clock,
    person: Person,
    number: int,
    lines: Sequence[tuple[int, int]],
    reference: str = "",
    costs: dict[int, int | None] | None = None,
) -> tuple[int, list[Received], bool]:
    """Goods in against open order `number`: the delivery (stock, its journal row) and what it
    booked against the order, in one transaction. Returns the delivery's id, the lines against
    the order ("ordered 12, received 10: 2 short") and whether the order is now closed."""
    db = stock.db
    found = order(db, number, stock.config.register_id)
    if found.status != CONFIRMED:
        raise Refused(
            _("Purchase order {number} is {status}: nothing can be received against it.").format(
                number=number, status=status_name(found.status)
            )
        )
    with db.atomic("IMMEDIATE"):
        delivery_id = stock.receive(
            person,
            [(pid, qty * 1000, (costs or {}).get(pid)) for pid, qty in lines],
            reference or _("Order {number}").format(number=number),
        )
        result, closed = receive_against(
            db, stock.journal, clock, person, number, delivery_id, lines, found.register_id
        )
    return delivery_id, result, closed


def delivery_summary(number: int, result: Sequence[Received], closed: bool) -> str:
    """One line for the goods-in screen: what differs from the order, and whether it is done."""
    differs = [line.text() for line in result if line.difference or not line.ordered]
    text = _("Order {number}: {n} lines as ordered").format(
        number=number, n=sum(1 for line in result if not line.difference and line.ordered)
    )
    if differs:
        text += "; " + "; ".join(differs)
    if closed:
        return text + ". " + _("Received in full: the order is closed.")
    return text + ". " + _("The order stays open for the rest.")
