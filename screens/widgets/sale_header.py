"""The sale screen's top line: shop and register, who is signed in, the scanner and the printer."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label

from kassa_tui.core.i18n import _
from kassa_tui.people.person import Person


class SaleHeader(Horizontal):
    """A device in trouble shows as an error (red) in the header."""

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title_text = title

    def compose(self) -> ComposeResult:
        yield Label(markup=False, content=_("TRAINING"), id="sale-training")
        yield Label(markup=False, content=self.title_text, id="sale-shop")
        yield Label(markup=False, content="", id="sale-user")
        scanner = Label(markup=False, content="", id="sale-scanner")
        scanner.display = False  # shown once the till has a scanner to speak of (an empty
        yield scanner  # label's padding took the room the register's ID needs at 80 columns)
        yield Label(markup=False, content="", id="sale-printer")
        sync = Label(markup=False, content="", id="sale-sync")
        sync.display = False  # a till without a head office shows nothing of it
        yield sync

    def show_person(self, person: Person | None) -> None:
        self.query_one("#sale-user", Label).update(
            f"{person.name} ({person.number})" if person else ""
        )

    def show_training(self, on: bool) -> None:
        """Training mode: a word at the start of the line (the colour comes from the App)."""
        self.query_one("#sale-training", Label).display = on

    def show_scanner(self, connected: bool) -> None:
        label = self.query_one("#sale-scanner", Label)
        label.update(_("Scanner OK") if connected else _("Scanner: no"))
        label.display = True
        label.set_class(not connected, "error")

    def show_printer(self, text: str, ok: bool) -> None:
        label = self.query_one("#sale-printer", Label)
        label.update(text)
        label.set_class(not ok, "error")

    def show_sync(self, text: str, ok: bool) -> None:
        """The head office: last contact, rows waiting (kassa_tui.sync.status); red on alert."""
        label = self.query_one("#sale-sync", Label)
        label.update(text)
        label.display = bool(text)
        label.set_class(not ok, "error")
