"""The sale screen's keys in words: what each does and what to type first (the help, F1), the
key bar's short words, and how a key is written ('f10,ctrl+k' → 'F10/^K').

Functions, not constants: the texts are translated when the screen is built, in the language
set at start-up.
"""

from __future__ import annotations

from kassa_tui.core.i18n import _


def action_texts() -> dict[str, tuple[str, str]]:
    """Action id → (what it does, what to type first); translated when the screen is built."""
    return {
        "help": (_("Help: all keys"), ""),
        "stock_lookup": (_("Stock lookup (back with Esc or F2)"), _("search text")),
        "park": (_("Park the sale"), ""),
        "resume": (_("Resume a parked sale"), ""),
        "price_lookup": (_("Price look-up"), _("code")),
        "gift_card": (_("Gift card: 1 sell, 2 its balance"), _("card (to sell or look up)")),
        "line_discount": (
            _("Discount on the line"),
            _("{percent} or amount").format(percent="10%"),
        ),
        "sale_discount": (
            _("Discount on the sale"),
            _("{percent} or amount").format(percent="10%"),
        ),
        "price_override": (_("Price override (shift lead)"), _("new price")),
        "correct_line": (_("Correct the line"), _("new quantity, or nothing to remove")),
        "pay_cash": (_("Cash"), _("amount tendered")),
        "pay_card": (_("Card"), _("amount")),
        "pay_other": (_("Vipps and other ways to pay"), _("amount")),
        "day_close": (_("Day close: X and Z reports, cash count (shift lead)"), ""),
        "return_receipt": (_("Return by receipt (shift lead approves)"), _("receipt number")),
        "return_no_receipt": (_("Return without a receipt (shift lead approves)"), ""),
        "receipts_menu": (_("Copy, provisional receipt, training mode"), _("receipt number")),
        "no_sale": (_("Open the drawer without a sale (shift lead)"), ""),
        "lock": (_("Lock the till"), ""),
        "sign_out": (_("Sign out"), ""),
        "void_sale": (_("Void the whole sale (a reason; a shift lead above the limit)"), ""),
        "eat_in": (_("Eaten in or take-away (the eat-in VAT rate for food)"), ""),
        "club": (_("Customer club: the member on the sale, or join"), _("card or phone")),
    }


def bar_texts(read_only: bool = False) -> dict[str, str]:
    """Short words for the key bar, most important first: what does not fit at 80 columns is
    left off from the end (F1 shows everything). A read-only view only looks things up."""
    if read_only:
        return {"price_lookup": _("Price"), "stock_lookup": _("Stock"), "help": _("Help")}
    return {
        "pay_cash": _("Cash"),
        "pay_card": _("Card"),
        "correct_line": _("Correct"),
        "help": _("Help"),
        "stock_lookup": _("Stock"),
        "park": _("Park"),
        "resume": _("Resume"),
        "price_lookup": _("Price"),
        "line_discount": _("Discount"),
        "price_override": _("New price"),
        "return_receipt": _("Return"),
        "day_close": _("Day close"),
        "receipts_menu": _("Receipts"),
        "lock": _("Lock"),
        "sign_out": _("Sign out"),
        "void_sale": _("Void"),
        "eat_in": _("Eat in"),
        "club": _("Club"),
    }


def key_label(keys: str) -> str:
    """'f10,ctrl+k' → 'F10/^K' for the help."""
    parts = []
    for key in keys.split(","):
        if key.startswith("ctrl+"):
            parts.append("^" + key[5:].upper())
        elif key.startswith("shift+"):
            parts.append("Shift+" + key[6:].upper())
        elif key.startswith("alt+"):
            parts.append("Alt+" + key[4:].upper())
        elif key == "delete":
            parts.append("Del")
        else:
            parts.append(key.upper())
    return "/".join(parts)


def bar_labels(keymap: dict[str, str]) -> dict[str, str]:
    """Action id → the key the key bar shows: the first of its keys ('f10,ctrl+k' → 'F10'), so
    every F-key fits at 80 columns; F1 lists the Ctrl twins."""
    return {action: key_label(keys.split(",")[0]) for action, keys in keymap.items()}


def help_rows(keymap: dict[str, str]) -> list[tuple[str, str, str]]:
    """The help's table: (key, what it does, what to type first), Enter and '*' first."""
    texts = action_texts()
    rows = [
        (_("Enter"), _("Add the item"), _("barcode or PLU")),
        ("*", _("Quantity for the next item"), _("quantity, e.g. 3*")),
    ]
    # An action without words yet (a new key in the keymap) still shows, under its own name.
    rows += [(key_label(keys), *texts.get(action, (action, ""))) for action, keys in keymap.items()]
    rows.append(("↑ ↓", _("Move over the lines"), ""))
    rows.append(("Esc", _("Clear what was typed and the quantity"), ""))
    rows.append(("^Q", _("Quit kassa (asks when a sale is open)"), ""))
    return rows
