"""Dialogs for a printer in trouble: a receipt that cannot print, and one that may have.

§ 2-6 (4): a sale is not concluded before its receipt is printed. The paid sale is safe in the
database; these dialogs keep the cashier from starting the next one and say what to do.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from kassa_tui.core.i18n import _
from kassa_tui.records.printqueue import Job
from screens import styles


class ReceiptStuckDialog(ModalScreen[bool]):
    """Shown while the last receipt waits for the printer; closes itself once it printed."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [
        Binding("enter", "retry", show=False),
        Binding("escape", "hide", show=False),
    ]

    def __init__(self, reason: str) -> None:
        super().__init__(classes="dialog")
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box trouble-box"):
            yield Label(
                markup=False, content=_("The receipt has not printed"), classes="dialog-title"
            )
            yield Static(markup=False, content=self.reason, id="trouble-reason")
            yield Static(
                markup=False,
                content=_(
                    "The sale is paid and saved. kassa prints the receipt by itself as soon as"
                    " the printer is ready; the next sale can start after that."
                ),
            )
            yield Static(
                markup=False,
                content=_("Enter: try now · Esc: hide this message"),
                classes="dialog-help",
            )

    def update_reason(self, reason: str) -> None:
        self.query_one("#trouble-reason", Static).update(reason)

    def action_retry(self) -> None:
        self.dismiss(True)

    def action_hide(self) -> None:
        self.dismiss(False)


class UncertainPrintDialog(ModalScreen[bool | None]):
    """A receipt was going out when kassa stopped or the connection to the printer broke.

    It may have printed whole, torn or not at all: only a person can see which.
    """

    CSS_PATH = styles.DIALOGS
    BINDINGS = [
        Binding("j,y", "answer(True)", show=False),
        Binding("n", "answer(False)", show=False),
    ]

    def __init__(self, job: Job) -> None:
        super().__init__(classes="dialog")
        self.job = job

    def compose(self) -> ComposeResult:
        nr = self.job.receipt_nr
        with Vertical(classes="dialog-box trouble-box"):
            yield Label(
                markup=False,
                content=_("Did receipt {nr} print?").format(nr=nr),
                classes="dialog-title",
            )
            yield Static(
                markup=False,
                content=_(
                    "Receipt {nr} was going to the printer when kassa lost contact with it (the"
                    " connection broke, or kassa stopped). Look at the printer: if the whole"
                    " receipt came out, answer J (yes). If not, answer N (no) and it is printed"
                    " again."
                ).format(nr=nr),
            )
            yield Static(
                markup=False,
                content=_("J: yes, it printed · N: no, print it"),
                classes="dialog-help",
            )

    def action_answer(self, printed: bool) -> None:
        self.dismiss(printed)
