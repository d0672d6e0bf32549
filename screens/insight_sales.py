"""The Sales tab's drawing, shared by the till's insight screen and the head office's.

Both hand over figures of the same shape (kassa_tui.core.periods: today / this week / this
month against the stretch before, days with their 7-day average, receipts per weekday × hour),
so the tab looks and reads the same whoever counted the rows. The widgets are the screens' own,
found by id: #insight-periods, #insight-chart-label, #insight-revenue, #insight-average,
#insight-chart-text, #insight-heat.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from rich.cells import cell_len
from rich.text import Text
from textual.screen import Screen
from textual.widgets import DataTable, Sparkline, Static

from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr
from kassa_tui.core.periods import Comparison, Day

#: The heat map's shades, faint to strong: a full terminal, and the console's 16 colours.
SHADES = ("", "on #16324f", "on #1f5f8b", "on #2e8bc0", "on #b8860b", "on #c0392b")
CONSOLE_SHADES = ("", "on blue", "on cyan", "on green", "on yellow", "on red")


class SalesShape(Protocol):
    """What the Sales tab draws (the till's and HQ's SalesFigures both have it)."""

    @property
    def comparisons(self) -> tuple[Comparison, ...]: ...

    @property
    def days(self) -> tuple[Day, ...]: ...

    @property
    def hour_receipts(self) -> tuple[tuple[int, ...], ...]: ...


def whole_kr(ore: int) -> str:
    """Kroner without øre: '12 346'."""
    return format_kr(round(ore / 100) * 100)[:-3]


def change_text(pct: float | None) -> str:
    return "-" if pct is None else f"{pct:+.0f} %"


def period_names() -> dict[str, str]:
    return {"today": _("Today"), "week": _("This week"), "month": _("This month")}


def weekday_names() -> list[str]:
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


def shown_hours(grid: tuple[tuple[int, ...], ...], most: int = 16) -> list[int]:
    """The hours with any receipt (the shop's opening hours), at most `most` of the busiest."""
    totals = [sum(row[hour] for row in grid) for hour in range(24)]
    busy = [hour for hour in range(24) if totals[hour]]
    if len(busy) > most:
        busy = sorted(sorted(busy, key=lambda h: -totals[h])[:most])
    return busy or list(range(8, 22))


def fill_table(
    table: DataTable[str | Text],
    headers: Sequence[str | Text],
    rows: Sequence[Sequence[str | Text]],
) -> None:
    """Replace `table`'s columns and rows, each column as wide as its widest cell (given, not
    measured as rows arrive: a table refilled while it is drawn kept its header's width)."""
    table.clear(columns=True)
    for i, header in enumerate(headers):
        width = max([cell_len(str(header))] + [cell_len(str(row[i])) for row in rows])
        table.add_column(header, width=width)
    for row in rows:
        table.add_row(*row)


def fill_sales(screen: Screen[None], sales: SalesShape) -> None:
    """The periods table, the 90-day chart (or, on the console, the last weeks in numbers)
    and the busy hours."""
    headers: list[str | Text] = [_("Period")]
    for header in (_("Revenue"), _("Before"), _("Change"), _("Receipts"), _("Basket"), _("Items")):
        headers.append(Text(header, justify="right"))
    names = period_names()
    rows: list[list[str | Text]] = [
        [
            names[c.name],
            *[
                Text(cell, justify="right")
                for cell in (
                    whole_kr(c.now.revenue_ore),
                    whole_kr(c.before.revenue_ore),
                    change_text(c.change_pct),
                    str(c.now.receipts),
                    whole_kr(c.now.average_basket_ore),
                    f"{c.now.items_per_basket:.1f}".replace(".", ","),
                )
            ],
        ]
        for c in sales.comparisons
    ]
    fill_table(screen.query_one("#insight-periods", DataTable), headers, rows)
    days = sales.days
    screen.query_one("#insight-chart-label", Static).update(
        _(
            "Revenue, {n} days from {first}: {total} kr; 7-day average now {average} kr a day"
        ).format(
            n=len(days),
            first=days[0].date if days else "-",
            total=whole_kr(sum(d.revenue_ore for d in days)),
            average=whole_kr(days[-1].average7_ore if days else 0),
        )
    )
    screen.query_one("#insight-revenue", Sparkline).data = [d.revenue_ore for d in days]
    screen.query_one("#insight-average", Sparkline).data = [d.average7_ore for d in days]
    # The console font has no block glyphs: there the chart is the last weeks in numbers.
    weeks = [days[max(0, i - 6) : i + 1] for i in range(len(days) - 1, -1, -7)][:6]
    screen.query_one("#insight-chart-text", Static).update(
        _("Last weeks, kr: {weeks}").format(
            weeks="  ".join(
                f"{date.fromisoformat(w[-1].date).strftime('%d.%m')} "
                + whole_kr(sum(d.revenue_ore for d in w))
                for w in reversed(weeks)
            )
        )
    )
    fill_heat(screen, sales.hour_receipts)


def fill_heat(screen: Screen[None], grid: tuple[tuple[int, ...], ...]) -> None:
    """Receipts per weekday × hour, shaded by how busy (the number stays: the console)."""
    hours = shown_hours(grid)
    top = max((grid[d][h] for d in range(7) for h in hours), default=0)
    shades = CONSOLE_SHADES if screen.app.ansi_color else SHADES
    headers: list[str | Text] = [_("Receipts")]
    headers += [Text(f"{hour:02d}", justify="right") for hour in hours]
    rows: list[list[str | Text]] = []
    for day, name in enumerate(weekday_names()):
        cells: list[str | Text] = [name]
        for hour in hours:
            n = grid[day][hour]
            level = 0 if not n or not top else 1 + min(4, (5 * n - 1) // top)
            cells.append(Text(str(n) if n else ".", style=shades[level], justify="right"))
        rows.append(cells)
    fill_table(screen.query_one("#insight-heat", DataTable), headers, rows)
