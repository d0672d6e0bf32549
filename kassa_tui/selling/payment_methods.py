"""Paying with a [[payment]] method other than cash: card, Vipps and the shop's others.

Each is confirmed by the cashier (the terminal or the customer's phone approved the amount);
the sale service (`Sales.pay_card`) takes the payment, these say which methods it may take and
what a refusal says.
"""

from __future__ import annotations

from peewee import SqliteDatabase

from kassa_tui.catalog.pricing import Payment
from kassa_tui.config import Config
from kassa_tui.config.payments import FIXED_METHODS, PaymentMethod
from kassa_tui.core.clock import Instant
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr
from kassa_tui.selling.gift_cards import Card, GiftCards, kind_name


def other_methods(config: Config) -> tuple[PaymentMethod, ...]:
    """The methods besides cash (F10) and card (F11), in kassa.toml's order: Shift+F11's list."""
    return tuple(m for m in config.payment_methods if m.key not in FIXED_METHODS)


def check_confirmed_method(config: Config, method: str) -> PaymentMethod:
    """A method the cashier confirms: any configured one but cash (counted and rounded)."""
    found = config.accounting.payment_method(method)
    if found is None or method == "cash":
        raise Refused(_("{method} is not a payment method of this till.").format(method=method))
    if found.card_kind is not None:
        raise Refused(
            _("Scan the card first: {method} is taken off a card.").format(method=found.name)
        )
    return found


def check_card_method(config: Config, method: str) -> PaymentMethod:
    """A method that redeems gift cards or credit notes (its saft_code 12005 or 12010)."""
    found = config.accounting.payment_method(method)
    if found is None or found.card_kind is None:
        raise Refused(_("{method} does not take gift cards.").format(method=method))
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


def redeem_card(
    database: SqliteDatabase,
    register_id: str,
    method: PaymentMethod,
    code: str,
    due_ore: int,
    basket_uuid: str,
    now: Instant,
    amount_ore: int | None,
    user: int,
) -> tuple[Card, int]:
    """Take a payment off a card of the method's kind (inside the sale's transaction)."""
    cards = GiftCards(database, register_id)
    card = cards.look_up(code)
    if card.kind != method.card_kind:
        raise Refused(
            _("{kind} {code} cannot be taken as {method}.").format(
                code=card.code, kind=kind_name(card.kind), method=method.name
            )
        )
    return cards.redeem(code, due_ore, basket_uuid, now, amount_ore=amount_ore, user=user)


def refund_to_cards(
    database: SqliteDatabase,
    config: Config,
    original_sale_id: int,
    payments: list[Payment],
    now: Instant,
    user: int,
) -> None:
    """A return's refunds by gift card or credit note go back onto the cards the original sale
    was paid with (inside the return's transaction); other methods are not touched."""
    row = database.execute_sql(
        "SELECT basket_uuid FROM sale WHERE id = ?", (original_sale_id,)
    ).fetchone()
    for payment in payments:
        method = config.accounting.payment_method(payment.method)
        if method is None or method.card_kind is None or row is None:
            continue
        GiftCards(database, config.register_id).put_back(
            method.card_kind, -payment.amount_ore, str(row[0]), now, user
        )
