"""What the journal's hash chain alone cannot show, checked against the till's other records.

Someone with the till's files can drop the append-only triggers, edit or delete rows and then
recompute the journal's SHA-256 chain: it needs no key. Two things catch that: an anchor kept
outside the database (a printed head, a backup, a SAF-T export: records.anchors), and `audit`,
the records against the journal rows that announced them. Every completed transaction has its
journal row and every such row its transaction, with the same number and totals; its lines sum
to its totals; its payments are the ones its row names; the hash of its content (sale, lines,
payments; in the row since it was added) still matches; the counters stand at the last numbers
used; each stored Z is the one its 13009 row holds; every X and Z row's journal head and last
transaction are still there as the report recorded them; and the signing keys are the ones
their KEYREG rows registered (records.keyring).

Plain SQL throughout: the rooms that write these tables are above this one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from peewee import SqliteDatabase

from kassa_tui.records.anchors import check_head
from kassa_tui.records.keyring import check_registry

#: The journal rows that announce a completed transaction (its `sale_id`): a sale, a return
#: (with or without a receipt) and a training sale or return (TRAINING of kind sale or return).
ANNOUNCING = ("SALE", "RETURN", "RETURNNORECEIPT", "TRAINING")

_SALE = (
    "register_id, receipt_nr, uuid, basket_uuid, user_id, kind, total_ore, vat_ore,"
    " discount_ore, rounding_ore, change_ore, completed_utc, local_date, local_time, signature,"
    " key_version, training, original_sale_id, reason, approved_by"
)
_LINE = (
    "line_nr, product_id, code, name, group_code, qty_milli, unit_price_ore, list_price_ore,"
    " discount_ore, amount_ore, vat_bp, vat_ore, price_overridden"
)
_PAYMENT = "method, amount_ore, tendered_ore"


# -- a transaction's content -------------------------------------------------------------------


def content_hash(
    sale: Sequence[Any], lines: Iterable[Sequence[Any]], payments: Iterable[Sequence[Any]]
) -> str:
    """SHA-256 over a transaction as stored: its sale row, lines and payments, in order."""
    payload = json.dumps(
        [list(sale), [list(ln) for ln in lines], [list(p) for p in payments]],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def sale_content_hash(database: SqliteDatabase, sale_id: int) -> str:
    """The content hash of a stored transaction, for the journal row that announces it."""
    sale = database.execute_sql(f"SELECT {_SALE} FROM sale WHERE id = ?", (sale_id,)).fetchone()
    if sale is None:
        raise LookupError(f"no sale {sale_id}")
    lines = database.execute_sql(
        f"SELECT {_LINE} FROM sale_line WHERE sale_id = ? ORDER BY line_nr, id", (sale_id,)
    ).fetchall()
    payments = database.execute_sql(
        f"SELECT {_PAYMENT} FROM payment WHERE sale_id = ? ORDER BY id", (sale_id,)
    ).fetchall()
    return content_hash(sale, lines, payments)


# -- the audit ---------------------------------------------------------------------------------


@dataclass
class Audit:
    """What `audit` found: `problems` is empty when the records agree with the journal."""

    problems: list[str] = field(default_factory=list)
    transactions: int = 0
    z_reports: int = 0


def audit(database: SqliteDatabase, register_id: str) -> Audit:
    """Check one register's records against its journal (see the module's docstring)."""
    result = Audit()
    with database.atomic():  # one read snapshot, even beside a till that is selling
        _transactions(database, register_id, result)
        _counters(database, register_id, result)
        _reports(database, register_id, result)
        result.problems += check_registry(database)
    return result


def _grouped(rows: Iterable[Sequence[Any]]) -> Iterator[tuple[int, list[Sequence[Any]]]]:
    """(sale id, its rows) from rows ordered by their first column, the sale id."""
    current: int | None = None
    group: list[Sequence[Any]] = []
    for row in rows:
        if row[0] != current:
            if current is not None:
                yield current, group
            current, group = int(row[0]), []
        group.append(row[1:])
    if current is not None:
        yield current, group


class _Merge:
    """Takes the group of one sale id at a time from a stream grouped by ascending sale id."""

    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self._groups = _grouped(rows)
        self._next: tuple[int, list[Sequence[Any]]] | None = next(self._groups, None)

    def take(self, sale_id: int) -> list[Sequence[Any]]:
        while self._next is not None and self._next[0] < sale_id:
            self._next = next(self._groups, None)  # rows of a missing sale: named elsewhere
        if self._next is None or self._next[0] != sale_id:
            return []
        group = self._next[1]
        self._next = next(self._groups, None)
        return group


def _transactions(db: SqliteDatabase, register_id: str, result: Audit) -> None:
    problems = result.problems
    sales = db.execute_sql(
        f"SELECT id, {_SALE} FROM sale WHERE register_id = ? ORDER BY id", (register_id,)
    )
    lines = _Merge(
        db.execute_sql(
            f"SELECT l.sale_id, {', '.join('l.' + c.strip() for c in _LINE.split(','))}"
            " FROM sale_line l JOIN sale s ON s.id = l.sale_id WHERE s.register_id = ?"
            " ORDER BY l.sale_id, l.line_nr, l.id",
            (register_id,),
        )
    )
    payments = _Merge(
        db.execute_sql(
            "SELECT p.sale_id, p.method, p.amount_ore, p.tendered_ore FROM payment p"
            " JOIN sale s ON s.id = p.sale_id WHERE s.register_id = ? ORDER BY p.sale_id, p.id",
            (register_id,),
        )
    )
    marks = ",".join("?" * len(ANNOUNCING))
    announced = _Merge(
        db.execute_sql(
            "SELECT sale_id, seq, text FROM journal WHERE register_id = ? AND sale_id IS NOT NULL"
            f" AND basic_id IN ({marks}) AND (basic_id != 'TRAINING'"
            " OR json_extract(text, '$.kind') IN ('sale', 'return')) ORDER BY sale_id, seq",
            (register_id, *ANNOUNCING),
        )
    )
    for sale_row in sales:
        result.transactions += 1
        sale_id, sale = int(sale_row[0]), tuple(sale_row[1:])
        nr, total, vat, rounding = sale[1], sale[6], sale[7], sale[9]
        name = f"receipt {nr} (sale {sale_id})"
        its_lines, its_payments = lines.take(sale_id), payments.take(sale_id)
        rows = announced.take(sale_id)
        if sum(ln[9] for ln in its_lines) != total or sum(ln[11] for ln in its_lines) != vat:
            problems.append(f"{name}: its lines do not sum to its total and VAT")
        if sum(p[1] for p in its_payments) != total + rounding:
            problems.append(f"{name}: its payments do not sum to its total and rounding")
        if not rows:
            problems.append(f"{name} has no journal row")
            continue
        if len(rows) > 1:
            problems.append(f"{name} is announced by {len(rows)} journal rows")
        seq, text = rows[0]
        details: dict[str, Any] = json.loads(text) if text else {}
        where = f"{name}, journal row {seq}"
        if [details.get(k) for k in ("nr", "total", "vat")] != [nr, total, vat] or details.get(
            "rounding", rounding
        ) != rounding:
            problems.append(f"{where}: the number or the totals differ from the journal's")
        journaled_lines = details.get("lines")
        count = len(journaled_lines) if isinstance(journaled_lines, list) else journaled_lines
        if count is not None and count != len(its_lines):
            problems.append(f"{where}: {len(its_lines)} lines, the journal says {count}")
        paid = [[p[0], p[1], p[2]] for p in its_payments]
        if "payments" in details and details["payments"] != paid:
            problems.append(f"{where}: the payments differ from the journal's")
        elif "refunds" in details and details["refunds"] != _by_method(its_payments):
            problems.append(f"{where}: the refunds differ from the journal's")
        if "content" in details and details["content"] != content_hash(
            sale, its_lines, its_payments
        ):
            problems.append(f"{where}: the sale, its lines or payments were changed")
    for seq, basic, sale_id in db.execute_sql(
        "SELECT seq, basic_id, sale_id FROM journal j WHERE register_id = ?"
        " AND sale_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sale s WHERE s.id = j.sale_id)"
        " ORDER BY seq",
        (register_id,),
    ):
        problems.append(f"journal row {seq} ({basic}) names sale {sale_id}, which is missing")
    for table in ("sale_line", "payment"):
        orphans = db.execute_sql(
            f"SELECT COUNT(*) FROM {table} t WHERE NOT EXISTS"
            " (SELECT 1 FROM sale s WHERE s.id = t.sale_id)"
        ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} {table} rows belong to no sale: their sales were removed")


def _by_method(payments: list[Sequence[Any]]) -> dict[str, int]:
    """A return's refunds as its journal row names them: amount per method."""
    total: dict[str, int] = {}
    for method, amount, _tendered in payments:
        total[method] = total.get(method, 0) + amount
    return total


