"""Pant on the sale screen: a drink's pant line follows it, and bottle-return slips.

A slip's barcode (its layout: config.pant) adds a negative pant line for its amount; the
slip is redeemed when the sale completes (`pant_slip`, append-only), and a slip redeemed before,
or already in an open or parked basket, is refused with when and where. A basket of slips alone
has a negative total and is paid out in cash like any sale (counted as pant paid out).

Scanning a drink that carries a deposit type adds a line «Pant» right under it, in the same
transaction; changing the drink's quantity changes the pant's, deleting the drink deletes its
pant. A pant line that follows a drink is never corrected by itself. `selling.basket` calls the
functions here with a few lines; the deposit types are catalog.deposits'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from peewee import OperationalError, SqliteDatabase
from stdnum import ean

from kassa_tui.catalog.deposits import PANT_GROUP, PANT_LINE_NAME, deposit_of, deposit_type
from kassa_tui.catalog.pricing import Line
from kassa_tui.config.pant import SlipLayout
from kassa_tui.core.clock import Instant
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import QTY_ONE, format_kr
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event, Journal


class SoldLineLike(Protocol):
    """What `pant_after` reads of a sold line (selling.return_lookup.SoldLine)."""

    @property
    def line_nr(self) -> int: ...

    @property
    def group_code(self) -> str: ...

    @property
    def unit_price(self) -> int: ...


Sold = TypeVar("Sold", bound=SoldLineLike)


class Baskets(Protocol):
    """What `add_slip` needs of selling.basket's `Baskets` (not imported: it imports this)."""

    db: SqliteDatabase
    journal: Journal

    def _open_basket_id(self) -> tuple[int, str] | None: ...

    def _ensure_basket(self, person: Person) -> int: ...

    def _no_payments_yet(self, basket_id: int) -> None: ...


_INSERT_PANT_LINE = (
    "INSERT INTO basket_line (basket_id, position, product_id, code, name, group_code, vat_bp,"
    " unit, unit_price_ore, list_price_ore, qty_milli, fixed_amount_ore, discount_ore,"
    " discount_bp, discount_reason) VALUES (?, ?, ?, ?, ?, ?, ?, 'stk', ?, ?, ?, NULL, 0, 0, '')"
)

_PANT_OF = (
    "SELECT l.id, l.position, l.code, l.qty_milli, l.unit_price_ore FROM basket_pant bp"
    " JOIN basket_line l ON l.id = bp.line_id WHERE bp.drink_line_id = ?"
)


def follow_add(
    db: SqliteDatabase, journal: Journal, person: Person, basket_id: int, drink: Line
) -> Line | None:
    """The drink's pant line, added under it; None if it carries none. Inside the caller's
    transaction, right after the drink line was inserted (its position is the basket's last)."""
    if drink.unit != "stk":
        return None
    kind = deposit_of(db, drink.product_id)
    if kind is None:
        return None
    fields = (
        drink.position + 1,
        kind.product_id,
        kind.plu,
        PANT_LINE_NAME,
        PANT_GROUP,
        kind.vat_for(drink.vat_bp),
        "stk",
        kind.amount_ore,
        kind.amount_ore,
        drink.qty_milli,
        None,
    )
    cursor = db.execute_sql(
        _INSERT_PANT_LINE,
        (basket_id, *fields[:6], kind.amount_ore, kind.amount_ore, drink.qty_milli),
    )
    line = Line(int(cursor.lastrowid), *fields)
    db.execute_sql(
        "INSERT INTO basket_pant (line_id, drink_line_id) VALUES (?, ?)", (line.id, drink.id)
    )
    journal.write(
        Event.LINE_ADD,
        user=person.number,
        art=kind.plu,
        code=kind.plu,
        qty=line.qty_milli,
        amount=line.gross,
        pant_of=drink.position,
    )
    return line


