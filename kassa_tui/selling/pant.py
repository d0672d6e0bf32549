"""Pant on the sale screen: a drink's pant line follows it, and bottle-return slips.

Scanning a drink that carries a deposit type adds a line «Pant» right under it, in the same
transaction; changing the drink's quantity changes the pant's, deleting the drink deletes its
pant. A pant line that follows a drink is never corrected by itself. `selling.basket` calls the
functions here with a few lines; the deposit types are catalog.deposits'.
"""

from __future__ import annotations

from peewee import SqliteDatabase

from kassa_tui.catalog.deposits import PANT_GROUP, PANT_LINE_NAME, deposit_of
from kassa_tui.catalog.pricing import Line
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event, Journal

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
