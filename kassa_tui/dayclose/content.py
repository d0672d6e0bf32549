"""What an X or Z report holds (§ 2-8-2) and how it is printed.

Field names follow SAF-T's `eventReport`; amounts are integer øre. The printed report is
Norwegian (Bokmål) whatever the screen language, shows every field (zeros included) and fits 32
columns; on screen the same document is in the till's language. Its labels are English message
ids marked with N_; the Bokmål catalog's entries for them are what the paper says.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kassa_tui.config import Config
from kassa_tui.core.i18n import N_, translator
from kassa_tui.core.money import format_kr, format_rate
from kassa_tui.dayclose import campaign_figures
from kassa_tui.dayclose.campaign_figures import CampaignLine
from kassa_tui.records.receipts import ReceiptDoc
from kassa_tui.selling.cash import CashCount

X_REPORT, Z_REPORT = "X report", "Z report"
#: How much of the journal head's hash and of the last signature the paper report shows:
#: 16 hex digits are 64 bits, beyond anyone's reach to match with a rewritten journal.
HEAD_PRINTED = 16
SIGNATURE_PRINTED = 16
#: The line correction types as the report writes them (other types and reasons: as given).
_TYPE_NAMES = {
    "Delete line": N_("Deleted line"),
    "Reduce quantity": N_("Reduced quantity"),
    "Price override": N_("Price change"),
    "Return without receipt": N_("Return without receipt"),
}
#: The payment methods kassa itself names (as records.receipts.PAYMENT_NAMES prints them);
#: the others by the name kassa.toml gives them.
_PAYMENT_NAMES = {"cash": N_("Cash"), "card": N_("Bank card")}
Translate = Callable[[str], str]


@dataclass(frozen=True)
class Tally:
    num: int = 0
    amount: int = 0


@dataclass(frozen=True)
class GroupLine:
    """An article group's sales (num = sales less returns that contain it), or price look-ups."""

    group: str
    num: int
    amount: int


@dataclass(frozen=True)
class PaymentLine:
    method: str
    code: str  # SAF-T payment code
    num: int  # payments less refunds
    amount: int


@dataclass(frozen=True)
class EmpPaymentLine:
    emp: int
    method: str
    code: str
    num: int
    amount: int


@dataclass(frozen=True)
class VatReportLine:
    code: str  # standard VAT code
    rate_bp: int
    basis: int  # excluding VAT
    vat: int


@dataclass(frozen=True)
class PantAccountLine:
    """Pant of the period on a deposit type's account at one VAT rate (the voucher's line)."""

    account: str
    rate_bp: int
    amount: int  # VAT included; slips paid out count negative
    vat: int


@dataclass(frozen=True)
class TypeLine:
    """Line corrections, other corrections, pay-ins and pay-outs: by type (or reason)."""

    type: str
    num: int
    amount: int


