"""[[payment]]: the ways a customer can pay, each with its key, name, account and SAF-T code.

Cash (F10) and card (F11) are always there; every other method (Vipps by default) is picked
from a numbered list (Shift+F11) and confirmed by the cashier as card is: the customer's phone
or the standalone terminal approved the amount. Written in kassa.toml, the tables are the whole
list (no defaults mixed in), so they must still name cash and card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kassa_tui.config.table import ConfigError, Table

#: Norwegian SAF-T Cash Register code list PredefinedBasicID-12 (shared/saft): payment types.
SAFT_PAYMENT_CODES: dict[str, str] = {
    "12001": "Cash",
    "12002": "Debit card",
    "12003": "Credit card",
    "12004": "Bank account",
    "12005": "Gift token",
    "12006": "Customer card",
    "12007": "Loyalty, stamps",
    "12008": "Bottle deposit",
    "12009": "Check",
    "12010": "Credit note",
    "12011": "Mobile phone apps",
    "12999": "Other",
}
#: Methods with these codes redeem a card of kassa's own ledger (selling.gift_cards): the
#: cashier scans the card, and the kind of card it takes.
CARD_KINDS = {"12005": "gift", "12010": "credit"}
#: The methods F10 and F11 pay with; they must be in every list.
FIXED_METHODS = ("cash", "card")
#: At most this many other methods: each is picked by one digit.
MAX_OTHER_METHODS = 9
MAX_NAME = 20
_KEY = re.compile(r"[a-z][a-z0-9_]{0,19}")
_ACCOUNT = re.compile(r"[0-9]{4}")


@dataclass(frozen=True)
class PaymentMethod:
    """One way to pay: `key` is stored on every payment row (never change it once used)."""

    key: str
    name: str  # Norwegian: the receipt, the X/Z and the voucher's text
    account: str  # the voucher's debit account (NS 4102)
    saft_code: str  # PredefinedBasicID-12
    drawer: bool = False  # a payment with it opens the cash drawer

    @property
    def card_kind(self) -> str | None:
        """'gift' or 'credit' when the method redeems gift cards or credit notes, else None."""
        return CARD_KINDS.get(self.saft_code)


#: Cash and card as before, and Vipps (accounting.md: Vipps clearing 1578, code 12011).
DEFAULT_PAYMENT_METHODS: tuple[PaymentMethod, ...] = (
    PaymentMethod("cash", "Kontant", "1900", "12001", drawer=True),
    PaymentMethod("card", "Bankkort", "1579", "12002"),
    PaymentMethod("vipps", "Vipps", "1578", "12011"),
    PaymentMethod("gift_card", "Gavekort", "2901", "12005"),
    PaymentMethod("credit_note", "Tilgodelapp", "2902", "12010"),
)


def parse_payments(raw: Any, cash_account: str, card_account: str) -> tuple[PaymentMethod, ...]:
    """The [[payment]] tables, checked; none given: the defaults, with cash and card booked on
    [accounting.accounts]' cash and card."""
    accounts = {"cash": cash_account, "card": card_account}
    if raw is None:
        return tuple(
            PaymentMethod(m.key, m.name, accounts.get(m.key, m.account), m.saft_code, m.drawer)
            for m in DEFAULT_PAYMENT_METHODS
        )
    if not isinstance(raw, list) or not raw:
        raise ConfigError("payment", "must be [[payment]] tables, one per payment method")
    methods: list[PaymentMethod] = []
    for index, item in enumerate(raw):
        method = _parse_method(Table(item, f"payment[{index}]"), accounts)
        if any(m.key == method.key for m in methods):
            raise ConfigError(f"payment[{index}].key", f"{method.key!r} is listed twice")
        methods.append(method)
    for fixed in FIXED_METHODS:
        if not any(m.key == fixed for m in methods):
            raise ConfigError("payment", f"must list key = {fixed!r} (F10 cash and F11 card)")
    for kind in set(CARD_KINDS.values()):
        if sum(m.card_kind == kind for m in methods) > 1:
            raise ConfigError("payment", f"only one method may redeem {kind} cards (saft_code)")
    if len(methods) - len(FIXED_METHODS) > MAX_OTHER_METHODS:
        raise ConfigError(
            "payment", f"at most {MAX_OTHER_METHODS} methods besides cash and card (one digit each)"
        )
    return tuple(methods)


def _parse_method(table: Table, accounts: dict[str, str]) -> PaymentMethod:
    key = table.get("key", str, required=True)
    if not _KEY.fullmatch(key):
        raise ConfigError(
            table.key("key"), f"{key!r} must be 1-20 of a-z, 0-9 and _, starting with a letter"
        )
    name = table.get("name", str, required=True).strip()
    if not name or len(name) > MAX_NAME:
        raise ConfigError(table.key("name"), f"must be 1 to {MAX_NAME} characters")
    try:
        name.encode("cp865")
    except UnicodeEncodeError:
        raise ConfigError(
            table.key("name"), f"{name!r} has a character the receipt printer cannot print"
        ) from None
    if key in accounts:
        account = table.get("account", str, accounts[key])
    else:
        account = table.get("account", str, required=True)
    if not _ACCOUNT.fullmatch(account):
        raise ConfigError(table.key("account"), f"{account!r} is not a 4-digit account number")
    code = table.get("saft_code", str, required=True)
    if code not in SAFT_PAYMENT_CODES:
        raise ConfigError(
            table.key("saft_code"),
            f"{code!r} is not a SAF-T payment code (PredefinedBasicID-12: 12001-12011, 12999)",
        )
    drawer = table.get("drawer", bool, key == "cash")
    if key == "cash" and not drawer:
        raise ConfigError(table.key("drawer"), "cash always opens the drawer")
    table.done()
    return PaymentMethod(key, name, account, code, drawer)
