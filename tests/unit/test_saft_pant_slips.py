"""A bottle-return slip (pantelapp) in SAF-T: why it is a negative pant line and not a payment.

PredefinedBasicID-12 has 12008 "Bottle deposit / Pant" among the payment codes, but a slip
redeemed at the till gives back pant that was sold with VAT: its line carries the deposit
type's VAT (negative), which the Z and the voucher count. A SAF-T payment has no VAT, and a
transaction's amount is the sum of its lines (Skatteetaten's example file) and is what the
receipt's signature covers: written as a 12008 payment, the slip would take its VAT out of the
file (the file's VAT no longer the Z's) and change every such transaction's signed amount.
README («Pant») says the same. These tests read the file as an auditor would.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from lxml import etree

from kassa_tui.composition import Till
from kassa_tui.people.person import Person
from kassa_tui.saft.export import export_saft
from kassa_tui.saft.verify import verify_saft

from .conftest import START, SteeredTime, print_waiting

COLA_05 = "7089275980401"  # 26,90 + pant 2,00 at 15 %
COLA_15 = "7089275897952"  # 39,90 + pant 3,00 at 15 %
SLIP_12 = "9800004300127"  # serial 00043, 12 kr (deposit type R: 15 %)
SLIP_45 = "9800004200458"  # serial 00042, 45 kr
SAFT = Path(__file__).resolve().parents[1] / "data" / "saft"
NS = {"s": "urn:StandardAuditFile-Taxation-CashRegister:NO"}


def _amount(elem: etree._Element, path: str) -> Decimal:
    return sum((Decimal(t.text) for t in elem.iterfind(path, NS)), Decimal(0))


def _exported(till: Till, cashier: Person, shift_lead: Person, time: SteeredTime) -> Path:
    for code in (COLA_05, COLA_15, SLIP_12):  # 71,80 less the slip's 12,00: 59,80 → 60 cash
        till.baskets.add(cashier, code)
    till.sales.pay_cash(cashier, "")
    print_waiting(till)
    time.advance(60)
    till.baskets.add(cashier, SLIP_45)  # a slip alone: 45,00 paid out in cash
    till.sales.pay_cash(cashier, "")
    print_waiting(till)
    till.reports.z_report(shift_lead, not_counted=True)
    day = START.date()
    folder = till.config.database.parent / "saft"
    return export_saft(till.db, till.config, day, day, folder, clock=till.clock)


def test_a_slip_is_a_negative_pant_line_with_its_vat_and_no_12008_payment(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    path = _exported(till, cashier, shift_lead, time)
    doc = etree.parse(str(path))
    etree.XMLSchema(
        etree.parse(str(SAFT / "Norwegian_SAF-T_Cash_Register_Schema_v_1.00.xsd"))
    ).assertValid(doc)
    # The payment codes the file uses (basics of type 12): cash only, never 12008.
    codes = {
        b.findtext("s:basicID", None, NS): b.findtext("s:predefinedBasicID", None, NS)
        for b in doc.iterfind(".//s:basics/s:basic[s:basicType='12']", NS)
    }
    paid = {p.findtext("s:paymentType", None, NS) for p in doc.iterfind(".//s:payment", NS)}
    assert {codes[p] for p in paid} == {"12001"}
    assert "12008" not in codes.values()

    first, payout = doc.iterfind(".//s:cashtransaction", NS)
    slip = first.find("s:ctLine[s:cashTransLineDescr='Pantelapp 00043']", NS)
    assert slip is not None
    assert slip.findtext("s:lineAmntIn", None, NS) == "-12.00"
    assert slip.findtext("s:lineAmntInAccID", None, NS) == "3031"
    assert slip.findtext("s:vat/s:vatPerc", None, NS) == "15.00"
    assert slip.findtext("s:vat/s:vatAmnt", None, NS) == "-1.57"  # 12,00 × 15/115, taken off
    for trans, total in ((first, Decimal("59.80")), (payout, Decimal("-45.00"))):
        amount = Decimal(trans.findtext("s:transAmntIn", None, NS))
        assert amount == total == _amount(trans, "s:ctLine/s:lineAmntIn")
        rounding = _amount(trans, "s:rounding/s:roundingAmnt")
        assert _amount(trans, "s:payment/s:paidAmnt") == amount + rounding
    # The transactions' VAT is the Z's: the slip took its 1,57 off.
    z_vat = till.db.execute_sql("SELECT SUM(vat_ore) FROM sale").fetchone()[0]
    vat = _amount(doc.getroot(), ".//s:cashtransaction/s:vat/s:vatAmnt")
    assert vat * 100 == z_vat


def test_the_slips_transactions_keep_their_signatures(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    path = _exported(till, cashier, shift_lead, time)
    key = till.config.signing.public_key_file
    assert key is not None
    assert verify_saft(path, key.read_bytes()) == []
