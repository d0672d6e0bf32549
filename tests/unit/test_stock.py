"""Stock: details, deliveries, adjustments, low stock, stocktake and product maintenance.

All against a real demo till on SQLite; stock is read back through the services and the tables.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from kassa_tui.catalog.barcodes import make_embedded, with_check_digit
from kassa_tui.composition import Till, open_till
from kassa_tui.core.clock import Clock
from kassa_tui.core.errors import Refused
from kassa_tui.people.permissions import Permission, allowed
from kassa_tui.people.person import Person
from kassa_tui.records.journal import JournalRow
from kassa_tui.stock.levels import REASONS, Stock
from kassa_tui.stock.stocktake import Count

from .conftest import (
    BAD_CHECK_DIGIT,
    LOOSE_APPLES_PLU,
    PILSNER,
    ROMME,
    ROMME_PRICE,
    UNKNOWN_EAN,
    VG,
    SteeredTime,
    count,
    print_waiting,
)

TECHNICIAN = Person(9, "Tor Tekniker", "technician")
DAIRY = "20"
LETTMELK = "7034452355121"  # Tine Lettmelk 1 l, dairy
HELMELK = "7034452743195"  # Tine Helmelk 1 l, dairy


def pid(till: Till, code: str) -> int:
    return till.catalog.search(code)[0].id


def on_hand(till: Till, product_id: int) -> int:
    return till.stock.details(product_id).on_hand_milli


def set_stock(till: Till, person: Person, product_id: int, qty_milli: int) -> None:
    """Bring a product to a known level the way a user would: a count correction."""
    delta = qty_milli - on_hand(till, product_id)
    if delta:
        till.stock.adjust(person, product_id, delta, "count")
    assert on_hand(till, product_id) == qty_milli


def sell(till: Till, cashier: Person, code: str, qty_milli: int | None = None) -> None:
    till.baskets.add(cashier, code, qty_milli)
    assert till.sales.pay_card(cashier, "").completed is not None
    print_waiting(till)


def last_row(till: Till, basic_id: str) -> tuple[JournalRow, dict[str, Any]]:
    row = [r for r in till.journal.rows() if r.basic_id == basic_id][-1]
    return row, json.loads(row.text)


def movements(till: Till, product_id: int) -> list[tuple[str, int]]:
    return [
        (reason, delta)
        for reason, delta in till.db.execute_sql(
            "SELECT reason, delta_milli FROM stock_movement WHERE product_id = ? ORDER BY id",
            (product_id,),
        ).fetchall()
    ]


def snapshot(till: Till) -> dict[str, int]:
    tables = ("delivery", "delivery_line", "stock_movement", "journal", "product", "barcode")
    return {table: count(till.db, table) for table in tables}


# -- details ---------------------------------------------------------------------------------


def test_details_after_sales_and_a_delivery(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    romme = pid(till, ROMME)
    start = on_hand(till, romme)
    sell(till, cashier, ROMME, 3000)  # 10 days before the delivery: in 30 days, not in 7
    time.advance(10 * 86400)
    sell(till, cashier, ROMME, 2000)
    time.advance(3600)
    till.stock.receive(shift_lead, [(romme, 12000, 1450)], "Tine 4711")
    time.advance(60)
    details = till.stock.details(romme)
    assert details.product.name == "Rømme 18 % 3 dl"
    assert details.barcodes == [ROMME]
    assert details.on_hand_milli == start - 3000 - 2000 + 12000
    assert (details.sold_7_milli, details.sold_30_milli) == (2000, 5000)
    assert details.cost_ore == 1450
    assert details.last_delivery_local == "2026-12-07 13:00"  # 12:00 UTC in Oslo winter time
    assert [(m.local, m.reason, m.delta_milli) for m in details.movements[:3]] == [
        ("2026-12-07 13:00", "delivery", 12000),
        ("2026-12-07 12:00", "sale", -2000),
        ("2026-11-27 12:00", "sale", -3000),
    ]
    assert [m.label for m in details.movements[:2]] == ["Delivery", "Sale"]
    assert till.stock.on_hand([romme]) == {romme: details.on_hand_milli}


def test_sold_days_count_only_sales_within_the_window(
    till: Till, cashier: Person, time: SteeredTime
) -> None:
    romme = pid(till, ROMME)
    sell(till, cashier, ROMME, 4000)
    time.advance(31 * 86400)
    details = till.stock.details(romme)
    assert (details.sold_7_milli, details.sold_30_milli) == (0, 0)
    assert details.last_delivery_local is None


# -- deliveries ------------------------------------------------------------------------------


def test_receive_writes_the_delivery_movements_costs_and_journal(
    till: Till, shift_lead: Person
) -> None:
    romme, apples = pid(till, ROMME), pid(till, LOOSE_APPLES_PLU)
    before = (on_hand(till, romme), on_hand(till, apples))
    delivery = till.stock.receive(shift_lead, [(romme, 24000, 1500), (apples, 7250, None)], "F-1")
    assert (on_hand(till, romme), on_hand(till, apples)) == (before[0] + 24000, before[1] + 7250)
    assert till.db.execute_sql(
        "SELECT reference, user_number FROM delivery WHERE id = ?", (delivery,)
    ).fetchone() == ("F-1", shift_lead.number)
    assert count(till.db, "delivery_line", "delivery_id = ?", delivery) == 2
    assert movements(till, romme)[-1] == ("delivery", 24000)
    assert till.stock.details(romme).cost_ore == 1500
    assert till.stock.details(apples).cost_ore is None
    row, text = last_row(till, "DELIVERY")
    assert row.user_number == shift_lead.number
    assert (text["delivery"], text["lines"], text["qty_milli"]) == (delivery, 2, 31250)


@pytest.mark.parametrize(
    "bad_line",
    [(999_999, 1000, None), "zero", "negative", "part of a unit", "negative cost"],
)
def test_a_bad_line_refuses_the_whole_delivery(
    till: Till, shift_lead: Person, bad_line: Any
) -> None:
    romme, pilsner = pid(till, ROMME), pid(till, PILSNER)
    bad = {
        "zero": (pilsner, 0, None),
        "negative": (pilsner, -1000, None),
        "part of a unit": (pilsner, 1500, None),
        "negative cost": (pilsner, 1000, -1),
    }.get(bad_line, bad_line)
    before, level = snapshot(till), on_hand(till, romme)
    with pytest.raises(Refused):
        till.stock.receive(shift_lead, [(romme, 6000, 1200), bad])
    assert snapshot(till) == before
    assert on_hand(till, romme) == level
    assert till.stock.details(romme).cost_ore is None


# -- adjustments -----------------------------------------------------------------------------


@pytest.mark.parametrize("reason", list(REASONS))
def test_adjust_with_each_reason(till: Till, shift_lead: Person, reason: str) -> None:
    romme = pid(till, ROMME)
    level = on_hand(till, romme)
    till.stock.adjust(shift_lead, romme, -2000, reason, "  dropped a crate ")
    assert on_hand(till, romme) == level - 2000
    assert movements(till, romme)[-1] == (f"adjust:{reason}", -2000)
    assert till.stock.details(romme).movements[0].label == REASONS[reason]
    row, text = last_row(till, "STOCKADJ")
    assert row.event_code == "13999"
    assert text == {
        "product": romme,
        "name": "Rømme 18 % 3 dl",
        "delta_milli": -2000,
        "reason": reason,
        "note": "dropped a crate",
        "moves": [[ROMME, -2000, "Rømme 18 % 3 dl"]],  # the delta HQ derives (0009_stock.sql)
    }


def test_adjust_refusals_change_nothing(till: Till, cashier: Person, shift_lead: Person) -> None:
    romme = pid(till, ROMME)
    before = snapshot(till)
    for person, delta, reason in [
        (shift_lead, -1000, "lost"),  # not a reason
        (shift_lead, 0, "waste"),
        (shift_lead, -500, "waste"),  # Rømme is counted in whole units
        (shift_lead, 10_000_000, "count"),  # beyond 9999
        (cashier, -1000, "waste"),
    ]:
        with pytest.raises(Refused):
            till.stock.adjust(person, romme, delta, reason)
    assert snapshot(till) == before | {"journal": before["journal"] + 1}  # the cashier's DENIED


@pytest.mark.parametrize("reason", ["waste", "damage", "theft", "own_use"])
def test_a_reason_that_only_lowers_stock_refuses_a_rise(
    till: Till, shift_lead: Person, reason: str
) -> None:
    romme = pid(till, ROMME)
    before = snapshot(till)
    with pytest.raises(Refused) as refused:
        till.stock.adjust(shift_lead, romme, 2000, reason)
    assert "only lowers stock" in refused.value.message
    assert REASONS[reason] in refused.value.message
    assert snapshot(till) == before  # no movement, no journal row
    till.stock.adjust(shift_lead, romme, 2000, "count")  # a count correction may raise it
    assert movements(till, romme)[-1] == ("adjust:count", 2000)


def test_a_technician_may_adjust_and_weighed_items_take_grams(till: Till) -> None:
    apples = pid(till, LOOSE_APPLES_PLU)
    level = on_hand(till, apples)
    till.stock.adjust(TECHNICIAN, apples, -375, "waste")
    assert on_hand(till, apples) == level - 375
    assert [r for r in ("cashier", "shift_lead", "technician") if allowed(r, Permission.STOCK)] == [
        "shift_lead",
        "technician",
    ]


# -- low stock -------------------------------------------------------------------------------


def test_selling_more_than_on_hand_goes_negative_and_shows_first(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    vg = pid(till, VG)
    till.products.update_product(shift_lead, vg, reorder_point_milli=0)
    level = on_hand(till, vg)
    sell(till, cashier, VG, level + 3000)  # a sale never waits for stock
    assert on_hand(till, vg) == -3000
    low = till.stock.low_stock()
    assert (low[0].product.id, low[0].on_hand_milli, low[0].reorder_point_milli) == (vg, -3000, 0)
    assert low[0].sold_30_milli == level + 3000
    # 14 days at the 30 days' speed, and the 3 missing
    assert low[0].suggested_milli == -(-(level + 3000) * 14 // 30000) * 1000 + 3000


def test_low_stock_suggests_14_days_of_sales_or_twice_the_reorder_point(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    romme, melk, apples = pid(till, ROMME), pid(till, LETTMELK), pid(till, LOOSE_APPLES_PLU)
    for product_id in (romme, melk):
        till.products.update_product(shift_lead, product_id, reorder_point_milli=10_000)
    set_stock(till, shift_lead, romme, 64_000)
    sell(till, cashier, ROMME, 61_000)  # 61 in 30 days: 28,47 for 14 days
    set_stock(till, shift_lead, melk, 4_000)
    set_stock(till, shift_lead, apples, 1_234)  # reorder point 5 kg (demo)
    low = {row.product.id: row for row in till.stock.low_stock()}
    assert low[romme].on_hand_milli == 3_000
    assert low[romme].suggested_milli == 26_000  # 28 467 - 3 000, up to whole units
    assert low[melk].suggested_milli == 16_000  # twice the reorder point: 20 - 4
    assert low[apples].suggested_milli == 10_000 - 1_234  # weighed: not rounded
    ordered = [row.product.id for row in till.stock.low_stock()]
    assert ordered.index(romme) < ordered.index(melk)  # 0,3 of the reorder point before 0,4
    assert len(till.stock.low_stock(limit=2)) == 2


def test_low_stock_leaves_out_stocked_and_inactive_products(till: Till, shift_lead: Person) -> None:
    romme, melk = pid(till, ROMME), pid(till, LETTMELK)
    till.products.update_product(shift_lead, romme, reorder_point_milli=10_000)
    set_stock(till, shift_lead, romme, 11_000)
    set_stock(till, shift_lead, melk, -1_000)
    till.products.set_active(shift_lead, melk, False)
    ids = {row.product.id for row in till.stock.low_stock(limit=10_000)}
    assert romme not in ids and melk not in ids


# -- stocktake -------------------------------------------------------------------------------


def test_a_group_count_from_start_to_posting(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    romme, melk, helmelk = pid(till, ROMME), pid(till, LETTMELK), pid(till, HELMELK)
    set_stock(till, shift_lead, romme, 5_000)
    set_stock(till, shift_lead, melk, 2_000)
    set_stock(till, shift_lead, helmelk, 3_000)
    started = till.stocktakes.start_count(shift_lead, DAIRY)
    assert started == Count(started.id, DAIRY, "2026-11-27 12:00", 0)
    assert till.stocktakes.count(shift_lead, started.id, romme, 2_000) == 2_000
    assert (
        till.stocktakes.count(shift_lead, started.id, romme, 2_000) == 4_000
    )  # a repeat scan adds
    till.stocktakes.set_count(shift_lead, started.id, romme, 3_000)
    assert till.stocktakes.count(shift_lead, started.id, melk, 2_000) == 2_000
    with pytest.raises(Refused, match="not in group 20"):
        till.stocktakes.count(shift_lead, started.id, pid(till, PILSNER), 1_000)

    variances = {v.product.id: v for v in till.stocktakes.variances(started.id)}
    assert (variances[romme].book_milli, variances[romme].counted_milli) == (5_000, 3_000)
    assert variances[romme].diff_milli == -2_000 and variances[romme].counted
    assert variances[melk].diff_milli == 0
    assert not variances[helmelk].counted and variances[helmelk].diff_milli == -3_000
    assert all(v.product.group_code == DAIRY for v in variances.values())
    diffs = [abs(v.diff_milli) for v in till.stocktakes.variances(started.id)]
    assert diffs == sorted(diffs, reverse=True)

    # The till is closed mid-count: a freshly opened till finds the count again.
    reopened = open_till(till.config, clock=Clock(source=time))
    assert reopened.stocktakes.open_count() == Count(started.id, DAIRY, "2026-11-27 12:00", 2)

    sell(reopened, cashier, ROMME)  # sold while counting: book stock is now 4
    before = count(reopened.db, "stock_movement")
    assert reopened.stocktakes.post_count(shift_lead, started.id) == 1
    assert count(reopened.db, "stock_movement") == before + 1
    assert movements(reopened, romme)[-1] == ("count", -1_000)
    assert [on_hand(reopened, p) for p in (romme, melk, helmelk)] == [3_000, 2_000, 3_000]
    row, text = last_row(reopened, "STOCKTAKE")
    assert row.user_number == shift_lead.number
    assert (text["action"], text["count"], text["group"]) == ("post", started.id, DAIRY)
    assert (text["counted"], text["adjusted"], text["zeroed"]) == (2, 1, 0)
    assert (text["plus_milli"], text["minus_milli"]) == (0, -1_000)
    assert reopened.stocktakes.open_count() is None
    with pytest.raises(Refused, match="no longer open"):
        reopened.stocktakes.post_count(shift_lead, started.id)
    with pytest.raises(Refused, match="no longer open"):
        reopened.stocktakes.count(shift_lead, started.id, romme, 1_000)


def test_posting_can_zero_the_groups_uncounted_products(till: Till, shift_lead: Person) -> None:
    romme, helmelk = pid(till, ROMME), pid(till, HELMELK)
    set_stock(till, shift_lead, helmelk, 3_000)
    started = till.stocktakes.start_count(shift_lead, DAIRY)
    till.stocktakes.set_count(shift_lead, started.id, romme, 0)  # counted, none on the shelf
    uncounted = [v for v in till.stocktakes.variances(started.id) if not v.counted]
    assert helmelk in {v.product.id for v in uncounted}
    adjusted = till.stocktakes.post_count(shift_lead, started.id, zero_uncounted=True)
    assert on_hand(till, romme) == 0 and on_hand(till, helmelk) == 0
    assert all(on_hand(till, v.product.id) == 0 for v in uncounted)
    _, text = last_row(till, "STOCKTAKE")
    assert text["zeroed"] == len(uncounted)
    assert adjusted == text["adjusted"] >= len(uncounted)


def test_count_rules(till: Till, cashier: Person, shift_lead: Person) -> None:
    romme = pid(till, ROMME)
    with pytest.raises(Refused):
        till.stocktakes.start_count(cashier, None)
    with pytest.raises(Refused, match="no product group"):
        till.stocktakes.start_count(shift_lead, "77")
    whole = till.stocktakes.start_count(shift_lead, None)
    with pytest.raises(Refused, match="already open"):
        till.stocktakes.start_count(shift_lead, DAIRY)
    with pytest.raises(Refused, match="Nothing has been counted"):
        till.stocktakes.post_count(shift_lead, whole.id)
    for qty in (0, -1_000, 1_500):
        with pytest.raises(Refused):
            till.stocktakes.count(shift_lead, whole.id, romme, qty)
    with pytest.raises(Refused):
        till.stocktakes.set_count(shift_lead, whole.id, romme, -1_000)
    with pytest.raises(Refused):
        till.stocktakes.count(cashier, whole.id, romme, 1_000)
    till.stocktakes.count(shift_lead, whole.id, pid(till, PILSNER), 1_000)  # any group
    with pytest.raises(Refused, match="Only a group count"):
        till.stocktakes.post_count(shift_lead, whole.id, zero_uncounted=True)
    assert till.stocktakes.variances(whole.id)[
        0
    ].counted  # a whole-shop count lists what was counted
    assert len(till.stocktakes.variances(whole.id)) == 1


def test_a_cancelled_count_changes_no_stock(till: Till, shift_lead: Person) -> None:
    romme = pid(till, ROMME)
    level = on_hand(till, romme)
    started = till.stocktakes.start_count(shift_lead, DAIRY)
    till.stocktakes.count(shift_lead, started.id, romme, level + 7_000)
    till.stocktakes.cancel_count(shift_lead, started.id)
    assert till.stocktakes.open_count() is None
    assert on_hand(till, romme) == level
    assert last_row(till, "STOCKTAKE")[1]["action"] == "cancel"
    with pytest.raises(Refused):
        till.stocktakes.post_count(shift_lead, started.id)
    assert till.stocktakes.start_count(shift_lead, DAIRY).id != started.id  # a new count may start


# -- product maintenance ---------------------------------------------------------------------


def new_product(till: Till, person: Person, **changes: Any) -> int:
    fields: dict[str, Any] = {
        "name": "Blåbærsyltetøy 400 g",
        "group_code": "50",
        "vat_bp": 1500,
        "price_ore": 4290,
        "barcodes": [UNKNOWN_EAN],
        "plu": "5999",
    }
    return till.products.add_product(person, **(fields | changes))


def test_add_a_product_that_sells_and_is_found(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    product_id = new_product(till, shift_lead, plu="05999", reorder_point_milli=6_000)
    assert till.catalog.by_barcode(UNKNOWN_EAN).id == product_id
    assert till.catalog.by_plu("5999").name == "Blåbærsyltetøy 400 g"  # as a typed PLU is read
    assert till.catalog.search("blabaersyltetoy")[0].id == product_id
    details = till.stock.details(product_id)
    assert (details.on_hand_milli, details.reorder_point_milli) == (0, 6_000)
    row, text = last_row(till, "MASTERDATA")
    assert row.event_code == "13021" and row.local_time == "12:00:00"
    assert text["action"] == "add" and text["price"] == 4290
    assert till.baskets.add(cashier, UNKNOWN_EAN).unit_price_ore == 4290


def test_barcode_forms(till: Till, shift_lead: Person) -> None:
    ean8, upc = with_check_digit("7312345"), with_check_digit("03600029145")
    product_id = new_product(till, shift_lead, barcodes=[ean8, upc, ean8], plu=None)
    assert till.stock.details(product_id).barcodes == sorted([ean8, "0" + upc])
    with pytest.raises(Refused, match="weight and price labels"):
        till.products.update_product(
            shift_lead, product_id, barcodes=[make_embedded("23", "10101", 250)]
        )


@pytest.mark.parametrize(
    "changes",
    [
        {"barcodes": [ROMME]},  # Rømme's
        {"barcodes": [BAD_CHECK_DIGIT]},
        {"barcodes": ["12345"]},
        {"barcodes": [make_embedded("23", "10101", 250)]},  # a weight label, not a product
        {"plu": "1001"},  # Epler Pink Lady's
        {"plu": "1234567"},
        {"plu": "12a"},
        {"name": "   "},
        {"name": "x" * 81},
        {"group_code": "77"},
        {"vat_bp": 1000},
        {"price_ore": -1},
        {"unit": "l"},
        {"reorder_point_milli": 1_500},
    ],
)
def test_add_refuses_bad_input_and_changes_nothing(
    till: Till, shift_lead: Person, changes: dict[str, Any]
) -> None:
    before = snapshot(till)
    with pytest.raises(Refused):
        new_product(till, shift_lead, **changes)
    assert snapshot(till) == before
    assert till.catalog.search("blabaersyltetoy") == []


def test_a_price_change_is_journaled_with_old_and_new_price(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    romme = pid(till, ROMME)
    time.advance(90)
    till.products.update_product(shift_lead, romme, price_ore=2690)
    row, text = last_row(till, "PRICECHANGE")
    assert (row.event_code, row.local_time, row.user_number) == ("13021", "12:01:30", 2)
    assert (text["product"], text["old"], text["new"]) == (romme, ROMME_PRICE, 2690)
    assert "MASTERDATA" not in [r.basic_id for r in till.journal.rows()]
    assert till.baskets.add(cashier, ROMME).unit_price_ore == 2690


def test_a_name_change_is_journaled_and_searchable(till: Till, shift_lead: Person) -> None:
    romme = pid(till, ROMME)
    till.products.update_product(shift_lead, romme, name="Blåbærrømme 3 dl", vat_bp=1500)
    row, text = last_row(till, "MASTERDATA")
    assert row.event_code == "13021"
    assert text["changed"] == {"name": ["Rømme 18 % 3 dl", "Blåbærrømme 3 dl"]}  # VAT unchanged
    assert [p.id for p in till.catalog.search("blabaerromme")] == [romme]
    assert romme not in [p.id for p in till.catalog.search("romme 18")]
    assert "PRICECHANGE" not in [r.basic_id for r in till.journal.rows()]


def test_update_group_vat_barcodes_and_nothing(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    romme = pid(till, ROMME)
    new_code = with_check_digit("702016476099")
    rows = len(till.journal.rows())
    till.products.update_product(shift_lead, romme, name=" Rømme 18 % 3 dl ", price_ore=ROMME_PRICE)
    assert len(till.journal.rows()) == rows  # nothing changed, nothing journaled
    till.products.update_product(
        shift_lead, romme, group_code="50", vat_bp=2500, barcodes=[new_code]
    )
    _, text = last_row(till, "MASTERDATA")
    assert text["changed"] == {
        "group": [DAIRY, "50"],
        "vat_bp": [1500, 2500],
        "barcodes": [[ROMME], [new_code]],
    }
    assert till.catalog.by_barcode(new_code).group_code == "50"
    with pytest.raises(Refused, match="Unknown code"):
        till.baskets.add(cashier, ROMME)
    with pytest.raises(Refused, match="already belongs"):
        till.products.update_product(shift_lead, pid(till, PILSNER), barcodes=[new_code])
    with pytest.raises(Refused):
        till.products.update_product(shift_lead, romme, price_ore=100, vat_bp=1234)
    assert till.catalog.by_id(romme).price_ore == ROMME_PRICE  # the refusal undid the price


def test_a_deactivated_product_is_no_longer_sold_but_kept(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    romme = pid(till, ROMME)
    sell(till, cashier, ROMME)
    till.products.set_active(shift_lead, romme, False)
    _, text = last_row(till, "MASTERDATA")
    assert text["changed"] == {"active": [True, False]}
    with pytest.raises(Refused, match="no longer sold"):
        till.baskets.add(cashier, ROMME)
    assert till.catalog.search(ROMME)[0].active is False  # still found, shown as not sold
    assert count(till.db, "sale_line", "product_id = ?", romme) == 1
    assert not [name for name in dir(Stock) if "delete" in name or "remove" in name]
    till.products.set_active(shift_lead, romme, True)
    assert till.baskets.add(cashier, ROMME).product_id == romme


@pytest.mark.parametrize(
    "change",
    [
        lambda t, p, i: t.products.add_product(
            p, name="X", group_code="50", vat_bp=1500, price_ore=100, barcodes=[]
        ),
        lambda t, p, i: t.products.update_product(p, i, price_ore=1),
        lambda t, p, i: t.products.set_active(p, i, False),
        lambda t, p, i: t.stock.receive(p, [(i, 1000, None)]),
    ],
)
def test_a_cashier_cannot_change_products_or_stock(
    till: Till, cashier: Person, change: Callable[[Till, Person, int], object]
) -> None:
    before = snapshot(till)
    with pytest.raises(Refused, match="Kari Kasserer may not do"):
        change(till, cashier, pid(till, ROMME))
    assert snapshot(till) == before | {"journal": before["journal"] + 1}  # the DENIED row
    assert till.stock.groups()[:2] == [("10", "Frukt og grønt"), ("20", "Meieri")]
