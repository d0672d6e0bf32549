"""The sale screen: the entry line always has focus; type a number, then the key that says
what it means (CORE-POS style). A scanner in keyboard-wedge mode types digits and Enter.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Label, Static

from kassa_tui.catalog.lookup import ProductInfo
from kassa_tui.catalog.pricing import PricedLine
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import (
    InvalidQuantity,
    format_kr,
    format_quantity,
    format_rate,
    parse_quantity,
)
from kassa_tui.people.person import Person
from kassa_tui.selling.basket import BasketState
from kassa_tui.selling.sales import Completed
from screens import styles
from screens.counter_rules import (
    age_before_payment,
    ask_void,
    check_age,
    show_eat_in,
    toggle_eat_in,
)
from screens.dialogs.approval import ApprovalDialog
from screens.dialogs.gift_card import GiftCardPayDialog, is_card_method
from screens.dialogs.gift_card_sale import choose_gift_card
from screens.dialogs.help import HelpDialog
from screens.dialogs.member import MemberDialog, scanned_member, show_member
from screens.dialogs.parked import ParkedDialog
from screens.dialogs.payment import PaymentDialog, choose_other_method, paid_message
from screens.dialogs.receipts import OPEN_INSIGHT, ReceiptsMenu
from screens.dialogs.return_no_receipt import ReturnWithoutReceiptDialog
from screens.dialogs.returns import ReturnDialog
from screens.dialogs.trouble import ReceiptStuckDialog
from screens.host import guarded, host, show_message
from screens.quantity_check import confirm_quantity
from screens.sale_clock import follow_the_clock
from screens.sale_keys import bar_labels, bar_texts, help_rows
from screens.sale_prices import PriceChanges
from screens.widgets.basket_table import BasketTable
from screens.widgets.entry import EntryLine
from screens.widgets.keybar import KeyBar
from screens.widgets.sale_header import SaleHeader
from screens.widgets.totals import Totals


class SaleScreen(PriceChanges):
    """The basket, its totals and the entry line."""

    CSS_PATH = styles.SALE
    AUTO_FOCUS = "#entry"

    def __init__(self) -> None:
        super().__init__(id="sale-screen")
        self.pending_qty: int | None = None
        self.state: BasketState | None = None
        self.lines: list[PricedLine] = []
        self.keymap: dict[str, str] = {}
        self.stuck_hidden = False

    def on_mount(self) -> None:
        app = host(self)
        self.keymap = dict(app.till.config.keys)
        entry = self.query_one("#entry", EntryLine)
        entry.bind_commands(self.keymap, bar_texts(app.read_only), bar_labels(self.keymap))
        entry.receiver = self.entry_message  # at once: a key behind F6 finds its dialog
        self.reload()
        self.clock_follower = follow_the_clock(self)  # re-prices at the minute (issue 14)
        self.set_printer_status(*app.printer_status)
        if app.scanner_status[0]:
            self.set_scanner_status(*app.scanner_status)
        if app.sync_status[0]:
            self.set_sync_status(*app.sync_status)

    def compose(self) -> ComposeResult:
        app = host(self)
        config = app.till.config
        yield SaleHeader(f"{config.shop_name} · {config.register_id}", id="sale-header")
        if app.read_only:
            yield Label(
                markup=False,
                content=_("READ-ONLY VIEW: the till is selling elsewhere. Enter looks up a price."),
                id="sale-readonly",
            )
        yield BasketTable(id="basket", plain=bool(getattr(app, "plain_console", False)))
        with Horizontal(id="sale-bottom"):
            with Vertical(id="sale-info"):
                yield Static(markup=False, content="", id="sale-message", classes="message")
                yield Static(markup=False, content="", id="sale-lookup")
            yield Totals(id="sale-totals")
        with Horizontal(id="sale-entry-row"):
            yield Label(markup=False, content="", id="sale-qty")
            yield EntryLine(id="entry", placeholder=_("Scan or type a code"))
        yield KeyBar()

    def on_screen_resume(self) -> None:
        self.query_one("#entry", EntryLine).focus()

    # -- showing ------------------------------------------------------------------------------

    def reload(self, keep_cursor: bool = True) -> None:
        """Show the basket as committed in the database (after every change)."""
        app = host(self)
        self.state = app.till.baskets.current()
        self.lines = list(self.state.priced.lines)
        self.basket_table().show_lines(self.lines, keep_cursor)
        self.query_one("#sale-totals", Totals).show(self.state.priced)
        header = self.query_one("#sale-header", SaleHeader)
        header.show_person(app.person)
        show_member(self)  # «· Medlem 12» while a member is on the sale (kundeklubb)
        header.show_training(app.till.receipts.training)
        app.show_training()
        show_eat_in(self, app.till.baskets.eaten_in())  # the entry line says so

    def basket_table(self) -> BasketTable:
        return self.query_one("#basket", BasketTable)

    def show_error(self, message: str) -> None:
        show_message(self, "#sale-message", message, error=True)

    def show_info(self, message: str) -> None:
        show_message(self, "#sale-message", message, error=False)

    def _device_header(self) -> SaleHeader | None:
        """The header, or None while the screen is being taken down: a device thread's answer
        can arrive after the app has begun to close, and must not fail there."""
        found = self.query("#sale-header").results(SaleHeader)
        return next(found, None)

    def set_scanner_status(self, state: str, message: str) -> None:
        """The evdev scanner's state in the header; its problems also in the message line."""
        header = self._device_header()
        if header is None:
            return
        header.show_scanner(state == "connected")
        if state != "connected":
            self.show_error(message)

    def set_printer_status(self, text: str, ok: bool) -> None:
        header = self._device_header()
        if header is not None:
            header.show_printer(text, ok)

    def set_sync_status(self, text: str, ok: bool) -> None:
        header = self._device_header()
        if header is not None:
            header.show_sync(text, ok)

    # -- the entry line -----------------------------------------------------------------------

    @on(EntryLine.Quantity)
    def quantity_key(self, event: EntryLine.Quantity) -> None:
        """'3*' sets the quantity for the next item; one far above the usual is asked about
        once (`ui.confirm_quantity_above`), so a stray digit never sells 1 233 items."""
        try:
            qty = parse_quantity(event.value)
        except InvalidQuantity:
            self.set_pending_qty(None)
            self.show_error(_("{text} is not a quantity.").format(text=event.value + "*"))
            return

        def answered(value: int | None) -> None:
            self.set_pending_qty(value)
            if value is None:
                self.show_info(_("Quantity {qty} not used.").format(qty=format_quantity(qty)))

        self.set_pending_qty(None)
        confirm_quantity(self.app, host(self).till.config.confirm_quantity_above, qty, answered)

    def set_pending_qty(self, qty: int | None) -> None:
        """The quantity for the next item, shown before the entry line (None: one)."""
        self.pending_qty = qty
        self.query_one("#sale-qty", Label).update(f"{format_quantity(qty)} ×" if qty else "")

    def do_clear(self, _text: str) -> None:
        """Esc: what was typed (already taken off the line), a pending quantity and a price
        look-up are gone; the message stays (it may be the change to give)."""
        self.set_pending_qty(None)
        self.clear_lookup()

    def clear_lookup(self) -> None:
        self.query_one("#sale-lookup", Static).update("")

    def entry_message(self, message: Message) -> None:
        """The entry line's command or quantity, run in its turn (screens/key_queue.py)."""
        if isinstance(message, EntryLine.Quantity):
            self.quantity_key(message)
        elif isinstance(message, EntryLine.Command):
            self.command(message)

    @on(EntryLine.Command)
    def command(self, event: EntryLine.Command) -> None:
        """Dispatch a command key with the text typed before it."""
        handler = getattr(self, f"do_{event.action}", None)
        if handler is not None:
            handler(event.value.strip())

    def person(self) -> Person:
        person = host(self).person
        if person is None:
            raise Refused(_("Sign in first."))
        return person

    def selected(self) -> PricedLine:
        if not self.lines:
            raise Refused(_("The basket is empty."))
        row = self.basket_table().cursor_row
        return self.lines[max(0, min(row, len(self.lines) - 1))]

    @guarded
    def do_enter(self, text: str) -> None:
        if not text:
            return
        app = host(self)
        receipt = text[:1] in ("R", "r") and text[1:].isdigit()  # a receipt's own barcode
        if app.read_only:
            if receipt:  # a return is a sale: not here
                raise Refused(_("This is a read-only view: the till is running elsewhere."))
            self.look_up(text)
            return
        if receipt:
            self.do_return_receipt(text)
            return
        member = scanned_member(self, text)  # a member card: the member on the sale
        if member is not None:
            self.reload()
            self.show_info(member)
            return
        qty = self.pending_qty
        self.set_pending_qty(None)
        try:
            line = app.till.baskets.add(self.person(), text, qty)
        finally:
            self.reload(keep_cursor=False)
        self.clear_lookup()
        self.show_info(_("Added {name}.").format(name=line.name))
        check_age(self, line)  # the first line with an age limit asks for the customer's age

    def look_up(self, text: str) -> None:
        app = host(self)
        product = app.till.baskets.price_lookup(app.person, text)
        per = _("per kg") if product.weighed else ""
        self.query_one("#sale-lookup", Static).update(
            f"{product.name}\n{format_kr(product.price_ore)} {per}  ·  {product.group_name}"
            f"  ·  {_('VAT')} {format_rate(product.vat_bp)}"
        )
        self.show_info(_("Price look-up: nothing added."))

    # -- actions ------------------------------------------------------------------------------

    def do_cursor_up(self, _text: str) -> None:
        self.basket_table().step(-1)

    def do_cursor_down(self, _text: str) -> None:
        self.basket_table().step(1)

    def do_help(self, _text: str) -> None:
        self.app.push_screen(HelpDialog(self.help_rows()))

    def help_rows(self) -> list[tuple[str, str, str]]:
        """The help's rows (F1): every key, what it does and what to type first (a read-only
        view: only the look-ups it can do)."""
        keymap = self.keymap
        if host(self).read_only:
            keymap = {a: k for a, k in keymap.items() if a in bar_texts(read_only=True)}
        return help_rows(keymap)

    @guarded
    def do_return_receipt(self, text: str) -> None:
        """A return starts with the receipt: its barcode scanned, or its number typed."""
        if not text:
            raise Refused(_("Scan the receipt's barcode or type its number first."))
        self.person()
        sold = host(self).till.returns.find_sale(text)
        self.app.push_screen(ReturnDialog(sold), self.after_dialog)

    @guarded
    def do_return_no_receipt(self, _text: str) -> None:
        """A return without the receipt: priced today, a shift lead approves, counted apart."""
        self.person()
        self.app.push_screen(ReturnWithoutReceiptDialog(), self.after_dialog)

    def do_receipts_menu(self, text: str) -> None:
        self.app.push_screen(ReceiptsMenu(text), self.after_dialog)

    def after_dialog(self, message: str | None) -> None:
        if message == OPEN_INSIGHT:  # issue 16: the menu's Insight entry
            from screens.insight import InsightScreen

            self.app.push_screen(InsightScreen(), lambda _value: self.reload())
            return
        self.reload(keep_cursor=False)
        if message:
            self.show_info(message)

    def do_day_close(self, _text: str) -> None:
        from screens.dayclose import DayCloseScreen  # loaded when first opened: a faster start

        self.app.push_screen(DayCloseScreen(), lambda _value: self.reload())

    def do_stock_lookup(self, text: str) -> None:
        """The stock lookup over this screen; the basket underneath is left as it is."""
        from screens.stock import StockScreen  # loaded when first opened: a faster start

        self.app.push_screen(StockScreen(text), self.from_stock)

    @guarded
    def from_stock(self, product: ProductInfo | None) -> None:
        if product is None:
            return
        code = product.plu or next(iter(host(self).till.stock.details(product.id).barcodes), "")
        self.do_enter(code)

    @guarded
    def do_price_lookup(self, text: str) -> None:
        if not text:
            raise Refused(_("Type or scan the code first, then price look-up."))
        self.look_up(text)

    @guarded
    def do_correct_line(self, text: str) -> None:
        """Nothing typed removes the selected line; a quantity replaces its quantity (one far
        above the usual is asked about first)."""
        line = self.selected().line
        baskets = host(self).till.baskets
        if not text:
            baskets.remove_line(self.person(), line.id)
            self.show_info(_("Line removed: {name}.").format(name=line.name))
            self.reload()
            return
        try:
            qty = parse_quantity(text)
        except InvalidQuantity:
            qty = 0  # the basket refuses it with its own words

        @guarded
        def apply(self: SaleScreen, value: int | None) -> None:
            if value is None:
                self.show_info(_("Quantity {qty} not used.").format(qty=format_quantity(qty)))
                return
            baskets.set_quantity(self.person(), line.id, text)
            self.show_info(_("Quantity changed: {name}.").format(name=line.name))
            self.reload()

        limit = host(self).till.config.confirm_quantity_above
        confirm_quantity(self.app, limit, qty, lambda value: apply(self, value))

    @guarded
    def do_park(self, _text: str) -> None:
        host(self).till.baskets.park(self.person())
        self.clear_lookup()
        self.show_info(_("Sale parked."))
        self.reload(keep_cursor=False)

    @guarded
    def do_resume(self, _text: str) -> None:
        parked = host(self).till.baskets.parked()
        if not parked:
            raise Refused(_("No parked sales."))

        @guarded
        def apply(self: SaleScreen, basket_uuid: str | None) -> None:
            if basket_uuid:
                host(self).till.baskets.resume(self.person(), basket_uuid)
                self.clear_lookup()
                self.show_info(_("Parked sale resumed."))
                self.reload(keep_cursor=False)

        self.app.push_screen(ParkedDialog(parked), lambda value: apply(self, value))

    def do_pay_cash(self, text: str) -> None:
        self._pay("cash", text)

    def do_pay_card(self, text: str) -> None:
        self._pay("card", text)

    @guarded
    def do_gift_card(self, text: str) -> None:
        """A choice: sell a gift card, or what a card holds; a code typed (scanned) before the
        key goes to the one chosen."""
        self.person()
        self.clear_lookup()
        choose_gift_card(self, self.gift_card_added, text.strip())

    def gift_card_added(self, message: str | None) -> None:
        self.reload(keep_cursor=False)
        if message:
            self.show_info(message)

    def do_pay_other(self, text: str) -> None:
        """Vipps and the shop's other [[payment]] methods: chosen by a digit, then paid."""
        self._pay("", text)

    @guarded
    def _pay(self, method: str, text: str) -> None:
        self.person()
        host(self).till.baskets._guard()
        if self.state is None or self.state.empty:
            raise Refused(_("The basket is empty."))
        if not method:
            choose_other_method(self, lambda key: self._pay(key, text))
            return
        age_before_payment(self, lambda: self._payment_dialog(method, text))

    def _payment_dialog(self, method: str, text: str) -> None:
        """The payment dialog; a gift card or credit note is scanned in its own."""
        if is_card_method(host(self).till.config, method):
            self.app.push_screen(GiftCardPayDialog(method, text), self.card_paid)
            return
        self.app.push_screen(PaymentDialog(method, text), self.paid)

    def card_paid(self, result: Completed | str | None) -> None:
        """Paid in full by the card, or part of it with the rest still to pay (the message)."""
        self.paid(result if isinstance(result, Completed) else None)
        if isinstance(result, str):
            self.show_info(result)

    def paid(self, completed: Completed | None) -> None:
        self.reload(keep_cursor=False)
        if completed is None:
            self.show_info(_("Back to the basket."))
            return
        self.clear_lookup()
        self.show_info(paid_message(completed))
        self.query_one("#sale-message").set_class(True, "change")
        host(self).print_waiting()

    @guarded
    def do_no_sale(self, _text: str) -> None:
        """A nullinnslag: the drawer opens without a sale, with a shift lead's approval."""
        self.person()
        host(self).till.baskets._guard()

        @guarded
        def apply(self: SaleScreen, approval: tuple[str, str] | None) -> None:
            if approval is None:
                return
            host(self).till.drawer.open_no_sale(self.person(), *approval)
            host(self).print_waiting()
            self.show_info(_("The drawer opens (no sale)."))

        self.app.push_screen(
            ApprovalDialog(_("Open the drawer without a sale")), lambda value: apply(self, value)
        )

    @guarded
    def do_void_sale(self, _text: str) -> None:
        """Void the whole sale before payment: a reason, a shift lead above the limit."""
        ask_void(self)

    @guarded
    def do_club(self, text: str) -> None:
        """Kundeklubb: the member card or phone number (typed first, or in the dialog)."""
        self.person()
        self.app.push_screen(MemberDialog(text), self.gift_card_added)

    def do_eat_in(self, _text: str) -> None:
        """Eaten in or taken away: the lines with an eat-in VAT rate follow."""
        toggle_eat_in(self)

    # -- the printer --------------------------------------------------------------------------

    def receipt_stuck(self, reason: str) -> None:
        """The last receipt could not print: say why, and keep the next sale from starting."""
        waiting = host(self).till.print_queue.holding_up_sales()
        if waiting is None:
            return
        text = _("Receipt {nr}: {reason}").format(nr=waiting.receipt_nr, reason=reason)
        if isinstance(self.app.screen, ReceiptStuckDialog):
            self.app.screen.update_reason(text)
            return
        if self.app.screen is not self or self.stuck_hidden:
            return  # a dialog is open, or the cashier hid this one; scans still say why

        def closed(retry: bool | None) -> None:
            if retry:
                host(self).print_waiting()
            else:
                self.stuck_hidden = True

        self.app.push_screen(ReceiptStuckDialog(text), closed)

    def receipts_printed(self) -> None:
        self.stuck_hidden = False
        if isinstance(self.app.screen, ReceiptStuckDialog):
            self.app.screen.dismiss(False)
            self.show_info(_("The waiting receipt has printed."))

    def do_lock(self, _text: str) -> None:
        host(self).lock()

    def do_sign_out(self, _text: str) -> None:
        host(self).sign_out()
