"""The Textual App: composes the screens with the till's services and devices; no rules here.

Printing runs in a thread worker so a slow or silent printer never freezes the screen; the
result comes back as a call on the UI thread.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from time import monotonic
from typing import TYPE_CHECKING

from textual import events
from textual.app import App
from textual.binding import Binding

from devices.printer import PrinterStatus, ReceiptPrinter, open_printer
from devices.scanner import OpenDevice, ScannerReader
from devices.spooler import print_pending
from kassa_tui.composition import Till, open_till
from kassa_tui.config import Config, ScannerSettings
from kassa_tui.core.errors import Stopped
from kassa_tui.core.i18n import _
from kassa_tui.people.person import Person
from kassa_tui.records.spooling import SpoolResult, state_text
from screens import console_keys, key_queue, styles
from screens.dialogs.confirm import ConfirmDialog
from screens.dialogs.help import HelpDialog, help_for
from screens.dialogs.trouble import UncertainPrintDialog
from screens.sale import SaleScreen
from screens.signin import SignInScreen

if TYPE_CHECKING:
    from kassa_tui.sync.child import SyncChild

log = logging.getLogger("kassa.app")
STATUS_POLL_SECONDS = 2.0
#: How often the till looks for planned prices that are due (one indexed query when none is).
PRICE_SWITCH_SECONDS = 5.0
#: How often the App looks whether the till is idle (a large catalog revision waits for it).
IDLE_CHECK_SECONDS = 2.0
#: The sale screen's keys a read-only view keeps: it looks things up, nothing else.
READ_ONLY_ACTIONS = frozenset({"help", "price_lookup", "stock_lookup"})


class KassaApp(App[None]):
    """The till on one register."""

    TITLE = "kassa"
    CSS_PATH = [styles.CONSOLE, styles.TRAINING]
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", show=False, priority=True)]

    def __init__(
        self,
        till: Till,
        printer: ReceiptPrinter,
        *,
        read_only: bool = False,
        console: bool = False,
        scanner: ScannerReader | None = None,
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
        self.print_failures = 0
        self.print_lock = threading.Lock()
        self.polling = False
        self.poll_again = False
        self.drawer_state = "unknown"
        self.scanner_status: tuple[str, str] = ("", "")
        self.sync_status: tuple[str, bool] = ("", True)
        self.syncing = False
        self.sync_child: SyncChild | None = None
        self.scanner = scanner
        self.retired = False  # signed out for good: the app writes nothing (kassa register retire)

    def _warm_holidays(self) -> None:
        """The beer hours' holiday calendar, loaded off the UI thread after the first paint."""
        from kassa_tui.selling import beer_hours

        try:
            beer_hours.warm(self.till.clock.now().local.year)
        except Exception:  # only a head start: the first beer scanned loads it anyway
            log.exception("loading the holiday calendar failed")

    def on_mount(self) -> None:
        if self.plain_console:
            self.theme = "ansi-dark"
        # F1 on every screen, dialogs too (a priority binding reaches past a modal screen).
        self._bindings.bind("f1,ctrl+g", "help", _("Help"), key_display="F1", priority=True)
        self.show_training()
        if not self.read_only and self._start_retired():
            return
        if self.read_only:
            # The selling kassa's start and stop are the register's: a view journals neither.
            self.till.baskets.read_only = True
        else:
            self.till.app_started()
        # The sign-in screen paints first; the sale screen is built once someone signs in,
        # which keeps the cold start short on a Pi.
        if self.read_only:
            self.push_screen(self.sale_screen)
        else:
            self.push_screen(self._sign_in_screen(), self.signed_in)
        self.set_interval(5.0, self.lock_if_idle)
        if not self.read_only:
            self.switch_planned_prices()  # planned prices: at start, then within the minute
            self.set_interval(PRICE_SWITCH_SECONDS, self.switch_planned_prices)
        self.set_interval(STATUS_POLL_SECONDS, self.poll_devices)
        self.poll_devices()
        self.run_worker(self._warm_holidays, thread=True, group="warm")
        self.print_waiting()
        hq = self.till.config.hq
        if hq is not None and not self.read_only:  # the head office: a child process pushes
            self.push_to_hq()  # starts it (kassa_tui.sync.child); it keeps the interval
            self.set_interval(IDLE_CHECK_SECONDS, self.report_idle)
        if self.scanner is not None:
            self.scanner.start()

    def _start_retired(self) -> bool:
        """A register signed out for good starts to a screen saying so and writes nothing."""
        from kassa_tui.records.retirement import retired, retired_text
        from screens.retired import RetiredScreen

        found = retired(self.till.db, self.till.config.register_id)
        if found is None:
            return False
        self.retired = True
        self.push_screen(RetiredScreen(retired_text(found)))
        return True

    def on_unmount(self) -> None:
        if self.scanner is not None:
            self.scanner.stop()
        if self.sync_child is not None:  # it would notice the App gone anyway (its stdin)
            self.sync_child.stop()

    # -- the evdev scanner: its thread only calls these through call_from_thread ------------

    def scan_from_thread(self, code: str) -> None:
        self.call_from_thread(self.scanned, code)

    def scanner_state_from_thread(self, state: str, message: str) -> None:
        self.call_from_thread(self.scanner_state, state, message)

    def scanned(self, code: str) -> None:
        """A code from the evdev scanner: the same as typing it and Enter on the sale screen."""
        self.last_activity = monotonic()
        if self.sync_child is not None:  # busy: a large catalog revision must wait
            self.sync_child.tell_idle(False)
        take = getattr(self.screen, "take_scanned_code", None)
        if self.person is not None and not self.locked and callable(take):
            take(code)  # a form that asks for codes (screens/dialogs/campaign_form.py)
            return
        if self.person is None or self.locked or self.screen is not self.sale_screen:
            self.bell()
            log.info("scan %s ignored: the sale screen is not in front", code)
            return
        self.sale_screen.do_enter(code)

    def scanner_state(self, state: str, message: str) -> None:
        if state == self.scanner_status[0] or not self.is_running:
            return  # the reader reports every retry; the screen needs only the change
        log.info("scanner %s: %s", state, message)
        self.scanner_status = (state, message)
        if self.sale_screen.is_mounted:
            self.sale_screen.set_scanner_status(state, message)

    def _sign_in_screen(self, locked_for: Person | None = None) -> SignInScreen:
        return SignInScreen(locked_for)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.last_activity = monotonic()
            if self.sync_child is not None:  # busy: a large catalog revision must wait
                self.sync_child.tell_idle(False)
            if self.read_only and self.refused_in_read_only(event):
                return
            if not event.is_forwarded and key_queue.held(self, event):
                return  # keys sent before a dialog opened are still on their way to it
        await super().on_event(event)

    def refused_in_read_only(self, key: events.Key) -> bool:
        """A read-only view answers a sale screen key it cannot do (pay, park, day close …) with
        why, instead of running it ("sign in first" would send the cashier the wrong way)."""
        if self.screen is not self.sale_screen:
            return False
        pressed = {key.key, *key.aliases}
        for action, keys in self.till.config.keys.items():
            if action not in READ_ONLY_ACTIONS and pressed & set(keys.split(",")):
                key.stop()
                key.prevent_default()
                self.sale_screen.show_error(
                    _("This is a read-only view: the till is running elsewhere.")
                )
                return True
        return False

    def _handle_exception(self, error: Exception) -> None:
        """A bug must never paint a traceback on the cashier's screen: log it, stop cleanly."""
        log.error("unexpected error; the till stops", exc_info=error)
        self.crashed = f"{type(error).__name__}: {error}"
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        # Textual would render a traceback with locals here; the log has it instead.
        self.bell()
        self._close_messages_no_wait()

    # -- keys every screen has ---------------------------------------------------------------

    def action_help(self) -> None:
        """F1: the keys of the screen in front; F1 again closes them."""
        if isinstance(self.screen, HelpDialog):
            self.screen.dismiss(None)
            return
        self.push_screen(help_for(self.screen))

    async def action_quit(self) -> None:
        """Ctrl+Q: quit, but ask first when a sale is open (it would survive, but the cashier
        may not mean it)."""
        if any(screen.id == "quit-question" for screen in self.screen_stack):
            return
        lines = 0 if self.read_only else len(self.till.baskets.current().priced.lines)
        if not lines:
            self.exit()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        question = _(
            "A sale is open (lines: {lines}). It stays and comes back at the next start. Quit?"
        ).format(lines=lines)
        dialog = ConfirmDialog(_("Quit kassa"), question, _("quit"), id="quit-question")
        self.push_screen(dialog, answered)

    def show_training(self) -> None:
        """Training mode shows on every screen: the one place that sets the App's `-training`
        class (the key bar's banner, the colours in training.tcss)."""
        self.set_class(self.till.receipts.training, "-training")

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
        self.ask_about_uncertain_receipts()

    def ask_about_uncertain_receipts(self) -> None:
        """Receipts that may have printed (kassa stopped, or the printer's connection broke while
        one went out): a person looks at the paper and says. Nothing else prints until then.
        """
        if self.person is None or self.locked:
            return  # asked at sign-in or unlock: the answer is journaled with who gave it
        if any(isinstance(screen, UncertainPrintDialog) for screen in self.screen_stack):
            return
        jobs = self.till.print_queue.uncertain()
        if not jobs:
            return
        job, user = jobs[0], self.person.number

        def answered(printed: bool | None) -> None:
            if printed is not None:
                self.till.print_queue.resolve_uncertain(job, printed=printed, user=user)
            self.print_waiting()
            self.ask_about_uncertain_receipts()

        self.push_screen(UncertainPrintDialog(job), answered)

    def unlocked(self, person: Person | None) -> None:
        self.locked = False
        self.last_activity = monotonic()
        self.sale_screen.reload()
        self.ask_about_uncertain_receipts()

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
        self.till.users.lock(self.person)
        self.locked = True
        self.push_screen(self._sign_in_screen(self.person), self.unlocked)

    def switch_planned_prices(self) -> None:
        """Planned prices that are due take effect (journaled 13021), on the till's clock."""
        from kassa_tui.stock.planned_prices import switch_due

        try:
            switch_due(self.till.db, self.till.journal, self.till.clock)
        except Exception:  # a busy database: the next tick tries again
            log.exception("planned prices not switched")

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
        till = self.till
        try:
            # One spooler at a time: an "exclusive" thread worker is only flagged as cancelled
            # and may still be running when the next one starts.
            with self.print_lock:
                result = print_pending(
                    till.print_queue, self.printer, till.config.printer, till.drawer
                )
        except Exception as exc:  # a bug in rendering must not kill the till
            log.exception("printing failed")
            result = SpoolResult(0, 1, str(exc), "offline")
        finally:
            till.db.close()
        self.call_from_thread(self.printed, result)

    def printed(self, result: SpoolResult) -> None:
        if not self.is_running:
            return  # the answer came while the app closes: the queue keeps it for next start
        if result.unsure:
            # No retry: only a person can say whether it came out; their answer prints again.
            self.ask_about_uncertain_receipts()
            return
        if result.error:
            self.print_failures += 1
            self.set_timer(min(60.0, 2.0**self.print_failures), self.print_waiting)
        else:
            self.print_failures = 0
        if result.error or result.printed:
            self.show_printer(result.state, result.error)
        if result.error and self.sale_screen.is_mounted:
            self.sale_screen.receipt_stuck(result.error)
        elif not result.error and self.sale_screen.is_mounted:
            self.sale_screen.receipts_printed()
            if result.notice:
                self.sale_screen.show_error(result.notice)

    def poll_devices(self) -> None:
        """Ask the printer how it is (paper, cover, drawer) without blocking the screen.

        One question at a time: a poll asked for while one is out is asked right after it,
        so the answer shown is never older than the request.
        """
        if self.read_only:
            return
        if self.polling:
            self.poll_again = True
            return
        self.polling, self.poll_again = True, False
        self.run_worker(self._status_in_thread, thread=True, group="status")

    def _status_in_thread(self) -> None:
        try:
            status = self.printer.status()
        except Exception as exc:  # adapters should not raise; a bug must not stop the polling
            log.exception("printer status failed")
            status = PrinterStatus(online=False, error=str(exc))
        self.call_from_thread(self.status_read, status)

    @property
    def devices_settled(self) -> bool:
        """No status question out or waiting (for tests that wait for the screen to catch up)."""
        return not self.polling and not self.poll_again

    def status_read(self, status: PrinterStatus) -> None:
        self.polling = False
        if not self.is_running:
            return  # the app is closing: nothing left to show it on
        if self.poll_again:
            self.poll_devices()
            return
        drawer = self.till.drawer.sensed(status.drawer_pin)
        self.drawer_state = drawer
        self.show_printer(status.state, status.error)
        if status.can_print and self.till.print_queue.pending():
            self.print_waiting()

    # -- the head office ----------------------------------------------------------------------

    def push_to_hq(self) -> None:
        """Ask the sync child (an OS process of its own: kassa_tui.sync.child, started on the
        first call) for a round now; a thread worker waits for its answer, one at a time."""
        if self.syncing or self.read_only or self.till.config.hq is None:
            return
        self.syncing = True
        self.run_worker(self._push_in_thread, thread=True, group="sync")

    def report_idle(self, at_once: bool = False) -> None:
        """Tell the sync child when the till is idle: the basket empty and no key or scan for
        [hq] idle_seconds, or `at_once` after a Z (a large catalog revision is applied then;
        kassa_tui.sync.large). The next key or scan says busy (`on_event`, `scanned`)."""
        hq, child = self.till.config.hq, self.sync_child
        if hq is None or child is None:
            return
        if not at_once and monotonic() - self.last_activity < hq.idle_seconds:
            return
        child.tell_idle(not self.till.baskets.current().priced.lines)

    def _push_in_thread(self) -> None:
        from kassa_tui.core import i18n
        from kassa_tui.sync.child import SyncChild

        try:
            if self.sync_child is None:
                child = SyncChild(self.till.config, self.till.clock, i18n.language(), self._round)
                child.start()
                self.sync_child = child
            self.sync_child.wait(self.sync_child.ask(), lambda: self.is_running)
        except Exception:
            log.exception("sync: the child could not be started")
            self.call_from_thread(self.pushed, _("HQ: check"), False)
        finally:
            self.syncing = False

    def _round(self, n: int, healthy: bool) -> None:  # the child's reader thread, per round
        from kassa_tui.sync.status import header

        waiting = self.sync_child.catalog_waiting if self.sync_child is not None else 0
        config, clock = self.till.config, self.till.clock
        text, ok = header(config, clock, waiting) if healthy else (_("HQ: check"), False)
        if self.is_running:
            self.call_from_thread(self.pushed, text, ok)

    def pushed(self, text: str, ok: bool) -> None:
        if not self.is_running:
            return
        self.sync_status = (text, ok)
        if self.sale_screen.is_mounted:
            self.sale_screen.set_sync_status(text, ok)

    def show_printer(self, state: str, error: str = "") -> None:
        words = [state_text(state)]
        if self.till.config.drawer.sensor:
            words.append(_("Drawer open") if self.drawer_state == "open" else _("Drawer closed"))
        ok = state in ("ok", "paper-low", "unknown") and not error
        self.printer_status = (" · ".join(words), ok)
        if self.sale_screen.is_mounted:
            self.sale_screen.set_printer_status(*self.printer_status)


