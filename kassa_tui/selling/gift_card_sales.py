"""Selling a gift card at the till: a basket line «Gavekort» that is a liability, not revenue.

The cashier scans a card from the shop's card stack (or lets kassa make a code, printed on the
receipt as a barcode) and types the amount. The line sits in the basket like any other, in the
product group GAVEKORT at 0 % VAT, with the card's code as its code; nothing is issued yet. Only
when the sale completes, in the same transaction, is the card issued (selling.gift_cards: the
card and its first movement, carrying the sale's basket). A basket voided, or a card line
deleted, issues nothing.

Money put on a card is not a sale (accounting.md, Skatteetaten's Q&A on § 2-8-2): the X/Z leave
the card lines out of the sales, the product groups and the VAT and count them apart (gift cards
sold, redeemed; credit notes issued, redeemed); the voucher credits the card's liability account
(the [[payment]] method that redeems that kind of card); SAF-T writes the line with its own line
type and that account, without VAT. `selling.basket`, `selling.sales` and the reports call the
functions here with a few lines.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from peewee import OperationalError, SqliteDatabase
from stdnum import ean

from kassa_tui.catalog.pricing import Line, Priced, PricedLine
from kassa_tui.config import Config
from kassa_tui.config.accounting import AccountingSettings
from kassa_tui.core.clock import Instant
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import QTY_ONE, InvalidAmount, VatLine, format_kr, parse_amount
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event, Journal
from kassa_tui.records.receipts import ReceiptDoc, SaleFacts
from kassa_tui.selling.gift_cards import CREDIT, GIFT, Card, GiftCards, normalise

GIFT_GROUP = "GAVEKORT"
GIFT_GROUP_NAME = "Gavekort"
GIFT_PLU = "GAVEKORT"
GIFT_LINE_NAME = "Gavekort"  # on the screen and the receipt (Norwegian, as receipts are)
GIFT_SAFT_GROUP = "04999"  # PredefinedBasicID-04 has no code for gift cards: Other
#: SAF-T's line type (basicType 05, no predefined code) of a gift card sold.
LINE_TYPE = ("GIFTCARD", "", "Gift card sold: a liability (no VAT, not revenue)")
#: A code kassa makes: an EAN-13 of GS1's in-store range 29 (never a product's or a weighed
#: label's barcode in this shop: [[barcodes.embedded]] uses 23 and 24).
OWN_PREFIX = "29"

_INSERT_LINE = (
    "INSERT INTO basket_line (basket_id, position, product_id, code, name, group_code, vat_bp,"
    " unit, unit_price_ore, list_price_ore, qty_milli, fixed_amount_ore, discount_ore,"
    " discount_bp, discount_reason) VALUES (?, ?, ?, ?, ?, ?, 0, 'stk', ?, ?, ?, NULL, 0, 0, '')"
)


class Baskets(Protocol):
    """What `sell` needs of selling.basket's `Baskets` (not imported: it imports this)."""

    db: SqliteDatabase
    journal: Journal
    config: Config

    def _guard(self) -> None: ...

    def ready_to_sell(self) -> None: ...

    def _open_basket_id(self) -> tuple[int, str] | None: ...

    def _ensure_basket(self, person: Person) -> int: ...

    def _no_payments_yet(self, basket_id: int) -> None: ...


def gift_product_id(db: SqliteDatabase, journal: Journal, user: int | None = None) -> int:
    """The product a gift card line is sold as (inactive: never found or scanned by itself).
    `kassa init` makes it (ensure_gift_product); a till made before that gets it here, the
    first time a card is sold, inside the caller's transaction; journaled either way."""
    return ensure_gift_product(db, journal, user)


def ensure_gift_product(db: SqliteDatabase, journal: Journal, user: int | None = None) -> int:
    """The product «Gavekort» and its group GAVEKORT, made if missing with their master-data
    journal rows (13021 MASTERDATA), as every product and group gets; call in a transaction
    (or let this open one). Returns the product's id."""
    with db.atomic():
        row = db.execute_sql("SELECT id FROM product WHERE plu = ?", (GIFT_PLU,)).fetchone()
        if row:
            return int(row[0])
        group = db.execute_sql(
            "SELECT id FROM product_group WHERE code = ?", (GIFT_GROUP,)
        ).fetchone()
        if group is None:
            group = (
                db.execute_sql(
                    "INSERT INTO product_group (code, name, saft_group) VALUES (?, ?, ?)",
                    (GIFT_GROUP, GIFT_GROUP_NAME, GIFT_SAFT_GROUP),
                ).lastrowid,
            )
            journal.write(
                Event.MASTER_DATA,
                user=user,
                action="add_group",
                group=GIFT_GROUP,
                name=GIFT_GROUP_NAME,
                saft_group=GIFT_SAFT_GROUP,
            )
        cursor = db.execute_sql(
            "INSERT INTO product (plu, name, group_id, vat_bp, price_ore, unit, active)"
            " VALUES (?, ?, ?, 0, 0, 'stk', 0)",
            (GIFT_PLU, GIFT_LINE_NAME, int(group[0])),
        )
        product_id = int(cursor.lastrowid)
        journal.write(
            Event.MASTER_DATA,
            user=user,
            action="add",
            product=product_id,
            plu=GIFT_PLU,
            name=GIFT_LINE_NAME,
            group=GIFT_GROUP,
            vat_bp=0,
            price=0,
            unit="stk",
            barcodes=[],
            active=False,
        )
        return product_id


