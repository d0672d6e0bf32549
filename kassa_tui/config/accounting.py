"""[accounting]: where the day-close voucher books each payment and VAT rate, and its files.

The settings and their reading live together because the rules are the bookkeeping's, not the
TOML's: every VAT rate the till sells at needs a sales account and a SAF-T code, and one above
0 % an output VAT account (NS 4102 numbers, accounting.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from kassa_tui.config.payments import DEFAULT_PAYMENT_METHODS, PaymentMethod
from kassa_tui.config.table import ConfigError, Table

#: SAF-T standard VAT codes (Standard_Tax_Codes.csv) a sale can carry: output VAT at a rate
#: above 0 %, or none at 0 % (5 fritatt, 51 omvendt avgiftsplikt, 52 utførsel, 6 unntatt, 7).
OUTPUT_VAT_CODES = ("3", "31", "32", "33")
ZERO_VAT_CODES = ("5", "51", "52", "6", "7")
GBAT10_ENCODINGS = ("utf-8", "iso-8859-1")
GBAT10_VAT_LINES = ("omit", "explicit_f")
_ACCOUNT = re.compile(r"[0-9]{4}")


@dataclass(frozen=True)
class VatAccounts:
    """Where the sales at one VAT rate go in the books (NS 4102 numbers)."""

    rate_bp: int
    sales_account: str
    vat_account: str | None  # output VAT; None at 0 %
    vat_code: str  # SAF-T standard tax code, written on the sales line


#: The defaults of accounting.md (NS 4102 / SAF-T standard accounts and codes).
DEFAULT_VAT_ACCOUNTS = (
    VatAccounts(2500, "3000", "2700", "3"),
    VatAccounts(1500, "3030", "2701", "31"),
    VatAccounts(1200, "3050", "2703", "33"),
    VatAccounts(1111, "3035", "2702", "32"),
    VatAccounts(0, "3100", None, "5"),
)


@dataclass(frozen=True)
class AccountingSettings:
    """The day-close voucher: accounts, VAT codes and the export files' options."""

    cash: str = "1900"
    card: str = "1579"  # card terminal clearing until the acquirer settles
    rounding: str = "7740"
    cash_difference: str = "1909"
    vat: tuple[VatAccounts, ...] = DEFAULT_VAT_ACCOUNTS
    gbat10_voucher_type: int = 6
    gbat10_encoding: str = "utf-8"
    gbat10_vat_lines: str = "omit"
    csv_decimal: str = "."
    csv_bom: bool = False
    #: [[payment]]: every way to pay, with its account and SAF-T code (config.payments).
    payment_methods: tuple[PaymentMethod, ...] = DEFAULT_PAYMENT_METHODS

    def for_rate(self, rate_bp: int) -> VatAccounts | None:
        return next((v for v in self.vat if v.rate_bp == rate_bp), None)

    def payment_account(self, method: str) -> str | None:
        if method in ("cash", "card"):  # kept equal to their [[payment]] account by reading
            return self.cash if method == "cash" else self.card
        found = self.payment_method(method)
        return found.account if found else None

    def payment_method(self, key: str) -> PaymentMethod | None:
        return next((m for m in self.payment_methods if m.key == key), None)


def rate_key(rate_bp: int) -> str:
    """The key of a rate's table in [accounting.vat]: '25', '0', '"11.11"'."""
    text = format(Decimal(rate_bp) / 100, "f")
    return f'"{text}"' if "." in text else text


