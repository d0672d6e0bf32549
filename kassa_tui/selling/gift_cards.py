"""Gift cards and credit notes (tilgodelapper): issued, redeemed in part, looked up.

A card is its barcode, its kind and its last day; its balance is the sum of its movements
(gift_card_movement, append-only): + when issued (a gift card sold, a return refunded to a
credit note), - when redeemed as a payment. Nothing is ever updated, so every krone on a card
can be traced to the sale that put it there and the sales that took it. Money on a card is a
liability, not revenue (accounting.md): the X/Z count it as issued and redeemed, apart.

Every method runs inside the caller's transaction (a sale's `BEGIN IMMEDIATE`), so a refused
redemption changes nothing and an accepted one is written with the payment it pays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from peewee import SqliteDatabase

from kassa_tui.core.clock import Instant
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr

GIFT = "gift"
CREDIT = "credit"
KINDS = (GIFT, CREDIT)
#: A card's barcode: what card stacks print (EAN-13, Code 128 numbers) and kassa's own.
CODE = re.compile(r"[0-9A-Z]{6,24}")
#: How long a card holds by default: three years, the general limitation period (foreldelse).
DEFAULT_VALID_DAYS = 3 * 365


@dataclass(frozen=True)
class Card:
    """A card as the cashier looks it up: what is left on it and until when."""

    code: str
    kind: str
    balance_ore: int
    expires: str  # the last day (Oslo), YYYY-MM-DD

    def expired_on(self, today: str) -> bool:
        return today > self.expires


@dataclass(frozen=True)
class Figures:
    """One kind's movements in a period: for the X/Z (issued and redeemed apart)."""

    issued_num: int = 0
    issued_ore: int = 0
    redeemed_num: int = 0
    redeemed_ore: int = 0  # positive: what was taken off cards


def kind_name(kind: str) -> str:
    return _("Gift card") if kind == GIFT else _("Credit note")


