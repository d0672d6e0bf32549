"""Beer hours (issue 14): beer is refused outside the sales hours on the till's clock, saying
why and from when; the hours and the holidays are kassa.toml's; bad settings name their key."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kassa_tui.composition import Till
from kassa_tui.config import ConfigError, load
from kassa_tui.core.clock import OSLO
from kassa_tui.core.errors import Refused
from kassa_tui.people.person import Person

from .conftest import PILSNER, REPO_CONFIG, ROMME, SteeredTime, basket_lines, write_config

TOBACCO = "7073924847412"  # Røros Tobakk Portion: 18 years, but not beer


def at(time: SteeredTime, oslo: str) -> None:
    """Put the till's clock at an Oslo wall time (winter: UTC+1)."""
    time.now = datetime.fromisoformat(oslo).replace(tzinfo=OSLO).astimezone(UTC)


@pytest.mark.parametrize(
    ("oslo", "said"),
    [
        (
            "2026-11-27 20:00",
            "08:00-20:00 today (weekday). Beer can be sold again tomorrow at 08:00.",
        ),
        ("2026-11-30 07:59", "08:00-20:00 today (weekday). Beer can be sold again today at 08:00."),
        (
            "2026-11-28 18:00",
            "08:00-18:00 today (Saturday). Beer can be sold again on 30.11. at 08:00.",
        ),
        (
            "2026-11-29 12:00",
            "no beer is sold on Sundays. Beer can be sold again tomorrow at 08:00.",
        ),
        (
            "2026-12-24 18:30",
            "(the day before Første juledag). Beer can be sold again on 28.12. at 08:00.",
        ),
        (
            "2026-12-25 12:00",
            "25.12. is Første juledag. Beer can be sold again on 28.12. at 08:00.",
        ),
        ("2026-04-02 12:00", "02.04. is Skjærtorsdag. Beer can be sold again on 04.04. at 08:00."),
    ],
)
def test_beer_outside_the_hours_is_refused_with_why_and_until_when(
    till: Till, cashier: Person, time: SteeredTime, oslo: str, said: str
) -> None:
    at(time, oslo)
    before = len(till.journal.rows())
    with pytest.raises(Refused) as refused:
        till.baskets.add(cashier, PILSNER)
    assert refused.value.message.startswith("No beer sale now: ")
    assert refused.value.message.endswith(said)
    assert basket_lines(till) == 0 and len(till.journal.rows()) == before  # nothing written
    till.baskets.add(cashier, ROMME)  # everything else still sells
    till.baskets.add(cashier, TOBACCO)  # tobacco has an age limit, not beer hours
    assert basket_lines(till) == 2


@pytest.mark.parametrize(
    "oslo", ["2026-11-27 08:00", "2026-11-27 19:59", "2026-11-28 17:59", "2026-12-24 08:00"]
)
def test_beer_inside_the_hours_is_sold(
    till: Till, cashier: Person, time: SteeredTime, oslo: str
) -> None:
    at(time, oslo)
    till.baskets.add(cashier, PILSNER)
    assert basket_lines(till) >= 1


def shop_with(tmp_path: Path, settings: str) -> Path:
    """The documented kassa.toml with these [sale] settings in place of its own."""
    text = REPO_CONFIG.read_text(encoding="utf-8")
    for setting in settings.splitlines():
        key = setting.split("=")[0].strip()
        text, found = re.subn(rf"(?m)^{key} = .*$", setting.replace("\\", r"\\"), text, count=1)
        assert found, key
    return write_config(tmp_path, text)


def test_the_municipality_sets_its_own_hours_and_days(tmp_path: Path) -> None:
    config = load(
        shop_with(
            tmp_path,
            'beer_weekdays = "09:00-18:00"\nbeer_saturdays = ""\n'
            'beer_extra_holidays = ["2026-06-23", 2026-11-27]',
        )
    )
    beer = config.sale.beer
    assert beer.weekdays == (540, 1080) and beer.saturdays is None
    assert [d.isoformat() for d in beer.extra_holidays] == ["2026-06-23", "2026-11-27"]


def test_a_local_holiday_and_shorter_hours_refuse_beer(tmp_path: Path, time: SteeredTime) -> None:
    from kassa_tui.composition import open_till
    from kassa_tui.core.clock import Clock
    from kassa_tui.demo import load_demo

    path = shop_with(tmp_path, 'beer_weekdays = "09:00-18:00"\nbeer_extra_holidays = [2026-11-26]')
    till = open_till(load(path), clock=Clock(source=time))
    try:
        load_demo(till.db, till.users)
        cashier = till.users.sign_in("1", "1111")
        at(time, "2026-11-25 19:00")  # the day before the local holiday: Saturday hours
        with pytest.raises(Refused, match=r"18:00 today \(the day before a local holiday\)"):
            till.baskets.add(cashier, PILSNER)
        at(time, "2026-11-26 12:00")
        with pytest.raises(Refused, match=r"26\.11\. is a local holiday"):
            till.baskets.add(cashier, PILSNER)
        at(time, "2026-11-27 18:30")  # 09-18 on weekdays here
        with pytest.raises(Refused, match="09:00-18:00 today"):
            till.baskets.add(cashier, PILSNER)
        at(time, "2026-11-27 17:00")
        till.baskets.add(cashier, PILSNER)
    finally:
        till.db.close()


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ('beer_weekdays = "8-20"', "sale.beer_weekdays"),
        ('beer_weekdays = "20:00-08:00"', "sale.beer_weekdays"),
        ('beer_saturdays = "08:00-25:00"', "sale.beer_saturdays"),
        ('beer_extra_holidays = ["17. mai"]', "sale.beer_extra_holidays"),
        ("beer_public_holidays = 1", "sale.beer_public_holidays"),
    ],
)
def test_bad_beer_settings_name_their_key(tmp_path: Path, settings: str, key: str) -> None:
    with pytest.raises(ConfigError) as error:
        load(shop_with(tmp_path, settings))
    assert error.value.key == key


def test_beer_scanned_in_the_hours_is_not_paid_for_after_them(
    till: Till, cashier: Person, time: SteeredTime
) -> None:
    at(time, "2026-11-27 19:59")
    till.baskets.add(cashier, ROMME)
    till.baskets.add(cashier, PILSNER)
    at(time, "2026-11-27 20:00")
    with pytest.raises(Refused) as refused:
        till.sales.pay_cash(cashier, "")
    assert refused.value.message.endswith(
        "Beer can be sold again tomorrow at 08:00."
        " Take Ringnes Pilsner 0,5 l off, or void the sale."
    )
    assert till.db.execute_sql("SELECT COUNT(*) FROM sale").fetchone()[0] == 0
    line = till.baskets.current().priced.lines[1].line
    till.baskets.remove_line(cashier, line.id)
    assert till.sales.pay_cash(cashier, "").completed is not None  # the rest is sold
