"""The SAF-T Cash Register export and its signature check, on a real till.

A day with cash and card sales, a weighed item, a discount, a deleted line, a price look-up, a
no-sale opening, a return, a training sale and the Z is exported and checked against
Skatteetaten's schema, the code lists and the signature chain. Skatteetaten's own 2021 example
day, replayed through kassa (tests/unit/test_reports.py), exports the example's amounts. A
generated month shows that memory stays flat however long the period.
"""

from __future__ import annotations

import csv
import json
import os
import re
import tracemalloc
import uuid
from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import etree

from kassa_tui.cli import main
from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from kassa_tui.core.money import vat_of
from kassa_tui.dayclose.reports import Report
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event
from kassa_tui.records.signing import signing_string
from kassa_tui.saft.export import export_saft, head_path
from kassa_tui.saft.verify import last_signatures, verify_saft
from kassa_tui.stock.groups import ARTICLE_GROUPS
from kassa_tui.stock.importing import PRODUCT_COLUMNS, import_products, read_table

from .conftest import (
    LOOSE_APPLES_PLU,
    PILSNER,
    PILSNER_PRICE,
    ROMME,
    TOOTHPASTE,
    VG,
    SteeredTime,
    count,
    print_waiting,
)
from .test_reports import example_day  # noqa: F401  (Skatteetaten's 2021 day, replayed)

DATA = Path(__file__).resolve().parents[1] / "data" / "saft"
XSD = DATA / "Norwegian_SAF-T_Cash_Register_Schema_v_1.00.xsd"
EXAMPLE = DATA / "ExampleFile SAF-T Cash Register_999999999_20210330104000.xml"
NS = {"s": "urn:StandardAuditFile-Taxation-CashRegister:NO"}
DAY = date(2026, 11, 27)  # the conftest clock starts at 12:00 Oslo time that day
HOUR = 3600.0


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


@cache
def code_list(name: str) -> set[str]:
    """An official code list's codes (the CSVs are Latin-1 or UTF-8; the codes are ASCII)."""
    path = DATA / f"Norwegian SAF-T Cash Register data - Code list - {name}.csv"
    lines = path.read_bytes().decode("latin-1").splitlines()[1:]
    return {line.split(";")[0] for line in lines if line}


@cache
def standard_vat_codes() -> set[str]:
    with (DATA / "Standard_Tax_Codes.csv").open(encoding="utf-8") as handle:
        return {row["Code"] for row in csv.DictReader(handle, delimiter=";")}


def texts(doc: Any, path: str) -> list[str]:
    return [e.text for e in doc.iterfind(path, NS)]


def transaction(doc: Any, nr: int) -> Any:
    found = doc.find(f".//s:cashtransaction[s:nr='{nr}']", NS)
    assert found is not None, nr
    return found


# -- building a day ----------------------------------------------------------------------------


def record_sale(
    till: Till,
    person: Person,
    items: list[tuple[int, int]],
    method: str,
    *,
    kind: str = "sale",
    training: bool = False,
    original: int | None = None,
) -> int:
    """A signed transaction written as the services write one (inside the caller's
    transaction): for returns and training sales, and for generating a month quickly.
    `items` are (product id, quantity in thousandths; negative on a return)."""
    now = till.journal.write(Event.PAYMENT, user=person.number, method=method)
    series = "training" if training else "receipt"
    nr = till.db.execute_sql(
        "INSERT INTO counter (register_id, series, value) VALUES (?, ?, 1)"
        " ON CONFLICT (register_id, series) DO UPDATE SET value = value + 1 RETURNING value",
        (till.config.register_id, series),
    ).fetchone()[0] + (900_000_000 if training else 0)
    lines = []
    for product_id, qty in items:
        code, name, group, vat_bp, price = till.db.execute_sql(
            "SELECT COALESCE(p.plu, p.id), p.name, g.code, p.vat_bp, p.price_ore FROM product p"
            " JOIN product_group g ON g.id = p.group_id WHERE p.id = ?",
            (product_id,),
        ).fetchone()
        amount = price * qty // 1000
        lines.append(
            (product_id, code, name, group, qty, price, amount, vat_bp, vat_of(amount, vat_bp))
        )
    total, vat = sum(ln[6] for ln in lines), sum(ln[8] for ln in lines)
    prev = till.db.execute_sql(
        "SELECT signature FROM sale WHERE register_id = ? ORDER BY id DESC LIMIT 1",
        (till.config.register_id,),
    ).fetchone()
    signer = till.sales.signer
    assert signer is not None
    data = signing_string(
        prev[0] if prev else None, now.local_date, now.local_time, str(nr), total, total - vat
    )
    sale_id = till.db.execute_sql(
        "INSERT INTO sale (register_id, receipt_nr, uuid, basket_uuid, user_id, kind, total_ore,"
        " vat_ore, discount_ore, rounding_ore, change_ore, completed_utc, local_date, local_time,"
        " signature, key_version, training, original_sale_id, reason) VALUES (?, ?, ?, ?,"
        " (SELECT id FROM user WHERE number = ?), ?, ?, ?, 0, 0, 0, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            till.config.register_id,
            nr,
            str(uuid.uuid4()),
            str(uuid.uuid4()),
            person.number,
            kind,
            total,
            vat,
            now.utc_text,
            now.local_date,
            now.local_time,
            signer.sign(data),
            signer.key_version,
            int(training),
            original,
            "Defekt" if kind == "return" else "",
        ),
    ).lastrowid
    for line_nr, (product_id, code, name, group, qty, price, amount, rate, line_vat) in enumerate(
        lines, start=1
    ):
        till.db.execute_sql(
            "INSERT INTO sale_line (sale_id, line_nr, product_id, code, name, group_code,"
            " qty_milli, unit_price_ore, list_price_ore, discount_ore, amount_ore, vat_bp,"
            " vat_ore, price_overridden) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, 0)",
            (
                sale_id,
                line_nr,
                product_id,
                str(code),
                name,
                group,
                qty,
                price,
                price,
                amount,
                rate,
                line_vat,
            ),
        )
    till.db.execute_sql(
        "INSERT INTO payment (sale_id, method, amount_ore, tendered_ore) VALUES (?, ?, ?, ?)",
        (sale_id, method, total, total),
    )
    event = Event.SALE
    if training:
        event = ("13017", "TRAINING")
    elif kind == "return":
        event = ("13013", "RETURN")
    till.journal.write(event, user=person.number, sale_id=sale_id, nr=nr, total=total)
    return int(sale_id)