def new_code(db: SqliteDatabase) -> str:
    """A code no card has and no basket holds: 29, ten random digits and the check digit."""
    while True:
        body = OWN_PREFIX + "".join(str(secrets.randbelow(10)) for _ in range(10))
        code = body + ean.calc_check_digit(body)
        if _where_is(db, code) is None:
            return code


def _where_is(db: SqliteDatabase, code: str) -> str | None:
    """Why a code cannot be sold: a card already has it, or a basket already sells it."""
    if db.execute_sql("SELECT 1 FROM gift_card WHERE code = ?", (code,)).fetchone():
        return _("Gift card {code} is already issued: use a new card.").format(code=code)
    row = db.execute_sql(
        "SELECT b.status FROM basket_line l JOIN basket b ON b.id = l.basket_id"
        " WHERE l.group_code = ? AND l.code = ? AND b.status IN ('open', 'parked')",
        (GIFT_GROUP, code),
    ).fetchone()
    if row is not None:
        if row[0] == "parked":
            return _("Gift card {code} is in a parked sale.").format(code=code)
        return _("Gift card {code} is already in this sale.").format(code=code)
    return None


def parse_card_amount(config: Config, text: str) -> int:
    """What a gift card is sold for: more than 0 and at most [gift_cards] max_amount."""
    try:
        amount = parse_amount(text)
    except InvalidAmount:
        raise Refused(_("{text} is not an amount.").format(text=text)) from None
    if amount <= 0:
        raise Refused(_("A gift card must hold more than 0,00."))
    most = config.gift_cards.max_amount_ore
    if amount > most:
        raise Refused(
            _("A gift card can hold at most {most} (kassa.toml: gift_cards.max_amount).").format(
                most=format_kr(most)
            )
        )
    return amount


def sell(
    baskets: Baskets, person: Person, code_text: str, amount_text: str, *, training: bool
) -> Line:
    """Add a gift card line to the open basket: the card scanned (`code_text`, or '' for a
    code kassa makes) for `amount_text`. Nothing is issued until the sale completes."""
    baskets._guard()
    db = baskets.db
    permissions.require(db, baskets.journal, person, Permission.SELL)
    baskets.ready_to_sell()
    if training:
        raise Refused(_("Training mode: no gift card is sold."))
    amount = parse_card_amount(baskets.config, amount_text)
    code = normalise(code_text) if code_text.strip() else ""
    with db.atomic("IMMEDIATE"):
        if not code:
            code = new_code(db)
        why = _where_is(db, code)
        if why is not None:
            raise Refused(why)
        found = baskets._open_basket_id()
        basket_id = found[0] if found else baskets._ensure_basket(person)
        baskets._no_payments_yet(basket_id)
        discount = db.execute_sql(
            "SELECT sale_discount_ore + sale_discount_bp FROM basket WHERE id = ?", (basket_id,)
        ).fetchone()[0]
        if discount:
            raise Refused(_("A sale with a discount on the whole sale cannot sell a gift card."))
        last = db.execute_sql(
            "SELECT COALESCE(MAX(position), 0) FROM basket_line WHERE basket_id = ?", (basket_id,)
        ).fetchone()[0]
        product_id = gift_product_id(db, baskets.journal, person.number)
        fields = (int(last) + 1, product_id, code, GIFT_LINE_NAME, GIFT_GROUP)
        cursor = db.execute_sql(_INSERT_LINE, (basket_id, *fields, amount, amount, QTY_ONE))
        line = Line(int(cursor.lastrowid), *fields, 0, "stk", amount, amount, QTY_ONE)
        baskets.journal.write(
            Event.LINE_ADD,
            user=person.number,
            art=GIFT_PLU,
            code=code,
            qty=QTY_ONE,
            amount=amount,
            gift_card=code,
        )
    return line


