"""The shared catalog at the head office: `kassa hq publish FILE` (issue 15).

The shop owner publishes the same files a till imports: a product file (`kassa import
products`: plu, ean, name, group, vat, price, ...) or a campaign file (`kassa import campaigns`:
multi-buys and planned prices). HQ checks every row with the till's own checks before anything
is stored (one bad row: nothing published, each problem named by its line), then stores the
rows as they were written, a page of cells at a time, as one REVISION (0002_catalog.sql:
`catalog_publish` numbers it under a row lock, so revision order is commit order). Each till
pulls the revisions after its last one and applies each with its own importer
(kassa_tui.sync.pull), journaled there as its own imports are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psycopg import Connection
from psycopg.types.json import Jsonb

from kassa_tui.config import Config
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.stock.importing import PRODUCT_COLUMNS, read_table
from kassa_tui.stock.importing.read import blank
from kassa_tui.stock.importing.rows import ProductRowParser

KINDS = ("products", "campaigns", "groups", "deposits", "users")
PAGE_ROWS = 1000  # rows per page: a till fetches a revision page by page
MAX_PROBLEMS = 50  # bad rows named in a refusal

Row = dict[str, str]  # field -> the cell as written in the file


@dataclass(frozen=True)
class Published:
    revision: int
    kind: str
    source: str
    rows: int


@dataclass(frozen=True)
class Revision:
    revision: int
    kind: str
    source: str
    rows: int
    published_by: str
    published_at: str


def _refuse(problems: list[str]) -> None:
    if problems:
        heading = _("{n} bad rows: nothing published.").format(n=len(problems))
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(_("… and {n} more").format(n=len(problems) - MAX_PROBLEMS))
        raise Refused("\n".join([heading, *shown]))


def product_rows(
    path: Path,
    config: Config,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    mapping: Mapping[str, str] | None = None,
) -> list[Row]:
    """A product file's rows, each checked as `kassa import products` checks it (the till's
    VAT rates and label ranges from kassa.toml); `Refused` naming every bad row."""
    table = read_table(
        path, PRODUCT_COLUMNS, encoding=encoding, delimiter=delimiter, mapping=mapping
    )
    parser = ProductRowParser(table, config)
    rows: list[Row] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for record in table.records():
        line, _last, cells = record
        if blank(cells):
            continue
        parsed = parser.parse(record)
        if isinstance(parsed, str):
            problems.append(_("line {line}: {reason}").format(line=line, reason=parsed))
            continue
        key = parsed.plu or "|".join(parsed.codes or ())
        if key in seen:
            problems.append(
                _("line {line}: the same product as line {other}").format(
                    line=line, other=seen[key]
                )
            )
            continue
        seen[key] = line
        rows.append(
            {
                field: cells[index].strip()
                for field, index in table.columns.items()
                if index < len(cells)
            }
        )
    _refuse(problems)
    if not rows:
        raise Refused(_("The file has no products: nothing published."))
    return rows


def campaign_rows(path: Path) -> list[Row]:
    """A campaign file's rows (`kassa import campaigns`' columns), their type, quantity, price
    and times checked. Which products they name is each till's to check: a till that lacks a
    product journals the row as rejected and takes the others."""
    from kassa_tui.stock.importing import campaigns

    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise Refused(_("{path}: no such file").format(path=path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        message = _("{path}: cannot be read ({error})")
        raise Refused(message.format(path=path, error=exc)) from None
    sample = text.split("\n", 1)[0]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    records = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
    numbered = [(line, r) for line, r in enumerate(records, start=1) if any(c.strip() for c in r)]
    if not numbered:
        raise Refused(_("The file is empty: nothing published."))
    columns = campaigns._columns(numbered[0][1])
    rows: list[Row] = []
    problems: list[str] = []
    for line, record in numbered[1:]:
        row = {f: (record[i].strip() if i < len(record) else "") for f, i in columns.items()}
        problem = _campaign_problem(row, campaigns)
        if problem:
            problems.append(_("line {line}: {reason}").format(line=line, reason=problem))
        else:
            rows.append(row)
    _refuse(problems)
    if not rows:
        raise Refused(_("The file has no campaigns: nothing published."))
    return rows


def _campaign_problem(row: Row, campaigns: Any) -> str | None:
    if row["type"] not in campaigns.KINDS:
        return str(
            _("unknown type {value} ({kinds})").format(
                value=repr(row["type"]), kinds=", ".join(campaigns.KINDS)
            )
        )
    if not row["products"].strip():
        return str(_("no products"))
    for key in ("from", "to"):
        if row[key].strip() or key == "from":
            try:
                campaigns._moment(row[key])
            except ValueError:
                return str(_("bad time {value} (YYYY-MM-DD HH:MM)").format(value=repr(row[key])))
    return None


def _csv_rows(path: Path) -> list[tuple[int, list[str]]]:
    """A small CSV file's non-blank records with their line numbers (';' or ',', UTF-8)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise Refused(_("{path}: no such file").format(path=path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        message = _("{path}: cannot be read ({error})")
        raise Refused(message.format(path=path, error=exc)) from None
    sample = text.split("\n", 1)[0]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    records = csv.reader(io.StringIO(text), delimiter=delimiter)
    numbered = [(line, r) for line, r in enumerate(records, start=1) if any(c.strip() for c in r)]
    if not numbered:
        raise Refused(_("The file is empty: nothing published."))
    return numbered


