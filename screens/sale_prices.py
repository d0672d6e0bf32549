"""The sale screen's price changes: a discount on the line or the sale (with a reason, and a
shift lead's approval above `ui.discount_limit_percent`) and a price override (always approved).

A mixin of `SaleScreen`, which supplies the selected line, the person and the messages.
"""

from __future__ import annotations

from textual.screen import Screen

from kassa_tui.catalog.pricing import PricedLine
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.people.person import Person
from kassa_tui.selling.basket import parse_discount, parse_price
from screens.dialogs.approval import ApprovalDialog
from screens.dialogs.reason import ReasonDialog
from screens.host import guarded, host


class PriceChanges(Screen[None]):
    """Discounts and price overrides on the open basket (F6, Shift+F6, F7)."""

    def selected(self) -> PricedLine:
        raise NotImplementedError  # the sale screen's selected line

    def person(self) -> Person:
        raise NotImplementedError  # the signed-in person, or Refused

    def show_info(self, message: str) -> None:
        raise NotImplementedError

    def show_error(self, message: str) -> None:
        raise NotImplementedError

    def reload(self, keep_cursor: bool = True) -> None:
        raise NotImplementedError

    def do_line_discount(self, text: str) -> None:
        self.ask_discount(text, on_line=True)

    def do_sale_discount(self, text: str) -> None:
        self.ask_discount(text, on_line=False)

    @guarded
    def ask_discount(self, text: str, on_line: bool) -> None:
        """Check the discount typed, then ask why; on the line is on the selected line."""
        if not text:
            raise Refused(
                _("Type the discount first ({percent} or an amount), then the key.").format(
                    percent="10%"
                )
            )
        parse_discount(text)  # refuse garbage before asking for a reason
        line_id = self.selected().line.id if on_line else None
        self.person()

        def apply(reason: str | None) -> None:
            if reason:
                self._discount(text, reason, line_id)

        reasons = host(self).till.config.discount_reasons
        self.app.push_screen(ReasonDialog(_("Why the discount?"), reasons), apply)

    @guarded
    def _discount(
        self,
        text: str,
        reason: str,
        line_id: int | None,
        approval: tuple[str, str] | None = None,
    ) -> None:
        baskets = host(self).till.baskets
        if approval is None and baskets.discount_needs_approval(self.person(), text, line_id):

            def approved(value: tuple[str, str] | None) -> None:
                if value is not None:
                    self._discount(text, reason, line_id, value)

            self.app.push_screen(
                ApprovalDialog(_("Discount {text} is above the limit").format(text=text)),
                approved,
            )
            return
        if line_id is None:
            baskets.discount_sale(self.person(), text, reason, approval)
        else:
            baskets.discount_line(self.person(), line_id, text, reason, approval)
        self.show_info(_("Discount given: {reason}.").format(reason=reason))
        self.reload()

    @guarded
    def do_price_override(self, text: str) -> None:
        if not text:
            raise Refused(_("Type the new price first, then the key."))
        parse_price(text)  # refuse garbage before calling the shift lead over
        line = self.selected().line
        self.person()

        @guarded
        def apply(self: PriceChanges, approval: tuple[str, str] | None) -> None:
            if approval is None:
                self.show_info(_("Price override cancelled."))
                return
            host(self).till.baskets.override_price(self.person(), line.id, text, *approval)
            self.show_info(_("New price on {name}.").format(name=line.name))
            self.reload()

        reason = _("New price {price} on {name}").format(price=text, name=line.name)
        self.app.push_screen(ApprovalDialog(reason), lambda value: apply(self, value))
