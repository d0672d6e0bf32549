"""A Z report as an accounting voucher (bilag), and the files that carry it to the books.

One Z becomes one voucher, built from the Z's own totals (never by re-summing receipts), so it
matches the legally required report by construction: sales per VAT rate and output VAT per rate
(credit), payments per method (debit; cash as counted), øreavrunding and the cash difference.
Amounts are integer øre, + debit and − credit; a `Voucher` that does not sum to zero cannot be
made. Accounts and VAT codes come from kassa.toml's [accounting]; an amount with no account
configured for it refuses the export. Layouts: shared/docs/accounting.md, §7.2 (the generic
`kassa-voucher` CSV) and §2.2/§7.3 (Tripletex's Mamut GBAT10).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from datetime import date
from typing import BinaryIO

from kassa_tui.config import AccountingSettings, ConfigError, rate_key
from kassa_tui.core.cells import text_cell
from kassa_tui.core.money import format_rate, saft_amount
from kassa_tui.dayclose.content import Z_REPORT, Report
from kassa_tui.selling.gift_card_sales import liability_account

SALE, VAT, PAYMENT, ROUNDING, CASH_DIFFERENCE = (
    "sale",
    "vat",
    "payment",
    "rounding",
    "cash_difference",
)
PANT = "pant"  # pant sold less slips paid out, on the deposit type's account
GIFT_CARD_SOLD = "gift_card_sold"  # money put on gift cards: credit the liability, no VAT
NO_VAT_CODE = "0"  # SAF-T 0: no VAT treatment (payments, rounding, cash difference)
CURRENCY = "NOK"
CSV_COLUMNS = (
    "voucher_id",
    "voucher_date",
    "z_number",
    "register_id",
    "line_no",
    "line_type",
    "account",
    "description",
    "amount",
    "debit",
    "credit",
    "vat_code",
    "vat_rate",
    "vat_base",
    "vat_amount",
    "gross_amount",
    "payment_method",
    "department",
    "project",
    "currency",
)
GBAT10_FIELDS = 29  # Mamut's 0…28; the empty last one gives the trailing ';'
_PAYMENT_TEXT = {"cash": "Kontanter", "card": "Bankkort (til oppgjør)"}


class UnbalancedVoucher(AssertionError):
    """Debit and credit differ: a bug, never something to write to the books."""


@dataclass(frozen=True)
class VoucherLine:
    """One posting, shaped like SAF-T's GeneralLedgerEntries/Transaction/Line."""

    line_no: int
    line_type: str  # sale | vat | payment | rounding | cash_difference (| gift_card_sold …)
    account: str
    amount: int  # øre, signed: + debit, − credit
    description: str
    vat_code: str = NO_VAT_CODE  # SAF-T standard tax code
    vat_rate_bp: int | None = None  # sale and vat lines
    vat_base: int | None = None  # signed net (sale and vat lines)
    vat_amount: int | None = None  # signed VAT (sale and vat lines)
    gross: int | None = None  # signed gross (sale lines)
    payment_method: str | None = None

    @property
    def debit(self) -> int:
        return max(self.amount, 0)

    @property
    def credit(self) -> int:
        return max(-self.amount, 0)


@dataclass(frozen=True)
class Voucher:
    voucher_id: str  # "KASSE-1-Z000123"
    z_number: int
    register_id: str
    date: date  # the Z's business day
    description: str  # "Kasseoppgjør KASSE-1 Z123 2026-11-27"
    lines: tuple[VoucherLine, ...]

    def __post_init__(self) -> None:
        if self.debit != self.credit:
            raise UnbalancedVoucher(
                f"voucher {self.voucher_id} does not balance: debit {saft_amount(self.debit)},"
                f" credit {saft_amount(self.credit)}"
            )

    @property
    def debit(self) -> int:
        return sum(line.debit for line in self.lines)

    @property
    def credit(self) -> int:
        return sum(line.credit for line in self.lines)


