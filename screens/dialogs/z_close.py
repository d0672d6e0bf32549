"""Before the Z: the cash count (or an explicit "not counted"), then a confirmation.

The Z closes the business day for good, so it never follows from one key: the shift lead sees
what it will close and presses Z to take it; Esc, or any other key, takes none.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from kassa_tui.core.i18n import N_, _
from screens import styles
from screens.widgets.keybar import plain

COUNT, NOT_COUNTED = "count", "not counted"


def shown(node: DOMNode, text: str) -> str:
    """`text` as the screen can draw it: ASCII on the Linux console."""
    return plain(text) if getattr(node.app, "plain_console", False) else text


class CountFirstDialog(ModalScreen[str | None]):
    """No cash count since the last Z: count now (C), or take it "not counted" (N)."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self) -> None:
        super().__init__(classes="dialog")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(markup=False, content=_("Z report: cash count"), classes="dialog-title")
            yield Static(
                markup=False,
                content=_(
                    "The drawer has not been counted since the last Z. Count it now, or take"
                    " the Z with the cash shown as not counted."
                ),
            )
            yield Static(
                markup=False,
                content=shown(self, _("C: count the cash · N: not counted · Esc: cancel")),
                classes="dialog-help",
            )

    def on_key(self, event: events.Key) -> None:
        choice = {"c": COUNT, "n": NOT_COUNTED}.get((event.character or "").lower())
        if choice is not None:
            event.stop()
            self.dismiss(choice)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmZDialog(ModalScreen[bool]):
    """What the Z will close; Z takes it, Esc takes none."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, summary: str) -> None:
        super().__init__(classes="dialog")
        self.summary = summary

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(markup=False, content=_("Take the Z report?"), classes="dialog-title")
            yield Static(markup=False, content=self.summary, id="z-summary")
            yield Static(
                markup=False,
                content=shown(self, _("Z: take the Z and close the day · Esc: cancel")),
                classes="dialog-help",
            )

    def on_key(self, event: events.Key) -> None:
        if (event.character or "").lower() == "z":
            event.stop()
            self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
