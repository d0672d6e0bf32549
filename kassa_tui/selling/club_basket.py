"""The customer club at the till: a member identified on the open basket, the sale linked.

The member is kept beside the basket (`basket_member`) and, when the sale completes, linked to
it in the sale's own transaction (`member_sale`, outside the signed tables; only when the member
consented to their purchases being kept; never for a training sale). The receipt prints the
member number, never the phone number. Member-only campaigns apply while a member is on the
basket (selling.open_basket asks `member_on`).
"""

from __future__ import annotations

from peewee import SqliteDatabase

from kassa_tui.club.members import Club, Member, is_card_code
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.receipts import ReceiptDoc
from kassa_tui.selling.basket import Baskets


def member_on(db: SqliteDatabase, basket_id: int) -> int | None:
    """The member number identified on basket `basket_id`, if any."""
    row = db.execute_sql(
        "SELECT member_id FROM basket_member WHERE basket_id = ?", (basket_id,)
    ).fetchone()
    return int(row[0]) if row else None


def current_member(baskets: Baskets, club: Club) -> Member | None:
    """The member on the open basket (for the sale screen's header)."""
    found = baskets._open_basket_id()
    if found is None:
        return None
    number = member_on(baskets.db, found[0])
    return club.get(number) if number is not None else None


def is_member_card(baskets: Baskets, code: str) -> bool:
    return is_card_code(baskets.config, code.strip())


def identify(baskets: Baskets, club: Club, person: Person, text: str) -> Member:
    """The member behind a card, phone number or member number, put on the open basket (one
    is made if none is open); refused (nothing changed) when nobody matches."""
    baskets._guard()
    permissions.require(baskets.db, baskets.journal, person, Permission.SELL)
    member = club.find(text)
    if member.forgotten:
        raise Refused(_("No member has the number {number}.").format(number=member.number))
    with baskets.db.atomic("IMMEDIATE"):
        basket_id = baskets._ensure_basket(person)
        baskets._no_payments_yet(basket_id)
        baskets.db.execute_sql(
            "INSERT OR REPLACE INTO basket_member (basket_id, member_id) VALUES (?, ?)",
            (basket_id, member.number),
        )
    return member


def remove(baskets: Baskets, person: Person) -> None:
    """Take the member off the open basket (member prices go with them)."""
    baskets._guard()
    permissions.require(baskets.db, baskets.journal, person, Permission.SELL)
    with baskets.db.atomic("IMMEDIATE"):
        basket_id = baskets._open_id()
        baskets._no_payments_yet(basket_id)
        baskets.db.execute_sql("DELETE FROM basket_member WHERE basket_id = ?", (basket_id,))


def link_sale(db: SqliteDatabase, basket_id: int, sale_id: int, training: bool) -> int | None:
    """Inside the sale's transaction: link the sale to the basket's member (if they consented
    to their purchases being kept; never a training sale). Returns the member number."""
    number = member_on(db, basket_id)
    if number is None:
        return None
    row = db.execute_sql(
        "SELECT consent_purchases FROM member WHERE id = ? AND forgotten_utc IS NULL", (number,)
    ).fetchone()
    if row is None:
        return None
    if row[0] and not training:
        db.execute_sql(
            "INSERT INTO member_sale (sale_id, member_id) VALUES (?, ?)", (sale_id, number)
        )
    return number


def add_to_receipt(doc: ReceiptDoc, number: int | None) -> None:
    """The member number at the foot of the receipt (Norwegian; never the phone number)."""
    if number is None:
        return
    doc.add("rule")
    doc.add("cols", "Kundeklubb, medlem nr", str(number))
