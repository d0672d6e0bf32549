"""The insight screen's Accuracy tab: how good the forecasts were in the last four weeks.

A widget, not a screen: screens/insight.py mounts `AccuracyPane()` in its "Accuracy" pane. One
row per product group and one for the whole shop (kassa_tui.insight.accuracy): kassa's forecast
off by ± % of units, its bias, "same as last week" off by ± %, and a verdict; below, the shop's
sentence in words («off by ±18 % of units, 3 % too high; same as last week: ±25 %»).

The forecast reads half a year of sales, so it runs in a worker thread on its own read-only
connection; the till never waits for it. The result is kept with the time it was computed, per
database and business day, until the till is closed (F2 on the insight screen reads again).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from kassa_tui.core.clock import business_date
from kassa_tui.core.i18n import _
from kassa_tui.insight import accuracy, accuracy_apart
from screens.host import host

if TYPE_CHECKING:
    from kassa_tui.composition import Till

log = logging.getLogger("kassa.screens")


@dataclass(frozen=True)
class _Result:
    key: tuple[str, str]  # (database, last business day)
    report: accuracy.Accuracy | None  # None: not enough history
    computed: str  # local time, HH:MM


_kept: dict[tuple[str, str], _Result] = {}


def compute(database_path: Path, last_day: str, cutoff_hour: int) -> accuracy.Accuracy | None:
    """The last four weeks' accuracy, computed in a process of its own (its half year of
    arrays never in the till's memory: kassa_tui.insight.accuracy_apart)."""
    return accuracy_apart.compute_apart(database_path, last_day, cutoff_hour)


class AccuracyPane(Vertical):
    """Per group: kassa ±%, bias, same as last week ±%, verdict."""

    DEFAULT_CSS = """
    AccuracyPane { height: 1fr; }
    AccuracyPane #accuracy-status { height: auto; max-height: 2; padding: 0 1; }
    AccuracyPane #accuracy-table { height: 1fr; }
    AccuracyPane #accuracy-sentence { height: auto; max-height: 2; padding: 0 1; }
    """

    def __init__(self, till: Till | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._till = till

    @property
    def till(self) -> Till:
        return self._till if self._till is not None else host(self).till

    def compose(self) -> ComposeResult:
        yield Static("", id="accuracy-status")
        table: DataTable[str | Text] = DataTable(
            id="accuracy-table", cursor_type="row", zebra_stripes=True
        )
        table.can_focus = False
        yield table
        yield Static("", id="accuracy-sentence")

    def on_mount(self) -> None:
        self.refresh_accuracy()

    def refresh_accuracy(self, again: bool = False) -> None:
        till = self.till
        now = till.journal.clock.now()
        cutoff = till.config.day_cutoff_hour
        today = business_date(now, cutoff)
        last = (date.fromisoformat(today) - timedelta(days=1)).isoformat()
        key = (str(till.config.database), last)
        if not again and key in _kept:
            self._show(_kept[key])
            return
        self._status(_("Comparing the last four weeks' forecasts with the sales ..."))
        path = till.config.database

        def work() -> None:
            try:
                report = compute(path, last, cutoff)
            except Exception:  # the pane says so; the till goes on
                log.exception("accuracy")
                self.app.call_from_thread(
                    self._status, _("The accuracy could not be computed (see the log).")
                )
                return
            result = _Result(key, report, now.local.strftime("%H:%M"))
            self.app.call_from_thread(self._done, result)

        self.run_worker(work, thread=True, exclusive=True, group="accuracy")

    def _done(self, result: _Result) -> None:
        _kept[result.key] = result
        if self.is_attached:
            self._show(result)

    def _status(self, text: str) -> None:
        self.query_one("#accuracy-status", Static).update(Text(text))

    def _show(self, result: _Result) -> None:
        report = result.report
        table = self.query_one("#accuracy-table", DataTable)
        table.clear(columns=True)
        if report is None or not report.total.enough:
            self._status(
                _("Too little history: the accuracy needs {n} days of sales.").format(
                    n=accuracy.HORIZON + accuracy.MIN_TRAIN
                )
            )
            self.query_one("#accuracy-sentence", Static).update("")
            return
        self._status(
            _("Forecasts for {first} to {last} against the sales ({time})").format(
                first=report.first, last=report.last, time=result.computed
            )
        )
        width = max(60, table.size.width or self.size.width or 80)
        headings = accuracy.headings()
        rows = [accuracy.cells(row) for row in [*report.groups, report.total]]
        numbers = [max(len(headings[c]), *(len(r[c]) for r in rows)) for c in (1, 2, 3)]
        verdict = max(len(headings[4]), *(len(r[4]) for r in rows))
        room = max(12, width - sum(numbers) - verdict - 2 * 5 - 2)
        table.add_column(Text(headings[0], no_wrap=True), width=room)
        for c, w in zip((1, 2, 3), numbers, strict=True):
            table.add_column(Text(headings[c], justify="right", no_wrap=True), width=w)
        table.add_column(Text(headings[4], no_wrap=True), width=verdict)
        for r in rows:
            name = r[0] if len(r[0]) <= room else r[0][: room - 1] + "."
            table.add_row(
                name, *(r[c].rjust(w) for c, w in zip((1, 2, 3), numbers, strict=True)), r[4]
            )
        self.query_one("#accuracy-sentence", Static).update(Text(report.total.sentence()))
