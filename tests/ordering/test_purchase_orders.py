"""Purchase orders as the shift lead, the supplier and the auditor see them: the journal row,
the printed order's bytes, the CSV, goods in against the order, and rows that cannot change."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from devices.render import render
from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from kassa_tui.ordering.orders import (
    CSV_HEADER,
    PRINT_KIND,
    PurchaseOrder,
    Wanted,
    confirm,
    on_order,
    order,
    order_csv,
    receive_delivery,
)
from kassa_tui.ordering.suppliers import find_supplier
from kassa_tui.people.person import Person
from kassa_tui.records.receipts import ReceiptDoc

from .conftest import BULK, STEADY

LEAD = Person(2, "Siri Skiftleder", "shift_lead")
CASHIER = Person(1, "Kari Kasserer", "cashier")


def make(shop: Till, *wanted: Wanted, person: Person = LEAD) -> PurchaseOrder:
    supplier = find_supplier(shop.db, "TEST")
    return confirm(
        shop.db,
        shop.journal,
        shop.print_queue,
        shop.config,
        shop.clock,
        person,
        supplier.id,
        list(wanted),
    )


def ids(shop: Till) -> dict[str, int]:
    return shop.ids  # type: ignore[attr-defined,no-any-return]


def count(shop: Till, table: str) -> int:
    return int(shop.db.execute_sql(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_confirming_journals_prints_and_numbers_the_order(shop: Till) -> None:
    made = make(shop, Wanted(ids(shop)[STEADY], 18, 18, "below target by 16; pack 6 → 18"))
    second = make(shop, Wanted(ids(shop)[BULK], 24))
    assert (made.number, second.number) == (1, 2)
    assert made.status == "confirmed" and made.cost_ore == 18 * 1000
    row = shop.db.execute_sql(
        "SELECT event_code, user_number, text FROM journal WHERE basic_id = 'PURCHASEORDER'"
        " ORDER BY seq"
    ).fetchall()
    assert [(r[0], r[1]) for r in row] == [("13999", 2), ("13999", 2)]
    assert json.loads(row[0][2]) == {
        "order": 1,
        "supplier": "TEST",
        "lines": [[STEADY, 18, 18]],
        "cost_ore": 18000,
    }
    payload = shop.db.execute_sql(
        "SELECT payload FROM print_job WHERE kind = ? ORDER BY id", (PRINT_KIND,)
    ).fetchall()
    assert len(payload) == 2
    doc = ReceiptDoc.from_json(bytes(payload[0][0]))
    data = render(doc, shop.config.printer)
    text = data.decode("cp865")
    assert "Bestilling" in text and "Leverandør" in text
    assert "Bestilling nr." in text and f"T-{STEADY} Steady 1 l" in text
    assert "3 x 6 stk" in text and "18 stk" in text
    assert "Innkjøpsverdi" in text and "180,00" in text
    assert b"?" not in data.replace(b"nr.", b"")  # every character in CP865


def test_the_csv_has_the_suppliers_columns(shop: Till) -> None:
    made = make(shop, Wanted(ids(shop)[STEADY], 18), Wanted(ids(shop)[BULK], 24))
    rows = list(csv.reader(io.StringIO(order_csv(made)), delimiter=";"))
    assert tuple(rows[0]) == CSV_HEADER
    assert rows[1:] == [
        [f"T-{STEADY}", f"70{STEADY}0", STEADY, "Steady 1 l", "18", "6", "3", "1000"],
        [f"T-{BULK}", f"70{BULK}0", BULK, "Bulk 500 g", "24", "6", "4", ""],
    ]


@pytest.mark.parametrize(
    ("wanted", "message"),
    [
        ([Wanted(0, 0)], "Nothing to order"),
        ([Wanted(-1, 6)], "not this supplier's"),
        ([Wanted(-2, 7)], "is not whole packs of 6"),
        ([Wanted(-2, -6)], "a quantity must be"),
        ([Wanted(-2, 6), Wanted(-2, 12)], "on the order twice"),
    ],
)
def test_a_bad_order_is_refused_and_nothing_written(
    shop: Till, wanted: list[Wanted], message: str
) -> None:
    real = {-1: 1, -2: ids(shop)[STEADY], 0: ids(shop)[STEADY]}
    lines = [Wanted(real[w.product_id], w.qty) for w in wanted]
    before = count(shop, "journal"), count(shop, "print_job")
    with pytest.raises(Refused, match=message):
        make(shop, *lines)
    assert count(shop, "purchase_order") == 0
    assert (count(shop, "journal"), count(shop, "print_job")) == before


def test_a_cashier_cannot_order(shop: Till) -> None:
    with pytest.raises(Refused):
        make(shop, Wanted(ids(shop)[STEADY], 6), person=CASHIER)
    assert count(shop, "purchase_order") == 0


def test_goods_in_against_the_order_short_then_complete(shop: Till) -> None:
    steady, bulk = ids(shop)[STEADY], ids(shop)[BULK]
    made = make(shop, Wanted(steady, 12), Wanted(bulk, 24))
    assert on_order(shop.db, [steady, bulk]) == {steady: 12, bulk: 24}
    _id, result, closed = receive_delivery(
        shop.stock, shop.clock, LEAD, made.number, [(steady, 10), (bulk, 24)], "Følgeseddel 77"
    )
    assert [r.text() for r in result] == [
        "Steady 1 l: ordered 12, received 10: 2 short",
        "Bulk 500 g: ordered 24, received 24",
    ]
    assert not closed and order(shop.db, made.number).status == "confirmed"
    assert on_order(shop.db, [steady, bulk]) == {steady: 2}
    assert shop.stock.on_hand([steady])[steady] == (5 + 10) * 1000
    # The rest comes, with one too many: over, and the order is closed.
    _id, result, closed = receive_delivery(shop.stock, shop.clock, LEAD, made.number, [(steady, 3)])
    assert result[0].text() == "Steady 1 l: ordered 12, received 13: 1 over"
    assert result[1].text() == "Bulk 500 g: ordered 24, received 24"
    assert closed and order(shop.db, made.number).status == "closed"
    assert on_order(shop.db, [steady, bulk]) == {}
    journal = [
        json.loads(t)
        for (t,) in shop.db.execute_sql(
            "SELECT text FROM journal WHERE basic_id = 'ORDERRECEIVE' ORDER BY seq"
        ).fetchall()
    ]
    assert [j["closed"] for j in journal] == [False, True]
    assert journal[0]["lines"] == [[STEADY, 12, 10], [BULK, 24, 24]]
    deliveries = shop.db.execute_sql("SELECT reference FROM delivery ORDER BY id").fetchall()
    assert deliveries == [("Følgeseddel 77",), ("Order 1",)]
    with pytest.raises(Refused, match="nothing can be received"):
        receive_delivery(shop.stock, shop.clock, LEAD, made.number, [(steady, 1)])


def test_a_product_not_on_the_order_is_received_and_named(shop: Till) -> None:
    steady, bulk = ids(shop)[STEADY], ids(shop)[BULK]
    made = make(shop, Wanted(steady, 6))
    _id, result, closed = receive_delivery(
        shop.stock, shop.clock, LEAD, made.number, [(steady, 6), (bulk, 6)]
    )
    assert [r.text() for r in result] == [
        "Steady 1 l: ordered 6, received 6",
        "Bulk 500 g: not ordered, received 6",
    ]
    assert closed


@pytest.mark.parametrize(
    "table",
    ["purchase_order", "purchase_order_line", "purchase_order_event", "purchase_order_receipt"],
)
def test_orders_are_append_only(shop: Till, table: str) -> None:
    made = make(shop, Wanted(ids(shop)[STEADY], 12))
    receive_delivery(shop.stock, shop.clock, LEAD, made.number, [(ids(shop)[STEADY], 6)])
    for sql in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
        with pytest.raises(Exception, match="append-only"):
            shop.db.execute_sql(sql)
    conn = sqlite3.connect(shop.config.database)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute(f"DELETE FROM {table}")


def test_the_order_events_are_in_a_valid_saft_file(shop: Till, tmp_path: Path) -> None:
    from datetime import date

    from lxml import etree

    from kassa_tui.saft.export import export_saft

    made = make(shop, Wanted(ids(shop)[STEADY], 12))
    receive_delivery(shop.stock, shop.clock, LEAD, made.number, [(ids(shop)[STEADY], 12)])
    day = date(2026, 11, 27)  # the shop's clock
    path = export_saft(shop.db, shop.config, day, day, tmp_path / "saft", clock=shop.clock)
    doc = etree.parse(str(path))
    xsd = Path(__file__).resolve().parents[1] / "data" / "saft"
    schema = etree.XMLSchema(
        etree.parse(str(xsd / "Norwegian_SAF-T_Cash_Register_Schema_v_1.00.xsd"))
    )
    schema.assertValid(doc)
    ns = {"s": "urn:StandardAuditFile-Taxation-CashRegister:NO"}
    events = {
        e.findtext("s:eventType", "", ns): e.findtext("s:eventText", "", ns)
        for e in doc.iterfind(".//s:event", ns)
    }
    basics = {b.findtext("s:basicID", "", ns) for b in doc.iterfind(".//s:basic", ns)}
    assert {"PURCHASEORDER", "ORDERRECEIVE"} <= basics, basics
    assert "PURCHASEORDER" in events and "ORDERRECEIVE" in events, events
