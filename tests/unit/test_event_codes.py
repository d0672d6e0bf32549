"""Every journaled event carries the SAF-T event code (PredefinedBasicID-13) of what happened.

The intended meaning of each of kassa's event names is written here in the words of
Skatteetaten's code list; the code comes from the official CSV, never from kassa. So an event
given a wrong code (a return receipt's print as a sales receipt, a new user as a price change)
fails here, and so does a new event nobody mapped.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from kassa_tui.club.members import MEMBER_CONSENT, MEMBER_FORGET, MEMBER_JOIN
from kassa_tui.composition import Till
from kassa_tui.people.person import Person
from kassa_tui.people.users import PIN_DELAY
from kassa_tui.records.journal import Event
from kassa_tui.stock.importing.report import IMPORT
from kassa_tui.stock.opening import OPENING_STOCK
from kassa_tui.stock.transfers import TRANSFER_IN, TRANSFER_OUT
from kassa_tui.store.identity import SHOP_IDENTITY
from kassa_tui.store.restore import RESTORE_DESPITE_UNSENT, RESTORE_OTHER_SHOP
from kassa_tui.sync.retire import REGISTER_RETIRE

from .conftest import PILSNER, ROMME, SteeredTime, print_waiting

CODES = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "saft"
    / "Norwegian SAF-T Cash Register data - Code list - PredefinedBasicID-13.csv"
)

#: kassa's event names and what each records, as the official code list says it. "Other" is
#: 13999: what the list has no code for (line corrections, payments, stock, ...).
INTENDED = {
    "APPSTART": "POS application start",
    "APPSTOP": "POS application shut down",
    "READONLY": "Other",  # a read-only view of the database, not the till starting
    "LOGIN": "Employee log in",
    "LOGOUT": "Employee log out",
    "LOGINFAIL": "Other",
    "PINDELAY": "Other",
    "LOCK": "Other",
    "UNLOCK": "Other",
    "DRAWOPEN": "Open cash drawer",
    "DRAWCLOSE": "Close cash drawer",
    "NOSALE": "Open cash drawer",
    "DRAWOPENMAN": "Open cash drawer",
    "NOSALEREQ": "Other",  # the approval; the opening itself is NOSALE
    "PARK": "Suspend transaction",
    "RESUME": "Resume transaction",
    "RECEIPT": "Sales receipt printed",
    "RETURNPRINT": "Return receipt",
    "PRICELOOKUP": "Price look-up",
    "LINEADD": "Other",
    "LINEQTYUP": "Other",
    "LINEDELETE": "Other",
    "LINEREDUCE": "Other",
    "DISCOUNT": "Other",
    "PRICEOVERRIDE": "Other",
    "LINEREPRICE": "Other",  # an open basket's line takes a planned price (selling.repricing)
    "PAYMENT": "Other",
    "SALE": "Other",  # the sale itself; its receipt's print is RECEIPT
    "CLOCKBACK": "Other",
    "PRINTFAIL": "Other",
    "PRINTCHECK": "Other",
    "PRINTERSTATE": "Other",
    "DENIED": "Other",
    "PRICECHANGE": "Price change",
    "MASTERDATA": "Price change",  # other fixed data of the goods (§ 2-7 (3))
    "USERADD": "Other",
    "USERCHANGE": "Other",
    "IMPORT": "Other",
    "STOCKADJ": "Other",
    "DELIVERY": "Other",
    "STOCKTAKE": "Other",
    "XREPORT": "X report",
    "ZREPORT": "Z report",
    "FLOAT": "Other",
    "PAYIN": "Other",
    "PAYOUT": "Cash withdrawal",
    "CASHCOUNT": "Other",
    "RETURN": "Return receipt",
    "RETURNNORECEIPT": "Return receipt",
    "COPY": "Copy receipt",
    "PROVISIONAL": "Provisional receipt",
    "TRAINING": "Training receipt",
    "TRAININGON": "Training mode on",
    "TRAININGOFF": "Training mode off",
    "EXPORT": "Export of journal to external storage (cash register)",
    "KEYREG": "Other",  # a signing key version registered: the list has no code for it
    "VOID": "Void receipt",  # a whole sale voided before payment (annullering)
    "AGECHECK": "Other",  # the customer's age confirmed: the list has no code for it
    "AGEREFUSED": "Other",
    "EATIN": "Other",
    "PURCHASEORDER": "Other",  # a purchase order a shift lead confirmed (kassa_tui.ordering)
    "ORDERRECEIVE": "Other",  # goods in booked against a purchase order
    "ORDERCANCEL": "Other",
    "RESTOREOTHER": "Other",  # another shop's or register's backup restored on purpose
    "RESTOREUNSENT": "Other",  # a restore over rows HQ had not acknowledged (--despite-unsent)
    "SHOPIDENT": "Other",  # kassa init: whose database this is (org number, register)
    "REGISTERRETIRE": "Other",  # a register signed out for good (kassa register retire)
    "OPENINGSTOCK": "Other",  # the levels a till starts from, per product (demo, import stock)
    "TRANSFEROUT": "Other",  # goods sent to another shop (kassa stock transfer)
    "TRANSFERIN": "Other",  # goods from another shop booked in (kassa stock receive)
    "MEMBERJOIN": "Other",  # a customer club member joined (the number only, never the person)
    "MEMBERFORGET": "Other",  # a member forgotten (asked, or retention): the number only
    "MEMBERCONSENT": "Other",  # a member's consents given or withdrawn: the number only
}


@cache
def official() -> dict[str, str]:
    """The official list: English description → event code."""
    with CODES.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert len(rows) == 31
    return {row["CodeDescriptionENG"].strip(): row["PredefinedBasicID-13"] for row in rows}


def code_of(basic_id: str) -> str:
    return official()[INTENDED[basic_id]]


def defined() -> dict[str, tuple[str, str]]:
    """Every event kassa can journal: the Event table and the rooms' own ones."""
    events = {name: value for name, value in vars(Event).items() if name.isupper()}
    rooms = {
        "PIN_DELAY": PIN_DELAY,
        "IMPORT": IMPORT,
        "RESTORE_OTHER_SHOP": RESTORE_OTHER_SHOP,
        "RESTORE_DESPITE_UNSENT": RESTORE_DESPITE_UNSENT,
        "SHOP_IDENTITY": SHOP_IDENTITY,
        "TRANSFER_OUT": TRANSFER_OUT,
        "TRANSFER_IN": TRANSFER_IN,
        "MEMBER_JOIN": MEMBER_JOIN,
        "MEMBER_FORGET": MEMBER_FORGET,
        "MEMBER_CONSENT": MEMBER_CONSENT,
        "REGISTER_RETIRE": REGISTER_RETIRE,
        "OPENING_STOCK": OPENING_STOCK,
    }
    return {**events, **rooms}


