"""Voiding a whole sale before payment (annullering, issue 14).

One key, a reason, and above `[sale] void_approval_above` a shift lead's approval (their own
role, or their number and PIN on the spot). The basket is never silently dropped: the void is
one journal row (13028, «Annulleringskvittering») that carries the reason, who voided and who
approved, the total and every line as it stood, and the basket row itself stays in the
database with status 'voided'. X and Z count voids as their own figure (number and amount,
SAF-T's reportVoidTransNum/-Amnt), and the fraud signals count them per cashier.

A part of `Baskets`, like discounts and parking.
"""

from __future__ import annotations

from typing import Any

from kassa_tui.catalog.pricing import PricedLine
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event
from kassa_tui.selling.open_basket import OpenBasket


class Voids(OpenBasket):
    """Voiding the open basket as a whole (a part of `Baskets`)."""

    def void_needs_approval(self, person: Person) -> bool:
        """Whether voiding the open basket needs a shift lead's number and PIN from this user."""
        if permissions.allowed(person.role, Permission.VOID_OVER_LIMIT):
            return False
        return self.current().priced.total > self.config.sale.void_approval_above_ore

    def void_sale(
        self, person: Person, reason: str, approval: tuple[str, str] | None = None
    ) -> int:
        """Void the open basket before payment; returns the total voided (øre).

        Refused, with nothing changed, when the basket is empty or has a payment, when there
        is no reason, and above the limit without a shift lead's approval.
        """
        self._guard()
        permissions.require(self.db, self.journal, person, Permission.SELL)
        if not reason.strip():
            raise Refused(_("Voiding a sale needs a reason."))
        state = self.current()
        if state.empty:
            raise Refused(_("The basket is empty."))
        approver = self._void_approver(person, state.priced.total, approval)
        with self.db.atomic("IMMEDIATE"):
            basket_id = self._open_id()
            self._no_payments_yet(basket_id)
            state = self.current()  # as committed, inside the transaction
            self.db.execute_sql("UPDATE basket SET status = 'voided' WHERE id = ?", (basket_id,))
            self.journal.write(
                Event.VOID_SALE,
                user=person.number,
                **({"approver": approver} if approver else {}),
                basket=state.uuid,
                reason=reason.strip(),
                amount=state.priced.total,
                discount=state.priced.discount,
                vat=state.priced.vat,
                lines=[_line_record(p) for p in state.priced.lines],
            )
        return state.priced.total

    def _void_approver(
        self, person: Person, total: int, approval: tuple[str, str] | None
    ) -> int | None:
        """Above the limit: the user's own right, or a shift lead's given on the spot."""
        if total <= self.config.sale.void_approval_above_ore:
            return None
        if permissions.allowed(person.role, Permission.VOID_OVER_LIMIT):
            return None
        if approval is None:
            raise Refused(
                _("Voiding a sale above {limit} needs a shift lead's approval.").format(
                    limit=format_kr(self.config.sale.void_approval_above_ore)
                )
            )
        approver = self.users.approver(*approval)
        permissions.require(self.db, self.journal, approver, Permission.VOID_OVER_LIMIT)
        return approver.number


def _line_record(priced: PricedLine) -> dict[str, Any]:
    """A basket line as the void's journal row keeps it."""
    line = priced.line
    return {
        "line": line.position,
        "code": line.code,
        "name": line.name,
        "group": line.group_code,
        "qty": line.qty_milli,
        "unit_price": line.unit_price_ore,
        "vat_bp": line.vat_bp,
        "discount": priced.discount,
        "amount": priced.amount,
    }
