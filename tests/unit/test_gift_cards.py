"""Gift cards and credit notes, the ledger under them (selling.gift_cards): issued, redeemed in
part with the balance kept, looked up; unknown, expired, used-up and malformed cards refused
with nothing written; the movements append-only; the X/Z figures per kind.

Not yet wired to the sale screen, the receipt, X/Z, SAF-T or the voucher (see the README's
"What is not there yet")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from peewee import IntegrityError

from kassa_tui.composition import Till
from kassa_tui.core.clock import Instant, utc_text
from kassa_tui.core.errors import Refused
from kassa_tui.selling.gift_cards import CREDIT, GIFT, GiftCards

from .conftest import SteeredTime, count

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
        "SELECT amount_ore, basket_uuid FROM gift_card_movement ORDER BY id"
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
    assert count(till.db, "gift_card_movement") == 1  # refused: nothing written
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
    assert count(till.db, "gift_card") == 1


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
