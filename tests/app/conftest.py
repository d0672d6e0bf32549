from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.core import i18n
from kassa_tui.people import users
from tests.shop import demo_till


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


@pytest.fixture
def till(tmp_path: Path) -> Iterator[Till]:
    till = demo_till(tmp_path, language='"en"')
    i18n.set_language("en")
    yield till
    till.db.close()


@pytest.fixture
def printer() -> MemoryPrinter:
    return MemoryPrinter()


@pytest.fixture
def app(till: Till, printer: MemoryPrinter) -> KassaApp:
    return KassaApp(till, printer)
