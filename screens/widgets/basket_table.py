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
#: What the number columns take, so the item name can have the rest.
FIXED_WIDTH = 3 + 9 + 9 + 9 + 10

BasketRow = tuple[str | Text, ...]


def basket_row(index: int, priced: PricedLine) -> BasketRow:
    """One basket line as the table shows it."""
    line = priced.line
    return (
        str(index),
        Text(line.name + (" *" if line.overridden else "")),
        stock_qty(line.qty_milli, line.unit).rjust(9),
        format_kr(line.unit_price_ore).rjust(9),
        (format_kr(-priced.discount) if priced.discount else "").rjust(9),
        format_kr(priced.amount).rjust(10),
    )


class BasketTable(DataTable[str | Text]):
    """The basket's lines with a row cursor; the entry line keeps the focus."""

    can_focus = False

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.shown: list[BasketRow] = []  # the rows as drawn

    def show_lines(self, lines: Sequence[PricedLine], width: int, keep_cursor: bool) -> None:
        """Show `lines` in a screen `width` wide; the cursor stays, or goes to the last line."""
        row = self.cursor_row if keep_cursor else None
        if not self.columns:
            self.add_column("#", key="nr", width=3)
            self.add_column(_("Item"), key="name", width=name_width(width))
            self.add_column(Text(_("Qty"), justify="right"), key="qty", width=9)
            self.add_column(Text(_("Price"), justify="right"), key="price", width=9)
            self.add_column(Text(_("Discount"), justify="right"), key="discount", width=9)
            self.add_column(Text(_("Amount"), justify="right"), key="amount", width=10)
        self.show_rows([basket_row(index, priced) for index, priced in enumerate(lines, 1)])
        if lines:
            target = len(lines) - 1 if row is None or row >= len(lines) else row
            self.move_cursor(row=target)

    def show_rows(self, rows: list[BasketRow]) -> None:
        """Change only the rows that differ: a scan adds one row instead of drawing the whole
        basket again (which took 50 ms a scan in a 200-line basket)."""
        for i, (old, new) in enumerate(zip(self.shown, rows, strict=False)):
            for key, old_cell, new_cell in zip(COLUMNS, old, new, strict=True):
                if old_cell != new_cell:
                    self.update_cell(str(i), key, new_cell)
        for i in range(len(rows), len(self.shown)):
            self.remove_row(str(i))
        for i in range(len(self.shown), len(rows)):
            self.add_row(*rows[i], key=str(i))
        self.shown = rows

    def forget(self) -> None:
        """Drop the columns and rows: the next `show_lines` makes them for a new width."""
        self.clear(columns=True)
        self.shown = []

    def step(self, step: int) -> None:
        """Move the cursor `step` lines, stopping at the first and the last."""
        if self.row_count:
            self.move_cursor(row=max(0, min(self.row_count - 1, self.cursor_row + step)))


def name_width(width: int) -> int:
    """The item name takes what the fixed columns (and their padding) leave."""
    return max(12, width - FIXED_WIDTH - 2 * 6 - 2)
