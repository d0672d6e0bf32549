"""Fraud signals on the day-close screen: cashiers ranked by how far they stand from the shop's
usual, and the transactions behind every figure one key (Enter) away.

One column per cashier, highest score on the left, one row per signal in full words: at 80
columns three cashiers show side by side and the others are one arrow key away, where a row
per cashier would need eleven columns of cut-off words.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from kassa_tui.core.clock import business_date
from kassa_tui.core.i18n import N_, _
from kassa_tui.core.money import format_kr
from kassa_tui.dayclose.signals import SIGNALS, Item, SignalsReport, format_score, signals
from screens import styles
from screens.dialogs.help import HelpDialog
from screens.dialogs.signals_behind import Behind
from screens.host import host
from screens.widgets.keybar import KeyBar


def signal_names() -> dict[str, str]:
    return {
        "returns_receipt": _("Returns with receipt"),
        "returns_no_receipt": _("Returns without receipt"),
        "line_corrections": _("Line corrections"),
        "voided": _("Voided"),
        "no_sale": _("No-sale openings"),
        "price_overrides": _("Price overrides"),
        "discounts": _("Discounts"),
        "training": _("Training minutes"),
    }


def describe(signal: str, item: Item) -> str:
    """One transaction behind a figure, in the shop's words: 'Line deleted: Rømme',
    'Receipt 12' (the journal's own names stay in the journal and `kassa report signals`)."""
    kind = item.what.split()[0]
    if item.source == "sale":
        return _("Receipt {nr}").format(nr=item.receipt_nr)
    words = {
        "LINEDELETE": _("Line deleted"),
        "LINEREDUCE": _("Quantity lowered"),
        "NOSALEREQ": _("Drawer opened without a sale"),
        "DRAWOPENMAN": _("Drawer opened by hand"),
        "PRICEOVERRIDE": _("Price overridden"),
        "TRAININGON": _("Training mode"),
    }
    text = words.get(kind, _("Sale voided") if signal == "voided" else kind)
    if item.about:
        return f"{text}: {item.about}"
    if signal == "training":
        return _("{what}, {minutes} min").format(what=text, minutes=item.minutes)
    return text


def behind_line(signal: str, item: Item) -> str:
    """When (27.11. 14:03, day first as in Norway), what happened, and the amount."""
    _year, month, day = item.local_date.split("-")
    when = f"{day}.{month}. {item.local_time[:5]}"
    amount = f"  {format_kr(item.amount)}" if item.amount else ""
    return f"{when}  {describe(signal, item)}{amount}"


class SignalsScreen(Screen[None]):
    """Today's signals for this register, highest score first."""

    CSS_PATH = styles.STOCK
    BINDINGS = [
        Binding("enter", "details", N_("Details"), priority=True),
        Binding("left", "cursor(-1)", N_("Cashier"), key_display="←/→", priority=True),
        Binding("right", "cursor(1)", N_("Cashier"), show=False, priority=True),
        Binding("escape", "back", N_("Back")),
        Binding("f1,ctrl+g", "help", N_("Help"), key_display="F1", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report: SignalsReport | None = None

    def compose(self) -> ComposeResult:
        yield Label(markup=False, content="", id="stock-title")
        table: DataTable[str | Text] = DataTable(
            id="signals-table", cursor_type="column", fixed_columns=1
        )
        yield table
        yield Static(
            markup=False,
            classes="dialog-help",
            id="signals-help",
            content=_("Enter: the transactions behind the figures of the chosen cashier."),
        )
        yield KeyBar()

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
        cashiers = self.report.cashiers
        table.add_column(_("Cashier"), key="what")
        for cashier in cashiers:
            table.add_column(Text(cashier.name[:15], justify="right"), width=15)

        def row(label: str, cells: list[str]) -> None:
            table.add_row(Text(label), *[Text(cell, justify="right") for cell in cells])

        row(_("Score"), [format_score(c.score) for c in cashiers])
        row(_("Sales"), [str(c.sales) for c in cashiers])
        names = signal_names()
        for signal in SIGNALS:
            row(names[signal], [str(c.figures[signal].count) for c in cashiers])
        if not cashiers:
            self.query_one("#signals-help", Static).update(_("Nothing registered today."))
        table.focus()  # the arrows and Enter work at once, and the key bar lists them in order
        self.action_cursor(0)

    def chosen(self) -> int:
        """The cashier under the cursor: column 0 holds the signals' names."""
        return max(0, self.query_one("#signals-table", DataTable).cursor_column - 1)

    def action_cursor(self, step: int) -> None:
        if self.report is None or not self.report.cashiers:
            return
        last = len(self.report.cashiers) - 1
        column = max(0, min(last, self.chosen() + step)) + 1
        self.query_one("#signals-table", DataTable).move_cursor(column=column)

    def action_details(self) -> None:
        if self.report is None or not self.report.cashiers:
            return
        cashier = self.report.cashiers[self.chosen()]
        lines = [
            f"{cashier.name} ({cashier.user_number})",
            _("Score {score} · sales: {sales} ({amount})").format(
                score=format_score(cashier.score),
                sales=cashier.sales,
                amount=format_kr(cashier.sales_amount),
            ),
        ]
        for signal in SIGNALS:
            figure = cashier.figures[signal]
            if figure.items:
                lines += ["", f"{signal_names()[signal]}: {figure.count}"]
                lines += [f"  {behind_line(signal, item)}" for item in figure.items]
        self.app.push_screen(Behind("\n".join(lines)))

    def help_rows(self) -> list[tuple[str, str, str]]:
        """The help's rows (F1)."""
        return [
            ("←/→", _("Choose the cashier"), ""),
            ("Enter", _("The transactions behind the chosen cashier's figures"), ""),
            ("Esc", _("Back to the day close"), ""),
        ]

    def action_help(self) -> None:
        self.app.push_screen(HelpDialog(self.help_rows()))

    def action_back(self) -> None:
        self.dismiss(None)
