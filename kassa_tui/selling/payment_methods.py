"""Paying with a [[payment]] method other than cash: card, Vipps and the shop's others.

Each is confirmed by the cashier (the terminal or the customer's phone approved the amount);
the sale service (`Sales.pay_card`) takes the payment, these say which methods it may take and
what a refusal says.
"""

from __future__ import annotations

from kassa_tui.config import Config
from kassa_tui.config.payments import FIXED_METHODS, PaymentMethod
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr


def other_methods(config: Config) -> tuple[PaymentMethod, ...]:
    """The methods besides cash (F10) and card (F11), in kassa.toml's order: Shift+F11's list."""
    return tuple(m for m in config.payment_methods if m.key not in FIXED_METHODS)


def check_confirmed_method(config: Config, method: str) -> PaymentMethod:
    """A method the cashier confirms: any configured one but cash (counted and rounded)."""
    found = config.accounting.payment_method(method)
    if found is None or method == "cash":
        raise Refused(_("{method} is not a payment method of this till.").format(method=method))
    return found


def nothing_left(config: Config, method: str) -> str:
    if method == "card":
        return _("Nothing is left to pay by card.")
    return _("Nothing is left to pay with {method}.").format(method=config.payment_name(method))


def too_much(config: Config, method: str, remaining: int) -> str:
    due = format_kr(remaining)
    if method == "card":
        return _("A card payment cannot be more than the {due} left.").format(due=due)
    return _("A {method} payment cannot be more than the {due} left.").format(
        method=config.payment_name(method), due=due
    )