def product_id(till: Till, code: str) -> int:
    return till.baskets.find_product(till.baskets.classify(code)).id


def sell(till: Till, person: Person, *codes: str, card: bool = False) -> int:
    for code in codes:
        till.baskets.add(person, code)
    if age := till.baskets.age_to_confirm():  # the cashier's J: beer is sold from 18
        till.baskets.confirm_age(person, age)
    done = (till.sales.pay_card if card else till.sales.pay_cash)(person, "").completed
    assert done is not None
    print_waiting(till)
    return done.sale_id


@pytest.fixture
def day(till: Till, cashier: Person, shift_lead: Person, time: SteeredTime) -> Path:
    """A day at the till, closed with a Z and exported; returns the file."""
    till.app_started()
    with pytest.raises(Refused):
        till.users.sign_in("77", "1234")  # no user 77: journaled, but not an employee
    till.cash.opening_float(shift_lead, 100000)
    print_waiting(till)
    time.advance(60)
    # Cash: Rømme with 10 kr off, and a Pilsner (total 54,80, paid 55 kr: rounding +0,20).
    till.baskets.add(cashier, ROMME)
    till.baskets.add(cashier, PILSNER)
    till.baskets.confirm_age(cashier, 18)  # the cashier's J: the beer is sold from 18
    first = till.baskets.current().priced.lines[0].line.id
    till.baskets.discount_line(shift_lead, first, "10", "Kort dato")  # above 20 %: a lead
    till.sales.pay_cash(cashier, "")
    print_waiting(till)
    time.advance(60)
    # Card: 0,374 kg loose apples; a newspaper keyed and deleted before paying.
    till.baskets.add(cashier, LOOSE_APPLES_PLU, 374)
    till.baskets.add(cashier, VG)
    till.baskets.remove_line(cashier, till.baskets.current().priced.lines[1].line.id)
    till.sales.pay_card(cashier, "")
    print_waiting(till)
    time.advance(60)
    till.baskets.price_lookup(cashier, PILSNER)
    till.drawer.open_no_sale(cashier, "2", "2222")
    print_waiting(till)
    time.advance(60)
    pilsner_sale = sell(till, cashier, PILSNER, card=True)
    with till.db.atomic("IMMEDIATE"):
        pils = product_id(till, PILSNER)
        record_sale(till, shift_lead, [(pils, -1000)], "card", kind="return", original=pilsner_sale)
        record_sale(till, cashier, [(pils, 2000)], "cash", training=True)
    time.advance(60)
    till.reports.z_report(shift_lead, not_counted=True)
    till.app_stopped()
    time.advance(60)
    return export_saft(
        till.db, till.config, DAY, DAY, till.config.database.parent / "saft", clock=till.clock
    )


def public_key(till: Till) -> bytes:
    path = till.config.signing.public_key_file
    assert path is not None
    return path.read_bytes()


# -- the schema and the code lists -------------------------------------------------------------


def test_the_official_example_validates() -> None:
    """The validator itself: Skatteetaten's 2021 example passes, a broken copy does not."""
    schema().assertValid(etree.parse(str(EXAMPLE)))
    broken = EXAMPLE.read_text(encoding="utf-8").replace("<curCode>NOK</curCode>", "", 1)
    assert not schema().validate(etree.fromstring(broken.encode("utf-8")))


def test_kassas_article_group_codes_are_the_official_list() -> None:
    assert set(ARTICLE_GROUPS) == code_list("PredefinedBasicID-04")


def test_an_imported_groups_saft_code_is_in_the_export(
    till: Till, cashier: Person, shift_lead: Person, tmp_path: Path
) -> None:
    path = tmp_path / "products.csv"
    path.write_text(
        "plu;name;group;vat;price;group_saft\n70070;Grill kull 5 kg;Sesong;25;99,90;04014\n",
        encoding="utf-8",
    )
    table = read_table(path, PRODUCT_COLUMNS)
    report = import_products(till.db, till.journal, table, till.config, create_groups=True)
    assert (report.new, report.rejected) == (1, [])
    sell(till, cashier, "70070")
    till.reports.z_report(shift_lead, not_counted=True)
    out = till.config.database.parent / "saft"
    doc = etree.parse(str(export_saft(till.db, till.config, DAY, DAY, out, clock=till.clock)))
    schema().assertValid(doc)
    groups = {
        basic.findtext("s:basicID", None, NS): basic.findtext("s:predefinedBasicID", None, NS)
        for basic in doc.iterfind(".//s:basics/s:basic[s:basicType='04']", NS)
    }
    assert groups["Sesong"] == "04014"  # Other goods, not the 04999 a new group had
    assert texts(doc, ".//s:ctLine/s:artGroupID") == ["Sesong"]


def test_a_days_export_is_valid_saft(day: Path) -> None:
    assert re.fullmatch(r"SAF-T Cash Register_999999999_20261127\d{6}_1_1\.xml", day.name)
    doc = etree.parse(str(day))
    schema().assertValid(doc)
    assert not list(day.parent.glob(".*.part"))
    header = doc.find("s:header", NS)
    assert header is not None
    assert (header.findtext("s:startDate", None, NS), header.findtext("s:endDate", None, NS)) == (
        "2026-11-27",
        "2026-11-27",
    )
    assert header.findtext("s:softwareDesc", None, NS) == "kassa"
    assert "2026-11-27 to 2026-11-27" in (header.findtext("s:headerComment", None, NS) or "")
    company = doc.find("s:company", NS)
    assert company is not None
    assert company.findtext("s:taxRegIdent", None, NS) == "999999999MVA"
    assert texts(company, "s:streetAddress/*") == ["Storgata", "1", "Oslo", "0155", "NO"]
    # No empty elements anywhere: an optional element without data is left out.
    assert [e.tag for e in doc.iter() if not len(e) and not (e.text or "").strip()] == []


