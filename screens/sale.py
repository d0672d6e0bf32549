"""The sale screen: the entry line always has focus; type a number, then the key that says
what it means (CORE-POS style). A scanner in keyboard-wedge mode types digits and Enter.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

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
from kassa_tui.selling.basket import BasketState, parse_discount, parse_price
from kassa_tui.selling.sales import Completed
from screens.dialogs import ApprovalDialog, HelpDialog, ParkedDialog, ReasonDialog
from screens.entry import EntryLine
from screens.host import guarded, host
from screens.payment import PaymentDialog
from screens.trouble import ReceiptStuckDialog


def action_texts() -> dict[str, tuple[str, str]]:
    """Action id → (what it does, what to type first); translated when the screen is built."""
    return {
        "help": (_("Help: all keys"), ""),
        "stock_lookup": (_("Stock lookup (back with Esc or F2)"), _("search text")),
        "park": (_("Park the sale"), ""),
        "resume": (_("Resume a parked sale"), ""),
        "price_lookup": (_("Price look-up"), _("code")),
        "line_discount": (
            _("Discount on the line"),
            _("{percent} or amount").format(percent="10%"),
        ),
        "sale_discount": (
            _("Discount on the sale"),
            _("{percent} or amount").format(percent="10%"),
        ),
        "price_override": (_("Price override (shift lead)"), _("new price")),
        "correct_line": (_("Correct the line"), _("new quantity, or nothing to remove")),
        "pay_cash": (_("Cash"), _("amount tendered")),
        "pay_card": (_("Card"), _("amount")),
        "day_close": (_("Day close: X and Z reports, cash count (shift lead)"), ""),
        "return_receipt": (_("Return by receipt (shift lead approves)"), _("receipt number")),
        "receipts_menu": (_("Copy, provisional receipt, training mode"), _("receipt number")),
        "no_sale": (_("Open the drawer without a sale (shift lead)"), ""),
        "lock": (_("Lock the till"), ""),
        "sign_out": (_("Sign out"), ""),
    }


def footer_texts() -> dict[str, str]:
    """Short words for the Footer, most used first; F1 shows everything."""
    return {
        "pay_cash": _("Cash"),
        "pay_card": _("Card"),
        "correct_line": _("Correct"),
        "help": _("Help"),
        "stock_lookup": _("Stock"),
        "park": _("Park"),
        "resume": _("Resume"),
        "price_lookup": _("Price"),
        "line_discount": _("Discount"),
    }


def key_label(keys: str) -> str:
    """'f10,ctrl+k' → 'F10/^K' for the Footer and the help."""
    parts = []
    for key in keys.split(","):
        if key.startswith("ctrl+"):
            parts.append("^" + key[5:].upper())
        elif key.startswith("shift+"):
            parts.append("Shift+" + key[6:].upper())
        elif key == "delete":
            parts.append("Del")
        else:
            parts.append(key.upper())
    return "/".join(parts)


COLUMNS = ("nr", "name", "qty", "price", "discount", "amount")


def _row(index: int, priced: PricedLine) -> tuple[str | Text, ...]:
    """One basket line as the table shows it."""
    line = priced.line
    unit = " kg" if line.unit == "kg" else ""
    return (
        str(index),
        Text(line.name + (" *" if line.overridden else "")),
        (format_quantity(line.qty_milli) + unit).rjust(9),
        format_kr(line.unit_price_ore).rjust(9),
        (format_kr(-priced.discount) if priced.discount else "").rjust(9),
        format_kr(priced.amount).rjust(10),
    )


class SaleScreen(Screen[None]):
    """The basket, its totals and the entry line."""

    CSS_PATH = Path(__file__).with_name("sale.tcss")
    AUTO_FOCUS = "#entry"

    def __init__(self) -> None:
        super().__init__(id="sale-screen")
        self.pending_qty: int | None = None
        self.state: BasketState | None = None
        self.lines: list[PricedLine] = []
        self.shown: list[tuple[str | Text, ...]] = []  # the basket table's rows as drawn
        self.keymap: dict[str, str] = {}
        self.stuck_hidden = False

    def on_mount(self) -> None:
        app = host(self)
        self.keymap = dict(app.till.config.keys)
        self.query_one("#entry", EntryLine).bind_commands(
            self.keymap,
            footer_texts(),
            {action: key_label(keys) for action, keys in self.keymap.items()},
        )
        self.refresh_bindings()
        self.reload()
        self.set_printer_status(*app.printer_status)
        if app.scanner_status[0]:
            self.set_scanner_status(*app.scanner_status)

    def compose(self) -> ComposeResult:
        app = host(self)
        config = app.till.config
        with Horizontal(id="sale-header"):
            yield Label(
                markup=False, content=f"{config.shop_name} · {config.register_id}", id="sale-shop"
            )
            yield Label(markup=False, content="", id="sale-user")
            yield Label(markup=False, content="", id="sale-scanner")
            yield Label(markup=False, content="", id="sale-printer")
        if app.read_only:
            yield Label(
                markup=False,
                content=_("READ-ONLY VIEW: the till is selling elsewhere. Enter looks up a price."),
                id="sale-readonly",
            )
        table: DataTable[str | Text] = DataTable(id="basket", cursor_type="row", zebra_stripes=True)
        table.can_focus = False
        yield table
        with Horizontal(id="sale-bottom"):
            with Vertical(id="sale-info"):
                yield Static(markup=False, content="", id="sale-message", classes="message")
                yield Static(markup=False, content="", id="sale-lookup")
            yield Static(markup=False, content="", id="sale-totals")
        with Horizontal(id="sale-entry-row"):
            yield Label(markup=False, content="", id="sale-qty")
            yield EntryLine(id="entry", placeholder=_("Scan or type a code"))
        yield Footer()

    def on_screen_resume(self) -> None:
        self.query_one("#entry", EntryLine).focus()

    # -- showing ------------------------------------------------------------------------------

    def reload(self, keep_cursor: bool = True) -> None:
        """Show the basket as committed in the database (after every change)."""
        app = host(self)
        self.state = app.till.baskets.current()
        table = self.query_one("#basket", DataTable)
        row = table.cursor_row if keep_cursor else None
        if not table.columns:
            table.add_column("#", key="nr", width=3)
            table.add_column(_("Item"), key="name", width=self.name_width())
            table.add_column(Text(_("Qty"), justify="right"), key="qty", width=9)
            table.add_column(Text(_("Price"), justify="right"), key="price", width=9)
            table.add_column(Text(_("Discount"), justify="right"), key="discount", width=9)
            table.add_column(Text(_("Amount"), justify="right"), key="amount", width=10)
        self.lines = list(self.state.priced.lines)
        self.show_rows(table, [_row(index, priced) for index, priced in enumerate(self.lines, 1)])
        if self.lines:
            target = len(self.lines) - 1 if row is None or row >= len(self.lines) else row
            table.move_cursor(row=target)
        self.show_totals()
        person = app.person
        self.query_one("#sale-user", Label).update(
            f"{person.name} ({person.number})" if person else ""
        )

    def show_rows(self, table: DataTable[str | Text], rows: list[tuple[str | Text, ...]]) -> None:
        """Change only the rows that differ: a scan adds one row instead of drawing the whole
        basket again (which took 50 ms a scan in a 200-line basket)."""
        for i, (old, new) in enumerate(zip(self.shown, rows, strict=False)):
            for key, old_cell, new_cell in zip(COLUMNS, old, new, strict=True):
                if old_cell != new_cell:
                    table.update_cell(str(i), key, new_cell)
        for i in range(len(rows), len(self.shown)):
            table.remove_row(str(i))
        for i in range(len(self.shown), len(rows)):
            table.add_row(*rows[i], key=str(i))
        self.shown = rows

    def name_width(self) -> int:
        """The item name takes what the fixed columns (and their padding) leave."""
        return max(12, self.size.width - (3 + 9 + 9 + 9 + 10) - 2 * 6 - 2)

    def on_resize(self) -> None:
        self.query_one("#basket", DataTable).clear(columns=True)
        self.shown = []
        if self.state is not None:
            self.reload()

    def show_totals(self) -> None:
        assert self.state is not None
        priced = self.state.priced
        rows = [(_("Total"), format_kr(priced.total))]
        for vat in priced.vat_lines:
            rows.append((_("VAT {rate}").format(rate=format_rate(vat.rate_bp)), format_kr(vat.vat)))
        if priced.discount:
            rows.append((_("Discount"), format_kr(-priced.discount)))
        if priced.payments:
            rows.append((_("Paid"), format_kr(priced.paid)))
        if priced.lines:
            rows.append((_("Cash to pay"), format_kr(priced.cash_due)))
        self.query_one("#sale-totals", Static).update(
            "\n".join(f"{label:<16}{amount:>12}" for label, amount in rows)
        )

    def show_error(self, message: str) -> None:
        message_box = self.query_one("#sale-message", Static)
        message_box.update(message)
        message_box.set_classes("message error")
        self.app.bell()

    def show_info(self, message: str) -> None:
        message_box = self.query_one("#sale-message", Static)
        message_box.update(message)
        message_box.set_classes("message")

    def set_scanner_status(self, state: str, message: str) -> None:
        """The evdev scanner's state in the header; its problems also in the message line."""
        label = self.query_one("#sale-scanner", Label)
        label.update(_("Scanner OK") if state == "connected" else _("Scanner: no"))
        label.set_class(state != "connected", "error")
        if state != "connected":
            self.show_error(message)

    def set_printer_status(self, text: str, ok: bool) -> None:
        label = self.query_one("#sale-printer", Label)
        label.update(text)
        label.set_class(not ok, "error")

    # -- the entry line -----------------------------------------------------------------------

    @on(EntryLine.Quantity)
    def quantity_key(self, event: EntryLine.Quantity) -> None:
        """'3*' sets the quantity for the next item."""
        try:
            self.pending_qty = parse_quantity(event.value)
        except InvalidQuantity:
            self.pending_qty = None
            self.show_error(_("{text} is not a quantity.").format(text=event.value + "*"))
        self.query_one("#sale-qty", Label).update(
            f"{format_quantity(self.pending_qty)} ×" if self.pending_qty else ""
        )

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
        row = self.query_one("#basket", DataTable).cursor_row
        return self.lines[max(0, min(row, len(self.lines) - 1))]

    @guarded
    def do_enter(self, text: str) -> None:
        if not text:
            return
        if text[:1] in ("R", "r") and text[1:].isdigit():  # a receipt's own barcode
            self.do_return_receipt(text)
            return
        app = host(self)
        if app.read_only:
            self.look_up(text)
            return
        qty, self.pending_qty = self.pending_qty, None
        self.query_one("#sale-qty", Label).update("")
        try:
            line = app.till.baskets.add(self.person(), text, qty)
        finally:
            self.reload(keep_cursor=False)
        self.query_one("#sale-lookup", Static).update("")
        self.show_info(_("Added {name}.").format(name=line.name))

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
        self.move_cursor(-1)

    def do_cursor_down(self, _text: str) -> None:
        self.move_cursor(1)

    def move_cursor(self, step: int) -> None:
        table = self.query_one("#basket", DataTable)
        if self.lines:
            table.move_cursor(row=max(0, min(len(self.lines) - 1, table.cursor_row + step)))

    def do_help(self, _text: str) -> None:
        texts = action_texts()
        rows = [
            (_("Enter"), _("Add the item"), _("barcode or PLU")),
            ("*", _("Quantity for the next item"), _("quantity, e.g. 3*")),
        ]
        rows += [(key_label(keys), *texts[action]) for action, keys in self.keymap.items()]
        rows.append(("↑ ↓", _("Move over the lines"), ""))
        self.app.push_screen(HelpDialog(rows))

    @guarded
    def do_return_receipt(self, text: str) -> None:
        """A return starts with the receipt: its barcode scanned, or its number typed."""
        from screens.returns import ReturnDialog

        if not text:
            raise Refused(_("Scan the receipt's barcode or type its number first."))
        self.person()
        sold = host(self).till.returns.find_sale(text)
        self.app.push_screen(ReturnDialog(sold), self.after_dialog)

    def do_receipts_menu(self, text: str) -> None:
        from screens.returns import ReceiptsMenu

        self.app.push_screen(ReceiptsMenu(text), self.after_dialog)

    def after_dialog(self, message: str | None) -> None:
        self.reload(keep_cursor=False)
        if message:
            self.show_info(message)

    def do_day_close(self, _text: str) -> None:
        from screens.dayclose import DayCloseScreen

        self.app.push_screen(DayCloseScreen(), lambda _value: self.reload())

    def do_stock_lookup(self, text: str) -> None:
        """The stock lookup over this screen; the basket underneath is left as it is."""
        from screens.stock import StockScreen

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
        line = self.selected().line
        baskets = host(self).till.baskets
        if text:
            baskets.set_quantity(self.person(), line.id, text)
            self.show_info(_("Quantity changed: {name}.").format(name=line.name))
        else:
            baskets.remove_line(self.person(), line.id)
            self.show_info(_("Line removed: {name}.").format(name=line.name))
        self.reload()

    @guarded
    def do_line_discount(self, text: str) -> None:
        if not text:
            raise Refused(
                _("Type the discount first ({percent} or an amount), then the key.").format(
                    percent="10%"
                )
            )
        parse_discount(text)  # refuse garbage before asking for a reason
        line = self.selected().line
        self.person()

        def apply(reason: str | None) -> None:
            if reason:
                self._discount(text, reason, line.id)

        self.app.push_screen(ReasonDialog(_("Why the discount?"), self.reasons()), apply)

    @guarded
    def do_sale_discount(self, text: str) -> None:
        if not text:
            raise Refused(
                _("Type the discount first ({percent} or an amount), then the key.").format(
                    percent="10%"
                )
            )
        parse_discount(text)
        self.person()

        def apply(reason: str | None) -> None:
            if reason:
                self._discount(text, reason, None)

        self.app.push_screen(ReasonDialog(_("Why the discount?"), self.reasons()), apply)

    def reasons(self) -> tuple[str, ...]:
        return host(self).till.config.discount_reasons

    @guarded
    def _discount(
        self,
        text: str,
        reason: str,
        line_id: int | None,
        approval: tuple[str, str] | None = None,
    ) -> None:
        baskets = host(self).till.baskets
        if approval is None and baskets.discount_needs_approval(self.person(), text, line_id):

            def approved(value: tuple[str, str] | None) -> None:
                if value is not None:
                    self._discount(text, reason, line_id, value)

            self.app.push_screen(
                ApprovalDialog(_("Discount {text} is above the limit").format(text=text)),
                approved,
            )
            return
        if line_id is None:
            baskets.discount_sale(self.person(), text, reason, approval)
        else:
            baskets.discount_line(self.person(), line_id, text, reason, approval)
        self.show_info(_("Discount given: {reason}.").format(reason=reason))
        self.reload()

    @guarded
    def do_price_override(self, text: str) -> None:
        if not text:
            raise Refused(_("Type the new price first, then the key."))
        parse_price(text)  # refuse garbage before calling the shift lead over
        line = self.selected().line
        self.person()

        @guarded
        def apply(self: SaleScreen, approval: tuple[str, str] | None) -> None:
            if approval is None:
                self.show_info(_("Price override cancelled."))
                return
            host(self).till.baskets.override_price(self.person(), line.id, text, *approval)
            self.show_info(_("New price on {name}.").format(name=line.name))
            self.reload()

        reason = _("New price {price} on {name}").format(price=text, name=line.name)
        self.app.push_screen(ApprovalDialog(reason), lambda value: apply(self, value))

    @guarded
    def do_park(self, _text: str) -> None:
        host(self).till.baskets.park(self.person())
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
                self.show_info(_("Parked sale resumed."))
                self.reload(keep_cursor=False)

        self.app.push_screen(ParkedDialog(parked), lambda value: apply(self, value))

    def do_pay_cash(self, text: str) -> None:
        self._pay("cash", text)

    def do_pay_card(self, text: str) -> None:
        self._pay("card", text)

    @guarded
    def _pay(self, method: str, text: str) -> None:
        self.person()
        host(self).till.baskets._guard()
        if self.state is None or self.state.empty:
            raise Refused(_("The basket is empty."))
        self.app.push_screen(PaymentDialog(method, text), self.paid)

    def paid(self, completed: Completed | None) -> None:
        self.reload(keep_cursor=False)
        if completed is None:
            self.show_info(_("Back to the basket."))
            return
        parts = [
            _("Receipt {nr}: {total}.").format(
                nr=completed.receipt_nr, total=format_kr(completed.total)
            )
        ]
        if completed.cash:
            parts.append(_("CHANGE {change}").format(change=format_kr(completed.change)))
        self.show_info("  ".join(parts))
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
