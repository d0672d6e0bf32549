"""X and Z reports (§ 2-8-2, § 2-8-3) and the cash in the drawer, on a real till.

The centre piece replays Skatteetaten's 2021 SAF-T example day through kassa's services and
checks the Z against the example's own `eventReport`, read from the file.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from peewee import IntegrityError

from kassa_tui.composition import Till
from kassa_tui.core.clock import Instant, business_date
from kassa_tui.core.errors import Refused
from kassa_tui.dayclose.reports import Report, report_doc
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event
from kassa_tui.selling.cash import NOTES_AND_COINS

from .conftest import (
    PILSNER,
    PILSNER_PRICE,
    ROMME,
    ROMME_PRICE,
    TOOTHPASTE,
    TOOTHPASTE_PRICE,
    SteeredTime,
    count,
    print_waiting,
)

EXAMPLE = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "saft"
    / "ExampleFile SAF-T Cash Register_999999999_20210330104000.xml"
)
NS = {"s": "urn:StandardAuditFile-Taxation-CashRegister:NO"}
HOUR = 3600.0


# -- the 2021 example, as data -----------------------------------------------------------------


@cache
def example() -> ET.Element:
    return ET.parse(EXAMPLE).getroot()


def ore(text: str | None) -> int:
    return int(Decimal(text or "0") * 100)


def find(element: ET.Element, path: str) -> ET.Element:
    found = element.find(path, NS)
    assert found is not None, path
    return found


def text(element: ET.Element, path: str) -> str:
    return find(element, path).text or ""


def each(element: ET.Element, path: str) -> list[ET.Element]:
    return element.findall(path, NS)


def predefined(basic_type: str) -> dict[str, str]:
    """The example's own codes → SAF-T predefined codes, e.g. DEBCARD → 12002."""
    return {
        text(b, "s:basicID"): text(b, "s:predefinedBasicID")
        for b in each(example(), ".//s:basics/s:basic")
        if text(b, "s:basicType") == basic_type and b.find("s:predefinedBasicID", NS) is not None
    }


def fields(text_value: str) -> dict[str, str]:
    """'artID 1001; qnt 1; lineAmntIn 16.40' → {'artID': '1001', ...}."""
    pairs = (part.strip().split(" ", 1) for part in text_value.split(";"))
    return {key: value for key, value in pairs}


def z_element() -> ET.Element:
    return find(example(), ".//s:event/s:eventReport")


# -- kassa's side ------------------------------------------------------------------------------


def plu(art_id: str) -> str:
    return "9" + art_id  # the demo catalog already uses PLUs 1001…


def stock_the_example_articles(till: Till, lead: Person) -> None:
    """The example's articles, with the price and VAT rate its sales lines show."""
    groups = predefined("04")
    descs = {
        text(b, "s:basicID"): text(b, "s:basicDesc")
        for b in each(example(), ".//s:basics/s:basic")
        if text(b, "s:basicType") == "04"
    }
    for code, saft in groups.items():
        till.db.execute_sql(
            "INSERT OR IGNORE INTO product_group (code, name, saft_group) VALUES (?, ?, ?)",
            (code, descs[code], saft),
        )
    names = {text(a, "s:artID"): text(a, "s:artDesc") for a in each(example(), ".//s:article")}
    seen: set[str] = set()
    for line in each(example(), ".//s:cashtransaction/s:ctLine"):
        art = text(line, "s:artID")
        if art in seen:
            continue
        seen.add(art)
        qty = abs(Decimal(text(line, "s:qnt")))
        till.products.add_product(
            lead,
            name=names[art],
            group_code=text(line, "s:artGroupID"),
            vat_bp=ore(text(line, "s:vat/s:vatPerc")),
            price_ore=int(abs(Decimal(text(line, "s:lineAmntIn"))) * 100 / qty),
            barcodes=[],
            plu=plu(art),
        )


