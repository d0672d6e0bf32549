"""Norway's public holidays at the till come from a file made from python-holidays
(selling.holiday_calendar): the file must equal the library year by year, and the running till
must not import the library (it costs ~19 MB for a dozen dates a year)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from kassa_tui.core.paths import data_dir
from kassa_tui.selling import holiday_calendar

REPO = Path(__file__).resolve().parents[2]


def test_the_file_is_the_librarys_calendar_year_by_year() -> None:
    """Red after a python-holidays upgrade that moves a date or a name: run
    `python -m kassa_tui.selling.holiday_calendar` and commit the file."""
    kept = json.loads((data_dir() / holiday_calendar.FILE).read_text(encoding="utf-8"))
    assert [int(y) for y in kept] == list(holiday_calendar.YEARS)
    for year in holiday_calendar.YEARS:
        assert holiday_calendar.holidays_of(year) == holiday_calendar.from_library(year), year
    assert holiday_calendar.holidays_of(2026)[date(2026, 5, 17)] == "Grunnlovsdag"
    assert len(holiday_calendar.holidays_of(2026)) == 12  # 2027: Whit Monday is 17 May


def test_a_year_outside_the_file_is_the_librarys(monkeypatch: pytest.MonkeyPatch) -> None:
    assert str(2070) not in json.loads((data_dir() / holiday_calendar.FILE).read_text("utf-8"))
    assert holiday_calendar.holidays_of(2070)[date(2070, 12, 25)] == "Første juledag"


def test_the_running_till_does_not_import_python_holidays(tmp_path: Path) -> None:
    """The App warms the beer hours' calendar at start; with the file that loads no
    `holidays` module (a year the file holds: this one, as the till's start asks)."""
    script = (
        "import sys\n"
        "from datetime import date\n"
        "from kassa_tui.selling import beer_hours\n"
        "beer_hours.warm(2026)\n"
        "assert beer_hours._norway(2026)[date(2026, 12, 26)] == 'Andre juledag'\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'holidays'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert done.stdout.strip() == "[]"
