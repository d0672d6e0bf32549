"""The basket table: one row per basket line, changed row by row instead of drawn again."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

from kassa_tui.catalog.pricing import PricedLine
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr
from screens.formatting import stock_qty

#: The columns' keys, in the order a row gives its cells.
COLUMNS = ("nr", "name", "qty", "price", "discount", "amount")
#: The number columns' least widths; a wider value or header widens its column, never cut.
WIDTHS = {"nr": 3, "qty": 9, "price": 9, "discount": 9, "amount": 10}
#: Below this width the discount column goes (the line's amount and the totals include it).
NARROW = 72
#: DataTable's space either side of a cell, and room kept for the vertical scrollbar.
CELL_PADDING, SCROLLBAR = 1, 2
#: A name never gets less than this; the numbers are never cut to make room.
MIN_NAME = 8

BasketRow = tuple[str | Text, ...]
#: Column key → its width, in the order the columns show.
Widths = dict[str, int]


def columns_for(width: int) -> tuple[str, ...]:
    """The columns a table `width` cells wide shows: every one, or all but the discount."""
    return COLUMNS if width >= NARROW else tuple(c for c in COLUMNS if c != "discount")


def cells_of(index: int, priced: PricedLine) -> dict[str, str]:
    """One basket line's cells as text, before they are fitted to their columns."""
    line = priced.line
    return {
        "nr": str(index),
        "name": line.name + (" *" if line.overridden else ""),
        "qty": stock_qty(line.qty_milli, line.unit),
        "price": format_kr(line.unit_price_ore),
        "discount": format_kr(-priced.discount) if priced.discount else "",
        "amount": format_kr(priced.amount),
    }


def layout(width: int, rows: Sequence[dict[str, str]], headers: dict[str, str]) -> Widths:
    """Every number column as wide as its widest value or header; the name gets the rest."""
    widths = {
        key: max([WIDTHS[key], len(headers.get(key, "")), *(len(row[key]) for row in rows)])
        for key in columns_for(width)
        if key != "name"
    }
    used = sum(widths.values()) + 2 * CELL_PADDING * (len(widths) + 1)
    widths["name"] = max(MIN_NAME, width - used - SCROLLBAR)
    return {key: widths[key] for key in columns_for(width)}


def fit_name(name: str, width: int, *, plain: bool = False) -> str:
    """`name` within `width` cells, ending in "…" when cut ("..." on the Linux console)."""
    if len(name) <= width:
        return name
    mark = "..." if plain else "…"
    return name[: max(0, width - len(mark))].rstrip() + mark


def fitted(cells: dict[str, str], widths: Widths, *, plain: bool = False) -> BasketRow:
    """A row's cells fitted to `widths`: numbers right-aligned and whole, the name shortened."""

    def cell(key: str, size: int) -> str | Text:
        if key == "name":
            return Text(fit_name(cells[key], size, plain=plain), no_wrap=True)
        return cells[key] if key == "nr" else cells[key].rjust(size)

    return tuple(cell(key, size) for key, size in widths.items())


def basket_row(
    index: int, priced: PricedLine, width: int = 80, *, plain: bool = False
) -> BasketRow:
    """One basket line as a table `width` cells wide shows it (on its own)."""
    cells = cells_of(index, priced)
    return fitted(cells, layout(width, [cells], {}), plain=plain)


class BasketTable(DataTable[str | Text]):
    """The basket's lines with a row cursor; the entry line keeps the focus.

    Fits its own width: amounts and headers are always whole, a long name ends in "…", and a
    narrow terminal loses the discount column before anything else.
    """

    can_focus = False

    def __init__(self, *, id: str | None = None, plain: bool = False) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.plain = plain  # the Linux console: no "…" in its font
        self.shown: list[BasketRow] = []  # the rows as drawn
        self.lines: list[PricedLine] = []
        self.widths: Widths = {}  # the columns as made
        self.laid_out_for = 0  # the width the columns were made for

    def show_lines(self, lines: Sequence[PricedLine], keep_cursor: bool) -> None:
        """Show `lines`; the cursor stays, or goes to the last line."""
        row = self.cursor_row if keep_cursor else None
        self.lines = list(lines)
        width = self.size.width or 80
        cells = [cells_of(index, priced) for index, priced in enumerate(lines, 1)]
        widths = layout(width, cells, self.headers())
        if not self.columns or widths != self.widths:
            self.make_columns(widths)
        self.laid_out_for = width
        self.show_rows([fitted(row_cells, widths, plain=self.plain) for row_cells in cells])
        if lines:
            target = len(lines) - 1 if row is None or row >= len(lines) else row
            self.move_cursor(row=target)

    @staticmethod
    def headers() -> dict[str, str]:
        return {
            "nr": "#",
            "name": _("Item"),
            "qty": _("Qty"),
            "price": _("Price"),
            "discount": _("Discount"),
            "amount": _("Amount"),
        }

    def make_columns(self, widths: Widths) -> None:
        self.clear(columns=True)
        self.shown = []
        self.widths = widths
        headers = self.headers()
        for key, size in widths.items():
            left = key in ("nr", "name")
            header = Text(headers[key], justify="left" if left else "right", no_wrap=True)
            self.add_column(header, key=key, width=size)

    def on_resize(self) -> None:
        if self.size.width != self.laid_out_for:
            self.show_lines(self.lines, keep_cursor=True)

    def show_rows(self, rows: list[BasketRow]) -> None:
        """Change only the rows that differ: a scan adds one row instead of drawing the whole
        basket again (which took 50 ms a scan in a 200-line basket)."""
        keys = [str(column.value) for column in self.columns]
        for i, (old, new) in enumerate(zip(self.shown, rows, strict=False)):
            for key, old_cell, new_cell in zip(keys, old, new, strict=True):
                if old_cell != new_cell:
                    self.update_cell(str(i), key, new_cell)
        for i in range(len(rows), len(self.shown)):
            self.remove_row(str(i))
        for i in range(len(self.shown), len(rows)):
            self.add_row(*rows[i], key=str(i))
        self.shown = rows

    def step(self, step: int) -> None:
        """Move the cursor `step` lines, stopping at the first and the last."""
        if self.row_count:
            self.move_cursor(row=max(0, min(self.row_count - 1, self.cursor_row + step)))
