"""Tables that fit their width: numbers and headers whole, the name column gives way.

Issue 13: "amounts and totals are never cut; names give way first (ellipsis), headers fit."
Every number column is as wide as its header or its widest value, whichever is wider; the
name column gets what is left and ends a long name with "…" (or "..." on the Linux console,
whose font has no ellipsis).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

#: DataTable puts one space either side of every cell.
CELL_PADDING = 1
#: The vertical scrollbar kassa's tables use (screens/stock.tcss).
SCROLLBAR = 1
#: A name column never shrinks below this; numbers are never cut to make room.
MIN_NAME = 8


def number_width(header: str, values: Sequence[str]) -> int:
    """A number column's width: its header and its widest value, whole."""
    return max([len(header), *(len(value) for value in values)])


def name_width(total: int, numbers: Sequence[int]) -> int:
    """What `total` columns leave the name once every number column has its full width."""
    used = sum(width + 2 * CELL_PADDING for width in numbers) + 2 * CELL_PADDING + SCROLLBAR
    return max(MIN_NAME, total - used)


def fit_name(name: str, width: int, *, plain: bool) -> Text:
    """`name` shortened to `width`: "…" in a full terminal, "..." on the Linux console."""
    if len(name) <= width:
        return Text(name, no_wrap=True, end="")
    if plain:
        return Text(name[: max(0, width - 3)].rstrip() + "...", no_wrap=True, end="")
    return Text(name[: max(0, width - 1)].rstrip() + "…", no_wrap=True, end="")


def fill(
    table: DataTable[str | Text],
    total: int,
    name_header: str,
    columns: Sequence[tuple[str, Sequence[str]]],
    names: Sequence[str],
    *,
    plain: bool,
) -> None:
    """Replace `table`'s columns and rows.

    `columns` are the number columns as (header, one value per row); `names` one per row.
    """
    widths = [number_width(header, values) for header, values in columns]
    room = name_width(total, widths)
    table.clear(columns=True)
    table.add_column(Text(name_header, no_wrap=True), width=room)
    for (header, _values), width in zip(columns, widths, strict=True):
        table.add_column(Text(header, justify="right", no_wrap=True), width=width)
    for row, name in enumerate(names):
        table.add_row(
            fit_name(name, room, plain=plain),
            *[
                values[row].rjust(width)
                for (_header, values), width in zip(columns, widths, strict=True)
            ],
        )