def _header(
    header: list[str], names: dict[str, tuple[str, ...]], optional: tuple[str, ...] = ()
) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        key = name.strip().lower()
        for field, aliases in names.items():
            if key in aliases:
                found[field] = index
    missing = [f for f in names if f not in found and f not in optional]
    if missing:
        raise Refused(
            _("The file has no column {columns}: nothing published.").format(
                columns=", ".join(missing)
            )
        )
    return found


_GROUP_COLUMNS = {
    "code": ("code", "kode", "group", "gruppe"),
    "name": ("name", "navn", "namn"),
    "saft_group": ("saft_group", "group_saft", "saft"),
}
_DEPOSIT_COLUMNS = {
    "code": ("code", "kode"),
    "name": ("name", "navn", "namn"),
    "amount": ("amount", "beløp"),
    "amount_ore": ("amount_ore",),
    "vat": ("vat", "mva"),
    "account": ("account", "konto"),
}


def group_rows(path: Path) -> list[Row]:
    """Product groups: code, name and SAF-T article group (PredefinedBasicID-04); a group the
    till has gets the name and code, a new one is created."""
    from kassa_tui.stock.groups import saft_code

    numbered = _csv_rows(path)
    columns = _header(numbered[0][1], _GROUP_COLUMNS)
    rows: list[Row] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for line, record in numbered[1:]:
        cell = {f: (record[i].strip() if i < len(record) else "") for f, i in columns.items()}
        why: list[str] = []
        if not cell["code"] or len(cell["code"]) > 20:
            why.append(_("a group's code is 1 to 20 characters"))
        elif cell["code"] in seen:
            why.append(_("the same group as line {other}").format(other=seen[cell["code"]]))
        if not cell["name"] or len(cell["name"]) > 40:
            why.append(_("a group's name is 1 to 40 characters"))
        saft = saft_code(cell["saft_group"])
        if saft is None:
            message = _("unknown SAF-T group code '{value}' (PredefinedBasicID-04, e.g. 04999)")
            why.append(message.format(value=cell["saft_group"]))
        if why:
            problems.append(_("line {line}: {reason}").format(line=line, reason="; ".join(why)))
            continue
        seen[cell["code"]] = line
        rows.append({"code": cell["code"], "name": cell["name"], "saft_group": str(saft)})
    _refuse(problems)
    if not rows:
        raise Refused(_("The file has no groups: nothing published."))
    return rows


