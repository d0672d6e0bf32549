"""Discounts on a line or on the whole sale, and a shift lead's price override.

A discount needs a reason; above [ui] discount_limit_percent it needs DISCOUNT_OVER_LIMIT, the
user's own or a shift lead's given on the spot. Each is one transaction with its journal row,
like every other change to the open basket.
"""

from __future__ import annotations

from kassa_tui.catalog.pricing import Line
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import InvalidAmount, format_kr, parse_amount
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event
from kassa_tui.selling import gift_card_sales, pant
from kassa_tui.selling.open_basket import OpenBasket


class Discounts(OpenBasket):
    """The open basket's discounts and price overrides (a part of `Baskets`)."""

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
        pant.refuse_discount(self.db, line_id)
        gift_card_sales.refuse_change(self.db, line_id)
        self._check_line_discount(before, amount)
        approver = self._within_limit(person, percent_bp, amount, before.gross, approval)
        with self.db.atomic("IMMEDIATE"):
            line = self._line_to_change(line_id)
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
        gift_card_sales.refuse_sale_discount([p.line for p in state.priced.lines])
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
        pant.refuse_discount(self.db, line_id)
        gift_card_sales.refuse_change(self.db, line_id)
        new_price = parse_price(text)
        approver = self.users.approver(approver_number, approver_pin)
        permissions.require(self.db, self.journal, approver, Permission.PRICE_OVERRIDE)
        with self.db.atomic("IMMEDIATE"):
            line = self._line_to_change(line_id)
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
