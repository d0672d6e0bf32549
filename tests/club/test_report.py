"""`kassa report members`: the club's figures for a period, as a shop owner reads them, and
the same in JSON and CSV; no phone number anywhere in them."""

from __future__ import annotations

import json

from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.club.members import Club
from kassa_tui.club.report import member_figures
from kassa_tui.composition import Till
from kassa_tui.people.person import Person
from kassa_tui.selling import club_basket
from tests.unit.conftest import ROMME, TOOTHPASTE, SteeredTime, print_waiting

DAY = "2026-11-27"


def sell(till: Till, cashier: Person, *codes: str, member: str = "") -> None:
    club = Club(till.db, till.journal, till.clock, till.config)
    for code in codes:
        till.baskets.add(cashier, code)
    if member:
        club_basket.identify(till.baskets, club, cashier, member)
    assert till.sales.pay_cash(cashier, "").completed is not None
    print_waiting(till)


def test_the_figures_of_a_day(till: Till, cashier: Person, time: SteeredTime) -> None:
    club = Club(till.db, till.journal, till.clock, till.config)
    new = club.join(cashier, "41234567", consent_purchases=True, consent_offers=True)
    sell(till, cashier, ROMME, TOOTHPASTE)  # no member: not counted
    sell(till, cashier, ROMME, member="2700000000014")  # member 1: 24,90
    sell(till, cashier, TOOTHPASTE, TOOTHPASTE, member=str(new.number))  # 79,80
    sell(till, cashier, ROMME, member="2700000000014")  # member 1 again: 24,90
    found = member_figures(till.db, DAY, DAY, lapsed_days=30)
    assert (found.members, found.new_members, found.active_members) == (3, 1, 2)
    assert (found.visits, found.spend_ore, found.average_basket_ore) == (3, 12960, 4320)
    assert found.lapsed == (2,)  # member 2 joined in January and never came
    assert found.offers_given == 3 and found.offers_redeemed == 0
    assert [g.amount_ore for g in found.groups] == [7980, 4980]  # toothpaste, then dairy
    # The day before: nothing happened.
    before = member_figures(till.db, "2026-11-26", "2026-11-26")
    assert (before.visits, before.new_members, before.offers_given) == (0, 0, 0)

    source = till.config.source
    till.db.close()

    def run(*args: str) -> str:
        result = CliRunner().invoke(
            main, ["--config", str(source), "report", "members", *args], input="2\n2222\n"
        )
        assert result.exit_code == 0, result.output
        return result.output

    data = json.loads(run("--from", DAY, "--to", DAY, "--json", "--lapsed-days", "30"))
    assert (data["visits"], data["spend_ore"], data["lapsed"]) == (3, 12960, [2])
    text = run("--from", DAY, "--to", DAY)
    assert "129,60" in text and "43,20" in text
    csv_text = run("--from", DAY, "--to", DAY, "--csv")
    assert "visits;3" in csv_text and "spend;129,60" in csv_text
    for output in (json.dumps(data), text, csv_text):
        assert "41234567" not in output and "90000001" not in output
