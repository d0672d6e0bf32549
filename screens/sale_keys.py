"""The sale screen's keys in words: what each does and what to type first (the help, F1), the
Footer's short words, and how a key is written ('f10,ctrl+k' → 'F10/^K').

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
        "day_close": (_("Day close: X and Z reports, cash count (shift lead)"), ""),
        "return_receipt": (_("Return by receipt (shift lead approves)"), _("receipt number")),
        "return_no_receipt": (_("Return without a receipt (shift lead approves)"), ""),
        "receipts_menu": (_("Copy, provisional receipt, training mode"), _("receipt number")),
        "no_sale": (_("Open the drawer without a sale (shift lead)"), ""),
        "lock": (_("Lock the till"), ""),
        "sign_out": (_("Sign out"), ""),
    }


def footer_texts() -> dict[str, str]:
    """Short words for the Footer, most used first; F1 shows everything."""
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
    }


def key_label(keys: str) -> str:
    """'f10,ctrl+k' → 'F10/^K' for the Footer and the help."""
    parts = []
    for key in keys.split(","):
        if key.startswith("ctrl+"):
            parts.append("^" + key[5:].upper())
        elif key.startswith("shift+"):
            parts.append("Shift+" + key[6:].upper())
        elif key == "delete":
            parts.append("Del")
        else:
            parts.append(key.upper())
    return "/".join(parts)


def key_labels(keymap: dict[str, str]) -> dict[str, str]:
    """Action id → its keys as the Footer writes them."""
    return {action: key_label(keys) for action, keys in keymap.items()}


def help_rows(keymap: dict[str, str]) -> list[tuple[str, str, str]]:
    """The help's table: (key, what it does, what to type first), Enter and '*' first."""
    texts = action_texts()
    rows = [
        (_("Enter"), _("Add the item"), _("barcode or PLU")),
        ("*", _("Quantity for the next item"), _("quantity, e.g. 3*")),
    ]
    rows += [(key_label(keys), *texts[action]) for action, keys in keymap.items()]
    rows.append(("↑ ↓", _("Move over the lines"), ""))
    return rows
