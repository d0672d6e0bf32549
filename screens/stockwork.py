"""The shift lead's stock work screens: goods received and a stocktake (a stock adjustment is
a dialog, screens/dialogs/adjust.py).

Each screen scans into an entry line the same way as the sale screen ("5*" then a code adds
five) and saves through the stock service, which writes one transaction and the journal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static

from kassa_tui.catalog.lookup import ProductInfo
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import (
    QTY_ONE,
    InvalidAmount,
    InvalidQuantity,
    format_kr,
    parse_amount,
    parse_quantity,
)
from kassa_tui.people.person import Person
from kassa_tui.stock.stocktake import Count
from screens import columns, styles
from screens.dialogs.confirm import ConfirmDialog
from screens.dialogs.count_section import ChooseSection
from screens.formatting import stock_qty
from screens.host import guarded, host, show_message
from screens.stock_keys import bind_shown_first, in_order
from screens.stockwork_order import (
    PurchaseOrder,
    order_lines,
    order_title,
    ordered_column,
    receive_against_order,
)
from screens.widgets.keybar import KeyBar


def quantity_and_code(text: str) -> tuple[int | None, str]:
    """'5*7020164760728' → (5000, code); a bare code → (None, code)."""
    if "*" in text:
        qty_text, code = text.split("*", 1)
        try:
            return parse_quantity(qty_text), code.strip()
        except InvalidQuantity:
            raise Refused(_("{text} is not a quantity.").format(text=qty_text)) from None
    return None, text.strip()


def find_product(screen: DOMNode, code: str) -> ProductInfo:
    baskets = host(screen).till.baskets
    return baskets.find_product(baskets.classify(code))


class _Work(Screen[str | None]):
    """A work screen with a title, a table, an entry line and a message line."""

    CSS_PATH = styles.STOCK
    AUTO_FOCUS = "#work-entry"

    def __init__(self, person: Person) -> None:
        super().__init__(classes="work-screen")
        self.person = person

    def compose(self) -> ComposeResult:
        yield Label(markup=False, content="", id="stock-title")
        table: DataTable[str | Text] = DataTable(
            id="work-table", cursor_type="row", zebra_stripes=True
        )
        table.can_focus = False
        yield table
        yield Static(markup=False, content="", id="stock-message", classes="message")
        yield Input(id="work-entry", placeholder=_("Scan, or 5* then the code"), max_length=40)
        yield KeyBar()

    def on_mount(self) -> None:
        for keys, action, words, shown in self.keys():
            bind_shown_first(self, keys, action, words, shown)
        # Enter too is the screen's, so a scan takes its turn with the keys around it.
        self._bindings.bind("enter", "scan", show=False, priority=True)
        self._bindings.bind("up", "cursor(-1)", show=False, priority=True)
        self._bindings.bind("down", "cursor(1)", show=False, priority=True)
        self.refresh_bindings()
        self.refresh_table()

    def on_resize(self) -> None:
        if self.is_mounted:
            self.refresh_table()

    def keys(self) -> tuple[tuple[str, str, str, str], ...]:
        """(keys, action, words for the key bar, key display), translated at mount; the most
        important first."""
        return ()

    def refresh_table(self) -> None:
        raise NotImplementedError

    def action_cursor(self, step: int) -> None:
        table = self.query_one("#work-table", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def clear_typing(self) -> bool:
        """Esc's first press: forget what was typed (True), as on the sale screen."""
        entry = self.query_one("#work-entry", Input)
        if not entry.value:
            return False
        entry.value = ""
        return True

    def take_entry(self) -> str:
        entry = self.query_one("#work-entry", Input)
        text, entry.value = entry.value.strip(), ""
        return text

    def show_error(self, message: str) -> None:
        show_message(self, "#stock-message", message, error=True)

    def show_info(self, message: str) -> None:
        show_message(self, "#stock-message", message, error=False)


@dataclass
class Received:
    """One line of a delivery being scanned: the product, how many, its cost price if typed."""

    product: ProductInfo
    qty_milli: int
    cost_ore: int | None = None


class _Line(Protocol):
    qty_milli: int


L = TypeVar("L", bound=_Line)


