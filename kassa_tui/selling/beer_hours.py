"""Beer hours: beer (alcohol at most 4,7 %) is sold only in the hours the municipality allows.

By default (alkoholloven § 3-7's outer limits) 08–20 on weekdays, 08–18 on Saturdays and on
the day before a public holiday, never on Sundays and public holidays; `[sale] beer_*` in
kassa.toml sets the hours and adds the municipality's own days. Norway's public holidays come
from python-holidays (Easter and Whitsun move every year). Everything here reads the till's
clock through the `now` it is given (kassa_tui.core.clock), never the computer's.

A refusal says why and from when beer can be sold again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from kassa_tui.config.counter_rules import BeerHours
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.selling import holiday_calendar

#: How far ahead the next opening is looked for (Easter with its Sunday and Monday is 4 days).
_LOOK_AHEAD_DAYS = 14


@dataclass(frozen=True)
class Day:
    """What a day is for beer: its hours (None: no beer at all) and why."""

    hours: tuple[int, int] | None
    why: str


@cache
def _norway(year: int) -> dict[date, str]:
    """Norway's public holidays of `year` with their Norwegian names: from the file made from
    python-holidays (selling.holiday_calendar; the library itself costs the till ~19 MB), the
    library for a year outside it. The App warms this in a thread once the sign-in shows."""
    return holiday_calendar.holidays_of(year)


def warm(year: int) -> None:
    """Load the holiday calendar of `year` ahead of the first beer scanned (a worker thread)."""
    _norway(year)


def holiday_name(day: date, rules: BeerHours) -> str | None:
    """The name of the holiday `day` is (public or the municipality's own), else None."""
    if day in rules.extra_holidays:
        return _("a local holiday")
    if rules.public_holidays:
        return _norway(day.year).get(day)
    return None


def beer_day(day: date, rules: BeerHours) -> Day:
    """The beer hours of one local date, and why they are what they are."""
    name = holiday_name(day, rules)
    if name is not None:
        return Day(None, _("{date} is {name}").format(date=_date(day), name=name))
    if day.weekday() == 6:
        return Day(None, _("no beer is sold on Sundays"))
    tomorrow = holiday_name(day + timedelta(days=1), rules)
    if tomorrow is not None:
        return Day(rules.saturdays, _("the day before {name}").format(name=tomorrow))
    if day.weekday() == 5:
        return Day(rules.saturdays, _("Saturday"))
    return Day(rules.weekdays, _("weekday"))


def next_opening(now: datetime, rules: BeerHours) -> datetime | None:
    """The first moment after `now` (local time) when beer may be sold, or None."""
    for ahead in range(_LOOK_AHEAD_DAYS + 1):
        day = now.date() + timedelta(days=ahead)
        hours = beer_day(day, rules).hours
        if hours is None:
            continue
        start = datetime.combine(day, datetime.min.time(), now.tzinfo) + timedelta(minutes=hours[0])
        if start > now:
            return start
    return None


def refusal(now: datetime, rules: BeerHours) -> str | None:
    """Why beer cannot be sold at `now` (local time) and from when it can; None if it can."""
    today = beer_day(now.date(), rules)
    minute = now.hour * 60 + now.minute
    if today.hours is not None and today.hours[0] <= minute < today.hours[1]:
        return None
    if today.hours is None:
        why = today.why
    else:
        why = _("beer is sold {start}-{end} today ({day})").format(
            start=_clock(today.hours[0]), end=_clock(today.hours[1]), day=today.why
        )
    opening = next_opening(now, rules)
    if opening is None:
        return _("No beer sale now: {why}.").format(why=why)
    return _("No beer sale now: {why}. Beer can be sold again {when}.").format(
        why=why, when=_when(now, opening)
    )


def check(now: datetime, rules: BeerHours) -> None:
    """Refuse a beer line outside the beer hours, saying why and until when."""
    message = refusal(now, rules)
    if message is not None:
        raise Refused(message)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _date(day: date) -> str:
    return f"{day.day:02d}.{day.month:02d}."


def _when(now: datetime, then: datetime) -> str:
    time = then.strftime("%H:%M")
    if then.date() == now.date():
        return _("today at {time}").format(time=time)
    if then.date() == now.date() + timedelta(days=1):
        return _("tomorrow at {time}").format(time=time)
    return _("on {date} at {time}").format(date=_date(then.date()), time=time)