def build_voucher(report: Report, settings: AccountingSettings) -> Voucher:
    """The voucher of one Z report; a `ConfigError` names a missing account or VAT mapping."""
    if report.report_type != Z_REPORT or report.z_nr is None:
        raise ValueError("only a Z report becomes a voucher")
    z_nr = report.z_nr
    lines: list[VoucherLine] = []  # numbered at the end

    for v in report.vat:  # highest rate first, as on the Z
        if v.basis == 0 and v.vat == 0:
            continue
        rate = format_rate(v.rate_bp)
        mapping = settings.for_rate(v.rate_bp)
        if mapping is None:
            raise ConfigError(
                f"accounting.vat.{rate_key(v.rate_bp)}",
                f"is missing: Z {z_nr} has sales at {rate}",
            )
        # Pant at this rate goes to its deposit type's own account, off the sales account.
        pant = [p for p in report.pant_accounts if p.rate_bp == v.rate_bp]
        net, vat = v.basis - sum(p.amount - p.vat for p in pant), v.vat - sum(p.vat for p in pant)
        if net or vat:
            lines.append(
                VoucherLine(
                    0,
                    SALE,
                    mapping.sales_account,
                    -net,
                    f"Salg {rate}",
                    mapping.vat_code,
                    v.rate_bp,
                    vat_base=-net,
                    vat_amount=-vat,
                    gross=-(net + vat),
                )
            )
        for p in pant:
            p_net = p.amount - p.vat
            lines.append(
                VoucherLine(
                    0,
                    PANT,
                    p.account,
                    -p_net,
                    f"Pant {rate}",
                    mapping.vat_code,
                    v.rate_bp,
                    vat_base=-p_net,
                    vat_amount=-p.vat,
                    gross=-p.amount,
                )
            )
        if v.vat:
            if mapping.vat_account is None:
                raise ConfigError(
                    f"accounting.vat.{rate_key(v.rate_bp)}.vat_account",
                    f"is missing: Z {z_nr} has output VAT at {rate}",
                )
            lines.append(
                VoucherLine(
                    0,
                    VAT,
                    mapping.vat_account,
                    -v.vat,
                    f"Utgående mva {rate}",
                    mapping.vat_code,
                    v.rate_bp,
                    vat_base=-v.basis,
                    vat_amount=-v.vat,
                )
            )

    if report.gift_cards_sold.amount:  # redeemed cards are a payment method's debit below
        account = liability_account(settings)
        if account is None:
            raise ConfigError(
                "payment",
                f"is missing a method with saft_code 12005 (gift cards): Z {z_nr} sold gift"
                f" cards for {saft_amount(report.gift_cards_sold.amount)}",
            )
        amount = report.gift_cards_sold.amount
        lines.append(VoucherLine(0, GIFT_CARD_SOLD, account, -amount, "Gavekort solgt"))

    # Cash is posted as counted: the takings plus the difference (negative when short), and
    # the difference itself on the kassedifferanse account, so the two add up to the takings.
    difference = report.cash_count.difference_ore if report.cash_count else 0
    payments = [(p.method, p.amount) for p in report.payments]
    if difference and not any(method == "cash" for method, _ in payments):
        payments.append(("cash", 0))
    for method, taken in payments:
        amount = taken + difference if method == "cash" else taken
        if amount:
            account = settings.payment_account(method)
            if account is None:
                raise ConfigError(
                    f"accounting.accounts.{method}" if method in ("cash", "card") else "payment",
                    f"is missing: Z {z_nr} has {method} payments of {saft_amount(amount)}",
                )
            found = settings.payment_method(method)
            text = _PAYMENT_TEXT.get(method) or (found.name if found else method)
            if method == "cash" and report.cash_count is not None:
                text += " (opptalt)"
            lines.append(VoucherLine(0, PAYMENT, account, amount, text, payment_method=method))
        if method == "cash" and difference:
            kind = "manko" if difference < 0 else "overskudd"
            lines.append(
                VoucherLine(
                    0,
                    CASH_DIFFERENCE,
                    settings.cash_difference,
                    -difference,
                    f"Kassedifferanse ({kind})",
                )
            )

    # The customers paid the rounded amounts: rounding > 0 (they paid more) is a credit.
    if report.rounding:
        lines.append(
            VoucherLine(0, ROUNDING, settings.rounding, -report.rounding, "Øreavrunding kontant")
        )

    day = date.fromisoformat(report.business_date)
    return Voucher(
        voucher_id=f"{report.register_id}-Z{z_nr:06d}",
        z_number=z_nr,
        register_id=report.register_id,
        date=day,
        description=f"Kasseoppgjør {report.register_id} Z{z_nr} {day.isoformat()}",
        lines=tuple(replace(line, line_no=nr) for nr, line in enumerate(lines, start=1)),
    )


# -- writers -----------------------------------------------------------------------------------


def amount_text(ore: int, decimal: str = ".") -> str:
    """'-8000.32': two decimals, no thousands separator."""
    return saft_amount(ore).replace(".", decimal)


def _rate_text(rate_bp: int, decimal: str) -> str:
    whole, frac = divmod(rate_bp, 100)
    return str(whole) if frac == 0 else f"{whole}{decimal}{frac:02d}".rstrip("0")


