"""The receipts menu: a copy of a receipt, a provisional receipt, training mode on or off."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static

from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from screens import styles
from screens.dialogs.approval import ApprovalDialog
from screens.dialogs.numbered import NumberedOptions
from screens.host import guarded, host

#: What the menu answers for its Insight entry (issue 16), instead of a message to show.
OPEN_INSIGHT = "\x00insight"


class ReceiptsMenu(ModalScreen[str | None]):
    """A copy of a receipt (its number typed first), a provisional receipt, training mode."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, number_text: str) -> None:
        super().__init__(classes="dialog")
        self.number_text = number_text

    def compose(self) -> ComposeResult:
        training = host(self).till.receipts.training
        with Vertical(classes="dialog-box"):
            yield Label(markup=False, content=_("Receipts"), classes="dialog-title")
            yield NumberedOptions(
                ("copy", _("Copy of receipt {nr}").format(nr=self.number_text or "?")),
                ("provisional", _("Provisional receipt for this basket")),
                ("training", _("Training mode off") if training else _("Training mode on")),
                ("insight", _("Insight: sales and products (shift lead)")),
            )
            yield Static(markup=False, content="", classes="message", id="menu-message")
            yield Static(
                markup=False,
                content=_("Digit or arrows + Enter: choose · Esc: cancel"),
                classes="dialog-help",
            )

    def show_error(self, message: str) -> None:
        self.query_one("#menu-message", Static).update(message)

    @on(OptionList.OptionSelected)
    @guarded
    def chosen(self, event: OptionList.OptionSelected) -> None:
        app = host(self)
        person = app.person
        if person is None:
            raise Refused(_("Sign in first."))
        kinds = app.till.receipts
        if event.option.id == "copy":
            if not self.number_text.isdigit():
                raise Refused(_("Type the receipt number first, then the key."))
            kinds.copy(person, int(self.number_text))
            app.print_waiting()
            self.dismiss(_("Copy of receipt {nr} printed.").format(nr=self.number_text))
        elif event.option.id == "provisional":
            nr = kinds.provisional(person)
            app.print_waiting()
            self.dismiss(_("Provisional receipt {nr} printed.").format(nr=nr))
        elif event.option.id == "training":
            self.toggle_training()
        elif event.option.id == "insight":
            self.dismiss(OPEN_INSIGHT)  # the sale screen opens it: a dialog imports no screen

    def toggle_training(self) -> None:
        app = host(self)
        person = app.person
        assert person is not None
        kinds = app.till.receipts
        # What needs no PIN is checked before a shift lead is called over (issue 13, 14); the
        # service checks it again.
        if not app.till.baskets.current().empty:
            raise Refused(_("Finish or park the current sale first."))

        @guarded
        def apply(self: ReceiptsMenu, lead_person: object) -> None:
            if kinds.training:
                kinds.training_off(lead_person)  # type: ignore[arg-type]
                self.dismiss(_("Training mode is off."))
            else:
                kinds.training_on(lead_person)  # type: ignore[arg-type]
                self.dismiss(_("TRAINING MODE: receipts are not receipts for a purchase."))

        if person.is_shift_lead:
            apply(self, person)
            return

        def approved(approval: tuple[str, str] | None) -> None:
            if approval is not None:
                guarded(lambda screen: apply(screen, app.till.users.approver(*approval)))(self)

        self.app.push_screen(ApprovalDialog(_("Training mode")), approved)

    def on_key(self, event: events.Key) -> None:
        if self.query_one(NumberedOptions).pick(event):
            event.stop()

    def action_cancel(self) -> None:
        self.dismiss(None)
