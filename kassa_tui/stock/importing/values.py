"""Single values in a row: kroner, VAT rates, quantities, PLUs and barcodes, parsed forgivingly
(decimal comma or dot, 'kr 24,90', '25 %', a UPC-A) into the till's integers and codes.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from kassa_tui.catalog.barcodes import BadCode, classify
from kassa_tui.config import EmbeddedLayout
from kassa_tui.core.i18n import _
from kassa_tui.core.money import InvalidAmount, parse_amount

_SCIENTIFIC = re.compile(r"^[0-9]+(?:[.,][0-9]+)?[eE][+]?[0-9]+$")
_CODE_SPLIT = re.compile(r"[|,;\s]+")
_QUANTITY = re.compile(r"^(?P<whole>[0-9]{1,7})(?:[.,](?P<frac>[0-9]{1,3}))?$")


class BadValue(ValueError):
    """One problem with one value; its text is the reason shown for the row."""


def parse_kroner(text: str) -> int:
    """'24,90', '24.9', '1 234,50', '1.234,50', 'kr 24,90', '24,-' → øre."""
    try:
        return parse_amount(text)
    except InvalidAmount:
        pass
    cleaned = text.replace("\u00a0", "").replace(" ", "").casefold()
    for affix in ("kr", "nok"):
        cleaned = cleaned.removeprefix(affix).removesuffix(affix)
    cleaned = cleaned.removesuffix(",-").removesuffix(".-")
    if "," in cleaned and "." in cleaned:  # the later mark is the decimal one
        thousands = "." if cleaned.rfind(",") > cleaned.rfind(".") else ","
        cleaned = cleaned.replace(thousands, "")
    return parse_amount(cleaned)


def parse_vat(text: str) -> int:
    """'25', '25 %', '0,25', '11,11' → basis points."""
    cleaned = text.replace("%", "").replace(" ", "").replace(",", ".")
    try:
        rate = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not rate.is_finite() or rate < 0:
        raise ValueError(text)
    if 0 < rate < 1:
        rate *= 100  # a fraction: 0,25 is 25 %
    basis = rate * 100
    if basis != basis.to_integral_value():
        raise ValueError(text)
    return int(basis)


def parse_milli(text: str) -> int:
    """'5', '2,5', '0.375' → thousandths; not negative."""
    match = _QUANTITY.match(text.replace(" ", ""))
    if not match:
        raise ValueError(text)
    return int(match["whole"]) * 1000 + int((match["frac"] or "0").ljust(3, "0"))


def parse_plu(text: str) -> str:
    if not (ascii_digits(text) and len(text) <= 6):
        raise BadValue(_("bad PLU '{value}' (1 to 6 digits)").format(value=text))
    return text.lstrip("0") or "0"  # as the sale screen reads a typed PLU


def parse_codes(text: str, layouts: tuple[EmbeddedLayout, ...]) -> tuple[str, ...]:
    """One or more EAN-8/EAN-13s ('|' or ',' between them); a UPC-A becomes its EAN-13."""
    if _SCIENTIFIC.match(text):
        message = _(
            "barcode '{value}' was turned into a number by a spreadsheet;"
            " format the column as text and export again"
        )
        raise BadValue(message.format(value=text))
    prefixes = tuple(layout.prefix for layout in layouts)
    codes: list[str] = []
    for raw in _CODE_SPLIT.split(text):
        if not raw:
            continue
        code = _plain_ean(raw, prefixes) or _checked_code(raw, layouts)
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def _plain_ean(raw: str, embedded_prefixes: tuple[str, ...]) -> str | None:
    """The common case, fast: an EAN-8, UPC-A or EAN-13 with a right check digit outside the
    label ranges. Anything else (None) goes through `barcodes.classify` for its reason."""
    if len(raw) == 12:
        raw = "0" + raw
    if len(raw) not in (8, 13) or not ascii_digits(raw):
        return None
    if len(raw) == 13 and raw.startswith(embedded_prefixes):
        return None
    digits = raw.encode()
    odd, even = digits[-2::-2], digits[-3::-2]  # weights 3 and 1, from the right
    total = 3 * (sum(odd) - 48 * len(odd)) + sum(even) - 48 * len(even)
    return raw if (10 - total % 10) % 10 == digits[-1] - 48 else None


def _checked_code(raw: str, layouts: tuple[EmbeddedLayout, ...]) -> str:
    try:
        scanned = classify(raw, layouts)
    except BadCode as exc:
        message = _("barcode {code}: {reason}")
        raise BadValue(message.format(code=exc.code, reason=exc.reason)) from None
    if scanned.kind == "embedded":
        message = _("barcode {code} is in the range of weight and price labels")
        raise BadValue(message.format(code=scanned.code))
    if scanned.kind != "ean" or len(scanned.code) not in (8, 13):
        raise BadValue(_("{code} is not an EAN-8 or EAN-13").format(code=scanned.code))
    return scanned.code


def ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()