@dataclass(frozen=True)
class Report:
    report_type: str  # "X report" or "Z report"
    z_nr: int | None
    company_name: str
    company_ident: str
    report_date: str
    report_time: str
    register_id: str
    business_date: str
    user_number: int | None
    total_cash_sale: int  # sale totals after returns, VAT included, before øreavrunding
    art_groups: tuple[GroupLine, ...]
    payments: tuple[PaymentLine, ...]
    emp_payments: tuple[EmpPaymentLine, ...]
    vat: tuple[VatReportLine, ...]
    opening_float: int
    receipts: int
    open_cash_box_num: int
    copies: Tally
    provisional: Tally
    returns: Tally  # amount positive, as in SAF-T
    discounts: Tally
    voided: Tally
    corr_lines: tuple[TypeLine, ...]
    price_inquiries: tuple[GroupLine, ...]
    other_corrs: tuple[TypeLine, ...]
    delivery: Tally
    training: Tally
    pay_ins: tuple[TypeLine, ...]
    pay_outs: tuple[TypeLine, ...]
    grand_total_sales: int
    grand_total_returns: int
    grand_total_net: int
    rounding: int  # øreavrunding of the period
    cash_expected: int
    cash_count: CashCount | None
    last_journal_seq: int
    last_sale_id: int
    last_cash_event_id: int
    # The outside anchor, printed on the paper report: the journal's last row before this report
    # (`last_journal_seq` and its hash) and the register's last signed transaction. Reports
    # stored before these were added read back with the defaults.
    journal_head_hash: str = ""
    last_receipt_nr: int | None = None
    last_signature: str = ""  # its first SIGNATURE_PRINTED characters
    # A Z taken without a cash count, the shift lead having chosen so explicitly: printed and
    # kept in the content as «Kontanter: ikke opptalt». Left out of the content when False, so
    # every Z taken with a count (and every older one) reads exactly as before.
    cash_not_counted: bool = False
    # Pant (deposit): units of pant sold (sales less returns) and bottle-return slips paid out.
    pant_sold: Tally = Tally()
    pant_paid_out: Tally = Tally()
    pant_accounts: tuple[PantAccountLine, ...] = ()
    # Gift cards and credit notes: money put on a card is no sale (a liability), counted apart
    # from the sales and the VAT; redeemed ones are also a means of payment above.
    gift_cards_sold: Tally = Tally()
    gift_cards_redeemed: Tally = Tally()
    credit_notes_issued: Tally = Tally()
    credit_notes_redeemed: Tally = Tally()

    # Each campaign that gave a discount (its share of `discounts`); left out of the content
    # when there is none, so such a report (and every older one) reads exactly as before.
    campaigns: tuple[CampaignLine, ...] = ()

    @property
    def journal_head(self) -> str:
        """'seq:hash' as printed (the hash's first HEAD_PRINTED digits); '' if not recorded."""
        if not self.journal_head_hash:
            return ""
        return f"{self.last_journal_seq}:{self.journal_head_hash[:HEAD_PRINTED]}"

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        if not self.cash_not_counted:
            del data["cash_not_counted"]
        if not self.campaigns:
            del data["campaigns"]
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        values = dict(data)
        for name, kind in _NESTED.items():
            if name in _TALLIES:
                values[name] = Tally(**data[name])
            else:
                values[name] = tuple(kind(**item) for item in data[name])
        for name in ("pant_sold", "pant_paid_out"):  # reports stored before pant: zero
            values[name] = Tally(**data[name]) if name in data else Tally()
        values["pant_accounts"] = tuple(
            PantAccountLine(**item) for item in data.get("pant_accounts", [])
        )
        for name in _CARD_TALLIES:  # reports stored before gift cards were sold: zero
            values[name] = Tally(**data[name]) if name in data else Tally()
        values["campaigns"] = campaign_figures.from_stored(data.get("campaigns", []))
        count = data["cash_count"]
        values["cash_count"] = CashCount(**count) if count else None
        return cls(**values)

    @classmethod
    def from_json(cls, text: str) -> Report:
        return cls.from_dict(json.loads(text))


_CARD_TALLIES = (
    "gift_cards_sold",
    "gift_cards_redeemed",
    "credit_notes_issued",
    "credit_notes_redeemed",
)
_TALLIES = ("copies", "provisional", "returns", "discounts", "voided", "delivery", "training")
_NESTED: dict[str, type] = {name: Tally for name in _TALLIES} | {
    "art_groups": GroupLine,
    "payments": PaymentLine,
    "emp_payments": EmpPaymentLine,
    "vat": VatReportLine,
    "corr_lines": TypeLine,
    "price_inquiries": GroupLine,
    "other_corrs": TypeLine,
    "pay_ins": TypeLine,
    "pay_outs": TypeLine,
}


