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

from kassa_tui.club.campaigns import mark_members_only, members_only
from kassa_tui.core.clock import Clock, parse_utc
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event, Journal
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
    members_only: bool = False  # only customer club members get it (kassa_tui.club)


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


def check_draft(
    db: SqliteDatabase, draft: CampaignDraft, changing: int | None = None
) -> CampaignRow:
    """The draft as the import's row, checked by the import's own check; Refused with every
    problem (one a line) when it is not good. `changing`: the campaign the draft changes (its
    own name is no clash)."""
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
        "members_only": "ja" if draft.members_only else "",
    }
    row = check_row(db, 0, cells, problems)
    if draft.kind == "n_for_price" and len(set(draft.codes)) > 1:
        problems.append(
            _("'N for X kr' is for one product: choose 'any N from this list' for several")
        )
    if draft.kind == "any_n_for_price" and len(set(draft.codes)) == 1:
        problems.append(_("'any N from this list' needs at least two products"))
    if row is not None and _name_taken(db, row.name, changing):
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


# -- a campaign changed (the campaign list's F7; `kassa campaigns change`) --------------------


def _name_taken(db: SqliteDatabase, name: str, changing: int | None) -> bool:
    if changing is None:
        return name_taken(db, name)
    return bool(
        db.execute_sql(
            "SELECT 1 FROM campaign WHERE name = ? COLLATE NOCASE AND id != ?", (name, changing)
        ).fetchone()
    )


def _local(utc: str | None) -> str:
    return parse_utc(utc).local.strftime(TIME_FORMAT) if utc else ""


def changeable(db: SqliteDatabase, clock: Clock, campaign_id: int) -> str:
    """The campaign's name when it may be changed (it runs or is planned); Refused when it
    no longer exists or has ended (an ended campaign stays as it was: make a new one)."""
    row = db.execute_sql(
        "SELECT name, valid_to_utc, active FROM campaign WHERE id = ?", (campaign_id,)
    ).fetchone()
    if row is None:
        raise Refused(_("That campaign no longer exists."))
    name, valid_to, active = row
    if not active or (valid_to is not None and valid_to <= clock.now().utc_text):
        raise Refused(_("{name} has already ended.").format(name=name))
    return str(name)


def find_campaign(db: SqliteDatabase, name: str) -> int:
    """A campaign's id by its name (any case); Refused when there is none."""
    row = db.execute_sql(
        "SELECT id FROM campaign WHERE name = ? COLLATE NOCASE", (name.strip(),)
    ).fetchone()
    if row is None:
        raise Refused(_("No campaign is named {name}.").format(name=name.strip()))
    return int(row[0])


def draft_of(db: SqliteDatabase, campaign_id: int) -> CampaignDraft:
    """A stored campaign as the form shows it: the change form starts from this."""
    row = db.execute_sql(
        "SELECT name, kind, quantity, pay_for, price_ore, valid_from_utc, valid_to_utc"
        " FROM campaign WHERE id = ?",
        (campaign_id,),
    ).fetchone()
    if row is None:
        raise Refused(_("That campaign no longer exists."))
    name, kind, quantity, pay_for, price, valid_from, valid_to = row
    codes = tuple(
        str(code)
        for (code,) in db.execute_sql(
            "SELECT COALESCE(p.plu, (SELECT MIN(b.code) FROM barcode b WHERE b.product_id = p.id))"
            " FROM campaign_product cp JOIN product p ON p.id = cp.product_id"
            " WHERE cp.campaign_id = ? ORDER BY cp.rowid",
            (campaign_id,),
        ).fetchall()
        if code is not None
    )
    if kind == "n_for_m":
        form_kind = "n_for_m"
    else:
        form_kind = "n_for_price" if len(codes) == 1 else "any_n_for_price"
    return CampaignDraft(
        name=str(name),
        kind=form_kind,
        quantity=str(quantity),
        pay_for=str(pay_for) if kind == "n_for_m" else "",
        price=f"{price // 100},{price % 100:02d}" if kind != "n_for_m" else "",
        codes=codes,
        valid_from=_local(valid_from),
        valid_to=_local(valid_to),
        members_only=bool(members_only(db, (campaign_id,))),
    )


def change_campaign(
    db: SqliteDatabase,
    journal: Journal,
    clock: Clock,
    person: Person,
    campaign_id: int,
    draft: CampaignDraft,
) -> CampaignRow:
    """Change a running or planned campaign to `draft` (a shift lead's or technician's:
    PRODUCTS). Checked as a new campaign is (the CSV import's check), then the campaign row and
    its products take the new definition and the change is journaled (13021) with the same
    fields as a new campaign, plus `changed`: the journal keeps the old definition in the row
    that made it (or changed it last). Sales already made keep their lines and discounts, and
    `sale_campaign` the name they were sold under; the members-only mark follows the form.
    Refused, with nothing changed, when the draft is bad, the campaign ended, or `to` passed."""
    permissions.require(db, journal, person, Permission.PRODUCTS)
    row = check_draft(db, draft, changing=campaign_id)
    now = clock.now().utc_text
    if row.valid_to_utc is not None and row.valid_to_utc <= now:
        raise Refused(_("'to' has passed: to end the campaign, choose it and press Enter."))
    with db.atomic("IMMEDIATE"):
        changeable(db, clock, campaign_id)
        db.execute_sql(
            "UPDATE campaign SET name = ?, kind = ?, quantity = ?, pay_for = ?, price_ore = ?,"
            " valid_from_utc = ?, valid_to_utc = ? WHERE id = ?",
            (
                row.name,
                row.kind,
                row.quantity,
                row.pay_for,
                row.price_ore,
                row.valid_from_utc,
                row.valid_to_utc,
                campaign_id,
            ),
        )
        db.execute_sql("DELETE FROM campaign_product WHERE campaign_id = ?", (campaign_id,))
        db.cursor().executemany(
            "INSERT INTO campaign_product (product_id, campaign_id) VALUES (?, ?)",
            [(pid, campaign_id) for pid in row.product_ids],
        )
        db.execute_sql("DELETE FROM campaign_member WHERE campaign_id = ?", (campaign_id,))
        if row.members_only:  # member prices (kundeklubb)
            mark_members_only(db, campaign_id)
        journal.write(
            Event.MASTER_DATA,
            user=person.number,
            campaign=campaign_id,
            name=row.name,
            kind=row.kind,
            quantity=row.quantity,
            pay_for=row.pay_for,
            price=row.price_ore,
            products=len(row.product_ids),
            valid_from=row.valid_from_utc,
            valid_to=row.valid_to_utc,
            changed=True,
            **({"members_only": 1} if row.members_only else {}),
        )
    return row