def _counters(db: SqliteDatabase, register_id: str, result: Audit) -> None:
    """Gap-free series from 1: the counter is the last number used, and as many were used."""
    counters = dict(
        db.execute_sql(
            "SELECT series, value FROM counter WHERE register_id = ?", (register_id,)
        ).fetchall()
    )
    used = {
        "receipt": db.execute_sql(
            "SELECT COUNT(*), COALESCE(MAX(receipt_nr), 0) FROM sale"
            " WHERE register_id = ? AND training = 0",
            (register_id,),
        ).fetchone(),
        "training": db.execute_sql(
            "SELECT COUNT(*), COALESCE(MAX(receipt_nr) - MIN(receipt_nr) + 1, 0) FROM sale"
            " WHERE register_id = ? AND training = 1",
            (register_id,),
        ).fetchone(),
        "provisional": db.execute_sql(
            "SELECT COUNT(*), COALESCE(MAX(json_extract(text, '$.nr')), 0) FROM journal"
            " WHERE register_id = ? AND (basic_id = 'PROVISIONAL' OR (basic_id = 'TRAINING'"
            " AND json_extract(text, '$.kind') = 'provisional'))",
            (register_id,),
        ).fetchone(),
    }
    for series, (number, last) in used.items():
        counter = int(counters.get(series, 0))
        if not counter == int(number) == int(last):
            result.problems.append(
                f"the {series} counter stands at {counter}, but {number} numbers up to {last}"
                " are in the records: numbers were removed or the counter was set"
            )


