"""Member prices: a members-only campaign applies only while a member is on the basket (the
total on the screen, the sale, X/Z's campaign lines); the CSV column and its bad values."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from kassa_tui.club.members import Club
from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from kassa_tui.people.person import Person
from kassa_tui.selling import club_basket
from kassa_tui.stock.importing.campaigns import import_campaigns, read_campaigns
from tests.unit.conftest import count

FRIELE = "7033065279701"  # Friele Frokostkaffe Filtermalt 250 g, 64,90
HEADER = "kampanje;type;produkter;antall;pris;fra;til;kun_medlemmer\n"
MEMBER_PRICE = "Medlemspris 2 Friele for 99 kr;n_for_price;5055;2;99;2026-01-01;;ja\n"


def load(till: Till, person: Person, text: str) -> None:
    import_campaigns(till.db, till.journal, till.clock, person, read_campaigns(till.db, text))


def total(till: Till) -> int:
    return till.baskets.current().priced.total


def test_a_members_only_campaign_prices_only_with_a_member_on_the_basket(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    load(till, shift_lead, HEADER + MEMBER_PRICE)
    club = Club(till.db, till.journal, till.clock, till.config)
    till.baskets.add(cashier, FRIELE)
    till.baskets.add(cashier, FRIELE)
    assert total(till) == 2 * 6490  # no member: the normal price
    club_basket.identify(till.baskets, club, cashier, "90000001")
    assert total(till) == 9900  # re-priced when the member is identified
    club_basket.remove(till.baskets, cashier)
    assert total(till) == 2 * 6490  # and back when the member is taken off
    club_basket.identify(till.baskets, club, cashier, "2700000000021")
    done = till.sales.pay_cash(cashier, "").completed
    assert done is not None and done.total == 9900
    campaigns = till.reports.x_report(cashier).campaigns
    assert [(c.name, c.amount) for c in campaigns] == [
        ("Medlemspris 2 Friele for 99 kr", 2 * 6490 - 9900)
    ]
    # The next customer is no member: the normal price again.
    till.baskets.add(cashier, FRIELE)
    till.baskets.add(cashier, FRIELE)
    assert total(till) == 2 * 6490


def test_the_members_only_column_takes_yes_or_no_and_nothing_else(
    till: Till, shift_lead: Person
) -> None:
    before = count(till.db, "campaign")
    for bad in (
        MEMBER_PRICE.replace(";ja\n", ";kanskje\n"),
        "Medlemspris chips;planned_price;7019;;19,90;2026-01-01;;ja\n",
    ):
        with pytest.raises(Refused) as refused:
            read_campaigns(till.db, HEADER + bad)
        assert "line 2" in refused.value.message
    assert count(till.db, "campaign") == before
    # Without the column (the old files) nothing is members-only.
    old = HEADER.replace(";kun_medlemmer", "") + MEMBER_PRICE.replace(";ja\n", "\n")
    load(till, shift_lead, old)
    assert count(till.db, "campaign_member") == 0
    load(till, shift_lead, HEADER + MEMBER_PRICE.replace("for 99", "for 98"))
    assert count(till.db, "campaign_member") == 1
    row = [r for r in till.journal.rows() if r.basic_id == "MASTERDATA"][-1]
    assert json.loads(row.text)["members_only"] == 1


def test_the_campaign_form_marks_a_campaign_members_only_and_a_change_unmarks_it(
    till: Till, shift_lead: Person
) -> None:
    from kassa_tui.stock.campaign_edit import (
        CampaignDraft,
        change_campaign,
        create_campaign,
        draft_of,
    )

    draft = CampaignDraft(
        name="Medlem: 2 Friele for 99",
        kind="n_for_price",
        quantity="2",
        price="99",
        codes=(FRIELE,),
        valid_from="2026-11-27 10:00",
        members_only=True,
    )
    create_campaign(till.db, till.journal, till.clock, shift_lead, draft)
    campaign_id = int(till.db.execute_sql("SELECT MAX(id) FROM campaign").fetchone()[0])
    assert count(till.db, "campaign_member", "campaign_id = ?", campaign_id) == 1
    assert draft_of(till.db, campaign_id).members_only  # the form shows it ticked
    change_campaign(
        till.db,
        till.journal,
        till.clock,
        shift_lead,
        campaign_id,
        replace(draft_of(till.db, campaign_id), members_only=False),
    )
    assert count(till.db, "campaign_member", "campaign_id = ?", campaign_id) == 0