def parse_accounting(table: Table, rates_bp: list[int]) -> AccountingSettings:
    """[accounting]: every VAT rate the till sells at has its accounts and code."""
    accounts = table.table("accounts")
    cash = _account(accounts, "cash", "1900")
    card = _account(accounts, "card", "1579")
    rounding = _account(accounts, "rounding", "7740")
    difference = _account(accounts, "cash_difference", "1909")
    accounts.done()

    vat: tuple[VatAccounts, ...] = DEFAULT_VAT_ACCOUNTS
    if "vat" in table.raw:  # given, it is the whole mapping: no defaults mixed in
        vat_table = table.table("vat")
        found: dict[int, VatAccounts] = {}
        for key in list(vat_table.raw):
            rate_bp = _rate_of_key(vat_table.key(key), key)
            if rate_bp in found:
                raise ConfigError(vat_table.key(key), "names a rate that is already listed")
            found[rate_bp] = _parse_vat_accounts(vat_table.table(key), rate_bp)
        vat_table.done()
        vat = tuple(found[r] for r in sorted(found, reverse=True))
    table.used.add("vat")
    for rate_bp in rates_bp:
        if not any(v.rate_bp == rate_bp for v in vat):
            raise ConfigError(
                f"accounting.vat.{rate_key(rate_bp)}",
                "is missing: vat.rates has this rate, so it needs sales_account, vat_code"
                " and (above 0 %) vat_account",
            )

    gbat10 = table.table("gbat10")
    voucher_type = gbat10.get("voucher_type", int, 6)
    if not 1 <= voucher_type <= 999:
        raise ConfigError("accounting.gbat10.voucher_type", "must be 1 to 999 (bilagsart)")
    encoding = gbat10.get("encoding", str, "utf-8").lower()
    if encoding not in GBAT10_ENCODINGS:
        raise ConfigError("accounting.gbat10.encoding", f"must be {' or '.join(GBAT10_ENCODINGS)}")
    vat_lines = gbat10.get("vat_lines", str, "omit")
    if vat_lines not in GBAT10_VAT_LINES:
        raise ConfigError("accounting.gbat10.vat_lines", "must be 'omit' or 'explicit_f'")
    gbat10.done()

    csv_table = table.table("csv")
    decimal = csv_table.get("decimal", str, ".")
    if decimal not in (".", ","):
        raise ConfigError("accounting.csv.decimal", "must be '.' or ','")
    bom = csv_table.get("bom", bool, False)
    csv_table.done()

    table.done()
    return AccountingSettings(
        cash=cash,
        card=card,
        rounding=rounding,
        cash_difference=difference,
        vat=vat,
        gbat10_voucher_type=voucher_type,
        gbat10_encoding=encoding,
        gbat10_vat_lines=vat_lines,
        csv_decimal=decimal,
        csv_bom=bom,
    )


def _account(table: Table, key: str, default: Any = ...) -> str:
    value = table.get(key, str, default).strip()
    if not _ACCOUNT.fullmatch(value):
        raise ConfigError(table.key(key), f"{value!r} is not an account number (4 digits)")
    return str(value)


def _rate_of_key(dotted: str, key: str) -> int:
    try:
        rate = Decimal(key)
    except InvalidOperation:
        rate = Decimal(-1)
    if not (rate.is_finite() and 0 <= rate < 100 and (rate * 100) % 1 == 0):
        raise ConfigError(dotted, "must be a VAT rate in percent, e.g. [accounting.vat.25]")
    return int(rate * 100)


def _parse_vat_accounts(table: Table, rate_bp: int) -> VatAccounts:
    sales = _account(table, "sales_account")
    vat_account = None
    if rate_bp:
        vat_account = _account(table, "vat_account")
    elif "vat_account" in table.raw:
        raise ConfigError(table.key("vat_account"), "a 0 % rate has no output VAT: remove it")
    table.used.add("vat_code")
    if "vat_code" not in table.raw:
        raise ConfigError(table.key("vat_code"), "is missing (the SAF-T VAT code, e.g. 3)")
    code = table.raw["vat_code"]
    allowed = OUTPUT_VAT_CODES if rate_bp else ZERO_VAT_CODES
    if isinstance(code, bool) or not isinstance(code, int | str) or str(code) not in allowed:
        raise ConfigError(
            table.key("vat_code"),
            f"{code!r} is not a SAF-T code for sales at this rate (one of {', '.join(allowed)})",
        )
    table.done()
    return VatAccounts(rate_bp, sales, vat_account, str(code))
