"""Personal offers: after a member's sale, one offer chosen from what the data shows, printed at
the foot of their receipt with its barcode ("Neste gang: 20 % på Friele …"), redeemed once by
scanning it in a later sale of the same member.

The choice (only for a member who consented to offers): what goes together with what the member
buys most often — the product most often on the same receipts as it, in the shop's last year of
sales, that the member has not bought (the pairs of kassa_tui.insight.pairs, counted here in
SQL for one product); when there is none, the product the member buys most often. Whole units
at a price only (no weighed goods, no gift cards, no pant). `[club] offer_percent` off one unit,
valid `[club] offer_valid_days`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from peewee import SqliteDatabase

from kassa_tui.club.members import ean_check
from kassa_tui.config import Config
from kassa_tui.core.clock import Instant
from kassa_tui.core.i18n import _

_ELIGIBLE = (
    "p.active = 1 AND p.unit = 'stk' AND p.price_ore > 0 AND g.code != 'GAVEKORT'"
    " AND p.id NOT IN (SELECT product_id FROM product_deposit)"
)


@dataclass(frozen=True)
class Offer:
    id: int
    code: str
    member: int
    product_id: int
    product: str
    percent: int
    valid_to: str  # the last local day it holds, YYYY-MM-DD

    @property
    def name(self) -> str:
        """The offer's name, Norwegian (receipt and discount line): «Medlemstilbud 20 %»."""
        return f"Medlemstilbud {self.percent} %"


def _offer(row: tuple[object, ...]) -> Offer:
    return Offer(
        int(str(row[0])),
        str(row[1]),
        int(str(row[2])),
        int(str(row[3])),
        str(row[4]),
        int(str(row[5])),
        str(row[6]),
    )


_SELECT = (
    "SELECT o.id, o.code, o.member_id, o.product_id, p.name, o.percent, o.valid_to_local_date"
    " FROM member_offer o JOIN product p ON p.id = o.product_id"
)


def is_offer_code(config: Config, code: str) -> bool:
    return (
        len(code) == 13
        and code.isdigit()
        and code.startswith(config.club.offer_prefix)
        and ean_check(code[:12]) == code[12]
    )


def by_code(db: SqliteDatabase, code: str) -> Offer | None:
    row = db.execute_sql(f"{_SELECT} WHERE o.code = ?", (code,)).fetchone()
    return _offer(row) if row else None


def redeemed(db: SqliteDatabase, offer_id: int) -> bool:
    row = db.execute_sql("SELECT 1 FROM member_offer_redeemed WHERE offer_id = ?", (offer_id,))
    return row.fetchone() is not None


def choose_product(db: SqliteDatabase, member: int, since_local_date: str) -> int | None:
    """What to offer member `member` (see the module): a product id, or None."""
    favourite = db.execute_sql(
        "SELECT l.product_id FROM member_sale m JOIN sale_line l ON l.sale_id = m.sale_id"
        " JOIN product p ON p.id = l.product_id JOIN product_group g ON g.id = p.group_id"
        f" WHERE m.member_id = ? AND l.qty_milli > 0 AND {_ELIGIBLE}"
        " GROUP BY l.product_id ORDER BY COUNT(DISTINCT l.sale_id) DESC, l.product_id LIMIT 1",
        (member,),
    ).fetchone()
    if favourite is None:
        return None
    together = db.execute_sql(
        "SELECT b.product_id FROM sale_line a JOIN sale s ON s.id = a.sale_id"
        " JOIN sale_line b ON b.sale_id = a.sale_id AND b.product_id != a.product_id"
        " JOIN product p ON p.id = b.product_id JOIN product_group g ON g.id = p.group_id"
        " WHERE a.product_id = ? AND s.local_date >= ? AND s.kind = 'sale' AND s.training = 0"
        f" AND {_ELIGIBLE} AND b.product_id NOT IN (SELECT l.product_id FROM member_sale m"
        " JOIN sale_line l ON l.sale_id = m.sale_id WHERE m.member_id = ?)"
        " GROUP BY b.product_id ORDER BY COUNT(DISTINCT b.sale_id) DESC, b.product_id LIMIT 1",
        (favourite[0], since_local_date, member),
    ).fetchone()
    return int(together[0]) if together else int(favourite[0])


def _new_code(db: SqliteDatabase, prefix: str) -> str:
    while True:
        body = prefix + "".join(str(secrets.randbelow(10)) for _ in range(12 - len(prefix)))
        code = body + ean_check(body)
        if not db.execute_sql("SELECT 1 FROM member_offer WHERE code = ?", (code,)).fetchone():
            return code


def give(
    db: SqliteDatabase, config: Config, member: int, sale_id: int, now: Instant
) -> Offer | None:
    """Inside the sale's transaction: one new offer for a member who consented to offers
    (after the sale is linked to them), or None when the data shows nothing to offer."""
    row = db.execute_sql(
        "SELECT consent_offers FROM member WHERE id = ? AND forgotten_utc IS NULL", (member,)
    ).fetchone()
    if row is None or not row[0]:
        return None
    today = date.fromisoformat(now.local_date)
    product = choose_product(db, member, (today - timedelta(days=365)).isoformat())
    if product is None:
        return None
    settings = config.club
    valid_to = (today + timedelta(days=settings.offer_valid_days)).isoformat()
    code = _new_code(db, settings.offer_prefix)
    cursor = db.execute_sql(
        "INSERT INTO member_offer (code, member_id, product_id, percent, valid_to_local_date,"
        " given_sale_id, given_utc) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (code, member, product, settings.offer_percent, valid_to, sale_id, now.utc_text),
    )
    found = by_code(db, code)
    assert found is not None and found.id == cursor.lastrowid
    return found


def refusal(offer: Offer | None, member: int | None, today: str, db: SqliteDatabase) -> str | None:
    """Why an offer cannot be used on this basket now, or None."""
    if offer is None:
        return _("No offer has that code.")
    if redeemed(db, offer.id):
        return _("This offer has been used already.")
    if offer.valid_to < today:
        return _("This offer ran out on {day}.").format(day=offer.valid_to)
    if member is None:
        return _("Identify the member first (the card or the phone number), then the offer.")
    if member != offer.member:
        return _("This offer is another member's.")
    return None