def drink_of(db: SqliteDatabase, line_id: int) -> int:
    """The line a correction acts on: a pant line's drink (the cursor sits on the pant right
    after a drink is scanned, and '3 F8' or Del there means the drink), else the line itself."""
    row = db.execute_sql(
        "SELECT drink_line_id FROM basket_pant WHERE line_id = ?", (line_id,)
    ).fetchone()
    return int(row[0]) if row is not None and row[0] is not None else line_id


def refuse_discount(db: SqliteDatabase, line_id: int) -> None:
    """Pant is never discounted or repriced: it is what the bottle is worth back."""
    if db.execute_sql("SELECT 1 FROM basket_pant WHERE line_id = ?", (line_id,)).fetchone():
        raise Refused(_("Pant has a fixed amount: no discount or price change on it."))


def refuse_if_slip(db: SqliteDatabase, line_id: int) -> None:
    """A slip's amount is the slip's: its line can be deleted, not changed (a following
    pant line never gets here: its correction goes to its drink)."""
    row = db.execute_sql("SELECT 1 FROM basket_pant WHERE line_id = ?", (line_id,)).fetchone()
    if row is not None:
        raise Refused(_("A bottle-return slip's line cannot be changed, only deleted."))


def follow_quantity(
    db: SqliteDatabase, journal: Journal, person: Person, drink_line_id: int, qty: int
) -> None:
    """The drink's quantity changed to `qty`: its pant line follows, journaled as a line change."""
    for line_id, position, code, before, unit_price in db.execute_sql(
        _PANT_OF, (drink_line_id,)
    ).fetchall():
        if before == qty:
            continue
        db.execute_sql("UPDATE basket_line SET qty_milli = ? WHERE id = ?", (qty, line_id))
        before_gross = Line(0, 0, 0, code, "", "", 0, "stk", unit_price, unit_price, before).gross
        after_gross = Line(0, 0, 0, code, "", "", 0, "stk", unit_price, unit_price, qty).gross
        journal.write(
            Event.LINE_REDUCE if qty < before else Event.LINE_QTY_UP,
            user=person.number,
            line=position,
            name=PANT_LINE_NAME,
            qty_before=before,
            qty_after=qty,
            amount=before_gross - after_gross,
        )


def follow_remove(db: SqliteDatabase, journal: Journal, person: Person, drink_line_id: int) -> None:
    """The drink's line was deleted: so is its pant line, journaled as a line deletion."""
    for line_id, position, code, qty, unit_price in db.execute_sql(
        _PANT_OF, (drink_line_id,)
    ).fetchall():
        db.execute_sql("DELETE FROM basket_line WHERE id = ?", (line_id,))
        journal.write(
            Event.LINE_DELETE,
            user=person.number,
            line=position,
            name=PANT_LINE_NAME,
            art=code,
            qty=qty,
            amount=Line(0, 0, 0, code, "", "", 0, "stk", unit_price, unit_price, qty).gross,
        )


