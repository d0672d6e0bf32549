"""Planning a product import: each row's product found (PLU first, then barcode) with indexed
lookups a chunk at a time, and classified new / changed / unchanged / rejected.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from peewee import SqliteDatabase

from kassa_tui.core.i18n import _
from kassa_tui.records.journal import Event, Journal
from kassa_tui.stock.groups import OTHER
from kassa_tui.stock.importing.rows import ProductRow
from kassa_tui.stock.importing.values import ascii_digits

_IN_BATCH = 5000  # SQL parameters per IN (...) list


@dataclass(slots=True)
class ProductState:
    """A product's importable state; `group_id` is negative for a group still to be created."""

    plu: str | None
    codes: frozenset[str]
    name: str
    group_id: int
    vat_bp: int
    price_ore: int
    unit: str
    cost_ore: int | None
    reorder_milli: int


class Groups:
    """Product groups by code (or by name), and the ones an import will create."""

    def __init__(self, database: SqliteDatabase, *, create: bool) -> None:
        rows = database.execute_sql(
            "SELECT id, code, name, saft_group FROM product_group"
        ).fetchall()
        self.by_code: dict[str, int] = {code: gid for gid, code, _name, _saft in rows}
        self.by_name: dict[str, int] = {name.casefold(): gid for gid, _code, name, _saft in rows}
        self.codes: dict[int, str] = {gid: code for gid, code, _name, _saft in rows}
        self.saft: dict[int, str] = {gid: saft for gid, _code, _name, saft in rows}
        self.create = create
        self.planned: dict[str, int] = {}
        # The SAF-T code the file gives a group (by id, planned ones negative) and its line.
        self.saft_lines: dict[int, tuple[str, int]] = {}
        self.saft_changed: list[str] = []  # existing groups whose code the file changes

    def want_saft(self, group_id: int, saft: str, line: int) -> str:
        """Note the file's SAF-T code for a group; why not, when another line gave another."""
        seen = self.saft_lines.setdefault(group_id, (saft, line))
        if seen[0] != saft:
            message = _("group {group} has SAF-T code {code} on line {line}")
            return message.format(group=self.codes[group_id], code=seen[0], line=seen[1])
        if seen[1] == line and group_id > 0 and self.saft.get(group_id) != saft:
            self.saft_changed.append(self.codes[group_id])
        return ""

    def find(self, text: str) -> int | None:
        gid = self.by_code.get(text) or self.by_name.get(text.casefold())
        if gid is None and ascii_digits(text):  # a spreadsheet may have dropped a leading zero
            gid = next(
                (g for c, g in self.by_code.items() if ascii_digits(c) and int(c) == int(text)),
                None,
            )
            if gid is not None:
                self.by_code[text] = gid
        if gid is None and self.create:
            gid = self.planned.setdefault(text, -1 - len(self.planned))
            self.codes[gid] = text
        return gid

    def create_planned(self, database: SqliteDatabase, journal: Journal) -> dict[int, int]:
        """Create the groups planned so far; returns their planned (negative) → real ids."""
        created: dict[int, int] = {}
        for code, planned in self.planned.items():
            if code in self.by_code:
                continue
            saft = self.saft_lines.get(planned, (OTHER, 0))[0]
            cursor = database.execute_sql(
                "INSERT INTO product_group (code, name, saft_group) VALUES (?, ?, ?)",
                (code, code, saft),
            )
            gid = int(cursor.lastrowid)
            self.by_code[code], self.codes[gid], created[planned] = gid, code, gid
            self.saft[gid] = saft
            journal.write(
                Event.MASTER_DATA, action="add_group", group=code, name=code, saft_group=saft
            )
        return created

    def write_saft(self, database: SqliteDatabase, journal: Journal) -> None:
        """Give existing groups the SAF-T codes the file names, each change journaled."""
        for gid, (saft, _line) in self.saft_lines.items():
            old = self.saft.get(gid)
            if gid < 0 or old is None or old == saft:
                continue
            database.execute_sql(
                "UPDATE product_group SET saft_group = ? WHERE id = ?", (saft, gid)
            )
            self.saft[gid] = saft
            journal.write(
                Event.MASTER_DATA,
                action="import_group",
                group=self.codes[gid],
                changed={"saft_group": [old, saft]},
            )