def report_doc(config: Config, report: Report, translate: Translate | None = None) -> ReceiptDoc:
    """The X or Z: every field, zeros included; fits 48 and 32 columns. In Norwegian Bokmål, as
    printed, unless `translate` (the screen passes the till's language's `_`) says otherwise."""
    t = translate or translator("nb")
    doc = ReceiptDoc()
    doc.add("title", t(N_("Z report")) if report.report_type == Z_REPORT else t(N_("X report")))
    doc.add("center", report.company_name)
    for line in config.shop_address:
        doc.add("center", line)
    doc.add("center", config.org_nr_display)
    doc.add("rule")
    if report.z_nr is not None:
        doc.add("cols", t(N_("Z number")), str(report.z_nr))
    doc.add("cols", t(N_("Register")), report.register_id)
    doc.add(
        "cols",
        t(N_("Date {day}")).format(day=norwegian_day(report.report_date)),
        t(N_("Time {time}")).format(time=report.report_time),
    )
    doc.add("cols", t(N_("Business day")), norwegian_day(report.business_date))
    if report.user_number is not None:
        doc.add("cols", t(N_("Taken by")), str(report.user_number))
    doc.add("rule")
    doc.add("total", t(N_("Cash sales")), format_kr(report.total_cash_sale))
    group = t(N_("Group {group}: {num}"))
    _section(
        doc,
        t,
        N_("Product groups"),
        [(group.format(group=g.group, num=g.num), g.amount) for g in report.art_groups],
    )
    _section(
        doc,
        t,
        N_("Means of payment"),
        [(f"{_pay(p.method, config, t)}: {p.num}", p.amount) for p in report.payments],
    )
    operator = t(N_("Op. {emp} {method}: {num}"))
    _section(
        doc,
        t,
        N_("Per operator"),
        [
            (operator.format(emp=p.emp, method=_pay(p.method, config, t), num=p.num), p.amount)
            for p in report.emp_payments
        ],
    )
    doc.add("bold", t(N_("VAT")))
    doc.add("text", f"{t(N_('Code rate')):<10}{t(N_('Basis')):>11}{t(N_('VAT')):>11}")
    for v in report.vat:
        rate, basis, vat = format_rate(v.rate_bp), format_kr(v.basis), format_kr(v.vat)
        doc.add("text", f"{v.code:>2} {rate:<7}{basis:>11}{vat:>11}")
    doc.add("rule")
    doc.add("cols", t(N_("Opening float")), format_kr(report.opening_float))
    doc.add("cols", t(N_("Sales receipts")), str(report.receipts))
    doc.add("cols", t(N_("No-sale drawer opens")), str(report.open_cash_box_num))
    for label, tally in (
        (N_("Copy receipts"), report.copies),
        (N_("Provisional rcpt."), report.provisional),
        (N_("Returns"), report.returns),
        (N_("Discounts"), report.discounts),
        (N_("Voided sales"), report.voided),
        (N_("Delivery rcpt."), report.delivery),
        (N_("Training rcpt."), report.training),
        (N_("Pant sold"), report.pant_sold),
        (N_("Pant paid out"), report.pant_paid_out),
    ):
        doc.add("cols", f"{t(label)}: {tally.num}", format_kr(tally.amount))
    campaign_figures.add_to_doc(doc, t, report.campaigns)
    _gift_cards(doc, t, report)
    for title, items in (
        (N_("Line corrections"), report.corr_lines),
        (N_("Other corrections"), report.other_corrs),
        (N_("Pay-ins"), report.pay_ins),
        (N_("Pay-outs"), report.pay_outs),
    ):
        _section(doc, t, title, [(f"{_type(i.type, t)}: {i.num}", i.amount) for i in items])
    _section(
        doc,
        t,
        N_("Price look-ups"),
        [(group.format(group=g.group, num=g.num), g.amount) for g in report.price_inquiries],
    )
    doc.add("rule")
    doc.add("bold", t(N_("Grand total (since installation)")))
    doc.add("cols", t(N_("Sales")), format_kr(report.grand_total_sales))
    doc.add("cols", t(N_("Returned")), format_kr(report.grand_total_returns))
    doc.add("cols", t(N_("Net")), format_kr(report.grand_total_net))
    doc.add("rule")
    doc.add("cols", t(N_("Cash rounding")), format_kr(report.rounding))
    doc.add("cols", t(N_("Cash expected")), format_kr(report.cash_expected))
    if report.cash_count is not None:
        doc.add("cols", t(N_("Cash counted")), format_kr(report.cash_count.counted_ore))
        doc.add("cols", t(N_("Expected at count")), format_kr(report.cash_count.expected_ore))
        doc.add("cols", t(N_("Difference")), format_kr(report.cash_count.difference_ore))
    elif report.cash_not_counted:
        doc.add("cols", t(N_("Cash counted")), t(N_("NOT COUNTED")))
    if report.journal_head:
        # Kept on paper, outside the till: `kassa journal verify --against` checks that the
        # journal still holds this row unchanged, with nothing removed or rewritten before it.
        doc.add("rule")
        doc.add("bold", t(N_("Audit trail")))
        doc.add("cols", t(N_("Journal")), report.journal_head)
        if report.last_receipt_nr is not None:
            doc.add("cols", t(N_("Last receipt")), str(report.last_receipt_nr))
            doc.add("cols", t(N_("Signature")), report.last_signature or "-")
    return doc


def _gift_cards(doc: ReceiptDoc, t: Translate, report: Report) -> None:
    """Gift cards and credit notes, issued and redeemed (not sales), once a period has any."""
    rows = (
        (N_("Gift cards sold"), report.gift_cards_sold),
        (N_("Gift cards redeemed"), report.gift_cards_redeemed),
        (N_("Credit notes issued"), report.credit_notes_issued),
        (N_("Credit notes redeemed"), report.credit_notes_redeemed),
    )
    if any(tally.num or tally.amount for _label, tally in rows):
        for label, tally in rows:
            doc.add("cols", f"{t(label)}: {tally.num}", format_kr(tally.amount))


def _section(doc: ReceiptDoc, t: Translate, title: str, items: list[tuple[str, int]]) -> None:
    """A titled list of lines; an empty one prints «Ingen: 0» (none) with a zero amount."""
    doc.add("bold", t(title))
    for label, amount in items or [(f"{t(N_('None'))}: 0", 0)]:
        doc.add("cols", f"  {label}", format_kr(amount))


def _pay(method: str, config: Config, t: Translate) -> str:
    known = _PAYMENT_NAMES.get(method)
    return t(known) if known else config.payment_name(method)


def _type(kind: str, t: Translate) -> str:
    known = _TYPE_NAMES.get(kind)
    return t(known) if known else kind


def norwegian_day(iso: str) -> str:
    """'2026-12-04' → '04.12.2026', as the receipts and reports write a day in every language."""
    return f"{iso[8:10]}.{iso[5:7]}.{iso[:4]}"