def insert_sale(
    till: Till,
    person: Person,
    lines: list[tuple[str, int, int, int]],
    method: str,
    *,
    kind: str = "sale",
    training: bool = False,
    original: int | None = None,
) -> int:
    """Stands in for services that do not exist yet (returns, training mode): writes a sale
    row as they will, with (group, amount, vat_bp, vat) lines and one payment of the total."""
    with till.db.atomic("IMMEDIATE"):
        basic = ("13013", "RETREC") if kind == "return" else ("13017", "TRAINING")
        now: Instant = till.journal.write(basic, user=person.number)
        nr = till.db.execute_sql(
            "INSERT INTO counter (register_id, series, value) VALUES (?, ?, 1)"
            " ON CONFLICT (register_id, series) DO UPDATE SET value = value + 1 RETURNING value",
            (till.config.register_id, "training" if training else "receipt"),
        ).fetchone()[0]
        if training:
            nr += 900_000  # its own series
        total = sum(amount for _g, amount, _r, _v in lines)
        sale_id = till.db.execute_sql(
            "INSERT INTO sale (register_id, receipt_nr, uuid, basket_uuid, user_id, kind,"
            " total_ore, vat_ore, discount_ore, rounding_ore, change_ore, completed_utc,"
            " local_date, local_time, training, original_sale_id) VALUES (?, ?, ?, ?,"
            " (SELECT id FROM user WHERE number = ?), ?, ?, ?, 0, 0, 0, ?, ?, ?, ?, ?)",
            (
                till.config.register_id,
                nr,
                str(uuid.uuid4()),
                str(uuid.uuid4()),
                person.number,
                kind,
                total,
                sum(vat for *_rest, vat in lines),
                now.utc_text,
                now.local_date,
                now.local_time,
                int(training),
                original,
            ),
        ).lastrowid
        product = till.db.execute_sql("SELECT id FROM product LIMIT 1").fetchone()[0]
        for nr_line, (group, amount, rate, vat) in enumerate(lines, start=1):
            till.db.execute_sql(
                "INSERT INTO sale_line (sale_id, line_nr, product_id, code, name, group_code,"
                " qty_milli, unit_price_ore, list_price_ore, discount_ore, amount_ore, vat_bp,"
                " vat_ore, price_overridden) VALUES (?, ?, ?, '', 'x', ?, ?, ?, ?, 0, ?, ?, ?, 0)",
                (
                    sale_id,
                    nr_line,
                    product,
                    group,
                    -1000 if amount < 0 else 1000,
                    abs(amount),
                    abs(amount),
                    amount,
                    rate,
                    vat,
                ),
            )
        till.db.execute_sql(
            "INSERT INTO payment (sale_id, method, amount_ore, tendered_ore) VALUES (?, ?, ?, ?)",
            (sale_id, method, total, total),
        )
    return int(sale_id)


def sell(till: Till, person: Person, *codes: str, card: bool = False) -> int:
    for code in codes:
        till.baskets.add(person, code)
    if age := till.baskets.age_to_confirm():  # the cashier's J: beer is sold from 18
        till.baskets.confirm_age(person, age)
    pay = till.sales.pay_card if card else till.sales.pay_cash
    done = pay(person, "").completed
    assert done is not None
    print_waiting(till)
    return done.sale_id


# -- the example day ---------------------------------------------------------------------------


