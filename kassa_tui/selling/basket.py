"""The open basket: scanning, quantities, corrections, discounts, overrides, park and resume.

Every change is one committed transaction together with its journal row, before the screen shows
it, so a crash or power cut brings back the same basket line for line.
"""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass
from typing import Any

from peewee import SqliteDatabase

from kassa_tui.catalog.barcodes import BadCode, ScannedCode, classify
from kassa_tui.catalog.lookup import Catalog, ProductInfo
from kassa_tui.catalog.pricing import Line, Payment, Priced, price
from kassa_tui.config import Config
from kassa_tui.core.clock import Clock, parse_utc
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import (
    QTY_ONE,
    InvalidAmount,
    InvalidQuantity,
    format_kr,
    parse_amount,
    parse_quantity,
    round_half_up,
)
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.people.users import Users
from kassa_tui.records.journal import Event, Journal
from kassa_tui.records.printqueue import PrintQueue
from kassa_tui.selling.drawer import Drawer

MAX_QTY = 9999 * QTY_ONE
MAX_LINES = 500

_LINE_COLUMNS = (
    "id, position, product_id, code, name, group_code, vat_bp, unit, unit_price_ore,"
    " list_price_ore, qty_milli, fixed_amount_ore, discount_ore, discount_bp, discount_reason,"
    " override_by_id IS NOT NULL"
)
_INSERT_LINE = (
    "INSERT INTO basket_line (basket_id, position, product_id, code, name, group_code, vat_bp,"
    " unit, unit_price_ore, list_price_ore, qty_milli, fixed_amount_ore, discount_ore,"
    " discount_bp, discount_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, '')"
)

_OPEN_BASKET_FOR_SCAN = (
    "SELECT b.id,"
    " (SELECT COUNT(*) FROM basket_payment p WHERE p.basket_id = b.id),"
    " (SELECT COUNT(*) FROM basket_line l WHERE l.basket_id = b.id),"
    " (SELECT COALESCE(MAX(position), 0) FROM basket_line l WHERE l.basket_id = b.id)"
    " FROM basket b WHERE b.register_id = ? AND b.status = 'open' ORDER BY b.id LIMIT 1"
)


@dataclass(frozen=True)
class BasketState:
    """What the sale screen shows: the basket priced, with what is paid and left."""

    uuid: str | None
    priced: Priced
    sale_discount_reason: str = ""

    @property
    def empty(self) -> bool:
        return not self.priced.lines


@dataclass(frozen=True)
class Parked:
    uuid: str
    parked_local: str
    lines: int
    total: int
    user_name: str


