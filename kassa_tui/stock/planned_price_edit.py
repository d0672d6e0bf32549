"""A planned price made on the till: the product form's "new price from" (stock screen, F7).

The price typed in the form becomes the product's price at that minute on the till's clock
(`kassa_tui.stock.planned_prices.switch_due` switches it, offline, and journals the switch as
a price change, 13021); until then the product keeps its price. It is written and journaled by
the CSV import's own code (`import_campaigns` with a `planned_price` row, no end), so the
journal cannot tell it from the same row of `kassa import campaigns`. A refusal (a time that is
no time or already passed, a price of zero or less) names the problem and changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from peewee import SqliteDatabase

from kassa_tui.core.clock import OSLO, Clock, utc_text
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Journal
from kassa_tui.stock.importing.campaigns import MAX_PRICE_ORE, CampaignRow, import_campaigns

#: How the form's time is written: the shop's local time, as in the CSV.
FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d")


def check_valid_from(clock: Clock, text: str) -> str:
    """The form's "new price from" as stored UTC text; Refused when it is no time or not
    later than now on the till's clock (a price for now is the price field alone)."""
    text = text.strip()
    for fmt in FORMATS:
        try:
            moment = datetime.strptime(text, fmt).replace(tzinfo=OSLO)
        except ValueError:
            continue
        break
    else:
        raise Refused(
            _("'New price from' is a date (YYYY-MM-DD) or a date and time (YYYY-MM-DD HH:MM).")
        )
    valid_from = utc_text(moment)
    if valid_from <= clock.now().utc_text:
        raise Refused(_("'New price from' has passed: leave it empty to change the price now."))
    return valid_from


def check_planned_price(price_ore: int) -> None:
    """A planned price as the CSV import takes it: above zero, at most 100 000 kr."""
    if price_ore <= 0:
        raise Refused(_("A planned price must be more than zero."))
    if price_ore > MAX_PRICE_ORE:
        raise Refused(_("A planned price is at most 100 000 kr."))


def plan_price(
    db: SqliteDatabase,
    journal: Journal,
    clock: Clock,
    person: Person,
    product_id: int,
    price_ore: int,
    valid_from_text: str,
) -> str:
    """Plan `price_ore` for the product from `valid_from_text` (the shop's time), with no end
    (a shift lead's or technician's: PRODUCTS); the import's own rows and 13021 journal row.
    Returns the stored UTC time it starts."""
    permissions.require(db, journal, person, Permission.PRODUCTS)
    check_planned_price(price_ore)
    valid_from = check_valid_from(clock, valid_from_text)
    found = db.execute_sql(
        "SELECT name FROM product WHERE id = ? AND active = 1", (product_id,)
    ).fetchone()
    if found is None:
        raise Refused(_("Only a product that is sold can get a planned price."))
    row = CampaignRow(
        0, str(found[0]), "planned_price", (product_id,), 0, 0, price_ore, valid_from, None
    )
    import_campaigns(db, journal, clock, person, [row])
    return valid_from