@pytest.fixture
def example_day(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> Iterator[Report]:
    """Replay the example's events in order; its Z is taken by kassa at the end."""
    stock_the_example_articles(till, shift_lead)
    people = {"1001": cashier, "1000": shift_lead}
    transactions = {text(t, "s:transID"): t for t in each(example(), ".//s:cashtransaction")}
    sale_of: dict[str, int] = {}
    report: Report | None = None
    for event in each(example(), ".//s:cashregister/s:event"):
        time.advance(60)
        kind = text(event, "s:eventType")
        emp = event.find("s:empID", NS)
        person = people[emp.text or ""] if emp is not None else shift_lead
        trans_id = event.findtext("s:transID", "", NS)
        if kind == "LINEDELETE":  # a line keyed and deleted before the sale was paid
            deleted = fields(text(event, "s:eventText"))
            till.baskets.add(person, plu(deleted["artID"]), int(deleted["qnt"]) * 1000)
            line = till.baskets.current().priced.lines[-1].line
            assert line.gross == ore(deleted["lineAmntIn"])
            till.baskets.remove_line(person, line.id)
        elif kind == "SALREC":
            trans = transactions[trans_id]
            for ct in each(trans, "s:ctLine"):
                qty = int(Decimal(text(ct, "s:qnt")) * 1000)
                till.baskets.add(person, plu(text(ct, "s:artID")), qty)
            paid_by = predefined("12")[text(trans, "s:payment/s:paymentType")]
            pay = till.sales.pay_cash if paid_by == "12001" else till.sales.pay_card
            done = pay(person, "").completed
            assert done is not None and done.total == ore(text(trans, "s:transAmntIn"))
            sale_of[trans_id] = done.sale_id
            print_waiting(till)
        elif kind == "RETREC":  # the return service does not exist yet: a stand-in row
            trans = transactions[trans_id]
            lines = [
                (
                    text(ct, "s:artGroupID"),
                    ore(text(ct, "s:lineAmntIn")),
                    ore(text(ct, "s:vat/s:vatPerc")),
                    ore(text(ct, "s:vat/s:vatAmnt")),
                )
                for ct in each(trans, "s:ctLine")
            ]
            paid_by = predefined("12")[text(trans, "s:payment/s:paymentType")]
            method = "cash" if paid_by == "12001" else "card"
            insert_sale(till, person, lines, method, kind="return", original=sale_of["1000"])
        elif kind == "COPYREC":  # nor does the copy receipt: its journal row (13014)
            with till.db.atomic("IMMEDIATE"):
                till.journal.write(
                    ("13014", "COPYREC"), user=person.number, sale_id=sale_of[trans_id]
                )
        elif kind == "PRICELOOKUP":
            looked_up = fields(text(event, "s:eventText"))
            till.baskets.price_lookup(person, plu(looked_up["artID"]))
        elif kind == "DRAWOPENMAN":  # a no-sale opening, approved, kicked by the printer
            till.drawer.open_no_sale(person, "2", "2222")
            print_waiting(till)
        elif kind == "ZREP":
            report = till.reports.z_report(shift_lead, not_counted=True)
    assert report is not None
    yield report


def test_the_example_days_z_matches_skatteetatens(example_day: Report) -> None:
    z, saft = example_day, z_element()
    assert z.report_type == text(saft, "s:reportType") == "Z report"
    assert z.z_nr == int(text(saft, "s:reportID")) == 1
    assert z.total_cash_sale == ore(text(saft, "s:reportTotalCashSales/s:totalCashSaleAmnt"))
    assert z.total_cash_sale == 51420
    assert {(g.group, g.num, g.amount) for g in z.art_groups} == {
        (text(g, "s:artGroupID"), int(text(g, "s:artGroupNum")), ore(text(g, "s:artGroupAmnt")))
        for g in each(saft, "s:reportArtGroups/s:reportArtGroup")
    }
    codes = predefined("12")
    assert {(p.code, p.num, p.amount) for p in z.payments} == {
        (
            codes[text(p, "s:paymentType")],
            int(text(p, "s:paymentNum")),
            ore(text(p, "s:paymentAmnt")),
        )
        for p in each(saft, "s:reportPayments/s:reportPayment")
    }
    emp = {"1001": 1, "1000": 2}
    assert {(p.emp, p.code, p.num, p.amount) for p in z.emp_payments} == {
        (
            emp[text(p, "s:empID")],
            codes[text(p, "s:paymentType")],
            int(text(p, "s:paymentNum")),
            ore(text(p, "s:paymentAmnt")),
        )
        for p in each(saft, "s:reportEmpPayments/s:reportEmpPayment")
    }
    assert {(v.rate_bp, v.basis, v.vat) for v in z.vat} == {
        (ore(text(v, "s:vatPerc")), ore(text(v, "s:cashSaleAmnt")), ore(text(v, "s:vatAmnt")))
        for v in each(saft, "s:reportCashSalesVat/s:reportCashSaleVat")
    }
    by_rate = {v.rate_bp: (v.code, v.basis, v.vat) for v in z.vat}
    assert by_rate[1500] == ("31", 8938, 1342) and by_rate[2500] == ("3", 32912, 8228)
    assert z.opening_float == ore(text(saft, "s:reportOpeningChangeFloat"))
    assert z.receipts == int(text(saft, "s:reportReceiptNum")) == 3
    assert z.open_cash_box_num == int(text(saft, "s:reportOpenCashBoxNum")) == 1
    for name, tag in (
        ("copies", "ReceiptCopy"),
        ("provisional", "ReceiptProforma"),
        ("returns", "Return"),
        ("discounts", "Discount"),
        ("voided", "VoidTrans"),
        ("delivery", "ReceiptDelivery"),
        ("training", "Training"),
    ):
        tally = getattr(z, name)
        assert (tally.num, tally.amount) == (
            int(text(saft, f"s:report{tag}Num")),
            ore(text(saft, f"s:report{tag}Amnt")),
        ), name
    corrections = {(c.type, c.num, c.amount) for c in z.corr_lines if c.num}
    assert (
        corrections
        == {
            (
                text(c, "s:corrLineType"),
                int(text(c, "s:corrLineNum")),
                ore(text(c, "s:corrLineAmnt")),
            )
            for c in each(saft, "s:reportCorrLines/s:reportCorrLine")
        }
        == {("Delete line", 1, 1640)}
    )
    assert (
        {(p.group, p.num, p.amount) for p in z.price_inquiries}
        == {
            (
                text(p, "s:priceInquiryGroup"),
                int(text(p, "s:priceInquiryNum")),
                ore(text(p, "s:priceInquiryAmnt")),
            )
            for p in each(saft, "s:reportPriceInquiries/s:reportPriceInquiry")
        }
        == {("100", 1, 2780)}
    )
    assert all(c.num == 0 and c.amount == 0 for c in z.other_corrs)
    assert z.pay_ins == () and z.pay_outs == ()
    assert (
        (z.grand_total_sales, z.grand_total_returns, z.grand_total_net)
        == (
            ore(text(saft, "s:reportGrandTotalSales")),
            ore(text(saft, "s:reportGrandTotalReturn")),
            ore(text(saft, "s:reportGrandTotalSalesNet")),
        )
        == (53060, 1640, 51420)
    )
    assert z.rounding == -40  # 295,40 paid with 295 kr in cash
    assert z.cash_expected == 29500 and z.cash_count is None


def test_the_z_is_journaled_whole_stored_and_queued_for_print(
    till: Till, example_day: Report
) -> None:
    row = till.db.execute_sql(
        "SELECT event_code, basic_id, user_number, text FROM journal WHERE basic_id = 'ZREPORT'"
    ).fetchall()
    assert [(r[0], r[1], r[2]) for r in row] == [("13009", "ZREPORT", 2)]
    journaled = json.loads(row[0][3])
    assert journaled["z_nr"] == 1
    assert Report.from_dict(journaled["report"]) == example_day
    assert till.reports.stored_z(1) == example_day
    assert till.reports.z_reports() == [(1, "2026-11-27")]
    jobs = till.print_queue.pending()
    assert [job.kind for job in jobs] == ["zreport"]
    paper = jobs[0].doc.as_text(48)
    assert jobs[0].doc.blocks[0].style == "title" and jobs[0].doc.blocks[0].text == "Z-rapport"
    for expected in (
        "Kontantsalg",
        "514,20",
        "Slettet linje: 1",
        "Gr. 100: 1",
        "27,80",
        "530,60",
        "Treningskvitt.: 0",
    ):
        assert expected in paper, expected
    assert re.search(r"^Skuffåpninger u/salg +1$", paper, re.M)


def test_the_printed_report_fits_both_paper_widths(till: Till, example_day: Report) -> None:
    doc = report_doc(till.config, example_day)
    for columns in (48, 32):
        lines = doc.as_text(columns).splitlines()
        assert max(len(line) for line in lines) <= columns
        # Every amount survives the narrow paper (labels may be cut, amounts never).
        assert any(line.endswith("514,20") for line in lines)
    assert "Ingen: 0" in doc.as_text(32)  # pay-ins: empty, printed as zero


# -- X and Z periods ---------------------------------------------------------------------------


def test_an_x_resets_nothing_and_is_journaled_with_its_content(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    sell(till, cashier, ROMME)
    first = till.reports.x_report(cashier)
    sell(till, cashier, PILSNER, card=True)
    second = till.reports.x_report(None)
    assert first.report_type == "X report" and first.z_nr is None
    assert (first.total_cash_sale, second.total_cash_sale) == (
        ROMME_PRICE,
        ROMME_PRICE + PILSNER_PRICE,
    )
    rows = till.db.execute_sql(
        "SELECT event_code, user_number, text FROM journal WHERE basic_id = 'XREPORT'"
    ).fetchall()
    assert [(r[0], r[1]) for r in rows] == [("13008", 1), ("13008", None)]
    assert Report.from_dict(json.loads(rows[1][2])["report"]) == second
    assert (
        till.reports.z_report(shift_lead, not_counted=True).total_cash_sale
        == ROMME_PRICE + PILSNER_PRICE
    )
    assert count(till.db, "print_job", "kind = 'xreport'") == 0
    till.reports.x_report(cashier, queue_print=True)
    assert count(till.db, "print_job", "kind = 'xreport'") == 1


def test_z_reports_are_numbered_and_nothing_is_in_two(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    sell(till, cashier, ROMME)
    till.baskets.price_lookup(cashier, PILSNER)
    z1 = till.reports.z_report(shift_lead, not_counted=True)
    assert till.reports.x_report(None).total_cash_sale == 0  # the Z emptied the period
    time.advance(24 * HOUR)
    sell(till, cashier, PILSNER)
    z2 = till.reports.z_report(shift_lead, not_counted=True)
    assert (z1.z_nr, z2.z_nr) == (1, 2)
    assert (z1.total_cash_sale, z2.total_cash_sale) == (ROMME_PRICE, PILSNER_PRICE)
    assert (z1.receipts, z2.receipts) == (1, 1)
    assert [len(z.price_inquiries) for z in (z1, z2)] == [1, 0]
    assert z2.grand_total_sales == ROMME_PRICE + PILSNER_PRICE  # never reset
    assert till.reports.z_reports() == [(1, "2026-11-27"), (2, "2026-11-28")]
    assert till.reports.stored_z(2) == z2
    with pytest.raises(Refused, match="no Z report number 3"):
        till.reports.stored_z(3)


def test_grand_totals_carried_from_z_to_z_equal_a_recount_of_every_sale(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    for day in range(3):  # Friday to Sunday: no beer on Sunday
        sale = sell(till, cashier, ROMME)
        sell(till, cashier, TOOTHPASTE, card=True)
        if day:
            insert_sale(
                till,
                shift_lead,
                [("40", -TOOTHPASTE_PRICE, 2500, -798)],
                "card",
                kind="return",
                original=sale,
            )
        z = till.reports.z_report(shift_lead, not_counted=True)
        recount = dict(
            till.db.execute_sql("SELECT kind, SUM(total_ore) FROM sale GROUP BY kind").fetchall()
        )
        assert (z.grand_total_sales, z.grand_total_returns) == (
            recount["sale"],
            -recount.get("return", 0),
        ), f"Z {z.z_nr}"
        time.advance(24 * HOUR)
    assert z.grand_total_sales == 3 * (ROMME_PRICE + TOOTHPASTE_PRICE)
    assert z.grand_total_returns == 2 * TOOTHPASTE_PRICE


@pytest.mark.parametrize("which", ["x", "z"])
def test_a_report_is_built_again_when_the_till_sold_while_it_was_being_built(
    till: Till, shift_lead: Person, monkeypatch: pytest.MonkeyPatch, which: str
) -> None:
    """Reports are built outside the write lock; a sale made meanwhile must not be left out."""
    cashier = till.users.sign_in("1", "1111")
    built = []
    build = till.reports._build

    def sell_in_another_connection() -> None:  # peewee: one connection per thread
        try:
            sell(till, cashier, ROMME)
        finally:
            till.db.close()

    def build_while_a_sale_completes(*args: Any) -> Report:
        if not built:
            selling = threading.Thread(target=sell_in_another_connection)
            selling.start()
            selling.join()
        built.append(build(*args))
        return built[-1]

    monkeypatch.setattr(till.reports, "_build", build_while_a_sale_completes)
    report = (
        till.reports.x_report(shift_lead)
        if which == "x"
        else till.reports.z_report(shift_lead, not_counted=True)
    )
    assert [b.receipts for b in built] == [0, 1]  # the first build missed the sale: built again
    assert report.receipts == 1 and report.total_cash_sale == ROMME_PRICE
    stored = till.db.execute_sql(
        "SELECT json_extract(text, '$.report.receipts') FROM journal WHERE basic_id = ?",
        ("XREPORT" if which == "x" else "ZREPORT",),
    ).fetchall()
    assert stored == [(1,)]


def test_a_second_z_on_the_same_business_day_is_refused(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    sell(till, cashier, ROMME)
    till.reports.z_report(shift_lead, not_counted=True)
    time.advance(13 * HOUR)  # 01:00 the next morning: still the same business day
    sell(till, cashier, TOOTHPASTE)  # no beer at 01:00
    with pytest.raises(Refused, match=r"Z report for 27\.11\.2026 is already taken \(Z 1\)"):
        till.reports.z_report(shift_lead, not_counted=True)
    assert count(till.db, "z_report") == 1
    assert count(till.db, "journal", "basic_id = 'ZREPORT'") == 1
    time.advance(3 * HOUR)  # 04:00: a new business day
    z2 = till.reports.z_report(shift_lead, not_counted=True)
    assert (z2.z_nr, z2.business_date, z2.total_cash_sale) == (2, "2026-11-28", TOOTHPASTE_PRICE)


def test_no_z_while_a_sale_is_being_rung_up(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    till.baskets.add(cashier, ROMME)
    with pytest.raises(Refused, match="Park or finish the current sale first"):
        till.reports.z_report(shift_lead, not_counted=True)
    assert count(till.db, "z_report") == 0
    till.baskets.park(cashier)  # a parked sale may wait for the next day
    assert till.reports.z_report(shift_lead, not_counted=True).z_nr == 1


def test_after_midnight_before_the_cutoff_is_the_day_before(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    time.now = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # 00:30 on the 28th in Oslo
    sell(till, cashier, ROMME)
    z = till.reports.z_report(shift_lead, not_counted=True)
    assert (z.report_date, z.report_time) == ("2026-11-28", "00:30:00")
    assert z.business_date == "2026-11-27"
    assert till.reports.z_reports() == [(1, "2026-11-27")]
    summer = Instant(datetime(2026, 7, 1, 1, 59, tzinfo=UTC))  # 03:59 Oslo summer time
    assert business_date(summer) == "2026-06-30"
    assert business_date(Instant(datetime(2026, 7, 1, 2, 0, tzinfo=UTC))) == "2026-07-01"


def test_a_cashier_cannot_take_a_z(till: Till, cashier: Person) -> None:
    sell(till, cashier, ROMME)
    with pytest.raises(Refused, match="may not do"):
        till.reports.z_report(cashier)
    assert count(till.db, "z_report") == 0
    assert count(till.db, "journal", "basic_id = 'ZREPORT'") == 0


def test_the_service_refuses_a_z_without_a_count_or_an_explicit_not_counted(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    """The screen and `kassa report z` ask first; the service insists too, so no caller can
    close the day with the drawer silently uncounted."""
    sell(till, cashier, ROMME)
    with pytest.raises(Refused) as refused:
        till.reports.z_report(shift_lead)
    assert refused.value.message == (
        "The drawer has not been counted since the last Z: count it first, or take the Z with"
        " the cash marked as not counted."
    )
    assert count(till.db, "z_report") == 0
    assert count(till.db, "journal", "basic_id = 'ZREPORT'") == 0
    z = till.reports.z_report(shift_lead, not_counted=True)
    assert (z.z_nr, z.cash_count, z.cash_not_counted) == (1, None, True)
    journaled = till.db.execute_sql("SELECT text FROM journal WHERE basic_id = 'ZREPORT'")
    assert json.loads(journaled.fetchone()[0])["report"]["cash_not_counted"] is True


def test_z_report_rows_cannot_be_changed(till: Till, shift_lead: Person) -> None:
    till.reports.z_report(shift_lead, not_counted=True)
    with pytest.raises(IntegrityError, match="append-only"):
        till.db.execute_sql("UPDATE z_report SET z_nr = 7")
    with pytest.raises(IntegrityError, match="append-only"):
        till.db.execute_sql("DELETE FROM z_report")
    assert till.reports.z_reports() == [(1, "2026-11-27")]


def test_training_sales_count_only_as_training(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    sell(till, cashier, ROMME)
    insert_sale(till, cashier, [("20", 10000, 2500, 2000)], "cash", training=True)
    z = till.reports.z_report(shift_lead, not_counted=True)
    assert (z.training.num, z.training.amount) == (1, 10000)
    assert z.total_cash_sale == z.grand_total_sales == z.grand_total_net == ROMME_PRICE
    assert z.receipts == 1
    assert sum(p.amount for p in z.payments) == 2500  # 24,90 rounded; not the training 100
    assert sum(v.basis + v.vat for v in z.vat) == ROMME_PRICE
    assert z.cash_expected == 2500


def test_returns_are_counted_and_netted(till: Till, cashier: Person, shift_lead: Person) -> None:
    sale = sell(till, cashier, PILSNER, card=True)
    insert_sale(
        till, shift_lead, [("40", -PILSNER_PRICE, 2500, -798)], "card", kind="return", original=sale
    )
    z = till.reports.z_report(shift_lead, not_counted=True)
    assert (z.returns.num, z.returns.amount) == (1, PILSNER_PRICE)
    assert z.total_cash_sale == 0 and z.receipts == 1
    assert (z.grand_total_sales, z.grand_total_returns, z.grand_total_net) == (
        PILSNER_PRICE,
        PILSNER_PRICE,
        0,
    )
    card = next(p for p in z.payments if p.method == "card")
    assert (card.code, card.num, card.amount) == ("12002", 0, 0)


# -- cash --------------------------------------------------------------------------------------


def test_the_drawer_count_gives_the_difference(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    till.cash.opening_float(shift_lead, 100000)
    sell(till, cashier, ROMME)  # 24,90 → 25 kr in cash
    sell(till, cashier, PILSNER, card=True)  # no cash
    till.cash.pay_in(shift_lead, 20000, "Veksel fra safen")
    till.cash.pay_out(shift_lead, 15000, "Blomster")
    till.cash.pay_out(shift_lead, 1000, "Blomster")
    assert till.cash.expected_cash() == 100000 + 2500 + 20000 - 16000
    exact = {50000: 2, 5000: 1, 1000: 1, 500: 1}  # 1 065 kr
    assert till.cash.count(shift_lead, exact).difference_ore == 0
    short = till.cash.count(shift_lead, {50000: 2, 2000: 3, 500: 0})  # 1 060 kr
    assert (short.counted_ore, short.expected_ore, short.difference_ore) == (106000, 106500, -500)
    stored = till.db.execute_sql(
        "SELECT details FROM cash_event WHERE kind = 'count' ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]
    assert json.loads(stored)["pieces"] == {
        str(v): {50000: 2, 2000: 3}.get(v, 0) for v in NOTES_AND_COINS
    }
    z = till.reports.z_report(shift_lead)  # counted: no "not counted" needed
    assert z.opening_float == 100000
    assert z.cash_count == short and not z.cash_not_counted
    assert [(p.type, p.num, p.amount) for p in z.pay_ins] == [("Veksel fra safen", 1, 20000)]
    assert [(p.type, p.num, p.amount) for p in z.pay_outs] == [("Blomster", 2, 16000)]
    assert [
        e
        for e in ("FLOAT", "PAYIN", "PAYOUT", "CASHCOUNT")
        if not count(till.db, "journal", "basic_id = ?", e)
    ] == []
    assert count(till.db, "journal", "event_code = '13019'") == 2  # cash withdrawals
    # The slips kick the drawer: journaled openings, not nullinnslag.
    assert count(till.db, "print_job", "kind = 'cash' AND kick_drawer = 1") == 4
    assert till.cash.expected_cash() == 0  # a new period after the Z


def test_cash_rules(till: Till, cashier: Person, shift_lead: Person) -> None:
    with pytest.raises(Refused, match="may not do"):
        till.cash.opening_float(cashier, 50000)
    with pytest.raises(Refused, match="may not do"):
        till.cash.count(cashier, {100: 1})
    till.cash.opening_float(shift_lead, 50000)
    with pytest.raises(Refused, match="already registered"):
        till.cash.opening_float(shift_lead, 50000)
    with pytest.raises(Refused, match="needs a reason"):
        till.cash.pay_out(shift_lead, 1000, "  ")
    with pytest.raises(Refused, match="between 0 and"):
        till.cash.pay_in(shift_lead, 0, "Veksel")
    with pytest.raises(Refused, match="not a Norwegian note or coin"):
        till.cash.count(shift_lead, {300: 1})
    assert count(till.db, "cash_event") == 1
    with pytest.raises(IntegrityError, match="append-only"):
        till.db.execute_sql("UPDATE cash_event SET amount_ore = 0")


def test_no_sale_openings_and_corrections_are_counted(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    till.baskets.add(cashier, PILSNER)
    till.baskets.confirm_age(cashier, 18)  # the cashier's J: the beer is sold from 18
    till.baskets.add(cashier, ROMME)
    till.baskets.set_quantity(cashier, till.baskets.current().priced.lines[0].line.id, "3")
    till.baskets.set_quantity(cashier, till.baskets.current().priced.lines[0].line.id, "1")
    till.baskets.remove_line(cashier, till.baskets.current().priced.lines[1].line.id)
    till.baskets.discount_line(  # 10 kr of 39,90 is above a cashier's limit
        shift_lead, till.baskets.current().priced.lines[0].line.id, "10", "Skadet"
    )
    till.sales.pay_card(cashier, "")
    print_waiting(till)
    till.drawer.open_no_sale(cashier, "2", "2222")
    print_waiting(till)
    with till.db.atomic("IMMEDIATE"):
        till.journal.write(Event.DRAWER_MANUAL)
    x = till.reports.x_report(shift_lead)
    assert x.open_cash_box_num == 2
    assert [(c.type, c.num, c.amount) for c in x.corr_lines] == [
        ("Delete line", 1, ROMME_PRICE),
        ("Reduce quantity", 1, 2 * PILSNER_PRICE),
    ]
    assert (x.discounts.num, x.discounts.amount) == (1, 1000)
    assert x.total_cash_sale == PILSNER_PRICE - 1000
