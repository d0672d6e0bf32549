"""SAF-T Cash Register's vocabulary and how kassa's values are spelled in it.

The predefined codes (PredefinedBasicID-04/11/12/13, Skatteetaten's code lists), kassa's own
basic IDs with what they mean, the VAT codes, and the small element trees (`Node`) for what
is written once per report, per transaction or per address. Everything here is pure: the file
itself is written by `kassa_tui.saft.export`.
"""

from __future__ import annotations

import re
from typing import TypeAlias

from kassa_tui.core.money import saft_amount
from kassa_tui.dayclose.content import X_REPORT, Report, TypeLine
from kassa_tui.dayclose.reports import VAT_CODES
from kassa_tui.stock.groups import ARTICLE_GROUPS as GROUP_CODES

NS = "urn:StandardAuditFile-Taxation-CashRegister:NO"

#: An element: (tag, text) for a leaf, (tag, children) for a branch. A leaf without text and a
#: branch without children are not written at all (SAF-T: no empty elements).
Node: TypeAlias = "tuple[str, str | list[Node] | None]"


def _codes(text: str) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in text.strip().splitlines())


#: PredefinedBasicID-04: article groups (ProductGroup.saft_group), kept with the groups.
ARTICLE_GROUPS = GROUP_CODES

#: PredefinedBasicID-13: events (the journal's event_code).
EVENTS = _codes("""
13001 POS application start
13002 POS application shut down
13003 Employee log in
13004 Employee log out
13005 Open cash drawer
13006 Close cash drawer
13007 Update of POS application
13008 X report
13009 Z report
13010 Suspend transaction
13011 Resume transaction
13012 Sales receipt printed
13013 Return receipt
13014 Copy receipt
13015 Provisional receipt
13016 Delivery receipt
13017 Training receipt
13018 Other reports or receipts
13019 Cash withdrawal
13020 Export of journal to external storage
13021 Price change
13022 Price look-up
13023 Training mode on
13024 Training mode off
13025 Memory full
13026 Emergency mode on
13027 Emergency mode off
13028 Void receipt
13029 STEB receipt
13030 Concluded sale without receipt printed
13999 Other
""")

#: kassa's own event names (kassa_tui.records.journal.Event) and what they record.
OWN_EVENTS = _codes("""
APPSTART kassa started
APPSTOP kassa shut down
READONLY kassa started as a read-only view (cannot sell)
LOGIN Employee signed in
LOGOUT Employee signed out
LOGINFAIL Sign-in or approval refused (wrong number or PIN)
LOCK Till locked
UNLOCK Till unlocked
DRAWOPEN Cash drawer opened by the printer's kick (sale or cash slip)
DRAWCLOSE Cash drawer closed
NOSALE Cash drawer opened without a sale (nullinnslag)
DRAWOPENMAN Cash drawer opened by hand, without a kick (nullinnslag)
NOSALEREQ No-sale opening approved by a shift lead
PARK Basket parked
RESUME Parked basket resumed
RECEIPT Sales receipt printed
RETURNPRINT Return receipt printed
PRICELOOKUP Price look-up
LINEADD Line added to the basket
LINEQTYUP Line quantity raised
LINEDELETE Line deleted before payment (line correction)
LINEREDUCE Line quantity lowered before payment (line correction)
DISCOUNT Discount given on a line or the sale
PRICEOVERRIDE Unit price overridden with a shift lead's approval
PAYMENT Payment registered
SALE Sale completed and signed
CLOCKBACK The system clock went backwards; rows keep the last time
PRINTFAIL Printing failed; the printout waits in the queue
PRINTCHECK An uncertain printout was checked by a person
PRINTERSTATE Printer state changed
PRICECHANGE Price changed
MASTERDATA Product or group data changed
USERADD User added
USERCHANGE User changed (name, role, PIN or active)
IMPORT Catalog or stock imported from a file
STOCKADJ Stock adjusted
DELIVERY Goods delivery registered
STOCKTAKE Stocktake
TRANSFEROUT Goods sent to another shop (stock transfer out, with its transfer id)
TRANSFERIN Goods from another shop booked in (stock transfer in, by its transfer id)
OPENINGSTOCK Opening stock levels set, per product (demo shop or stock import)
REGISTERRETIRE Register signed out for good (taken out of use), with the reason
XREPORT X report
ZREPORT Z report (closes the business day)
FLOAT Opening change float registered
PAYIN Cash paid into the drawer
PAYOUT Cash paid out of the drawer
CASHCOUNT Cash drawer counted
EXPORT SAF-T Cash Register file exported
RETURN Return receipt (a return of a sale, approved by a shift lead)
RETURNNORECEIPT Return without the sales receipt, approved by a shift lead
COPY Copy receipt
PROVISIONAL Provisional receipt
TRAINING Training receipt (training mode: nothing was sold)
TRAININGON Training mode on
TRAININGOFF Training mode off
VOID Sale voided before payment (annullering), with its reason and every line
AGECHECK Customer's age confirmed for a product with an age limit (once a sale)
AGEREFUSED Line with an age limit removed: the customer's age was not confirmed
EATIN Sale marked eaten in (eat-in VAT rates) or taken away again
PURCHASEORDER Purchase order to a supplier confirmed by a shift lead
ORDERRECEIVE Goods delivery booked against a purchase order
ORDERCANCEL Purchase order cancelled
""")

