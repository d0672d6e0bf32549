"""Money as integer øre: parsing what a cashier types, formatting, VAT and cash rounding.

Nothing in kassa holds money as a float. Amounts are `int` øre, and rounding a fraction
(VAT, weighed items, øreavrunding) is done in integers, half away from zero.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

Ore = int

# ASCII digits only: "٤٩" is not an amount a Norwegian till should accept.
_AMOUNT = re.compile(r"^(?P<sign>-)?(?P<kr>[0-9]{1,9})(?:[.,](?P<ore>[0-9]{1,2}))?$")
_QUANTITY = re.compile(r"^(?P<whole>[0-9]{1,6})(?:[.,](?P<frac>[0-9]{1,3}))?$")

#: Quantities are held in thousandths so that a weighed item (0.374 kg) is exact.
QTY_ONE = 1000


class InvalidAmount(ValueError):
    """Raised when typed text is not an amount of money."""


class InvalidQuantity(ValueError):
    """Raised when typed text is not a quantity."""


def parse_amount(text: str, *, allow_negative: bool = False) -> Ore:
    """Turn what a cashier typed ("49", "49,90", "49.9") into øre.

    A bare integer means kroner, as on every Norwegian till keypad.
    """
    cleaned = text.strip().replace(" ", "")
    match = _AMOUNT.match(cleaned)
    if not match:
        raise InvalidAmount(text)
    ore_text = (match["ore"] or "0").ljust(2, "0")
    value = int(match["kr"]) * 100 + int(ore_text)
    if match["sign"]:
        if not allow_negative:
            raise InvalidAmount(text)
        value = -value
    return value


def parse_quantity(text: str) -> int:
    """Parse a quantity ("3", "0,375") into thousandths; zero is refused."""
    match = _QUANTITY.match(text.strip())
    if not match:
        raise InvalidQuantity(text)
    frac = (match["frac"] or "0").ljust(3, "0")
    value = int(match["whole"]) * QTY_ONE + int(frac)
    if value <= 0:
        raise InvalidQuantity(text)
    return value


def format_quantity(qty_milli: int) -> str:
    """'3' for whole units, '0,375' for weighed ones (Norwegian decimal comma)."""
    whole, frac = divmod(abs(qty_milli), QTY_ONE)
    sign = "-" if qty_milli < 0 else ""
    if frac == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole},{frac:03d}".rstrip("0")


def format_kr(ore: Ore, *, thousands: bool = True) -> str:
    """Format øre the Norwegian way: '1 234,50', '-16,40'."""
    sign = "-" if ore < 0 else ""
    kr, rest = divmod(abs(ore), 100)
    kr_text = f"{kr:,}".replace(",", "\u00a0") if thousands else str(kr)
    return f"{sign}{kr_text},{rest:02d}"


def saft_amount(ore: Ore) -> str:
    """SAF-T and signature amount format: two decimals, a dot, no grouping ('1250.00')."""
    sign = "-" if ore < 0 else ""
    kr, rest = divmod(abs(ore), 100)
    return f"{sign}{kr}.{rest:02d}"


def round_half_up(numerator: int, denominator: int) -> int:
    """Divide and round half away from zero, as Norwegian VAT and øre rounding do.

    In integers: exact at any size, and a Z over a busy day's 15,000 lines calls it for each.
    """
    if denominator == 0:
        raise ZeroDivisionError("round_half_up by zero")
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    whole, rest = divmod(abs(numerator), denominator)
    if 2 * rest >= denominator:
        whole += 1
    return whole if numerator >= 0 else -whole


def line_amount(unit_price: Ore, qty_milli: int) -> Ore:
    """Unit price times quantity, rounded to the øre (weighed items)."""
    return round_half_up(unit_price * qty_milli, QTY_ONE)


def vat_of(amount_incl: Ore, rate_bp: int) -> Ore:
    """The VAT contained in a VAT-inclusive amount; rate in basis points (2500 = 25 %)."""
    return round_half_up(amount_incl * rate_bp, 10_000 + rate_bp)


def cash_rounding(amount: Ore) -> Ore:
    """The øreavrunding that brings a cash amount to whole kroner (half up), e.g. -45 or +50."""
    return round_half_up(amount, 100) * 100 - amount


@dataclass(frozen=True)
class VatLine:
    """VAT for one rate: the basis (excluding VAT) and the VAT, as on a receipt."""

    rate_bp: int
    amount_incl: Ore
    vat: Ore

    @property
    def basis(self) -> Ore:
        return self.amount_incl - self.vat


def vat_split(lines: Iterable[tuple[Ore, int]]) -> list[VatLine]:
    """Sum (amount, rate) pairs per rate with VAT computed per line, highest rate first.

    Per line, then summed, is what Skatteetaten's example does; the receipt, X/Z and SAF-T
    all use this function so they always agree.
    """
    return vat_split_counted((amount, rate, 1) for amount, rate in lines)


def vat_split_counted(lines: Iterable[tuple[Ore, int, int]]) -> list[VatLine]:
    """`vat_split` over (amount, rate, how many lines) — a busy day's lines grouped in SQL."""
    totals: dict[int, tuple[int, int]] = {}
    for amount, rate, count in lines:
        incl, vat = totals.get(rate, (0, 0))
        totals[rate] = (incl + amount * count, vat + vat_of(amount, rate) * count)
    return [VatLine(rate, incl, vat) for rate, (incl, vat) in sorted(totals.items(), reverse=True)]


def format_rate(rate_bp: int) -> str:
    """'25 %' or '11,11 %'."""
    whole, frac = divmod(rate_bp, 100)
    return f"{whole} %" if frac == 0 else f"{whole},{frac:02d} %"


def allocate(total: Ore, weights: list[Ore]) -> list[Ore]:
    """Split `total` over lines in proportion to `weights`, largest remainder, summing exactly.

    Used for a discount on the whole sale, so every line carries its share and VAT per line
    stays correct.
    """
    base = sum(weights)
    if base == 0 or not weights:
        return [0 for _ in weights]
    shares = [total * w // base for w in weights]
    remainders = sorted(
        range(len(weights)), key=lambda i: (total * weights[i]) % base, reverse=True
    )
    for i in remainders[: total - sum(shares)]:
        shares[i] += 1
    return shares
