"""A campaign made by the shift lead on the till (the stock screen's campaign list, F9; issue 14).

The form's fields go through the very check a row of `kassa import campaigns` goes through
(`kassa_tui.stock.importing.campaigns.check_row`: an unknown product, a price of zero or less or
not below the items' normal price, `to` not after `from`, a name the printer cannot print or
already taken ...) and are written by the import's own `import_campaigns`, so a campaign made
here is journaled (13021) exactly as the same campaign imported from a CSV. A refusal names
every problem and changes nothing.

Three kinds on the form, two in the engine (kassa_tui.selling.campaigns):
- ``n_for_m``: 'N for the price of M' ('3 for 2'), one product or a list;
- ``n_for_price``: 'N for X kr' on one product ('2 for 50 kr');
- ``any_n_for_price``: 'any N from this list for X kr' (stored as ``n_for_price``).
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import SqliteDatabase

from kassa_tui.core.clock import Clock
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Journal
from kassa_tui.stock.importing.campaigns import (
    CampaignRow,
    check_row,
    import_campaigns,
    name_taken,
)

FORM_KINDS = ("n_for_m", "n_for_price", "any_n_for_price")
#: How a time is written on the form (the shop's local time, as in the CSV).
TIME_FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class CampaignDraft:
    """What the shift lead typed, as text (checked by `create_campaign`)."""

    name: str
    kind: str  # one of FORM_KINDS
    quantity: str
    pay_for: str = ""
    price: str = ""
    codes: tuple[str, ...] = ()
    valid_from: str = ""
    valid_to: str = ""


@dataclass(frozen=True)
class CampaignProduct:
    id: int
    code: str
    name: str
    price_ore: int


def find_product(db: SqliteDatabase, code: str) -> CampaignProduct:
    """A product scanned or typed into the form (PLU or barcode, active); Refused otherwise."""
    code = code.strip()
    row = db.execute_sql(
        "SELECT id, name, price_ore FROM product WHERE plu = ? AND active = 1"
        " UNION ALL SELECT p.id, p.name, p.price_ore FROM barcode b"
        " JOIN product p ON p.id = b.product_id WHERE b.code = ? AND p.active = 1 LIMIT 1",
        (code, code),
    ).fetchone()
    if row is None:
        raise Refused(_("no active product has the code {code}").format(code=code))
    return CampaignProduct(int(row[0]), code, str(row[1]), int(row[2]))


def default_from(clock: Clock) -> str:
    """The form's 'from': this minute on the till's clock, in the shop's time."""
    return clock.now().local.strftime(TIME_FORMAT)


def check_draft(db: SqliteDatabase, draft: CampaignDraft) -> CampaignRow:
    """The draft as the import's row, checked by the import's own check; Refused with every
    problem (one a line) when it is not good."""
    problems: list[str] = []
    if draft.kind not in FORM_KINDS:
        raise Refused(_("Choose the kind of campaign."))
    kind = "n_for_m" if draft.kind == "n_for_m" else "n_for_price"
    quantity = draft.quantity.strip()
    if kind == "n_for_m":
        n, m = quantity, draft.pay_for.strip()
        if not (n.isdigit() and m.isdigit()):  # the CSV's '3/2' means nothing on the form
            problems.append(_("N and M are whole numbers: 3 and 2 for '3 for 2'"))
            n, m = "2", "1"  # the rest is still checked
        quantity = f"{n}/{m}"
    cells = {
        "campaign": draft.name,
        "type": kind,
        "products": " ".join(draft.codes),
        "quantity": quantity,
        "price": draft.price if kind == "n_for_price" else "",
        "from": draft.valid_from,
        "to": draft.valid_to,
    }
    row = check_row(db, 0, cells, problems)
    if draft.kind == "n_for_price" and len(set(draft.codes)) > 1:
        problems.append(
            _("'N for X kr' is for one product: choose 'any N from this list' for several")
        )
    if draft.kind == "any_n_for_price" and len(set(draft.codes)) == 1:
        problems.append(_("'any N from this list' needs at least two products"))
    if row is not None and name_taken(db, row.name):
        problems.append(_("a campaign named {name} already exists").format(name=row.name))
    if problems or row is None:
        raise Refused("\n".join(problems) or _("The campaign is not complete."))
    return row


def create_campaign(
    db: SqliteDatabase, journal: Journal, clock: Clock, person: Person, draft: CampaignDraft
) -> CampaignRow:
    """Make the campaign (a shift lead's or technician's: PRODUCTS), written and journaled by
    the import's own code: the same rows, the same 13021 event as `kassa import campaigns`."""
    permissions.require(db, journal, person, Permission.PRODUCTS)
    row = check_draft(db, draft)
    import_campaigns(db, journal, clock, person, [row])
    return row