def _optional(ore: int | None, decimal: str) -> str:
    return "" if ore is None else amount_text(ore, decimal)


def write_csv(voucher: Voucher, out: BinaryIO, *, decimal: str = ".", bom: bool = False) -> None:
    """The generic `kassa-voucher` v1 CSV (accounting.md §7.2): UTF-8, ';', RFC 4180 quoting,
    CRLF, one header row, ISO dates, amounts with two decimals (+ debit, − credit).

    The text columns (voucher_id, register_id, line_type, account, description, vat_code,
    payment_method, currency) go through `text_cell`, so a register or payment method named
    '=…' is text to a spreadsheet; the dates and numbers (amounts keep their '-') do not."""
    if decimal not in (".", ","):
        raise ValueError(f"decimal must be '.' or ',', not {decimal!r}")
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for line in voucher.lines:
        writer.writerow(
            (
                text_cell(voucher.voucher_id),
                voucher.date.isoformat(),
                voucher.z_number,
                text_cell(voucher.register_id),
                line.line_no,
                text_cell(line.line_type),
                text_cell(line.account),
                text_cell(line.description),
                amount_text(line.amount, decimal),
                amount_text(line.debit, decimal),
                amount_text(line.credit, decimal),
                text_cell(line.vat_code),
                "" if line.vat_rate_bp is None else _rate_text(line.vat_rate_bp, decimal),
                _optional(line.vat_base, decimal),
                _optional(line.vat_amount, decimal),
                _optional(line.gross, decimal),
                text_cell(line.payment_method or ""),
                "",  # department
                "",  # project
                text_cell(CURRENCY),
            )
        )
    out.write(("\ufeff" if bom else "").encode("utf-8") + text.getvalue().encode("utf-8"))


def _clean(text: str) -> str:
    """GBAT10 has no quoting: ';', CR and LF cannot appear in a field."""
    return text.replace(";", "").replace("\r", "").replace("\n", "")


def write_gbat10(
    voucher: Voucher,
    out: BinaryIO,
    *,
    voucher_type: int = 6,
    encoding: str = "utf-8",
    vat_lines: str = "omit",
) -> None:
    """Tripletex's Mamut GBAT10 journal lines (accounting.md §2.2, §7.3): no header, ';', no
    quoting, CRLF, 29 fields with a trailing ';'. Column 28 (gross) carries every posting, for
    the import mode where Tripletex makes the VAT postings from the codes. The output VAT
    lines are left out ("omit") or written as F lines ("explicit_f"), which that mode ignores.
    """
    if vat_lines not in ("omit", "explicit_f"):
        raise ValueError(f"vat_lines must be 'omit' or 'explicit_f', not {vat_lines!r}")
    if not 0 < voucher.z_number < 10**8:
        raise ValueError(f"Z number {voucher.z_number} does not fit GBAT10's 8 digits")
    if not 1 <= voucher_type <= 999:
        raise ValueError(f"voucher type {voucher_type} does not fit GBAT10's 3 digits")
    rows = []
    gross_sum = 0
    for line in voucher.lines:
        if line.line_type == VAT and vat_lines == "omit":
            continue
        fields = [""] * GBAT10_FIELDS
        fields[0] = "GBAT10"
        fields[1] = str(voucher.z_number)
        fields[2] = voucher.date.strftime("%Y%m%d")
        fields[3] = str(voucher_type)
        fields[4] = str(voucher.date.month)
        fields[5] = str(voucher.date.year)
        fields[6] = line.account
        fields[7] = line.vat_code
        net = line.vat_base if line.line_type == SALE and line.vat_base is not None else line.amount
        fields[8] = amount_text(net)
        # Starting with 'Z', the text is never a formula to a spreadsheet (core/cells.py); the
        # other cells are digits, codes and signed amounts.
        text = _clean(f"Z{voucher.z_number} {voucher.register_id} {line.description}")[:100]
        fields[20] = fields[21] = text
        if line.line_type == VAT:
            fields[26] = "F"
        else:
            gross = line.gross if line.gross is not None else line.amount
            fields[26] = "T"
            fields[27] = amount_text(gross)
            gross_sum += gross
        rows.append(";".join(fields) + "\r\n")
    if gross_sum != 0:
        raise UnbalancedVoucher(
            f"GBAT10 gross column of {voucher.voucher_id} sums to {saft_amount(gross_sum)}"
        )
    out.write("".join(rows).encode(encoding, errors="replace"))
