"""A list of numbered choices: the pattern every dialog with choices follows.

Each option shows its digit ("1. Waste"); typing the digit picks it as the arrows and Enter
would, so a cashier who knows the menu never needs the arrows.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class NumberedOptions(OptionList):
    """Options numbered from 1; a digit selects its option (posts OptionSelected)."""

    def __init__(self, *choices: tuple[str, str], id: str | None = None) -> None:
        """`choices` are (id, label) pairs, numbered in the order given (at most nine)."""
        super().__init__(
            *[
                Option(Text(f"{number}. {label}"), id=option_id)
                for number, (option_id, label) in enumerate(choices, start=1)
            ],
            id=id,
        )

    def on_key(self, event: events.Key) -> None:
        if self.pick(event):
            event.stop()
            event.prevent_default()

    def pick(self, event: events.Key) -> bool:
        """Select the option of a digit key; True when the key was a digit (a digit without an
        option rings the bell). A dialog also hands it the digits that reach the dialog
        itself, typed before the list had the focus."""
        character = event.character
        if character is None or not character.isdigit():
            return False
        number = int(character)
        if 1 <= number <= self.option_count and not self.get_option_at_index(number - 1).disabled:
            self.highlighted = number - 1
            self.action_select()
        else:
            self.app.bell()
        return True
