"""The keys a cashier sees and presses: the key bar, F1, Esc, the quantity limit, Ctrl+Q."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Label

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.config import ConfigError, parse
from kassa_tui.core import i18n
from screens.dialogs.approval import ApprovalDialog
from screens.dialogs.confirm import ConfirmDialog
from screens.dialogs.help import HelpDialog
from screens.dialogs.payment import PaymentDialog
from screens.sale import SaleScreen
from screens.widgets.basket_table import fitted, layout
from screens.widgets.entry import EntryLine
from screens.widgets.keybar import KeyBar
from tests.app.screen_text import screen_text
from tests.unit.conftest import REPO_CONFIG


class _Keys(Screen[None]):
    BINDINGS = [
        Binding("f10,ctrl+k", "a", "Cash"),
        Binding("f11,ctrl+b", "b", "Card"),
        Binding("f8,ctrl+x", "c", "Correct"),
        Binding("f2,ctrl+s", "d", "Stock lookup"),
        Binding("f3,ctrl+p", "e", "Park the sale"),
        Binding("f4,ctrl+r", "f", "Resume"),
        Binding("f5,ctrl+f", "g", "Price look-up"),
        Binding("f6,ctrl+d", "h", "Discount"),
        Binding("up", "i", "Line up", key_display="↑"),
        Binding("f12,ctrl+y", "j", "Day close"),
        Binding("escape", "k", "hidden", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Label("body")
        yield KeyBar()


class _KeysApp(App[None]):
    def __init__(self, plain_console: bool = False) -> None:
        super().__init__()
        self.plain_console = plain_console

    def on_mount(self) -> None:
        self.push_screen(_Keys())


def _bar_text(app: App[None]) -> list[str]:
    lines = app.screen.query_one(KeyBar).text().split("\n")
    return lines


async def test_the_key_bar_wraps_at_80_columns_instead_of_cutting() -> None:
    app = _KeysApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lines = _bar_text(app)
        assert len(lines) == 2
        assert all(len(line) <= 80 for line in lines)
        text = " ".join(lines)
        for words in ("F10/^K Cash", "F6/^D Discount", "F12/^Y Day close", "↑ Line up"):
            assert words in text
        assert "hidden" not in text
        assert lines[0].startswith("F10/^K Cash")  # the order the screen lists them
        assert app.screen.query_one(KeyBar).size.height == 2  # no training banner


async def test_the_key_bar_is_ascii_on_the_console_theme() -> None:
    app = _KeysApp(plain_console=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = " ".join(_bar_text(app))
        assert "Up Line up" in text
        assert text.isascii()


async def test_the_key_bar_follows_the_bindings() -> None:
    app = _KeysApp()
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.pause()
        assert "^E Extra" not in " ".join(_bar_text(app))
        app.screen._bindings.bind("ctrl+e", "z", "Extra")
        app.screen.refresh_bindings()
        await pilot.pause()
        assert "^E Extra" in " ".join(_bar_text(app))


# -- ui.confirm_quantity_above ----------------------------------------------------------------


def _repo_raw() -> dict[str, Any]:
    return tomllib.loads(REPO_CONFIG.read_text(encoding="utf-8"))


def test_the_quantity_limit_is_documented_and_read() -> None:
    assert parse(_repo_raw(), REPO_CONFIG).confirm_quantity_above == 100
    raw = _repo_raw()
    raw["ui"]["confirm_quantity_above"] = 1
    assert parse(raw, REPO_CONFIG).confirm_quantity_above == 1
    del raw["ui"]["confirm_quantity_above"]
    assert parse(raw, REPO_CONFIG).confirm_quantity_above == 100


@pytest.mark.parametrize("value", [0, -5, 100_001, "100", True, 2.5])
def test_a_bad_quantity_limit_names_its_key(value: Any) -> None:
    raw = _repo_raw()
    raw["ui"]["confirm_quantity_above"] = value
    with pytest.raises(ConfigError) as refused:
        parse(raw, REPO_CONFIG)
    assert str(refused.value).startswith("ui.confirm_quantity_above: must be")


async def test_the_key_bar_carries_the_training_banner() -> None:
    app = _KeysApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        assert bar.size.height == 2
        app.set_class(True, "-training")
        await pilot.pause()
        assert bar.size.height == 3
        assert "TRAINING MODE" in screen_text(app)
        app.set_class(False, "-training")
        await pilot.pause()
        assert "TRAINING MODE" not in screen_text(app)


# -- the sale screen --------------------------------------------------------------------------

ROMME = "7020164760728"  # Rømme 18 % 3 dl, 24,90
EPLER = "7045811781536"  # Epler Pink Lady 4 stk, 39,90
OST = "2410101045905"  # Ost oppskåret (pris i strekkode), 45,90 in the barcode


async def _sign_in(pilot: Any, number: str = "1", pin: str = "1111") -> None:
    await pilot.press(*number, "enter", *pin, "enter")
    await pilot.pause()


async def _scan(pilot: Any, code: str) -> None:
    pilot.app.screen.query_one("#entry", EntryLine).value = code
    await pilot.press("enter")
    await pilot.pause()


async def test_training_with_a_sale_open_is_refused_before_any_pin(app: KassaApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in(pilot)
        await _scan(pilot, ROMME)
        await pilot.press("ctrl+e", "3")
        await pilot.pause()
        assert not isinstance(app.screen, ApprovalDialog)
        assert "Finish or park the current sale first." in screen_text(app)


def _bar(app: KassaApp) -> str:
    return app.screen.query_one(KeyBar).text()


async def test_the_sale_key_bar_lists_every_f_key_at_80_columns(app: KassaApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in(pilot)
        lines = screen_text(app).split("\n")
        bottom = " ".join(lines[-2:])
        for words in (
            "F1 Help",
            "F2 Stock",
            "F3 Park",
            "F4 Resume",
            "F5 Price",
            "F6 Discount",
            "F7 New price",
            "F8 Correct",
            "F9 Return",
            "F10 Cash",
            "F11 Card",
            "F12 Day close",
            "^E Receipts",
        ):
            assert words in bottom, words


async def test_the_sale_key_bar_in_norwegian(till: Till) -> None:
    i18n.set_language("nb")
    try:
        app = KassaApp(till, MemoryPrinter())
        async with app.run_test(size=(80, 24)) as pilot:
            await _sign_in(pilot)
            bottom = " ".join(screen_text(app).split("\n")[-2:])
            for words in ("F10 Kontant", "F4 Hent", "F7 Ny pris", "F12 Dagsoppgjør", "F1 Hjelp"):
                assert words in bottom, words
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ("F1 Help", "F12 Day close", "^E Receipts", "^L Lock", "^U Sign out")),
        ("nb", ("F1 Hjelp", "F12 Dagsoppgjør", "^E Kvitteringer", "^L Lås", "^U Logg ut")),
        ("nn", ("F1 Hjelp", "F12 Dagsoppgjer", "^E Kvitteringar", "^L Lås", "^U Logg ut")),
    ],
)
async def test_lock_and_sign_out_fit_the_sale_key_bar_at_80_columns(
    till: Till, language: str, words: tuple[str, ...]
) -> None:
    """Issue 14: at 80 columns in Norwegian the bar left ^L and ^U off; now the entries sit one
    space apart when two would leave any off, and every F-key, ^E, ^L and ^U are there."""
    i18n.set_language(language)
    try:
        app = KassaApp(till, MemoryPrinter())
        async with app.run_test(size=(80, 24)) as pilot:
            await _sign_in(pilot)
            lines = _bar(app).split("\n")
            assert len(lines) == 2 and all(len(line) <= 80 for line in lines)
            bottom = " ".join(lines)
            for word in words:
                assert word in bottom, word
            for number in range(1, 13):
                assert f"F{number} " in bottom, number
    finally:
        i18n.set_language("en")


async def test_esc_clears_the_entry_line_and_the_quantity(app: KassaApp, till: Till) -> None:
    """Issue 13, 6: `123`, Esc, `3*` made `1233 ×` and the next scan sold 1 233 items."""
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in(pilot)
        await pilot.press("1", "2", "3", "escape", "3", "asterisk")
        await pilot.pause()
        assert "3 ×" in screen_text(app) and "1233" not in screen_text(app)
        await pilot.press("5", "asterisk", "escape")  # a quantity pending, then Esc
        await pilot.pause()
        assert "×" not in screen_text(app)
        await _scan(pilot, ROMME)
        assert [line.line.qty_milli for line in till.baskets.current().priced.lines] == [1000]


async def test_a_large_quantity_is_asked_about_once(app: KassaApp, till: Till) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in(pilot)
        await pilot.press("1", "2", "3", "3", "asterisk")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "1233 is more than 100" in screen_text(app)
        await pilot.press("enter")  # a scanner's Enter is no answer
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert "Quantity 1233 not used." in screen_text(app)
        assert "×" not in screen_text(app)
        await pilot.press("1", "2", "3", "3", "asterisk", "y")
        await pilot.pause()
        assert "1233 ×" in screen_text(app)
        await _scan(pilot, ROMME)  # asked once: the scan sells without a second question
        assert not isinstance(app.screen, ConfirmDialog)
        assert [line.line.qty_milli for line in till.baskets.current().priced.lines] == [1233000]
        await pilot.press("9", "9", "asterisk")  # at or under the limit: no question
        await pilot.pause()
        assert "99 ×" in screen_text(app)


async def test_esc_on_the_sign_in_screen_clears_a_half_typed_number(app: KassaApp) -> None:
    """Issue 13, 6: '2', Esc, '1' made '21', a user that does not exist."""
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2", "escape", "1", "enter", "1", "1", "1", "1", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert "Kari Kasserer (1)" in screen_text(app)


async def test_the_lock_screen_says_who_unlocks_and_esc_clears(app: KassaApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        text = " ".join(screen_text(app).split())
        assert "Locked. Kari Kasserer or a shift lead can unlock." in text.replace("│ │", "")
        await pilot.press("9", "escape", "2", "enter", "2", "2", "2", "2", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)


async def test_a_price_look_up_goes_when_the_sale_is_parked(app: KassaApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in(pilot)
        await _scan(pilot, EPLER)
        pilot.app.screen.query_one("#entry", EntryLine).value = ROMME
        await pilot.press("f5")
        await pilot.pause()
        assert "Rømme 18 % 3 dl" in screen_text(app)
        await pilot.press("f3")
        await pilot.pause()
        assert "Sale parked." in screen_text(app)
        assert "Rømme" not in screen_text(app)


async def test_ctrl_q_asks_when_a_sale_is_open(app: KassaApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in(pilot)
        await _scan(pilot, ROMME)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert "A sale is open (lines: 1)" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen) and app.is_running
        await pilot.press("ctrl+q", "enter")  # Enter is not yes
        await pilot.pause()
        assert app.is_running
        await pilot.press("y")
        await pilot.pause()
        assert not app.is_running


async def test_ctrl_q_with_no_sale_quits_at_once(app: KassaApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
        assert not app.is_running


async def test_f1_opens_the_help_on_every_screen(app: KassaApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")  # the sign-in screen
        await pilot.pause()
        assert isinstance(app.screen, HelpDialog)
        assert "Take the user number, then the PIN" in screen_text(app)
        await pilot.press("escape")
        await _sign_in(pilot, "2", "2222")
        for opener, closer, words in (("f2", "escape", "Low stock"), ("f12", "escape", "Print X")):
            await pilot.press(opener)
            await pilot.pause()
            await pilot.press("f1")
            await pilot.pause()
            assert isinstance(app.screen, HelpDialog), opener
            assert words in screen_text(app)
            await pilot.press("f1")  # F1 closes it again
            await pilot.pause()
            assert not isinstance(app.screen, HelpDialog)
            await pilot.press(closer)
            await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        await _scan(pilot, ROMME)
        await pilot.press("f10", "f1")  # a dialog: its key hints
        await pilot.pause()
        assert isinstance(app.screen, HelpDialog)
        assert "Enter: take cash" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PaymentDialog)


async def test_the_help_fits_80x24_and_cuts_no_column(app: KassaApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in(pilot)
        await pilot.press("f1")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, HelpDialog)
        first = screen_text(app)
        assert "Key" in first and "Does" in first and "Type first" in first
        assert "Esc: close" in first  # the hint is on screen, not pushed off
        seen = first
        for _page in range(4):
            await pilot.press("pagedown")
            await pilot.pause()
            seen += screen_text(app)
        words = set(seen.split())
        for row in dialog.rows:
            for cell in row:
                for word in cell.split():
                    assert word in words, (word, row)


async def test_training_shows_on_every_screen(app: KassaApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in(pilot, "2", "2222")
        assert "TRAINING" not in screen_text(app)
        await pilot.press("ctrl+e", "3")
        await pilot.pause()
        assert app.has_class("-training")
        assert "TRAINING MODE - nothing sold here is real" in screen_text(app)
        assert screen_text(app).startswith("█ TRAINING ")  # the header, in a coloured frame
        await pilot.press("f2")  # the stock lookup keeps the frame
        await pilot.pause()
        assert all(line.startswith("█") for line in screen_text(app).split("\n"))
        await pilot.press("escape", "ctrl+e", "3")
        await pilot.pause()
        assert not app.has_class("-training")
        assert "TRAINING" not in screen_text(app)


async def test_training_on_the_console_theme_is_ascii_and_framed(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter(), console=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in(pilot, "2", "2222")
        await pilot.press("ctrl+e", "3")
        await pilot.pause()
        text = screen_text(app)
        assert "TRAINING MODE - nothing sold here is real" in text
        assert all(line.startswith("|") and line.endswith("|") for line in text.split("\n"))
        assert app.screen.query_one(KeyBar).text().isascii()


async def test_amounts_are_never_cut_names_give_way(till: Till) -> None:
    for size in ((80, 24), (60, 20)):
        app = KassaApp(till, MemoryPrinter())
        async with app.run_test(size=size) as pilot:
            await _sign_in(pilot)
            await _scan(pilot, OST)
            text = screen_text(app)
            assert "45,90" in text.split("\n")[2]  # the line's price or amount
            assert text.split("\n")[2].rstrip().endswith("45,90"), size  # the amount, whole
            row = text.split("\n")[2]
            assert "Ost oppskåret (p" in row and "…" in row  # the name gives way, but last
            assert "Amount" in text.split("\n")[1]
            await pilot.press("ctrl+u")
            await pilot.pause()
        till.baskets.current()


async def test_a_large_corrected_quantity_is_asked_about_too(app: KassaApp, till: Till) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in(pilot)
        await _scan(pilot, ROMME)
        await pilot.press("5", "0", "0", "f8")
        await pilot.pause()
        assert "500 is more than 100" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert [p.line.qty_milli for p in till.baskets.current().priced.lines] == [1000]
        await pilot.press("5", "0", "0", "f8", "j")
        await pilot.pause()
        assert [p.line.qty_milli for p in till.baskets.current().priced.lines] == [500000]
        await pilot.press("2", "f8")  # a usual quantity: no question
        await pilot.pause()
        assert [p.line.qty_milli for p in till.baskets.current().priced.lines] == [2000]


async def test_ctrl_q_asks_from_a_dialog_too(app: KassaApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in(pilot)
        await _scan(pilot, ROMME)
        await pilot.press("f10", "ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("ctrl+q")  # asked once, not twice
        await pilot.pause()
        assert sum(isinstance(screen, ConfirmDialog) for screen in app.screen_stack) == 1
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PaymentDialog) and app.is_running


def test_a_wide_amount_widens_its_column_and_the_name_gives_way() -> None:
    row = {
        "nr": "1",
        "name": "Ost oppskåret (pris i strekkode)",
        "qty": "9999",
        "price": "12 345,00",
        "discount": "-1 234 567,00",
        "amount": "123 444 321,00",
    }
    widths = layout(80, [row], {})
    assert widths["amount"] == len("123 444 321,00") and widths["discount"] == 13
    assert sum(widths.values()) + 2 * len(widths) + 2 <= 80  # it all fits, nothing cut
    cells = fitted(row, widths)
    assert cells[-1] == "123 444 321,00" and str(cells[1]).endswith("…")
    assert fitted(row, layout(60, [row], {}), plain=True)[1].plain.endswith("...")  # type: ignore[union-attr]


async def test_a_large_basket_keeps_its_amounts_whole(app: KassaApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in(pilot)
        await _scan(pilot, EPLER)
        await pilot.press("9", "9", "9", "9", "f8", "j")
        await pilot.pause()
        text = screen_text(app).replace("\xa0", " ")  # format_kr's thousands space
        assert "398 960,10" in text.split("\n")[2]
        total = next(line for line in text.split("\n") if "Total " in line)
        assert total.rstrip().endswith("398 960,10")  # the total, whole


async def test_the_amount_dialog_shows_its_keys(app: KassaApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in(pilot, "2", "2222")
        await pilot.press("f12")
        await pilot.pause()
        await pilot.press("f5")  # a pay-in: amount and reason
        await pilot.pause()
        assert "Amount, Enter, reason, Enter · Esc: cancel" in screen_text(app)
