"""Members of the customer club and their consents; export and forgetting (GDPR).

The person is in the `member` row alone: phone, card, name and the consents with the consent
text's version. Sales are linked to a member by `member_sale` (sale → the member's internal
number), outside the signed sale tables; the journal names only the member number, never the
phone, the card or the name. `forget` erases the person's fields and consents, marks the row
forgotten (member numbers are never reused) and deletes the member's links, offers and open
basket: the sale, its lines, the journal, the Z and SAF-T stay byte-identical and complete, and
nothing joins them to the person any more (the journal keeps the transaction, not the person).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from peewee import SqliteDatabase

from kassa_tui.config import Config
from kassa_tui.core.clock import Clock, parse_utc, utc_text
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Journal

#: Journal events (SAF-T 13999 "Other"): the member number only, never the person.
MEMBER_JOIN = ("13999", "MEMBERJOIN")
MEMBER_FORGET = ("13999", "MEMBERFORGET")
MEMBER_CONSENT = ("13999", "MEMBERCONSENT")

#: The consent texts' version; a member's row keeps the version they agreed to.
CONSENT_VERSION = "2026-12"


def consent_purchases_text() -> str:
    return _(
        "I agree that the shop keeps which purchases I make as a member, to show me my "
        "purchases and give me member prices. I can be forgotten at any time."
    )


def consent_offers_text() -> str:
    return _("I agree to receive personal offers on my receipt, chosen from what I buy.")


@dataclass(frozen=True)
class Member:
    number: int
    phone: str | None
    card: str | None
    name: str | None
    joined_utc: str
    consent_purchases: bool
    consent_offers: bool
    consent_version: str
    consent_utc: str
    forgotten_utc: str | None

    @property
    def forgotten(self) -> bool:
        return self.forgotten_utc is not None


_COLUMNS = (
    "id, phone, card, name, joined_utc, consent_purchases, consent_offers, consent_version,"
    " consent_utc, forgotten_utc"
)


def _member(row: tuple[Any, ...]) -> Member:
    return Member(
        int(row[0]),
        row[1],
        row[2],
        row[3],
        str(row[4]),
        bool(row[5]),
        bool(row[6]),
        str(row[7]),
        str(row[8]),
        row[9],
    )


def normalise_phone(text: str) -> str:
    """A Norwegian phone number as +47 and its 8 digits; refused otherwise (python-phonenumbers
    is not on the till: the strict Norwegian rule, 8 digits, the first 2 to 9)."""
    digits = "".join(text.split()).replace("-", "")
    for prefix in ("+47", "0047"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 8:
            digits = digits[len(prefix) :]
    if not (len(digits) == 8 and digits.isdigit() and digits[0] in "23456789"):
        raise Refused(_("That is not a Norwegian phone number (8 digits)."))
    return f"+47{digits}"


def ean_check(body: str) -> str:
    """The EAN/GTIN check digit of `body`'s digits."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def is_card_code(config: Config, code: str) -> bool:
    """A member card's barcode: the club's prefix, 13 digits, a right check digit."""
    return (
        len(code) == 13
        and code.isdigit()
        and code.startswith(config.club.card_prefix)
        and ean_check(code[:12]) == code[12]
    )


