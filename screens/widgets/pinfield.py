"""A number-then-PIN field in one input, so keys typed fast never land in the wrong box.

With two inputs, Enter moves focus after a message round trip, and the PIN digits typed right
after it can still reach the number box. One input that changes meaning on Enter cannot race.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Input

from kassa_tui.core.i18n import _


class NumberAndPin(Input):
    """First Enter takes the user number, the second the PIN; then posts `Entered`."""

    class Entered(Message):
        def __init__(self, number: str, pin: str) -> None:
            super().__init__()
            self.number = number
            self.pin = pin

    def __init__(
        self, number_label: str, *, id: str | None = None, escape_clears: bool = False
    ) -> None:
        """With `escape_clears`, Esc also forgets a half-typed number (the sign-in and lock
        screens, where Esc has nothing else to do); without, Esc there is left to the dialog
        (to cancel it)."""
        super().__init__(placeholder=number_label, id=id, max_length=8, restrict=r"\d*")
        self.number_label = number_label
        self.number = ""
        self.escape_clears = escape_clears

    @property
    def _value(self) -> Text:
        # Textual hides a PIN as "•", which the Linux console's font lacks: stars there.
        if self.password and getattr(self.app, "plain_console", False):
            return Text("*" * len(self.value), no_wrap=True, overflow="ignore", end="")
        return super()._value

    def reset(self) -> None:
        self.number = ""
        self.value = ""
        self.password = False
        self.placeholder = self.number_label

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.submit_stage()
            return
        if event.key == "escape" and (self.number or (self.escape_clears and self.value)):
            event.stop()
            self.reset()
            return
        await super()._on_key(event)

    def submit_stage(self) -> None:
        value, self.value = self.value, ""
        if not self.number:
            if not value:
                return
            self.number = value
            self.password = True
            self.placeholder = _("PIN for user {number}").format(number=value)
            return
        number = self.number
        self.reset()
        self.post_message(self.Entered(number, value))
