"""A campaign made by the shift lead on the till: the same check and the same journal row as a
CSV import of the same campaign; a bad one names the problem and changes nothing (issue 14)."""

from __future__ import annotations

import json

import pytest

from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from kassa_tui.people.person import Person
from kassa_tui.stock.campaign_edit import CampaignDraft, create_campaign, find_product
from kassa_tui.stock.importing.campaigns import import_campaigns, read_campaigns

from .conftest import LOOSE_APPLES_PLU, ROMME, ROMME_PRICE, count

APPLES = "7045811781536"  # Epler Pink Lady 4 stk, 39,90
APPLES_PRICE = 3990


def make(till: Till, person: Person, draft: CampaignDraft) -> None:
    create_campaign(till.db, till.journal, till.clock, person, draft)


def three_for_two(*name: str, **changes: object) -> CampaignDraft:
    fields: dict[str, object] = {
        "name": name[0] if name else "3 for 2 epler",
        "kind": "n_for_m",
        "quantity": "3",
        "pay_for": "2",
        "codes": (APPLES,),
        "valid_from": "2026-11-27 12:00",
        "valid_to": "",
    }
    fields.update(changes)
    return CampaignDraft(**fields)  # type: ignore[arg-type]


def test_each_kind_prices_the_basket(till: Till, cashier: Person, shift_lead: Person) -> None:
    make(till, shift_lead, three_for_two())
    make(
        till,
        shift_lead,
        CampaignDraft("2 rømme for 40", "n_for_price", "2", price="40", codes=(ROMME,),
                      valid_from="2026-11-27 12:00"),
    )  # fmt: skip
    for _ in range(3):
        till.baskets.add(cashier, APPLES)
    for _ in range(2):
        till.baskets.add(cashier, ROMME)
    priced = till.baskets.current().priced
    assert priced.total == 2 * APPLES_PRICE + 4000
    assert {h.name: h.discount_ore for h in priced.campaigns} == {
        "3 for 2 epler": APPLES_PRICE,
        "2 rømme for 40": 2 * ROMME_PRICE - 4000,
    }


def test_any_n_from_a_list(till: Till, cashier: Person, shift_lead: Person) -> None:
    make(
        till,
        shift_lead,
        CampaignDraft("Velg 2 for 50", "any_n_for_price", "2", price="50,00",
                      codes=(APPLES, ROMME), valid_from="2026-11-27 11:00"),
    )  # fmt: skip
    till.baskets.add(cashier, APPLES)
    till.baskets.add(cashier, ROMME)
    assert till.baskets.current().priced.total == 5000


def test_journaled_exactly_as_the_import_of_the_same_campaign(
    till: Till, shift_lead: Person
) -> None:
    make(till, shift_lead, three_for_two("Fra skjemaet", valid_to="2026-12-24 14:00"))
    csv = (
        "campaign;type;products;quantity;price;from;to\n"
        f"Fra fila;n_for_m;{APPLES};3/2;;2026-11-27 12:00;2026-12-24 14:00\n"
    )
    import_campaigns(till.db, till.journal, till.clock, shift_lead, read_campaigns(till.db, csv))
    form_row, csv_row = [r for r in till.journal.rows() if r.basic_id == "MASTERDATA"][-2:]
    assert form_row.event_code == csv_row.event_code == "13021"
    assert form_row.user_number == csv_row.user_number == 2
    form, imported = json.loads(form_row.text), json.loads(csv_row.text)
    assert form.pop("name") == "Fra skjemaet" and imported.pop("name") == "Fra fila"
    assert form.pop("campaign") + 1 == imported.pop("campaign")
    assert form == imported
    rows = till.db.execute_sql(
        "SELECT kind, quantity, pay_for, price_ore, valid_from_utc, valid_to_utc, active"
        " FROM campaign ORDER BY id"
    ).fetchall()
    utc = ("2026-11-27T11:00:00.000000Z", "2026-12-24T13:00:00.000000Z")  # 12:00, 14:00 Oslo
    assert rows[0] == rows[1] == ("n_for_m", 3, 2, 0, *utc, 1)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (
            {"kind": "n_for_price", "price": "-10", "pay_for": ""},
            "the price must be more than zero",
        ),
        ({"kind": "n_for_price", "price": "0", "pay_for": ""}, "the price must be more than zero"),
        (
            {"kind": "n_for_price", "price": "119,70", "pay_for": ""},
            "3 of these cost at most 119,70",
        ),
        ({"codes": ("7038010009990",)}, "no active product has the code 7038010009990"),
        ({"codes": ()}, "no products"),
        ({"codes": (LOOSE_APPLES_PLU,)}, "is sold by weight"),
        ({"pay_for": "3"}, "must pay for at least one"),
        ({"pay_for": ""}, "N and M are whole numbers"),
        ({"valid_to": "2026-11-27 11:00"}, "'to' is not after 'from'"),
        ({"valid_from": "27.11.2026"}, "'from' must be a date"),
        ({"name": ""}, "the campaign has no name"),
        ({"name": "Snø ☃"}, "cannot print"),
        ({"kind": "n_for_price", "price": "50", "codes": (APPLES, ROMME)}, "is for one product"),
        ({"kind": "any_n_for_price", "price": "50"}, "needs at least two products"),
    ],
)
def test_a_bad_campaign_is_refused_and_nothing_changes(
    till: Till, shift_lead: Person, changes: dict[str, object], problem: str
) -> None:
    journal_rows = count(till.db, "journal")
    with pytest.raises(Refused) as refused:
        make(till, shift_lead, three_for_two(**changes))
    assert problem in refused.value.message
    assert "line" not in refused.value.message  # the form has no lines
    assert count(till.db, "campaign") == 0 and count(till.db, "campaign_product") == 0
    assert count(till.db, "journal") == journal_rows


def test_a_name_taken_and_a_cashier_are_refused(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    make(till, shift_lead, three_for_two())
    with pytest.raises(Refused, match="a campaign named 3 FOR 2 EPLER already exists"):
        make(till, shift_lead, three_for_two("3 FOR 2 EPLER"))
    with pytest.raises(Refused, match="may not"):
        make(till, cashier, three_for_two("Annen"))
    assert count(till.db, "campaign") == 1


def test_the_import_refuses_a_price_above_the_normal_price_too(
    till: Till, shift_lead: Person
) -> None:
    """One check for both: the CSV row meets the same rule as the form."""
    csv = f"campaign;type;products;quantity;price;from;to\nX;n_for_price;{ROMME};2;49,80;2026-11-27"
    with pytest.raises(Refused, match="line 2: 2 of these cost at most 49,80"):
        read_campaigns(till.db, csv)


def test_find_product_names_what_was_scanned(till: Till) -> None:
    found = find_product(till.db, APPLES)
    assert (found.code, found.price_ore) == (APPLES, APPLES_PRICE) and "Epler" in found.name
    with pytest.raises(Refused, match="no active product has the code 123"):
        find_product(till.db, "123")
