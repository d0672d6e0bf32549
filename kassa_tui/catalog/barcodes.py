"""What a scanned or typed code means: an EAN, an embedded weight/price EAN, or a PLU.

A scanner sends digits and Enter; so does a cashier typing a PLU. The rules here decide which
it is before the catalog is asked, so a misread check digit is refused without a lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

from stdnum import ean

from kassa_tui.config import EmbeddedLayout
from kassa_tui.core.i18n import _

MAX_CODE_LENGTH = 32


class BadCode(ValueError):
    """The code cannot be a product: wrong check digit, not digits, too long."""

    def __init__(self, code: str, reason: str) -> None:
        # Shown on screen: a scanner can send control characters.
        self.code = "".join(c if c.isprintable() else "?" for c in code)
        self.reason = reason
        super().__init__(f"{code!r}: {reason}")


@dataclass(frozen=True)
class ScannedCode:
    """A code read from the entry line, classified."""

    kind: str  # "ean", "embedded", "plu"
    code: str
    plu: str = ""
    grams: int | None = None
    price_ore: int | None = None


def classify(raw: str, layouts: tuple[EmbeddedLayout, ...]) -> ScannedCode:
    """Turn the entry text into a `ScannedCode`, or raise `BadCode` with a reason."""
    code = raw.strip()
    if not code:
        raise BadCode(raw, _("empty"))
    if len(code) > MAX_CODE_LENGTH:
        raise BadCode(code[:MAX_CODE_LENGTH] + "…", _("too long"))
    if not code.isascii() or not code.isdigit():
        raise BadCode(code, _("not a barcode or PLU (digits only)"))
    if len(code) in (8, 12, 13, 14):
        if len(code) == 12:
            code = "0" + code  # UPC-A read as EAN-13
        if not ean.is_valid(code):
            raise BadCode(code, _("wrong check digit"))
        layout = _layout_for(code, layouts)
        if layout is not None:
            return _embedded(code, layout)
        return ScannedCode("ean", code)
    if len(code) <= 6:
        return ScannedCode("plu", code.lstrip("0") or "0")
    raise BadCode(code, _("not a barcode length (EAN-8, EAN-13) or a PLU (up to 6 digits)"))


def _layout_for(code: str, layouts: tuple[EmbeddedLayout, ...]) -> EmbeddedLayout | None:
    if len(code) != 13:
        return None
    for layout in layouts:
        if code.startswith(layout.prefix):
            return layout
    return None


def _embedded(code: str, layout: EmbeddedLayout) -> ScannedCode:
    item_end = 2 + layout.item_digits
    item = code[2:item_end].lstrip("0") or "0"
    value = int(code[item_end : item_end + layout.value_digits])
    if value == 0:
        raise BadCode(code, _("embedded weight or price is zero"))
    if layout.kind == "weight":
        return ScannedCode("embedded", code, plu=item, grams=value)
    return ScannedCode("embedded", code, plu=item, price_ore=value)


def make_embedded(prefix: str, plu: str, value: int, item_digits: int = 5) -> str:
    """Build a valid embedded EAN-13 (for the demo shop and tests)."""
    value_digits = 10 - item_digits
    body = f"{prefix}{int(plu):0{item_digits}d}{value:0{value_digits}d}"
    return body + ean.calc_check_digit(body)


def with_check_digit(body: str) -> str:
    """Append the EAN check digit to 7 or 12 digits."""
    return body + ean.calc_check_digit(body)
