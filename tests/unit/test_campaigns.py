"""The campaign engine: best combination for the customer, with hand-computed totals."""

from __future__ import annotations

from kassa_tui.catalog.pricing import Line, price
from kassa_tui.selling.campaigns import Campaign, best_combination


def line(line_id: int, product_id: int, unit_price: int, qty: int = 1, **kw: object) -> Line:
    return Line(
        id=line_id,
        position=line_id,
        product_id=product_id,
        code=str(product_id),
        name=f"P{product_id}",
        group_code="10",
        vat_bp=kw.pop("vat_bp", 2500),  # type: ignore[arg-type]
        unit=kw.pop("unit", "stk"),  # type: ignore[arg-type]
        unit_price_ore=unit_price,
        list_price_ore=unit_price,
        qty_milli=qty * 1000,
        **kw,  # type: ignore[arg-type]
    )


THREE_FOR_TWO = Campaign(1, "3 for 2 brus", "n_for_m", 3, pay_for=2, product_ids=frozenset({1}))
TWO_FOR_50 = Campaign(
    2, "2 for 50 kr", "n_for_price", 2, price_ore=5000, product_ids=frozenset({2})
)
ANY_3_FOR_99 = Campaign(
    3, "Velg 3 for 99", "n_for_price", 3, price_ore=9900, product_ids=frozenset({4, 5, 6})
)


def total(lines: list[Line], campaigns: list[Campaign]) -> int:
    return price(lines, [], campaigns=best_combination(lines, campaigns)).total


def test_three_for_two_one_line() -> None:
    # 7 x 20,00 = 140,00; two groups of three: two free = 40,00 off; 100,00 to pay.
    lines = [line(1, 1, 2000, qty=7)]
    hits = best_combination(lines, [THREE_FOR_TWO])
    assert [(h.name, h.groups, h.discount_ore) for h in hits] == [("3 for 2 brus", 2, 4000)]
    assert total(lines, [THREE_FOR_TWO]) == 10000


def test_two_for_fifty_needs_two() -> None:
    assert best_combination([line(1, 2, 2990)], [TWO_FOR_50]) == []
    # 3 x 29,90 = 89,70: one pair for 50,00 (9,80 off), the third at 29,90 = 79,90.
    assert total([line(1, 2, 2990, qty=3)], [TWO_FOR_50]) == 7990


def test_fixed_price_never_raises_a_price() -> None:
    # Two at 20,00 are cheaper than "2 for 50 kr": no discount, no line.
    assert best_combination([line(1, 2, 2000, qty=2)], [TWO_FOR_50]) == []


def test_mix_and_match_takes_the_dearest_units() -> None:
    # 45 + 40 + 35 + 30 (four units, four lines); one group of the three dearest for 99,00:
    # 120,00 - 99,00 = 21,00 off; the 30,00 is paid in full: 99 + 30 = 129,00.
    lines = [line(1, 4, 4500), line(2, 5, 4000), line(3, 6, 3500), line(4, 6, 3000)]
    hits = best_combination(lines, [ANY_3_FOR_99])
    assert hits[0].discount_ore == 2100
    assert hits[0].line_shares.get(4, 0) == 0
    assert sum(hits[0].line_shares.values()) == 2100
    assert total(lines, [ANY_3_FOR_99]) == 12900


def test_three_for_two_mixed_gives_the_cheapest_free() -> None:
    mixed = Campaign(5, "3 for 2 sjokolade", "n_for_m", 3, pay_for=2, product_ids=frozenset({7, 8}))
    # 30 + 25 + 10: the 10,00 is free: 55,00.
    lines = [line(1, 7, 3000), line(2, 8, 2500), line(3, 8, 1000)]
    hits = best_combination(lines, [mixed])
    assert hits[0].discount_ore == 1000
    assert dict(hits[0].line_shares) == {1: 0, 2: 0, 3: 1000}
    assert total(lines, [mixed]) == 5500


def test_overlapping_campaigns_best_for_the_customer() -> None:
    # Product 9 (40,00) is in both. "3 for 2" on 9 alone: 3 x 40 -> 40,00 off.
    # "Any 3 of 9/10 for 60": taking 9, 9, 9 saves 60,00 alone; with 10 (30,00) too.
    # Basket: 9 x3, 10 x3 (3 x 40 + 3 x 30 = 210,00).
    # A: 3 for 2 on the 9s (40 off), then any 3 on the 10s: 90 - 60 = 30 off -> 70 off.
    # B: any-3 first on the 9s (120 - 60 = 60 off), then the 10s (30 off) -> 90 off. Best: B.
    three_for_two = Campaign(6, "3 for 2", "n_for_m", 3, pay_for=2, product_ids=frozenset({9}))
    any_three = Campaign(
        7, "3 for 60", "n_for_price", 3, price_ore=6000, product_ids=frozenset({9, 10})
    )
    lines = [line(1, 9, 4000, qty=3), line(2, 10, 3000, qty=3)]
    hits = best_combination(lines, [three_for_two, any_three])
    assert sum(h.discount_ore for h in hits) == 9000
    assert [h.name for h in hits] == ["3 for 60"]
    assert total(lines, [three_for_two, any_three]) == 12000