def _reports(db: SqliteDatabase, register_id: str, result: Audit) -> None:
    problems = result.problems
    journaled: dict[int, tuple[int, dict[str, Any]]] = {}
    for seq, basic, text in db.execute_sql(
        "SELECT seq, basic_id, text FROM journal WHERE register_id = ?"
        " AND basic_id IN ('XREPORT', 'ZREPORT') ORDER BY seq",
        (register_id,),
    ):
        details = json.loads(text) if text else {}
        report = details.get("report") or {}
        what = f"the {'Z' if basic == 'ZREPORT' else 'X'} report in journal row {seq}"
        if basic == "ZREPORT":
            journaled[int(details.get("z_nr", 0))] = (int(seq), report)
        _recorded_head(db, register_id, what, report, problems)
    stored = db.execute_sql(
        "SELECT z_nr, business_date, last_journal_seq, last_sale_id, last_cash_event_id, report"
        " FROM z_report WHERE register_id = ? ORDER BY z_nr",
        (register_id,),
    ).fetchall()
    for z_nr, day, last_seq, last_sale, last_cash, text in stored:
        result.z_reports += 1
        found = journaled.pop(int(z_nr), None)
        if found is None:
            problems.append(f"Z {z_nr} is stored but has no journal row (13009)")
            continue
        seq, report = found
        try:
            copy = json.loads(text)
        except ValueError:
            copy = None
        if copy != report:
            problems.append(f"Z {z_nr}: the stored report differs from its journal row {seq}")
        if [day, last_seq, last_sale, last_cash] != [
            report.get("business_date"),
            seq,
            report.get("last_sale_id"),
            report.get("last_cash_event_id"),
        ]:
            problems.append(f"Z {z_nr}: the stored period differs from its journal row {seq}")
    for z_nr, (seq, _report) in sorted(journaled.items()):
        problems.append(f"Z {z_nr} is journaled (row {seq}) but not stored")


def _recorded_head(
    db: SqliteDatabase, register_id: str, what: str, report: dict[str, Any], problems: list[str]
) -> None:
    """The journal head and last transaction an X or Z recorded are still there, unchanged."""
    digest = report.get("journal_head_hash")
    if digest:
        seq = int(report.get("last_journal_seq", 0))
        wrong = check_head(db, register_id, seq, str(digest))
        if wrong is not None:
            problems.append(f"{what}: {wrong}")
    nr = report.get("last_receipt_nr")
    if nr is None:
        return
    row = db.execute_sql(
        "SELECT receipt_nr, COALESCE(signature, '') FROM sale WHERE register_id = ? AND id = ?",
        (register_id, report.get("last_sale_id")),
    ).fetchone()
    if row is None or row[0] != nr or not str(row[1]).startswith(report.get("last_signature", "")):
        problems.append(f"{what}: its last transaction, receipt {nr}, is gone or was changed")
