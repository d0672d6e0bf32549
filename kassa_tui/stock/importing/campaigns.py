"""`kassa import campaigns FILE`: multi-buys, mix-and-match and planned prices from a CSV.

Columns (a header row; ';' or ','; Norwegian or English names):

    campaign;type;products;quantity;price;from;to
    3 for 2 Coca-Cola;n_for_m;6001|6004;3/2;;2026-12-01;2026-12-31 23:59
    2 for 50 kr Pepsi;n_for_price;6007;2;50;2026-12-01;
    Julepris ribbe;planned_price;4101;;129,90;2026-12-15 06:00;2026-12-24 14:00

- type: ``n_for_m`` (quantity ``N/M``: any N of the products, pay for the M dearest),
  ``n_for_price`` (quantity N, price: any N of the products for that price together) or
  ``planned_price`` (each product's price becomes `price` from `from` to `to`).
- products: PLUs or barcodes, separated by ``|`` (or spaces).
- from/to: the shop's local time, ``YYYY-MM-DD`` (midnight) or ``YYYY-MM-DD HH:MM``; `to` empty
  means until ended (a planned price needs no end either).

Every row is checked before anything is written: one bad row rejects the file, with each
problem named by its line, and nothing changes. A good file is one transaction, journaled
(13021: campaigns and planned prices are the goods' fixed data and prices).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from peewee import SqliteDatabase

from kassa_tui.club.campaigns import mark_members_only, parse_members_only
from kassa_tui.core.clock import OSLO, Clock, utc_text
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import InvalidAmount, format_kr, parse_amount
from kassa_tui.core.paths import data_dir
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event, Journal

KINDS = ("n_for_m", "n_for_price", "planned_price")
MAX_NAME = 40
MAX_PRICE_ORE = 10_000_000  # 100 000 kr
_COLUMNS = {
    "campaign": ("campaign", "kampanje", "name", "navn"),
    "type": ("type",),
    "products": ("products", "produkter", "varer"),
    "quantity": ("quantity", "antall", "qty"),
    "price": ("price", "pris"),
    "from": ("from", "fra", "valid_from"),
    "to": ("to", "til", "valid_to"),
}
#: Optional: a campaign only customer club members get (yes/no; empty: everyone).
_MEMBERS_ONLY = ("members_only", "kun_medlemmer", "medlemmer")


@dataclass(frozen=True)
class CampaignRow:
    line: int
    name: str
    kind: str
    product_ids: tuple[int, ...]
    quantity: int
    pay_for: int
    price_ore: int
    valid_from_utc: str
    valid_to_utc: str | None
    members_only: bool = False  # only customer club members get it (kassa_tui.club)


@dataclass(frozen=True)
class CampaignImport:
    campaigns: int
    planned_prices: int


def _moment(text: str) -> str:
    """Local 'YYYY-MM-DD[ HH:MM]' as stored UTC text; ValueError when it is neither."""
    text = text.strip()
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return utc_text(datetime.strptime(text, fmt).replace(tzinfo=OSLO))
        except ValueError:
            continue
    raise ValueError(text)


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        key = name.strip().lower().lstrip("\ufeff")
        for field, names in _COLUMNS.items():
            if key in names:
                found[field] = index
        if key in _MEMBERS_ONLY:
            found["members_only"] = index
    missing = [field for field in _COLUMNS if field not in found]
    if missing:
        raise Refused(
            _("The file has no column {columns}: nothing imported.").format(
                columns=", ".join(missing)
            )
        )
    return found


def _product_id(db: SqliteDatabase, code: str) -> int | None:
    row = db.execute_sql(
        "SELECT id FROM product WHERE plu = ? AND active = 1"
        " UNION ALL SELECT b.product_id FROM barcode b JOIN product p ON p.id = b.product_id"
        " WHERE b.code = ? AND p.active = 1 LIMIT 1",
        (code, code),
    ).fetchone()
    return int(row[0]) if row else None


def check_row(
    db: SqliteDatabase, line: int, cells: dict[str, str], problems: list[str]
) -> CampaignRow | None:
    """One campaign or planned price, checked: the CSV import's rows and the shift lead's form
    (kassa_tui.stock.campaign_edit, `line` 0: the problems are not prefixed with a line) go
    through this one function. Appends each problem to `problems`; None when there is one."""
    before = len(problems)

    def bad(message: str) -> None:
        if line:
            message = _("line {line}: {problem}").format(line=line, problem=message)
        problems.append(message)

    name = cells["campaign"].strip()
    kind = cells["type"].strip().lower()
    if not name:
        bad(_("the campaign has no name"))
    elif len(name) > MAX_NAME:
        bad(_("the name is longer than {n} characters").format(n=MAX_NAME))
    else:
        try:
            name.encode("cp865")
        except UnicodeEncodeError:
            bad(_("the name has a character the receipt printer cannot print"))
    if kind not in KINDS:
        bad(_("type {kind} is not one of {kinds}").format(kind=repr(kind), kinds=", ".join(KINDS)))
    codes = [c for c in cells["products"].replace("|", " ").split() if c]
    product_ids: list[int] = []
    if not codes:
        bad(_("no products"))
    for code in codes:
        found = _product_id(db, code)
        if found is None:
            bad(_("no active product has the code {code}").format(code=code))
        elif found not in product_ids:
            product_ids.append(found)
    quantity = pay_for = price = 0
    qty_text = cells["quantity"].strip().replace(" for ", "/")
    if kind == "n_for_m":
        n, sep, m = qty_text.partition("/")
        if not (sep and n.strip().isdigit() and m.strip().isdigit()):
            bad(
                _("the quantity of a '3 for 2' is written 3/2, not {text}").format(
                    text=repr(qty_text)
                )
            )
        else:
            quantity, pay_for = int(n), int(m)
            if not 1 <= pay_for < quantity <= 99:
                bad(
                    _("{n}/{m}: the customer must pay for at least one and fewer than {n}").format(
                        n=quantity, m=pay_for
                    )
                )
    elif kind == "n_for_price":
        if not qty_text.isdigit() or not 2 <= int(qty_text) <= 99:
            bad(
                _("the quantity must be a whole number from 2 to 99, not {text}").format(
                    text=repr(qty_text)
                )
            )
        else:
            quantity = int(qty_text)
    if kind in ("n_for_price", "planned_price"):
        try:
            price = parse_amount(cells["price"], allow_negative=True)
        except InvalidAmount:
            bad(_("{text} is not a price").format(text=repr(cells["price"].strip())))
        else:
            if price <= 0:
                bad(_("the price must be more than zero"))
            elif price > MAX_PRICE_ORE:
                bad(_("the price is above 100 000 kr"))
    if kind in ("n_for_m", "n_for_price") and product_ids:
        _check_products(db, kind, product_ids, quantity, price, bad)
    valid_from = valid_to = None
    try:
        valid_from = _moment(cells["from"])
    except ValueError:
        bad(_("'from' must be a date (YYYY-MM-DD) or a date and time (YYYY-MM-DD HH:MM)"))
    if cells["to"].strip():
        try:
            valid_to = _moment(cells["to"])
        except ValueError:
            bad(_("'to' must be a date (YYYY-MM-DD) or a date and time (YYYY-MM-DD HH:MM)"))
    if valid_from and valid_to and valid_to <= valid_from:
        bad(_("'to' is not after 'from'"))
    only = parse_members_only(cells.get("members_only", ""))
    if only is None:
        bad(
            _("members_only must be yes or no, not {text}").format(
                text=repr(cells["members_only"].strip())
            )
        )
    elif only and kind == "planned_price":
        bad(_("a planned price is for everyone: members_only is for campaigns"))
    if len(problems) > before or valid_from is None:
        return None
    return CampaignRow(
        line,
        name,
        kind,
        tuple(product_ids),
        quantity,
        pay_for,
        price,
        valid_from,
        valid_to,
        bool(only),
    )


def _check_products(
    db: SqliteDatabase,
    kind: str,
    product_ids: list[int],
    quantity: int,
    price: int,
    bad: Callable[[str], None],
) -> None:
    """A campaign's products: none sold by weight (they never take part), and a fixed price
    below what N of them cost at their normal price (else it never gives a discount)."""
    rows = db.execute_sql(
        "SELECT name, unit, price_ore FROM product"
        f" WHERE id IN ({','.join('?' * len(product_ids))})",
        product_ids,
    ).fetchall()
    for name, unit, _price in rows:
        if unit == "kg":
            bad(_("{name} is sold by weight and cannot be in a campaign").format(name=name))
    dearest = max((int(r[2]) for r in rows), default=0)
    if kind == "n_for_price" and quantity and price and price >= quantity * dearest:
        bad(
            _(
                "{n} of these cost at most {normal} at their normal price: the campaign's"
                " price must be lower"
            ).format(n=quantity, normal=format_kr(quantity * dearest))
        )


def name_taken(db: SqliteDatabase, name: str) -> bool:
    """A campaign of that name exists already (names are unique, whatever the case)."""
    return bool(
        db.execute_sql("SELECT 1 FROM campaign WHERE name = ? COLLATE NOCASE", (name,)).fetchone()
    )


def read_campaigns(db: SqliteDatabase, text: str) -> list[CampaignRow]:
    """Every row of the file, checked; Refused naming every bad row (nothing is written)."""
    sample = text.split("\n", 1)[0]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise Refused(_("The file is empty: nothing imported."))
    columns = _columns(rows[0])
    problems: list[str] = []
    checked: list[CampaignRow] = []
    names: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        cells = {f: (row[i] if i < len(row) else "") for f, i in columns.items()}
        found = check_row(db, line, cells, problems)
        if found is None:
            continue
        if found.kind != "planned_price":
            if found.name.lower() in names:
                problems.append(
                    _("line {line}: the campaign {name} is also on line {other}").format(
                        line=line, name=found.name, other=names[found.name.lower()]
                    )
                )
                continue
            names[found.name.lower()] = line
            if name_taken(db, found.name):
                problems.append(
                    _("line {line}: a campaign named {name} already exists").format(
                        line=line, name=found.name
                    )
                )
                continue
        checked.append(found)
    if problems:
        heading = _("{n} bad rows: nothing imported.").format(n=len(problems))
        raise Refused("\n".join([heading, *problems]))
    if not checked:
        raise Refused(_("The file has no campaigns: nothing imported."))
    return checked


def import_campaigns(
    db: SqliteDatabase,
    journal: Journal,
    clock: Clock,
    person: Person | None,
    rows: list[CampaignRow],
) -> CampaignImport:
    """Write checked rows in one transaction, each journaled (13021); `person` None: the demo
    shop's own campaigns at `kassa init --demo`."""
    now = clock.now().utc_text
    user = person.number if person else None
    campaigns = planned = 0
    with db.atomic("IMMEDIATE"):
        for row in rows:
            if row.kind == "planned_price":
                for product_id in row.product_ids:
                    cursor = db.execute_sql(
                        "INSERT INTO planned_price (product_id, price_ore, valid_from_utc,"
                        " valid_to_utc, state, previous_price_ore, created_utc)"
                        " VALUES (?, ?, ?, ?, 'planned', NULL, ?)",
                        (product_id, row.price_ore, row.valid_from_utc, row.valid_to_utc, now),
                    )
                    journal.write(
                        Event.MASTER_DATA,
                        user=user,
                        product=product_id,
                        planned_price=int(cursor.lastrowid),
                        price=row.price_ore,
                        valid_from=row.valid_from_utc,
                        valid_to=row.valid_to_utc,
                    )
                    planned += 1
                continue
            cursor = db.execute_sql(
                "INSERT INTO campaign (name, kind, quantity, pay_for, price_ore, valid_from_utc,"
                " valid_to_utc, active, created_utc) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)",
                (
                    row.name,
                    row.kind,
                    row.quantity,
                    row.pay_for,
                    row.price_ore,
                    row.valid_from_utc,
                    row.valid_to_utc,
                    now,
                ),
            )
            campaign_id = int(cursor.lastrowid)
            db.cursor().executemany(
                "INSERT INTO campaign_product (product_id, campaign_id) VALUES (?, ?)",
                [(pid, campaign_id) for pid in row.product_ids],
            )
            if row.members_only:  # member prices (kundeklubb)
                mark_members_only(db, campaign_id)
            journal.write(
                Event.MASTER_DATA,
                user=user,
                campaign=campaign_id,
                name=row.name,
                kind=row.kind,
                quantity=row.quantity,
                pay_for=row.pay_for,
                price=row.price_ore,
                products=len(row.product_ids),
                valid_from=row.valid_from_utc,
                valid_to=row.valid_to_utc,
                **({"members_only": 1} if row.members_only else {}),
            )
            campaigns += 1
    return CampaignImport(campaigns, planned)


