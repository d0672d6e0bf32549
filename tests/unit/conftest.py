"""Unit-test fixtures: a real kassa.toml in tmp_path, a real SQLite till, a clock we steer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from peewee import SqliteDatabase

from kassa_tui.composition import Till, open_till
from kassa_tui.config import Config, load
from kassa_tui.core import i18n
from kassa_tui.core.clock import Clock
from kassa_tui.demo import load_demo
from kassa_tui.people import users
from kassa_tui.people.person import Person
from tests.shop import provision_signing_key

REPO = Path(__file__).resolve().parents[2]
REPO_CONFIG = REPO / "kassa.toml"

# Demo catalog items used throughout (data/demo_products.csv).
ROMME = "7020164760728"  # Rømme 18 % 3 dl, 24,90, 15 %
ROMME_PRICE = 2490
PILSNER = "7061222375317"  # Ringnes Pilsner 0,5 l, 39,90, 25 %
PILSNER_PRICE = 3990
# Beer is sold only in the beer hours (08-20, Saturdays 08-18, never Sundays): a test that sells
# at night or on a Sunday sells this instead (39,90, 25 %, like the pilsner).
TOOTHPASTE = "7013767908024"  # Colgate Max Fresh 75 ml, 39,90, 25 %
TOOTHPASTE_PRICE = 3990
VG = "7013874487160"  # VG (newspaper), 40,00, 0 %
APPLES_PLU = "1001"  # Epler Pink Lady 4 stk, 39,90, sold per unit
LOOSE_APPLES_PLU = "10001"  # Epler røde løsvekt, 34,90 per kg, weighed
LOOSE_APPLES_PRICE = 3490
CHEESE_COUNTER_PLU = "10101"  # Ost oppskåret (pris i strekkode)
UNKNOWN_EAN = "7038010009990"  # a valid EAN-13 that is not in the catalog
BAD_CHECK_DIGIT = "7038010009998"

START = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)  # 12:00 in Oslo


class SteeredTime:
    """The till's clock source: stands still until a test moves it."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def _fast_pins_in_english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)
    i18n.set_language("en")
    yield
    i18n.set_language("en")


def write_config(folder: Path, text: str | None = None) -> Path:
    """The repository's documented kassa.toml, in English, with its files under `folder`."""
    text = REPO_CONFIG.read_text(encoding="utf-8") if text is None else text
    text = text.replace('language = "nb"', 'language = "en"')
    text = text.replace('path = "var/kassa.db"', f'path = "{folder / "kassa.db"}"')
    path = folder / "kassa.toml"
    path.write_text(text, encoding="utf-8")
    provision_signing_key(path)  # as the supplier would have
    return path


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load(write_config(tmp_path))


@pytest.fixture
def time() -> SteeredTime:
    return SteeredTime()


@pytest.fixture
def till(config: Config, time: SteeredTime) -> Iterator[Till]:
    opened = open_till(config, clock=Clock(source=time))
    i18n.set_language("en")
    load_demo(opened.db, opened.users)
    yield opened
    opened.db.close()


@pytest.fixture
def cashier(till: Till) -> Person:
    return till.users.sign_in("1", "1111")


@pytest.fixture
def shift_lead(till: Till) -> Person:
    return till.users.sign_in("2", "2222")


def count(db: SqliteDatabase, table: str, where: str = "", *params: object) -> int:
    sql = f"SELECT COUNT(*) FROM {table}" + (f" WHERE {where}" if where else "")
    return int(db.execute_sql(sql, params).fetchone()[0])


def journal_events(till: Till) -> list[str]:
    """Our own event names of every journal row, oldest first."""
    return [row.basic_id for row in till.journal.rows()]


def basket_lines(till: Till) -> int:
    return len(till.baskets.current().priced.lines)


def print_waiting(till: Till) -> list[bytes]:
    """Print every queued job on an in-memory printer, as the till does after each sale."""
    from devices.printer import MemoryPrinter
    from devices.spooler import print_pending

    printer = MemoryPrinter()
    print_pending(till.print_queue, printer, till.config.printer, till.drawer)
    return printer.jobs