def deposit_rows(path: Path) -> list[Row]:
    """Deposit types (pant): code, name, amount (kroner), VAT (a rate, or empty: the drink's
    own) and account, checked as `kassa deposits add` checks them."""
    from kassa_tui.catalog.deposits import check_type
    from kassa_tui.core.money import InvalidAmount, parse_amount

    numbered = _csv_rows(path)
    columns = _header(numbered[0][1], _DEPOSIT_COLUMNS, optional=("vat", "amount", "amount_ore"))
    if "amount" not in columns and "amount_ore" not in columns:
        raise Refused(
            _("The file has no column {columns}: nothing published.").format(columns="amount")
        )
    rows: list[Row] = []
    problems: list[str] = []
    for line, record in numbered[1:]:
        cell = {f: (record[i].strip() if i < len(record) else "") for f, i in columns.items()}
        cell.setdefault("vat", "")
        try:
            if "amount" in cell:
                amount = parse_amount(cell["amount"])
            else:
                cell["amount"] = cell["amount_ore"]
                amount = int(cell["amount_ore"]) if cell["amount_ore"].isdigit() else -1
            vat = None if cell["vat"] in ("", "drink") else int(cell["vat"].rstrip(" %")) * 100
            check_type(cell["code"], cell["name"], amount, vat, cell["account"])
        except (InvalidAmount, ValueError):
            why = _("bad amount or VAT '{amount}', '{vat}'").format(
                amount=cell["amount"], vat=cell["vat"]
            )
            problems.append(_("line {line}: {reason}").format(line=line, reason=why))
            continue
        except Refused as refused:
            problems.append(_("line {line}: {reason}").format(line=line, reason=refused.message))
            continue
        rows.append(
            {
                "code": cell["code"].strip().upper(),
                "name": cell["name"],
                "amount_ore": str(amount),
                "vat_bp": "" if vat is None else str(vat),
                "account": cell["account"],
            }
        )
    _refuse(problems)
    if not rows:
        raise Refused(_("The file has no deposit types: nothing published."))
    return rows


def pages(rows: Sequence[Row], size: int = PAGE_ROWS) -> list[list[Row]]:
    return [list(rows[i : i + size]) for i in range(0, len(rows), size)]


def publish(conn: Connection[Any], kind: str, source: str, rows: Sequence[Row]) -> Published:
    """Store `rows` as the next revision: committed at once on an autocommit connection, else
    in the caller's transaction (its revision number stays locked until the caller commits, and
    a rollback gives the number back)."""
    if kind not in KINDS:
        raise ValueError(kind)
    sql = "SELECT catalog_publish(%s, %s, %s)"
    if conn.autocommit:
        with conn.transaction():
            found = conn.execute(sql, (kind, source, Jsonb(pages(rows)))).fetchone()
    else:
        found = conn.execute(sql, (kind, source, Jsonb(pages(rows)))).fetchone()
    assert found is not None
    return Published(int(found[0]), kind, source, len(rows))


def publish_file(
    conn: Connection[Any], path: Path, config: Config, *, kind: str = "products"
) -> Published:
    """Check `path` and publish it; `Refused` (nothing published) when a row is bad."""
    return publish(conn, kind, path.name, checked_rows(path, config, kind))


def checked_rows(path: Path, config: Config, kind: str) -> list[Row]:
    """`path`'s rows as `kind`, each checked; `Refused` naming every bad row."""
    if kind == "products":
        return product_rows(path, config)
    if kind == "campaigns":
        return campaign_rows(path)
    if kind == "groups":
        return group_rows(path)
    if kind == "deposits":
        return deposit_rows(path)
    if kind == "users":  # staff without PINs (kassa_tui.hq.users)
        from kassa_tui.hq.users import user_rows

        return user_rows(_csv_rows(path), _header, _refuse)
    raise ValueError(kind)


def revisions(conn: Connection[Any], limit: int = 20) -> list[Revision]:
    """The newest published revisions, newest first."""
    cursor = conn.execute(
        "SELECT revision, kind, source, row_count, published_by,"
        " to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        " FROM catalog_revision ORDER BY revision DESC LIMIT %s",
        (limit,),
    )
    return [Revision(int(r), k, s, int(n), b, a) for r, k, s, n, b, a in cursor.fetchall()]


@dataclass(frozen=True)
class RegisterRevision:
    register_id: str
    shop_id: str
    revision: int  # 0: none applied (as far as HQ has the register's journal)
    applied_utc: str | None


def register_revisions(conn: Connection[Any]) -> list[RegisterRevision]:
    """Per register, the last catalog revision its journal (as pushed) says it applied."""
    cursor = conn.execute(
        "SELECT r.register_id, r.shop_id, a.revision, a.utc FROM register r LEFT JOIN LATERAL"
        " (SELECT (e.text::jsonb->>'revision')::bigint AS revision, e.utc FROM entry e"
        "  WHERE e.register_id = r.register_id AND e.basic_id = 'IMPORT'"
        '  AND e.text LIKE \'%%"what": "hq_catalog"%%\' ORDER BY e.seq DESC LIMIT 1) a ON true'
        " ORDER BY r.shop_id, r.register_id"
    )
    return [
        RegisterRevision(str(reg), str(shop), int(rev or 0), utc)
        for reg, shop, rev, utc in cursor.fetchall()
    ]
