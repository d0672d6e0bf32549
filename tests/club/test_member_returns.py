"""A return of a member's sale (found by its receipt) is linked to the member too, so the
club's spend is net of refunds; it is no visit. Not linked: a return of a sale without a
member, or after the member withdrew the purchases consent."""

from __future__ import annotations

from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.club.members import Club
from kassa_tui.club.report import member_figures
from kassa_tui.composition import Till
from kassa_tui.people.person import Person
from kassa_tui.selling import club_basket
from tests.unit.conftest import ROMME, TOOTHPASTE, count, print_waiting

DAY = "2026-11-27"


def sell(till: Till, cashier: Person, *codes: str, member: str = "") -> int:
    club = Club(till.db, till.journal, till.clock, till.config)
    for code in codes:
        till.baskets.add(cashier, code)
    if member:
        club_basket.identify(till.baskets, club, cashier, member)
    done = till.sales.pay_cash(cashier, "").completed
    assert done is not None
    print_waiting(till)
    return done.receipt_nr


def give_back(till: Till, cashier: Person, receipt_nr: int, line: int) -> int:
    sold = till.returns.find_sale(str(receipt_nr))  # as the return dialog finds it
    done = till.returns.return_lines(
        cashier, sold.receipt_nr, [(line, 1000)], "Defekt", "2", "2222"
    )
    print_waiting(till)
    return done.sale_id


def test_a_members_return_is_theirs_and_the_spend_is_net(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    first = sell(till, cashier, ROMME, TOOTHPASTE, member="1")  # 24,90 + 39,90
    sell(till, cashier, ROMME, member="1")  # 24,90
    anonymous = sell(till, cashier, TOOTHPASTE)
    returned = give_back(till, cashier, first, 2)  # the toothpaste back: -39,90
    linked = till.db.execute_sql(
        "SELECT member_id FROM member_sale WHERE sale_id = ?", (returned,)
    ).fetchone()
    assert linked is not None and linked[0] == 1
    found = member_figures(till.db, DAY, DAY)
    assert (found.visits, found.active_members) == (2, 1)  # the return is no visit
    assert found.spend_ore == 2490 + 3990 + 2490 - 3990
    assert found.average_basket_ore == (2490 + 2490) // 2
    assert [g.amount_ore for g in found.groups] == [4980]  # the toothpaste netted away
    give_back(till, cashier, anonymous, 1)  # nobody's sale: nobody's return
    assert count(till.db, "member_sale") == 3

    club = Club(till.db, till.journal, till.clock, till.config)
    second = sell(till, cashier, ROMME, TOOTHPASTE, member="2")
    club.consent(shift_lead, 2, purchases=False, offers=None)
    give_back(till, cashier, second, 1)  # after the consent is withdrawn: not linked
    assert count(till.db, "member_sale", "member_id = 2") == 1

    source = till.config.source
    till.db.close()
    out = CliRunner().invoke(
        main,
        ["--config", str(source), "report", "members", "--from", DAY, "--to", DAY, "--json"],
        input="2\n2222\n",
    )
    assert out.exit_code == 0, out.output
    assert '"spend_ore": 11460' in out.output  # 4980 for member 1 + 6480 for member 2
