"""A yes-or-no question before something a cashier would not do on purpose (a quantity far above
the usual, quitting with a sale open). J or Y says yes; Esc or N says no.

Enter is not a yes: a scanner ends every code with Enter, and a scan arriving while the
question is up must not answer it.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from kassa_tui.core.i18n import _
from screens import styles


class ConfirmDialog(ModalScreen[bool]):
    """Dismisses with True (J, Y) or False (Esc, N); other keys, Enter too, change nothing."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [Binding("escape", "answer(False)", show=False)]

    def __init__(self, title: str, question: str, yes: str, *, id: str | None = None) -> None:
        """`yes` says what the answer yes does ("use 1 233", "quit kassa")."""
        super().__init__(classes="dialog", id=id)
        self.title_text = title
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(markup=False, content=self.title_text, classes="dialog-title")
            yield Static(markup=False, content=self.question, id="confirm-question")
            yield Static(
                markup=False,
                content=_("Y: {yes} · N or Esc: no").format(yes=self.yes),
                classes="dialog-help",
            )

    def on_key(self, event: events.Key) -> None:
        answer = {"j": True, "y": True, "n": False}.get((event.character or "").lower())
        if answer is not None:
            event.stop()
            self.dismiss(answer)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
