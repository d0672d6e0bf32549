"""The Textual App: composes the screens with the till's services and devices; no rules here.

Printing runs in a thread worker so a slow or silent printer never freezes the screen; the
result comes back as a call on the UI thread.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from time import monotonic

from textual import events
from textual.app import App
from textual.binding import Binding

import screens
from devices.printer import ReceiptPrinter, open_printer
from devices.spooler import SpoolResult, print_pending
from kassa_tui.config import Config
from kassa_tui.errors import Stopped
from kassa_tui.i18n import _
from kassa_tui.journal import Event
from kassa_tui.services import Till, open_till
from kassa_tui.users import Person
from screens.sale import SaleScreen
from screens.signin import SignInScreen

log = logging.getLogger("kassa.app")
PRINT_RETRY_SECONDS = 10.0


class KassaApp(App[None]):
    """The till on one register."""

    TITLE = "kassa"
    CSS_PATH = Path(screens.__file__).with_name("console.tcss")
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", show=False, priority=True)]

    def __init__(
        self,
        till: Till,
        printer: ReceiptPrinter,
        *,
        read_only: bool = False,
        console: bool = False,
    ) -> None:
        super().__init__(ansi_color=console)
        self.till = till
        self.printer = printer
        self.read_only = read_only
        self.plain_console = console
        self.person: Person | None = None
        self.locked = False
        self.last_activity = monotonic()
        self.sale_screen = SaleScreen()
        self.crashed = ""
        self.printer_status: tuple[str, bool] = ("", True)

    def on_mount(self) -> None:
        if self.plain_console:
            self.theme = "ansi-dark"
        self.till.app_started(read_only=self.read_only)
        # The sign-in screen paints first; the sale screen is built once someone signs in,
        # which keeps the cold start short on a Pi.
        if self.read_only:
            self.push_screen(self.sale_screen)
        else:
            self.push_screen(self._sign_in_screen(), self.signed_in)
        self.set_interval(5.0, self.lock_if_idle)
        self.print_waiting()

    def _sign_in_screen(self, locked_for: Person | None = None) -> SignInScreen:
        return SignInScreen(locked_for)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.last_activity = monotonic()
        await super().on_event(event)

    def _handle_exception(self, error: Exception) -> None:
        """A bug must never paint a traceback on the cashier's screen: log it, stop cleanly."""
        log.error("unexpected error; the till stops", exc_info=error)
        self.crashed = f"{type(error).__name__}: {error}"
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        # Textual would render a traceback with locals here; the log has it instead.
        self.bell()
        self._close_messages_no_wait()

    # -- people -------------------------------------------------------------------------------

    def signed_in(self, person: Person | None) -> None:
        if person is None:
            return
        self.person = person
        self.locked = False
        self.last_activity = monotonic()
        if not self.sale_screen.is_attached:
            self.push_screen(self.sale_screen)  # its on_mount shows the basket
        else:
            self.sale_screen.reload()
        self.sale_screen.call_after_refresh(
            self.sale_screen.show_info, _("Welcome, {name}.").format(name=person.name)
        )

    def unlocked(self, person: Person | None) -> None:
        self.locked = False
        self.last_activity = monotonic()
        self.sale_screen.reload()

    def sign_out(self) -> None:
        if self.person is None or self.locked:
            return
        self.till.users.sign_out(self.person)
        self.person = None
        self.sale_screen.reload()
        self.push_screen(self._sign_in_screen(), self.signed_in)

    def lock(self) -> None:
        if self.person is None or self.locked or self.read_only:
            return
        with self.till.db.atomic("IMMEDIATE"):
            self.till.journal.write(Event.LOCK, user=self.person.number)
        self.locked = True
        self.push_screen(self._sign_in_screen(self.person), self.unlocked)

    def lock_if_idle(self) -> None:
        idle = self.till.config.idle_lock_seconds
        if idle and self.person and not self.locked and monotonic() - self.last_activity > idle:
            self.lock()

    # -- printing -----------------------------------------------------------------------------

    def print_waiting(self) -> None:
        """Drain the print queue in a thread; a failure leaves jobs queued and retries.

        A read-only view never prints: the selling till owns the queue.
        """
        if self.read_only:
            return
        self.run_worker(self._print_in_thread, thread=True, exclusive=True, group="print")

    def _print_in_thread(self) -> None:
        try:
            result = print_pending(self.till.print_queue, self.printer, self.till.config.printer)
        except Exception as exc:  # a bug in rendering must not kill the till
            log.exception("printing failed")
            result = SpoolResult(0, 1, str(exc))
        finally:
            self.till.db.close()
        self.call_from_thread(self.printed, result)

    def printed(self, result: SpoolResult) -> None:
        if result.error:
            self.printer_status = (_("PRINTER: {error}").format(error=result.error), False)
            self.set_timer(PRINT_RETRY_SECONDS, self.print_waiting)
        else:
            self.printer_status = (_("Printer OK"), True)
        if not self.sale_screen.is_mounted:
            return  # the sale screen shows printer_status when it mounts
        self.sale_screen.set_printer_status(*self.printer_status)
        if result.error:
            self.sale_screen.show_error(
                _(
                    "The printer failed: {n} receipt(s) wait in the queue. Check paper and cable;"
                    " kassa retries by itself."
                ).format(n=result.waiting)
            )


def use_console_theme(config: Config) -> bool:
    """The Pi's Linux console has 16 colours and few glyphs: use the ANSI theme there."""
    if config.console_theme == "auto":
        return os.environ.get("TERM", "") == "linux"
    return config.console_theme == "on"


def run_app(config: Config, *, read_only: bool = False) -> None:
    till = open_till(config)
    app = KassaApp(
        till, open_printer(config.printer), read_only=read_only, console=use_console_theme(config)
    )
    try:
        app.run()
    finally:
        till.app_stopped()
    if app.crashed:
        raise TillStopped(app.crashed, config.log_file)


class TillStopped(Stopped):
    """The till stopped on an unexpected error; the details are in the log file."""

    def __init__(self, reason: str, log_file: object) -> None:
        super().__init__(
            f"the till stopped: {reason}. Details are in {log_file}. Every sale confirmed on"
            " screen is saved; start kassa again."
        )
