"""The day close (F12): the X report on screen, the float, pay-ins and pay-outs, the cash count,
and the Z. For a shift lead; a cashier gets one on the spot for the parts that change money.
Each X shown is taken like a printed one: journaled (13008) with its content and who asked.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, Static

from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr
from kassa_tui.dayclose.reports import Report, norwegian_day, report_doc
from kassa_tui.people.person import Person
from screens import styles
from screens.dialogs.amount import AmountDialog
from screens.dialogs.approval import ApprovalDialog
from screens.dialogs.cash_count import CashCountDialog
from screens.dialogs.help import HelpDialog
from screens.dialogs.z_close import COUNT, NOT_COUNTED, ConfirmZDialog, CountFirstDialog
from screens.host import guarded, host, show_message
from screens.signals import SignalsScreen
from screens.widgets.keybar import KeyBar


class DayCloseScreen(Screen[None]):
    """Shows the running X report; its keys change the cash and take the Z."""

    CSS_PATH = styles.STOCK

    def compose(self) -> ComposeResult:
        yield Label(markup=False, content=_("Day close"), id="stock-title")
        with VerticalScroll(id="dayclose-report"):
            yield Static(markup=False, content="", id="dayclose-text")
        yield Static(markup=False, content="", id="stock-message", classes="message")
        yield KeyBar()

    @staticmethod
    def keys() -> list[tuple[str, str, str, str, str]]:
        """(keys, action, word on the key bar, key as written, what the help says), the most
        important first: the key bar shows them in this order and wraps before it cuts."""
        return [
            ("f1,ctrl+g", "help", _("Help"), "F1/^G", _("Help: all keys")),
            ("f7,ctrl+o", "count", _("Count cash"), "F7/^O", _("Count the cash in the drawer")),
            # Not F10: that is cash on the sale screen, and a Z cannot be taken back.
            (
                "ctrl+z",
                "z_report",
                _("Z report"),
                "^Z",
                _("Z report: count, confirm with Z, close the day (shift lead)"),
            ),
            ("f3,ctrl+p", "print_x", _("Print X"), "F3/^P", _("Print the X report")),
            ("f8,ctrl+x", "signals", _("Signals"), "F8/^X", _("Fraud signals per cashier")),
            ("f4,ctrl+e", "opening_float", _("Float"), "F4/^E", _("Opening float")),
            ("f5,ctrl+j", "pay_in", _("Pay-in"), "F5/^J", _("Pay-in: cash into the drawer")),
            ("f6,ctrl+t", "pay_out", _("Pay-out"), "F6/^T", _("Pay-out: cash out of the drawer")),
            ("escape,f12,ctrl+y", "back", _("Back"), "Esc/F12", _("Back to the sale screen")),
            ("f9,ctrl+n", "insight", _("Insight"), "F9/^N", _("Insight: sales and products")),
        ]

    def help_rows(self) -> list[tuple[str, str, str]]:
        """The help's rows (F1): every key of the day close, what it does."""
        return [(shown, does, "") for _keys, _action, _words, shown, does in self.keys()]

    def on_mount(self) -> None:
        for keys, action, words, shown, _does in self.keys():
            # The bar shows the first key only ('F7', not 'F7/^O'), as the sale screen's does:
            # so every key fits at 80 columns in nb and nn too; F1 lists the Ctrl twins.
            first = shown.split("/")[0]
            self._bindings.bind(keys, action, words, key_display=first, priority=True)
        self._bindings.bind("f10,ctrl+k", "z_key_moved", show=False, priority=True)
        self.refresh_bindings()
        self.show_report()

    def action_help(self) -> None:
        self.app.push_screen(HelpDialog(self.help_rows()))

    def show_report(self) -> Report:
        """A fresh X on screen: journaled (13008) with its content and who asked, as any X."""
        app = host(self)
        report = app.till.reports.x_report(app.person)
        self.show_doc(report)
        return report

    def show_doc(self, report: Report) -> None:
        till = host(self).till
        doc = report_doc(till.config, report, _)  # in the till's language; paper: Bokmål
        self.query_one("#dayclose-text", Static).update(doc.as_text(till.config.printer.columns))

    def show_error(self, message: str) -> None:
        show_message(self, "#stock-message", message, error=True)

    def show_info(self, message: str) -> None:
        show_message(self, "#stock-message", message, error=False)

    def as_shift_lead(self, then: Callable[[Person], object], reason: str) -> None:
        """Run `then(person)` as the signed-in shift lead, or one who approves on the spot."""
        app = host(self)
        person = app.person
        if person is not None and person.is_shift_lead:
            self.run_as(then, person)
            return

        def approved(approval: tuple[str, str] | None) -> None:
            if approval is not None:
                self.run_as(lambda lead: then(lead), None, approval)

        self.app.push_screen(ApprovalDialog(reason), approved)

    @guarded
    def run_as(
        self,
        then: Callable[[Person], object],
        person: Person | None,
        approval: tuple[str, str] | None = None,
    ) -> None:
        if person is None and approval is not None:
            person = host(self).till.users.approver(*approval)
        if person is not None:
            then(person)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_insight(self) -> None:
        from screens.insight import InsightScreen  # issue 16

        self.app.push_screen(InsightScreen())

    def action_signals(self) -> None:
        self.as_shift_lead(
            lambda _person: self.app.push_screen(SignalsScreen()), _("Fraud signals")
        )

    @guarded
    def action_print_x(self) -> None:
        person = host(self).person
        if person is None:
            raise Refused(_("Sign in first."))
        host(self).till.reports.x_report(person, queue_print=True)
        host(self).print_waiting()
        self.show_info(_("X report printed."))

    def amount_then(
        self, title: str, with_reason: bool, apply: Callable[[Person, int, str], None]
    ) -> None:
        def entered(value: tuple[int, str] | None) -> None:
            if value is not None:
                self.as_shift_lead(lambda person: apply(person, *value), title)

        self.app.push_screen(AmountDialog(title, with_reason), entered)

    def action_opening_float(self) -> None:
        cash = host(self).till.cash

        def apply(person: Person, amount: int, _reason: str) -> None:
            cash.opening_float(person, amount)
            self.done(_("Opening float: {amount}.").format(amount=format_kr(amount)))

        self.amount_then(_("Opening float"), False, apply)

    def action_pay_in(self) -> None:
        cash = host(self).till.cash

        def apply(person: Person, amount: int, reason: str) -> None:
            cash.pay_in(person, amount, reason)
            self.done(_("Pay-in: {amount}.").format(amount=format_kr(amount)))

        self.amount_then(_("Pay-in"), True, apply)

    def action_pay_out(self) -> None:
        cash = host(self).till.cash

        def apply(person: Person, amount: int, reason: str) -> None:
            cash.pay_out(person, amount, reason)
            self.done(_("Pay-out: {amount}.").format(amount=format_kr(amount)))

        self.amount_then(_("Pay-out"), True, apply)

    def action_count(self) -> None:
        cash = host(self).till.cash

        def counted(pieces: dict[int, int] | None) -> None:
            if pieces is None:
                return

            def apply(person: Person) -> None:
                result = cash.count(person, pieces)
                self.done(
                    _("Counted {counted}, expected {expected}, difference {diff}.").format(
                        counted=format_kr(result.counted_ore),
                        expected=format_kr(result.expected_ore),
                        diff=format_kr(result.difference_ore),
                    )
                )

            self.as_shift_lead(apply, _("Cash count"))

        self.app.push_screen(CashCountDialog(self.expected_for_count()), counted)

    def expected_for_count(self) -> int | None:
        """The cash the till expects, for the count's difference as it is typed: shown to a
        shift lead; a cashier counts blind (seeing the expected sum invites matching it)."""
        person = host(self).person
        if person is None or not person.is_shift_lead:
            return None
        return host(self).till.cash.expected_cash()

    def action_z_key_moved(self) -> None:
        """F10 out of the sale screen's habit: say where the Z is, take nothing."""
        self.show_info(_("F10 takes no Z report: the Z is Ctrl+Z, then a confirmation."))

    def action_z_report(self) -> None:
        """The Z never follows from one key: a shift lead, the cash count (or an explicit "not
        counted"), then a confirmation showing what it closes; the Z taken is then shown."""
        refusal = host(self).till.reports.z_refusal()
        if refusal is not None:  # said before anyone counts the drawer for nothing
            self.show_error(refusal)
            return
        self.as_shift_lead(self.z_count_first, _("Z report: close the day"))

    def z_count_first(self, lead: Person) -> None:
        cash = host(self).till.cash
        if cash.counted_since_last_z():
            self.z_confirm(lead, not_counted=False)
            return

        def counted(pieces: dict[int, int] | None) -> None:
            if pieces is not None:
                self.z_count(lead, pieces)

        def chosen(choice: str | None) -> None:
            if choice == COUNT:
                self.app.push_screen(CashCountDialog(self.expected_for_count()), counted)
            elif choice == NOT_COUNTED:
                self.z_confirm(lead, not_counted=True)

        self.app.push_screen(CountFirstDialog(), chosen)

    @guarded
    def z_count(self, lead: Person, pieces: dict[int, int]) -> None:
        host(self).till.cash.count(lead, pieces)
        self.z_confirm(lead, not_counted=False)

    def z_confirm(self, lead: Person, *, not_counted: bool) -> None:
        x = self.show_report()  # what the Z will close, as of now (journaled like any X)
        if x.cash_count is not None:
            cash = _("Cash counted: {counted}, difference {diff}").format(
                counted=format_kr(x.cash_count.counted_ore),
                diff=format_kr(x.cash_count.difference_ore),
            )
        else:
            cash = _("Cash: not counted")
        summary = "\n".join(
            (
                _("Business day: {day}").format(day=norwegian_day(x.business_date)),
                _("Receipts: {n}").format(n=x.receipts),
                _("Total: {total}").format(total=format_kr(x.total_cash_sale)),
                cash,
            )
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.z_take(lead, not_counted)
            else:
                self.show_info(_("No Z report taken."))

        self.app.push_screen(ConfirmZDialog(summary), confirmed)

    @guarded
    def z_take(self, lead: Person, not_counted: bool) -> None:
        till = host(self).till
        report = till.reports.z_report(lead, not_counted=not_counted)
        host(self).print_waiting()
        # Tomorrow's Accuracy tab covers the four weeks up to this day: computed now, aside.
        from kassa_tui.insight import accuracy_apart

        cutoff = till.config.day_cutoff_hour
        accuracy_apart.keep_later(till.config.database, report.business_date, cutoff)
        self.show_doc(report)  # the Z just taken, not a fresh (empty) X
        self.show_info(_("Z report {nr} taken and printed.").format(nr=report.z_nr))
        host(self).report_idle(at_once=True)  # the day closed: a large catalog revision may go

    def done(self, message: str) -> None:
        self.show_info(message)
        self.show_report()
