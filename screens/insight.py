"""The insight screen (issue 16): how the shop is doing and what sells, for a shift lead.

Tabs: Sales (today, this week and this month against the same stretch before; 90 days of
revenue as a Sparkline with its 7-day average; the busy hours as a weekday x hour table with
shaded cells) and Products (units, revenue, margin, ABC, trend, days of cover, dead stock;
sorted with a key, searched by typing, Enter opens the product in the stock lookup). A
Together tab shows the product pairs once their widget is there (screens.insight_together).

The figures (kassa_tui.insight.figures) are read in a thread worker on a connection of its
own and kept with their time ("figures as of 14:02"): the till never waits for them, and
opening the screen again shows the kept figures at once. F2 reads them again.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
from dataclasses import dataclass

from rich.text import Text
from textual import events, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Label, Sparkline, Static, TabbedContent, TabPane

from kassa_tui.core.clock import parse_utc
from kassa_tui.core.i18n import _
from kassa_tui.insight import figures_apart
from kassa_tui.insight.figures import ProductRow, SalesFigures
from kassa_tui.insight.product_table import ProductTable
from screens import columns, insight_sales, styles
from screens.dialogs.help import HelpDialog
from screens.host import host, show_message
from screens.insight_accuracy import AccuracyPane
from screens.insight_keys import Key, bind_keys, help_key, key_help_rows, sort_keys
from screens.insight_members import MembersPane
from screens.insight_reorder import ReorderPane
from screens.insight_sales import change_text, whole_kr
from screens.insight_together import TogetherPane
from screens.widgets.keybar import KeyBar

#: Who sees the figures: a shift lead and up (a cashier is told so).
INSIGHT_ROLES = ("shift_lead", "technician")
#: The Products table lists this many rows of the chosen order (the search finds the rest).
SHOWN_ROWS = 200

#: Kept figures per database file: (sales, products).
_kept: dict[str, tuple[SalesFigures, ProductTable]] = {}


@dataclass(frozen=True)
class Sort:
    key: str  # units, revenue, margin, dead
    worst_first: bool = False


def release_memory() -> None:
    """Give the heap's free pages back to the system (glibc's malloc_trim): the read's rows are
    gone, but the C heap keeps their pages (about 35 MB on the benchmark's year) otherwise."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def product_order(table: ProductTable, sort: Sort, search: str) -> list[ProductRow]:
    """The first SHOWN_ROWS of the chosen order (as figures.ranked, `kassa report products`)
    among the products whose name holds the search or whose PLU is it."""
    return table.ordered(sort.key, worst_first=sort.worst_first, search=search, limit=SHOWN_ROWS)


def qty(milli: int, unit: str) -> str:
    if unit == "kg":
        return f"{milli / 1000:.1f}".replace(".", ",")
    return str(round(milli / 1000))


class InsightScreen(Screen[None]):
    """Sales and Products for a shift lead; a cashier is told it is not for them."""

    CSS_PATH = [styles.STOCK, styles.HERE / "insight.tcss"]

    def __init__(self) -> None:
        super().__init__(id="insight-screen")
        self.sales: SalesFigures | None = None
        self.products: ProductTable | None = None
        self.sort = Sort("revenue")
        self.search = ""
        self.listed: list[ProductRow] = []
        self.allowed = False

    def compose(self) -> ComposeResult:
        yield Label(markup=False, content=_("Insight"), id="stock-title")
        person = host(self).person
        self.allowed = person is not None and person.role in INSIGHT_ROLES
        if self.allowed:  # a cashier's screen holds no figure, nor the Together tab's worker
            yield from self.tabs()
        else:
            yield Static(markup=False, content="", id="insight-refused")
        yield Static(markup=False, content="", id="stock-message", classes="message")
        yield KeyBar()

    def tabs(self) -> ComposeResult:
        with TabbedContent(id="insight-tabs", initial="insight-sales"):
            with (
                TabPane(_("Sales"), id="insight-sales"),
                VerticalScroll(id="insight-sales-body"),
            ):
                periods: DataTable[str | Text] = DataTable(
                    id="insight-periods", cursor_type="none", show_cursor=False
                )
                periods.can_focus = False
                yield periods
                yield Static(markup=False, content="", id="insight-chart-label")
                with Vertical(id="insight-charts"):
                    yield Sparkline([], id="insight-revenue")
                    yield Sparkline([], id="insight-average")
                yield Static(markup=False, content="", id="insight-chart-text")
                heat: DataTable[str | Text] = DataTable(
                    id="insight-heat", cursor_type="none", show_cursor=False
                )
                heat.can_focus = False
                yield heat
            with TabPane(_("Products"), id="insight-products"):
                yield Static(markup=False, content="", id="insight-search")
                table: DataTable[str | Text] = DataTable(
                    id="insight-table", cursor_type="row", zebra_stripes=True
                )
                table.can_focus = False
                yield table
            with TabPane(_("Together"), id="insight-together"):
                yield self.together()
            with TabPane(_("Accuracy"), id="insight-accuracy"):
                yield AccuracyPane(id="insight-accuracy-pane")
            with TabPane(_("Reorder"), id="insight-reorder"):
                yield ReorderPane(id="insight-reorder-pane")
            with TabPane(_("Members"), id="insight-members"):  # the customer club
                yield MembersPane(id="insight-members-pane")

    @staticmethod
    def together() -> Widget:
        """The Together tab's widget (engineer "together"), or a line saying it is not there."""
        try:
            module = importlib.import_module("screens.insight_together")
        except ImportError:
            return Static(
                markup=False,
                content=_("Products bought together: not in this version yet."),
                id="insight-together-missing",
            )
        names = ("TogetherPane", "TogetherWidget", "InsightTogether", "Together")
        found = [getattr(module, name) for name in names if hasattr(module, name)]
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, Widget)
            and value.__module__ == module.__name__
        ]
        if not found:
            return Static(
                markup=False, content=_("Products bought together: not in this version yet.")
            )
        widget: Widget = found[0]()
        return widget

    def together_active(self) -> bool:
        """The Together tab has the keys its own widget needs (typing, arrows, Enter)."""
        if not self.allowed:
            return False
        # The Reorder tab too: its own pane takes the arrows and Enter (screens.insight_reorder).
        active = self.query_one("#insight-tabs", TabbedContent).active
        return active in ("insight-together", "insight-reorder")

    @staticmethod
    def keys() -> list[Key]:
        """(keys, action, word on the key bar, key as written, what the help says)."""
        return [
            help_key(),
            ("escape", "back", _("Back"), "Esc", _("Back")),
            ("f3", "tab('insight-sales')", _("Sales"), "F3", _("The Sales tab")),
            ("f4", "tab('insight-products')", _("Products"), "F4", _("The Products tab")),
            (
                "f5",
                "tab('insight-together')",
                _("Together"),
                "F5",
                _("Together: 90/365 days"),
            ),
            ("f11", "tab('insight-accuracy')", _("Accuracy"), "F11", _("The Accuracy tab")),
            ("f10", "tab('insight-reorder')", _("Reorder"), "F10", _("The Reorder tab")),
            ("f12", "tab('insight-members')", _("Members"), "F12", _("Members: 30/90/365 days")),
            *sort_keys(),
            ("f8", "sort('margin')", _("Margin"), "F8", _("Sort by margin (again: worst first)")),
            ("f9", "sort('dead')", _("Dead stock"), "F9", _("Dead stock: on hand, no sale")),
            ("f2,ctrl+r", "refresh", _("Refresh"), "F2", _("Read the figures again")),
            ("enter", "open", _("Open"), "Enter", _("Open the product in the stock lookup")),
        ]

    def help_rows(self) -> list[tuple[str, str, str]]:
        return key_help_rows(
            self.keys(),
            _("Search the products by name or PLU"),
            [
                ("!", _("After a name: dead stock (on hand, no sale in 30 days)")),
                ("Left/Right", _("Reorder: the previous or next supplier")),
                ("Enter", _("Reorder: change the quantity of the line")),
                ("Ctrl+O", _("Reorder: confirm the order (a shift lead's PIN)")),
                ("Ctrl+X", _("Reorder: cancel the supplier's newest open order")),
            ],
        )

    def on_mount(self) -> None:
        self.set_class(bool(self.app.ansi_color), "-console")
        bind_keys(self, self.keys())
        if not self.allowed:
            self.show_error(_("The insight screen is for a shift lead: sign in as one."))
            return
        kept = _kept.get(self.database_key())
        if kept is not None:
            self.show(*kept)
        else:
            self.show_info(_("Reading the figures..."))
            self.read()

    def database_key(self) -> str:
        return str(host(self).till.config.database)

    @work(thread=True, exclusive=True, group="insight")
    def read(self) -> None:
        """The Sales tab's sums first (a fraction of a second, here), then the Products table
        in a child process (seconds on a big shop: its peak is not the till's)."""
        till = host(self).till
        now_utc, cutoff = till.clock.now().utc_text, till.config.day_cutoff_hour
        sales = figures_apart.sales_here(till.config.database, now_utc, cutoff)
        self.app.call_from_thread(self.sales_arrived, sales)
        try:
            products = figures_apart.products_apart(till.config.database, now_utc, cutoff)
        finally:
            release_memory()
        self.app.call_from_thread(self.arrived, (sales, products))

    def sales_arrived(self, sales: SalesFigures) -> None:
        if self.is_attached and self.products is None:
            self.sales = sales
            self.show_title(sales)
            self.fill_sales()

    def arrived(self, found: tuple[SalesFigures, ProductTable]) -> None:
        _kept[self.database_key()] = found
        if self.is_attached:
            self.show(*found)

    def show_title(self, sales: SalesFigures) -> None:
        local = parse_utc(sales.as_of_utc).local.strftime("%H:%M")
        self.query_one("#stock-title", Label).update(
            _("Insight: figures as of {time} (business day {day})").format(
                time=local, day=sales.business_date
            )
        )

    def show(self, sales: SalesFigures, products: ProductTable) -> None:
        self.sales, self.products = sales, products
        self.show_title(sales)
        self.show_info("")
        self.fill_sales()
        self.fill_products()

    # -- Sales --------------------------------------------------------------------------------

    def fill_sales(self) -> None:
        assert self.sales is not None
        insight_sales.fill_sales(self, self.sales)

    # -- Products -----------------------------------------------------------------------------

    def fill_products(self) -> None:
        found = self.products
        if found is None:
            return
        sort_names = {
            "units": _("units"),
            "revenue": _("revenue"),
            "margin": _("margin"),
            "dead": _("dead stock"),
        }
        order = sort_names[self.sort.key]
        if self.sort.worst_first:
            order = _("{order}, worst first").format(order=order)
        self.query_one("#insight-search", Static).update(
            _("{first} to {last}, by {order}. Search: {text}_").format(
                first=found.first, last=found.last, order=order, text=self.search
            )
        )
        self.listed = product_order(found, self.sort, self.search)
        rows = self.listed
        table = self.query_one("#insight-table", DataTable)
        columns.fill(
            table,
            self.app.size.width - 2,
            _("Item"),
            [
                (_("ABC"), [r.abc for r in rows]),
                (_("Units"), [qty(r.units_milli, r.unit) for r in rows]),
                (_("Revenue"), [whole_kr(r.revenue_ore) for r in rows]),
                (
                    _("Margin"),
                    ["-" if r.margin_ore is None else whole_kr(r.margin_ore) for r in rows],
                ),
                (_("Trend"), [change_text(r.trend_pct) for r in rows]),
                (
                    _("Cover"),
                    ["-" if r.cover_days is None else f"{r.cover_days:.0f}" for r in rows],
                ),
                (_("On hand"), [qty(r.on_hand_milli, r.unit) for r in rows]),
            ],
            [(r.name + " !" if r.dead else r.name) for r in rows],
            plain=bool(self.app.ansi_color),
        )
        if not rows and self.search:
            self.show_info(_("No product matches."))
        else:
            self.show_info("")

    def action_sort(self, key: str) -> None:
        if self.together_active():
            raise SkipAction()
        if not self.allowed:
            return
        worst = self.sort.key == key and not self.sort.worst_first and key != "dead"
        self.sort = Sort(key, worst)
        self.show_pane("insight-products")
        self.fill_products()

    def action_cursor(self, step: int) -> None:
        if self.together_active():
            raise SkipAction()
        if not self.allowed:
            return
        table = self.query_one("#insight-table", DataTable)
        if self.listed:
            table.move_cursor(row=max(0, min(len(self.listed) - 1, table.cursor_row + step)))

    def on_key(self, event: events.Key) -> None:
        """Typing searches the products (letters, digits, space; Backspace takes one back)."""
        if not self.allowed or self.products is None or self.together_active():
            return
        if event.key == "backspace":
            self.search = self.search[:-1]
        elif event.character is not None and event.character.isprintable() and event.is_printable:
            self.search += event.character
        else:
            return
        event.stop()
        self.show_pane("insight-products")
        self.fill_products()

    def action_open(self) -> None:
        """The product under the cursor in the stock lookup (its PLU, else its name)."""
        if self.together_active():
            raise SkipAction()
        if not self.listed or self.query_one("#insight-tabs", TabbedContent).active != (
            "insight-products"
        ):
            return
        from screens.stock import StockScreen  # the stock lookup imports nothing of this

        row = self.listed[
            max(0, min(self.query_one("#insight-table", DataTable).cursor_row, len(self.listed)))
        ]
        self.app.push_screen(StockScreen(row.plu or row.name), lambda _product: None)

    # -- the rest -----------------------------------------------------------------------------

    def action_tab(self, pane: str) -> None:
        if self.allowed:
            tabs = self.query_one("#insight-tabs", TabbedContent)
            if pane == "insight-members" and tabs.active == pane:  # F12 again: the period
                self.query_one(MembersPane).next_period()
            if pane == "insight-together" and tabs.active == pane:  # F5 again: 90/365 days
                self.query_one(TogetherPane).action_toggle_days()
            self.show_pane(pane)

    def show_pane(self, pane: str) -> None:
        """`pane` in front; the Together tab's search line lets go of the focus first (a
        focused widget pulls its own pane back to the front)."""
        if pane != "insight-together":
            self.set_focus(None)
        self.query_one("#insight-tabs", TabbedContent).active = pane
        if pane == "insight-reorder":  # its pane takes the arrows, Enter and F12
            self.query_one(ReorderPane).focus()

    def action_refresh(self) -> None:
        if not self.allowed:
            return
        self.show_info(_("Reading the figures..."))
        self.read()
        if self.query_one("#insight-tabs", TabbedContent).active == "insight-accuracy":
            self.query_one(AccuracyPane).refresh_accuracy(again=True)
        if self.query_one("#insight-tabs", TabbedContent).active == "insight-reorder":
            self.query_one(ReorderPane).refresh_proposal(again=True)
        if self.query_one("#insight-tabs", TabbedContent).active == "insight-members":
            self.query_one(MembersPane).refresh_members(again=True)

    def action_help(self) -> None:
        self.app.push_screen(HelpDialog(self.help_rows()))

    def action_back(self) -> None:
        self.dismiss(None)

    def show_error(self, message: str) -> None:
        show_message(self, "#stock-message", message, error=True)

    def show_info(self, message: str) -> None:
        show_message(self, "#stock-message", message, error=False)