def test_order_of_campaigns_matters_and_the_best_is_found() -> None:
    # 3 for 2 on product 11 (50,00) and 2 for 60 on 11/12 (12 at 45,00).
    # Basket: 11 x3, 12 x1 = 195,00.
    # 3 for 2 first: 50 off; then 12 alone cannot make a pair: 50 off.
    # 2 for 60 first: (50+50) -> 40 off, (50+45) -> 35 off: 75 off. Best: 75 off: 120,00.
    a = Campaign(8, "3 for 2", "n_for_m", 3, pay_for=2, product_ids=frozenset({11}))
    b = Campaign(9, "2 for 60", "n_for_price", 2, price_ore=6000, product_ids=frozenset({11, 12}))
    lines = [line(1, 11, 5000, qty=3), line(2, 12, 4500)]
    assert total(lines, [a, b]) == 12000
    assert total(lines, [b, a]) == 12000


def test_many_unrelated_campaigns_all_apply() -> None:
    # Eight '3 for 2' on eight products (10,00 .. 80,00), three of each in the basket: each
    # gives one unit free, 10 + 20 + ... + 80 = 360,00 off (each group is priced on its own).
    campaigns = [
        Campaign(20 + n, f"3 for 2 #{n}", "n_for_m", 3, pay_for=2, product_ids=frozenset({n}))
        for n in range(1, 9)
    ]
    lines = [line(n, n, n * 1000, qty=3) for n in range(1, 9)]
    hits = best_combination(lines, campaigns)
    assert len(hits) == 8 and sum(h.discount_ore for h in hits) == 36000
    assert total(lines, campaigns) == 3 * 36000 - 36000


def test_lines_with_their_own_price_or_weight_stay_out() -> None:
    lines = [
        line(1, 1, 2000, qty=2),
        line(2, 1, 2000, overridden=True),
        line(3, 1, 2000, discount_ore=100),
    ]
    assert best_combination(lines, [THREE_FOR_TWO]) == []
    weighed = [line(1, 1, 2000, qty=3, unit="kg")]
    assert best_combination(weighed, [THREE_FOR_TWO]) == []


def test_vat_per_line_follows_the_campaign_share() -> None:
    # 3 for 2 over a 25 % line: 3 x 20,00 = 60,00 - 20,00 = 40,00; VAT 8,00.
    lines = [line(1, 1, 2000, qty=3)]
    priced = price(lines, [], campaigns=best_combination(lines, [THREE_FOR_TWO]))
    assert priced.total == 4000
    assert priced.vat == 800
    assert priced.discount == 2000
    assert priced.lines[0].discount == 2000


# -- in the till: the basket, the sale, the receipt, X, SAF-T, the import, planned prices -------

import json  # noqa: E402
from datetime import date  # noqa: E402

import pytest  # noqa: E402

from devices.render import render  # noqa: E402
from kassa_tui.composition import Till  # noqa: E402
from kassa_tui.core.errors import Refused  # noqa: E402
from kassa_tui.people.person import Person  # noqa: E402
from kassa_tui.stock.importing.campaigns import (  # noqa: E402
    import_campaigns,
    list_campaigns,
    read_campaigns,
)
from kassa_tui.stock.planned_prices import switch_due  # noqa: E402

from .conftest import (  # noqa: E402
    ROMME,
    ROMME_PRICE,
    SteeredTime,
    count,
    print_waiting,
)

APPLES = "7045811781536"  # Epler Pink Lady 4 stk, 39,90 (no pant, whatever the demo adds)
APPLES_PRICE = 3990
HEADER = "campaign;type;products;quantity;price;from;to\n"
# The conftest clock: 2026-11-27 12:00 in Oslo.
PILS_3_FOR_2 = HEADER + f"3 for 2 epler;n_for_m;{APPLES};3/2;;2026-11-27;2026-11-28 00:00\n"


def load(till: Till, person: Person, text: str) -> None:
    import_campaigns(till.db, till.journal, till.clock, person, read_campaigns(till.db, text))


