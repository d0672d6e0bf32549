"""The old system's sales history: `kassa import sales FILE`, and what the insight figures read.

A shop that moves to kassa brings years of sales in its old system; forecasts and trends should
not start from nothing. The file (CSV or .xlsx, read as the product import reads: UTF-8 with or
without BOM or cp1252, `;` `,` or tab, decimal comma or dot, Norwegian or English headers) holds
per row a day (or a moment), a product code (PLU or barcode), a quantity and an amount (kroner,
VAT included). It is stored as HISTORY in `sales_history`, apart from kassa's own signed
transactions: no receipt, no signature, never in an X, a Z, SAF-T or a voucher. The import itself
is journaled (IMPORT, what=sales_history) as other imports are.

Strict: every row is checked and reported by its line number, and one bad row writes nothing
(neither does --dry-run). A row dated on or after the first day kassa itself sold is refused
(those days are kassa's own: they would count twice), so is a day after today, a product kassa
does not know (import the products first), and a file imported before (its SHA-256).

`history_units_by_day` is what demand, forecasts and figures read besides kassa's own sales.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from peewee import SqliteDatabase

from kassa_tui.core.clock import business_date
from kassa_tui.core.i18n import _
from kassa_tui.core.money import InvalidAmount
from kassa_tui.records.journal import Journal
from kassa_tui.stock.importing import IMPORT, ColumnSpec, Rejected, Table, parse_kroner
from kassa_tui.stock.importing.columns import _PRODUCT_SYNONYMS
from kassa_tui.stock.importing.read import blank
from kassa_tui.stock.importing.rows import row_shape

SALES_COLUMNS = ColumnSpec(
    {
        "date": (
            "date",
            "dato",
            "day",
            "dag",
            "salgsdato",
            "salesdate",
            "datetime",
            "tidspunkt",
            "timestamp",
            "solgt",
            "sold",
        ),
        "time": ("time", "tid", "klokkeslett", "kl", "klokke"),
        "plu": _PRODUCT_SYNONYMS["plu"],
        "ean": _PRODUCT_SYNONYMS["ean"],
        "code": ("code", "kode", "varekode", "productcode", "itemcode", "produktkode"),
        "quantity": ("quantity", "qty", "antall", "mengde", "ant", "units", "stk", "solgtantall"),
        "amount": (
            "amount",
            "beløp",
            "belop",
            "sum",
            "total",
            "totalt",
            "omsetning",
            "salg",
            "sales",
            "revenue",
            "kroner",
            "kr",
            "beløpinklmva",
            "belopinklmva",
        ),
    },
    required=(("date",), ("quantity",), ("amount",)),
    one_of=("code", "plu", "ean"),
)

_ISO = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ](?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2})(?:\.\d+)?)?)?Z?$"
)
_NORWEGIAN = re.compile(
    r"^(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4}|\d{2})"
    r"(?:[ ,]+(?:kl\.? ?)?(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2}))?)?$"
)
_TIME = re.compile(r"^(?:kl\.? ?)?(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2}))?$")
_QUANTITY = re.compile(r"^(?P<sign>[-−]?)(?P<whole>\d{1,7})(?:[.,](?P<frac>\d{1,3}))?$")
MAX_QTY_MILLI = 9_999_999_000


@dataclass(slots=True)
class HistoryRow:
    line: int
    local_date: str
    local_time: str
    product_id: int
    code: str
    qty_milli: int
    amount_ore: int


@dataclass
class SalesImport:
    """What `kassa import sales` found (and, unless a dry run or a bad row, wrote)."""

    table: Table
    rows: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    first_date: str = ""
    last_date: str = ""
    qty_milli: int = 0
    amount_ore: int = 0
    products: int = 0
    import_id: int | None = None
    refused: str = ""  # the file as a whole (imported before)

    @property
    def written(self) -> bool:
        return self.import_id is not None


# -- reading ---------------------------------------------------------------------------------


def parse_day(text: str) -> tuple[str, str]:
    """'2025-03-04', '2025-03-04 12:34', '04.03.2025', '4.3.25 kl 12.34' → (date, time or '')."""
    cleaned = " ".join(text.split())
    match = _ISO.match(cleaned) or _NORWEGIAN.match(cleaned)
    if not match:
        raise ValueError(text)
    year = int(match["y"])
    if year < 100:
        year += 2000
    day = date(year, int(match["m"]), int(match["d"]))
    clock = ""
    if match["H"] is not None:
        clock = _clock(match["H"], match["M"], match["S"])
    # a spreadsheet's date cell is a moment at midnight: the day alone
    return day.isoformat(), "" if clock == "00:00:00" else clock


def parse_time(text: str) -> str:
    """'12:34', '12.34.56', 'kl 9.05' → 'HH:MM:SS'."""
    match = _TIME.match(" ".join(text.split()))
    if not match:
        raise ValueError(text)
    return _clock(match["H"], match["M"], match["S"])


def _clock(hour: str, minute: str, second: str | None) -> str:
    h, m, s = int(hour), int(minute), int(second or 0)
    if h > 23 or m > 59 or s > 59:
        raise ValueError(f"{hour}:{minute}")
    return f"{h:02d}:{m:02d}:{s:02d}"


def parse_signed_milli(text: str) -> int:
    """'3', '-2', '0,375' → thousandths, not zero."""
    match = _QUANTITY.match(text.replace(" ", "").replace("\u00a0", ""))
    if not match:
        raise ValueError(text)
    value = int(match["whole"]) * 1000 + int((match["frac"] or "0").ljust(3, "0"))
    if value == 0 or value > MAX_QTY_MILLI:
        raise ValueError(text)
    return -value if match["sign"] else value


def parse_signed_kroner(text: str) -> int:
    """'24,90', '-24,90', 'kr 1 234,50' → øre."""
    cleaned = text.strip().replace("−", "-")
    negative = cleaned.startswith("-") or (cleaned.endswith("-") and not cleaned.endswith(",-"))
    cleaned = cleaned.strip("-").strip() if negative else cleaned
    try:
        value = parse_kroner(cleaned)
    except (InvalidAmount, ValueError):
        raise ValueError(text) from None
    return -value if negative else value


class _Products:
    """Product ids by the codes in the file, each looked up once."""

    def __init__(self, database: SqliteDatabase) -> None:
        self.database = database
        self.found: dict[tuple[str, str], int | None] = {}

    def find(self, kind: str, code: str) -> int | None:
        key = (kind, code)
        if key not in self.found:
            self.found[key] = self._lookup(kind, code)
        return self.found[key]

    def _lookup(self, kind: str, code: str) -> int | None:
        by_plu = "SELECT id FROM product WHERE plu = ?"
        by_code = "SELECT product_id FROM barcode WHERE code = ?"
        plu = code.lstrip("0") or "0"
        if kind == "plu":
            tries = [(by_plu, plu)]
        elif kind == "ean":
            tries = [(by_code, code)]
        else:  # a code: a barcode first, then a PLU
            tries = [(by_code, code)]
            if code.isdigit() and len(code) <= 6:
                tries.append((by_plu, plu))
        for sql, value in tries:
            row = self.database.execute_sql(sql, (value,)).fetchone()
            if row is not None:
                return int(row[0])
        return None


def _rows(
    table: Table, database: SqliteDatabase, before: str, today: str, report: SalesImport
) -> Iterator[HistoryRow]:
    cols = table.columns
    products = _Products(database)
    for record in table.records():
        cells = record[2]
        if blank(cells):
            continue
        report.rows += 1
        line = record[0]

        def cell(key: str, cells: list[str] = cells) -> str:
            index = cols.get(key)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        problem = row_shape(record, len(table.headers), table.delimiter)
        if problem:
            report.rejected.append(Rejected(line, problem))
            continue
        problems: list[str] = []
        day, clock = "", ""
        if not (text := cell("date")):
            problems.append(_("missing date"))
        else:
            try:
                day, clock = parse_day(text)
            except ValueError:
                problems.append(
                    _("bad date '{value}' (e.g. 2025-03-31 or 31.03.2025)").format(value=text)
                )
        if (text := cell("time")) and not problems:
            try:
                clock = parse_time(text)
            except ValueError:
                problems.append(_("bad time '{value}' (e.g. 14:05)").format(value=text))
        if day and day > today:
            problems.append(_("{day} is after today").format(day=day))
        elif day and day >= before:
            problems.append(
                _("{day} is not before {first}, the first day kassa sold itself").format(
                    day=day, first=before
                )
            )
        product_id: int | None = None
        code = ""
        for kind in ("code", "ean", "plu"):
            if code := cell(kind):
                product_id = products.find(kind, code)
                if product_id is None:
                    problems.append(_("no product with code {code}").format(code=code))
                break
        else:
            problems.append(_("no product code"))
        qty = 0
        if not (text := cell("quantity")):
            problems.append(_("missing quantity"))
        else:
            try:
                qty = parse_signed_milli(text)
            except ValueError:
                problems.append(_("bad quantity '{value}'").format(value=text))
        amount = 0
        if not (text := cell("amount")):
            problems.append(_("missing amount"))
        else:
            try:
                amount = parse_signed_kroner(text)
            except ValueError:
                problems.append(_("bad amount '{value}'").format(value=text))
        if qty and amount and (qty > 0) != (amount > 0):
            problems.append(_("the quantity and the amount have different signs"))
        if problems or product_id is None:
            report.rejected.append(Rejected(line, "; ".join(problems)))
            continue
        yield HistoryRow(line, day, clock, product_id, code, qty, amount)


def import_sales(
    database: SqliteDatabase,
    journal: Journal,
    table: Table,
    user_number: int,
    *,
    dry_run: bool = False,
    cutoff_hour: int = 4,
) -> SalesImport:
    """Check every row of `table`; unless a dry run or a row is bad, store them all as history
    in one transaction with one IMPORT journal row."""
    report = SalesImport(table)
    data = table.path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    now = journal.clock.now()
    today = business_date(now, cutoff_hour)
    with database.atomic("IMMEDIATE" if not dry_run else "DEFERRED"):
        before = _first_own_day(database) or "9999-12-31"
        earlier = database.execute_sql(
            "SELECT id, imported_utc FROM sales_history_import WHERE sha256 = ?", (digest,)
        ).fetchone()
        if earlier is not None:
            report.refused = _("this file was imported before (import {id}, {when})").format(
                id=earlier[0], when=earlier[1][:10]
            )
        rows = list(_rows(table, database, before, today, report))
        report.rejected.sort(key=lambda r: r.line)
        if rows:
            report.first_date = min(r.local_date for r in rows)
            report.last_date = max(r.local_date for r in rows)
            report.qty_milli = sum(r.qty_milli for r in rows)
            report.amount_ore = sum(r.amount_ore for r in rows)
            report.products = len({r.product_id for r in rows})
        if dry_run or report.rejected or report.refused or not rows:
            return report
        cursor = database.execute_sql(
            "INSERT INTO sales_history_import (file, sha256, row_count, first_date, last_date,"
            " qty_milli, amount_ore, user_number, imported_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                table.path.name,
                digest,
                len(rows),
                report.first_date,
                report.last_date,
                report.qty_milli,
                report.amount_ore,
                user_number,
                now.utc_text,
            ),
        )
        import_id = int(cursor.lastrowid)
        database.cursor().executemany(
            "INSERT INTO sales_history (import_id, line, local_date, local_time, product_id, code,"
            " qty_milli, amount_ore) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    import_id,
                    r.line,
                    r.local_date,
                    r.local_time,
                    r.product_id,
                    r.code,
                    r.qty_milli,
                    r.amount_ore,
                )
                for r in rows
            ],
        )
        journal.write(
            IMPORT,
            user=user_number,
            what="sales_history",
            file=table.path.name,
            sha256=digest,
            rows=len(rows),
            first_date=report.first_date,
            last_date=report.last_date,
            qty_milli=report.qty_milli,
            amount_ore=report.amount_ore,
        )
        report.import_id = import_id
    return report


def _first_own_day(database: SqliteDatabase) -> str | None:
    """The first day kassa itself sold (training left out): history stops before it."""
    row = database.execute_sql("SELECT MIN(local_date) FROM sale WHERE training = 0").fetchone()
    return str(row[0]) if row and row[0] else None


# -- what the insight figures read -----------------------------------------------------------


def history_units_by_day(
    database: SqliteDatabase | sqlite3.Connection,
    first: str,
    last: str,
    product_ids: Sequence[int] | None = None,
) -> list[tuple[int, str, float, int]]:
    """The imported history per product and day from `first` to `last` (local dates, both
    included): (product id, date, units, amount in øre VAT included), by product then date.
    Units are net (the old system's returns are negative); days without a row are not listed.
    Nothing here is one of kassa's own sales: add it to those, it never overlaps them (an import
    refuses days from kassa's first own sale on)."""
    sql = (
        "SELECT product_id, local_date, SUM(qty_milli), SUM(amount_ore) FROM sales_history"
        " WHERE local_date BETWEEN ? AND ?"
    )
    params: list[object] = [first, last]
    if product_ids is not None:
        ids = list(product_ids)
        if not ids:
            return []
        sql += f" AND product_id IN ({','.join('?' * len(ids))})"
        params += ids
    sql += " GROUP BY product_id, local_date ORDER BY product_id, local_date"
    if isinstance(database, sqlite3.Connection):
        rows = database.execute(sql, params).fetchall()
    else:
        rows = database.execute_sql(sql, params).fetchall()
    return [(int(pid), str(day), int(qty) / 1000, int(amount)) for pid, day, qty, amount in rows]


def history_span(database: SqliteDatabase) -> tuple[str, str] | None:
    """The first and last day of the imported history, or None."""
    row = database.execute_sql(
        "SELECT MIN(local_date), MAX(local_date) FROM sales_history"
    ).fetchone()
    return (str(row[0]), str(row[1])) if row and row[0] else None


def first_own_business_day(
    database: SqliteDatabase | sqlite3.Connection, cutoff_hour: int = 4
) -> str | None:
    """The business day of kassa's first own sale (training left out), or None: none yet."""
    sql = (
        "SELECT local_date, local_time FROM sale WHERE training = 0 ORDER BY completed_utc LIMIT 1"
    )
    if isinstance(database, sqlite3.Connection):
        row = database.execute(sql).fetchone()
    else:
        row = database.execute_sql(sql).fetchone()
    if row is None:
        return None
    day = date.fromisoformat(str(row[0]))
    if str(row[1]) < f"{cutoff_hour:02d}:00:00":
        day = day.fromordinal(day.toordinal() - 1)
    return day.isoformat()


def history_days(
    database: SqliteDatabase | sqlite3.Connection,
    first: str,
    last: str,
    cutoff_hour: int = 4,
    product_ids: Sequence[int] | None = None,
) -> list[tuple[int, str, float, int]]:
    """The imported history the insight figures and forecasts add to kassa's own sales.

    The rule, one per day, so that no day is ever counted twice: a business day before kassa's
    first own sale (training left out) is the old system's, read from the history; from that
    day on every day is kassa's own, read from its sales, and history dated on those days (an
    import made before kassa sold, covering the day it started) is left out. The history's day
    is the date the old system gives (its own business day). Rows as history_units_by_day."""
    own = first_own_business_day(database, cutoff_hour)
    if own is not None:
        before = date.fromisoformat(own).toordinal() - 1
        last = min(last, date.fromordinal(before).isoformat())
    if last < first:
        return []
    return history_units_by_day(database, first, last, product_ids)
