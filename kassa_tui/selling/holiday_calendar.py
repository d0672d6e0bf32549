"""Norway's public holidays as the till reads them: a file made from python-holidays.

The beer hours need a dozen dates a year; importing python-holidays costs the till ~19 MB for
as long as it runs (importing Norway's calendar loads every country's module). So the years a
till will see are written once from the library into data/holidays_no.json
(`python -m kassa_tui.selling.holiday_calendar`; tests/unit/test_holiday_calendar.py checks the
file equals the library, year by year), and the till reads that file. A year outside it is
asked of the library, as before.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

from kassa_tui.core.paths import data_dir

FILE = "holidays_no.json"
#: The years the file holds.
YEARS = range(2020, 2051)


def from_library(year: int) -> dict[date, str]:
    """The year's public holidays with their Norwegian names, from python-holidays."""
    import holidays

    return dict(holidays.country_holidays("NO", years=year, language="no").items())


@cache
def _file() -> dict[str, dict[str, str]]:
    path = data_dir() / FILE
    try:
        found: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no file (or a broken one): the library answers every year
    return found


def holidays_of(year: int) -> dict[date, str]:
    """Norway's public holidays of `year` with their Norwegian names: the file's, or the
    library's for a year the file does not hold."""
    kept = _file().get(str(year))
    if kept is None:
        return from_library(year)
    return {date.fromisoformat(day): name for day, name in kept.items()}


def write(path: Path, years: range = YEARS) -> None:
    """The file, from the library (run again after upgrading python-holidays)."""
    calendar = {
        str(year): {day.isoformat(): name for day, name in sorted(from_library(year).items())}
        for year in years
    }
    path.write_text(json.dumps(calendar, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write(data_dir() / FILE)
    print(f"{data_dir() / FILE}: {YEARS.start}-{YEARS.stop - 1}")
