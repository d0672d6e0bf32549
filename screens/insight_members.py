"""The insight screen's Members tab: the customer club's last 30 days (kassa_tui.club.report).

A widget, not a screen: screens/insight.py mounts `MembersPane()` in its "Members" pane. The
same figures as `kassa report members` for the 30 business days to yesterday: members, new and
active members, visits, spend, average basket, lapsed members, offers given and redeemed, and
the favourite groups. Counts and amounts only (never a phone number or a name). A few
aggregates over the club's own small tables: read on the UI thread when the pane is shown.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from kassa_tui.club.report import member_figures
from kassa_tui.core.clock import business_date
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr
from screens.host import host

if TYPE_CHECKING:
    from kassa_tui.composition import Till

DAYS = 30
LAPSED_DAYS = 60


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

    def refresh_members(self) -> None:
        till = self.till
        today = business_date(till.journal.clock.now(), till.config.day_cutoff_hour)
        last = (date.fromisoformat(today) - timedelta(days=1)).isoformat()
        first = (date.fromisoformat(last) - timedelta(days=DAYS - 1)).isoformat()
        found = member_figures(till.db, first, last, LAPSED_DAYS)
        self.query_one("#members-status", Static).update(
            Text(_("Customer club {first} to {last}").format(first=first, last=last))
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
