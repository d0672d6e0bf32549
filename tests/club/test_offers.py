"""Personal offers: chosen from what goes together with what the member buys, printed on the
member's receipt with its barcode, redeemed once by the same member (the discount line named
after the offer), counted; refused twice, for another member, without a member, run out."""

from __future__ import annotations

import pytest

from kassa_tui.club import offers
from kassa_tui.club.members import Club
from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from kassa_tui.people.person import Person
from kassa_tui.selling import club_basket
from tests.unit.conftest import ROMME, TOOTHPASTE, SteeredTime, count, print_waiting

CARD_1, CARD_2 = "2700000000014", "2700000000021"


def sell(till: Till, cashier: Person, *codes: str, member: str = "") -> bytes:
    club = Club(till.db, till.journal, till.clock, till.config)
    for code in codes:
        if code.startswith(till.config.club.offer_prefix):
            club_basket.apply_offer(till.baskets, cashier, code)
        else:
            till.baskets.add(cashier, code)
        if member and code == codes[0]:
            club_basket.identify(till.baskets, club, cashier, member)
    assert till.sales.pay_cash(cashier, "").completed is not None
    return b"".join(print_waiting(till))


def newest_offer(till: Till) -> offers.Offer:
    row = till.db.execute_sql("SELECT code FROM member_offer ORDER BY id DESC LIMIT 1")
    found = offers.by_code(till.db, str(row.fetchone()[0]))
    assert found is not None
    return found


def test_an_offer_is_printed_and_redeemed_once_by_its_member(
    till: Till, cashier: Person, time: SteeredTime
) -> None:
    sell(till, cashier, ROMME, TOOTHPASTE)  # what goes together, in the shop's sales
    sell(till, cashier, ROMME, TOOTHPASTE)
    receipt = sell(till, cashier, ROMME, member=CARD_1)  # member 1 buys rømme
    offer = newest_offer(till)
    assert (offer.member, offer.product, offer.percent) == (1, "Colgate Max Fresh 75 ml", 20)
    assert b"NESTE GANG" in receipt and "20 % på Colgate Max Fresh 75 ml".encode("cp865") in receipt
    assert b"{B" + offer.code.encode() in receipt  # its barcode
    assert offer.valid_to == "2026-12-27"  # 30 days ([club] offer_valid_days)
    time.advance(3600)
    # Not another member's, not without a member.
    till.baskets.add(cashier, TOOTHPASTE)
    with pytest.raises(Refused, match="Identify the member first"):
        club_basket.apply_offer(till.baskets, cashier, offer.code)
    club = Club(till.db, till.journal, till.clock, till.config)
    club_basket.identify(till.baskets, club, cashier, CARD_2)
    with pytest.raises(Refused, match="another member's"):
        club_basket.apply_offer(till.baskets, cashier, offer.code)
    assert till.baskets.current().priced.total == 3990  # nothing changed
    # Its member: 20 % off one toothpaste, the line's discount named after the offer.
    club_basket.identify(till.baskets, club, cashier, CARD_1)
    club_basket.apply_offer(till.baskets, cashier, offer.code)
    assert till.baskets.current().priced.total == 3990 - 798
    club_basket.remove(till.baskets, cashier)  # the member taken off: the offer goes too
    assert till.baskets.current().priced.total == 3990
    club_basket.identify(till.baskets, club, cashier, CARD_1)
    club_basket.apply_offer(till.baskets, cashier, offer.code)
    assert till.baskets.current().priced.total == 3990 - 798
    with pytest.raises(Refused, match="on a sale already"):
        club_basket.apply_offer(till.baskets, cashier, offer.code)
    assert till.sales.pay_cash(cashier, "").completed is not None
    receipt = b"".join(print_waiting(till))
    assert b"Rabatt (Medlemstilbud 20 %)" in receipt
    assert count(till.db, "member_offer_redeemed", "offer_id = ?", offer.id) == 1
    # Not twice.
    till.baskets.add(cashier, TOOTHPASTE)
    club_basket.identify(till.baskets, club, cashier, CARD_1)
    with pytest.raises(Refused, match="used already"):
        club_basket.apply_offer(till.baskets, cashier, offer.code)
    assert till.sales.pay_cash(cashier, "").completed is not None
    print_waiting(till)
    # The member's next offer runs out after its 30 days.
    later = newest_offer(till)
    assert later.id != offer.id
    time.advance(31 * 86400)
    till.baskets.add(cashier, TOOTHPASTE)
    club_basket.identify(till.baskets, club, cashier, CARD_1)
    with pytest.raises(Refused, match="ran out"):
        club_basket.apply_offer(till.baskets, cashier, later.code)


def test_no_offer_without_the_offers_consent_or_for_a_stranger(till: Till, cashier: Person) -> None:
    club = Club(till.db, till.journal, till.clock, till.config)
    prices_only = club.join(cashier, "41234567", consent_purchases=True, consent_offers=False)
    receipt = sell(till, cashier, ROMME, member=str(prices_only.number))
    assert b"NESTE GANG" not in receipt and b"Kundeklubb, medlem nr" in receipt
    assert b"NESTE GANG" not in sell(till, cashier, ROMME)  # no member at all
    assert count(till.db, "member_offer") == 0
