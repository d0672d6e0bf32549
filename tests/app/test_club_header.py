"""The sale screen's header at 80 columns with a member on the sale and a long shop and
register name: the shop and register stay whole, the member shows as «M1» when «Medlem 1» has
no room (nb, nn, en), and in full when it has."""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.core import i18n
from screens.dialogs.member import header_user_text
from tests.app.screen_text import screen_lines
from tests.app.test_sale_flow import ROMME, scan, sign_in
from tests.shop import demo_till

SHOP = "Joker Bjørkelangen Sentrum"
REGISTER = "KASSE-FRONT-02"
CARD_1 = "2700000000014"


@pytest.mark.parametrize(
    ("language", "long"), [("nb", "Medlem 1"), ("nn", "Medlem 1"), ("en", "Member 1")]
)
async def test_a_member_keeps_the_shop_and_register_whole_at_80_columns(
    tmp_path: Path, language: str, long: str
) -> None:
    till = demo_till(tmp_path, language=f'"{language}"', name=f'"{SHOP}"', id=f'"{REGISTER}"')
    i18n.set_language(language)
    try:
        app = KassaApp(till, MemoryPrinter(), console=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot)
            await scan(pilot, CARD_1)
            await scan(pilot, ROMME)
            await pilot.pause()
            top = screen_lines(app)[0]
            assert f"{SHOP} · {REGISTER}" in top, top
            assert "M1" in top and long not in top, top
        wide = KassaApp(till, MemoryPrinter(), console=True)
        async with wide.run_test(size=(120, 24)) as pilot:
            await sign_in(pilot)
            await scan(pilot, ROMME)  # the member is still on the open sale
            await pilot.pause()
            top = screen_lines(wide)[0]
            assert f"{SHOP} · {REGISTER}" in top and long in top, top
    finally:
        till.db.close()
        i18n.set_language("en")


def test_the_user_label_shortens_step_by_step() -> None:
    i18n.set_language("nb")
    try:
        assert header_user_text("Kari Kasserer", 1, 12, 40) == "Kari Kasserer (1) · Medlem 12"
        assert header_user_text("Kari Kasserer", 1, 12, 25) == "Kari Kasserer (1) · M12"
        assert header_user_text("Kari Kasserer", 1, 12, 15) == "Kari (1) · M12"
        assert header_user_text("Kari Kasserer", 1, 12, 5) == "(1) · M12"
    finally:
        i18n.set_language("en")
