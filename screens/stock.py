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
from textual.widgets import DataTable, Input, Label, Static

from kassa_tui.catalog.lookup import ProductInfo
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr, format_rate
from kassa_tui.people.person import Person
from kassa_tui.stock.campaign_edit import changeable
from kassa_tui.stock.importing.campaigns import end_campaign, list_campaigns
from kassa_tui.stock.levels import LowStock, ProductDetails
from screens import columns, styles
from screens.dialogs.adjust import AdjustDialog
from screens.dialogs.approval import ApprovalDialog
from screens.dialogs.campaign_form import CampaignForm
from screens.dialogs.campaigns import NEW as NEW_CAMPAIGN
from screens.dialogs.campaigns import CampaignsDialog
from screens.dialogs.confirm import ConfirmDialog
from screens.dialogs.product_form import ProductForm
from screens.formatting import stock_qty
from screens.host import guarded, host, show_message
from screens.stock_keys import bind_shown_first, in_order
from screens.stock_transfer import ReceiveTransferScreen, SendTransferScreen
from screens.stockwork import GoodsReceivedScreen, StocktakeScreen
from screens.widgets.keybar import KeyBar

#: Who may change stock without a shift lead's approval on the spot.
STOCK_ROLES = ("shift_lead", "technician")
#: Wait this long after the last key before searching: fast typing never queues stale searches.
DEBOUNCE_SECONDS = 0.08
#: The details panel's width, border and padding included (screens/stock.tcss #stock-side).
SIDE_WIDTH = 32
#: Narrower than this, the details panel is SIDE_NARROW wide (screens/stock.tcss).
NARROW = 72
SIDE_NARROW = 24
#: Narrower than this, the low-stock list takes the whole width (its headers need the room).
WIDE = 100


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
        self.searched: str | None = None  # the text the results are for

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
        yield KeyBar()

    def on_mount(self) -> None:
        # Bound here, not in BINDINGS, so the key bar speaks the language set at start-up;
        # the most important first, as the key bar lists them in this order.
        for keys, action, words, shown in (
            ("enter", "add", _("Add the item"), "Enter"),
            ("escape,f2,ctrl+s", "back", _("Back"), "Esc/F2"),
            ("f3,ctrl+w", "low_stock", _("Low stock"), "F3"),
            ("f4,ctrl+e", "goods_received", _("Goods in"), "F4"),
            ("f5,ctrl+j", "adjust", _("Adjust"), "F5"),
            ("f6,ctrl+t", "stocktake", _("Count"), "F6"),
            ("f7,ctrl+o", "edit_product", _("Edit"), "F7"),
            ("f8,ctrl+n", "new_product", _("New"), "F8"),
            ("f9,ctrl+k", "campaigns", _("Campaigns"), "F9"),
            ("f10", "send_transfer", _("Send"), "F10"),
            ("f11", "receive_transfer", _("Receive"), "F11"),
        ):
            bind_shown_first(self, keys, action, words, shown)
        self.refresh_bindings()
        self.search_now()

    # -- searching ----------------------------------------------------------------------------

    @on(Input.Changed, "#stock-search")
    def typed(self) -> None:
        if self.pending is not None:
            self.pending.stop()
        self.pending = self.set_timer(DEBOUNCE_SECONDS, self.search_now)

    @guarded
    def search_now(self, keep_row: bool = False) -> None:
        if self.pending is not None:
            self.pending.stop()
        self.pending = None
        self.low = None
        text = self.query_one("#stock-search", Input).value
        self.searched = text
        self.products = host(self).till.catalog.search(text) if text.strip() else []
        self.fill_table(keep_row=keep_row)

    def fill_table(self, *, keep_row: bool = False) -> None:
        table = self.query_one("#stock-results", DataTable)
        row = table.cursor_row if keep_row else 0
        stock = host(self).till.stock
        plain = bool(self.app.ansi_color)
        if self.low is not None:
            self.query_one("#stock-title", Label).update(_("Low stock: at or below reorder point"))
            self.set_class(self.size.width < WIDE, "-list-only")
            units = [low.product.unit for low in self.low]

            def quantities(values: list[int]) -> list[str]:
                return [stock_qty(milli, unit) for milli, unit in zip(values, units, strict=True)]

            columns.fill(
                table,
                self.table_width(),
                _("Item"),
                [
                    (header, quantities(values))
                    for header, values in (
                        (_("On hand"), [low.on_hand_milli for low in self.low]),
                        (_("Reorder at"), [low.reorder_point_milli for low in self.low]),
                        (_("Order"), [low.suggested_milli for low in self.low]),
                    )
                ],
                [low.product.name for low in self.low],
                plain=plain,
            )
            self.products = [low.product for low in self.low]
        else:
            self.query_one("#stock-title", Label).update(_("Stock lookup"))
            self.remove_class("-list-only")
            levels = stock.on_hand([product.id for product in self.products])
            columns.fill(
                table,
                self.table_width(),
                _("Item"),
                [
                    (_("Price"), [format_kr(p.price_ore) for p in self.products]),
                    (
                        _("On hand"),
                        [stock_qty(levels.get(p.id, 0), p.unit) for p in self.products],
                    ),
                ],
                [
                    p.name if p.active else _("{name} (not sold)").format(name=p.name)
                    for p in self.products
                ],
                plain=plain,
            )
        if self.products:
            table.move_cursor(row=max(0, min(row, len(self.products) - 1)))
        self.show_details()

    def table_width(self) -> int:
        """The results' width: the screen less the details panel, when it is shown (narrower
        on a small terminal, so the names keep some room)."""
        width = self.app.size.width
        self.set_class(width < NARROW, "-narrow")
        if self.has_class("-list-only"):
            return width
        return width - (SIDE_NARROW if width < NARROW else SIDE_WIDTH)

    def on_resize(self) -> None:
        if self.is_mounted and self.pending is None:
            self.fill_table(keep_row=True)

    def selected(self) -> ProductInfo | None:
        if self.low is None and self.query_one("#stock-search", Input).value != self.searched:
            self.search_now()  # what was typed counts, even before the debounce ran
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
            text = self.query_one("#stock-search", Input).value.strip()
            if self.low is not None:
                box.update(_("Nothing is low."))
            elif text:
                box.update(_('No product matches "{text}".').format(text=text))
            else:
                box.update(_("Type to search."))
            return
        box.update(details_text(host(self).till.stock.details(product.id)))

    def show_error(self, message: str) -> None:
        show_message(self, "#stock-message", message, error=True)

    def show_info(self, message: str) -> None:
        show_message(self, "#stock-message", message, error=False)

    # -- actions ------------------------------------------------------------------------------

    @in_order
    @guarded
    def action_add(self) -> None:
        product = self.selected()
        if product is None:
            raise Refused(_("Nothing selected."))
        if not product.active:
            raise Refused(_("{name} is no longer sold.").format(name=product.name))
        self.dismiss(product)

    def action_back(self) -> None:
        self.dismiss(None)

    @in_order
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
        if person is not None and person.role in STOCK_ROLES:
            then(person)
            return

        @guarded
        def approved(self: StockScreen, approval: tuple[str, str] | None) -> None:
            if approval is not None:
                then(app.till.users.approver(*approval))

        self.app.push_screen(ApprovalDialog(reason), lambda value: approved(self, value))

    @in_order
    def action_goods_received(self) -> None:
        self.as_stock_person(
            lambda person: self.app.push_screen(GoodsReceivedScreen(person), self.work_done),
            _("Goods received"),
        )

    @in_order
    def action_send_transfer(self) -> None:
        self.as_stock_person(
            lambda person: self.app.push_screen(SendTransferScreen(person), self.work_done),
            _("Send to another shop"),
        )

    @in_order
    def action_receive_transfer(self) -> None:
        self.as_stock_person(
            lambda person: self.app.push_screen(ReceiveTransferScreen(person), self.work_done),
            _("Receive from another shop"),
        )

    @in_order
    def action_stocktake(self) -> None:
        self.as_stock_person(
            lambda person: self.app.push_screen(StocktakeScreen(person), self.work_done),
            _("Stocktake"),
        )

    @in_order
    def action_adjust(self) -> None:
        """The dialog asks a shift lead for a cashier once the change and reason are known."""
        product = self.selected()
        if product is None:
            self.show_error(_("Nothing selected."))
            return
        app = host(self)
        if app.read_only:
            self.show_error(_("This is a read-only view: the till is running elsewhere."))
            return
        person = app.person
        allowed = person if person is not None and person.role in STOCK_ROLES else None
        self.app.push_screen(AdjustDialog(allowed, product), self.work_done)

    @in_order
    def action_edit_product(self) -> None:
        product = self.selected()
        if product is None:
            self.show_error(_("Nothing selected."))
            return
        self.product_form(product)

    @in_order
    def action_new_product(self) -> None:
        self.product_form(None)

    def product_form(self, product: ProductInfo | None) -> None:
        """The form at once; a cashier's is approved by a shift lead when saved, after its
        fields are checked (screens.dialogs.product_form)."""
        app = host(self)
        if app.read_only:
            self.show_error(_("This is a read-only view: the till is running elsewhere."))
            return
        person = app.person
        allowed = person if person is not None and person.role in STOCK_ROLES else None
        self.app.push_screen(ProductForm(allowed, product), self.work_done)

    @in_order
    def action_campaigns(self) -> None:
        self.as_stock_person(self.show_campaigns, _("Campaigns"))

    def show_campaigns(self, person: Person) -> None:
        """The campaign list (screens.dialogs.campaigns); Enter, then Y, ends one; F7 changes
        one and F8 makes one (screens.dialogs.campaign_form)."""
        app = host(self)
        till = app.till
        listed = list_campaigns(till.db)
        dialog = CampaignsDialog(listed, till.clock.now().utc_text, plain=bool(self.app.ansi_color))

        def confirmed(campaign_id: int, yes: bool | None) -> None:
            if not yes:
                return
            try:
                name = end_campaign(till.db, till.journal, till.clock, person, campaign_id)
            except Refused as exc:
                self.show_error(exc.message)
                return
            self.show_info(_("Campaign {name} ended.").format(name=name))

        def chosen(campaign_id: int | None) -> None:
            if campaign_id is None:
                return
            if campaign_id == NEW_CAMPAIGN:
                self.app.push_screen(CampaignForm(person), self.work_done)
                return
            if dialog.change:
                try:
                    changeable(till.db, till.clock, campaign_id)
                except Refused as exc:
                    self.show_error(exc.message)
                    return
                self.app.push_screen(CampaignForm(person, campaign_id), self.work_done)
                return
            name = next(c.name for c in listed if c.id == campaign_id)
            question = ConfirmDialog(
                _("Campaigns"), _("End {name} now?").format(name=name), _("end it")
            )
            self.app.push_screen(question, lambda yes: confirmed(campaign_id, yes))

        self.app.push_screen(dialog, chosen)

    def work_done(self, message: str | None) -> None:
        if message:
            self.show_info(message)
        if self.low is not None:
            self.low = host(self).till.stock.low_stock()
            self.fill_table(keep_row=True)
        else:
            self.search_now(keep_row=True)
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
            day = f"{move.local[8:10]}.{move.local[5:7]} {move.local[11:]}"  # 27.11 13:05
            lines.append(f"{day} {sign}{stock_qty(move.delta_milli, unit)} {move.label}")
    return "\n".join(lines)
