"""The customer club at the till: a member identified on the open basket, the sale linked.

The member is kept beside the basket (`basket_member`) and, when the sale completes, linked to
it in the sale's own transaction (`member_sale`, outside the signed tables; only when the member
consented to their purchases being kept; never for a training sale). The receipt prints the
member number, never the phone number. Member-only campaigns apply while a member is on the
basket (selling.open_basket asks `member_on`).
"""

from __future__ import annotations

from peewee import SqliteDatabase

from kassa_tui.club import offers
from kassa_tui.club.members import Club, Member, is_card_code
from kassa_tui.club.offers import Offer
from kassa_tui.config import Config
from kassa_tui.core.clock import Instant
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr, round_half_up
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event
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
        _take_off_offers(baskets, person, basket_id)  # the member's offers go with them


def _take_off_offers(baskets: Baskets, person: Person, basket_id: int) -> None:
    """The offers scanned on the basket come off again: their lines lose the offer's discount
    (journaled as a DISCOUNT of 0), and the offers can be used later."""
    db = baskets.db
    rows = db.execute_sql(
        "SELECT o.product_id, o.percent FROM basket_offer b"
        " JOIN member_offer o ON o.id = b.offer_id WHERE b.basket_id = ?",
        (basket_id,),
    ).fetchall()
    for product_id, percent in rows:
        name = Offer(0, "", 0, 0, "", int(percent), "").name
        for line in baskets.lines(basket_id):
            if line.product_id == product_id and line.discount_reason == name:
                db.execute_sql(
                    "UPDATE basket_line SET discount_ore = 0, discount_bp = 0, discount_reason = ''"
                    " WHERE id = ?",
                    (line.id,),
                )
                baskets.journal.write(
                    Event.DISCOUNT,
                    user=person.number,
                    scope="line",
                    line=line.position,
                    percent_bp=0,
                    amount=0,
                    reason=name,
                )
                break
    db.execute_sql("DELETE FROM basket_offer WHERE basket_id = ?", (basket_id,))


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


# -- personal offers (kassa_tui.club.offers) -----------------------------------------------------


def is_offer(baskets: Baskets, code: str) -> bool:
    return offers.is_offer_code(baskets.config, code.strip())


def apply_offer(baskets: Baskets, person: Person, code: str) -> str:
    """An offer's barcode scanned on the sale screen: its percent off one unit of its product,
    as the line's discount named after the offer, once; only for the member it was given to,
    identified on this sale, before it runs out. Refused (nothing changed) otherwise."""
    baskets._guard()
    permissions.require(baskets.db, baskets.journal, person, Permission.SELL)
    db = baskets.db
    with db.atomic("IMMEDIATE"):
        basket_id = baskets._open_id()
        baskets._no_payments_yet(basket_id)
        db.execute_sql(  # offers left on sales that were voided or sold without them
            "DELETE FROM basket_offer WHERE basket_id IN"
            " (SELECT id FROM basket WHERE status NOT IN ('open', 'parked'))"
        )
        offer = offers.by_code(db, code.strip())
        why = offers.refusal(offer, member_on(db, basket_id), baskets.clock.now().local_date, db)
        if why is not None or offer is None:
            raise Refused(why or _("No offer has that code."))
        if db.execute_sql("SELECT 1 FROM basket_offer WHERE offer_id = ?", (offer.id,)).fetchone():
            raise Refused(_("This offer is on a sale already."))
        line = next(
            (
                ln
                for ln in baskets.lines(basket_id)
                if ln.product_id == offer.product_id
                and ln.unit == "stk"
                and ln.qty_milli >= 1000
                and not (ln.discount_ore or ln.discount_bp or ln.overridden)
                and ln.fixed_amount_ore is None
            ),
            None,
        )
        if line is None:
            raise Refused(_("Scan {product} first, then the offer.").format(product=offer.product))
        amount = round_half_up(line.unit_price_ore * offer.percent, 100)
        db.execute_sql(
            "UPDATE basket_line SET discount_ore = ?, discount_bp = 0, discount_reason = ?"
            " WHERE id = ?",
            (amount, offer.name, line.id),
        )
        db.execute_sql(
            "INSERT INTO basket_offer (basket_id, offer_id) VALUES (?, ?)", (basket_id, offer.id)
        )
        baskets.journal.write(
            Event.DISCOUNT,
            user=person.number,
            scope="line",
            line=line.position,
            percent_bp=0,
            amount=amount,
            reason=offer.name,
            offer=offer.id,
        )
    return _("{name}: {amount} off {product}.").format(
        name=offer.name, amount=format_kr(amount), product=offer.product
    )


def offer_after_sale(
    db: SqliteDatabase, config: Config, basket_id: int, sale_id: int, now: Instant, training: bool
) -> Offer | None:
    """Inside the sale's transaction, after `link_sale`: the offers scanned on the basket are
    redeemed (counted once, with the discount they gave), and a member who consented to offers
    gets a new one for the receipt. Never in training."""
    for (offer_id,) in db.execute_sql(
        "SELECT offer_id FROM basket_offer WHERE basket_id = ?", (basket_id,)
    ).fetchall():
        given = db.execute_sql(
            "SELECT COALESCE(SUM(l.discount_ore), 0) FROM sale_line l"
            " JOIN member_offer o ON o.product_id = l.product_id"
            " WHERE l.sale_id = ? AND o.id = ?",
            (sale_id, offer_id),
        ).fetchone()[0]
        if given and not training:
            db.execute_sql(
                "INSERT INTO member_offer_redeemed (offer_id, sale_id, discount_ore, redeemed_utc)"
                " VALUES (?, ?, ?, ?)",
                (offer_id, sale_id, int(given), now.utc_text),
            )
    db.execute_sql("DELETE FROM basket_offer WHERE basket_id = ?", (basket_id,))
    linked = db.execute_sql(
        "SELECT member_id FROM member_sale WHERE sale_id = ?", (sale_id,)
    ).fetchone()
    if linked is None or training:
        return None
    return offers.give(db, config, int(linked[0]), sale_id, now)


def add_offer_to_receipt(doc: ReceiptDoc, offer: Offer | None) -> None:
    """The new offer at the foot of the member's receipt, with its barcode (Norwegian)."""
    if offer is None:
        return
    day = f"{offer.valid_to[8:10]}.{offer.valid_to[5:7]}.{offer.valid_to[:4]}"
    doc.add("rule")
    doc.add("bold", "NESTE GANG")
    doc.add("text", f"{offer.percent} % på {offer.product}")
    doc.add("cols", "Gyldig til", day)
    doc.add("text", "Skann koden ved neste kjøp (én gang).")
    doc.add("barcode", offer.code)
