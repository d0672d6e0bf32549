"""How the screens and dialogs write a quantity of stock: one place, so they all read alike."""

from __future__ import annotations

from kassa_tui.core.money import format_quantity


def stock_qty(milli: int, unit: str = "stk") -> str:
    """3500 milli of a weighed product → '3,5 kg'; of a piece product → '3,5'."""
    return format_quantity(milli) + (" kg" if unit == "kg" else "")