def period_figures(
    db: SqliteDatabase, in_period: str, period: tuple[object, ...]
) -> tuple[tuple[int, int], tuple[int, int]]:
    """X/Z: ((units of pant sold, amount), (slips paid out, amount)) in the period.

    Pant sold is every pant line of a drink, sales less returns, counted in bottles and cans;
    pant paid out is every bottle-return slip redeemed (a negative pant line of a sale), counted
    in slips and as a positive amount. `in_period` filters `sale s` with `period`'s parameters.
    """
    row = db.execute_sql(
        "SELECT COALESCE(SUM(CASE WHEN slip THEN 0 ELSE qty END), 0),"
        " COALESCE(SUM(CASE WHEN slip THEN 0 ELSE amount END), 0),"
        " COALESCE(SUM(slip), 0), COALESCE(SUM(CASE WHEN slip THEN -amount ELSE 0 END), 0)"
        " FROM (SELECT l.qty_milli qty, l.amount_ore amount,"
        " (s.kind = 'sale' AND l.amount_ore < 0) slip FROM sale_line l"
        f" JOIN sale s ON s.id = l.sale_id WHERE {in_period} AND s.training = 0"
        " AND l.group_code = ?)",
        (*period, PANT_GROUP),
    ).fetchone()
    return (int(row[0]) // 1000, int(row[1])), (int(row[2]), int(row[3]))


@dataclass(frozen=True)
class Slip:
    code: str
    serial: str
    amount_ore: int
    layout: SlipLayout


def read_slip(layouts: tuple[SlipLayout, ...], text: str) -> Slip | None:
    """The slip behind a scanned code, None if it is no slip; a code with a slip's prefix that
    does not read as one is refused (nothing is added)."""
    code = text.strip()
    for layout in layouts:
        if not code.startswith(layout.prefix):
            continue
        if not code.isdigit() or len(code) != layout.length:
            raise Refused(
                _("Pant slip {code} not accepted: it should have {n} digits.").format(
                    code=code, n=layout.length
                )
            )
        if layout.check_digit and not ean.is_valid(code):
            raise Refused(
                _("Pant slip {code} not accepted (wrong check digit): nothing added.").format(
                    code=code
                )
            )
        serial = code[layout.serial_at : layout.serial_at + layout.serial_digits]
        value = int(code[layout.amount_at : layout.amount_at + layout.amount_digits])
        amount = value * 100 if layout.amount_unit == "kr" else value
        if amount <= 0:
            raise Refused(_("Pant slip {code} is for 0 kr: nothing added.").format(code=code))
        return Slip(code, f"{layout.prefix}-{serial}", amount, layout)
    return None


def _where_is(db: SqliteDatabase, serial: str) -> str | None:
    """Why a slip cannot be taken: redeemed before (when, which receipt) or already in a basket."""
    row = db.execute_sql(
        "SELECT s.receipt_nr, s.local_date, s.local_time, s.register_id FROM pant_slip p"
        " JOIN sale s ON s.id = p.sale_id WHERE p.serial = ?",
        (serial,),
    ).fetchone()
    if row is not None:
        nr, day, time, register = row
        return _(
            "Pant slip {serial} was redeemed {day} at {time} on receipt {nr} ({register})."
        ).format(
            serial=serial,
            day=f"{day[8:10]}.{day[5:7]}.{day[:4]}",
            time=time[:5],
            nr=nr,
            register=register,
        )
    row = db.execute_sql(
        "SELECT b.status FROM basket_pant bp JOIN basket_line l ON l.id = bp.line_id"
        " JOIN basket b ON b.id = l.basket_id WHERE bp.slip_serial = ?"
        " AND b.status IN ('open', 'parked')",
        (serial,),
    ).fetchone()
    if row is not None:
        if row[0] == "parked":
            return _("Pant slip {serial} is in a parked sale.").format(serial=serial)
        return _("Pant slip {serial} is already in this sale.").format(serial=serial)
    return None


def add_slip(baskets: Baskets, person: Person, slip: Slip, qty_milli: int | None) -> Line:
    """A negative pant line for the slip, journaled; inside its own IMMEDIATE transaction."""
    if qty_milli is not None:
        raise Refused(_("A pant slip carries its own amount; no quantity first."))
    db = baskets.db
    with db.atomic("IMMEDIATE"):
        why = _where_is(db, slip.serial)
        if why is not None:
            raise Refused(why)
        kind = deposit_type(db, slip.layout.deposit)
        if kind.vat_bp is None:
            raise Refused(
                _("Deposit type {code} has no VAT of its own, so it cannot take slips.").format(
                    code=kind.code
                )
            )
        found = baskets._open_basket_id()
        basket_id = found[0] if found else baskets._ensure_basket(person)
        baskets._no_payments_yet(basket_id)
        last = db.execute_sql(
            "SELECT COALESCE(MAX(position), 0) FROM basket_line WHERE basket_id = ?", (basket_id,)
        ).fetchone()[0]
        name = _slip_name(slip)
        fields = (
            int(last) + 1,
            kind.product_id,
            slip.code,
            name,
            PANT_GROUP,
            kind.vat_bp,
            "stk",
            -slip.amount_ore,
            -slip.amount_ore,
            QTY_ONE,
            None,
        )
        cursor = db.execute_sql(
            _INSERT_PANT_LINE,
            (basket_id, *fields[:6], -slip.amount_ore, -slip.amount_ore, QTY_ONE),
        )
        line = Line(int(cursor.lastrowid), *fields)
        db.execute_sql(
            "INSERT INTO basket_pant (line_id, slip_serial) VALUES (?, ?)", (line.id, slip.serial)
        )
        baskets.journal.write(
            Event.LINE_ADD,
            user=person.number,
            art=kind.plu,
            code=slip.code,
            qty=QTY_ONE,
            amount=line.gross,
            slip=slip.serial,
        )
    return line


def _slip_name(slip: Slip) -> str:
    """The line's name on the screen and the receipt (Norwegian, as receipts are)."""
    return f"Pantelapp {slip.serial.split('-', 1)[1]}"


def redeem_slips(db: SqliteDatabase, basket_id: int, sale_id: int, now: Instant) -> None:
    """The sale is written: its slips are redeemed, each once (the primary key holds it)."""
    try:
        db.execute_sql(
            "INSERT INTO pant_slip (serial, amount_ore, sale_id, redeemed_utc)"
            " SELECT bp.slip_serial, -l.unit_price_ore, ?, ? FROM basket_pant bp"
            " JOIN basket_line l ON l.id = bp.line_id"
            " WHERE l.basket_id = ? AND bp.slip_serial IS NOT NULL",
            (sale_id, now.utc_text, basket_id),
        )
    except OperationalError as exc:  # a database before schema 9 (the upgrade tests sell on it)
        if "no such table" not in str(exc):
            raise


def paid_out_message(total: int) -> str:
    """What the cashier is told when a sale of slips pays out."""
    return _("PAY OUT {amount} pant").format(amount=format_kr(-total))


def period_accounts(
    db: SqliteDatabase, in_period: str, period: tuple[object, ...]
) -> list[tuple[str, int, int, int]]:
    """X/Z and the voucher: the pant of the period by (account, VAT rate): (account, rate_bp,
    amount incl. VAT, VAT), pant sold and slips paid out together (a slip's amount is negative),
    so the voucher moves it off the sales accounts onto the deposit types' own accounts."""
    rows = db.execute_sql(
        "SELECT d.account, l.vat_bp, SUM(l.amount_ore), SUM(l.vat_ore) FROM sale_line l"
        f" JOIN sale s ON s.id = l.sale_id JOIN deposit_type d ON d.product_id = l.product_id"
        f" WHERE {in_period} AND s.training = 0 AND l.group_code = ?"
        " GROUP BY d.account, l.vat_bp ORDER BY d.account, l.vat_bp DESC",
        (*period, PANT_GROUP),
    ).fetchall()
    return [(str(a), int(r), int(amount), int(vat)) for a, r, amount, vat in rows if amount or vat]


def accounts_used(db: SqliteDatabase, sold: str, params: tuple[object, ...]) -> dict[str, str]:
    """SAF-T's general ledger: the deposit types' accounts the sales `sold` (a SELECT of sale
    ids) carry pant on, each with the names of its deposit types."""
    names: dict[str, list[str]] = {}
    for account, name in db.execute_sql(
        "SELECT DISTINCT d.account, d.name FROM deposit_type d WHERE d.product_id IN"
        f" (SELECT product_id FROM sale_line WHERE sale_id IN ({sold})) ORDER BY d.account, d.code",
        params,
    ):
        names.setdefault(str(account), []).append(str(name))
    return {account: "Pant: " + ", ".join(kinds) for account, kinds in names.items()}


def pant_after(lines: Sequence[Sold], line: Sold) -> Sold | None:
    """The pant line a sold drink line brought with it (the next line, in group PANT, for a
    positive amount): a return by receipt chooses it with its drink."""
    if line.group_code == PANT_GROUP:
        return None
    for other in lines:
        if other.line_nr == line.line_nr + 1:
            return other if other.group_code == PANT_GROUP and other.unit_price > 0 else None
    return None
