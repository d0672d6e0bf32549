"""The sale screen's counter rules (issue 14): voiding the whole sale (Shift+F8), the
customer's age at the first line with an age limit, and eaten in or taken away (Shift+F3).

Functions the sale screen calls with itself: the screen supplies the person, the messages and
`reload`; the rules themselves are `till.baskets`' (selling.void).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, cast

from textual.app import App
from textual.dom import DOMNode
from textual.widgets import Input

from kassa_tui.catalog.pricing import Line
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr
from kassa_tui.people.person import Person
from kassa_tui.selling.basket import BasketState
from screens.dialogs.age_check import AgeCheckDialog
from screens.dialogs.approval import ApprovalDialog
from screens.dialogs.reason import ReasonDialog
from screens.host import TillHost, guarded


class SaleScreen(Protocol):
    """What these functions need of the sale screen (which imports them)."""

    state: BasketState | None

    @property
    def app(self) -> App[Any]: ...

    def person(self) -> Person: ...

    def show_info(self, message: str) -> None: ...

    def show_error(self, message: str) -> None: ...

    def reload(self, keep_cursor: bool = True) -> None: ...

    def clear_lookup(self) -> None: ...


def _host(screen: SaleScreen) -> TillHost:
    return cast(TillHost, screen.app)


def ask_void(screen: SaleScreen) -> None:
    """Shift+F8: why (the shop's reasons), then a shift lead above the limit, then voided."""
    baskets = _host(screen).till.baskets
    baskets._guard()
    screen.person()
    if screen.state is None or screen.state.empty:
        raise Refused(_("The basket is empty."))
    total = format_kr(screen.state.priced.total)

    def with_reason(reason: str | None) -> None:
        if not reason:
            screen.show_info(_("The sale is not voided."))
            return
        if not baskets.void_needs_approval(screen.person()):
            finish(reason, None)
            return

        def approved(value: tuple[str, str] | None) -> None:
            if value is None:
                screen.show_info(_("The sale is not voided."))
                return
            finish(reason, value)

        screen.app.push_screen(
            ApprovalDialog(_("Void the sale of {total}").format(total=total), (reason,)),
            approved,
        )

    def finish(reason: str, approval: tuple[str, str] | None) -> None:
        voided = _void(screen, reason, approval)
        if voided is not None:
            screen.clear_lookup()
            screen.show_info(
                _("Sale of {total} voided: {reason}.").format(
                    total=format_kr(voided), reason=reason
                )
            )
        screen.reload(keep_cursor=False)

    reasons = _host(screen).till.config.sale.void_reasons
    screen.app.push_screen(
        ReasonDialog(_("Void the whole sale ({total})? Why:").format(total=total), reasons),
        with_reason,
    )


@guarded
def _void(screen: SaleScreen, reason: str, approval: tuple[str, str] | None) -> int | None:
    voided: int = _host(screen).till.baskets.void_sale(screen.person(), reason, approval)
    return voided


def check_age(screen: SaleScreen, line: Line) -> None:
    """After a scan: the first line with an age limit asks for the customer's age."""
    age = _host(screen).till.baskets.age_to_confirm()
    if not age:
        return

    def answered(old_enough: bool | None) -> None:
        _answer_age(screen, age, line, bool(old_enough))

    screen.app.push_screen(AgeCheckDialog(age, line.name), answered)


@guarded
def _answer_age(screen: SaleScreen, age: int, line: Line, old_enough: bool) -> None:
    baskets = _host(screen).till.baskets
    try:
        if old_enough:
            baskets.confirm_age(screen.person(), age)
            screen.show_info(
                _("Age {age} confirmed: {name} added.").format(age=age, name=line.name)
            )
        else:
            baskets.refuse_age(screen.person(), line.id)
            screen.show_info(_("{name} taken off: age not confirmed.").format(name=line.name))
    finally:
        screen.reload(keep_cursor=False)


def age_before_payment(screen: SaleScreen, pay: Callable[[], object]) -> None:
    """Payment waits for an age still to confirm (a line scanned before a restart): asked
    again; no answer, no payment."""
    age = _host(screen).till.baskets.age_to_confirm()
    if not age:
        pay()
        return

    @guarded
    def answered(_screen: SaleScreen, old_enough: bool | None) -> None:
        if not old_enough:
            raise Refused(_("Confirm the customer's age, or take the line off, before payment."))
        _host(screen).till.baskets.confirm_age(screen.person(), age)
        pay()

    screen.app.push_screen(AgeCheckDialog(age), lambda value: answered(screen, value))


@guarded
def toggle_eat_in(screen: SaleScreen) -> None:
    """Shift+F3: the sale eaten in (the eat-in VAT rates), or taken away again."""
    eat_in = _host(screen).till.baskets.toggle_eat_in(screen.person())
    screen.reload()
    screen.show_info(
        _("Eaten in: food at the eat-in VAT rate.")
        if eat_in
        else _("Take-away: food at the take-away VAT rate.")
    )


def show_eat_in(screen: DOMNode, eaten_in: bool) -> None:
    """While the sale is eaten in, the entry line says so (the message line moves on)."""
    entry = screen.query_one("#entry", Input)
    entry.placeholder = (
        _("Scan or type a code · eaten in") if eaten_in else _("Scan or type a code")
    )