class Club:
    """Joining, finding, exporting and forgetting members."""

    def __init__(
        self, database: SqliteDatabase, journal: Journal, clock: Clock, config: Config
    ) -> None:
        self.db = database
        self.journal = journal
        self.clock = clock
        self.config = config

    # -- reading ---------------------------------------------------------------------------
    def get(self, number: int) -> Member:
        row = self.db.execute_sql(f"SELECT {_COLUMNS} FROM member WHERE id = ?", (number,))
        found = row.fetchone()
        if found is None:
            raise Refused(_("No member has the number {number}.").format(number=number))
        return _member(found)

    def find(self, text: str) -> Member:
        """The member with this card barcode, phone number or member number; refused else."""
        text = text.strip()
        if is_card_code(self.config, text):
            row = self.db.execute_sql(
                f"SELECT {_COLUMNS} FROM member WHERE card = ?", (text,)
            ).fetchone()
            if row is None:
                raise Refused(_("No member has the card {code}.").format(code=text))
            return _member(row)
        if text.isdigit() and len(text) < 8:
            member = self.get(int(text))
            if member.forgotten:
                raise Refused(_("No member has the number {number}.").format(number=text))
            return member
        phone = normalise_phone(text)
        row = self.db.execute_sql(
            f"SELECT {_COLUMNS} FROM member WHERE phone = ?", (phone,)
        ).fetchone()
        if row is None:
            raise Refused(_("No member has that phone number."))
        return _member(row)

    def members(self) -> list[Member]:
        rows = self.db.execute_sql(f"SELECT {_COLUMNS} FROM member ORDER BY id").fetchall()
        return [_member(r) for r in rows]

    def last_visit_utc(self, number: int) -> str | None:
        row = self.db.execute_sql(
            "SELECT MAX(s.completed_utc) FROM member_sale m JOIN sale s ON s.id = m.sale_id"
            " WHERE m.member_id = ?",
            (number,),
        ).fetchone()
        return row[0] if row else None

    # -- joining -----------------------------------------------------------------------------
    def new_card(self) -> str:
        """A member card code no member has: the prefix, random digits, the check digit."""
        prefix = self.config.club.card_prefix
        while True:
            body = prefix + "".join(str(secrets.randbelow(10)) for _ in range(12 - len(prefix)))
            code = body + ean_check(body)
            if not self.db.execute_sql("SELECT 1 FROM member WHERE card = ?", (code,)).fetchone():
                return code

    def join(
        self,
        person: Person,
        phone_text: str,
        *,
        card: str | None = None,
        name: str | None = None,
        consent_purchases: bool,
        consent_offers: bool,
    ) -> Member:
        """A new member; the consents as given, with the consent texts' version and time."""
        permissions.require(self.db, self.journal, person, Permission.SELL)
        phone = normalise_phone(phone_text)
        if card is not None:
            card = card.strip()
            if not is_card_code(self.config, card):
                raise Refused(
                    _("{code} is not a member card: 13 digits starting with {prefix}.").format(
                        code=card, prefix=self.config.club.card_prefix
                    )
                )
        if consent_offers and not consent_purchases:
            raise Refused(_("Offers are chosen from the purchases: they need both consents."))
        name = (name or "").strip() or None
        with self.db.atomic("IMMEDIATE"):
            if self.db.execute_sql("SELECT 1 FROM member WHERE phone = ?", (phone,)).fetchone():
                raise Refused(_("That phone number is already a member."))
            if (
                card
                and self.db.execute_sql("SELECT 1 FROM member WHERE card = ?", (card,)).fetchone()
            ):
                raise Refused(_("The card {code} is already a member's.").format(code=card))
            now = self.clock.now().utc_text
            cursor = self.db.execute_sql(
                "INSERT INTO member (phone, card, name, joined_utc, consent_purchases,"
                " consent_offers, consent_version, consent_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    phone,
                    card,
                    name,
                    now,
                    int(consent_purchases),
                    int(consent_offers),
                    CONSENT_VERSION,
                    now,
                ),
            )
            number = int(cursor.lastrowid or 0)
            self._keep_consent(number, consent_purchases, consent_offers, now, person.number)
            self.journal.write(
                MEMBER_JOIN,
                user=person.number,
                member=number,
                purchases=int(consent_purchases),
                offers=int(consent_offers),
                consent=CONSENT_VERSION,
            )
        return self.get(number)

    def _keep_consent(
        self, number: int, purchases: bool, offers: bool, now: str, user: int
    ) -> None:
        self.db.execute_sql(
            "INSERT INTO member_consent (member_id, purchases, offers, version, utc, user_number)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (number, int(purchases), int(offers), CONSENT_VERSION, now, user),
        )

    def consent(
        self, person: Person, number: int, *, purchases: bool | None, offers: bool | None
    ) -> Member:
        """Give or withdraw a member's consents (shift lead and up), at any time and without
        being forgotten: the answers with the consent text's version and the time are kept, and
        journaled with the member number only. From now on a sale is linked only while the
        purchases consent holds, an offer printed only while the offers consent holds. Offers
        need both: giving offers without purchases is refused, withdrawing purchases withdraws
        offers too. Refused (nothing changed) for a forgotten or unknown member. Withdrawing is
        as easy as giving was (GDPR art. 7(3)): anyone signed in may withdraw at the counter;
        a new yes needs a shift lead (or a technician)."""
        before = self.get(number)
        gives = (purchases and not before.consent_purchases) or (
            offers and not before.consent_offers
        )
        if gives and not permissions.allowed(person.role, Permission.USERS):
            permissions.require(self.db, self.journal, person, Permission.Z_REPORT)  # journaled
        with self.db.atomic("IMMEDIATE"):
            member = self.get(number)
            if member.forgotten:
                raise Refused(_("Member {number} is forgotten.").format(number=number))
            new_purchases = member.consent_purchases if purchases is None else purchases
            new_offers = member.consent_offers if offers is None else offers
            if purchases is False and offers is None:
                new_offers = False
            if new_offers and not new_purchases:
                raise Refused(_("Offers are chosen from the purchases: they need both consents."))
            now = self.clock.now().utc_text
            self.db.execute_sql(
                "UPDATE member SET consent_purchases = ?, consent_offers = ?, consent_version = ?,"
                " consent_utc = ? WHERE id = ?",
                (int(new_purchases), int(new_offers), CONSENT_VERSION, now, number),
            )
            self._keep_consent(number, new_purchases, new_offers, now, person.number)
            self.journal.write(
                MEMBER_CONSENT,
                user=person.number,
                member=number,
                purchases=int(new_purchases),
                offers=int(new_offers),
                consent=CONSENT_VERSION,
            )
        return self.get(number)

    def consent_history(self, number: int) -> list[dict[str, Any]]:
        """Each consent given or withdrawn, oldest first."""
        return [
            {"utc": utc, "purchases": bool(p), "offers": bool(o), "version": v, "user": u}
            for utc, p, o, v, u in self.db.execute_sql(
                "SELECT utc, purchases, offers, version, user_number FROM member_consent"
                " WHERE member_id = ? ORDER BY id",
                (number,),
            ).fetchall()
        ]

    # -- the person's rights -----------------------------------------------------------------
    def export(self, number: int) -> dict[str, Any]:
        """Everything stored about member `number`: data, consents, linked purchases, offers."""
        member = self.get(number)
        purchases = []
        for sale_id, nr, register, utc, total in self.db.execute_sql(
            "SELECT s.id, s.receipt_nr, s.register_id, s.completed_utc, s.total_ore"
            " FROM member_sale m JOIN sale s ON s.id = m.sale_id WHERE m.member_id = ?"
            " ORDER BY s.id",
            (number,),
        ).fetchall():
            lines = [
                {"name": n, "qty_milli": q, "amount_ore": a}
                for n, q, a in self.db.execute_sql(
                    "SELECT name, qty_milli, amount_ore FROM sale_line WHERE sale_id = ?"
                    " ORDER BY line_nr",
                    (sale_id,),
                ).fetchall()
            ]
            purchases.append(
                {
                    "receipt_nr": nr,
                    "register": register,
                    "utc": utc,
                    "total_ore": total,
                    "lines": lines,
                }
            )
        offers = [
            {
                "code": code,
                "product": product,
                "percent": percent,
                "valid_to": valid_to,
                "given_utc": given,
                "redeemed_utc": redeemed,
            }
            for code, product, percent, valid_to, given, redeemed in self.db.execute_sql(
                "SELECT o.code, p.name, o.percent, o.valid_to_local_date, o.given_utc,"
                " r.redeemed_utc FROM member_offer o JOIN product p ON p.id = o.product_id"
                " LEFT JOIN member_offer_redeemed r ON r.offer_id = o.id"
                " WHERE o.member_id = ? ORDER BY o.id",
                (number,),
            ).fetchall()
        ]
        return {
            "member": member.number,
            "phone": member.phone,
            "card": member.card,
            "name": member.name,
            "joined_utc": member.joined_utc,
            "consents": {
                "purchases": member.consent_purchases,
                "offers": member.consent_offers,
                "version": member.consent_version,
                "given_utc": member.consent_utc,
            },
            "consent_history": self.consent_history(number),
            "forgotten_utc": member.forgotten_utc,
            "purchases": purchases,
            "offers": offers,
        }

    def forget(self, person: Person, number: int, reason: str = "asked") -> None:
        """Remove the person (shift lead and up): personal fields and consents erased, the
        member's links, offers and basket identification deleted; journaled with the member
        number only. The sale rows and the journal are not touched."""
        if not permissions.allowed(person.role, Permission.USERS):  # a technician may
            permissions.require(self.db, self.journal, person, Permission.Z_REPORT)
        with self.db.atomic("IMMEDIATE"):
            member = self.get(number)
            if member.forgotten:
                raise Refused(_("Member {number} is already forgotten.").format(number=number))
            self._erase(number)
            self.journal.write(MEMBER_FORGET, user=person.number, member=number, reason=reason)

    def _erase(self, number: int) -> None:
        offers = "SELECT id FROM member_offer WHERE member_id = ?"
        for statement in (
            f"DELETE FROM member_offer_redeemed WHERE offer_id IN ({offers})",
            f"DELETE FROM basket_offer WHERE offer_id IN ({offers})",
            "DELETE FROM member_offer WHERE member_id = ?",
            "DELETE FROM member_sale WHERE member_id = ?",
            "DELETE FROM basket_member WHERE member_id = ?",
            "DELETE FROM member_consent WHERE member_id = ?",
        ):
            self.db.execute_sql(statement, (number,))
        self.db.execute_sql(
            "UPDATE member SET phone = NULL, card = NULL, name = NULL, consent_purchases = 0,"
            " consent_offers = 0, forgotten_utc = ? WHERE id = ?",
            (self.clock.now().utc_text, number),
        )

    def due_for_retention(self) -> list[int]:
        """Members with no purchase (nor joining) in the last `[club] retention_months`."""
        now = self.clock.now().utc
        cutoff = utc_text(now - timedelta(days=round(self.config.club.retention_months * 30.44)))
        rows = self.db.execute_sql(
            "SELECT m.id, MAX(m.joined_utc, COALESCE(MAX(s.completed_utc), ''))"
            " FROM member m LEFT JOIN member_sale l ON l.member_id = m.id"
            " LEFT JOIN sale s ON s.id = l.sale_id WHERE m.forgotten_utc IS NULL"
            " GROUP BY m.id ORDER BY m.id"
        ).fetchall()
        return [int(n) for n, last in rows if parse_utc(str(last)).utc_text < cutoff]

    def prune(self, person: Person) -> list[int]:
        """Forget every member due for retention; returns their numbers."""
        due = self.due_for_retention()
        for number in due:
            self.forget(person, number, reason="retention")
        return due


#: The demo shop's members (README's quick start): member number, phone, card.
DEMO_MEMBERS = ((1, "+4790000001", "2700000000014"), (2, "+4790000002", "2700000000021"))


def load_demo_members(database: SqliteDatabase) -> None:
    """Two demo members with cards, both consents given (inside the caller's transaction)."""
    if not database.table_exists("member"):
        return
    now = "2026-01-01T06:00:00.000000Z"
    database.cursor().executemany(
        "INSERT INTO member (id, phone, card, name, joined_utc, consent_purchases,"
        " consent_offers, consent_version, consent_utc) VALUES (?, ?, ?, NULL, ?, 1, 1, ?, ?)",
        [(n, phone, card, now, CONSENT_VERSION, now) for n, phone, card in DEMO_MEMBERS],
    )
    database.cursor().executemany(
        "INSERT INTO member_consent (member_id, purchases, offers, version, utc, user_number)"
        " VALUES (?, 1, 1, ?, ?, 1)",
        [(n, CONSENT_VERSION, now) for n, _phone, _card in DEMO_MEMBERS],
    )