def test_every_code_used_is_declared_in_basics(day: Path) -> None:
    doc = etree.parse(str(day))
    declared: dict[str, dict[str, str | None]] = {}
    for basic in doc.iterfind(".//s:basics/s:basic", NS):
        kind, basic_id = (
            basic.findtext("s:basicType", None, NS),
            basic.findtext("s:basicID", None, NS),
        )
        assert kind and basic_id
        assert basic_id not in declared.get(kind, {}), basic_id
        declared.setdefault(kind, {})[basic_id] = basic.findtext("s:predefinedBasicID", None, NS)
    used = {
        "13": texts(doc, ".//s:event/s:eventType"),
        "11": texts(doc, ".//s:cashtransaction/s:transType"),
        "12": texts(doc, ".//s:cashtransaction/s:payment/s:paymentType")
        + texts(doc, ".//s:eventReport//s:paymentType"),
        "04": texts(doc, ".//s:ctLine/s:artGroupID")
        + texts(doc, ".//s:article/s:artGroupID")
        + texts(doc, ".//s:reportArtGroup/s:artGroupID")
        + texts(doc, ".//s:reportPriceInquiry/s:priceInquiryGroup"),
        "05": texts(doc, ".//s:ctLine/s:lineType"),
        "08": texts(doc, ".//s:discount/s:dscTp"),
    }
    for kind, codes in used.items():
        assert codes, kind
        assert set(codes) <= set(declared[kind]), kind
    assert set(declared) == set(used)  # nothing declared that is not used
    for kind, name in (("04", "04"), ("11", "11"), ("12", "12"), ("13", "13")):
        for basic_id, predefined in declared[kind].items():
            assert predefined in code_list(f"PredefinedBasicID-{name}"), (basic_id, predefined)
    assert {
        k: declared["13"][k] for k in ("LINEADD", "LINEDELETE", "PAYMENT", "SALE")
    } == dict.fromkeys(("LINEADD", "LINEDELETE", "PAYMENT", "SALE"), "13999")
    assert declared["13"]["NOSALE"] == "13005" and declared["13"]["PRICELOOKUP"] == "13022"
    assert declared["13"]["ZREPORT"] == "13009"
    assert (declared["11"], declared["12"]) == (
        {"CASHSAL": "11001", "RETURNSAL": "11006"},
        {"CASH": "12001", "CARD": "12002"},
    )
    vat_codes = {
        d.findtext("s:vatCode", None, NS): d.findtext("s:standardVatCode", None, NS)
        for d in doc.iterfind(".//s:vatCodeDetail", NS)
    }
    assert set(vat_codes.values()) <= standard_vat_codes()
    assert set(
        texts(doc, ".//s:vat/s:vatCode") + texts(doc, ".//s:reportCashSaleVat/s:vatCode")
    ) <= set(vat_codes)
    assert vat_codes["3"] == "3" and vat_codes["31"] == "31"


def test_only_the_employees_and_articles_used_are_listed(till: Till, day: Path) -> None:
    doc = etree.parse(str(day))
    employees = texts(doc, ".//s:employee/s:empID")
    assert employees == ["1", "2"]  # the technician (9) did nothing that day
    assert texts(doc, ".//s:employee/s:surName") == ["Kasserer", "Skiftleder"]
    referenced = texts(doc, ".//s:event/s:empID") + texts(doc, ".//s:cashtransaction/s:empID")
    referenced += texts(doc, ".//s:reportEmpPayment/s:empID")
    assert set(referenced) == set(employees)
    articles = texts(doc, ".//s:article/s:artID")
    assert sorted(articles) == sorted(set(texts(doc, ".//s:ctLine/s:artID")))
    assert len(articles) == 3 < count(till.db, "product")  # Rømme, Pilsner, apples; not VG
    assert "9001" not in articles  # the deleted newspaper was never sold
    failed = doc.find(".//s:event[s:eventType='LOGINFAIL']", NS)
    assert failed is not None and failed.find("s:empID", NS) is None
    assert json.loads(failed.findtext("s:eventText", "", NS)) == {"user": 77}