# (basicID, predefinedBasicID, basicDesc) for transactions, lines, payments and discounts.
TRANS_TYPES = {
    "sale": ("CASHSAL", "11001", "Cash sale"),
    "return": ("RETURNSAL", "11006", "Return"),
}
LINE_TYPES = {"sale": ("SAL", "", "Sale line"), "return": ("RET", "", "Return line")}
PAYMENTS = {
    "cash": ("CASH", "12001", "Cash"),
    "card": ("CARD", "12002", "Payment card on the card terminal"),
}
DISCOUNT = ("DSC", "", "Discount given at the till (line or share of a sale discount)")
ROLES = {"cashier": "Cashier", "shift_lead": "Shift lead", "technician": "Technician"}
NONE = "None"  # a report list with nothing in it: one row of zeros (Skatteetaten's example)


def payment_basic(method: str, code: str = "", name: str = "") -> tuple[str, str, str]:
    """A payment method's basic: kassa's own, any other with the code and name of its
    [[payment]] table (saft_code: PredefinedBasicID-12), else as "Other" (12999)."""
    if method in PAYMENTS:
        return PAYMENTS[method]
    return (method.upper()[:35] or "OTHER", code or "12999", name or f"Other ({method})")


def event_desc(basic_id: str, event_code: str) -> str:
    return OWN_EVENTS.get(basic_id) or EVENTS.get(event_code) or basic_id


def vat_code(rate_bp: int) -> str:
    """kassa's VAT code is the standard one (Standard_Tax_Codes): 3, 31, 33, 32 or 5."""
    return VAT_CODES.get(rate_bp, "3")


def percent(rate_bp: int) -> str:
    """2500 → '25.00', 1111 → '11.11'."""
    return f"{rate_bp // 100}.{rate_bp % 100:02d}"


def quantity(qty_milli: int) -> str:
    """Thousandths as a SAF-T quantity: '2', '0.374', '-1'."""
    sign = "-" if qty_milli < 0 else ""
    whole, frac = divmod(abs(qty_milli), 1000)
    return f"{sign}{whole}" + (f".{frac:03d}".rstrip("0") if frac else "")


def credit_debit(amount: int) -> str:
    """C for what raises revenue, D for what lowers it (returns)."""
    return "D" if amount < 0 else "C"


