"""The customer's age, asked at the first line of a sale with an age limit (beer, tobacco).

J (or Y) confirms that the customer is old enough; N or Esc takes the line off again. Enter
is not an answer, as in every yes-or-no question of the till: a scanner ends every code with
Enter, and the next scan must never confirm an age nobody checked.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Static

from kassa_tui.core.i18n import _
from screens.dialogs.confirm import ConfirmDialog


class AgeCheckDialog(ConfirmDialog):
    """Dismisses with True (J, Y: old enough) or False (N, Esc: take the line off)."""

    def __init__(self, age: int, name: str = "") -> None:
        question = _("Is the customer at least {age}? Ask for ID when in doubt.").format(age=age)
        super().__init__(
            _("Age limit {age}").format(age=age),
            f"{name}\n{question}" if name else question,
            "",
            id="age-check",
        )
        self.age = age

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(markup=False, content=self.title_text, classes="dialog-title")
            yield Static(markup=False, content=self.question, id="confirm-question")
            yield Static(
                markup=False,
                content=_("Y: at least {age} · N or Esc: take the line off").format(age=self.age),
                classes="dialog-help",
            )
