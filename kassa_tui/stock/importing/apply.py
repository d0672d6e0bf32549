"""Running a product import: the plan applied chunk by chunk in one transaction, a journal row
per price change and per other change with one timestamp, the search index brought up to date.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from peewee import SqliteDatabase

from kassa_tui.catalog.deposits import unknown_deposit
from kassa_tui.catalog.search import reindex, reindex_all
from kassa_tui.config import Config
from kassa_tui.core.clock import Clock, Instant
from kassa_tui.core.money import format_kr, format_quantity
from kassa_tui.records.journal import Event, Journal
from kassa_tui.stock.deposits import apply_deposits
from kassa_tui.stock.importing.plan import Groups, Outcome, ProductState, Resolver, chunks
from kassa_tui.stock.importing.read import Table, blank
from kassa_tui.stock.importing.report import IMPORT, ImportReport, Rejected, Sample, product_label
from kassa_tui.stock.importing.rows import ProductRow, ProductRowParser
from kassa_tui.stock.importing.suppliers import apply_ordering, unknown_supplier

CHUNK = 2000  # rows looked up and written together
REINDEX_ALL_FROM = 5000  # touched products above which one full rebuild is faster


class ProductImport:
    """Plans and applies one product file against one database."""

    def __init__(
        self,
        database: SqliteDatabase,
        table: Table,
        config: Config,
        *,
        create_groups: bool = False,
        samples: int = 20,
    ) -> None:
        self.db = database
        self.table = table
        self.parser = ProductRowParser(table, config)
        self.create_groups = create_groups
        self.sample_limit = samples

    # -- the run ----------------------------------------------------------------------------

    def run(self, journal: Journal | None) -> ImportReport:
        """Classify every row and, with a journal, write the new and changed products.

        One pass, a chunk at a time: a chunk is looked up before any of it is written, and
        what earlier chunks released (a PLU or barcode a product no longer has) is still
        counted as its old product's, so a real run decides exactly as its dry run did.
        """
        report = ImportReport("products", self.table)
        groups = Groups(self.db, create=self.create_groups)
        resolver = Resolver(self.db, groups)
        next_id = int(self.db.execute_sql("SELECT COALESCE(MAX(id), 0) FROM product").fetchone()[0])
        touched: list[int] = []
        pant_rows: list[Outcome] = []
        ordering_rows: list[Outcome] = []  # supplier and pack columns (importing.suppliers)
        for chunk in chunks(self._rows(report), CHUNK):
            new: list[Outcome] = []
            changed: list[Outcome] = []
            for outcome in resolver.resolve(chunk):
                if outcome.kind == "rejected":
                    report.rejected.append(Rejected(outcome.row.line, outcome.reason))
                    continue
                if outcome.row.pant is not None:  # after the products are written
                    pant_rows.append(outcome)
                if outcome.row.ordering is not None:
                    ordering_rows.append(outcome)
                if outcome.kind == "unchanged":
                    report.unchanged += 1
                    continue
                (new if outcome.kind == "new" else changed).append(outcome)
                if len(report.samples) < self.sample_limit:
                    report.samples.append(self._sample(outcome, groups))
            report.new += len(new)
            report.changed += len(changed)
            if journal is None:
                continue
            created = groups.create_planned(self.db, journal)
            groups.write_saft(self.db, journal)
            for outcome in (*new, *changed):
                assert outcome.after is not None
                outcome.after.group_id = created.get(outcome.after.group_id, outcome.after.group_id)
            for outcome in new:
                next_id += 1
                outcome.product_id = next_id
            self._insert(new)
            touched.extend(outcome.product_id for outcome in new)
            touched.extend(self._update(journal, changed, groups))
            resolver.release(changed)
            apply_deposits(self.db, journal, [(o.product_id, o.row.pant) for o in pant_rows])
            pant_rows = []
            apply_ordering(
                self.db, journal, [(o.product_id, o.row.ordering) for o in ordering_rows]
            )
            ordering_rows = []
        report.groups_created = sorted(groups.planned)
        report.groups_saft_changed = sorted(groups.saft_changed)
        report.rejected.sort(key=lambda r: r.line)
        if len(touched) > REINDEX_ALL_FROM:
            reindex_all(self.db)
        elif touched:
            reindex(self.db, touched)
        return report

    def _rows(self, report: ImportReport) -> Iterator[ProductRow]:
        for record in self.table.records():
            if blank(record[2]):
                continue
            report.rows += 1
            parsed = self.parser.parse(record)
            if not isinstance(parsed, str) and (why := unknown_deposit(self.db, parsed.pant)):
                parsed = why
            if not isinstance(parsed, str) and (why := unknown_supplier(self.db, parsed.ordering)):
                parsed = why
            if isinstance(parsed, str):
                report.rejected.append(Rejected(record[0], parsed))
            else:
                yield parsed

    def _sample(self, outcome: Outcome, groups: Groups) -> Sample:
        row, after = outcome.row, outcome.after
        assert after is not None
        label = product_label(after.plu, sorted(after.codes), after.name)
        if outcome.kind == "new":
            details = (format_kr(after.price_ore, thousands=False),)
            return Sample(row.line, "new", label, details)
        before = outcome.before
        assert before is not None
        return Sample(
            row.line,
            "changed",
            label,
            tuple(_describe(key, before, after, groups) for key in outcome.changed),
        )

    def _insert(self, new: list[Outcome]) -> None:
        products = [(outcome.product_id, outcome.after) for outcome in new]
        cursor = self.db.cursor()
        cursor.executemany(
            "INSERT INTO product (id, plu, name, group_id, vat_bp, price_ore, unit, active,"
            " reorder_point_milli, cost_ore) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
            [
                (
                    pid,
                    p.plu,
                    p.name,
                    p.group_id,
                    p.vat_bp,
                    p.price_ore,
                    p.unit,
                    p.reorder_milli,
                    p.cost_ore,
                )
                for pid, p in products
                if p is not None
            ],
        )
        cursor.executemany(
            "INSERT INTO barcode (code, product_id) VALUES (?, ?)",
            [(code, pid) for pid, p in products if p is not None for code in sorted(p.codes)],
        )

    def _update(self, journal: Journal, outcomes: list[Outcome], groups: Groups) -> list[int]:
        """Write changed products and their journal rows; returns the ids to reindex."""
        if not outcomes:
            return []
        cursor = self.db.cursor()
        rows = []
        removed: list[tuple[str, int]] = []
        added: list[tuple[str, int]] = []
        for outcome in outcomes:
            after, before, pid = outcome.after, outcome.before, outcome.product_id
            assert after is not None and before is not None
            rows.append(
                (
                    after.plu,
                    after.name,
                    after.group_id,
                    after.vat_bp,
                    after.price_ore,
                    after.unit,
                    after.cost_ore,
                    after.reorder_milli,
                    pid,
                )
            )
            removed.extend((code, pid) for code in sorted(before.codes - after.codes))
            added.extend((code, pid) for code in sorted(after.codes - before.codes))
        cursor.executemany(
            "UPDATE product SET plu = ?, name = ?, group_id = ?, vat_bp = ?, price_ore = ?,"
            " unit = ?, cost_ore = ?, reorder_point_milli = ? WHERE id = ?",
            rows,
        )
        cursor.executemany("DELETE FROM barcode WHERE code = ? AND product_id = ?", removed)
        cursor.executemany("INSERT INTO barcode (code, product_id) VALUES (?, ?)", added)
        searchable = {"plu", "barcodes", "name", "group"}
        touched: list[int] = []
        for outcome in outcomes:
            after, before, pid = outcome.after, outcome.before, outcome.product_id
            assert after is not None and before is not None
            if "price" in outcome.changed:
                journal.write(
                    Event.PRICE_CHANGE,
                    action="import",
                    product=pid,
                    plu=after.plu,
                    name=after.name,
                    old=before.price_ore,
                    new=after.price_ore,
                )
            others = [key for key in outcome.changed if key != "price"]
            if others:
                journal.write(
                    Event.MASTER_DATA,
                    action="import",
                    product=pid,
                    plu=after.plu,
                    changed={
                        _JOURNAL_KEYS[key]: [
                            _value(key, before, groups),
                            _value(key, after, groups),
                        ]
                        for key in others
                    },
                )
            if searchable & set(outcome.changed):
                touched.append(pid)
        return touched


_JOURNAL_KEYS = {
    "plu": "plu",
    "barcodes": "barcodes",
    "name": "name",
    "group": "group",
    "vat": "vat_bp",
    "price": "price_ore",
    "unit": "unit",
    "cost": "cost_ore",
    "reorder": "reorder_point_milli",
}


def _value(key: str, product: ProductState, groups: Groups) -> Any:
    if key == "barcodes":
        return sorted(product.codes)
    if key == "group":
        return groups.codes.get(product.group_id, str(product.group_id))
    attribute = {"vat": "vat_bp", "price": "price_ore", "cost": "cost_ore"}.get(key, key)
    if key == "reorder":
        attribute = "reorder_milli"
    return getattr(product, attribute)


def _describe(key: str, before: ProductState, after: ProductState, groups: Groups) -> str:
    """'price 24,90 → 25,90', 'barcodes +7038010009990 -7020164760728', 'name'."""
    if key == "barcodes":
        plus = [f"+{code}" for code in sorted(after.codes - before.codes)]
        minus = [f"-{code}" for code in sorted(before.codes - after.codes)]
        return " ".join(["barcodes", *plus, *minus])
    if key == "name":
        return f"name '{before.name}' → '{after.name}'"
    old, new = _value(key, before, groups), _value(key, after, groups)
    if key in ("price", "cost"):
        old = "-" if old is None else format_kr(old, thousands=False)
        new = "-" if new is None else format_kr(new, thousands=False)
    elif key == "vat":
        old, new = f"{old / 100:g} %", f"{new / 100:g} %"
    elif key == "reorder":
        old, new = format_quantity(old), format_quantity(new)
    return f"{key} {old or '-'} → {new or '-'}"


def import_products(
    database: SqliteDatabase,
    journal: Journal,
    table: Table,
    config: Config,
    *,
    dry_run: bool = False,
    create_groups: bool = False,
    samples: int = 20,
) -> ImportReport:
    """Plan the file and, unless a dry run, apply it in one transaction with its journal rows.

    A dry run only reads (it never takes the write lock, so the till sells on meanwhile).
    """
    importer = ProductImport(database, table, config, create_groups=create_groups, samples=samples)
    if dry_run:
        with database.atomic():
            return importer.run(None)
    with database.atomic("IMMEDIATE"):
        journal = _stamped(journal)
        report = importer.run(journal)
        if report.new:  # the time new items got their prices (§ 2-7), not a row for each
            journal.write(
                Event.MASTER_DATA, action="import_add", file=table.path.name, products=report.new
            )
        journal.write(
            IMPORT,
            what="products",
            file=table.path.name,
            groups_created=len(report.groups_created),
            **report.counts(),
        )
    report.written = True
    return report


class _Stamp(Instant):
    """One instant for all of an import's journal rows (they commit together), its texts
    worked out once: a price file can journal 200,000 changes."""

    _texts: tuple[str, str, str]

    def __init__(self, instant: Instant) -> None:
        super().__init__(instant.utc)
        texts = (instant.utc_text, instant.local_date, instant.local_time)
        object.__setattr__(self, "_texts", texts)

    @property
    def utc_text(self) -> str:
        return self._texts[0]

    @property
    def local_date(self) -> str:
        return self._texts[1]

    @property
    def local_time(self) -> str:
        return self._texts[2]


class _StampClock(Clock):
    def __init__(self, stamp: _Stamp) -> None:
        super().__init__(lambda: stamp.utc)
        self.stamp = stamp

    def now(self) -> Instant:
        return self.stamp


def _stamped(journal: Journal) -> Journal:
    """The journal, writing every row with the time the import's transaction began."""
    return Journal(journal.db, journal.register_id, _StampClock(_Stamp(journal.clock.now())))