_POSTAL = re.compile(r"^(?P<code>\d{4})\s+(?P<city>.+)$")
_STREET = re.compile(r"^(?P<street>.*\D)\s+(?P<number>\d+\s?[A-Za-z]?)$")


def address(lines: tuple[str, ...]) -> list[Node]:
    """kassa.toml's address lines as a streetAddress: 'Storgata 1', '0155 Oslo' → parts."""
    street: list[str] = []
    postal: tuple[str, str] | None = None
    for line in lines:
        found = _POSTAL.match(line)
        if found and postal is None:
            postal = (found["code"], found["city"])
        else:
            street.append(line)
    nodes: list[Node] = []
    if street:
        found = _STREET.match(street[0])
        if found:
            nodes += [("streetname", found["street"][:100]), ("number", found["number"][:20])]
        else:
            nodes.append(("streetname", street[0][:100]))
        if street[1:]:
            nodes.append(("additionalAddressDetails", ", ".join(street[1:])[:100]))
    if postal:
        nodes += [("city", postal[1][:50]), ("postalCode", postal[0])]
    return [*nodes, ("country", "NO")]


def split_name(name: str) -> tuple[str | None, str]:
    """'Kari Kasserer' → ('Kari', 'Kasserer'); a single name is the surname (required)."""
    parts = name.split()
    if len(parts) < 2:
        return None, (name.strip() or "?")[:100]
    return " ".join(parts[:-1])[:50], parts[-1][:100]


#: In kassa's headerComment: the signature a register's chain continues from, so a file that
#: starts mid-chain can be verified on its own (kassa_tui.saft.verify reads it back).
_CHAIN_NOTE = "The register {register} chain continues from signature {signature}."
_CHAIN = re.compile(r"register (\S.*?) chain continues from signature ([A-Za-z0-9+/]+={0,2})")


def chain_note(register: str, signature: str) -> str:
    """The header comment's sentence saying where a register's chain continues from."""
    return _CHAIN_NOTE.format(register=register, signature=signature)


def chains_in(comment: str) -> dict[str, str]:
    """registerID → the signature its chain continues from, as `chain_note` wrote them."""
    return dict(_CHAIN.findall(comment))


def leaves(names: str, *values: str | None) -> list[Node]:
    """('vatCode vatPerc', '3', '25.00') → [('vatCode', '3'), ('vatPerc', '25.00')]."""
    return list(zip(names.split(), values, strict=True))


def row(tag: str, names: str, *values: str | None) -> Node:
    """A branch of leaves, in the schema's order."""
    return (tag, leaves(names, *values))


def _count(number: int) -> str:
    # SAF-T counts are non-negative. kassa counts a refund as -1 payment (the amounts net the
    # same way), so a period with more refunds than payments reports 0 of a negative amount.
    return str(max(0, number))


def report_groups(report: Report) -> set[str]:
    """The article groups an eventReport names (they must be declared in `basics`)."""
    return {g.group for g in report.art_groups} | {g.group for g in report.price_inquiries}


