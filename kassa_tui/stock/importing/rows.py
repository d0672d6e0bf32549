"""The rows of a product file checked one at a time: a typed `ProductRow`, or the reasons the
row is rejected (its physical line number goes with it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kassa_tui.catalog.deposits import deposit_cell
from kassa_tui.club.barcodes import clash as club_clash
from kassa_tui.config import Config
from kassa_tui.core.cells import read_cell
from kassa_tui.core.i18n import _
from kassa_tui.core.money import InvalidAmount
from kassa_tui.stock.groups import saft_code
from kassa_tui.stock.importing.read import Record, Table
from kassa_tui.stock.importing.suppliers import OrderingCells, ordering_cells
from kassa_tui.stock.importing.values import (
    BadValue,
    ascii_digits,
    parse_codes,
    parse_kroner,
    parse_milli,
    parse_plu,
    parse_vat,
)

# An imported product is held to the same limits as product maintenance.
from kassa_tui.stock.products import MAX_NAME, MAX_PRICE_ORE, MAX_REORDER_MILLI

_UNITS = {name: "stk" for name in ("stk", "st", "pcs", "pc", "ea", "each", "piece")} | {
    "kg": "kg",
    "kilo": "kg",
}


def row_shape(record: Record, width: int, delimiter: str) -> str | None:
    """Why a record cannot be read as a row (misaligned columns, a runaway quote), or None."""
    first, last, cells = record
    if last > first:
        message = _("a quoted field runs from line {first} to {last} (a missing closing quote?)")
        return message.format(first=first, last=last)
    if len(cells) > width and any(cell.strip() for cell in cells[width:]):
        message = _("{count} fields where the header has {width} (an unquoted '{delimiter}'?)")
        shown = "tab" if delimiter == "\t" else delimiter
        return message.format(count=len(cells), width=width, delimiter=shown)
    return None


@dataclass(slots=True)
class ProductRow:
    """One row of a product file, its values checked; None = leave the product's value alone."""

    line: int
    plu: str | None
    codes: tuple[str, ...] | None
    name: str
    group: str
    vat_bp: int
    price_ore: int
    unit: str | None
    cost_ore: int | None
    reorder_milli: int | None
    saft: str | None = None  # the group's SAF-T article group code (PredefinedBasicID-04)
    pant: str | None = None  # a deposit type's code; '' takes the product's pant away
    ordering: OrderingCells | None = None  # supplier, article, pack, least order (if given)


class ProductRowParser:
    """Checks the rows of one product file against the till's VAT rates and label ranges."""

    def __init__(self, table: Table, config: Config) -> None:
        self.table = table
        self.vat_rates = config.vat_rates_bp
        self.layouts = config.embedded
        self.club = config.club  # a member card's or offer's prefix is no product's barcode
        self._vat_cache: dict[str, int | str] = {}
        self._width = max(len(table.headers), *(index + 1 for index in table.columns.values()))

    def _cell(self, cells: list[str]) -> Callable[[str], str]:
        """The stripped cell of a field ('' when the file has no such column), without the `'`
        an export puts before text a spreadsheet would read as a formula (`read_cell`)."""
        values = {key: read_cell(cells[index].strip()) for key, index in self.table.columns.items()}
        return lambda key: values.get(key, "")

    def parse(self, record: Record) -> ProductRow | str:
        """The row's checked values, or the reasons it is rejected (joined by '; ')."""
        shape = row_shape(record, self._width, self.table.delimiter)
        if shape:
            return shape
        cells = record[2]
        if len(cells) < self._width:
            cells = cells + [""] * (self._width - len(cells))
        cell = self._cell(cells)
        problems: list[str] = []
        plu: str | None = None
        codes: tuple[str, ...] | None = None
        if text := cell("plu"):
            try:
                plu = parse_plu(text)
            except BadValue as exc:
                problems.append(str(exc))
        if text := cell("ean"):
            try:
                codes = parse_codes(text, self.layouts) or None
            except BadValue as exc:
                problems.append(str(exc))
            problems += [why for code in codes or () if (why := club_clash(self.club, code))]
        if plu is None and codes is None and not problems:
            problems.append(_("no PLU or barcode"))
        name = " ".join(cell("name").split())
        if not name:
            problems.append(_("missing name"))
        elif len(name) > MAX_NAME:
            problems.append(_("name longer than {n} characters").format(n=MAX_NAME))
        group = cell("group")
        if not group:
            problems.append(_("missing group"))
        vat = self._vat(cell("vat"))
        if isinstance(vat, str):
            problems.append(vat)
        price = self._price(cell("price"), cell("price_ore"))
        if isinstance(price, str):
            problems.append(price)
        unit: str | None = None
        if text := cell("unit"):
            unit = _UNITS.get(text.casefold().rstrip("."))
            if unit is None:
                problems.append(_("unknown unit '{value}' (stk or kg)").format(value=text))
        cost: int | None = None
        if text := cell("cost"):
            try:
                cost = parse_kroner(text)
                if cost > MAX_PRICE_ORE:
                    raise InvalidAmount(text)
            except InvalidAmount:
                problems.append(_("bad cost '{value}'").format(value=text))
        reorder: int | None = None
        if text := cell("reorder"):
            try:
                reorder = parse_milli(text)
                if reorder > MAX_REORDER_MILLI:
                    raise ValueError(text)
            except ValueError:
                problems.append(_("bad reorder point '{value}'").format(value=text))
        saft: str | None = None
        if text := cell("group_saft"):
            saft = saft_code(text)
            if saft is None:
                message = _("unknown SAF-T group code '{value}' (PredefinedBasicID-04, e.g. 04999)")
                problems.append(message.format(value=text))
        pant = deposit_cell(cell("pant"), problems)
        ordering = ordering_cells(cell, problems)
        if problems:
            return "; ".join(problems)
        assert isinstance(vat, int) and isinstance(price, int)
        row = ProductRow(
            record[0], plu, codes, name, group, vat, price, unit, cost, reorder, saft, pant
        )
        row.ordering = ordering
        return row

    def _vat(self, text: str) -> int | str:
        if not text:
            return _("missing VAT rate")
        cached = self._vat_cache.get(text)
        if cached is None:
            try:
                cached = parse_vat(text)
                if cached not in self.vat_rates:
                    rates = ", ".join(f"{rate / 100:g}" for rate in self.vat_rates)
                    message = _("unknown VAT rate '{value}' (the till's rates: {rates} %)")
                    cached = message.format(value=text, rates=rates)
            except ValueError:
                cached = _("bad VAT rate '{value}'").format(value=text)
            self._vat_cache[text] = cached
        return cached

    def _price(self, kroner: str, ore: str) -> int | str:
        text = kroner or ore
        if not text:
            return _("missing price")
        try:
            price = parse_kroner(text) if kroner else int(ore) if ascii_digits(ore) else -1
        except InvalidAmount:
            return _("bad price '{value}'").format(value=text)
        if not 0 <= price <= MAX_PRICE_ORE:
            return _("bad price '{value}'").format(value=text)
        return price