class _LineWork(_Work, Generic[L]):
    """A work screen of scanned lines (goods in, a transfer): F8 sets the selected line's
    quantity, F9 removes it, Esc clears the typing, then asks before throwing lines away."""

    def __init__(self, person: Person) -> None:
        super().__init__(person)
        self.lines: list[L] = []

    def leave_title(self) -> str:
        """The question's title when Esc would throw scanned lines away."""
        raise NotImplementedError

    def cancelled(self) -> str:
        """What the screen under it says once the lines are thrown away."""
        raise NotImplementedError

    def selected(self) -> L:
        if not self.lines:
            raise Refused(_("Scan the goods first."))
        return self.lines[self.query_one("#work-table", DataTable).cursor_row]

    @in_order
    @guarded
    def action_set_quantity(self) -> None:
        text = self.take_entry()
        line = self.selected()
        try:
            line.qty_milli = parse_quantity(text)
        except InvalidQuantity:
            raise Refused(_("{text} is not a quantity.").format(text=text)) from None
        self.refresh_table()

    @in_order
    @guarded
    def action_remove(self) -> None:
        self.lines.remove(self.selected())
        self.refresh_table()

    @in_order
    def action_leave(self) -> None:
        """Esc: clears what was typed first; scanned lines are thrown away only on a yes."""
        if self.clear_typing():
            return
        if not self.lines:
            self.dismiss(None)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(self.cancelled())

        self.app.push_screen(
            ConfirmDialog(
                self.leave_title(),
                _("Scanned lines not saved: {n}. Throw them away?").format(n=len(self.lines)),
                _("throw them away"),
            ),
            answered,
        )


class GoodsReceivedScreen(_LineWork[Received]):
    """Scan what came in, set quantities and cost prices, save it as one delivery."""

    def keys(self) -> tuple[tuple[str, str, str, str], ...]:
        return (
            ("f10,ctrl+k", "save", _("Save"), "F10/^K"),
            ("f6,ctrl+d", "set_cost", _("Cost price"), "F6/^D"),
            ("f8,ctrl+x", "set_quantity", _("Quantity"), "F8/^X"),
            ("f9,delete", "remove", _("Remove"), "F9/Del"),
            ("f7,ctrl+o", "from_order", _("Order"), "F7/^O"),
            ("escape", "leave", _("Cancel"), "Esc"),
        )

    def __init__(self, person: Person) -> None:
        super().__init__(person)
        self.order: PurchaseOrder | None = None  # the purchase order this delivery is against

    def refresh_table(self, select: int | None = None) -> None:
        """Redraw the lines; the selection stays, or moves to line `select`."""
        self.query_one("#stock-title", Label).update(order_title(self.order))
        table = self.query_one("#work-table", DataTable)
        row = table.cursor_row if select is None else select
        columns.fill(
            table,
            self.app.size.width,
            _("Item"),
            [
                (
                    _("Quantity"),
                    [stock_qty(line.qty_milli, line.product.unit) for line in self.lines],
                ),
                (
                    _("Cost price"),
                    [
                        format_kr(line.cost_ore) if line.cost_ore is not None else "-"
                        for line in self.lines
                    ],
                ),
                *ordered_column(self.order, [line.product.id for line in self.lines]),
            ],
            [line.product.name for line in self.lines],
            plain=bool(self.app.ansi_color),
        )
        if self.lines:
            table.move_cursor(row=min(max(row, 0), len(self.lines) - 1), animate=False)

    @in_order
    @guarded
    def action_scan(self) -> None:
        text = self.take_entry()
        if not text:
            return
        qty, code = quantity_and_code(text)
        product = find_product(self, code)
        same = [number for number, line in enumerate(self.lines) if line.product == product]
        if same:
            number = same[0]
            self.lines[number].qty_milli += qty or QTY_ONE
        else:
            number = len(self.lines)
            self.lines.append(Received(product, qty or QTY_ONE))
        # F6 and F8 act on the selected line: it must be the one just scanned.
        self.refresh_table(select=number)
        self.show_info(_("{name}: received.").format(name=product.name))

    def leave_title(self) -> str:
        return _("Goods received")

    def cancelled(self) -> str:
        return _("Goods received cancelled; nothing saved.")

    @in_order
    @guarded
    def action_set_cost(self) -> None:
        text = self.take_entry()
        line = self.selected()
        try:
            line.cost_ore = parse_amount(text)
        except InvalidAmount:
            raise Refused(_("{text} is not an amount.").format(text=text)) from None
        self.refresh_table()

    @in_order
    @guarded
    def action_save(self) -> None:
        reference = self.take_entry()
        if not self.lines:
            raise Refused(_("Scan the goods first."))
        rows = [(line.product.id, line.qty_milli, line.cost_ore) for line in self.lines]
        if self.order is not None:  # against a purchase order: it knows what was ordered
            self.dismiss(
                receive_against_order(host(self).till, self.person, self.order, rows, reference)
            )
            return
        host(self).till.stock.receive(self.person, rows, reference)
        self.dismiss(_("Goods received: {n} lines saved.").format(n=len(rows)))

    @in_order
    @guarded
    def action_from_order(self) -> None:
        """The purchase order typed in the entry line: its outstanding lines, as ordered."""
        self.order, lines = order_lines(host(self).till, self.take_entry(), self.lines)
        self.lines = [Received(product, qty_milli, cost) for product, qty_milli, cost in lines]
        self.refresh_table(select=0)
        self.show_info(
            _("Order {number}: scan what came, change what differs, F10 saves.").format(
                number=self.order.number
            )
        )


