"""An open basket follows the till's clock (issue 14): when a planned price or a campaign starts
or ends while a basket is open, the basket is priced as the till sells at that minute.

- Campaigns are priced on the till's clock each time the basket is read
  (selling.open_basket.current, selling.sales at payment), so they follow by themselves; the
  sale screen only has to draw the basket again and say so.
- A planned price changes the product's price (stock.planned_prices, journaled 13021); a line
  scanned before keeps the price it was scanned at until `reprice_lines` gives it the price in
  force now (journaled LINEREPRICE, 13999, with the old and new price). The sale screen's
  timer does it the minute the clock passes (`ClockFollower.tick`), and completing a sale does
  it too (selling.sales), so the receipt and the stored sale carry the prices in force then.

A line follows the catalog only while it is the catalog's: a price override, a price in the
barcode, a kroner discount of its own, pant lines and bottle-return slips, a product with no
price of its own (gift cards, open prices) or a basket already being paid keep their price.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from peewee import SqliteDatabase

from kassa_tui.catalog.deposits import PANT_GROUP
from kassa_tui.catalog.pricing import Line
from kassa_tui.core.clock import Clock, parse_utc
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr
from kassa_tui.records.journal import Event, Journal
from kassa_tui.selling.campaigns import campaigns_for
from kassa_tui.selling.open_basket import OpenBasket


@dataclass(frozen=True)
class Repriced:
    line_id: int
    name: str
    old: int
    new: int


def follows_the_catalog(line: Line) -> bool:
    """A line at the catalog's own price: not pant (a drink's pant follows the drink, a
    bottle-return slip is its own amount), no override, price in the barcode or kroner off."""
    return (
        not line.overridden
        and line.fixed_amount_ore is None
        and not line.discount_ore
        and line.unit_price_ore == line.list_price_ore
        and line.unit_price_ore > 0
        and line.qty_milli > 0
        and line.group_code != PANT_GROUP
    )


def reprice_lines(
    db: SqliteDatabase, journal: Journal, basket_id: int, lines: list[Line]
) -> list[Repriced]:
    """Give the basket's lines the catalog's price in force now, inside the caller's
    transaction; each change journaled. Returns what changed (nothing for a basket with a
    payment: it is paid at the prices it was shown with)."""
    if db.execute_sql(
        "SELECT 1 FROM basket_payment WHERE basket_id = ? LIMIT 1", (basket_id,)
    ).fetchone():
        return []
    following = [ln for ln in lines if follows_the_catalog(ln)]
    if not following:
        return []
    ids = sorted({ln.product_id for ln in following})
    prices = {
        int(pid): int(price)
        for pid, price in db.execute_sql(
            f"SELECT id, price_ore FROM product WHERE id IN ({','.join('?' * len(ids))})", ids
        ).fetchall()
    }
    changed: list[Repriced] = []
    for line in following:
        new = prices.get(line.product_id, 0)
        if new <= 0 or new == line.unit_price_ore:
            continue
        db.execute_sql(
            "UPDATE basket_line SET unit_price_ore = ?, list_price_ore = ? WHERE id = ?",
            (new, new, line.id),
        )
        journal.write(
            Event.LINE_REPRICE,
            line=line.id,
            product=line.product_id,
            name=line.name,
            old=line.unit_price_ore,
            new=new,
        )
        changed.append(Repriced(line.id, line.name, line.unit_price_ore, new))
    return changed


class ClockFollower:
    """The sale screen's eye on the clock: once each minute of the till's clock, the open
    basket takes the prices in force (planned prices already switched by the caller) and what
    changed is told in a sentence for the message line."""

    def __init__(self, db: SqliteDatabase, journal: Journal, clock: Clock, basket: OpenBasket):
        self.db = db
        self.journal = journal
        self.clock = clock
        self.basket = basket
        self.minute: str | None = None
        self.last_utc = ""

    def tick(self, switch: Callable[[], object] | None = None) -> str | None:
        """None while the minute is the same or nothing changed; else what changed. `switch`
        (the planned prices' switch, stock.planned_prices.switch_due) runs first when the
        minute has passed: one clock reading a tick otherwise."""
        now = self.clock.now().utc_text
        minute = now[:16]  # 'YYYY-MM-DDTHH:MM'
        if minute == self.minute:
            return None
        before, self.minute, self.last_utc = self.last_utc, minute, now
        found = self.basket._open_basket_id()
        if not before or found is None:
            return None
        if switch is not None:
            switch()
        basket_id = found[0]
        with self.db.atomic("IMMEDIATE"):
            changed = reprice_lines(self.db, self.journal, basket_id, self.basket.lines(basket_id))
        lines = self.basket.lines(basket_id)
        was = {h.name for h in campaigns_for(self.db, before, lines)}
        running = {h.name for h in campaigns_for(self.db, now, lines)}
        parts = [
            _("{name} now {price}").format(name=r.name, price=format_kr(r.new)) for r in changed
        ]
        parts += [_("{name} starts").format(name=n) for n in sorted(running - was)]
        parts += [_("{name} has ended").format(name=n) for n in sorted(was - running)]
        if not parts:
            return None
        local = parse_utc(now).local.strftime("%H:%M")
        return _("{time}: prices changed, the basket is priced again: {what}.").format(
            time=local, what="; ".join(parts)
        )
