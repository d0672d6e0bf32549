"""Fraud signals on the day-close screen: cashiers ranked by how far they stand from the shop's
usual, and the transactions behind every figure one key (Enter) away.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from kassa_tui.core.clock import business_date
from kassa_tui.core.i18n import _
from kassa_tui.dayclose.signals import SIGNALS, SignalsReport, signals
from screens import styles
from screens.dialogs.signals_behind import Behind
from screens.host import host


def signal_names() -> dict[str, str]:
    return {
        "returns_receipt": _("Returns"),
        "returns_no_receipt": _("Returns without receipt"),
        "line_corrections": _("Line corrections"),
        "voided": _("Voided"),
        "no_sale": _("No-sale openings"),
        "price_overrides": _("Price overrides"),
        "discounts": _("Discounts"),
        "training": _("Training minutes"),
    }


class SignalsScreen(Screen[None]):
    """Today's signals for this register, highest score first."""

    CSS_PATH = styles.STOCK
    BINDINGS = [
        Binding("escape", "back", show=False),
        Binding("enter", "details", show=False, priority=True),
        Binding("up", "cursor(-1)", show=False, priority=True),
        Binding("down", "cursor(1)", show=False, priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report: SignalsReport | None = None

    def compose(self) -> ComposeResult:
        yield Label(markup=False, content="", id="stock-title")
        table: DataTable[str | Text] = DataTable(id="signals-table", cursor_type="row")
        yield table
        yield Static(
            markup=False,
            classes="dialog-help",
            content=_("Enter: the transactions behind the figures · Esc: back"),
        )
        yield Footer()

    def on_mount(self) -> None:
        till = host(self).till
        now, cutoff = till.clock.now(), till.config.day_cutoff_hour
        today = business_date(now, cutoff)  # the till's clock and business day, as the Z's
        self.report = signals(
            till.db, till.config.register_id, today, today, now=now.utc, cutoff_hour=cutoff
        )
        self.query_one("#stock-title", Label).update(
            _("Signals for {day}: cashiers ranked by how far they are from the usual").format(
                day=today
            )
        )
        table = self.query_one("#signals-table", DataTable)
        names = signal_names()
        table.add_columns(
            _("Score"),
            _("Cashier"),
            _("Sales"),
            *[Text(names[s][:10], justify="right") for s in SIGNALS],
        )
        for cashier in self.report.cashiers:
            table.add_row(
                f"{cashier.score:.1f}",
                Text(cashier.name),
                str(cashier.sales),
                *[str(cashier.figures[s].count) for s in SIGNALS],
            )

    def action_cursor(self, step: int) -> None:
        table = self.query_one("#signals-table", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def action_details(self) -> None:
        if self.report is None or not self.report.cashiers:
            return
        row = self.query_one("#signals-table", DataTable).cursor_row
        cashier = self.report.cashiers[row]
        lines = [f"{cashier.name} ({cashier.user_number})"]
        for signal in SIGNALS:
            behind = self.report.behind(cashier.user_number, signal)
            if behind:
                lines.append("")
                lines.append(f"{signal_names()[signal]}: {len(behind)}")
                lines += [f"  {line}" for line in behind]
        self.app.push_screen(Behind("\n".join(lines)))

    def action_back(self) -> None:
        self.dismiss(None)