def test_scanned_lines_get_the_campaign_and_lose_it_when_corrected(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    load(till, shift_lead, PILS_3_FOR_2)
    for _ in range(3):
        till.baskets.add(cashier, APPLES)
    priced = till.baskets.current().priced
    assert priced.total == 2 * APPLES_PRICE
    assert [(h.name, h.discount_ore) for h in priced.campaigns] == [("3 for 2 epler", APPLES_PRICE)]
    till.baskets.remove_line(cashier, priced.lines[2].line.id)  # corrected: two left
    priced = till.baskets.current().priced
    assert priced.campaigns == () and priced.total == 2 * APPLES_PRICE
    till.baskets.set_quantity(cashier, priced.lines[0].line.id, "2")  # 3 again: 2 + 1
    assert till.baskets.current().priced.total == 2 * APPLES_PRICE


def test_a_campaign_sale_is_stored_printed_and_counted(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    load(till, shift_lead, PILS_3_FOR_2)
    till.baskets.add(cashier, ROMME)
    till.baskets.add(cashier, APPLES, 3000)
    done = till.sales.pay_card(cashier, "").completed
    assert done is not None and done.total == ROMME_PRICE + 2 * APPLES_PRICE
    # Stored: the lines carry it as discount; the campaign keeps its own row.
    discount = till.db.execute_sql(
        "SELECT SUM(discount_ore) FROM sale_line WHERE sale_id = ?", (done.sale_id,)
    ).fetchone()[0]
    assert discount == APPLES_PRICE
    assert till.db.execute_sql(
        "SELECT name, groups, discount_ore FROM sale_campaign WHERE sale_id = ?", (done.sale_id,)
    ).fetchall() == [("3 for 2 epler", 1, APPLES_PRICE)]
    sale_row = [r for r in till.journal.rows() if r.basic_id == "SALE"][-1]
    assert json.loads(sale_row.text)["campaigns"] == [[1, "3 for 2 epler", 1, APPLES_PRICE]]
    # The receipt: the campaign's line by name, no 'sale discount'.
    job = till.print_queue.pending()[-1]
    data = render(job.doc, till.config.printer, kick_drawer=job.kick_drawer)
    assert b"3 for 2 epler" in data and b"-39,90" in data
    assert "Rabatt på kjøpet".encode("cp865") not in data
    assert b"Herav rabatt" in data
    print_waiting(till)
    # X: a discount, its amount; the campaign list counts the sale.
    x = till.reports.x_report(shift_lead)
    assert (x.discounts.num, x.discounts.amount) == (1, APPLES_PRICE)
    listed = list_campaigns(till.db)
    assert [(c.name, c.sales, c.discount_ore) for c in listed] == [
        ("3 for 2 epler", 1, APPLES_PRICE)
    ]


def test_saft_with_a_campaign_sale_is_valid(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    from kassa_tui.saft.export import export_saft

    from .test_saft import NS, schema

    load(till, shift_lead, PILS_3_FOR_2)
    till.baskets.add(cashier, APPLES, 3000)
    assert till.sales.pay_cash(cashier, "").completed
    print_waiting(till)
    path = export_saft(
        till.db,
        till.config,
        date(2026, 11, 27),
        date(2026, 11, 27),
        till.config.database.parent / "saft",
        clock=till.clock,
    )
    from lxml import etree

    doc = etree.parse(str(path))
    schema().assertValid(doc)
    amounts = doc.findall(".//s:ctLine/s:discount/s:dscAmnt", NS)
    assert [a.text for a in amounts] == ["39.90"]


def test_campaigns_run_only_from_and_to(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    load(till, shift_lead, HEADER + f"Senere;n_for_m;{APPLES};3/2;;2026-11-27 12:30;\n")
    till.baskets.add(cashier, APPLES, 3000)
    assert till.baskets.current().priced.total == 3 * APPLES_PRICE
    time.advance(30 * 60)  # 12:30: it starts on the minute
    assert till.baskets.current().priced.total == 2 * APPLES_PRICE


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (f"X;n_for_price;{APPLES};2;-10;2026-11-27;", "the price must be more than zero"),
        ("X;n_for_m;7038010009990;3/2;;2026-11-27;", "no active product has the code"),
        (f"X;n_for_m;{APPLES};2/2;;2026-11-27;", "must pay for at least one"),
        (f"X;n_for_m;{APPLES};3/2;;2026-11-28;2026-11-27", "'to' is not after 'from'"),
        (f"X;buy_one;{APPLES};3/2;;2026-11-27;", "is not one of"),
        (f"X;n_for_m;{APPLES};3/2;;27.11.2026;", "'from' must be a date"),
        (f"X;planned_price;{ROMME};;abc;2026-11-27;", "is not a price"),
        (f"Snø ☃;n_for_m;{APPLES};3/2;;2026-11-27;", "cannot print"),
    ],
)
def test_a_bad_row_rejects_the_file_and_nothing_changes(
    till: Till, shift_lead: Person, row: str, problem: str
) -> None:
    good = f"God;n_for_m;{ROMME};3/2;;2026-11-27;\n"
    journal_rows = count(till.db, "journal")
    with pytest.raises(Refused) as refused:
        load(till, shift_lead, HEADER + good + row + "\n")
    assert "line 3: " in refused.value.message and problem in refused.value.message
    assert count(till.db, "campaign") == 0 and count(till.db, "planned_price") == 0
    assert count(till.db, "journal") == journal_rows


def test_a_name_already_taken_is_refused(till: Till, shift_lead: Person) -> None:
    load(till, shift_lead, PILS_3_FOR_2)
    with pytest.raises(Refused, match="already exists"):
        load(till, shift_lead, PILS_3_FOR_2)
    assert count(till.db, "campaign") == 1


def test_planned_price_switches_on_the_minute_and_back(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    load(
        till,
        shift_lead,
        HEADER + f"Ukepris;planned_price;{ROMME};;19,90;2026-11-27 12:01;2026-11-27 12:03\n",
    )
    price_rows = lambda: [  # noqa: E731
        json.loads(r.text) for r in till.journal.rows() if r.basic_id == "PRICECHANGE"
    ]
    assert switch_due(till.db, till.journal, till.clock) == []
    time.advance(59)
    assert switch_due(till.db, till.journal, till.clock) == []
    time.advance(1)  # 12:01:00
    assert [(s.old, s.new) for s in switch_due(till.db, till.journal, till.clock)] == [
        (ROMME_PRICE, 1990)
    ]
    assert switch_due(till.db, till.journal, till.clock) == []  # once
    assert [(r["old"], r["new"]) for r in price_rows()] == [(ROMME_PRICE, 1990)]
    assert [r.event_code for r in till.journal.rows() if r.basic_id == "PRICECHANGE"] == ["13021"]
    till.baskets.add(cashier, ROMME)
    assert till.baskets.current().priced.total == 1990
    time.advance(120)  # 12:03: back to the old price
    switch_due(till.db, till.journal, till.clock)
    assert [(r["old"], r["new"]) for r in price_rows()] == [
        (ROMME_PRICE, 1990),
        (1990, ROMME_PRICE),
    ]
    assert till.catalog.by_barcode(ROMME).price_ore == ROMME_PRICE


def test_planned_price_missed_while_off_never_takes_effect(
    till: Till, shift_lead: Person, time: SteeredTime
) -> None:
    load(
        till,
        shift_lead,
        HEADER + f"Kort;planned_price;{ROMME};;19,90;2026-11-27 12:01;2026-11-27 12:02\n",
    )
    time.advance(3600)
    assert switch_due(till.db, till.journal, till.clock) == []
    assert till.catalog.by_barcode(ROMME).price_ore == ROMME_PRICE


def test_a_campaign_is_not_the_cashiers_discount_in_the_signals(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    from kassa_tui.dayclose.signals import signals

    load(till, shift_lead, PILS_3_FOR_2)
    till.baskets.add(cashier, APPLES, 3000)
    assert till.sales.pay_card(cashier, "").completed
    print_waiting(till)
    report = signals(till.db, till.config.register_id, "2026-11-27", "2026-11-27")
    assert report.cashier(1).sales == 1
    assert report.cashier(1).figures["discounts"].count == 0


def test_returning_part_of_a_campaign_line_refunds_what_was_paid_for_it(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    # 3 for 2 on 39,90 apples: 79,80 paid for three, so one back refunds 26,60 (a third of
    # what was paid for the line), never the full 39,90.
    load(till, shift_lead, PILS_3_FOR_2)
    till.baskets.add(cashier, APPLES, 3000)
    done = till.sales.pay_card(cashier, "").completed
    assert done is not None and done.total == 2 * APPLES_PRICE
    print_waiting(till)
    till.returns.return_lines(cashier, done.receipt_nr, [(1, 1000)], "Feil vare", "2", "2222")
    refund = till.db.execute_sql(
        "SELECT total_ore FROM sale WHERE kind = 'return' ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]
    assert refund == -2660


def test_a_price_set_by_hand_during_a_planned_price_stays_at_its_end(
    till: Till, shift_lead: Person, time: SteeredTime
) -> None:
    load(
        till,
        shift_lead,
        HEADER + f"Ukepris;planned_price;{ROMME};;19,90;2026-11-27 12:00;2026-11-27 13:00\n",
    )
    switch_due(till.db, till.journal, till.clock)
    product = till.catalog.by_barcode(ROMME)
    assert product.price_ore == 1990
    till.products.update_product(shift_lead, product.id, price_ore=2290)  # by hand
    time.advance(3600)
    assert switch_due(till.db, till.journal, till.clock) == []
    assert till.catalog.by_barcode(ROMME).price_ore == 2290
