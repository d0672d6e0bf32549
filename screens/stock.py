"""The stock lookup: search as you type, a product's details, the low-stock list.

Opened over the sale screen with one key and closed with one key: the basket underneath is
never touched. The shift lead's stock work (goods received, adjustments, stocktake, product
maintenance) starts here; a cashier gets a shift lead's approval on the spot.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Label, Static

from kassa_tui.catalog.lookup import ProductInfo
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr, format_rate
from kassa_tui.people.person import Person
from kassa_tui.stock.levels import LowStock, ProductDetails
from screens import styles
from screens.dialogs.adjust import AdjustDialog
from screens.dialogs.approval import ApprovalDialog
from screens.dialogs.product_form import ProductForm
from screens.formatting import stock_qty
from screens.host import guarded, host, show_message
from screens.stockwork import GoodsReceivedScreen, StocktakeScreen

#: Wait this long after the last key before searching: fast typing never queues stale searches.
DEBOUNCE_SECONDS = 0.08


class StockScreen(Screen[ProductInfo | None]):
    """Dismisses with a product to add to the basket, or None to go back unchanged."""

    CSS_PATH = styles.STOCK
    AUTO_FOCUS = "#stock-search"
    BINDINGS = [
        Binding("up", "cursor(-1)", show=False, priority=True),
        Binding("down", "cursor(1)", show=False, priority=True),
    ]

    def __init__(self, text: str = "") -> None:
        super().__init__(id="stock-screen")
        self.initial = text
        self.products: list[ProductInfo] = []
        self.low: list[LowStock] | None = None
        self.pending: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Label(markup=False, content=_("Stock lookup"), id="stock-title")
        yield Input(
            value=self.initial,
            placeholder=_("Search: name, barcode, PLU or group"),
            id="stock-search",
            max_length=60,
        )
        with Horizontal(id="stock-body"):
            table: DataTable[str | Text] = DataTable(
                id="stock-results", cursor_type="row", zebra_stripes=True
            )
            table.can_focus = False
            yield table
            with Vertical(id="stock-side"):
                yield Static(markup=False, content="", id="stock-details")
        yield Static(markup=False, content="", id="stock-message", classes="message")
        yield Footer()

    def on_mount(self) -> None:
        # Bound here, not in BINDINGS, so the Footer speaks the language set at start-up.
        for keys, action, words, shown in (
            ("escape,f2,ctrl+s", "back", _("Back"), "Esc/F2"),
            ("f3,ctrl+w", "low_stock", _("Low stock"), "F3/^W"),
            ("f4,ctrl+e", "goods_received", _("Goods in"), "F4/^E"),
            ("f5,ctrl+j", "adjust", _("Adjust"), "F5/^J"),
            ("f6,ctrl+t", "stocktake", _("Count"), "F6/^T"),
            ("f7,ctrl+o", "edit_product", _("Edit"), "F7/^O"),
            ("f8,ctrl+n", "new_product", _("New"), "F8/^N"),
        ):
            self._bindings.bind(keys, action, words, key_display=shown, priority=True)
        self.refresh_bindings()
        self.search_now()

    # -- searching ----------------------------------------------------------------------------

    @on(Input.Changed, "#stock-search")
    def typed(self) -> None:
        if self.pending is not None:
            self.pending.stop()
        self.pending = self.set_timer(DEBOUNCE_SECONDS, self.search_now)

    @guarded
    def search_now(self) -> None:
        self.pending = None
        self.low = None
        text = self.query_one("#stock-search", Input).value
        self.products = host(self).till.catalog.search(text) if text.strip() else []
        self.fill_table()

    def fill_table(self) -> None:
        table = self.query_one("#stock-results", DataTable)
        table.clear(columns=True)
        stock = host(self).till.stock
        if self.low is not None:
            self.query_one("#stock-title", Label).update(_("Low stock: at or below reorder point"))
            table.add_column(_("Item"), width=self.name_width(3 * 8))
            for label in (_("On hand"), _("Reorder at"), _("Order")):
                table.add_column(Text(label, justify="right"), width=8)
            for row in self.low:
                unit = row.product.unit
                table.add_row(
                    Text(row.product.name),
                    *[
                        stock_qty(milli, unit).rjust(8)
                        for milli in (
                            row.on_hand_milli,
                            row.reorder_point_milli,
                            row.suggested_milli,
                        )
                    ],
                )
            self.products = [row.product for row in self.low]
        else:
            self.query_one("#stock-title", Label).update(_("Stock lookup"))
            table.add_column(_("Item"), width=self.name_width(9 + 8))
            table.add_columns(
                Text(_("Price"), justify="right"), Text(_("On hand"), justify="right")
            )
            levels = stock.on_hand([product.id for product in self.products])
            for product in self.products:
                on_hand = levels.get(product.id, 0)
                name = (
                    product.name
                    if product.active
                    else _("{name} (not sold)").format(name=product.name)
                )
                table.add_row(
                    Text(name),
                    format_kr(product.price_ore).rjust(9),
                    stock_qty(on_hand, product.unit).rjust(8),
                )
        self.show_details()

    def name_width(self, others: int) -> int:
        """The name column gets what the numbers, the padding and the details panel leave."""
        columns = others // 8 + 1
        return max(12, self.size.width - 32 - others - 2 * (columns + 1) - 4)  # + scrollbar

    def selected(self) -> ProductInfo | None:
        if not self.products:
            return None
        row = self.query_one("#stock-results", DataTable).cursor_row
        return self.products[max(0, min(row, len(self.products) - 1))]

    def action_cursor(self, step: int) -> None:
        table = self.query_one("#stock-results", DataTable)
        if self.products:
            table.move_cursor(row=max(0, min(len(self.products) - 1, table.cursor_row + step)))
            self.show_details()

    def show_details(self) -> None:
        product = self.selected()
        box = self.query_one("#stock-details", Static)
        if product is None:
            box.update(_("Type to search.") if self.low is None else _("Nothing is low."))
            return
        box.update(details_text(host(self).till.stock.details(product.id)))

    def show_error(self, message: str) -> None:
        show_message(self, "#stock-message", message, error=True)

    def show_info(self, message: str) -> None:
        show_message(self, "#stock-message", message, error=False)

    # -- actions ------------------------------------------------------------------------------

    @on(Input.Submitted, "#stock-search")
    @guarded
    def add_to_basket(self) -> None:
        if self.pending is not None:
            self.search_now()
        product = self.selected()
        if product is None:
            raise Refused(_("Nothing selected."))
        if not product.active:
            raise Refused(_("{name} is no longer sold.").format(name=product.name))
        self.dismiss(product)

    def action_back(self) -> None:
        self.dismiss(None)

    @guarded
    def action_low_stock(self) -> None:
        if self.low is not None:
            self.search_now()
            return
        self.low = host(self).till.stock.low_stock()
        self.fill_table()

    def as_stock_person(self, then: Callable[[Person], object], reason: str) -> None:
        """Run `then` as someone allowed to change stock: the user, or an approving shift lead."""
        app = host(self)
        if app.read_only:
            self.show_error(_("This is a read-only view: the till is running elsewhere."))
            return
        person = app.person
        if person is not None and person.role in ("shift_lead", "technician"):
            then(person)
            return

        @guarded
        def approved(self: StockScreen, approval: tuple[str, str] | None) -> None:
            if approval is not None:
                then(app.till.users.approver(*approval))

        self.app.push_screen(ApprovalDialog(reason), lambda value: approved(self, value))

    def action_goods_received(self) -> None:
        self.as_stock_person(
            lambda person: self.app.push_screen(GoodsReceivedScreen(person), self.work_done),
            _("Goods received"),
        )

    def action_stocktake(self) -> None:
        self.as_stock_person(
            lambda person: self.app.push_screen(StocktakeScreen(person), self.work_done),
            _("Stocktake"),
        )

    def action_adjust(self) -> None:
        product = self.selected()
        if product is None:
            self.show_error(_("Nothing selected."))
            return
        self.as_stock_person(
            lambda person: self.app.push_screen(AdjustDialog(person, product), self.work_done),
            _("Stock adjustment: {name}").format(name=product.name),
        )

    def action_edit_product(self) -> None:
        product = self.selected()
        if product is None:
            self.show_error(_("Nothing selected."))
            return
        self.as_stock_person(
            lambda person: self.app.push_screen(ProductForm(person, product), self.work_done),
            _("Change {name}").format(name=product.name),
        )

    def action_new_product(self) -> None:
        self.as_stock_person(
            lambda person: self.app.push_screen(ProductForm(person, None), self.work_done),
            _("New product"),
        )

    def work_done(self, message: str | None) -> None:
        if message:
            self.show_info(message)
        if self.low is not None:
            self.low = host(self).till.stock.low_stock()
            self.fill_table()
        else:
            self.search_now()
        self.query_one("#stock-search", Input).focus()


def details_text(details: ProductDetails) -> str:
    """The selected product, as the shift lead reads it."""
    p = details.product
    unit = p.unit
    per_kg = " " + _("per kg") if unit == "kg" else ""
    sold = stock_qty(details.sold_7_milli, unit) + " / " + stock_qty(details.sold_30_milli, unit)
    rows = [
        (_("Price"), format_kr(p.price_ore) + per_kg),
        (_("Group"), f"{p.group_code} {p.group_name}"),
        (_("VAT"), format_rate(p.vat_bp)),
        ("PLU", p.plu or "-"),
        (_("Barcodes"), ", ".join(details.barcodes) or "-"),
        (_("On hand"), stock_qty(details.on_hand_milli, unit)),
        (_("Reorder at"), stock_qty(details.reorder_point_milli, unit)),
        (_("Last delivery"), details.last_delivery_local or "-"),
        (_("Sold 7 / 30 days"), sold),
    ]
    if details.cost_ore is not None:
        rows.append((_("Cost price"), format_kr(details.cost_ore)))
    lines = [p.name + ("" if p.active else "  " + _("(not sold)"))]
    lines += [f"{label}: {value}" for label, value in rows]
    if details.movements:
        lines.append(_("Recent movements:"))
        for move in details.movements[:6]:
            sign = "+" if move.delta_milli > 0 else ""
            lines.append(f" {move.local}  {sign}{stock_qty(move.delta_milli, unit)}  {move.label}")
    return "\n".join(lines)
