"""The open basket the sale screen works on: scanning lines in, quantities and corrections.

Every change is one committed transaction together with its journal row, before the screen shows
it, so a crash or power cut brings back the same basket line for line. `Baskets` is composed of
its parts: reading and guarding the stored basket (selling.open_basket), discounts and price
overrides (selling.discounts), park and resume (selling.parking). The screens import the
basket's names (`BasketState`, `Parked`, `parse_discount`, `parse_price`) from here.
"""

from __future__ import annotations

import uuid as uuidlib

from kassa_tui.catalog.barcodes import BadCode, ScannedCode, classify
from kassa_tui.catalog.lookup import ProductInfo
from kassa_tui.catalog.pricing import Line
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import QTY_ONE, InvalidQuantity, parse_quantity, round_half_up
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event
from kassa_tui.selling import pant
from kassa_tui.selling.age_check import AgeChecks
from kassa_tui.selling.discounts import Discounts
from kassa_tui.selling.discounts import parse_discount as parse_discount
from kassa_tui.selling.discounts import parse_price as parse_price
from kassa_tui.selling.eat_in import EatIn
from kassa_tui.selling.gift_card_sales import refuse_change as refuse_gift_card_change
from kassa_tui.selling.open_basket import BasketState as BasketState
from kassa_tui.selling.parking import Parked as Parked
from kassa_tui.selling.parking import Parking
from kassa_tui.selling.void import Voids

MAX_QTY = 9999 * QTY_ONE
MAX_LINES = 500

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


class Baskets(Discounts, Parking, Voids, AgeChecks, EatIn):
    """The one open basket of this register, and the parked ones: lines are added and
    corrected here; discounts and parking come with its parts."""

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
        slip = pant.read_slip(self.config.pant.slips, text)
        if slip is not None:
            return pant.add_slip(self, person, slip, qty_milli)
        scanned = self.classify(text)
        product = self.find_product(scanned)
        rule = self.rule_for_scan(product)  # beer outside the beer hours is refused here
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
            # The line's fields after its id, in `Line`'s order: stored and returned alike.
            fields = (
                last_pos + 1,
                product.id,
                scanned.code,
                product.name,
                product.group_code,
                self.line_vat(basket_id, product.vat_bp, rule),  # eaten in: its eat-in rate
                product.unit,
                unit_price,
                product.price_ore,
                qty,
                fixed,
            )
            cursor = self.db.execute_sql(_INSERT_LINE, (basket_id, *fields))
            line = Line(int(cursor.lastrowid), *fields)
            self.journal.write(
                Event.LINE_ADD,
                user=person.number,
                art=product.plu or str(product.id),
                code=scanned.code,
                qty=qty,
                amount=line.gross,
            )
            pant.follow_add(self.db, self.journal, person, basket_id, line)
        return line

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
            line_id = pant.drink_of(self.db, line_id)
            line = self._line_to_change(line_id)
            pant.refuse_if_slip(self.db, line_id)
            refuse_gift_card_change(self.db, line_id)
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
            pant.follow_quantity(self.db, self.journal, person, line_id, qty)

    def remove_line(self, person: Person, line_id: int) -> None:
        """Delete a line before payment: a line correction, journaled and counted."""
        self._guard()
        with self.db.atomic("IMMEDIATE"):
            line_id = pant.drink_of(self.db, line_id)
            line = self._line_to_change(line_id)
            pant.follow_remove(self.db, self.journal, person, line_id)
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