def refuse_change(db: SqliteDatabase, line_id: int) -> None:
    """A gift card line holds what the customer pays for it: no quantity, discount or price
    change (delete the line and sell the card again)."""
    row = db.execute_sql("SELECT group_code FROM basket_line WHERE id = ?", (line_id,)).fetchone()
    if row is not None and row[0] == GIFT_GROUP:
        raise Refused(_("A gift card line cannot be changed, only deleted."))


def refuse_sale_discount(lines: Sequence[Line]) -> None:
    """A discount on the whole sale would be spread onto the card: refused with a card line."""
    if any(line.group_code == GIFT_GROUP for line in lines):
        raise Refused(_("A sale with a gift card takes no discount on the whole sale."))


def refuse_return(group_code: str) -> None:
    """A gift card sold is not returned: its money stays on the card (redeem it instead)."""
    if group_code == GIFT_GROUP:
        raise Refused(_("A gift card sold cannot be returned: what it holds stays on the card."))


def issue_sold(
    db: SqliteDatabase,
    config: Config,
    basket_id: int,
    basket_uuid: str,
    now: Instant,
    user: int,
) -> list[Card]:
    """The sale is being written: its gift card lines become cards (in the sale's
    transaction); a code issued since the line was added refuses the whole sale."""
    rows = db.execute_sql(
        "SELECT code, unit_price_ore FROM basket_line WHERE basket_id = ? AND group_code = ?"
        " ORDER BY position",
        (basket_id, GIFT_GROUP),
    ).fetchall()
    cards = GiftCards(db, config.register_id)
    return [
        cards.issue(
            str(code),
            GIFT,
            int(amount),
            basket_uuid,
            now,
            user=user,
            valid_days=config.gift_cards.days_for(GIFT),
        )
        for code, amount in rows
    ]


def credit_method(config: Config) -> str | None:
    """The [[payment]] method that takes credit notes (saft_code 12010): a return refunded to
    a new credit note is a refund by it (None: the till takes no credit notes)."""
    return next((m.key for m in config.payment_methods if m.card_kind == "credit"), None)


def is_credit_refund(config: Config, method: str | None) -> bool:
    return method is not None and method == credit_method(config)


def refuse_credit_note_in_training(training: bool) -> None:
    if training:
        raise Refused(_("Training mode: no credit note is issued."))


def issue_credit_note(
    db: SqliteDatabase, config: Config, sale_id: int, amount_ore: int, now: Instant, user: int
) -> Card:
    """A return refunded to a credit note: a new one (a code kassa makes) for `amount_ore`,
    in the return's transaction and on its basket, so the X/Z count it with the return."""
    basket_uuid = db.execute_sql("SELECT basket_uuid FROM sale WHERE id = ?", (sale_id,))
    return GiftCards(db, config.register_id).issue(
        new_code(db),
        CREDIT,
        amount_ore,
        str(basket_uuid.fetchone()[0]),
        now,
        user=user,
        valid_days=config.gift_cards.days_for(CREDIT),
    )


def credit_note_of(db: SqliteDatabase, sale_id: int) -> Card | None:
    """The credit note a return issued (the screen names it to the cashier)."""
    row = db.execute_sql(
        "SELECT c.code FROM gift_card c JOIN gift_card_movement m ON m.card_id = c.id"
        " JOIN sale s ON s.basket_uuid = m.basket_uuid WHERE s.id = ? AND c.kind = ?"
        " AND m.amount_ore > 0 ORDER BY m.id LIMIT 1",
        (sale_id, CREDIT),
    ).fetchone()
    return None if row is None else GiftCards(db, "").look_up(str(row[0]))


def journal_details(cards: list[Card]) -> dict[str, object]:
    """What the sale's journal row says of the cards it issued (nothing when none)."""
    if not cards:
        return {}
    return {"gift_cards": [[c.code, c.balance_ore, c.expires] for c in cards]}


# -- the receipt ----------------------------------------------------------------------------


def receipt_facts(facts: SaleFacts, cards: list[Card]) -> SaleFacts:
    """The receipt's VAT lines without the cards: a card sold has no VAT and is no sale."""
    return _without(facts, sum(c.balance_ore for c in cards))


def provisional_facts(facts: SaleFacts, lines: Sequence[PricedLine]) -> SaleFacts:
    """A provisional receipt's VAT lines without the gift card lines (not issued yet)."""
    return _without(facts, sum(p.amount for p in lines if p.line.group_code == GIFT_GROUP))


def _without(facts: SaleFacts, off: int) -> SaleFacts:
    if not off:
        return facts
    return replace(facts, vat_lines=_vat_without(facts.vat_lines, off))


