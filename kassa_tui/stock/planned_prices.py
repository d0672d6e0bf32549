"""Planned prices: a product's price from a valid-from to a valid-to time (issue 14).

The till switches them itself, offline, on its own clock: `switch_due` runs at start and then
every few seconds (kassa_tui.app), so a price changes within the minute it is planned for. Each
switch that takes effect is a price change like any other, journaled 13021 when it happens (as
now, with the planned price's id); the price before is kept and comes back at the end, unless
someone changed the price by hand meanwhile (then the hand-set price stays). A planned price
whose whole window passed while the till was off never takes effect and is not journaled.
(It lives in stock, not catalog, because it journals: catalog sits beside records.)
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import SqliteDatabase

from kassa_tui.catalog.search import reindex
from kassa_tui.core.clock import Clock
from kassa_tui.records.journal import Event, Journal

_DUE_START = (
    "SELECT pp.id, pp.product_id, pp.price_ore, pp.valid_to_utc, p.price_ore, p.plu, p.name"
    " FROM planned_price pp JOIN product p ON p.id = pp.product_id"
    " WHERE pp.state = 'planned' AND pp.valid_from_utc <= ? ORDER BY pp.valid_from_utc, pp.id"
)
_DUE_END = (
    "SELECT pp.id, pp.product_id, pp.price_ore, pp.previous_price_ore, p.price_ore, p.plu, p.name"
    " FROM planned_price pp JOIN product p ON p.id = pp.product_id"
    " WHERE pp.state = 'active' AND pp.valid_to_utc IS NOT NULL AND pp.valid_to_utc <= ?"
    " ORDER BY pp.valid_to_utc, pp.id"
)


@dataclass(frozen=True)
class Switched:
    planned_id: int
    product_id: int
    name: str
    old: int
    new: int


def switch_due(db: SqliteDatabase, journal: Journal, clock: Clock) -> list[Switched]:
    """Start the planned prices that are due and end those whose time is over; one
    transaction, a 13021 row for each price that changes. Cheap when nothing is due (one
    indexed query each way)."""
    now = clock.now().utc_text
    if not db.execute_sql(
        "SELECT 1 FROM planned_price WHERE (state = 'planned' AND valid_from_utc <= ?)"
        " OR (state = 'active' AND valid_to_utc <= ?) LIMIT 1",
        (now, now),
    ).fetchone():
        return []
    switched: list[Switched] = []
    with db.atomic("IMMEDIATE"):
        for pid, product_id, new, valid_to, current, plu, name in db.execute_sql(
            _DUE_START, (now,)
        ).fetchall():
            if valid_to is not None and valid_to <= now:
                db.execute_sql("UPDATE planned_price SET state = 'ended' WHERE id = ?", (pid,))
                continue
            db.execute_sql(
                "UPDATE planned_price SET state = 'active', previous_price_ore = ? WHERE id = ?",
                (current, pid),
            )
            if new != current:
                switched.append(
                    _change(db, journal, pid, product_id, plu, name, current, new, "start")
                )
        for pid, product_id, planned, previous, current, plu, name in db.execute_sql(
            _DUE_END, (now,)
        ).fetchall():
            db.execute_sql("UPDATE planned_price SET state = 'ended' WHERE id = ?", (pid,))
            if current == planned and previous is not None and previous != current:
                switched.append(
                    _change(db, journal, pid, product_id, plu, name, current, previous, "end")
                )
    return switched


def _change(
    db: SqliteDatabase,
    journal: Journal,
    planned_id: int,
    product_id: int,
    plu: str | None,
    name: str,
    old: int,
    new: int,
    step: str,
) -> Switched:
    db.execute_sql("UPDATE product SET price_ore = ? WHERE id = ?", (new, product_id))
    reindex(db, [product_id])
    journal.write(
        Event.PRICE_CHANGE,
        product=product_id,
        plu=plu,
        name=name,
        old=old,
        new=new,
        planned_price=planned_id,
        step=step,
    )
    return Switched(planned_id, product_id, name, old, new)