def test_transactions_and_events_carry_the_day(till: Till, day: Path) -> None:
    doc = etree.parse(str(day))
    rows = till.db.execute_sql("SELECT receipt_nr FROM sale ORDER BY id").fetchall()
    assert texts(doc, ".//s:cashtransaction/s:nr") == [str(r[0]) for r in rows]
    assert texts(doc, ".//s:cashtransaction/s:nr")[:4] == ["1", "2", "3", "4"]
    cash = transaction(doc, 1)
    assert (cash.findtext("s:transAmntIn", None, NS), cash.findtext("s:amntTp", None, NS)) == (
        "54.80",
        "C",
    )
    assert cash.findtext("s:rounding/s:roundingAmnt", None, NS) == "0.20"
    assert texts(cash, "s:payment/*") == ["CASH", "55.00", "1", "NOK"]
    assert texts(cash, "s:ctLine/s:discount/*") == ["DSC", "10.00"]
    assert texts(cash, "s:ctLine/s:ppu") == ["24.90", "39.90"]
    assert texts(cash, "s:vat/s:vatCode") == ["31", "3"]
    card = transaction(doc, 2)
    assert texts(card, "s:ctLine/s:qnt") == ["0.374"]
    assert card.findtext("s:payment/s:paymentType", None, NS) == "CARD"
    assert card.find("s:rounding", NS) is None and card.find(".//s:discount", NS) is None
    returned = transaction(doc, 4)
    assert texts(returned, "s:transType") + texts(returned, "s:amntTp") == ["RETURNSAL", "D"]
    assert (
        returned.findtext("s:transAmntIn", None, NS)
        == f"-{PILSNER_PRICE // 100}.{PILSNER_PRICE % 100}"
    )
    assert texts(returned, "s:ctLine/s:lineType") + texts(returned, "s:ctLine/s:qnt") == [
        "RET",
        "-1",
    ]
    assert texts(returned, "s:ctLine/s:vat/s:vatAmntTp") == ["D"]
    assert returned.findtext("s:refID", None, NS) == transaction(doc, 3).findtext(
        "s:transID", None, NS
    )
    assert returned.findtext("s:trainingID", None, NS) is None
    training = transaction(doc, 900_000_001)
    assert training.findtext("s:trainingID", None, NS) == "true"
    for ct in doc.iterfind(".//s:cashtransaction", NS):
        assert ct.findtext("s:keyVersion", None, NS) == "1"
        assert len(ct.findtext("s:signature", "", NS)) == 172
        assert set(texts(ct, "s:ctLine/s:nr")) == {ct.findtext("s:nr", None, NS)}
    assert texts(transaction(doc, 1), "s:receiptNum") == ["1"]  # printed once
    # Every journal row of the day is an event, in order, numbered by its journal sequence.
    journal = till.db.execute_sql(
        "SELECT seq, basic_id FROM journal WHERE basic_id != 'EXPORT' ORDER BY seq"
    )
    assert [
        (int(i), t)
        for i, t in zip(
            texts(doc, ".//s:event/s:eventID"), texts(doc, ".//s:event/s:eventType"), strict=True
        )
    ] == [(int(seq), basic) for seq, basic in journal]
    deleted = doc.find(".//s:event[s:eventType='LINEDELETE']", NS)
    assert deleted is not None and deleted.findtext("s:empID", None, NS) == "1"
    assert json.loads(deleted.findtext("s:eventText", "", NS))["amount"] == 4000
    lookup = doc.find(".//s:event[s:eventType='PRICELOOKUP']", NS)
    assert (
        lookup is not None and json.loads(lookup.findtext("s:eventText", "", NS))["group"] == "65"
    )
    assert len(doc.findall(".//s:event[s:eventType='NOSALE']", NS)) == 1
    sale_event = doc.find(".//s:event[s:eventType='SALE']", NS)
    assert sale_event is not None and sale_event.findtext("s:transID", None, NS) == "1"
    z = doc.find(".//s:event[s:eventType='ZREPORT']", NS)
    assert z is not None and z.findtext("s:eventText", None, NS) == "Z report 1"
    report = z.find("s:eventReport", NS)
    stored = till.reports.stored_z(1)
    assert texts(report, "s:reportID") + texts(report, "s:reportType") == ["1", "Z report"]
    assert report.findtext("s:reportTotalCashSales/s:totalCashSaleAmnt", None, NS) == (
        f"{stored.total_cash_sale // 100}.{stored.total_cash_sale % 100:02d}"
    )
    assert texts(report, "s:reportOpenCashBoxNum") == ["1"]
    assert texts(report, "s:reportCorrLines/s:reportCorrLine[s:corrLineType='Delete line']/*")[
        1:
    ] == ["1", "40.00"]
    assert texts(report, "s:reportPriceInquiries/s:reportPriceInquiry/*") == ["65", "1", "39.90"]
    assert texts(report, "s:reportTrainingNum") == ["1"]
    assert texts(report, "s:reportPayIns/s:reportPayIn/*") == ["None", "0", "0.00"]


