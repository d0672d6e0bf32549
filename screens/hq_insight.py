"""The insight screen at the head office (`kassa hq insight`, issue 16): the chain or one shop,
read from HQ's PostgreSQL (kassa_tui.hq.insight), for the owner or the technician.

Tabs: Sales (today, this week and this month against the stretch before, 90 days of revenue
as the till's Sparkline with its 7-day average, receipts per weekday and hour), Shops (per shop
this week against last, receipts, average basket; per register its sync state as `kassa hq
status` shows it), Products (best and worst sellers by units or revenue, trend, search), Together
(`kassa hq report pairs`' figures) and Forecast (the method `kassa hq forecast` chose per
product group with the scores of its backtest). F8 cycles the shop: the chain first.

Every query runs in a worker thread on a connection of its own, never on the UI thread; the
figures are kept per shop with the time they were read ("as of 14:02"), and F2 reads them again.
A database that cannot be reached is said in words, and F2 tries again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, work
from textual.app import App, ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Label, Sparkline, Static, TabbedContent, TabPane

from kassa_tui.core.clock import OSLO, Clock, business_date
from kassa_tui.core.i18n import _
from kassa_tui.hq import insight as figures
from kassa_tui.hq.insight import (
    ForecastChoices,
    ForecastRow,
    ProductFigures,
    ProductRow,
    SalesFigures,
    ShopRow,
)
from screens import columns, insight_sales, styles
from screens.dialogs.help import HelpDialog
from screens.host import show_message
from screens.insight import qty
from screens.insight_keys import Key, bind_keys, help_key, key_help_rows, sort_keys
from screens.insight_sales import change_text, fill_table, weekday_names, whole_kr
from screens.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from kassa_tui.hq.pairs import ChainPairs
    from kassa_tui.insight.pairs import PairReport

#: The Together tab: `kassa hq report pairs`' defaults over the last 90 days.
PAIR_DAYS = 90
PAIR_MIN_COUNT = 3
PAIR_LIMIT = 50
SHOWN_ROWS = 200
#: The Forecast tab: the biggest products, and the days shown of each.
FORECAST_ROWS = 20
FORECAST_DAYS = 7


@dataclass(frozen=True)
class HqSource:
    """Where the figures come from: HQ's DSN, and the pair math (`kassa hq report pairs`'
    kassa_tui.cli.hq_pairs.together, handed in by the command: a screen imports no CLI)."""

    dsn: str
    together: Callable[..., PairReport]
    clock: Clock = field(default_factory=Clock)
    connect_timeout: int = 5

    def connect(self) -> Any:
        import psycopg

        return psycopg.connect(self.dsn, connect_timeout=self.connect_timeout, autocommit=True)

    def today(self) -> date:
        return date.fromisoformat(business_date(self.clock.now()))


@dataclass
class Kept:
    """One shop's figures (None: the chain's) and the time they were read."""

    as_of: str = ""
    sales: SalesFigures | None = None
    shops: tuple[ShopRow, ...] | None = None
    products: ProductFigures | None = None
    pairs: PairReport | None = None
    forecast: ForecastChoices | None = None


@dataclass(frozen=True)
class Sort:
    key: str  # units, revenue
    worst_first: bool = False


def read_pairs(source: HqSource, conn: Any, today: date, shop: str | None) -> PairReport:
    """The Together tab: as `kassa hq report pairs` reads them (the day totals, then the pair
    math)."""
    from kassa_tui.hq import pairs

    first = today - timedelta(days=PAIR_DAYS - 1)
    chain: ChainPairs = pairs.read_pairs(conn, first, today, shop, PAIR_MIN_COUNT)
    return source.together(chain, product=None, min_count=PAIR_MIN_COUNT, limit=PAIR_LIMIT)


def shop_option(shop: str | None) -> str:
    """The option a command needs for one shop (not translated: it is typed)."""
    return f" (--shop {shop})" if shop else ""


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class HqInsightScreen(Screen[None]):
    CSS_PATH = [styles.STOCK, styles.HERE / "insight.tcss", styles.HERE / "hq_insight.tcss"]

    def __init__(self, source: HqSource, shop: str | None = None) -> None:
        super().__init__(id="hq-insight-screen")
        self.source = source
        self.shop: str | None = shop
        self.shops: tuple[str, ...] = ()
        self.kept: dict[str | None, Kept] = {}
        self.sort = Sort("revenue")
        self.search = ""
        self.listed: list[ProductRow] = []

    def compose(self) -> ComposeResult:
        yield Label(markup=False, content=_("HQ insight"), id="stock-title")
        with TabbedContent(id="insight-tabs", initial="hq-sales"):
            with TabPane(_("Sales"), id="hq-sales"), VerticalScroll(id="insight-sales-body"):
                yield self.table("insight-periods", cursor=False)
                yield Static(markup=False, content="", id="insight-chart-label")
                with Vertical(id="insight-charts"):
                    yield Sparkline([], id="insight-revenue")
                    yield Sparkline([], id="insight-average")
                yield Static(markup=False, content="", id="insight-chart-text")
                yield self.table("insight-heat", cursor=False)
            with TabPane(_("Shops"), id="hq-shops"), VerticalScroll(id="hq-shops-body"):
                yield self.table("hq-shops-table", cursor=False)
                yield self.table("hq-registers-table", cursor=False)
            with TabPane(_("Products"), id="hq-products"):
                yield Static(markup=False, content="", id="insight-search")
                yield self.table("insight-table", cursor=True)
            with TabPane(_("Together"), id="hq-together"), VerticalScroll(id="hq-together-body"):
                yield Static(markup=False, content="", id="hq-together-head")
                yield self.table("hq-together-table", cursor=False)
            with TabPane(_("Forecast"), id="hq-forecast"), VerticalScroll(id="hq-forecast-body"):
                yield Static(markup=False, content="", id="hq-forecast-head")
                yield self.table("hq-forecast-table", cursor=False)
                yield Static(markup=False, content="", id="hq-forecast-rows-head")
                yield self.table("hq-forecast-rows", cursor=False)
        yield Static(markup=False, content="", id="stock-message", classes="message")
        yield KeyBar()

    @staticmethod
    def table(name: str, *, cursor: bool) -> DataTable[str | Text]:
        found: DataTable[str | Text] = DataTable(
            id=name,
            cursor_type="row" if cursor else "none",
            show_cursor=cursor,
            zebra_stripes=cursor,
        )
        found.can_focus = False
        return found

    @staticmethod
    def keys() -> list[Key]:
        """(keys, action, word on the key bar, key as written, what the help says)."""
        return [
            help_key(),
            ("escape,ctrl+q", "quit", _("Quit"), "Esc", _("Quit")),
            ("f8", "next_shop", _("Shop"), "F8", _("The next shop (the whole chain first)")),
            ("f3", "tab('hq-sales')", _("Sales"), "F3", _("The Sales tab")),
            ("f4", "tab('hq-products')", _("Products"), "F4", _("The Products tab")),
            ("f5", "tab('hq-together')", _("Together"), "F5", _("The Together tab")),
            ("f10", "tab('hq-shops')", _("Shops"), "F10", _("The Shops tab: tills and sync")),
            ("f11", "tab('hq-forecast')", _("Forecast"), "F11", _("The Forecast tab")),
            *sort_keys(),
            ("f2,ctrl+r", "refresh", _("Refresh"), "F2", _("Read the figures again (or retry)")),
        ]

    def help_rows(self) -> list[tuple[str, str, str]]:
        return key_help_rows(
            self.keys(),
            _("Search the products by name or code"),
            [("M", _("Forecast: L local method, G global model, N same as last week"))],
        )

    def on_mount(self) -> None:
        self.set_class(bool(self.app.ansi_color), "-console")
        bind_keys(self, self.keys())
        self.load()

    # -- reading ------------------------------------------------------------------------------

    def load(self, again: bool = False) -> None:
        kept = self.kept.get(self.shop)
        if kept is not None and not again:
            self.show(kept)
            return
        self.show_info(_("Reading the figures from HQ..."))
        self.read(self.shop)

    @work(thread=True, exclusive=True, group="hq-insight")
    def read(self, shop: str | None) -> None:
        """Every tab's figures for `shop`, each shown as soon as it is read (a worker thread)."""
        import psycopg

        source = self.source
        try:
            today = source.today()
            with source.connect() as conn:
                as_of = source.clock.now().local.strftime("%H:%M")
                kept = Kept(as_of)
                steps: list[tuple[str, Callable[[], Any]]] = [
                    ("sales", lambda: figures.sales_figures(conn, today, shop)),
                    ("shops", lambda: figures.shop_rows(conn, today)),
                    ("products", lambda: figures.product_figures(conn, today, shop)),
                    ("pairs", lambda: read_pairs(source, conn, today, shop)),
                    ("forecast", lambda: figures.forecast_choices(conn, shop)),
                ]
                for name, step in steps:
                    setattr(kept, name, step())
                    self.app.call_from_thread(self.arrived, shop, kept)
        except psycopg.OperationalError as exc:
            self.app.call_from_thread(self.failed, first_line(exc))
        except psycopg.Error as exc:  # reached, but it answered with an error
            self.app.call_from_thread(self.refused, first_line(exc))

    def arrived(self, shop: str | None, kept: Kept) -> None:
        self.kept[shop] = kept
        if kept.sales is not None:
            self.shops = kept.sales.shops
        if shop == self.shop and self.is_attached:
            self.show(kept)

    def failed(self, error: str) -> None:
        self.show_error(
            _("Cannot reach HQ's database: {error}. F2 tries again.").format(error=error)
        )

    def refused(self, error: str) -> None:
        self.show_error(
            _(
                "HQ's database did not give the figures: {error}. Is its schema there (kassa hq"
                " init)? F2 tries again."
            ).format(error=error)
        )

    def show(self, kept: Kept) -> None:
        where = self.shop or _("the whole chain")
        title = _("HQ insight: {shop}").format(shop=where)
        if kept.sales is not None:
            title = _("HQ insight: {shop}, day {day}, as of {time}").format(
                shop=where, day=kept.sales.today, time=kept.as_of
            )
        self.query_one("#stock-title", Label).update(title)
        done = all(
            x is not None
            for x in (kept.sales, kept.shops, kept.products, kept.pairs, kept.forecast)
        )
        self.show_info("" if done else _("Reading the figures from HQ..."))
        if kept.sales is not None and self.shop is not None and self.shop not in kept.sales.shops:
            self.show_error(
                _("HQ has no shop {shop}: F8 goes to the whole chain.").format(shop=self.shop)
            )
        if kept.sales is not None:
            self.fill_sales(kept.sales)
        if kept.shops is not None:
            self.fill_shops(kept.shops)
        if kept.products is not None:
            self.fill_products()
        if kept.pairs is not None:
            self.fill_pairs(kept.pairs)
        if kept.forecast is not None:
            self.fill_forecast(kept.forecast)

    # -- Sales --------------------------------------------------------------------------------

    def fill_sales(self, sales: SalesFigures) -> None:
        insight_sales.fill_sales(self, sales)

    # -- Shops --------------------------------------------------------------------------------

    def fill_shops(self, rows: tuple[ShopRow, ...]) -> None:
        headers: list[str | Text] = [_("Shop")]
        for header in (_("This week"), _("Last week"), _("Change"), _("Receipts"), _("Basket")):
            headers.append(Text(header, justify="right"))
        shop_rows: list[list[str | Text]] = []
        for r in rows:
            shop_rows.append(
                [
                    r.shop_id[:14],
                    *[
                        Text(cell, justify="right")
                        for cell in (
                            whole_kr(r.week_ore),
                            whole_kr(r.last_week_ore),
                            change_text(r.change_pct),
                            str(r.receipts),
                            whole_kr(r.average_basket_ore),
                        )
                    ],
                ]
            )
        fill_table(self.query_one("#hq-shops-table", DataTable), headers, shop_rows)
        headers = [_("Shop"), _("Register")]
        headers += [Text(_("Last seq"), justify="right"), Text(_("Waiting"), justify="right")]
        headers += [_("Last contact"), _("Alarms")]
        register_rows: list[list[str | Text]] = []
        now = self.source.clock.now().local
        for r in rows:
            for s in r.registers:
                contact = "-"
                if s.last_contact is not None:
                    local = s.last_contact.astimezone(OSLO)
                    contact = local.strftime(
                        "%H:%M" if local.date() == now.date() else "%d.%m %H:%M"
                    )
                found = []
                if s.retired_seq is not None:
                    found.append(_("RETIRED at {seq}").format(seq=s.retired_seq))
                if s.forked:
                    found.append(_("FORK at {seq}").format(seq=s.fork_seq))
                if s.open_gaps:
                    found.append(_("gap before {seq}").format(seq=s.open_gaps[0]))
                if s.open_clock_alarms:
                    found.append(_("clock"))
                register_rows.append(
                    [
                        s.shop_id[:10],
                        s.register_id[:12],
                        Text(str(s.last_seq), justify="right"),
                        Text("-" if s.backlog is None else str(s.backlog), justify="right"),
                        contact,
                        ", ".join(found) or "-",
                    ]
                )
        fill_table(self.query_one("#hq-registers-table", DataTable), headers, register_rows)

    # -- Products -----------------------------------------------------------------------------

    def fill_products(self) -> None:
        kept = self.kept.get(self.shop)
        found = kept.products if kept is not None else None
        if found is None:
            return
        order = _("units") if self.sort.key == "units" else _("revenue")
        if self.sort.worst_first:
            order = _("{order}, worst first").format(order=order)
        self.query_one("#insight-search", Static).update(
            _("{first} to {last}, by {order}. Search: {text}_").format(
                first=found.first, last=found.last, order=order, text=self.search
            )
        )
        text = self.search.strip().lower()
        chosen = tuple(
            r for r in found.rows if not text or text in r.name.lower() or text == r.code
        )
        rows = figures.ranked(chosen, self.sort.key, worst_first=self.sort.worst_first)
        self.listed = rows[:SHOWN_ROWS]
        columns.fill(
            self.query_one("#insight-table", DataTable),
            self.app.size.width - 2,
            _("Item"),
            [
                (_("Units"), [qty(r.units_milli, "stk") for r in self.listed]),
                (_("Revenue"), [whole_kr(r.revenue_ore) for r in self.listed]),
                (_("Trend"), [change_text(r.trend_pct) for r in self.listed]),
                (_("Group"), [r.group[:8] for r in self.listed]),
            ],
            [r.name for r in self.listed],
            plain=bool(self.app.ansi_color),
        )
        if not self.listed and self.search:
            self.show_info(_("No product matches."))

    def action_sort(self, key: str) -> None:
        worst = self.sort.key == key and not self.sort.worst_first
        self.sort = Sort(key, worst)
        self.show_pane("hq-products")
        self.fill_products()

    def action_cursor(self, step: int) -> None:
        table = self.query_one("#insight-table", DataTable)
        if self.listed:
            table.move_cursor(row=max(0, min(len(self.listed) - 1, table.cursor_row + step)))

    def on_key(self, event: events.Key) -> None:
        """Typing searches the products (letters, digits, space; Backspace takes one back)."""
        kept = self.kept.get(self.shop)
        if kept is None or kept.products is None:
            return
        if event.key == "backspace":
            self.search = self.search[:-1]
        elif event.character is not None and event.character.isprintable() and event.is_printable:
            self.search += event.character
        else:
            return
        event.stop()
        self.show_pane("hq-products")
        self.fill_products()

    # -- Together and Forecast ----------------------------------------------------------------

    def fill_pairs(self, found: PairReport) -> None:
        self.query_one("#hq-together-head", Static).update(
            _(
                "Bought together {first} to {last}: {baskets} receipts, pairs on at least {n}"
            ).format(first=found.first, last=found.last, baskets=found.baskets, n=found.min_count)
            + ("" if found.pairs else "\n" + _("No pair is on that many receipts."))
        )
        headers: list[str | Text] = [_("With"), _("Also")]
        headers += [Text(header, justify="right") for header in (_("Receipts"), "%", _("Lift"))]
        fill_table(
            self.query_one("#hq-together-table", DataTable),
            headers,
            [
                [
                    pair.a.name[:24],
                    pair.b.name[:24],
                    Text(str(pair.count), justify="right"),
                    Text(f"{pair.confidence * 100:.0f}", justify="right"),
                    Text(f"{pair.lift:.1f}".replace(".", ","), justify="right"),
                ]
                for pair in found.pairs
            ],
        )

    def fill_forecast(self, found: ForecastChoices) -> None:
        head = self.query_one("#hq-forecast-head", Static)
        table = self.query_one("#hq-forecast-table", DataTable)
        table.clear(columns=True)
        self.fill_forecast_rows(found)
        if found.last_day is None:
            head.update(_("HQ holds no sales yet."))
            return
        if not found.groups and not found.rows:
            head.update(
                _(
                    "No forecast stored for {day}: run `kassa hq forecast` (or `kassa hq forecast"
                    " backtest`) to make it."
                ).format(day=found.last_day)
                + shop_option(found.shop)
            )
            return
        if not found.groups:
            head.update(
                _(
                    "No method chosen for {day} (forecast with --local, or without LightGBM):"
                    " the local method."
                ).format(day=found.last_day)
            )
            return
        head.update(
            _(
                "Method per product group, backtest of {day} (weighted RMSSE, lower is better)"
            ).format(day=found.last_day)
        )
        methods = {
            "local": _("local method"),
            "global": _("global model"),
            "naive": _("same as last week"),
        }
        headers: list[str | Text] = [_("Group"), _("Chosen")]
        for header in (_("Local"), _("Global"), _("Naive"), _("Rows")):
            headers.append(Text(header, justify="right"))
        fill_table(
            table,
            headers,
            [
                [
                    g.group[:12],
                    methods.get(g.chosen, g.chosen),
                    Text(f"{g.local_rmsse:.2f}", justify="right"),
                    Text(
                        "-" if g.global_rmsse is None else f"{g.global_rmsse:.2f}", justify="right"
                    ),
                    Text(f"{g.naive_rmsse:.2f}", justify="right"),
                    Text(str(g.rows), justify="right"),
                ]
                for g in found.groups
            ],
        )

    def fill_forecast_rows(self, found: ForecastChoices) -> None:
        """The next days of the top products, from the last `kassa hq forecast` stored."""
        head = self.query_one("#hq-forecast-rows-head", Static)
        table = self.query_one("#hq-forecast-rows", DataTable)
        rows = found.rows[:FORECAST_ROWS]
        days = found.days[:FORECAST_DAYS]
        if not rows or found.last_day is None:
            head.update(
                ""
                if found.last_day is None or not found.groups
                else _("No forecast of the products stored yet: run `kassa hq forecast`.")
            )
            table.clear(columns=True)
            return
        if found.chain:
            head.update(
                _(
                    "Units per day from {first} in {shop}, from the whole chain's forecast"
                    " (kassa hq forecast)"
                ).format(first=days[0] if days else "-", shop=found.shop)
            )
        else:
            head.update(
                _("Units per day from {first}, the biggest first (kassa hq forecast)").format(
                    first=days[0] if days else "-"
                )
            )
        names = weekday_names()
        short = {"local": "L", "global": "G", "naive": "N", "new": "-"}

        def units(r: ForecastRow, i: int) -> str:
            if r.units is None or i >= len(r.units) or r.units[i] != r.units[i]:
                return "-"
            return f"{r.units[i]:.1f}".replace(".", ",")

        columns.fill(
            table,
            self.app.size.width - 2,
            _("Item"),
            [
                (_("Shop"), [r.shop[:8] for r in rows]),
                ("M", [short.get(r.model, "?") for r in rows]),
                *[
                    (names[date.fromisoformat(day).weekday()], [units(r, i) for r in rows])
                    for i, day in enumerate(days)
                ],
            ],
            [r.name for r in rows],
            plain=bool(self.app.ansi_color),
        )

    # -- the rest -----------------------------------------------------------------------------

    def action_next_shop(self) -> None:
        """The next shop: the whole chain, then each shop in turn."""
        order: list[str | None] = [None, *self.shops]
        if self.shop in order:
            self.shop = order[(order.index(self.shop) + 1) % len(order)]
        else:  # a shop HQ does not know (--shop): back to the chain
            self.shop = None
        self.search = ""
        self.load()

    def action_tab(self, pane: str) -> None:
        self.show_pane(pane)

    def show_pane(self, pane: str) -> None:
        self.query_one("#insight-tabs", TabbedContent).active = pane

    def action_refresh(self) -> None:
        self.load(again=True)

    def action_help(self) -> None:
        self.app.push_screen(HelpDialog(self.help_rows()))

    def action_quit(self) -> None:
        self.app.exit()

    def show_error(self, message: str) -> None:
        show_message(self, "#stock-message", message, error=True)

    def show_info(self, message: str) -> None:
        show_message(self, "#stock-message", message, error=False)


class HqInsightApp(App[None]):
    """`kassa hq insight`: the head office's insight screen, full screen."""

    CSS_PATH = [styles.CONSOLE]
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, source: HqSource, *, shop: str | None = None, console: bool = False) -> None:
        super().__init__(ansi_color=console)
        self.source = source
        self.shop = shop
        self.plain_console = console

    def on_mount(self) -> None:
        if self.plain_console:
            self.theme = "ansi-dark"
        self.push_screen(HqInsightScreen(self.source, self.shop))
