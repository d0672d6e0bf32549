"""A campaign changed on the till (the campaign list's F7) or by `kassa campaigns change`: the
same check as a new one, journaled (13021) with the same fields as a new one, the old
definition still in the journal; sales already made keep their discounts; a bad change or an
ended campaign is refused with nothing changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from kassa_tui.people.person import Person
from kassa_tui.stock.campaign_edit import (
    CampaignDraft,
    change_campaign,
    create_campaign,
    draft_of,
    find_campaign,
)
from kassa_tui.stock.importing.campaigns import end_campaign

from .conftest import ROMME, ROMME_PRICE, SteeredTime, count

APPLES = "7045811781536"  # Epler Pink Lady 4 stk, 39,90
APPLES_PRICE = 3990
THREE_FOR_TWO = CampaignDraft(
    "3 for 2 epler", "n_for_m", "3", "2", codes=(APPLES,), valid_from="2026-11-27 11:00"
)


def campaign_rows(till: Till) -> list[dict[str, object]]:
    rows = [r for r in till.journal.rows() if r.basic_id == "MASTERDATA"]
    return [json.loads(r.text) for r in rows if "campaign" in json.loads(r.text)]


def snapshot(till: Till) -> tuple[object, ...]:
    return (
        till.db.execute_sql("SELECT * FROM campaign").fetchall(),
        till.db.execute_sql("SELECT * FROM campaign_product ORDER BY rowid").fetchall(),
        count(till.db, "journal"),
    )


def made(till: Till, lead: Person) -> int:
    create_campaign(till.db, till.journal, till.clock, lead, THREE_FOR_TWO)
    return find_campaign(till.db, "3 FOR 2 epler")  # any case


def test_the_form_starts_from_the_campaign_as_it_is(till: Till, shift_lead: Person) -> None:
    campaign = made(till, shift_lead)
    assert draft_of(till.db, campaign) == CampaignDraft(
        "3 for 2 epler", "n_for_m", "3", "2", "", ("1001",), "2026-11-27 11:00", ""
    )


def test_a_change_prices_the_next_basket_and_sales_made_keep_their_discount(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    campaign = made(till, shift_lead)
    for _ in range(3):
        till.baskets.add(cashier, APPLES)
    done = till.sales.pay_card(cashier, "").completed
    assert done is not None and done.total == 2 * APPLES_PRICE
    sold = till.db.execute_sql("SELECT * FROM sale_line ORDER BY id").fetchall()
    # Now: 2 apples or rømme for 50 kr, to the end of the year.
    changed = CampaignDraft(
        "Frukt og rømme", "any_n_for_price", "2", price="50", codes=(APPLES, ROMME),
        valid_from="2026-11-27 11:00", valid_to="2026-12-31 23:59",
    )  # fmt: skip
    change_campaign(till.db, till.journal, till.clock, shift_lead, campaign, changed)
    till.baskets.add(cashier, APPLES)
    till.baskets.add(cashier, ROMME)
    priced = till.baskets.current().priced
    assert priced.total == 5000
    assert {h.name: h.discount_ore for h in priced.campaigns} == {
        "Frukt og rømme": APPLES_PRICE + ROMME_PRICE - 5000
    }
    # The sale made before: its lines, its discount and the name it was sold under.
    assert till.db.execute_sql("SELECT * FROM sale_line ORDER BY id").fetchall() == sold
    kept = till.db.execute_sql("SELECT name, discount_ore FROM sale_campaign").fetchall()
    assert kept == [("3 for 2 epler", APPLES_PRICE)]
    # Journaled as a new campaign is, the old definition still in the row that made it.
    before, after = campaign_rows(till)
    assert before["name"] == "3 for 2 epler" and before["quantity"] == 3
    assert {k: v for k, v in after.items() if k not in ("changed", "user")} == {
        "campaign": campaign,
        "name": "Frukt og rømme",
        "kind": "n_for_price",
        "quantity": 2,
        "pay_for": 0,
        "price": 5000,
        "products": 2,
        "valid_from": "2026-11-27T10:00:00.000000Z",
        "valid_to": "2026-12-31T22:59:00.000000Z",
    }
    assert after["changed"] is True and set(after) == set(before) | {"changed"}
    row = [r for r in till.journal.rows() if r.basic_id == "MASTERDATA"][-1]
    assert row.event_code == "13021" and row.user_number == shift_lead.number


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"price": "-5", "kind": "n_for_price"}, "the price must be more than zero"),
        ({"codes": ("7038010009990",)}, "no active product has the code 7038010009990"),
        ({"valid_to": "2026-11-27 10:00"}, "'to' is not after 'from'"),
        ({"name": "Taken"}, "a campaign named Taken already exists"),
        ({"valid_to": "2026-11-27 11:30"}, "'to' has passed"),  # the clock is at 12:00
    ],
)
def test_a_bad_change_is_refused_and_nothing_changes(
    till: Till, shift_lead: Person, changes: dict[str, object], problem: str
) -> None:
    campaign = made(till, shift_lead)
    taken = CampaignDraft("Taken", "n_for_m", "2", "1", codes=(ROMME,), valid_from="2026-11-27")
    create_campaign(till.db, till.journal, till.clock, shift_lead, taken)
    before = snapshot(till)
    fields = {**THREE_FOR_TWO.__dict__, **changes}
    with pytest.raises(Refused) as refused:
        change_campaign(
            till.db, till.journal, till.clock, shift_lead, campaign, CampaignDraft(**fields)
        )
    assert problem in refused.value.message
    assert snapshot(till) == before


def test_an_ended_campaign_and_a_cashier_are_refused(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    campaign = made(till, shift_lead)
    with pytest.raises(Refused):
        change_campaign(till.db, till.journal, till.clock, cashier, campaign, THREE_FOR_TWO)
    time.advance(60)
    end_campaign(till.db, till.journal, till.clock, shift_lead, campaign)
    before = snapshot(till)
    with pytest.raises(Refused) as refused:
        change_campaign(till.db, till.journal, till.clock, shift_lead, campaign, THREE_FOR_TWO)
    assert "3 for 2 epler has already ended." in refused.value.message
    assert snapshot(till) == before


def test_kassa_campaigns_change_changes_only_what_is_given(
    till: Till, shift_lead: Person, tmp_path: Path
) -> None:
    from kassa_tui.cli import main

    campaign = made(till, shift_lead)
    config = str(tmp_path / "kassa.toml")
    runner = CliRunner()
    result = runner.invoke(
        main, ["--config", config, "campaigns", "change", "3 for 2 epler", "--quantity", "4",
               "--pay-for", "3", "--to", "2099-12-24 14:00"],
        input="2\n2222\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Campaign 3 for 2 epler changed." in result.output
    draft = draft_of(till.db, campaign)
    assert (draft.quantity, draft.pay_for, draft.codes) == ("4", "3", ("1001",))
    assert (draft.valid_from, draft.valid_to) == ("2026-11-27 11:00", "2099-12-24 14:00")
    bad = runner.invoke(
        main,
        ["--config", config, "campaigns", "change", "3 for 2 epler", "--pay-for", "5"],
        input="2\n2222\n",
    )
    assert bad.exit_code != 0 and "the customer must pay for at least one" in bad.output
    assert draft_of(till.db, campaign) == draft
    unknown = runner.invoke(main, ["--config", config, "campaigns", "change", "Nope"])
    assert unknown.exit_code != 0 and "No campaign is named Nope." in unknown.output


def test_kassa_campaigns_change_keeps_a_members_only_campaign_for_members(
    till: Till, shift_lead: Person, tmp_path: Path
) -> None:
    from kassa_tui.cli import main
    from kassa_tui.club.campaigns import members_only

    members = CampaignDraft(**{**THREE_FOR_TWO.__dict__, "members_only": True})
    create_campaign(till.db, till.journal, till.clock, shift_lead, members)
    campaign = find_campaign(till.db, "3 for 2 epler")
    result = CliRunner().invoke(
        main,
        ["--config", str(tmp_path / "kassa.toml"), "campaigns", "change", "3 for 2 epler",
         "--quantity", "4", "--pay-for", "3"],
        input="2\n2222\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert draft_of(till.db, campaign).quantity == "4"
    assert members_only(till.db, (campaign,))
