"""The sale screen follows the till's clock (issue 14): every few seconds a timer reads the
till's clock (never the computer's: kassa_tui.core.clock); the minute it passes, planned prices
that are due switch, the open basket takes the prices in force and the campaigns that start or
end (kassa_tui.selling.repricing), and the message line says what changed."""

from __future__ import annotations

import logging
from typing import Protocol, runtime_checkable

from textual.screen import Screen

from kassa_tui.selling.repricing import ClockFollower
from kassa_tui.stock.planned_prices import switch_due
from screens.host import host

log = logging.getLogger(__name__)

#: How often the sale screen reads the till's clock (as often as the app's price switch).
CLOCK_CHECK_SECONDS = 5.0


@runtime_checkable
class Redraws(Protocol):
    def reload(self, keep_cursor: bool = True) -> None: ...

    def show_info(self, message: str) -> None: ...


def follow_the_clock(screen: Screen[None]) -> ClockFollower:
    """Start the screen's timer; returns the follower (tests tick it on a steered clock)."""
    till = host(screen).till
    follower = ClockFollower(till.db, till.journal, till.clock, till.baskets)
    screen.set_interval(CLOCK_CHECK_SECONDS, lambda: clock_tick(screen, follower))
    return follower


def clock_tick(screen: Screen[None], follower: ClockFollower) -> None:
    app = host(screen)
    if app.read_only or not screen.is_mounted:
        return
    till = app.till
    try:
        note = follower.tick(lambda: switch_due(till.db, till.journal, till.clock))
    except Exception:  # a busy database: the next minute tries again, completion re-prices
        log.exception("the basket did not follow the clock")
        return
    if note is not None and isinstance(screen, Redraws):
        screen.reload()
        screen.show_info(note)
