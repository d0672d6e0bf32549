"""A till set to Nynorsk (`[ui] language = "nn"`) speaks Nynorsk on the terminal: the sign-in
screen, a refused PIN, the sale screen, its key bar and a refused code, read off the screen as
a cashier reads them."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.app import App

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.core import i18n
from screens.sale import SaleScreen
from screens.signin import SignInScreen
from screens.widgets.entry import EntryLine
from tests.shop import demo_till

ROMME = "7020164760728"  # Rømme 18 % 3 dl, 24,90
#: Bokmål forms whose Nynorsk differs: none of them may be on a Nynorsk till's screen.
BOKMAL_ONLY = ("Brukernummer", "Velkommen", "Skann eller tast en kode", "Antall", "ikke ")


@pytest.fixture
def nynorsk_till(tmp_path: Path) -> Iterator[Till]:
    till = demo_till(tmp_path, language='"nn"')  # opening the till sets the language
    try:
        yield till
    finally:
        till.db.close()
        i18n.set_language("en")


def screen_text(app: App[Any]) -> str:
    """Every row of the terminal as text, dialogs and the screens under them included."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True)
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    return console.export_text(styles=False)


def assert_no_bokmal(text: str) -> None:
    assert not [word for word in BOKMAL_ONLY if word in text], text


async def test_sign_in_and_sale_screens_are_in_nynorsk(nynorsk_till: Till) -> None:
    assert nynorsk_till.config.language == "nn"
    app = KassaApp(nynorsk_till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, SignInScreen)
        text = screen_text(app)
        assert "Logg inn" in text
        assert "Brukarnummer, så Enter" in text
        assert "Sign in" not in text and "User number" not in text
        assert_no_bokmal(text)

        await pilot.press("1", "enter", *"1234", "enter")
        await pilot.pause()
        text = screen_text(app)
        assert "Feil brukarnummer eller PIN-kode." in text
        assert_no_bokmal(text)

        await pilot.press("1", "enter", *"1111", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        text = screen_text(app)
        assert "Velkomen, Kari Kasserer." in text
        assert "Skann eller tast ein kode" in text
        assert "Antal" in text and "Beløp" in text
        assert "F10 Kontant" in text and "Dagsoppgjer" in text
        assert_no_bokmal(text)

        entry = app.screen.query_one("#entry", EntryLine)
        entry.value = "99999"
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert "Ukjend kode 99999: ingenting lagt til." in text

        entry.value = ROMME
        await pilot.press("enter")
        await pilot.press("f10")
        await pilot.pause()
        text = screen_text(app)
        assert "Kontantbetaling" in text and "Å betale kontant" in text
        assert "Enter: ta imot kontant · F11: kort i staden" in text
        assert_no_bokmal(text)
