"""The entry line: the verb's argument. Type a number, then the key that says what it means.

Keys are handled inside the input, in the order they arrive: a scanner types a whole code and
Enter faster than messages travel, so '3*', Enter and the F-keys take the value *as it is at that
key* and clear the line at once. Handling them anywhere else would race with the next scan.
"""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import Input


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

    def bind_commands(
        self, keymap: dict[str, str], footer: dict[str, str], labels: dict[str, str]
    ) -> None:
        """Take over the command keys; the bindings only tell the Footer what they are.

        `footer` names the actions shown there, in order, with their short words.
        """
        for action, keys in keymap.items():
            for key in keys.split(","):
                self.commands[key] = action
        for action in [*footer, *(a for a in keymap if a not in footer)]:
            self._bindings.bind(
                keymap[action],
                f"command('{action}')",
                footer.get(action, ""),
                show=action in footer,
                key_display=labels[action],
            )

    def take(self) -> str:
        value = self.value
        self.value = ""
        return value

    def action_command(self, action: str) -> None:
        self.post_message(self.Command(action, self.take()))

    async def _on_key(self, event: events.Key) -> None:
        action = next(
            (self.commands[k] for k in (event.key, *event.aliases) if k in self.commands), None
        )
        if action is not None:
            event.stop()
            event.prevent_default()
            self.action_command(action)
            return
        if event.character == "*":
            event.stop()
            event.prevent_default()
            self.post_message(self.Quantity(self.take()))
            return
        await super()._on_key(event)
