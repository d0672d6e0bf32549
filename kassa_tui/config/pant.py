"""The [pant] section of kassa.toml: how bottle-return slips (pantelapp) are read.

A reverse vending machine prints a slip with a barcode that starts with a prefix; somewhere in it
sit the slip's serial (each slip is redeemed once) and its amount. Each `[[pant.slip]]` says
where, counting digits from 0 at the start of the code, so a shop can read its own machine's
slips; several machines, several tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kassa_tui.config.table import ConfigError, Table


@dataclass(frozen=True)
class SlipLayout:
    """A slip's barcode: `length` digits starting with `prefix`; the serial is the
    `serial_digits` from `serial_at`, the amount the `amount_digits` from `amount_at`, in øre
    or whole kroner (`amount_unit`); the last digit is an EAN check digit if `check_digit`.
    The slip's line carries the account and VAT of deposit type `deposit`."""

    prefix: str
    length: int = 13
    serial_at: int = 3
    serial_digits: int = 5
    amount_at: int = 8
    amount_digits: int = 4
    amount_unit: str = "kr"  # "kr" or "ore"
    check_digit: bool = True
    deposit: str = "R"


@dataclass(frozen=True)
class PantSettings:
    slips: tuple[SlipLayout, ...] = ()


def parse_pant(table: Table) -> PantSettings:
    """Read and check `[pant]`; every bad value names its key."""
    slips = tuple(_parse_slip(i, raw) for i, raw in enumerate(table.get("slip", list, [])))
    table.done()
    prefixes = [s.prefix for s in slips]
    for i, prefix in enumerate(prefixes):
        for j, other in enumerate(prefixes):
            if i != j and other.startswith(prefix):
                raise ConfigError(
                    f"pant.slip[{j}].prefix", f"starts with slip[{i}]'s prefix {prefix!r}"
                )
    return PantSettings(slips)


def _parse_slip(index: int, raw: Any) -> SlipLayout:
    table = Table(raw, f"pant.slip[{index}]")
    prefix = table.get("prefix", str, required=True)
    if not (prefix.isdigit() and 1 <= len(prefix) <= 6):
        raise ConfigError(table.key("prefix"), "must be 1 to 6 digits")
    length = table.get("length", int, 13)
    if not len(prefix) < length <= 30:
        raise ConfigError(table.key("length"), "must be longer than the prefix and at most 30")
    check = table.get("check_digit", bool, True)
    body = length - 1 if check else length  # the digits before the check digit
    places: dict[str, tuple[int, int]] = {}
    for name, at_default, digits_default in (("serial", 3, 5), ("amount", 8, 4)):
        at = table.get(f"{name}_at", int, at_default)
        digits = table.get(f"{name}_digits", int, digits_default)
        if at < len(prefix) or digits < 1 or at + digits > body:
            raise ConfigError(
                table.key(f"{name}_at"),
                f"the {name} must sit after the prefix and before the end"
                + (" (the last digit is the check digit)" if check else ""),
            )
        places[name] = (at, digits)
    (s_at, s_n), (a_at, a_n) = places["serial"], places["amount"]
    if s_at < a_at + a_n and a_at < s_at + s_n:
        raise ConfigError(table.key("amount_at"), "the amount and the serial overlap")
    unit = table.get("amount_unit", str, "kr")
    if unit not in ("kr", "ore"):
        raise ConfigError(table.key("amount_unit"), "must be 'kr' or 'ore'")
    deposit = table.get("deposit", str, "R")
    if not deposit.strip():
        raise ConfigError(table.key("deposit"), "must name a deposit type (kassa deposits list)")
    table.done()
    return SlipLayout(prefix, length, s_at, s_n, a_at, a_n, unit, check, deposit.strip().upper())