class Baskets:
    """The one open basket of this register, and the parked ones."""

    def __init__(
        self,
        database: SqliteDatabase,
        config: Config,
        journal: Journal,
        catalog: Catalog,
        users: Users,
        clock: Clock,
        drawer: Drawer,
        queue: PrintQueue,
    ) -> None:
        self.db = database
        self.drawer = drawer
        self.queue = queue
        self.config = config
        self.journal = journal
        self.catalog = catalog
        self.users = users
        self.clock = clock
        self.read_only = False

    # -- reading -----------------------------------------------------------------------------

    def _open_basket_id(self) -> tuple[int, str] | None:
        row = self.db.execute_sql(
            "SELECT id, uuid FROM basket WHERE register_id = ? AND status = 'open'"
            " ORDER BY id LIMIT 1",
            (self.config.register_id,),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def lines(self, basket_id: int) -> list[Line]:
        rows = self.db.execute_sql(
            f"SELECT {_LINE_COLUMNS} FROM basket_line WHERE basket_id = ? ORDER BY position",
            (basket_id,),
        ).fetchall()
        return [_line_of(row) for row in rows]

    def payments(self, basket_id: int) -> list[Payment]:
        rows = self.db.execute_sql(
            "SELECT method, amount_ore, tendered_ore FROM basket_payment WHERE basket_id = ?"
            " ORDER BY id",
            (basket_id,),
        ).fetchall()
        return [Payment(*row) for row in rows]

    def current(self) -> BasketState:
        """The open basket as it is committed right now."""
        found = self._open_basket_id()
        if found is None:
            return BasketState(None, price([], [], cash_rounding_enabled=self.config.cash_rounding))
        basket_id, basket_uuid = found
        disc_ore, disc_bp, reason = self.db.execute_sql(
            "SELECT sale_discount_ore, sale_discount_bp, sale_discount_reason FROM basket"
            " WHERE id = ?",
            (basket_id,),
        ).fetchone()
        priced = price(
            self.lines(basket_id),
            self.payments(basket_id),
            sale_discount_ore=disc_ore,
            sale_discount_bp=disc_bp,
            cash_rounding_enabled=self.config.cash_rounding,
        )
        return BasketState(basket_uuid, priced, reason)

    # -- changing ----------------------------------------------------------------------------

    def _guard(self) -> None:
        if self.read_only:
            raise Refused(_("This is a read-only view: the till is running elsewhere."))

    def ready_to_sell(self) -> None:
        """No sale while the drawer is open, or while the last receipt has not printed (§ 2-6)."""
        self.drawer.check_closed()
        waiting = self.queue.holding_up_sales()
        if waiting is not None:
            reason = waiting.last_error or _("the printer has not taken it yet")
            raise Refused(
                _(
                    "Receipt {nr} has not printed ({reason}). The next sale starts when it has."
                ).format(nr=waiting.receipt_nr, reason=reason)
            )

    def _ensure_basket(self, person: Person) -> int:
        found = self._open_basket_id()
        if found:
            return found[0]
        cursor = self.db.execute_sql(
            "INSERT INTO basket (uuid, register_id, user_id, status, sale_discount_ore,"
            " sale_discount_bp, sale_discount_reason, created_utc)"
            " VALUES (?, ?, (SELECT id FROM user WHERE number = ?), 'open', 0, 0, '', ?)",
            (
                str(uuidlib.uuid4()),
                self.config.register_id,
                person.number,
                self.clock.now().utc_text,
            ),
        )
        return int(cursor.lastrowid)

    def _no_payments_yet(self, basket_id: int) -> None:
        if self.payments(basket_id):
            raise Refused(_("A payment is already registered; finish the payment first."))

    def find_product(self, scanned: ScannedCode) -> ProductInfo:
        if scanned.kind == "ean":
            return self.catalog.by_barcode(scanned.code)
        return self.catalog.by_plu(scanned.plu or scanned.code)

    def classify(self, text: str) -> ScannedCode:
        try:
            return classify(text, self.config.embedded)
        except BadCode as exc:
            raise Refused(
                _("Code {code} not accepted ({reason}): nothing added.").format(
                    code=exc.code, reason=exc.reason
                )
            ) from None

    def add(self, person: Person, text: str, qty_milli: int | None = None) -> Line:
        """Add the product behind a scanned or typed code; `qty_milli` from a '3*' before it."""
        self._guard()
        permissions.require(self.db, self.journal, person, Permission.SELL)
        self.ready_to_sell()
        scanned = self.classify(text)
        product = self.find_product(scanned)
        qty = qty_milli if qty_milli is not None else QTY_ONE
        if qty <= 0 or qty > MAX_QTY:
            raise Refused(_("Quantity must be between 0 and 9999."))
        fixed: int | None = None
        if scanned.grams is not None:
            if qty_milli is not None:
                raise Refused(_("A weighed barcode carries its own weight; no quantity first."))
            if not product.weighed:
                raise Refused(_("{name} is sold in whole units.").format(name=product.name))
            qty = scanned.grams
        elif scanned.price_ore is not None:
            if qty_milli is not None:
                raise Refused(_("A price barcode carries its own price; no quantity first."))
            fixed = scanned.price_ore
            if product.weighed and product.price_ore > 0:
                # A scale's price label: the weight follows from the price per kg (for stock).
                qty = round_half_up(fixed * QTY_ONE, product.price_ore)
        elif product.weighed and qty_milli is None:
            raise Refused(
                _(
                    "{name} is sold by weight: type the weight first, e.g. 0,5* then the code."
                ).format(name=product.name)
            )
        elif not product.weighed and qty % QTY_ONE:
            raise Refused(_("{name} is sold in whole units.").format(name=product.name))
        unit_price = product.price_ore if fixed is None else fixed
        with self.db.atomic("IMMEDIATE"):
            # One query for the open basket, its payments and its lines: this is the scan path.
            row = self.db.execute_sql(_OPEN_BASKET_FOR_SCAN, (self.config.register_id,)).fetchone()
            if row is None:
                basket_id, paid, count, last_pos = self._ensure_basket(person), 0, 0, 0
            else:
                basket_id, paid, count, last_pos = row
            if paid:
                raise Refused(_("A payment is already registered; finish the payment first."))
            if count >= MAX_LINES:
                raise Refused(_("The basket is full ({n} lines).").format(n=MAX_LINES))
            cursor = self.db.execute_sql(
                _INSERT_LINE,
                (
                    basket_id,
                    last_pos + 1,
                    product.id,
                    scanned.code,
                    product.name,
                    product.group_code,
                    product.vat_bp,
                    product.unit,
                    unit_price,
                    product.price_ore,
                    qty,
                    fixed,
                ),
            )
            line = Line(
                int(cursor.lastrowid),
                last_pos + 1,
                product.id,
                scanned.code,
                product.name,
                product.group_code,
                product.vat_bp,
                product.unit,
                unit_price,
                product.price_ore,
                qty,
                fixed,
            )
            self.journal.write(
                Event.LINE_ADD,
                user=person.number,
                art=product.plu or str(product.id),
                code=scanned.code,
                qty=qty,
                amount=line.gross,
            )
        return line

    def _line(self, basket_id: int, line_id: int) -> Line:
        for line in self.lines(basket_id):
            if line.id == line_id:
                return line
        raise Refused(_("That line is no longer in the basket."))

    def _open_id(self) -> int:
        found = self._open_basket_id()
        if not found:
            raise Refused(_("The basket is empty."))
        return found[0]

    def set_quantity(self, person: Person, line_id: int, text: str) -> None:
        """Change a line's quantity; lowering it is a journaled line correction."""
        self._guard()
        try:
            qty = parse_quantity(text)
        except InvalidQuantity:
            raise Refused(_("{text} is not a quantity.").format(text=text)) from None
        if qty > MAX_QTY:
            raise Refused(_("Quantity must be between 0 and 9999."))
        with self.db.atomic("IMMEDIATE"):
            basket_id = self._open_id()
            self._no_payments_yet(basket_id)
            line = self._line(basket_id, line_id)
            if classify(line.code, self.config.embedded).kind == "embedded":
                raise Refused(_("The quantity of a weighed or priced barcode cannot be changed."))
            if line.unit != "kg" and qty % QTY_ONE:
                raise Refused(_("{name} is sold in whole units.").format(name=line.name))
            if qty == line.qty_milli:
                return
            self.db.execute_sql("UPDATE basket_line SET qty_milli = ? WHERE id = ?", (qty, line_id))
            new_gross = Line(**{**line.__dict__, "qty_milli": qty}).gross
            event = Event.LINE_REDUCE if qty < line.qty_milli else Event.LINE_QTY_UP
            self.journal.write(
                event,
                user=person.number,
                line=line.position,
                name=line.name,
                qty_before=line.qty_milli,
                qty_after=qty,
                amount=line.gross - new_gross,
            )

    def remove_line(self, person: Person, line_id: int) -> None:
        """Delete a line before payment: a line correction, journaled and counted."""
        self._guard()
        with self.db.atomic("IMMEDIATE"):
            basket_id = self._open_id()
            self._no_payments_yet(basket_id)
            line = self._line(basket_id, line_id)
            self.db.execute_sql("DELETE FROM basket_line WHERE id = ?", (line_id,))
            self.journal.write(
                Event.LINE_DELETE,
                user=person.number,
                line=line.position,
                name=line.name,
                art=line.code,
                qty=line.qty_milli,
                amount=line.gross,
            )

    def discount_line(
        self,
        person: Person,
        line_id: int,
        text: str,
        reason: str,
        approval: tuple[str, str] | None = None,
    ) -> None:
        """'10%' takes ten percent off the line, '20' or '20,50' takes an amount off.

        Above the limit, `approval` is a shift lead's number and PIN given on the spot.
        """
        self._guard()
        percent_bp, amount = parse_discount(text)
        if not reason.strip():
            raise Refused(_("A discount needs a reason."))
        before = self._line(self._open_id(), line_id)
        self._check_line_discount(before, amount)
        approver = self._within_limit(person, percent_bp, amount, before.gross, approval)
        with self.db.atomic("IMMEDIATE"):
            basket_id = self._open_id()
            self._no_payments_yet(basket_id)
            line = self._line(basket_id, line_id)
            self._check_line_discount(line, amount)
            self.db.execute_sql(
                "UPDATE basket_line SET discount_ore = ?, discount_bp = ?, discount_reason = ?"
                " WHERE id = ?",
                (amount, percent_bp, reason, line_id),
            )
            self.journal.write(
                Event.DISCOUNT,
                user=person.number,
                **({"approver": approver} if approver else {}),
                scope="line",
                line=line.position,
                percent_bp=percent_bp,
                amount=amount,
                reason=reason,
            )

    @staticmethod
    def _check_line_discount(line: Line, amount: int) -> None:
        if amount > line.gross:
            raise Refused(
                _("The discount is larger than the line ({amount}).").format(
                    amount=format_kr(line.gross)
                )
            )

    def _over_limit(self, percent_bp: int, amount: int, base: int) -> bool:
        limit = self.config.discount_limit_percent
        return percent_bp > limit * 100 if percent_bp else amount * 100 > base * limit

    def _within_limit(
        self,
        person: Person,
        percent_bp: int,
        amount: int,
        base: int,
        approval: tuple[str, str] | None,
    ) -> int | None:
        """Above [ui] discount_limit_percent needs DISCOUNT_OVER_LIMIT: the user's, or an
        approver's given on the spot. Returns the approver's number, if one approved."""
        if not self._over_limit(percent_bp, amount, base):
            return None
        if approval is None or permissions.allowed(person.role, Permission.DISCOUNT_OVER_LIMIT):
            permissions.require(self.db, self.journal, person, Permission.DISCOUNT_OVER_LIMIT)
            return None
        approver = self.users.approver(*approval)
        permissions.require(self.db, self.journal, approver, Permission.DISCOUNT_OVER_LIMIT)
        return approver.number

    def discount_needs_approval(self, person: Person, text: str, line_id: int | None) -> bool:
        """Whether this discount is above the limit for this user (the screen asks a lead)."""
        if permissions.allowed(person.role, Permission.DISCOUNT_OVER_LIMIT):
            return False
        percent_bp, amount = parse_discount(text)
        state = self.current()
        if line_id is None:
            base = sum(p.amount + p.discount - p.line.line_discount for p in state.priced.lines)
        else:
            base = next((p.line.gross for p in state.priced.lines if p.line.id == line_id), 0)
        return self._over_limit(percent_bp, amount, base)

    def discount_sale(
        self, person: Person, text: str, reason: str, approval: tuple[str, str] | None = None
    ) -> None:
        self._guard()
        percent_bp, amount = parse_discount(text)
        if not reason.strip():
            raise Refused(_("A discount needs a reason."))
        state = self.current()
        if state.empty:
            raise Refused(_("The basket is empty."))
        subtotal = sum(p.amount + p.discount - p.line.line_discount for p in state.priced.lines)
        if amount > subtotal:
            raise Refused(
                _("The discount is larger than the sale ({amount}).").format(
                    amount=format_kr(subtotal)
                )
            )
        approver = self._within_limit(person, percent_bp, amount, subtotal, approval)
        with self.db.atomic("IMMEDIATE"):
            basket_id = self._open_id()
            self._no_payments_yet(basket_id)
            self.db.execute_sql(
                "UPDATE basket SET sale_discount_ore = ?, sale_discount_bp = ?,"
                " sale_discount_reason = ? WHERE id = ?",
                (amount, percent_bp, reason, basket_id),
            )
            self.journal.write(
                Event.DISCOUNT,
                user=person.number,
                **({"approver": approver} if approver else {}),
                scope="sale",
                percent_bp=percent_bp,
                amount=amount,
                reason=reason,
            )

    def override_price(
        self, person: Person, line_id: int, text: str, approver_number: str, approver_pin: str
    ) -> None:
        """Set a new unit price on a line; only with a shift lead's number and PIN."""
        self._guard()
        new_price = parse_price(text)
        approver = self.users.approver(approver_number, approver_pin)
        permissions.require(self.db, self.journal, approver, Permission.PRICE_OVERRIDE)
        with self.db.atomic("IMMEDIATE"):
            basket_id = self._open_id()
            self._no_payments_yet(basket_id)
            line = self._line(basket_id, line_id)
            if line.fixed_amount_ore is not None:
                raise Refused(_("A price barcode carries its own price."))
            self.db.execute_sql(
                "UPDATE basket_line SET unit_price_ore = ?,"
                " override_by_id = (SELECT id FROM user WHERE number = ?) WHERE id = ?",
                (new_price, approver.number, line_id),
            )
            self.journal.write(
                Event.PRICE_OVERRIDE,
                user=person.number,
                approver=approver.number,
                line=line.position,
                name=line.name,
                before=line.unit_price_ore,
                after=new_price,
            )

    def price_lookup(self, person: Person | None, text: str) -> ProductInfo:
        """Show a product's price without adding it; journaled (§ 2-7 (4), event 13022)."""
        product = self.find_product(self.classify(text))
        with self.db.atomic("IMMEDIATE"):
            self.journal.write(
                Event.PRICE_LOOKUP,
                user=person.number if person else None,
                art=product.plu or str(product.id),
                group=product.group_code,
                amount=product.price_ore,
            )
        return product

    # -- park and resume ---------------------------------------------------------------------

    def park(self, person: Person) -> None:
        self._guard()
        with self.db.atomic("IMMEDIATE"):
            found = self._open_basket_id()
            if not found or not self.lines(found[0]):
                raise Refused(_("The basket is empty: nothing to park."))
            self._no_payments_yet(found[0])
            now = self.clock.now()
            self.db.execute_sql(
                "UPDATE basket SET status = 'parked', parked_utc = ? WHERE id = ?",
                (now.utc_text, found[0]),
            )
            self.journal.write(Event.PARK, user=person.number, basket=found[1])

    def parked(self) -> list[Parked]:
        rows = self.db.execute_sql(
            "SELECT b.id, b.uuid, b.parked_utc, COALESCE(u.name, ''), b.sale_discount_ore,"
            " b.sale_discount_bp FROM basket b"
            " LEFT JOIN user u ON u.id = b.user_id"
            " WHERE b.register_id = ? AND b.status = 'parked' ORDER BY b.parked_utc",
            (self.config.register_id,),
        ).fetchall()
        result = []
        for basket_id, basket_uuid, parked_utc, user_name, disc_ore, disc_bp in rows:
            lines = self.lines(basket_id)
            local = parse_utc(parked_utc).local.strftime("%H:%M")
            total = price(lines, [], sale_discount_ore=disc_ore, sale_discount_bp=disc_bp).total
            result.append(Parked(basket_uuid, local, len(lines), total, user_name))
        return result

    def resume(self, person: Person, basket_uuid: str) -> None:
        self._guard()
        with self.db.atomic("IMMEDIATE"):
            found = self._open_basket_id()
            if found and self.lines(found[0]):
                raise Refused(_("Park or finish the current sale first."))
            if found:
                self.db.execute_sql("DELETE FROM basket WHERE id = ?", (found[0],))
            cursor = self.db.execute_sql(
                "UPDATE basket SET status = 'open', parked_utc = NULL"
                " WHERE uuid = ? AND status = 'parked' AND register_id = ?",
                (basket_uuid, self.config.register_id),
            )
            if cursor.rowcount != 1:
                raise Refused(_("That parked sale is no longer waiting."))
            self.journal.write(Event.RESUME, user=person.number, basket=basket_uuid)


def _line_of(row: tuple[Any, ...]) -> Line:
    return Line(
        id=row[0],
        position=row[1],
        product_id=row[2],
        code=row[3],
        name=row[4],
        group_code=row[5],
        vat_bp=row[6],
        unit=row[7],
        unit_price_ore=row[8],
        list_price_ore=row[9],
        qty_milli=row[10],
        fixed_amount_ore=row[11],
        discount_ore=row[12],
        discount_bp=row[13],
        discount_reason=row[14],
        overridden=bool(row[15]),
    )


def parse_price(text: str) -> int:
    """A new unit price typed by the cashier, or a refusal naming what was typed."""
    try:
        return parse_amount(text)
    except InvalidAmount:
        raise Refused(_("{text} is not an amount.").format(text=text)) from None


def parse_discount(text: str) -> tuple[int, int]:
    """'10%' → (1000 bp, 0); '20,50' → (0, 2050 øre)."""
    cleaned = text.strip().replace(" ", "")
    try:
        if cleaned.endswith("%"):
            bp = parse_amount(cleaned[:-1])
            if not 0 < bp <= 10_000:
                raise InvalidAmount(text)
            return bp, 0
        amount = parse_amount(cleaned)
        if amount <= 0:
            raise InvalidAmount(text)
        return 0, amount
    except InvalidAmount:
        raise Refused(
            _("{text} is not a discount: type e.g. {percent} or 20,00.").format(
                text=text, percent="10%"
            )
        ) from None