@dataclass(frozen=True)
class CampaignListed:
    id: int
    name: str
    kind: str
    quantity: int
    pay_for: int
    price_ore: int
    valid_from_utc: str
    valid_to_utc: str | None
    active: bool
    products: int
    sales: int
    discount_ore: int


def list_campaigns(db: SqliteDatabase) -> list[CampaignListed]:
    """Every campaign with its products and what it has taken off completed sales so far."""
    rows = db.execute_sql(
        "SELECT c.id, c.name, c.kind, c.quantity, c.pay_for, c.price_ore, c.valid_from_utc,"
        " c.valid_to_utc, c.active,"
        " (SELECT COUNT(*) FROM campaign_product cp WHERE cp.campaign_id = c.id),"
        " (SELECT COUNT(*) FROM sale_campaign sc JOIN sale s ON s.id = sc.sale_id"
        "  WHERE sc.campaign_id = c.id AND s.training = 0),"
        " (SELECT COALESCE(SUM(sc.discount_ore), 0) FROM sale_campaign sc"
        "  JOIN sale s ON s.id = sc.sale_id WHERE sc.campaign_id = c.id AND s.training = 0)"
        " FROM campaign c ORDER BY c.valid_from_utc, c.id"
    ).fetchall()
    return [
        CampaignListed(
            int(r[0]),
            str(r[1]),
            str(r[2]),
            int(r[3]),
            int(r[4]),
            int(r[5]),
            str(r[6]),
            r[7],
            bool(r[8]),
            int(r[9]),
            int(r[10]),
            int(r[11]),
        )
        for r in rows
    ]