def screen_vat_lines(priced: Priced) -> list[VatLine]:
    """The sale screen's VAT lines without the gift card lines (no VAT line for a card, as on
    the receipt): a basket of cards alone shows none."""
    off = sum(p.amount for p in priced.lines if p.line.group_code == GIFT_GROUP)
    return _vat_without(priced.vat_lines, off) if off else list(priced.vat_lines)


def _vat_without(lines: Sequence[VatLine], off: int) -> list[VatLine]:
    vat_lines: list[VatLine] = []
    for line in lines:
        if line.rate_bp == 0 and off:
            taken = min(off, line.amount_incl)
            off -= taken
            line = replace(line, amount_incl=line.amount_incl - taken)
            if line.amount_incl == 0 and line.vat == 0:
                continue
        vat_lines.append(line)
    return vat_lines


def add_to_receipt(doc: ReceiptDoc, cards: list[Card]) -> None:
    """Each card sold (or credit note a return issued), at the foot of the receipt: its code
    as a barcode (the card when kassa made the code), what it holds and its last day."""
    for card in cards:
        credit = card.kind == CREDIT
        doc.add("rule")
        doc.add("bold", "TILGODELAPP" if credit else "GAVEKORT")
        doc.add("cols", "Kortnummer", card.code)
        doc.add("cols", "Verdi", format_kr(card.balance_ore))
        doc.add("cols", "Gyldig til", _day(card.expires))
        if credit:
            doc.add("text", "Innløses som betaling ved neste kjøp.")
        else:
            doc.add("text", "Gavekort er ikke omsetning; ingen mva.")
        doc.add("barcode", card.code)


def _day(iso: str) -> str:
    return f"{iso[8:10]}.{iso[5:7]}.{iso[:4]}"


# -- X/Z, voucher, SAF-T ---------------------------------------------------------------------


def sold_in_period(
    db: SqliteDatabase, in_period: str, period: tuple[object, ...]
) -> tuple[int, int]:
    """(gift card lines sold, their amount) in the period: not part of the sales."""
    row = db.execute_sql(
        "SELECT COUNT(*), COALESCE(SUM(l.amount_ore), 0) FROM sale_line l"
        f" JOIN sale s ON s.id = l.sale_id WHERE {in_period} AND s.training = 0"
        " AND l.group_code = ?",
        (*period, GIFT_GROUP),
    ).fetchone()
    return int(row[0]), int(row[1])


def period_figures(
    db: SqliteDatabase, in_period: str, period: tuple[object, ...]
) -> dict[str, tuple[int, int, int, int]]:
    """Per kind (gift, credit): (issued, amount, redeemed, amount) by the period's
    transactions: the card movements carrying the basket of a sale or return of the period."""
    try:
        rows = db.execute_sql(
            "SELECT c.kind, COALESCE(SUM(m.amount_ore > 0), 0),"
            " COALESCE(SUM(CASE WHEN m.amount_ore > 0 THEN m.amount_ore END), 0),"
            " COALESCE(SUM(m.amount_ore < 0), 0),"
            " COALESCE(-SUM(CASE WHEN m.amount_ore < 0 THEN m.amount_ore END), 0)"
            " FROM gift_card_movement m JOIN gift_card c ON c.id = m.card_id"
            f" JOIN sale s ON s.basket_uuid = m.basket_uuid WHERE {in_period}"
            " AND s.training = 0 GROUP BY c.kind",
            period,
        ).fetchall()
    except OperationalError as exc:  # a database before schema 9 (the upgrade tests)
        if "no such table" in str(exc):
            return {}
        raise
    return {str(kind): (int(a), int(b), int(c), int(d)) for kind, a, b, c, d in rows}


def liability_account(settings: AccountingSettings, kind: str = GIFT) -> str | None:
    """The account a kind of card's money sits on: the account of the [[payment]] method
    that redeems it (2901 gavekort, 2902 tilgodelapper in the demo)."""
    wanted = {GIFT: "gift", CREDIT: "credit"}[kind]
    return next((m.account for m in settings.payment_methods if m.card_kind == wanted), None)


def accounts_used(
    db: SqliteDatabase, settings: AccountingSettings, sold: str, params: tuple[object, ...]
) -> dict[str, str]:
    """SAF-T's general ledger: the gift card liability account, when the sales `sold` (a
    SELECT of sale ids) sold a card."""
    row = db.execute_sql(
        f"SELECT 1 FROM sale_line WHERE sale_id IN ({sold}) AND group_code = ? LIMIT 1",
        (*params, GIFT_GROUP),
    ).fetchone()
    account = liability_account(settings)
    return {account: "Gavekort (forskudd fra kunder)"} if row and account else {}
