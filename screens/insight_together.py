"""The insight screen's Together tab: what is bought with a product (kassa_tui.insight.pairs).

A widget, not a screen: screens/insight.py mounts `TogetherPane()` in its "Together" pane. At
the top a search line (scan a barcode, type a PLU or part of a name, Enter); below, the
product's best partners by lift with the receipts they share (n) and the confidence (of the
receipts with the product, the share with the partner too). With no product chosen it lists
the period's best pairs. F5 again (the tab's own key) switches between the last 90 and 365
days: the insight screen's F-keys are its own (F10 is the Reorder tab).

The counting reads a year of receipts (about 2 s on the benchmark's year), so it runs in a
worker thread, in a child process on its own read-only connection (kassa_tui.insight.apart:
its peak memory is not the till's); the till never waits for it. Each result is kept
with the time it was computed, per product and period, until the pane is left.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from kassa_tui.core.clock import business_date
from kassa_tui.core.i18n import N_, _
from kassa_tui.insight import apart, pairs
from screens.columns import fill
from screens.console import console_theme
from screens.host import host

if TYPE_CHECKING:
    from kassa_tui.composition import Till

log = logging.getLogger("kassa.screens")
MIN_COUNT = 3  # a pair on one or two receipts says nothing
#: The best pairs of the whole shop (no product chosen) are on at least this share of the
#: receipts too: among thousands of receipts a rare pair's lift is high by chance.
OVERVIEW_SHARE = 0.001
SHOWN = 200


@dataclass(frozen=True)
class _Result:
    key: tuple[int | None, int]  # (product id or None, days)
    report: pairs.PairReport
    computed: str  # local time, HH:MM


def compute(database_path: Path, today: str, product_id: int | None, days: int) -> pairs.PairReport:
    """The pairs of the last `days` days, counted in a child process on a read-only connection
    (insight.apart: the count's peak, ~55 MB on the benchmark's year, is not the till's)."""
    share = OVERVIEW_SHARE if product_id is None else 0.0
    args = (str(database_path), today, product_id, days, MIN_COUNT, share, SHOWN)
    report: pairs.PairReport = apart.run_apart("kassa_tui.insight.pairs:report_at", args)
    return report


class TogetherPane(Vertical):
    """Search a product, see what goes with it (90 or 365 days: F5 again)."""

    DEFAULT_CSS = """
    TogetherPane { height: 1fr; }
    TogetherPane #together-search { height: 3; }
    TogetherPane #together-status { height: auto; max-height: 3; padding: 0 1; }
    TogetherPane #together-table { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "toggle_days", N_("90/365 days")),
    ]

    def __init__(self, till: Till | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._till = till
        self.days = pairs.WINDOWS[0]
        self.product: pairs.Product | None = None
        self._cache: dict[tuple[int | None, int], _Result] = {}
        self._want: tuple[int | None, int] | None = None

    @property
    def till(self) -> Till:
        return self._till if self._till is not None else host(self).till

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder=_("Scan or type a product (PLU, barcode or name), Enter"),
            id="together-search",
        )
        yield Static("", id="together-status")
        table: DataTable[str | Text] = DataTable(
            id="together-table", cursor_type="row", zebra_stripes=True
        )
        yield table

    def on_mount(self) -> None:
        self.refresh_pairs()

    def on_show(self) -> None:
        """The tab shown: the search line takes the keys (a scan goes straight in)."""
        self.query_one("#together-search", Input).focus()

    # -- what the user does ------------------------------------------------------------------

    def action_toggle_days(self) -> None:
        windows = pairs.WINDOWS
        self.days = windows[(windows.index(self.days) + 1) % len(windows)]
        self.refresh_pairs()

    @on(Input.Submitted, "#together-search")
    def search(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.product = None
            self.refresh_pairs()
            return
        found = pairs.find_product(self.till.db, text)
        if found is None:
            matches = self.till.catalog.search(text, limit=1)
            if matches:
                found = pairs.Product(matches[0].id, matches[0].plu or "", matches[0].name)
        if found is None:
            self._status(_("No product matches {text}.").format(text=text))
            return
        self.product = found
        self.query_one("#together-search", Input).value = ""
        self.refresh_pairs()

    # -- computing and showing ---------------------------------------------------------------

    def refresh_pairs(self) -> None:
        key = (self.product.id if self.product else None, self.days)
        self._want = key
        if key in self._cache:
            self._show(self._cache[key])
            return
        self._status(_("Counting the last {days} days ...").format(days=self.days))
        till = self.till
        now = till.journal.clock.now()
        today = business_date(now)
        path = till.config.database

        def work() -> None:
            try:
                report = compute(path, today, key[0], key[1])
            except Exception:  # the pane says so; the till goes on
                log.exception("pairs")
                self.app.call_from_thread(
                    self._status, _("The pairs could not be counted (see the log).")
                )
                return
            result = _Result(key, report, now.local.strftime("%H:%M"))
            self.app.call_from_thread(self._done, result)

        self.run_worker(work, thread=True, exclusive=True, group="together")

    def _done(self, result: _Result) -> None:
        self._cache[result.key] = result
        if result.key == self._want:
            self._show(result)

    def _status(self, text: str) -> None:
        self.query_one("#together-status", Static).update(Text(text))

    def _show(self, result: _Result) -> None:
        report = result.report
        plain = console_theme()
        times = "x" if plain else "×"
        head = _("Last {days} days, {first} to {last}: {baskets} receipts ({time})").format(
            days=self.days,
            first=report.first,
            last=report.last,
            baskets=report.baskets,
            time=result.computed,
        )
        rows = list(report.pairs)
        if self.product is not None:
            with_it = rows[0].a_baskets if rows else None
            about = _("With {name}: partners by lift").format(name=self.product.name)
            if with_it is not None:
                about += " " + _("({count} receipts with it)").format(count=with_it)
            names = [pair.b.name for pair in rows]
        else:
            about = _("The best pairs (product + partner); scan a product for its partners")
            names = [f"{pair.a.name} + {pair.b.name}" for pair in rows]
        if not rows:
            about += ". " + _("No pair on {n} or more receipts.").format(n=report.min_count)
        self._status(head + "\n" + about)
        table = self.query_one("#together-table", DataTable)
        fill(
            table,
            max(40, table.size.width or self.size.width or 80),
            _("Partner") if self.product is not None else _("Pair"),
            [
                (_("Lift"), [f"{times}{pair.lift:.1f}" for pair in rows]),
                (_("n"), [str(pair.count) for pair in rows]),
                (_("Conf."), [f"{round(pair.confidence * 100)} %" for pair in rows]),
            ],
            names,
            plain=plain,
        )