def event_report(report: Report, seq: int, fallback_group: str) -> Node:
    """An X or Z report as SAF-T's `eventReport`, every mandatory element filled (0 / 0.00).

    A list the schema needs at least one row of, but the period has none of, gets one row of
    zeros: the `fallback_group` for article groups and price look-ups, "None" for types.
    """
    amt, none = saft_amount, fallback_group
    groups = "artGroupID artGroupNum artGroupAmnt"
    pays = "paymentType paymentNum paymentAmnt"
    lookups = "priceInquiryGroup priceInquiryNum priceInquiryAmnt"
    tallies: list[Node] = []
    for tally, tag in (
        (report.copies, "ReceiptCopy"),
        (report.provisional, "ReceiptProforma"),
        (report.returns, "Return"),
        (report.discounts, "Discount"),
        (report.voided, "VoidTrans"),
    ):
        tallies += leaves(f"report{tag}Num report{tag}Amnt", _count(tally.num), amt(tally.amount))
    return (
        "eventReport",
        [
            *leaves(
                "reportID reportType companyIdent companyName reportDate reportTime registerID",
                f"X-{seq}" if report.report_type == X_REPORT else str(report.z_nr),
                report.report_type,
                report.company_ident,
                report.company_name[:100],
                report.report_date,
                report.report_time,
                report.register_id,
            ),
            row("reportTotalCashSales", "totalCashSaleAmnt", amt(report.total_cash_sale)),
            (
                "reportArtGroups",
                [
                    row("reportArtGroup", groups, g.group or none, str(g.num), amt(g.amount))
                    for g in report.art_groups
                ]
                or [row("reportArtGroup", groups, none, "0", "0.00")],
            ),
            (
                "reportPayments",
                [
                    row("reportPayment", pays, _payment(p.method), _count(p.num), amt(p.amount))
                    for p in report.payments
                ]
                or [row("reportPayment", pays, PAYMENTS["cash"][0], "0", "0.00")],
            ),
            (
                "reportEmpPayments",
                [
                    row(
                        "reportEmpPayment",
                        f"empID {pays}",
                        str(p.emp),
                        _payment(p.method),
                        _count(p.num),
                        amt(p.amount),
                    )
                    for p in report.emp_payments
                ],
            ),
            (
                "reportCashSalesVat",
                [
                    row(
                        "reportCashSaleVat",
                        "vatCode vatPerc cashSaleAmnt vatAmnt vatAmntTp",
                        vat_code(v.rate_bp),
                        percent(v.rate_bp),
                        amt(v.basis),
                        amt(v.vat),
                        credit_debit(v.basis),
                    )
                    for v in report.vat
                ]
                or [
                    row("reportCashSaleVat", "vatPerc cashSaleAmnt vatAmnt", "0.00", "0.00", "0.00")
                ],
            ),
            *leaves(
                "reportOpeningChangeFloat reportReceiptNum reportOpenCashBoxNum",
                amt(report.opening_float),
                _count(report.receipts),
                _count(report.open_cash_box_num),
            ),
            *tallies,
            ("reportCorrLines", _typed(report.corr_lines, "corrLine", "reportCorrLine")),
            (
                "reportPriceInquiries",
                [
                    row(
                        "reportPriceInquiry", lookups, g.group or none, _count(g.num), amt(g.amount)
                    )
                    for g in report.price_inquiries
                ]
                or [row("reportPriceInquiry", lookups, none, "0", "0.00")],
            ),
            ("reportOtherCorrs", _typed(report.other_corrs, "otherCorr", "reportOtherCorr")),
            *leaves(
                "reportReceiptDeliveryNum reportReceiptDeliveryAmnt"
                " reportTrainingNum reportTrainingAmnt",
                _count(report.delivery.num),
                amt(report.delivery.amount),
                _count(report.training.num),
                amt(report.training.amount),
            ),
            ("reportPayIns", _typed(report.pay_ins, "payIn", "reportPayIn")),
            ("reportPayOuts", _typed(report.pay_outs, "payOut", "reportPayOut")),
            *leaves(
                "reportGrandTotalSales reportGrandTotalReturn reportGrandTotalSalesNet",
                amt(report.grand_total_sales),
                amt(report.grand_total_returns),
                amt(report.grand_total_net),
            ),
        ],
    )


def _payment(method: str) -> str:
    return payment_basic(method)[0]


def _typed(items: tuple[TypeLine, ...], prefix: str, tag: str) -> list[Node]:
    """Corrections, pay-ins, pay-outs: (type, num, amount) rows, or one 'None' row of zeros."""
    names = f"{prefix}Type {prefix}Num {prefix}Amnt"
    rows = [
        row(tag, names, (item.type or NONE)[:35], _count(item.num), saft_amount(item.amount))
        for item in items
    ]
    return rows or [row(tag, names, NONE, "0", "0.00")]
