"""The insight screen's Members tab: the customer club over 30, 90 or 365 days
(kassa_tui.club.report).

A widget, not a screen: screens/insight.py mounts `MembersPane()` in its "Members" pane. The
same figures as `kassa report members` for the business days to yesterday: members, new and
active members, visits, spend, average basket, lapsed members, offers given and redeemed, and
the favourite groups. Counts and amounts only (never a phone number or a name). F12 on the tab
steps the period 30 → 90 → 365 → 30 days.

Like the Accuracy tab (screens/insight_accuracy.py), the figures are read in a worker thread on
a read-only connection of their own; the till never waits for them. The result is kept with the
time it was read, per database, last business day and period, until the till is closed (F2 on
the insight screen reads again).
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from kassa_tui.club.report import MemberFigures, member_figures
from kassa_tui.core.clock import business_date
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr
from screens.host import host

if TYPE_CHECKING:
    from kassa_tui.composition import Till

log = logging.getLogger("kassa.screens")

PERIODS = (30, 90, 365)
DAYS = PERIODS[0]
LAPSED_DAYS = 60


@dataclass(frozen=True)
class _Result:
    key: tuple[str, str, int]  # (database, last business day, days)
    figures: MemberFigures
    computed: str  # local time, HH:MM


_kept: dict[tuple[str, str, int], _Result] = {}


def compute(database_path: Path, first: str, last: str) -> MemberFigures:
    """The club's figures for `first`..`last` on a read-only connection of this thread."""
    conn = sqlite3.connect(f"file:{database_path}?mode=ro", uri=True, timeout=5.0)
    try:
        return member_figures(conn, first, last, LAPSED_DAYS)
    finally:
        conn.close()


class MembersPane(Vertical):
    """The club's figures, then its favourite groups."""

    DEFAULT_CSS = """
    MembersPane { height: 1fr; }
    MembersPane #members-status { height: auto; max-height: 2; padding: 0 1; }
    MembersPane #members-table { height: 1fr; }
    """

    def __init__(self, till: Till | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._till = till
        self.days = DAYS

    @property
    def till(self) -> Till:
        return self._till if self._till is not None else host(self).till

    def compose(self) -> ComposeResult:
        yield Static("", id="members-status")
        table: DataTable[str | Text] = DataTable(
            id="members-table", cursor_type="none", show_cursor=False, zebra_stripes=True
        )
        table.can_focus = False
        yield table

    def on_mount(self) -> None:
        self.refresh_members()

    def next_period(self) -> None:
        """F12 on the Members tab: the next period (30 → 90 → 365 → 30 days)."""
        self.days = PERIODS[(PERIODS.index(self.days) + 1) % len(PERIODS)]
        self.refresh_members()

    def refresh_members(self, again: bool = False) -> None:
        till = self.till
        now = till.journal.clock.now()
        today = business_date(now, till.config.day_cutoff_hour)
        last = (date.fromisoformat(today) - timedelta(days=1)).isoformat()
        first = (date.fromisoformat(last) - timedelta(days=self.days - 1)).isoformat()
        key = (str(till.config.database), last, self.days)
        if not again and key in _kept:
            self._show(_kept[key])
            return
        self._status(_("Reading the customer club's figures ..."))
        path = till.config.database

        def work() -> None:
            try:
                found = compute(path, first, last)
            except Exception:  # the pane says so; the till goes on
                log.exception("members")
                self.app.call_from_thread(
                    self._status, _("The club's figures could not be read (see the log).")
                )
                return
            self.app.call_from_thread(self._done, _Result(key, found, now.local.strftime("%H:%M")))

        self.run_worker(work, thread=True, exclusive=True, group="members")

    def _done(self, result: _Result) -> None:
        _kept[result.key] = result
        if self.is_attached and result.key[2] == self.days:
            self._show(result)

    def _status(self, text: str) -> None:
        self.query_one("#members-status", Static).update(Text(text))

    def _show(self, result: _Result) -> None:
        found = result.figures
        self._status(
            _("Customer club {first} to {last}, {days} days ({time}) · F12: 30/90/365").format(
                first=found.first, last=found.last, days=result.key[2], time=result.computed
            )
        )
        table = self.query_one("#members-table", DataTable)
        table.clear(columns=True)
        table.add_column(Text(_("Customer club"), no_wrap=True), width=44)
        table.add_column(Text("", no_wrap=True), width=14)
        rows = [
            (_("Members"), str(found.members)),
            (_("New members"), str(found.new_members)),
            (_("Active members (a visit)"), str(found.active_members)),
            (_("Visits"), str(found.visits)),
            (_("Spend"), format_kr(found.spend_ore)),
            (_("Average basket"), format_kr(found.average_basket_ore)),
            (_("Lapsed (no visit in {n} days)").format(n=LAPSED_DAYS), str(len(found.lapsed))),
            (_("Offers given"), str(found.offers_given)),
            (_("Offers redeemed"), str(found.offers_redeemed)),
            (_("Their discount"), format_kr(found.redeemed_discount_ore)),
        ]
        rows += [
            (f"{_('Favourite groups')}: {g.name}", format_kr(g.amount_ore)) for g in found.groups
        ]
        for label, value in rows:
            table.add_row(label[:44], Text(value, justify="right"))
