"""Signing in, and unlocking a locked till (the same user or a shift lead)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Label, Static

from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.people.person import Person
from kassa_tui.sync.no_pin import no_pin_text
from screens import styles
from screens.host import guarded, host
from screens.widgets.keybar import KeyBar
from screens.widgets.pinfield import NumberAndPin


class SignInScreen(Screen[Person]):
    """User number and PIN. With `locked_for`, it is the lock screen of that user's session."""

    CSS_PATH = styles.SIGNIN
    AUTO_FOCUS = "#signin-field"

    def __init__(self, locked_for: Person | None = None) -> None:
        super().__init__(id="signin-screen")
        self.locked_for = locked_for

    def compose(self) -> ComposeResult:
        config = host(self).till.config
        with Center(), Vertical(id="signin-box"):
            yield Label(markup=False, content=config.shop_name, id="signin-shop")
            yield Label(
                markup=False, content=_("Register {register}").format(register=config.register_id)
            )
            if self.locked_for:
                title = _("Locked. {name} or a shift lead can unlock.").format(
                    name=self.locked_for.name
                )
            else:
                title = _("Sign in")
            yield Label(markup=False, content=title, id="signin-title")
            yield NumberAndPin(_("User number, then Enter"), id="signin-field", escape_clears=True)
            yield Static(markup=False, content="", id="signin-message", classes="message")
            yield Static(
                markup=False,
                content=_("User number, Enter, PIN, Enter · Esc: start again"),
                classes="dialog-help",
            )
        yield KeyBar()

    def help_rows(self) -> list[tuple[str, str, str]]:
        """The help (F1) of signing in and unlocking."""
        return [
            (_("Enter"), _("Take the user number, then the PIN"), _("user number, then PIN")),
            ("Esc", _("Clear what was typed and start again"), ""),
            ("F1", _("Help: all keys"), ""),
            ("^Q", _("Quit kassa (asks when a sale is open)"), ""),
        ]

    def show_error(self, message: str) -> None:
        self.query_one("#signin-message", Static).update(message)

    @on(NumberAndPin.Entered)
    @guarded
    def entered(self, event: NumberAndPin.Entered) -> None:
        users = host(self).till.users
        if self.locked_for:
            users.unlock(self.locked_for, event.number, event.pin)
            self.dismiss(self.locked_for)
        else:
            try:
                person = users.sign_in(event.number, event.pin)
            except Refused:
                hint = no_pin_text(host(self).till.db, event.number)  # published without a PIN
                if hint is None or users.wait_left():
                    raise
                raise Refused(hint) from None
            self.dismiss(person)
