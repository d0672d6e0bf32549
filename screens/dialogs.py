"""Modal dialogs that return a value: approval, discount reason, parked sales, help.

Each is a `ModalScreen[T]`; Esc always dismisses with None and changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, OptionList, Static
from textual.widgets.option_list import Option

from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr
from kassa_tui.selling.basket import Parked
from screens.pinfield import NumberAndPin

CSS_PATH = Path(__file__).with_name("dialogs.tcss")


class ApprovalDialog(ModalScreen[tuple[str, str] | None]):
    """A shift lead's number and PIN, taken on the spot; the cashier stays signed in."""

    CSS_PATH = CSS_PATH
    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, reason: str) -> None:
        super().__init__(classes="dialog")
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(markup=False, content=_("Shift lead approval"), classes="dialog-title")
            yield Static(markup=False, content=self.reason)
            yield NumberAndPin(_("Shift lead number, then Enter"), id="approver-field")
            yield Static(
                markup=False,
                content=_("Number, Enter, PIN, Enter: approve · Esc: cancel"),
                classes="dialog-help",
            )

    def on_number_and_pin_entered(self, event: NumberAndPin.Entered) -> None:
        self.dismiss((event.number, event.pin))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReasonDialog(ModalScreen[str | None]):
    """Pick why a discount is given (the reason is journaled and printed)."""

    CSS_PATH = CSS_PATH
    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, title: str, reasons: tuple[str, ...]) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.reasons = reasons

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(markup=False, content=self.title_text, classes="dialog-title")
            yield OptionList(
                *[
                    Option(Text(f"{i}. {r}"), id=str(i - 1))
                    for i, r in enumerate(self.reasons, start=1)
                ]
            )
            yield Static(
                markup=False,
                content=_("Digit or arrows + Enter: choose · Esc: cancel"),
                classes="dialog-help",
            )

    def on_key(self, event: object) -> None:
        character = getattr(event, "character", None)
        if character and character.isdigit() and 1 <= int(character) <= len(self.reasons):
            self.dismiss(self.reasons[int(character) - 1])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.reasons[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)


class ParkedDialog(ModalScreen[str | None]):
    """Choose a parked sale to resume."""

    CSS_PATH = CSS_PATH
    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, parked: list[Parked]) -> None:
        super().__init__(classes="dialog")
        self.parked = parked

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(markup=False, content=_("Parked sales"), classes="dialog-title")
            yield OptionList(
                *[
                    Option(
                        Text(
                            _("{time}  {lines} lines  {total}  {name}").format(
                                time=p.parked_local,
                                lines=p.lines,
                                total=format_kr(p.total),
                                name=p.user_name,
                            )
                        ),
                        id=p.uuid,
                    )
                    for p in self.parked
                ]
            )
            yield Static(
                markup=False,
                content=_("Arrows + Enter: resume · Esc: cancel"),
                classes="dialog-help",
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class HelpDialog(ModalScreen[None]):
    """The whole key map of the sale screen (F1)."""

    CSS_PATH = CSS_PATH
    BINDINGS = [Binding("escape,f1,enter", "close", _("Close"))]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__(classes="dialog")
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box help-box"):
            yield Label(markup=False, content=_("Keys"), classes="dialog-title")
            table: DataTable[str] = DataTable(cursor_type="none", zebra_stripes=True)
            table.add_columns(_("Key"), _("Does"), _("Type first"))
            for row in self.rows:
                table.add_row(*row)
            yield table
            yield Static(markup=False, content=_("Esc: close"), classes="dialog-help")

    def action_close(self) -> None:
        self.dismiss(None)
