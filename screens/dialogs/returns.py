"""A return by receipt (F9): choose the lines, give the reason, a shift lead approves.

The rules (what is left to return, the reason, the shift lead's PIN, the refund) live in the
returns service; this dialog only chooses lines and collects the reason.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static

from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr
from kassa_tui.selling.returns import SoldReceipt
from screens import styles
from screens.dialogs.approval import ApprovalDialog
from screens.formatting import stock_qty
from screens.host import guarded, host


class ReturnDialog(ModalScreen[str | None]):
    """Pick the lines to return (Space), give the reason, Enter; a shift lead approves."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [
        Binding("escape", "cancel", show=False),
        Binding("f6,ctrl+t", "choose_line", show=False, priority=True),
        Binding("up", "cursor(-1)", show=False, priority=True),
        Binding("down", "cursor(1)", show=False, priority=True),
    ]

    def __init__(self, sold: SoldReceipt) -> None:
        super().__init__(classes="dialog")
        self.sold = sold
        self.chosen: set[int] = set()

    def compose(self) -> ComposeResult:
        sold = self.sold
        with Vertical(classes="dialog-box help-box"):
            yield Label(
                markup=False,
                classes="dialog-title",
                content=_("Return from receipt {nr} ({day} {time}, {total})").format(
                    nr=sold.receipt_nr,
                    day=sold.local_date,
                    time=sold.local_time[:5],
                    total=format_kr(sold.total),
                ),
            )
            table: DataTable[str | Text] = DataTable(id="return-lines", cursor_type="row")
            table.can_focus = False
            yield table
            yield Input(placeholder=_("Reason for the return"), id="return-reason", max_length=80)
            yield Static(markup=False, content="", classes="message", id="return-message")
            yield Static(
                markup=False,
                classes="dialog-help",
                content=_("F6: choose a line · type the reason · Enter: return the chosen lines")
                + " · Esc",
            )

    def on_mount(self) -> None:
        self.fill()
        self.query_one("#return-reason", Input).focus()

    def fill(self) -> None:
        table = self.query_one("#return-lines", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        table.add_columns(
            "", _("Item"), Text(_("Left"), justify="right"), Text(_("Amount"), justify="right")
        )
        for line in self.sold.lines:
            mark = "[x]" if line.line_nr in self.chosen else "[ ]"
            table.add_row(
                mark, Text(line.name), stock_qty(line.left_milli, line.unit), format_kr(line.amount)
            )
        if self.sold.lines:
            table.move_cursor(row=max(0, min(row, len(self.sold.lines) - 1)))

    def action_cursor(self, step: int) -> None:
        table = self.query_one("#return-lines", DataTable)
        table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def action_choose_line(self) -> None:
        if not self.sold.lines:
            return
        line = self.sold.lines[self.query_one("#return-lines", DataTable).cursor_row]
        if line.left_milli <= 0:
            self.show_error(_("Nothing is left to return on that line."))
            return
        self.chosen ^= {line.line_nr}
        self.fill()

    def show_error(self, message: str) -> None:
        self.query_one("#return-message", Static).update(message)

    @on(Input.Submitted, "#return-reason")
    @guarded
    def submitted(self) -> None:
        reason = self.query_one("#return-reason", Input).value.strip()
        lines = [
            (line.line_nr, line.left_milli)
            for line in self.sold.lines
            if line.line_nr in self.chosen
        ]
        if not lines:
            raise Refused(_("Choose the lines to return with F6."))
        if not reason:
            raise Refused(_("A return needs a reason."))
        person = host(self).person
        if person is None:
            raise Refused(_("Sign in first."))

        @guarded
        def approved(self: ReturnDialog, approval: tuple[str, str] | None) -> None:
            if approval is None:
                return
            done = host(self).till.returns.return_lines(
                person, self.sold.receipt_nr, lines, reason, *approval
            )
            host(self).print_waiting()
            self.dismiss(
                _("Return receipt {nr}: {total} refunded.").format(
                    nr=done.receipt_nr, total=format_kr(-done.total - done.rounding)
                )
            )

        self.app.push_screen(
            ApprovalDialog(_("Return: {reason}").format(reason=reason)),
            lambda value: approved(self, value),
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
