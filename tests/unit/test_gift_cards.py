"""Gift cards and credit notes, the ledger under them (selling.gift_cards): issued, redeemed in
part with the balance kept, looked up; unknown, expired, used-up and malformed cards refused
with nothing written; the movements append-only; the X/Z figures per kind.

Then paying with the demo shop's cards through the sale: the receipt, the X, the voucher's
debit on the liability account and the SAF-T file. Selling a card is not there yet."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree
from peewee import IntegrityError

from kassa_tui.accounting.voucher import build_voucher
from kassa_tui.composition import Till
from kassa_tui.core.clock import Instant, utc_text
from kassa_tui.core.errors import Refused
from kassa_tui.people.person import Person
from kassa_tui.saft.export import export_saft
from kassa_tui.selling.gift_cards import CREDIT, DEMO_CARDS, GIFT, GiftCards

from .conftest import PILSNER, SteeredTime, count, print_waiting
from .test_saft import DAY, NS, schema

CODE = "7090012345678"


@pytest.fixture
def cards(till: Till) -> GiftCards:
    return GiftCards(till.db, till.config.register_id)


def now(till: Till) -> Instant:
    return till.clock.now()


def test_a_card_sold_for_500_pays_200_then_300_and_is_used_up(till: Till, cards: GiftCards) -> None:
    card = cards.issue(CODE, GIFT, 50_000, "basket-1", now(till), user=1)
    assert (card.balance_ore, card.expires) == (50_000, "2029-11-26")
    after, taken = cards.redeem(CODE, 20_000, "basket-2", now(till))
    assert (after.balance_ore, taken) == (30_000, 20_000)
    assert cards.look_up(CODE).balance_ore == 30_000  # the balance stays for the next visit
    after, taken = cards.redeem(CODE, 99_000, "basket-3", now(till))  # takes what is left
    assert (after.balance_ore, taken) == (0, 30_000)
    with pytest.raises(Refused, match="Gift card 7090012345678 is used up"):
        cards.redeem(CODE, 1_000, "basket-4", now(till))
    moves = till.db.execute_sql(
        "SELECT amount_ore, basket_uuid FROM gift_card_movement WHERE register_id = ? ORDER BY id",
        (till.config.register_id,),
    ).fetchall()
    assert moves == [(50_000, "basket-1"), (-20_000, "basket-2"), (-30_000, "basket-3")]


def test_an_amount_typed_is_taken_exactly_and_never_more_than_held_or_due(
    till: Till, cards: GiftCards
) -> None:
    cards.issue(CODE, GIFT, 10_000, "b", now(till))
    with pytest.raises(Refused, match="holds only 100,00"):
        cards.redeem(CODE, 50_000, "b2", now(till), amount_ore=12_000)
    with pytest.raises(Refused, match="No more than the 40,00 left"):
        cards.redeem(CODE, 4_000, "b2", now(till), amount_ore=5_000)
    mine = "register_id = ?", till.config.register_id
    assert count(till.db, "gift_card_movement", *mine) == 1  # refused: nothing written
    after, taken = cards.redeem(CODE, 50_000, "b2", now(till), amount_ore=2_500)
    assert (after.balance_ore, taken) == (7_500, 2_500)


def test_unknown_expired_and_malformed_cards_are_refused(
    till: Till, cards: GiftCards, time: SteeredTime
) -> None:
    with pytest.raises(Refused, match="No gift card or credit note has the code 1234567"):
        cards.redeem("1234567", 1_000, "b", now(till))
    with pytest.raises(Refused, match="is not a gift card code"):
        cards.look_up("12-34")
    cards.issue(CODE, CREDIT, 5_000, "b", now(till), valid_days=30)
    time.advance(timedelta(days=30).total_seconds())
    assert cards.redeem(CODE, 1_000, "b2", now(till))[1] == 1_000  # the last day still holds
    time.advance(timedelta(days=1).total_seconds())
    with pytest.raises(Refused, match="Credit note 7090012345678 expired on 2026-12-27"):
        cards.redeem(CODE, 1_000, "b3", now(till))
    assert cards.look_up(CODE).balance_ore == 4_000


def test_a_code_is_issued_once_and_an_empty_card_is_not_issued(
    till: Till, cards: GiftCards
) -> None:
    cards.issue(CODE, GIFT, 1_000, "b", now(till))
    with pytest.raises(Refused, match="already issued"):
        cards.issue(CODE, GIFT, 1_000, "b2", now(till))
    with pytest.raises(Refused, match="more than 0,00"):
        cards.issue("7090012345679", GIFT, 0, "b3", now(till))
    assert count(till.db, "gift_card", "register_id = ?", till.config.register_id) == 1


def test_cards_and_movements_are_append_only(till: Till, cards: GiftCards) -> None:
    cards.issue(CODE, GIFT, 1_000, "b", now(till))
    for sql in (
        "UPDATE gift_card_movement SET amount_ore = 99999",
        "DELETE FROM gift_card_movement",
        "UPDATE gift_card SET expires_local_date = '2099-01-01'",
        "DELETE FROM gift_card",
    ):
        with pytest.raises(IntegrityError, match="append-only"):
            till.db.execute_sql(sql)
    assert cards.look_up(CODE).balance_ore == 1_000


def test_figures_count_issued_and_redeemed_per_kind(till: Till, cards: GiftCards) -> None:
    start = now(till)
    cards.issue(CODE, GIFT, 50_000, "b1", start)
    cards.issue("7090012345685", GIFT, 20_000, "b1", start)
    cards.issue("TILGODE0001", CREDIT, 9_990, "b2", start)
    cards.redeem(CODE, 12_000, "b3", start)
    cards.redeem("TILGODE0001", 99_999, "b4", start)
    end = utc_text(start.utc + timedelta(seconds=1))
    gift = cards.figures(GIFT, start.utc_text, end)
    credit = cards.figures(CREDIT, start.utc_text, end)
    assert (gift.issued_num, gift.issued_ore, gift.redeemed_num, gift.redeemed_ore) == (
        2,
        70_000,
        1,
        12_000,
    )
    assert (credit.issued_num, credit.issued_ore, credit.redeemed_num, credit.redeemed_ore) == (
        1,
        9_990,
        1,
        9_990,
    )
    assert cards.figures(GIFT, end, "9999") == cards.figures(CREDIT, end, "9999")


# -- paying with a card: the demo shop's cards, through the sale --------------------------------

DEMO_GIFT, DEMO_CREDIT, DEMO_EXPIRED = (code for code, *_rest in DEMO_CARDS)


def test_a_gift_card_pays_part_and_the_rest_is_cash_end_to_end(
    till: Till, cashier: Person, shift_lead: Person, tmp_path: Path
) -> None:
    till.baskets.add(cashier, PILSNER)  # 39,90
    till.baskets.confirm_age(cashier, 18)  # the cashier's J: the beer is sold from 18
    result, card = till.sales.pay_gift_card(cashier, "gift_card", DEMO_GIFT, "30,00")
    assert result.completed is None and result.remaining == 990
    assert card.balance_ore == 50_000 - 3_000
    assert till.sales.pay_cash(cashier, "").completed is not None
    receipt = print_waiting(till)[0].decode("cp865", errors="replace")
    assert "Gavekort" in receipt and "30,00" in receipt
    assert GiftCards(till.db, "x").look_up(DEMO_GIFT).balance_ore == 47_000  # kept for later
    moves = till.db.execute_sql(
        "SELECT m.amount_ore, m.basket_uuid = s.basket_uuid, m.user_number FROM"
        " gift_card_movement m JOIN sale s ON s.id = 1 WHERE m.register_id = ?",
        (till.config.register_id,),
    ).fetchall()
    assert moves == [(-3_000, 1, cashier.number)]

    x = till.reports.x_report(shift_lead)
    assert {p.method: (p.code, p.amount) for p in x.payments}["gift_card"] == ("12005", 3_000)
    z = till.reports.z_report(shift_lead, not_counted=True)
    voucher = build_voucher(z, till.config.accounting)
    debits = {(ln.account, ln.description): ln.amount for ln in voucher.lines if ln.amount > 0}
    assert debits[("2901", "Gavekort")] == 3_000  # redeemed: off the liability
    doc = etree.parse(str(export_saft(till.db, till.config, DAY, DAY, tmp_path, clock=till.clock)))
    schema().assertValid(doc)
    basics = {
        b.findtext("s:basicID", None, NS): b.findtext("s:predefinedBasicID", None, NS)
        for b in doc.iterfind(".//s:basics/s:basic[s:basicType='12']", NS)
    }
    assert basics["GIFT_CARD"] == "12005"


def test_a_card_that_covers_all_completes_the_sale(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, PILSNER)
    till.baskets.confirm_age(cashier, 18)  # the cashier's J: the beer is sold from 18
    result, card = till.sales.pay_gift_card(cashier, "credit_note", DEMO_CREDIT)
    assert result.completed is not None and result.completed.total == 3_990
    assert card.balance_ore == 10_000 - 3_990
    assert print_waiting(till)[0].count(b"Tilgodelapp") == 1


def test_wrong_cards_are_refused_and_nothing_changes(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, PILSNER)
    till.baskets.confirm_age(cashier, 18)  # the cashier's J: the beer is sold from 18
    with pytest.raises(Refused, match="Gift card 7090000000033 expired on 2023-01-01"):
        till.sales.pay_gift_card(cashier, "gift_card", DEMO_EXPIRED)
    with pytest.raises(Refused, match="Credit note 7090000000026 cannot be taken as Gavekort"):
        till.sales.pay_gift_card(cashier, "gift_card", DEMO_CREDIT)
    with pytest.raises(Refused, match="No gift card or credit note has the code 7090000000040"):
        till.sales.pay_gift_card(cashier, "gift_card", "7090000000040")
    with pytest.raises(Refused, match="holds only 500,00"):
        till.sales.pay_gift_card(cashier, "gift_card", DEMO_GIFT, "600")
    with pytest.raises(Refused, match="vipps does not take gift cards"):
        till.sales.pay_gift_card(cashier, "vipps", DEMO_GIFT)
    assert count(till.db, "basket_payment") == 0
    assert count(till.db, "gift_card_movement", "register_id = ?", till.config.register_id) == 0


def test_a_return_puts_the_card_payment_back_on_the_card(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, PILSNER)  # 39,90: 30,00 by gift card, 10,00 in cash
    till.baskets.confirm_age(cashier, 18)  # the cashier's J: the beer is sold from 18
    till.sales.pay_gift_card(cashier, "gift_card", DEMO_GIFT, "30,00")
    done = till.sales.pay_cash(cashier, "").completed
    assert done is not None
    back = till.returns.return_lines(cashier, done.receipt_nr, [(1, 1000)], "Feil", "2", "2222")
    assert dict(back.refunds)["gift_card"] == 3_000  # the card first, the rest in cash
    assert GiftCards(till.db, "x").look_up(DEMO_GIFT).balance_ore == 50_000
    refunds = till.db.execute_sql(
        "SELECT method, amount_ore FROM payment WHERE sale_id = ?", (back.sale_id,)
    ).fetchall()
    assert ("gift_card", -3_000) in refunds


def test_training_mode_never_touches_a_card(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    till.receipts.training_on(shift_lead)
    till.baskets.add(cashier, PILSNER)
    till.baskets.confirm_age(cashier, 18)  # the cashier's J: the beer is sold from 18
    with pytest.raises(Refused, match="Training mode: no gift card or credit note is used"):
        till.sales.pay_gift_card(cashier, "gift_card", DEMO_GIFT)
    assert GiftCards(till.db, "x").look_up(DEMO_GIFT).balance_ore == 50_000
