"""A return without the receipt: scan what comes back, give the reason, a shift lead approves.

Priced at today's catalog price, refunded in cash or to a card, journaled as RETURNNORECEIPT
so the X and Z count it apart from returns by receipt (the rules are the returns service's).
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
from kassa_tui.core.money import QTY_ONE, InvalidQuantity, format_kr, parse_quantity
from kassa_tui.selling.returns import NoReceiptLine, ReturnDone
from screens import styles
from screens.dialogs.approval import ApprovalDialog
from screens.dialogs.gift_card_sale import (
    credit_note_chosen,
    credit_note_message,
    credit_note_method,
)
from screens.dialogs.returns import (
    SUMMARY_LINES,
    TABLE_ROWS,
    refund_message,
    refund_plan_text,
)
from screens.formatting import stock_qty
from screens.host import guarded, host, show_message


class ReturnWithoutReceiptDialog(ModalScreen[str | None]):
    """Scan or type each item (3*code for three), Tab to the reason, Enter; a shift lead
    approves. F10 refunds in cash, F11 to a card."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [
        # F-keys and arrows reach the dialog after the keys typed before them; the Ctrl
        # twins the input itself uses (cut, delete to the end) must be priority bindings.
        Binding("escape", "cancel", show=False),
        Binding("f8", "remove_line", show=False),
        Binding("ctrl+x", "remove_line", show=False, priority=True),
        Binding("f10", "method('cash')", show=False),
        Binding("ctrl+k", "method('cash')", show=False, priority=True),
        Binding("f11,ctrl+b", "method('card')", show=False),
        Binding("f7", "credit_note", show=False),  # refund to a new credit note
        Binding("up", "cursor(-1)", show=False),
        Binding("down", "cursor(1)", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(classes="dialog")
        self.lines: list[NoReceiptLine] = []
        self.method = "cash"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box help-box"):
            yield Label(
                markup=False,
                classes="dialog-title",
                content=_("Return without a receipt (today's prices, counted apart)"),
            )
            table: DataTable[str | Text] = DataTable(id="noreceipt-lines", cursor_type="row")
            table.can_focus = False
            yield table
            yield Static(markup=False, content="", id="noreceipt-refund")
            yield Input(
                placeholder=_("Scan or type the item (3*code for three), Enter"),
                id="noreceipt-code",
                max_length=40,
            )
            yield Input(
                placeholder=_("Reason for the return, then Enter"),
                id="noreceipt-reason",
                max_length=80,
            )
            yield Static(markup=False, content="", classes="message", id="noreceipt-message")
            yield Static(
                markup=False,
                classes="dialog-help",
                content=_(
                    "Enter: add · F8: remove · Tab: reason · F10 cash / F11 card / F7 credit note"
                    " · Enter: return · Esc: cancel"
                ),
            )

    def on_mount(self) -> None:
        # At most TABLE_ROWS lines at a time (the cursor scrolls), so the fields and the keys
        # stay on an 80×24 screen.
        self.query_one("#noreceipt-lines", DataTable).styles.max_height = TABLE_ROWS + 1
        self.fill()
        self.query_one("#noreceipt-code", Input).focus()

    def fill(self) -> None:
        table = self.query_one("#noreceipt-lines", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        table.add_columns(
            _("Item"), Text(_("Qty"), justify="right"), Text(_("Refund"), justify="right")
        )
        for line in self.lines:
            table.add_row(
                Text(line.name),
                Text(stock_qty(line.qty_milli, line.unit), justify="right"),
                Text(format_kr(line.refund), justify="right"),
            )
        if self.lines:
            table.move_cursor(row=max(0, min(row, len(self.lines) - 1)))
        self.query_one("#noreceipt-refund", Static).update(refund_plan_text(self.plan()))

    def plan(self) -> list[tuple[str, int]]:
        refund = sum(line.refund for line in self.lines)
        if self.method not in ("cash", "card"):  # F7: a new credit note, the refund exact
            return [("new_credit_note", refund)] if refund else []
        return host(self).till.returns.rounded([(self.method, refund)])

    def show_error(self, message: str) -> None:
        show_message(self, "#noreceipt-message", message, error=True)

    def action_cursor(self, step: int) -> None:
        table = self.query_one("#noreceipt-lines", DataTable)
        table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def action_remove_line(self) -> None:
        if self.lines:
            row = self.query_one("#noreceipt-lines", DataTable).cursor_row
            del self.lines[max(0, min(row, len(self.lines) - 1))]
            self.fill()

    def action_method(self, method: str) -> None:
        self.method = method
        self.fill()

    @guarded
    def action_credit_note(self) -> None:
        credit = credit_note_method(self)
        self.method = "cash" if self.method == credit else credit
        self.fill()
        chosen = credit_note_chosen(self.method == credit)
        show_message(self, "#noreceipt-message", chosen, error=False)

    @on(Input.Submitted, "#noreceipt-code")
    @guarded
    def add(self) -> None:
        field = self.query_one("#noreceipt-code", Input)
        text = field.value.strip()
        if not text:
            self.query_one("#noreceipt-reason", Input).focus()
            return
        qty = QTY_ONE
        if "*" in text:
            count, _star, text = text.partition("*")
            try:
                qty = parse_quantity(count)
            except InvalidQuantity as exc:
                raise Refused(_("{text} is not a quantity.").format(text=count + "*")) from exc
            text = text.strip()
        if not text:
            raise Refused(_("Scan or type the item after the quantity."))
        returns = host(self).till.returns
        line = returns.price_without_receipt(text, qty)
        row = next((i for i, old in enumerate(self.lines) if old.code == line.code), None)
        if row is not None:  # the same item again adds up (unless its barcode holds a weight)
            more = returns.price_without_receipt(text, self.lines[row].qty_milli + qty)
            if more.qty_milli == self.lines[row].qty_milli + line.qty_milli:
                self.lines[row] = more
            else:
                row = None
        if row is None:
            self.lines.append(line)
            row = len(self.lines) - 1
        field.value = ""
        show_message(self, "#noreceipt-message", "", error=False)
        self.fill()
        self.query_one("#noreceipt-lines", DataTable).move_cursor(row=row)

    @on(Input.Submitted, "#noreceipt-reason")
    @guarded
    def submitted(self) -> None:
        reason = self.query_one("#noreceipt-reason", Input).value.strip()
        if not self.lines:
            self.query_one("#noreceipt-code", Input).focus()
            raise Refused(_("Scan what the customer brings back first."))
        if not reason:
            raise Refused(_("A return needs a reason."))
        person = host(self).person
        if person is None:
            raise Refused(_("Sign in first."))
        lines = [(line.code, line.qty_milli) for line in self.lines]
        method = self.method
        done: list[ReturnDone] = []

        def act(number: str, pin: str) -> None:
            done.append(
                host(self).till.returns.return_without_receipt(
                    person, lines, reason, number, pin, method
                )
            )

        def approved(approval: tuple[str, str] | None) -> None:
            if approval is None or not done:
                return
            host(self).print_waiting()
            self.dismiss(credit_note_message(self, done[0]) or refund_message(done[0]))

        summary = [
            f"{stock_qty(line.qty_milli, line.unit)} × {line.name}  {format_kr(line.refund)}"
            for line in self.lines[:SUMMARY_LINES]
        ]
        if len(self.lines) > SUMMARY_LINES:
            summary.append(
                _("(and {count} more lines)").format(count=len(self.lines) - SUMMARY_LINES)
            )
        summary.append(refund_plan_text(self.plan()))
        title = _("Return without a receipt: {reason}").format(reason=reason)
        self.app.push_screen(ApprovalDialog(title, summary, act=act), approved)

    def action_cancel(self) -> None:
        self.dismiss(None)
