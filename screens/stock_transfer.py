"""Goods sent to another shop and received from one, on the stock screen (issue 15).

F10 on the stock screen: «Send to another shop». The shop ID is typed and taken with F7, the
goods scanned as on the goods-in screen ("5*" then a code adds five; F8 sets the quantity of
the selected line, F9 removes it), F10 books them out through kassa_tui.stock.transfers (the
journal's TRANSFEROUT, stock down) and prints the transfer note (kassa_tui.stock.transfer_note).

F11: «Receive from another shop». The note's barcode scanned (a 58 mm note's two, in either
order; or the id typed, then Enter) sets the transfer, the sending shop is typed and taken
with F7, the goods scanned; F10 books them in (TRANSFERIN, stock up). Transfers refuses a bad
shop ID, this shop itself, no lines, a zero quantity and an id booked in before: the message
says so and nothing is saved.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.widgets import DataTable, Label

from kassa_tui.catalog.lookup import ProductInfo
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _, ngettext
from kassa_tui.core.money import QTY_ONE
from kassa_tui.people.person import Person
from kassa_tui.stock.own_shop import own_shop
from kassa_tui.stock.transfer_note import NoteHalves, NoteLine, send_with_note, transfer_id_of
from kassa_tui.stock.transfers import SHOP_ID, Transfers
from screens import columns
from screens.formatting import stock_qty
from screens.host import guarded, host
from screens.stock_keys import in_order
from screens.stockwork import _LineWork, _Work, find_product, quantity_and_code
from screens.transfer_check import HqCheck


@dataclass
class Moved:
    """One line of goods to send or received: the code scanned, the product, how many."""

    code: str
    product: ProductInfo
    qty_milli: int


def transfers_of(screen: _Work) -> Transfers:
    till = host(screen).till
    return Transfers(till.db, till.config, till.journal, till.catalog, till.clock)


def checked_shop(screen: _Work, text: str) -> str:
    """A shop ID as Transfers checks it (its form; not this shop), before any goods move."""
    shop = text.strip()
    if not SHOP_ID.match(shop):
        if not shop:
            raise Refused(_("Type the shop ID first."))
        raise Refused(_("{shop} is not a shop id.").format(shop=repr(shop)))
    own = own_shop(host(screen).till.db, host(screen).till.config)  # refused if HQ's differs
    if own and shop.casefold() == own.casefold():
        raise Refused(_("{shop} is this shop: a transfer is between two shops.").format(shop=shop))
    return shop


class _TransferWork(_LineWork[Moved]):
    """Lines scanned as on the goods-in screen; the shop is set with F7."""

    def __init__(self, person: Person) -> None:
        super().__init__(person)
        self.shop = ""

    def heading(self) -> str:
        raise NotImplementedError

    def refresh_table(self, select: int | None = None) -> None:
        self.query_one("#stock-title", Label).update(self.heading())
        table = self.query_one("#work-table", DataTable)
        row = table.cursor_row if select is None else select
        names, numbers = self.table_rows()
        columns.fill(
            table,
            self.app.size.width,
            _("Item"),
            numbers,
            names,
            plain=bool(self.app.ansi_color),
        )
        if self.lines:
            table.move_cursor(row=min(max(row, 0), len(self.lines) - 1), animate=False)

    def table_rows(self) -> tuple[list[str], list[tuple[str, list[str]]]]:
        return [line.product.name for line in self.lines], [
            (_("Code"), [line.code for line in self.lines]),
            (_("Quantity"), [stock_qty(line.qty_milli, line.product.unit) for line in self.lines]),
        ]

    def add_goods(self, text: str) -> None:
        qty, code = quantity_and_code(text)
        product = find_product(self, code)
        same = [number for number, line in enumerate(self.lines) if line.product == product]
        if same:
            number = same[0]
            self.lines[number].qty_milli += qty or QTY_ONE
        else:
            number = len(self.lines)
            self.lines.append(Moved(code, product, qty or QTY_ONE))
        self.refresh_table(select=number)  # F8 and F9 act on the line just scanned
        line = self.lines[number]
        self.show_info(
            _("{name}: {qty}.").format(
                name=product.name, qty=stock_qty(line.qty_milli, product.unit)
            )
        )

    @in_order
    @guarded
    def action_set_shop(self) -> None:
        self.shop = checked_shop(self, self.take_entry())
        self.refresh_table()
        self.show_info(self.heading())

    def leave_title(self) -> str:
        return self.heading()

    def cancelled(self) -> str:
        return _("Transfer cancelled; nothing saved.")


class SendTransferScreen(_TransferWork):
    """Goods out to another shop, with the transfer note printed."""

    def keys(self) -> tuple[tuple[str, str, str, str], ...]:
        return (
            ("f10", "save", _("Send"), "F10"),
            ("f7", "set_shop", _("Shop"), "F7"),
            ("f8,ctrl+x", "set_quantity", _("Quantity"), "F8/^X"),
            ("f9,delete", "remove", _("Remove"), "F9/Del"),
            ("escape", "leave", _("Cancel"), "Esc"),
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.show_info(_("Type the shop ID the goods go to, then F7; then scan the goods."))

    def heading(self) -> str:
        if not self.shop:
            return _("Send to another shop")
        return _("Send to shop {shop}").format(shop=self.shop)

    @in_order
    @guarded
    def action_scan(self) -> None:
        text = self.take_entry()
        if text:
            self.add_goods(text)

    @in_order
    @guarded
    def action_save(self) -> None:
        if not self.shop:
            raise Refused(_("Type the shop ID the goods go to, then F7."))
        if not self.lines:
            raise Refused(_("Scan the goods first."))
        till = host(self).till
        notes = [
            NoteLine(line.code, line.product.name, line.qty_milli, line.product.unit)
            for line in self.lines
        ]
        transfer = send_with_note(
            transfers_of(self),
            till.print_queue,
            self.person,
            self.shop,
            notes,
            [line.product.id for line in self.lines],
        )
        host(self).print_waiting()
        self.dismiss(
            ngettext(
                "Transfer {id} to {shop}: {n} line sent; the note is printing.",
                "Transfer {id} to {shop}: {n} lines sent; the note is printing.",
                len(self.lines),
            ).format(id=transfer, shop=self.shop, n=len(self.lines))
        )


class ReceiveTransferScreen(_TransferWork):
    """Goods in from another shop, under the id on its transfer note."""

    def __init__(self, person: Person) -> None:
        super().__init__(person)
        self.transfer = ""
        self.check = HqCheck()  # what HQ says was sent (screens/transfer_check.py)
        self.halves = NoteHalves()  # a 58 mm note's two barcodes

    def keys(self) -> tuple[tuple[str, str, str, str], ...]:
        return (
            ("f10", "save", _("Book in"), "F10"),
            ("f7", "set_shop", _("From shop"), "F7"),
            ("f8,ctrl+x", "set_quantity", _("Quantity"), "F8/^X"),
            ("f9,delete", "remove", _("Remove"), "F9/Del"),
            ("escape", "leave", _("Cancel"), "Esc"),
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.show_info(
            _("Scan the note's barcode (or type the id, Enter), type the sending shop, F7.")
        )

    def heading(self) -> str:
        if not self.transfer:
            return _("Receive from another shop")
        return _("Receive transfer {id} from {shop}").format(
            id=self.transfer[:8], shop=self.shop or "?"
        )

    @in_order
    @guarded
    def action_scan(self) -> None:
        text = self.take_entry()
        if not text:
            return
        part = NoteHalves.part(text)
        transfer = self.halves.add(text) if part is not None else transfer_id_of(text)
        if part is not None and transfer is None:  # one of a 58 mm note's two barcodes
            self.show_info(
                _("Barcode {n} of 2 of the transfer note scanned: scan the other one.").format(
                    n=part
                )
            )
            return
        if transfer is not None:  # the note's barcode (or both halves), or the id typed
            self.transfer = transfer
            self.refresh_table()
            self.show_info(_("Transfer {id}.").format(id=transfer))
            self.check.start(self, transfer, self.checked)
            return
        self.add_goods(text)

    def checked(self) -> None:
        """HQ answered: its sending shop in place of none or another typed, the message said."""
        text, warn = self.check.said()
        sent = self.check.sent
        if sent is not None and self.shop.casefold() != sent.sender.casefold():
            if self.shop:
                text = _("Transfer {id} was sent by {sender} (HQ), not {shop}.").format(
                    id=sent.transfer[:8], sender=sent.sender, shop=self.shop
                )
                warn = True
            self.shop = sent.sender
        self.refresh_table()
        (self.show_error if warn else self.show_info)(text)

    def table_rows(self) -> tuple[list[str], list[tuple[str, list[str]]]]:
        if self.check.sent is None:
            return super().table_rows()
        return self.check.table(transfers_of(self), self.lines)

    def selected(self) -> Moved:
        self.check.not_scanned(self.query_one("#work-table", DataTable).cursor_row, self.lines)
        return super().selected()

    @in_order
    @guarded
    def action_set_shop(self) -> None:
        self.shop = self.check.shop(checked_shop(self, self.take_entry()))
        self.refresh_table()
        self.show_info(self.heading())

    @in_order
    @guarded
    def action_save(self) -> None:
        if not self.transfer:
            raise Refused(_("Scan the transfer note's barcode first."))
        if not self.shop:
            raise Refused(_("Type the shop ID the goods came from, then F7."))
        if not self.lines:
            raise Refused(_("Scan the goods first."))
        self.check.book(self, transfers_of(self), self.person, self.shop, self.lines, self.booked)

    def booked(self) -> None:
        self.dismiss(
            ngettext(
                "Transfer {id} from {shop}: {n} line received.",
                "Transfer {id} from {shop}: {n} lines received.",
                len(self.lines),
            ).format(id=self.transfer, shop=self.shop, n=len(self.lines))
        )