def load_demo_campaigns(db: SqliteDatabase, journal: Journal, clock: Clock) -> CampaignImport:
    """data/demo_campaigns.csv, for `kassa init --demo` (README's quick start)."""
    text = (data_dir() / "demo_campaigns.csv").read_text(encoding="utf-8")
    return import_campaigns(db, journal, clock, None, read_campaigns(db, text))


def campaign_state(c: CampaignListed, now_utc: str) -> str:
    """'running', 'planned' (starts later) or 'ended'."""
    if not c.active or (c.valid_to_utc is not None and c.valid_to_utc <= now_utc):
        return "ended"
    return "planned" if c.valid_from_utc > now_utc else "running"


def end_campaign(
    db: SqliteDatabase, journal: Journal, clock: Clock, person: Person, campaign_id: int
) -> str:
    """End a campaign now (a shift lead's or technician's; journaled 13021): a running one
    stops at this minute, a planned one never starts. Returns its name."""
    permissions.require(db, journal, person, Permission.PRODUCTS)
    now = clock.now().utc_text
    with db.atomic("IMMEDIATE"):
        row = db.execute_sql(
            "SELECT name, valid_from_utc, valid_to_utc, active FROM campaign WHERE id = ?",
            (campaign_id,),
        ).fetchone()
        if row is None:
            raise Refused(_("That campaign no longer exists."))
        name, valid_from, valid_to, active = row
        if not active or (valid_to is not None and valid_to <= now):
            raise Refused(_("{name} has already ended.").format(name=name))
        ends = now if valid_from <= now else valid_to
        db.execute_sql(
            "UPDATE campaign SET active = 0, valid_to_utc = ? WHERE id = ?", (ends, campaign_id)
        )
        journal.write(
            Event.MASTER_DATA, user=person.number, campaign=campaign_id, name=name, ended=now
        )
    return str(name)


@dataclass(frozen=True)
class PlannedListed:
    product: str
    price_ore: int
    valid_from_utc: str
    valid_to_utc: str | None
    state: str  # planned, active, ended (stock.planned_prices switches them)


def list_planned_prices(db: SqliteDatabase) -> list[PlannedListed]:
    """Every planned price, by when it starts."""
    rows = db.execute_sql(
        "SELECT p.name, pp.price_ore, pp.valid_from_utc, pp.valid_to_utc, pp.state"
        " FROM planned_price pp JOIN product p ON p.id = pp.product_id"
        " ORDER BY pp.valid_from_utc, pp.id"
    ).fetchall()
    return [PlannedListed(str(r[0]), int(r[1]), str(r[2]), r[3], str(r[4])) for r in rows]
