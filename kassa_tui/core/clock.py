"""Time as the till needs it: a UTC instant stored beside Norwegian wall-clock date and time.

Receipts, the journal and SAF-T show Europe/Oslo local time (with summer time); ordering and
arithmetic use UTC. The clock is injectable so tests can freeze it or make it jump.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
#: The hour (Oslo time) at which one business day turns into the next: sales after midnight
#: until then belong to the evening before ([day] cutoff_hour in kassa.toml).
DEFAULT_CUTOFF_HOUR = 4


@dataclass(frozen=True)
class Instant:
    utc: datetime

    @property
    def utc_text(self) -> str:
        """Sortable ISO text with microseconds, e.g. '2026-11-27T12:00:00.000000Z'."""
        return utc_text(self.utc)

    @property
    def local(self) -> datetime:
        return self.utc.astimezone(OSLO)

    @property
    def local_date(self) -> str:
        return self.local.strftime("%Y-%m-%d")

    @property
    def local_time(self) -> str:
        return self.local.strftime("%H:%M:%S")


def business_date(now: Instant, cutoff_hour: int = DEFAULT_CUTOFF_HOUR) -> str:
    """The business day a moment belongs to: the Oslo date, the day turning at the cut-off."""
    return (now.local - timedelta(hours=cutoff_hour)).date().isoformat()


def business_days_utc(
    from_date: str, to_date: str, cutoff_hour: int = DEFAULT_CUTOFF_HOUR
) -> tuple[datetime, datetime]:
    """The first moment of business day `from_date` and the first after `to_date`, in UTC."""
    turn = time(cutoff_hour)
    start = datetime.combine(date.fromisoformat(from_date), turn, OSLO)
    end = datetime.combine(date.fromisoformat(to_date) + timedelta(days=1), turn, OSLO)
    return start.astimezone(UTC), end.astimezone(UTC)


def utc_text(moment: datetime) -> str:
    """How UTC instants are stored: sortable ISO text with microseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc(text: str) -> Instant:
    return Instant(datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC))


class Clock:
    """The system clock; `now()` is all the domain asks of it."""

    def __init__(self, source: Callable[[], datetime] | None = None) -> None:
        self._source = source or (lambda: datetime.now(UTC))

    def now(self) -> Instant:
        return Instant(self._source().astimezone(UTC))