def test_the_replayed_example_day_exports_skatteetatens_numbers(
    till: Till,
    example_day: Report,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Skatteetaten's 2021 example day, replayed through kassa: the same amounts come out."""
    ours = etree.parse(str(export_saft(till.db, till.config, DAY, DAY, tmp_path, clock=till.clock)))
    schema().assertValid(ours)
    theirs = etree.parse(str(EXAMPLE))

    def predefined(doc: Any, kind: str) -> dict[str, str]:
        return {
            b.findtext("s:basicID", "", NS): b.findtext("s:predefinedBasicID", "", NS)
            for b in doc.iterfind(f".//s:basic[s:basicType='{kind}']", NS)
        }

    def amounts(doc: Any) -> list[list[str]]:
        pays = predefined(doc, "12")
        return [
            texts(t, "s:transAmntIn")
            + texts(t, "s:transAmntEx")
            + texts(t, "s:amntTp")
            + [predefined(doc, "11")[t.findtext("s:transType", "", NS)]]
            + texts(t, "s:ctLine/s:qnt")
            + texts(t, "s:ctLine/s:lineAmntIn")
            + texts(t, "s:ctLine/s:lineAmntEx")
            + [  # the VAT codes are each system's own; the rest must agree
                v
                for leaf in ("vatPerc", "vatAmnt", "vatAmntTp", "vatBasAmnt")
                for v in texts(t, f"s:ctLine/s:vat/s:{leaf}") + texts(t, f"s:vat/s:{leaf}")
            ]
            + [r for r in texts(t, "s:rounding/s:roundingAmnt") if r != "0.00"]
            + [pays[p] for p in texts(t, "s:payment/s:paymentType")]
            + texts(t, "s:payment/s:paidAmnt")
            for t in doc.iterfind(".//s:cashtransaction", NS)
        ]

    assert amounts(ours) == amounts(theirs)
    report_leaves = (
        "s:reportTotalCashSales/s:totalCashSaleAmnt",
        "s:reportReceiptNum",
        "s:reportOpenCashBoxNum",
        "s:reportReceiptCopyNum",
        "s:reportReturnNum",
        "s:reportReturnAmnt",
        "s:reportCorrLines/s:reportCorrLine[s:corrLineNum!='0']/*",
        "s:reportPriceInquiries/s:reportPriceInquiry/*",
        "s:reportCashSalesVat/s:reportCashSaleVat[s:cashSaleAmnt!='0.00']/s:cashSaleAmnt",
        "s:reportCashSalesVat/s:reportCashSaleVat[s:cashSaleAmnt!='0.00']/s:vatAmnt",
        "s:reportGrandTotalSales",
        "s:reportGrandTotalReturn",
        "s:reportGrandTotalSalesNet",
    )
    z_ours, z_theirs = (d.find(".//s:eventReport", NS) for d in (ours, theirs))
    for path in report_leaves:
        assert sorted(texts(z_ours, path)) == sorted(texts(z_theirs, path)), path
    # Every kind of event the example logs that happened in the replay is logged by kassa.
    not_replayed = {"13001", "13002", "13004"}  # start, stop and log-out are not replayed
    assert set(predefined(theirs, "13").values()) - not_replayed <= set(
        predefined(ours, "13").values()
    )


# -- signatures --------------------------------------------------------------------------------


def test_the_exported_chain_verifies(till: Till, day: Path) -> None:
    assert verify_saft(day, public_key(till)) == []


def test_a_tampered_amount_in_the_file_names_its_transaction(
    till: Till, day: Path, tmp_path: Path
) -> None:
    doc = etree.parse(str(day))
    amount = transaction(doc, 2).find("s:transAmntIn", NS)
    amount.text = "1.05"
    tampered = tmp_path / "tampered.xml"
    doc.write(str(tampered), xml_declaration=True, encoding="utf-8")
    problems = verify_saft(tampered, public_key(till))
    assert len(problems) == 1
    assert problems[0].startswith("register KASSE-1: transaction nr 2 does not verify")


def test_a_sale_altered_in_the_database_fails_in_the_export(
    till: Till, cashier: Person, shift_lead: Person, tmp_path: Path
) -> None:
    sell(till, cashier, ROMME)
    sell(till, cashier, PILSNER, card=True)
    sell(till, cashier, VG)
    till.db.execute_sql("DROP TRIGGER sale_no_update")
    till.db.execute_sql("UPDATE sale SET total_ore = total_ore - 1000 WHERE receipt_nr = 2")
    path = export_saft(till.db, till.config, DAY, DAY, tmp_path, clock=till.clock)
    schema().assertValid(etree.parse(str(path)))
    problems = verify_saft(path, public_key(till))
    assert [p.split(" does not")[0] for p in problems] == ["register KASSE-1: transaction nr 2"]


def test_a_period_that_starts_mid_chain_verifies_from_the_header(
    till: Till, cashier: Person, time: SteeredTime, tmp_path: Path
) -> None:
    sell(till, cashier, ROMME)
    time.advance(24 * HOUR)
    sell(till, cashier, PILSNER)
    sell(till, cashier, ROMME, card=True)
    first_sig = till.db.execute_sql("SELECT signature FROM sale WHERE receipt_nr = 1").fetchone()[0]
    path = export_saft(
        till.db, till.config, date(2026, 11, 28), date(2026, 11, 28), tmp_path, clock=till.clock
    )
    doc = etree.parse(str(path))
    assert texts(doc, ".//s:cashtransaction/s:nr") == ["2", "3"]
    comment = doc.findtext(".//s:headerComment", None, NS)
    assert f"register KASSE-1 chain continues from signature {first_sig}" in comment
    assert verify_saft(path, public_key(till)) == []
    # Without the signature before it, the first transaction cannot be checked: it is named.
    doc.find(".//s:headerComment", NS).text = "Selection: one day"
    cut = tmp_path / "cut.xml"
    doc.write(str(cut), xml_declaration=True, encoding="utf-8")
    assert [p.split(" does not")[0] for p in verify_saft(cut, public_key(till))] == [
        "register KASSE-1: transaction nr 2"
    ]
    assert verify_saft(cut, public_key(till), previous={"KASSE-1": first_sig}) == []


def test_verify_reads_other_systems_files_and_refuses_what_is_not_saft(
    till: Till, tmp_path: Path
) -> None:
    # Skatteetaten's example has dummy signatures: every one is named, register by register.
    problems = verify_saft(EXAMPLE, public_key(till))
    assert [p.split(" does not")[0] for p in problems] == [
        f"register 11.222-33.44.567: transaction nr {nr}" for nr in (1000, 1001, 1002, 1003)
    ]
    other = tmp_path / "other.xml"
    other.write_text("<html/>", encoding="utf-8")
    assert verify_saft(other, public_key(till)) == [
        "other.xml is not a SAF-T Cash Register file (html)"
    ]
    other.write_text("<auditfile", encoding="utf-8")
    assert "is not well-formed XML" in verify_saft(other, public_key(till))[0]


# -- the export as an event --------------------------------------------------------------------


def test_the_export_is_journaled(till: Till, cashier: Person, tmp_path: Path) -> None:
    sell(till, cashier, ROMME)
    seq, digest = till.journal.head()
    path = export_saft(till.db, till.config, DAY, DAY, tmp_path, clock=till.clock)
    rows = till.db.execute_sql(
        "SELECT event_code, basic_id, text FROM journal WHERE event_code = '13020'"
    ).fetchall()
    assert [(r[0], r[1]) for r in rows] == [("13020", "EXPORT")]
    details = json.loads(rows[0][2])
    assert details == {
        "file": path.name,
        "from_date": "2026-11-27",
        "to_date": "2026-11-27",
        "transactions": 1,
        "events": count(till.db, "journal") - 1,
        "head_file": path.name + ".head",  # the journal head, beside the file
        "journal_heads": {till.config.register_id: f"{seq}:{digest}"},
        "last_transactions": {  # where the file's chain ends (kassa saft verify)
            till.config.register_id: {"nr": 1, "signature": last_signature(till)}
        },
    }
    assert till.journal.verify() is None
    # The next export of the day lists the first one as an event (13020, declared).
    second = etree.parse(
        str(export_saft(till.db, till.config, DAY, DAY, tmp_path / "2", clock=till.clock))
    )
    assert "EXPORT" in texts(second, ".//s:event/s:eventType")
    assert (
        second.findtext(".//s:basic[s:basicID='EXPORT']/s:predefinedBasicID", None, NS) == "13020"
    )


def test_two_exports_in_one_second_are_both_kept_and_private(
    till: Till, cashier: Person, tmp_path: Path
) -> None:
    sell(till, cashier, ROMME)
    out = tmp_path / "out"
    old = os.umask(0)
    try:  # the till's clock stands still: both files are made in the same second
        first = export_saft(till.db, till.config, DAY, DAY, out, clock=till.clock)
        second = export_saft(till.db, till.config, DAY, DAY, out, clock=till.clock)
    finally:
        os.umask(old)
    assert first.name.endswith("_1_1.xml") and second.name == first.name[:-4] + "-2.xml"
    heads = [head_path(first), head_path(second)]
    assert sorted(out.iterdir()) == sorted([first, second, *heads])  # no partial file left
    assert {p.stat().st_mode & 0o777 for p in (first, second, *heads)} == {0o600}
    assert b"EXPORT" not in first.read_bytes() and b"EXPORT" in second.read_bytes()
    files = till.db.execute_sql("SELECT text FROM journal WHERE event_code = '13020'").fetchall()
    assert [json.loads(row[0])["file"] for row in files] == [first.name, second.name]


def test_an_empty_period_is_a_valid_file(till: Till, tmp_path: Path) -> None:
    path = export_saft(
        till.db, till.config, date(2020, 1, 1), date(2020, 1, 31), tmp_path, clock=till.clock
    )
    doc = etree.parse(str(path))
    schema().assertValid(doc)
    assert doc.find(".//s:articles", NS) is None and doc.find(".//s:employees", NS) is None
    assert texts(doc, ".//s:cashregister/s:registerID") == ["KASSE-1"]
    assert verify_saft(path, public_key(till)) == []


def test_a_period_is_of_business_days_that_run_past_midnight(
    till: Till, cashier: Person, time: SteeredTime, tmp_path: Path
) -> None:
    """[day] cutoff_hour = 4: sales at 23:30 and 01:30 are the first business day's, as on
    its Z, and not the next day's; the next day starts at 04:00."""
    assert till.config.day_cutoff_hour == 4
    time.advance(11.5 * HOUR)  # 23:30 on the 27th
    late = sell(till, cashier, ROMME)
    time.advance(2 * HOUR)  # 01:30 on the 28th: still the 27th's business day
    after_midnight = sell(till, cashier, TOOTHPASTE, card=True)  # no beer at 01:30
    time.advance(3 * HOUR)  # 04:30 on the 28th: its own business day
    next_morning = sell(till, cashier, ROMME, card=True)
    next_day = date(2026, 11, 28)

    def export(first: date, last: date, cutoff_hour: int = 4) -> Any:
        config = replace(till.config, day_cutoff_hour=cutoff_hour)
        out = tmp_path / f"{first}-{last}-{cutoff_hour}"
        path = export_saft(till.db, config, first, last, out, clock=till.clock)
        doc = etree.parse(str(path))
        schema().assertValid(doc)
        assert verify_saft(path, public_key(till)) == []
        return doc

    def moments(doc: Any) -> list[tuple[str, str]]:
        return [
            (e.findtext("s:eventDate", "", NS), e.findtext("s:eventTime", "", NS))
            for e in doc.iterfind(".//s:event", NS)
        ]

    first = export(DAY, DAY)
    assert texts(first, ".//s:cashtransaction/s:transID") == [str(late), str(after_midnight)]
    assert ("2026-11-28", "01:30:00") in moments(first)
    assert min(moments(first)) >= ("2026-11-27", "04:00:00")
    assert max(moments(first)) < ("2026-11-28", "04:00:00")
    assert "business days 2026-11-27 to 2026-11-27, each from 04:00" in first.findtext(
        ".//s:headerComment", "", NS
    )
    second = export(next_day, next_day)
    assert texts(second, ".//s:cashtransaction/s:transID") == [str(next_morning)]
    assert min(moments(second)) >= ("2026-11-28", "04:00:00")
    # Both days in one file: every sale once; the cut-off hour is the shop's, from kassa.toml.
    both = export(DAY, next_day)
    assert len(texts(both, ".//s:cashtransaction/s:transID")) == 3
    early = export(DAY, DAY, cutoff_hour=1)
    assert texts(early, ".//s:cashtransaction/s:transID") == [str(late)]


def test_a_printed_return_receipt_is_counted_in_its_transaction(
    till: Till, cashier: Person, tmp_path: Path
) -> None:
    """A return's print is journaled as a return receipt (13013), and still counted."""
    sell(till, cashier, ROMME)
    done = till.returns.return_lines(cashier, 1, [(1, 1000)], "Knust", "2", "2222")
    print_waiting(till)
    doc = etree.parse(str(export_saft(till.db, till.config, DAY, DAY, tmp_path, clock=till.clock)))
    schema().assertValid(doc)
    returned = transaction(doc, done.receipt_nr)
    assert returned.findtext("s:receiptNum", None, NS) == "1"
    assert returned.findtext("s:receiptCopyNum", None, NS) == "0"
    assert texts(doc, ".//s:event[s:eventType='RETURNPRINT']/s:transID") == [str(done.sale_id)]


def test_names_with_markup_characters_and_control_bytes_are_written_safely(
    till: Till, cashier: Person, tmp_path: Path
) -> None:
    name = 'Fish & Chips <stor> "XL" \x01\x1bx'
    till.db.execute_sql("UPDATE product SET name = ? WHERE id = ?", (name, product_id(till, ROMME)))
    sell(till, cashier, ROMME)
    path = export_saft(till.db, till.config, DAY, DAY, tmp_path, clock=till.clock)
    assert "Fish &amp; Chips &lt;stor&gt;" in path.read_text(encoding="utf-8")
    doc = etree.parse(str(path))
    schema().assertValid(doc)
    assert texts(doc, ".//s:ctLine/s:cashTransLineDescr") == ['Fish & Chips <stor> "XL" x']
    assert verify_saft(path, public_key(till)) == []


def test_a_period_ending_before_it_starts_is_refused(till: Till, tmp_path: Path) -> None:
    from kassa_tui.core.errors import Stopped

    with pytest.raises(Stopped, match="starts"):
        export_saft(till.db, till.config, date(2026, 11, 28), DAY, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert count(till.db, "journal", "event_code = '13020'") == 0


# -- a month -----------------------------------------------------------------------------------


def generate_month(till: Till, person: Person, time: SteeredTime, sales: int) -> None:
    """`sales` signed sales of 1–4 lines over 30 days, written in one transaction."""
    products = [
        row[0] for row in till.db.execute_sql("SELECT id FROM product WHERE unit = 'stk' LIMIT 40")
    ]
    with till.db.atomic("IMMEDIATE"):
        for n in range(sales):
            time.advance(30 * 24 * HOUR / sales)
            items = [
                (products[(n * 7 + i) % len(products)], 1000 * (1 + i % 3))
                for i in range(1 + n % 4)
            ]
            record_sale(till, person, items, "cash" if n % 3 else "card")


def test_a_months_export_keeps_memory_flat(
    till: Till, cashier: Person, time: SteeredTime, tmp_path: Path
) -> None:
    generate_month(till, cashier, time, 3000)
    tracemalloc.start()
    try:
        path = export_saft(
            till.db, till.config, DAY, date(2026, 12, 31), tmp_path, clock=till.clock
        )
        export_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        problems = verify_saft(path, public_key(till))
        verify_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    size = path.stat().st_size
    assert problems == []
    assert len(etree.parse(str(path)).findall(".//s:cashtransaction", NS)) == 3000
    assert size > 8_000_000
    # The whole file never sits in memory: a few hundred kB at most, whatever the period.
    assert export_peak < size / 20, (export_peak, size)
    assert verify_peak < size / 20, (verify_peak, size)


# -- against the previous export ---------------------------------------------------------------


def verify_after(previous: Path, path: Path, pem: bytes, tmp_path: Path) -> tuple[int, str]:
    return saft_verify(path, pem, tmp_path, "--previous", str(previous))


def saft_verify(
    path: Path, pem: bytes, tmp_path: Path, *args: str, config: Path | None = None
) -> tuple[int, str]:
    """`kassa saft verify` as an auditor runs it, away from the till (no kassa.toml), or with
    `config` on the till that exported the file."""
    key = tmp_path / "supplier.pub.pem"
    key.write_bytes(pem)
    if config is None:
        config = tmp_path / "away" / "kassa.toml"  # none there: no till, English
    result = CliRunner().invoke(
        main,
        ["--config", str(config), "saft", "verify", str(path), "--public-key", str(key), *args],
    )
    return result.exit_code, result.output


def last_signature(till: Till) -> str:
    return str(
        till.db.execute_sql("SELECT signature FROM sale ORDER BY id DESC LIMIT 1").fetchone()[0]
    )


@pytest.mark.parametrize("cut", ["none", "end of the previous file", "start of this file"])
def test_a_chain_that_starts_or_ends_where_it_should_not_is_named_against_the_previous_export(
    till: Till, cashier: Person, time: SteeredTime, tmp_path: Path, cut: str
) -> None:
    sell(till, cashier, ROMME)
    sell(till, cashier, PILSNER)
    time.advance(24 * HOUR)
    sell(till, cashier, ROMME, card=True)
    sell(till, cashier, PILSNER)
    first = export_saft(till.db, till.config, DAY, DAY, tmp_path / "1", clock=till.clock)
    second = export_saft(
        till.db,
        till.config,
        date(2026, 11, 28),
        date(2026, 11, 28),
        tmp_path / "2",
        clock=till.clock,
    )
    assert last_signatures(first) == {
        "KASSE-1": till.db.execute_sql(
            "SELECT signature FROM sale WHERE receipt_nr = 2"
        ).fetchone()[0]
    }
    victim = first if cut == "end of the previous file" else second
    if cut != "none":
        doc = etree.parse(str(victim))
        nr = "2" if victim == first else "3"
        doomed = transaction(doc, int(nr))
        doomed.getparent().remove(doomed)
        comment = doc.find(".//s:headerComment", NS)
        if victim == second:  # and the header made to continue from the removed one
            signature = doomed.findtext("s:signature", None, NS)
            comment.text = re.sub(r"signature \S+", f"signature {signature}", comment.text)
        doc.write(str(victim), xml_declaration=True, encoding="utf-8")
    code, out = verify_after(first, second, public_key(till), tmp_path)
    if cut == "none":
        assert code == 0, out
        assert "every signature chain verifies" in out
    else:
        # Alone, each file still verifies; only against the previous export does the cut show.
        assert verify_saft(victim, public_key(till)) == []
        assert code == 1
        wanted = "transaction nr 3" if cut == "end of the previous file" else "transaction nr 4"
        assert f"register KASSE-1: {wanted} does not verify" in out


# -- nothing the file says about itself is trusted ---------------------------------------------


def two_days(till: Till, cashier: Person, time: SteeredTime, tmp_path: Path) -> tuple[Path, Path]:
    """Receipts 1-2 on the first day, 3-4 on the second: one export of each day."""
    sell(till, cashier, ROMME)
    sell(till, cashier, PILSNER)
    time.advance(24 * HOUR)
    sell(till, cashier, ROMME, card=True)
    sell(till, cashier, PILSNER)
    first = export_saft(till.db, till.config, DAY, DAY, tmp_path / "1", clock=till.clock)
    time.advance(60)  # two exports in one second into two folders would share a name
    next_day = date(2026, 11, 28)
    second = export_saft(till.db, till.config, next_day, next_day, tmp_path / "2", clock=till.clock)
    return first, second


def test_a_file_from_the_registers_first_transaction_to_its_recorded_end_is_proven(
    till: Till, cashier: Person, time: SteeredTime, tmp_path: Path
) -> None:
    first, _second = two_days(till, cashier, time, tmp_path)
    code, out = saft_verify(first, public_key(till), tmp_path)
    assert (code, out) == (0, f"{first.name}: every signature chain verifies\n")


def test_without_the_previous_export_the_start_is_said_to_be_unproven(
    till: Till, cashier: Person, time: SteeredTime, tmp_path: Path
) -> None:
    _first, second = two_days(till, cashier, time, tmp_path)
    code, out = saft_verify(second, public_key(till), tmp_path)
    assert code == 0, out
    assert (
        "Not proven: where register KASSE-1's chain starts: its first transaction,"
        " nr 3, goes on from a signature only the file's own header names, so a transaction cut"
        " from the start would not show; give --previous with the export of the period just"
        " before"
    ) in out
    assert "every signature chain verifies" not in out
    assert out.endswith(
        f"{second.name}: the signature chains verify inside the file; the rest is not proven\n"
    )


def cut_the_end(path: Path) -> str:
    """Remove the file's last transaction (nr 4); returns the signature of nr 3."""
    doc = etree.parse(str(path))
    doomed = transaction(doc, 4)
    doomed.getparent().remove(doomed)
    doc.write(str(path), xml_declaration=True, encoding="utf-8")
    return str(transaction(doc, 3).findtext("s:signature", None, NS))


def test_a_file_cut_at_its_end_is_named_against_its_head_file(
    till: Till, cashier: Person, time: SteeredTime, tmp_path: Path
) -> None:
    first, second = two_days(till, cashier, time, tmp_path)
    cut_the_end(second)
    assert verify_saft(second, public_key(till)) == []  # every signature left still holds
    code, out = saft_verify(second, public_key(till), tmp_path, "--previous", str(first))
    assert code == 1, out
    assert (
        f"kassa: register KASSE-1: the file ends at transaction nr 3, {head_path(second).name}"
        " records nr 4 as the last exported: the file was cut or added to at its end"
    ) in out


def test_a_head_file_edited_to_match_the_cut_is_named_on_the_till_by_the_export_row(
    till: Till, cashier: Person, time: SteeredTime, tmp_path: Path
) -> None:
    first, second = two_days(till, cashier, time, tmp_path)
    third = cut_the_end(second)
    sidecar = head_path(second)
    lines = sidecar.read_text().splitlines()
    sidecar.write_text(
        "".join(
            (f"KASSE-1 last 3 {third}" if line.startswith("KASSE-1 last ") else line) + "\n"
            for line in lines
        )
    )
    # Away from the till the edited .head is all there is: the cut does not show.
    code, out = saft_verify(second, public_key(till), tmp_path, "--previous", str(first))
    assert code == 0, out
    # On the till, the export's own journal row still says where the file ended.
    code, out = saft_verify(
        second, public_key(till), tmp_path, "--previous", str(first), config=till.config.source
    )
    assert code == 1, out
    assert (
        "kassa: register KASSE-1: the file ends at transaction nr 3, the export's journal row"
        " (13020) records nr 4 as the last exported"
    ) in out


def test_without_its_head_file_the_end_is_said_to_be_unproven(
    till: Till, cashier: Person, time: SteeredTime, tmp_path: Path
) -> None:
    first, second = two_days(till, cashier, time, tmp_path)
    cut_the_end(second)
    head_path(second).unlink()
    code, out = saft_verify(second, public_key(till), tmp_path, "--previous", str(first))
    assert code == 0, out
    assert (
        f"Not proven: where the chains end: no {head_path(second).name} beside it"
        " records each register's last transaction, so a transaction cut from the end would"
        " not show."
    ) in out
    assert "every signature chain verifies" not in out


def test_on_the_till_an_export_whose_journal_row_was_removed_is_named(
    till: Till, cashier: Person, time: SteeredTime, tmp_path: Path
) -> None:
    first, second = two_days(till, cashier, time, tmp_path)
    for verb in ("update", "delete"):
        till.db.execute_sql(f"DROP TRIGGER journal_no_{verb}")
    # Only the second export's row, the journal's last: the rows before it keep their hashes.
    till.db.execute_sql("DELETE FROM journal WHERE seq = (SELECT MAX(seq) FROM journal)")
    assert till.journal.verify() is None
    code, out = saft_verify(second, public_key(till), tmp_path, "--previous", str(first))
    assert code == 0, out  # away from the till the .head alone proves the end
    code, out = saft_verify(
        second, public_key(till), tmp_path, "--previous", str(first), config=till.config.source
    )
    assert code == 1, out
    assert (
        f"kassa: no journal row records the export {second.name} (13020): it was removed, or"
        " the file was renamed"
    ) in out


def test_a_previous_export_without_the_registers_transactions_does_not_prove_the_start(
    till: Till, cashier: Person, time: SteeredTime, tmp_path: Path
) -> None:
    sell(till, cashier, ROMME)
    time.advance(24 * HOUR)  # a day without sales, exported on its own
    empty = export_saft(
        till.db, till.config, date(2026, 11, 28), date(2026, 11, 28), tmp_path / "1",
        clock=till.clock,
    )  # fmt: skip
    time.advance(24 * HOUR)
    sell(till, cashier, TOOTHPASTE)  # a Sunday: no beer
    day = date(2026, 11, 29)
    path = export_saft(till.db, till.config, day, day, tmp_path / "2", clock=till.clock)
    code, out = saft_verify(path, public_key(till), tmp_path, "--previous", str(empty))
    assert code == 0, out
    assert (
        f"its first transaction, nr 2, goes on from a signature only the file's own header"
        f" names, so a transaction cut from the start would not show; {empty.name} holds no"
        " transaction of it: give the last export that has one as --previous"
    ) in out


def test_a_head_file_that_cannot_be_read_is_named(
    till: Till, cashier: Person, time: SteeredTime, tmp_path: Path
) -> None:
    first, _second = two_days(till, cashier, time, tmp_path)
    head_path(first).write_text("KASSE-1 last four signature\n")
    code, out = saft_verify(first, public_key(till), tmp_path)
    assert code == 1, out
    assert f"kassa: {head_path(first)} records no journal head: it was changed" in out


def test_a_till_database_that_cannot_be_read_is_left_out_not_a_traceback(
    till: Till, cashier: Person, time: SteeredTime, tmp_path: Path
) -> None:
    first, _second = two_days(till, cashier, time, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config = elsewhere / "kassa.toml"
    text = till.config.source.read_text(encoding="utf-8")
    config.write_text(text.replace(str(till.config.database), str(elsewhere / "kassa.db")))
    (elsewhere / "kassa.db").write_bytes(b"not a database at all" * 100)
    code, out = saft_verify(first, public_key(till), tmp_path, config=config)
    assert (code, out) == (0, f"{first.name}: every signature chain verifies\n")