class GiftCards:
    """Cards of one register's database; time comes from the caller (the till's clock)."""

    def __init__(self, database: SqliteDatabase, register_id: str) -> None:
        self.db = database
        self.register_id = register_id

    def issue(
        self,
        code: str,
        kind: str,
        amount_ore: int,
        basket_uuid: str,
        now: Instant,
        *,
        user: int | None = None,
        valid_days: int = DEFAULT_VALID_DAYS,
    ) -> Card:
        """A new card holding `amount_ore`; a code already issued is refused (a card is never
        loaded twice: sell a new one)."""
        code = normalise(code)
        if kind not in KINDS:
            raise ValueError(kind)
        if amount_ore <= 0:
            raise Refused(_("A gift card must hold more than 0,00."))
        if self._row(code) is not None:
            raise Refused(
                _("{kind} {code} is already issued: use a new card.").format(
                    kind=kind_name(kind), code=code
                )
            )
        expires = (date.fromisoformat(now.local_date) + timedelta(days=valid_days)).isoformat()
        card_id = self.db.execute_sql(
            "INSERT INTO gift_card (code, kind, register_id, issued_utc, expires_local_date)"
            " VALUES (?, ?, ?, ?, ?) RETURNING id",
            (code, kind, self.register_id, now.utc_text, expires),
        ).fetchone()[0]
        self._move(card_id, amount_ore, basket_uuid, now, user)
        return Card(code, kind, amount_ore, expires)

    def look_up(self, code: str) -> Card:
        """The balance look-up: an unknown code is refused."""
        return self._card(code)[1]

    def _card(self, code: str) -> tuple[int, Card]:
        code = normalise(code)
        row = self._row(code)
        if row is None:
            raise Refused(_("No gift card or credit note has the code {code}.").format(code=code))
        card_id, kind, expires, balance = row
        return card_id, Card(code, kind, balance, expires)

    def redeem(
        self,
        code: str,
        due_ore: int,
        basket_uuid: str,
        now: Instant,
        *,
        amount_ore: int | None = None,
        user: int | None = None,
    ) -> tuple[Card, int]:
        """Take up to `due_ore` off the card (or exactly `amount_ore`); returns the card as it
        is afterwards and what was taken. Unknown, expired or empty cards are refused."""
        card_id, card = self._card(code)
        if card.expired_on(now.local_date):
            raise Refused(
                _("{kind} {code} expired on {day}.").format(
                    kind=kind_name(card.kind), code=card.code, day=card.expires
                )
            )
        if card.balance_ore <= 0:
            raise Refused(
                _("{kind} {code} is used up: nothing is left on it.").format(
                    kind=kind_name(card.kind), code=card.code
                )
            )
        if due_ore <= 0:
            raise Refused(_("Nothing is left to pay."))
        take = min(card.balance_ore, due_ore) if amount_ore is None else amount_ore
        if take <= 0:
            raise Refused(_("The amount must be more than zero."))
        if take > card.balance_ore:
            raise Refused(
                _("{kind} {code} holds only {balance}.").format(
                    kind=kind_name(card.kind), code=card.code, balance=format_kr(card.balance_ore)
                )
            )
        if take > due_ore:
            raise Refused(
                _("No more than the {due} left can be taken off the card.").format(
                    due=format_kr(due_ore)
                )
            )
        self._move(card_id, -take, basket_uuid, now, user)
        return Card(card.code, card.kind, card.balance_ore - take, card.expires), take

    def put_back(
        self, kind: str, amount_ore: int, basket_uuid: str, now: Instant, user: int | None
    ) -> list[Card]:
        """A return of a sale paid with cards of `kind`: `amount_ore` goes back onto the cards
        that sale took it from (their movements carry its basket), up to what each gave."""
        rows = self.db.execute_sql(
            "SELECT m.card_id, c.code, -SUM(m.amount_ore) FROM gift_card_movement m"
            " JOIN gift_card c ON c.id = m.card_id WHERE m.basket_uuid = ? AND c.kind = ?"
            " GROUP BY m.card_id HAVING SUM(m.amount_ore) < 0 ORDER BY MIN(m.id)",
            (basket_uuid, kind),
        ).fetchall()
        cards: list[Card] = []
        left = amount_ore
        for card_id, code, gave in rows:
            back = min(left, int(gave))
            if back <= 0:
                continue
            self._move(int(card_id), back, basket_uuid, now, user)
            cards.append(self.look_up(str(code)))
            left -= back
        if left > 0:
            raise Refused(
                _("{amount} cannot go back on a card: the sale took less from its cards.").format(
                    amount=format_kr(left)
                )
            )
        return cards

    def figures(self, kind: str, from_utc: str, to_utc: str) -> Figures:
        """Issued and redeemed on this register in [from_utc, to_utc): the X/Z's figures."""
        row = self.db.execute_sql(
            "SELECT COALESCE(SUM(m.amount_ore > 0), 0),"
            " COALESCE(SUM(CASE WHEN m.amount_ore > 0 THEN m.amount_ore END), 0),"
            " COALESCE(SUM(m.amount_ore < 0), 0),"
            " COALESCE(-SUM(CASE WHEN m.amount_ore < 0 THEN m.amount_ore END), 0)"
            " FROM gift_card_movement m JOIN gift_card c ON c.id = m.card_id"
            " WHERE c.kind = ? AND m.register_id = ? AND m.created_utc >= ?"
            " AND m.created_utc < ?",
            (kind, self.register_id, from_utc, to_utc),
        ).fetchone()
        return Figures(*(int(v) for v in row))

    def _row(self, code: str) -> tuple[int, str, str, int] | None:
        row = self.db.execute_sql(
            "SELECT c.id, c.kind, c.expires_local_date,"
            " (SELECT COALESCE(SUM(amount_ore), 0) FROM gift_card_movement WHERE card_id = c.id)"
            " FROM gift_card c WHERE c.code = ?",
            (code,),
        ).fetchone()
        return None if row is None else (int(row[0]), str(row[1]), str(row[2]), int(row[3]))

    def _move(
        self, card_id: int, amount_ore: int, basket_uuid: str, now: Instant, user: int | None
    ) -> None:
        self.db.execute_sql(
            "INSERT INTO gift_card_movement (card_id, amount_ore, basket_uuid, register_id,"
            " user_number, created_utc) VALUES (?, ?, ?, ?, ?, ?)",
            (card_id, amount_ore, basket_uuid, self.register_id, user, now.utc_text),
        )


def normalise(code: str) -> str:
    """A scanned or typed code: spaces dropped, letters upper case; a malformed one refused."""
    cleaned = code.replace(" ", "").upper()
    if not CODE.fullmatch(cleaned):
        raise Refused(
            _("{code} is not a gift card code (6 to 24 digits or letters).").format(code=code)
        )
    return cleaned


#: The demo shop's cards, sold (by the till before this one) on 1 January 2026, and one sold in
#: 2022 that has expired: (code, kind, amount, days valid).
DEMO_CARDS = (
    ("7090000000019", GIFT, 50_000, DEFAULT_VALID_DAYS),
    ("7090000000026", CREDIT, 10_000, 365),
    ("7090000000033", GIFT, 20_000, 365),
)
DEMO_REGISTER = "DEMO-TIDLIGERE-KASSE"


def load_demo_cards(database: SqliteDatabase) -> None:
    """Cards to try the gift card and credit note payments with (README's quick start)."""
    if not database.table_exists("gift_card"):
        return  # a database before schema 9 (the upgrade tests build one)
    cards = GiftCards(database, DEMO_REGISTER)
    for code, kind, amount, days in DEMO_CARDS:
        year = 2022 if code.endswith("33") else 2026
        sold = Instant(datetime(year, 1, 1, 9, 0, tzinfo=UTC))
        cards.issue(code, kind, amount, "demo", sold, valid_days=days)
