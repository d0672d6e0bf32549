"""An open basket follows the till's clock (issue 14): a planned price or a campaign that starts
or ends while the basket is open re-prices it, and completing a sale uses the prices in force
then. The till's clock is steered; nothing here reads the computer's time."""

from __future__ import annotations

import json

from kassa_tui.composition import Till
from kassa_tui.people.person import Person
from kassa_tui.selling.repricing import ClockFollower
from kassa_tui.stock.importing.campaigns import import_campaigns, read_campaigns
from kassa_tui.stock.planned_prices import switch_due

from .conftest import ROMME, ROMME_PRICE, SteeredTime, print_waiting

APPLES = "7045811781536"  # Epler Pink Lady 4 stk, 39,90
APPLES_PRICE = 3990
HEADER = "campaign;type;products;quantity;price;from;to\n"
# The clock starts at 12:00 in Oslo.
ROMME_AT_1230 = HEADER + f"Ukepris rømme;planned_price;{ROMME};;19,90;2026-11-27 12:30;\n"


def load(till: Till, person: Person, text: str) -> None:
    import_campaigns(till.db, till.journal, till.clock, person, read_campaigns(till.db, text))


def follower(till: Till) -> ClockFollower:
    return ClockFollower(till.db, till.journal, till.clock, till.baskets)


def switch(till: Till) -> object:
    return switch_due(till.db, till.journal, till.clock)


def reprices(till: Till) -> list[dict[str, object]]:
    return [json.loads(r.text) for r in till.journal.rows() if r.basic_id == "LINEREPRICE"]


def test_a_planned_price_starting_re_prices_the_open_basket_at_the_minute(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    load(till, shift_lead, ROMME_AT_1230)
    till.baskets.add(cashier, ROMME)
    eye = follower(till)
    assert eye.tick(lambda: switch(till)) is None  # the first reading: nothing to compare
    time.advance(29 * 60)  # 12:29: not yet
    assert eye.tick(lambda: switch(till)) is None
    assert till.baskets.current().priced.total == ROMME_PRICE
    time.advance(60)  # 12:30
    note = eye.tick(lambda: switch(till))
    assert note is not None and "12:30" in note and "Rømme 18 % 3 dl now 19,90" in note
    assert till.baskets.current().priced.total == 1990
    [row] = reprices(till)
    assert (row["old"], row["new"]) == (ROMME_PRICE, 1990)
    assert eye.tick(lambda: switch(till)) is None  # the same minute: nothing more
    done = till.sales.pay_cash(cashier, "").completed
    assert done is not None and done.total == 1990
    [receipt] = print_waiting(till)
    assert b"19,90" in receipt and b"24,90" not in receipt


def test_completion_uses_the_price_in_force_without_the_screen(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    load(till, shift_lead, ROMME_AT_1230)
    till.baskets.add(cashier, ROMME, 2000)
    time.advance(30 * 60)
    switch(till)  # the app's own switch; no sale screen ticked
    done = till.sales.pay_card(cashier, "").completed
    assert done is not None and done.total == 2 * 1990
    stored = till.db.execute_sql(
        "SELECT unit_price_ore, amount_ore FROM sale_line WHERE sale_id = ?", (done.sale_id,)
    ).fetchall()
    assert stored == [(1990, 3980)]
    assert len(reprices(till)) == 1


def test_campaigns_starting_and_ending_are_told(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    load(till, shift_lead, HEADER + f"3 for 2 epler;n_for_m;{APPLES};3/2;;2026-11-27 12:01;"
         "2026-11-27 12:03\n")  # fmt: skip
    till.baskets.add(cashier, APPLES, 3000)
    eye = follower(till)
    eye.tick()
    time.advance(60)
    assert eye.tick() == "12:01: prices changed, the basket is priced again: 3 for 2 epler starts."
    assert till.baskets.current().priced.total == 2 * APPLES_PRICE
    time.advance(60)
    assert eye.tick() is None  # 12:02: it still runs
    time.advance(60)
    assert eye.tick() == (
        "12:03: prices changed, the basket is priced again: 3 for 2 epler has ended."
    )
    assert till.baskets.current().priced.total == 3 * APPLES_PRICE
    assert reprices(till) == []  # a campaign changes no line's price: it is the discount


def test_a_price_override_keeps_its_price(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    load(till, shift_lead, ROMME_AT_1230)
    line = till.baskets.add(cashier, ROMME)
    till.baskets.override_price(cashier, line.id, "22", "2", "2222")
    time.advance(30 * 60)
    switch(till)
    assert till.baskets.current().priced.total == 2200
    till.baskets.add(cashier, ROMME)  # scanned now: the new price
    assert till.baskets.current().priced.total == 2200 + 1990
    assert reprices(till) == []


def test_a_basket_with_a_payment_keeps_its_prices(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    load(till, shift_lead, ROMME_AT_1230)
    till.baskets.add(cashier, ROMME, 3000)
    till.sales.pay_card(cashier, "10")  # part paid at 3 x 24,90
    time.advance(30 * 60)
    switch(till)
    done = till.sales.pay_cash(cashier, "").completed
    assert done is not None and done.total == 3 * ROMME_PRICE
    assert reprices(till) == []


def test_pant_and_a_bottle_return_slip_keep_their_amounts(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    cola = "7089275897952"  # Coca-Cola 1,5 l, 39,90, pant 3,00
    load(till, shift_lead, HEADER + f"Cola;planned_price;{cola};;29,90;2026-11-27 12:30;\n")
    till.baskets.add(cashier, cola)
    till.baskets.add(cashier, "9800004300127")  # a slip for 12 kr
    time.advance(30 * 60)
    switch(till)
    done = till.sales.pay_cash(cashier, "").completed
    assert done is not None and done.total == 2990 + 300 - 1200
    assert [(r["old"], r["new"]) for r in reprices(till)] == [(3990, 2990)]


def test_a_planned_price_due_at_payment_is_switched_then_without_any_timer(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    """Nothing switched it yet (no app, no screen): paying switches it first, journaled as a
    price change (13021), and the sale is paid at the new price."""
    load(till, shift_lead, ROMME_AT_1230)
    till.baskets.add(cashier, ROMME)
    time.advance(30 * 60)
    done = till.sales.pay_cash(cashier, "").completed
    assert done is not None and done.total == 1990
    changes = [json.loads(r.text) for r in till.journal.rows() if r.basic_id == "PRICECHANGE"]
    assert [(c["old"], c["new"], c["step"]) for c in changes] == [(ROMME_PRICE, 1990, "start")]
    assert [(r["old"], r["new"]) for r in reprices(till)] == [(ROMME_PRICE, 1990)]
