"""A return by receipt (F9): choose the lines, give the reason, a shift lead approves.

The rules (what is left to return, the reason, the shift lead's PIN, the refund) live in the
returns service; this dialog only chooses lines and quantities and collects the reason. The
shift lead sees what she approves (the lines, the amount and how it goes back), and the cashier
is told at the end how to pay it back: from the drawer, or on the card terminal.
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
from kassa_tui.selling.gift_card_sales import refuse_return
from kassa_tui.selling.pant import pant_after
from kassa_tui.selling.returns import ReturnDone, SoldReceipt
from screens import styles
from screens.dialogs.approval import ApprovalDialog
from screens.dialogs.gift_card_sale import (
    credit_note_chosen,
    credit_note_message,
    credit_note_method,
)
from screens.formatting import stock_qty
from screens.host import guarded, host, show_message

#: Lines the approval lists one by one; the rest are counted.
SUMMARY_LINES = 5
#: Lines a return dialog shows at a time (the cursor scrolls), so it fits 80×24.
TABLE_ROWS = 7


def refund_names() -> dict[str, str]:
    return {
        "cash": _("in cash"),
        "card": _("to the card"),
        "vipps": _("by Vipps"),
        "gift_card": _("back on the gift card"),
        "credit_note": _("back on the credit note"),
        "new_credit_note": _("on a new credit note"),
    }


def refund_message(done: ReturnDone) -> str:
    """What the cashier does with the money: from the drawer, or on the card terminal."""
    names = refund_names()
    parts = [f"{format_kr(amount)} {names.get(method, method)}" for method, amount in done.refunds]
    text = _("Return receipt {nr}: {total} back").format(
        nr=done.receipt_nr, total=format_kr(-done.total - done.rounding)
    )
    if parts:
        text += " (" + ", ".join(parts) + ")"
    text += "."
    if any(method == "cash" for method, _amount in done.refunds):
        text += " " + _("Give the cash from the drawer.")
    if any(method == "card" for method, _amount in done.refunds):
        text += " " + _("Refund the card amount on the card terminal now.")
    return text


def refund_plan_text(plan: list[tuple[str, int]]) -> str:
    names = refund_names()
    total = sum(amount for _method, amount in plan)
    parts = [f"{format_kr(amount)} {names.get(method, method)}" for method, amount in plan]
    return _("Refund {total}").format(total=format_kr(total)) + (
        f": {', '.join(parts)}" if parts else ""
    )


class ReturnDialog(ModalScreen[str | None]):
    """Pick the lines to return (F6, or a quantity then F6), give the reason, Enter; a shift
    lead approves."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [
        # Not priority bindings: a key the reason field does not use comes here after the
        # keys typed before it, so "1" then F6 at full speed still sees the "1".
        Binding("escape", "cancel", show=False),
        Binding("f6,ctrl+t", "choose_line", show=False),
        Binding("f7,ctrl+o", "credit_note", show=False),  # refund to a new credit note
        Binding("up", "cursor(-1)", show=False),
        Binding("down", "cursor(1)", show=False),
    ]

    def __init__(self, sold: SoldReceipt) -> None:
        super().__init__(classes="dialog")
        self.sold = sold
        self.chosen: dict[int, int] = {}  # line_nr → quantity to return (thousandths)
        self.method: str | None = None  # F7: the credit note method (a new one is issued)

    def compose(self) -> ComposeResult:
        sold = self.sold
        with Vertical(classes="dialog-box help-box"):
            yield Label(
                markup=False,
                classes="dialog-title",
                content=_("Return from receipt {nr} ({day} {time}, {total})").format(
                    nr=sold.receipt_nr,
                    day=f"{sold.local_date[8:10]}.{sold.local_date[5:7]}.{sold.local_date[:4]}",
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
                content=_(
                    "F6: choose a line (2 F6: only 2 of it) · F7: to a credit note · type the"
                    " reason · Enter: return · Esc: cancel"
                ),
            )

    def on_mount(self) -> None:
        self.query_one("#return-lines", DataTable).styles.max_height = TABLE_ROWS + 1
        self.fill()
        if not self.sold.returnable:
            self.show_message(_("Everything on this receipt has already been returned."))
        self.query_one("#return-reason", Input).focus()

    def fill(self) -> None:
        table = self.query_one("#return-lines", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        # The mark column is text, never markup (Rich would swallow "[x]"), and keeps its
        # width whatever is chosen.
        table.add_column(Text("   "), key="mark", width=3)
        table.add_columns(
            _("Item"),
            Text(_("Left"), justify="right"),
            Text(_("Return"), justify="right"),
            Text(_("Refund"), justify="right"),
        )
        for line in self.sold.lines:
            qty = self.chosen.get(line.line_nr)
            table.add_row(
                Text("[x]" if qty else "[ ]"),
                Text(line.name),
                Text(stock_qty(line.left_milli, line.unit), justify="right"),
                Text(stock_qty(qty, line.unit) if qty else "", justify="right"),
                Text(format_kr(line.refund(qty)) if qty else "", justify="right"),
            )
        if self.sold.lines:
            table.move_cursor(row=max(0, min(row, len(self.sold.lines) - 1)))

    def action_cursor(self, step: int) -> None:
        table = self.query_one("#return-lines", DataTable)
        table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    @guarded
    def action_choose_line(self) -> None:
        """F6 chooses the line with all that is left (or takes it back out); a quantity typed
        first chooses only that many."""
        if not self.sold.lines:
            return
        line = self.sold.lines[self.query_one("#return-lines", DataTable).cursor_row]
        field = self.query_one("#return-reason", Input)
        typed = field.value.strip()
        if line.left_milli <= 0:
            raise Refused(_("Nothing is left to return on that line."))
        refuse_return(line.group_code)  # a gift card sold stays on the card
        if typed and _looks_like_quantity(typed):
            qty = _quantity(typed)
            if qty > line.left_milli:
                raise Refused(
                    _("Only {left} of {name} can still be returned.").format(
                        left=stock_qty(line.left_milli, line.unit), name=line.name
                    )
                )
            if line.unit != "kg" and qty % QTY_ONE:
                raise Refused(_("{name} is sold in whole units.").format(name=line.name))
            field.value = ""
            self.chosen[line.line_nr] = qty
        elif line.line_nr in self.chosen:
            del self.chosen[line.line_nr]
        else:
            self.chosen[line.line_nr] = line.left_milli
        pant = pant_after(self.sold.lines, line)  # the drink's pant goes back with it
        if pant is not None and line.line_nr in self.chosen:
            self.chosen[pant.line_nr] = min(self.chosen[line.line_nr], pant.left_milli)
        elif pant is not None:
            self.chosen.pop(pant.line_nr, None)
        self.show_message("")
        self.fill()

    @guarded
    def action_credit_note(self) -> None:
        self.method = None if self.method else credit_note_method(self)
        self.show_message(credit_note_chosen(self.method is not None))

    def show_error(self, message: str) -> None:
        show_message(self, "#return-message", message, error=True)

    def show_message(self, message: str) -> None:
        show_message(self, "#return-message", message, error=False)

    def summary(self) -> list[str]:
        """What the shift lead approves: the lines, the amount and how it goes back."""
        chosen = [line for line in self.sold.lines if line.line_nr in self.chosen]
        shown = [
            f"{stock_qty(self.chosen[line.line_nr], line.unit)} × {line.name}"
            f"  {format_kr(line.refund(self.chosen[line.line_nr]))}"
            for line in chosen[:SUMMARY_LINES]
        ]
        if len(chosen) > SUMMARY_LINES:
            shown.append(_("(and {count} more lines)").format(count=len(chosen) - SUMMARY_LINES))
        plan = host(self).till.returns.plan(self.sold, self.chosen)
        if self.method:  # a new credit note: the whole refund, exact
            refund = sum(line.refund(self.chosen[line.line_nr]) for line in chosen)
            plan = [("new_credit_note", refund)]
        return [*shown, refund_plan_text(plan)]

    @on(Input.Submitted, "#return-reason")
    @guarded
    def submitted(self) -> None:
        reason = self.query_one("#return-reason", Input).value.strip()
        lines = sorted(self.chosen.items())
        if not lines:
            raise Refused(_("Choose the lines to return with F6."))
        if not reason:
            raise Refused(_("A return needs a reason."))
        person = host(self).person
        if person is None:
            raise Refused(_("Sign in first."))
        done: list[ReturnDone] = []

        def act(number: str, pin: str) -> None:
            done.append(
                host(self).till.returns.return_lines(
                    person, self.sold.receipt_nr, lines, reason, number, pin, self.method
                )
            )

        def approved(approval: tuple[str, str] | None) -> None:
            if approval is None or not done:
                return
            host(self).print_waiting()
            self.dismiss(credit_note_message(self, done[0]) or refund_message(done[0]))

        title = _("Return from receipt {nr}: {reason}").format(
            nr=self.sold.receipt_nr, reason=reason
        )
        self.app.push_screen(ApprovalDialog(title, self.summary(), act=act), approved)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _looks_like_quantity(text: str) -> bool:
    return all(ch.isdigit() or ch in ",." for ch in text) and any(ch.isdigit() for ch in text)


def _quantity(text: str) -> int:
    try:
        qty = parse_quantity(text)
    except InvalidQuantity as exc:
        raise Refused(_("{text} is not a quantity.").format(text=text)) from exc
    if qty <= 0:
        raise Refused(_("A quantity to return must be more than zero."))
    return qty