def test_every_event_carries_the_code_of_what_it_records() -> None:
    events = defined()
    basics = [basic for _code, basic in events.values()]
    assert len(basics) == len(set(basics))  # one code per basic ID (SAF-T basics)
    assert sorted(basics) == sorted(INTENDED)  # a new event is mapped here first
    wrong = {
        name: (code, basic, code_of(basic))
        for name, (code, basic) in events.items()
        if code != code_of(basic)
    }
    assert wrong == {}


def test_a_day_at_the_till_journals_every_row_with_its_intended_code(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    """The services write the right event: each row's code is the one its name stands for."""
    till.record_identity()  # as kassa init does
    till.app_started()
    till.users.add(5, "Per", "cashier", "4321", by=till.users.verify("9", "9999", purpose="t"))
    till.baskets.add(cashier, ROMME)
    done = till.sales.pay_cash(cashier, "").completed
    assert done is not None
    print_waiting(till)
    time.advance(60)
    returned = till.returns.return_lines(
        cashier, done.receipt_nr, [(1, 1000)], "Knust", "2", "2222"
    )
    print_waiting(till)
    till.receipts.training_on(shift_lead)
    till.baskets.add(shift_lead, PILSNER)
    till.baskets.confirm_age(shift_lead, 18)  # the cashier's J: the beer is sold from 18
    till.sales.pay_cash(shift_lead, "")
    print_waiting(till)
    till.receipts.training_off(shift_lead)
    till.drawer.open_no_sale(cashier, "2", "2222")
    print_waiting(till)
    till.reports.x_report(cashier)
    till.reports.z_report(shift_lead, not_counted=True)
    rows = till.journal.rows()
    seen = {row.basic_id for row in rows}
    wanted = {
        "SHOPIDENT",
        "USERADD",
        "RECEIPT",
        "RETURN",
        "RETURNPRINT",
        "TRAINING",
        "NOSALE",
        "AGECHECK",
    }
    assert wanted <= seen
    wrong = [
        (row.seq, row.basic_id, row.event_code)
        for row in rows
        if row.event_code != code_of(row.basic_id)
    ]
    assert wrong == []
    # Each receipt's print as its kind: the sale's, then the return's (not a sales receipt).
    printed = [(r.basic_id, r.sale_id) for r in rows if r.basic_id in ("RECEIPT", "RETURNPRINT")]
    assert printed == [("RECEIPT", done.sale_id), ("RETURNPRINT", returned.sale_id)]


def test_a_no_sale_opening_names_the_employee_who_asked(
    till: Till, cashier: Person, time: SteeredTime
) -> None:
    job = till.drawer.open_no_sale(cashier, "2", "2222")  # the shift lead approves
    time.advance(5)
    print_waiting(till)
    opened = [row for row in till.journal.rows() if row.event_code == "13005"]
    assert [(row.basic_id, row.user_number) for row in opened] == [("NOSALE", cashier.number)]
    assert f'"job": {job}' in opened[0].text
