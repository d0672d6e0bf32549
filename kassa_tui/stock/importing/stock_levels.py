"""The stock import: each listed product brought to the file's level with one 'import'
movement (the difference), so the level stays a sum of deltas.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from peewee import SqliteDatabase

from kassa_tui.config import Config
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_quantity
from kassa_tui.records.journal import Journal
from kassa_tui.stock.importing.apply import CHUNK
from kassa_tui.stock.importing.plan import chunks, select_in
from kassa_tui.stock.importing.read import Table, blank
from kassa_tui.stock.importing.report import IMPORT, ImportReport, Rejected, Sample, product_label
from kassa_tui.stock.importing.rows import row_shape
from kassa_tui.stock.importing.values import BadValue, parse_codes, parse_milli, parse_plu
from kassa_tui.stock.opening import journal_opening

MAX_STOCK_MILLI = 9_999_999_000


@dataclass(slots=True)
class _StockRow:
    line: int
    plu: str | None
    codes: tuple[str, ...]
    level_milli: int


def import_stock(
    database: SqliteDatabase,
    journal: Journal,
    table: Table,
    config: Config,
    *,
    dry_run: bool = False,
    samples: int = 20,
) -> ImportReport:
    """Bring each listed product's stock to the file's level with one 'import' movement (the
    difference), so the level is always a sum of deltas; a product already there is left alone."""
    report = ImportReport("stock", table)
    opened: list[tuple[int, int]] = []  # journaled per product for HQ (stock.opening)

    def run() -> None:
        now = journal.clock.now()
        seen: dict[int, int] = {}
        movements: list[tuple[str, int, int, str, str, str]] = []
        for chunk in chunks(_stock_rows(table, config, report), CHUNK):
            plu_ids = dict(
                select_in(
                    database,
                    "SELECT plu, id FROM product WHERE plu IN ({})",
                    [r.plu for r in chunk if r.plu],
                )
            )
            owners = dict(
                select_in(
                    database,
                    "SELECT code, product_id FROM barcode WHERE code IN ({})",
                    [code for r in chunk for code in r.codes],
                )
            )
            found = [_stock_product(row, plu_ids, owners) for row in chunk]
            products = {
                pid: (plu, name, unit, level)
                for pid, plu, name, unit, level in select_in(
                    database,
                    "SELECT p.id, p.plu, p.name, p.unit, COALESCE(s.on_hand_milli, 0)"
                    " FROM product p LEFT JOIN product_stock s ON s.product_id = p.id"
                    " WHERE p.id IN ({})",
                    [pid for pid in found if isinstance(pid, int)],
                )
            }
            movements.clear()
            for row, pid in zip(chunk, found, strict=True):
                if isinstance(pid, str):
                    report.rejected.append(Rejected(row.line, pid))
                    continue
                if (first := seen.setdefault(pid, row.line)) != row.line:
                    reason = _("the same product as line {line}").format(line=first)
                    report.rejected.append(Rejected(row.line, reason))
                    continue
                plu, name, unit, level = products[pid]
                if unit != "kg" and row.level_milli % 1000:
                    message = _("{name} is counted in whole units")
                    report.rejected.append(Rejected(row.line, message.format(name=name)))
                    continue
                delta = row.level_milli - level
                if delta == 0:
                    report.unchanged += 1
                    continue
                report.changed += 1
                if len(report.samples) < samples:
                    change = f"{format_quantity(level)} → {format_quantity(row.level_milli)}"
                    report.samples.append(
                        Sample(row.line, "changed", product_label(plu, row.codes, name), (change,))
                    )
                movements.append(
                    (
                        str(uuid.uuid4()),
                        pid,
                        delta,
                        "import",
                        config.register_id,
                        now.utc_text,
                    )
                )
            opened.extend((m[1], m[2]) for m in movements)
            if not dry_run and movements:
                database.cursor().executemany(
                    "INSERT INTO stock_movement (uuid, product_id, delta_milli, reason, sale_id,"
                    " register_id, created_utc) VALUES (?, ?, ?, ?, NULL, ?, ?)",
                    movements,
                )
        report.rejected.sort(key=lambda r: r.line)

    if dry_run:
        with database.atomic():
            run()
        return report
    with database.atomic("IMMEDIATE"):
        run()
        journal.write(IMPORT, what="stock", file=table.path.name, **report.counts())
        journal_opening(database, journal, opened, source=f"import {table.path.name}")
    report.written = True
    return report


def _stock_rows(table: Table, config: Config, report: ImportReport) -> Iterator[_StockRow]:
    cols = table.columns
    for record in table.records():
        cells = record[2]
        if blank(cells):
            continue
        report.rows += 1

        def cell(key: str, cells: list[str] = cells) -> str:
            index = cols.get(key)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        problem = row_shape(record, len(table.headers), table.delimiter)
        plu: str | None = None
        codes: tuple[str, ...] = ()
        problems = [problem] if problem else []
        if not problems:
            try:
                plu = parse_plu(text) if (text := cell("plu")) else None
                codes = parse_codes(text, config.embedded) if (text := cell("ean")) else ()
            except BadValue as exc:
                problems.append(str(exc))
            if plu is None and not codes and not problems:
                problems.append(_("no PLU or barcode"))
            quantity = cell("quantity")
            level = 0
            if not quantity:
                problems.append(_("missing quantity"))
            else:
                try:
                    level = parse_milli(quantity)
                    if level > MAX_STOCK_MILLI:
                        raise ValueError(quantity)
                except ValueError:
                    problems.append(_("bad quantity '{value}'").format(value=quantity))
        if problems:
            report.rejected.append(Rejected(record[0], "; ".join(problems)))
            continue
        yield _StockRow(record[0], plu, codes, level)


def _stock_product(row: _StockRow, plu_ids: dict[str, int], owners: dict[str, int]) -> int | str:
    """The product's id, or why the row names none (or two)."""
    if row.plu is not None:
        if row.plu in plu_ids:
            return plu_ids[row.plu]
        if not row.codes:
            return _("no product with PLU {plu}").format(plu=row.plu)
    claimed = {owners[code] for code in row.codes if code in owners}
    if len(claimed) == 1:
        return claimed.pop()
    if claimed:
        return _("the barcodes belong to different products ({products})").format(
            products=", ".join(str(pid) for pid in sorted(claimed))
        )
    return _("no product with barcode {code}").format(code=row.codes[0])
