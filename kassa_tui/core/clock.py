"""Time as the till needs it: a UTC instant stored beside Norwegian wall-clock date and time.

Receipts, the journal and SAF-T show Europe/Oslo local time (with summer time); ordering and
arithmetic use UTC. The clock is injectable so tests can freeze it or make it jump.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class Instant:
    utc: datetime

    @property
    def utc_text(self) -> str:
        """Sortable ISO text with microseconds, e.g. '2026-11-27T12:00:00.000000Z'."""
        return self.utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    @property
    def local(self) -> datetime:
        return self.utc.astimezone(OSLO)

    @property
    def local_date(self) -> str:
        return self.local.strftime("%Y-%m-%d")

    @property
    def local_time(self) -> str:
        return self.local.strftime("%H:%M:%S")


def parse_utc(text: str) -> Instant:
    return Instant(datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC))


class Clock:
    """The system clock; `now()` is all the domain asks of it."""

    def __init__(self, source: Callable[[], datetime] | None = None) -> None:
        self._source = source or (lambda: datetime.now(UTC))

    def now(self) -> Instant:
        return Instant(self._source().astimezone(UTC))
