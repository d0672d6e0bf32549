"""The entry line: the verb's argument. Type a number, then the key that says what it means.

Keys are handled inside the input, in the order they arrive: a scanner types a whole code and
Enter faster than messages travel, so '3*', Enter and the F-keys take the value *as it is at that
key* and clear the line at once. Handling them anywhere else would race with the next scan.
"""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import Input

from screens.key_queue import Receiver, covered, hand_on


class EntryLine(Input):
    """Input that turns Enter, '*' and the bound command keys into messages with their value."""

    class Command(Message):
        """A command key was pressed; `value` is what had been typed before it."""

        def __init__(self, action: str, value: str) -> None:
            super().__init__()
            self.action = action
            self.value = value

    class Quantity(Message):
        """'*' was pressed after a number: the quantity for the next item."""

        def __init__(self, value: str) -> None:
            super().__init__()
            self.value = value

    def __init__(self, *, id: str | None = None, placeholder: str = "") -> None:
        super().__init__(id=id, placeholder=placeholder, max_length=40)
        self.commands: dict[str, str] = {"enter": "enter", "up": "cursor_up", "down": "cursor_down"}
        #: The screen's receiver: runs a command at once, so a key behind it that opens a
        #: dialog finds the dialog there (screens/key_queue.py). None: posted as messages.
        self.receiver: Receiver | None = None

    def bind_commands(
        self, keymap: dict[str, str], shown: dict[str, str], labels: dict[str, str]
    ) -> None:
        """Take over the command keys; the bindings only tell the key bar what they are.

        `shown` names the actions the key bar lists, most important first, with their short
        words; `labels` how it writes each action's key.
        """
        for action, keys in keymap.items():
            for key in keys.split(","):
                self.commands[key] = action
                # The Input's own binding of that key (Ctrl+E: end of line) never runs now;
                # left in place it would hide the command from the key bar.
                self._bindings.key_to_bindings.pop(key, None)
        for action in [*shown, *(a for a in keymap if a not in shown)]:
            self._bindings.bind(
                keymap[action],
                f"command('{action}')",
                shown.get(action, ""),
                show=action in shown,
                key_display=labels[action],
            )
        self.refresh_bindings()

    def take(self) -> str:
        value = self.value
        self.value = ""
        return value

    def action_command(self, action: str) -> None:
        self.send(self.Command(action, self.take()))

    def send(self, message: Message) -> None:
        if self.receiver is not None:
            self.receiver(message)
        else:
            self.post_message(message)

    async def _on_key(self, event: events.Key) -> None:
        if covered(self):
            # Sent before the dialog on top was there (a burst: F6 3): the dialog's key.
            event.stop()
            event.prevent_default()
            hand_on(self, event)
            return
        action = next(
            (self.commands[k] for k in (event.key, *event.aliases) if k in self.commands), None
        )
        if action is not None:
            event.stop()
            event.prevent_default()
            self.action_command(action)
            return
        if event.key == "escape":
            # Esc forgets what was typed and a pending quantity: nothing half-typed survives.
            event.stop()
            event.prevent_default()
            self.send(self.Command("clear", self.take()))
            return
        if event.character == "*":
            event.stop()
            event.prevent_default()
            self.send(self.Quantity(self.take()))
            return
        await super()._on_key(event)