@dataclass
class Outcome:
    row: ProductRow
    kind: str  # "new", "changed", "unchanged", "rejected"
    product_id: int = 0
    before: ProductState | None = None
    after: ProductState | None = None
    changed: tuple[str, ...] = ()
    reason: str = ""


class Resolver:
    """Finds each row's product and decides new / changed / unchanged / rejected, a chunk at a
    time with indexed lookups; remembers what the file has used so far to find duplicates."""

    def __init__(self, database: SqliteDatabase, groups: Groups) -> None:
        self.db = database
        self.groups = groups
        self.plu_lines: dict[str, int] = {}
        self.code_lines: dict[str, int] = {}
        self.product_lines: dict[int, int] = {}
        # What written rows took away from their product, still counted as that product's.
        self.released_plus: dict[str, int] = {}
        self.released_codes: dict[str, int] = {}

    def release(self, written: list[Outcome]) -> None:
        for outcome in written:
            before, after = outcome.before, outcome.after
            assert before is not None and after is not None
            if before.plu is not None and before.plu != after.plu:
                self.released_plus[before.plu] = outcome.product_id
            for code in before.codes - after.codes:
                self.released_codes[code] = outcome.product_id

    def resolve(self, rows: list[ProductRow]) -> list[Outcome]:
        plus = [r.plu for r in rows if r.plu]
        codes = [code for r in rows for code in r.codes or ()]
        plu_ids: dict[str, int] = dict(
            select_in(self.db, "SELECT plu, id FROM product WHERE plu IN ({})", plus)
        )
        owners: dict[str, int] = dict(
            select_in(self.db, "SELECT code, product_id FROM barcode WHERE code IN ({})", codes)
        )
        if self.released_plus:
            for plu in plus:
                if plu not in plu_ids and plu in self.released_plus:
                    plu_ids[plu] = self.released_plus[plu]
        if self.released_codes:
            for code in codes:
                if code not in owners and code in self.released_codes:
                    owners[code] = self.released_codes[code]
        outcomes = [self._identify(row, plu_ids, owners) for row in rows]
        existing = self._products([o.product_id for o in outcomes if o.kind == "changed"])
        for outcome in outcomes:
            if outcome.kind != "rejected":
                outcome.reason = self._target(outcome, existing.get(outcome.product_id))
                if outcome.reason:
                    outcome.kind = "rejected"
                elif outcome.kind == "changed":
                    assert outcome.before is not None and outcome.after is not None
                    outcome.changed = _differences(outcome.before, outcome.after)
                    outcome.kind = "changed" if outcome.changed else "unchanged"
        return outcomes

    def _target(self, outcome: Outcome, before: ProductState | None) -> str:
        """Set what the product becomes (new, or `before` with the row's values); or why not."""
        row = outcome.row
        unit = row.unit or (before.unit if before else "stk")
        reorder = row.reorder_milli
        if reorder is None:
            reorder = before.reorder_milli if before else 0
        if unit != "kg" and reorder % 1000 and (row.unit or row.reorder_milli is not None):
            return _("the reorder point of an item sold per piece is a whole number")
        group_id = self.groups.find(row.group)
        if group_id is None:
            message = _("unknown product group '{group}' (or give --create-groups)")
            return message.format(group=row.group)
        if row.saft is not None and (reason := self.groups.want_saft(group_id, row.saft, row.line)):
            return reason
        if before is None:
            codes, plu, cost = frozenset(row.codes or ()), row.plu, row.cost_ore
        else:
            codes = frozenset(row.codes) if row.codes is not None else before.codes
            plu = row.plu or before.plu
            cost = row.cost_ore if row.cost_ore is not None else before.cost_ore
        outcome.before = before
        outcome.after = ProductState(
            plu, codes, row.name, group_id, row.vat_bp, row.price_ore, unit, cost, reorder
        )
        return ""

    def _identify(
        self, row: ProductRow, plu_ids: dict[str, int], owners: dict[str, int]
    ) -> Outcome:
        """Which product the row is (PLU first, then barcode), or why it cannot be imported."""
        line = row.line
        if row.plu is not None and (seen := self.plu_lines.setdefault(row.plu, line)) != line:
            reason = _("PLU {plu} is also on line {line}").format(plu=row.plu, line=seen)
            return Outcome(row, "rejected", reason=reason)
        for code in row.codes or ():
            if (seen := self.code_lines.setdefault(code, line)) != line:
                reason = _("barcode {code} is also on line {line}").format(code=code, line=seen)
                return Outcome(row, "rejected", reason=reason)
        product_id = plu_ids.get(row.plu) if row.plu is not None else None
        claimed = {owners[code] for code in row.codes or () if code in owners}
        if product_id is None and len(claimed) > 1:
            message = _("the barcodes belong to different products ({products})")
            products = ", ".join(self._name(pid) for pid in sorted(claimed))
            return Outcome(row, "rejected", reason=message.format(products=products))
        if product_id is None and claimed:
            product_id = claimed.pop()
        foreign = sorted(
            code for code in row.codes or () if owners.get(code, product_id) != product_id
        )
        if foreign:
            message = _("barcode {code} belongs to another product ({product})")
            owner = self._name(owners[foreign[0]])
            return Outcome(row, "rejected", reason=message.format(code=foreign[0], product=owner))
        if product_id is None:
            return Outcome(row, "new")
        if (seen := self.product_lines.setdefault(product_id, line)) != line:
            reason = _("the same product as line {line}").format(line=seen)
            return Outcome(row, "rejected", reason=reason)
        return Outcome(row, "changed", product_id=product_id)

    def _name(self, product_id: int) -> str:
        row = self.db.execute_sql(
            "SELECT plu, name FROM product WHERE id = ?", (product_id,)
        ).fetchone()
        if row is None:
            return str(product_id)
        return f"PLU {row[0]} {row[1]}" if row[0] else str(row[1])

    def _products(self, ids: list[int]) -> dict[int, ProductState]:
        codes: dict[int, set[str]] = {}
        for pid, code in select_in(
            self.db, "SELECT product_id, code FROM barcode WHERE product_id IN ({})", ids
        ):
            codes.setdefault(pid, set()).add(code)
        return {
            pid: ProductState(
                plu,
                frozenset(codes.get(pid, ())),
                name,
                group_id,
                vat_bp,
                price_ore,
                unit,
                cost_ore,
                reorder,
            )
            for pid, plu, name, group_id, vat_bp, price_ore, unit, cost_ore, reorder in select_in(
                self.db,
                "SELECT id, plu, name, group_id, vat_bp, price_ore, unit, cost_ore,"
                " reorder_point_milli FROM product WHERE id IN ({})",
                ids,
            )
        }


def _differences(before: ProductState, after: ProductState) -> tuple[str, ...]:
    pairs = (
        ("plu", before.plu, after.plu),
        ("barcodes", before.codes, after.codes),
        ("name", before.name, after.name),
        ("group", before.group_id, after.group_id),
        ("vat", before.vat_bp, after.vat_bp),
        ("price", before.price_ore, after.price_ore),
        ("unit", before.unit, after.unit),
        ("cost", before.cost_ore, after.cost_ore),
        ("reorder", before.reorder_milli, after.reorder_milli),
    )
    return tuple(key for key, old, new in pairs if old != new)


def select_in(database: SqliteDatabase, sql: str, params: Sequence[Any]) -> Iterator[Any]:
    unique = list(dict.fromkeys(params))
    for start in range(0, len(unique), _IN_BATCH):
        batch = unique[start : start + _IN_BATCH]
        yield from database.execute_sql(sql.format(",".join("?" * len(batch))), batch).fetchall()


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