def use_console_theme(config: Config) -> bool:
    """The Pi's Linux console has 16 colours and few glyphs: use the ANSI theme there."""
    if config.console_theme == "auto":
        return os.environ.get("TERM", "") == "linux"
    return config.console_theme == "on"


def announce_upgrade(old: int, new: int) -> None:
    print(
        f"kassa: updating the database from schema {old} to {new} (once; on a large database"
        " this takes a while)…",
        file=sys.stderr,
        flush=True,
    )


def evdev_scanner(
    app: KassaApp, settings: ScannerSettings, open_device: OpenDevice | None = None
) -> ScannerReader | None:
    """The scanner reader when kassa.toml says `scanner.mode = "evdev"`, bound to the app.

    A wedge scanner types into the entry line and needs nothing. A read-only view gets no
    reader: the selling kassa on the register has the scanner grabbed.
    """
    if settings.mode != "evdev" or app.read_only:
        return None
    return ScannerReader(
        settings, app.scan_from_thread, app.scanner_state_from_thread, open_device=open_device
    )


def run_app(config: Config, *, read_only: bool = False) -> None:
    till = open_till(config, announce=announce_upgrade)
    app = KassaApp(
        till, open_printer(config.printer), read_only=read_only, console=use_console_theme(config)
    )
    app.scanner = evdev_scanner(app, config.scanner)  # started on mount, stopped on unmount
    if console_keys.is_linux_console(os.environ.get("TERM", "")):
        console_keys.install()  # Shift+F1..F8 read as such there, not as stray characters
    try:
        app.run()
    finally:
        if not read_only and not app.retired:
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
