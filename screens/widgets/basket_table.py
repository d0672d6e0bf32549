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
#: The number columns' widths: an amount up to 999 999,99 and its header are never cut.
WIDTHS = {"nr": 3, "qty": 9, "price": 9, "discount": 9, "amount": 10}
#: Below this width the discount column goes (the line's amount and the totals include it).
NARROW = 72
#: DataTable's space either side of a cell, and room kept for the vertical scrollbar.
CELL_PADDING, SCROLLBAR = 1, 2
#: A name never gets less than this; the numbers are never cut to make room.
MIN_NAME = 8

BasketRow = tuple[str | Text, ...]


def columns_for(width: int) -> tuple[str, ...]:
    """The columns a table `width` cells wide shows: every one, or all but the discount."""
    return COLUMNS if width >= NARROW else tuple(c for c in COLUMNS if c != "discount")


def name_width(width: int) -> int:
    """The item name takes what the number columns (and every cell's padding) leave."""
    columns = columns_for(width)
    used = sum(WIDTHS[c] for c in columns if c != "name") + 2 * CELL_PADDING * len(columns)
    return max(MIN_NAME, width - used - SCROLLBAR)


def fit_name(name: str, width: int, *, plain: bool = False) -> str:
    """`name` within `width` cells, ending in "…" when cut ("..." on the Linux console)."""
    if len(name) <= width:
        return name
    mark = "..." if plain else "…"
    return name[: max(0, width - len(mark))].rstrip() + mark


def basket_row(
    index: int, priced: PricedLine, width: int = 80, *, plain: bool = False
) -> BasketRow:
    """One basket line as a table `width` cells wide shows it."""
    line = priced.line
    cells: dict[str, str | Text] = {
        "nr": str(index),
        "name": Text(
            fit_name(line.name + (" *" if line.overridden else ""), name_width(width), plain=plain),
            no_wrap=True,
        ),
        "qty": stock_qty(line.qty_milli, line.unit).rjust(WIDTHS["qty"]),
        "price": format_kr(line.unit_price_ore).rjust(WIDTHS["price"]),
        "discount": (format_kr(-priced.discount) if priced.discount else "").rjust(
            WIDTHS["discount"]
        ),
        "amount": format_kr(priced.amount).rjust(WIDTHS["amount"]),
    }
    return tuple(cells[c] for c in columns_for(width))


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
        self.laid_out_for = 0  # the width the columns were made for

    def show_lines(self, lines: Sequence[PricedLine], keep_cursor: bool) -> None:
        """Show `lines`; the cursor stays, or goes to the last line."""
        row = self.cursor_row if keep_cursor else None
        self.lines = list(lines)
        width = self.size.width or 80
        if not self.columns or width != self.laid_out_for:
            self.make_columns(width)
        self.show_rows(
            [basket_row(index, p, width, plain=self.plain) for index, p in enumerate(lines, 1)]
        )
        if lines:
            target = len(lines) - 1 if row is None or row >= len(lines) else row
            self.move_cursor(row=target)

    def make_columns(self, width: int) -> None:
        self.clear(columns=True)
        self.shown = []
        self.laid_out_for = width
        headers = {
            "nr": "#",
            "name": _("Item"),
            "qty": _("Qty"),
            "price": _("Price"),
            "discount": _("Discount"),
            "amount": _("Amount"),
        }
        for key in columns_for(width):
            if key in ("nr", "name"):
                size = name_width(width) if key == "name" else WIDTHS[key]
                self.add_column(Text(headers[key], no_wrap=True), key=key, width=size)
            else:
                header = Text(headers[key], justify="right", no_wrap=True)
                self.add_column(header, key=key, width=WIDTHS[key])

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