class StocktakeScreen(_Work):
    """Count a group or the whole shop; see the variance; post it in one go."""

    def keys(self) -> tuple[tuple[str, str, str, str], ...]:
        return (
            ("f10,ctrl+k", "post", _("Post"), "F10/^K"),
            ("f8,ctrl+x", "set_count", _("Set count"), "F8/^X"),
            ("escape", "leave", _("Leave (resume later)"), "Esc"),
            ("f9,ctrl+z", "cancel_count", _("Discard count"), "F9/^Z"),
        )

    def __init__(self, person: Person) -> None:
        super().__init__(person)
        self.count: Count | None = None
        self.rows: list[ProductInfo] = []

    def on_mount(self) -> None:
        self.count = host(self).till.stocktakes.open_count()
        super().on_mount()
        if self.count is None:
            groups = host(self).till.stock.groups()
            self.app.push_screen(ChooseSection(groups), self.section_chosen)

    @guarded
    def section_chosen(self, choice: str | None) -> None:
        if choice is None:
            self.dismiss(None)
            return
        group = None if choice == "*" else choice
        self.count = host(self).till.stocktakes.start_count(self.person, group)
        self.refresh_table()

    def refresh_table(self, select: ProductInfo | None = None) -> None:
        """Redraw the count; the selection stays, or moves to the product `select`."""
        table = self.query_one("#work-table", DataTable)
        row = table.cursor_row
        count = self.count
        if count is None or count.group_code is None:
            where = _("whole shop")
        else:
            names = dict(host(self).till.stock.groups())
            where = f"{count.group_code} {names.get(count.group_code, '')}".strip()
        self.query_one("#stock-title", Label).update(_("Stocktake: {where}").format(where=where))
        variances = [] if count is None else host(self).till.stocktakes.variances(count.id)
        self.rows = [variance.product for variance in variances]
        columns.fill(
            table,
            self.app.size.width,
            _("Item"),
            [
                (_("Book"), [stock_qty(v.book_milli, v.product.unit) for v in variances]),
                (
                    _("Counted"),
                    [
                        stock_qty(v.counted_milli, v.product.unit) if v.counted else "-"
                        for v in variances
                    ],
                ),
                (
                    _("Difference"),
                    [
                        ("+" if v.diff_milli > 0 else "") + stock_qty(v.diff_milli, v.product.unit)
                        for v in variances
                    ],
                ),
            ],
            [product.name for product in self.rows],
            plain=bool(self.app.ansi_color),
        )
        if select is not None and select in self.rows:
            row = self.rows.index(select)
        if self.rows:
            table.move_cursor(row=min(max(row, 0), len(self.rows) - 1), animate=False)

    def current(self) -> Count:
        if self.count is None:
            raise Refused(_("No count is open."))
        return self.count

    @in_order
    @guarded
    def action_scan(self) -> None:
        text = self.take_entry()
        if not text:
            return
        qty, code = quantity_and_code(text)
        product = find_product(self, code)
        total = host(self).till.stocktakes.count(
            self.person, self.current().id, product.id, qty or QTY_ONE
        )
        self.refresh_table(select=product)  # F8 then sets the count of what was just scanned
        self.show_info(
            _("{name}: {total} counted.").format(
                name=product.name, total=stock_qty(total, product.unit)
            )
        )

    @in_order
    @guarded
    def action_set_count(self) -> None:
        text = self.take_entry()
        if not self.rows:
            raise Refused(_("Scan something first."))
        product = self.rows[self.query_one("#work-table", DataTable).cursor_row]
        try:
            qty = 0 if text.strip() == "0" else parse_quantity(text)
        except InvalidQuantity:
            raise Refused(_("{text} is not a quantity.").format(text=text)) from None
        host(self).till.stocktakes.set_count(self.person, self.current().id, product.id, qty)
        self.refresh_table(select=product)
        self.show_info(
            _("{name}: {total} counted.").format(
                name=product.name, total=stock_qty(qty, product.unit)
            )
        )

    @in_order
    @guarded
    def action_post(self) -> None:
        adjusted = host(self).till.stocktakes.post_count(self.person, self.current().id)
        self.dismiss(_("Stocktake posted: {n} products adjusted.").format(n=adjusted))

    @in_order
    @guarded
    def action_cancel_count(self) -> None:
        count = self.current()

        @guarded
        def answered(self: StocktakeScreen, yes: bool | None) -> None:
            if yes:
                host(self).till.stocktakes.cancel_count(self.person, count.id)
                self.dismiss(_("The count was discarded; stock is unchanged."))

        self.app.push_screen(
            ConfirmDialog(
                _("Discard count"),
                _("Everything counted so far is thrown away and stock stays as it is. Discard?"),
                _("discard the count"),
            ),
            lambda yes: answered(self, yes),
        )

    @in_order
    def action_leave(self) -> None:
        if not self.clear_typing():
            self.dismiss(_("The count stays open; it resumes next time."))
