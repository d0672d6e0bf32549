"""Sign-in by a user HQ published who has no PIN on this till yet (issue 15, central staff).

At 80×24: the sign-in screen says what to do («User 7 has no PIN on this till yet: the
technician sets one with kassa users set-pin 7») instead of the ordinary wrong-PIN refusal; an
unknown number and a known user's wrong PIN keep sign-in's own words; each try is journaled as
a failed sign-in as before. In Bokmål and Nynorsk too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.core import i18n
from kassa_tui.sync.users_pull import apply_users
from tests.app.screen_text import screen_text
from tests.shop import demo_till

HINT = {
    "en": "User 7 has no PIN on this till yet: the technician sets one with kassa users set-pin 7",
    "nb": "Bruker 7 har ingen PIN på denne kassen ennå: teknikeren setter en med kassa users"
    " set-pin 7",
    "nn": "Brukar 7 har ingen PIN på denne kassa enno: teknikaren set ein med kassa users"
    " set-pin 7",
}
WRONG = {
    "en": "Wrong user number or PIN.",
    "nb": "Feil brukernummer eller PIN-kode.",
    "nn": "Feil brukarnummer eller PIN-kode.",
}


def shown(app: KassaApp) -> str:
    return " ".join(screen_text(app).replace("│", " ").split())


def failed_sign_ins(app: KassaApp) -> list[int | None]:
    rows = app.till.db.execute_sql(
        "SELECT user_number FROM journal WHERE basic_id = 'LOGINFAIL' ORDER BY seq"
    ).fetchall()
    return [row[0] for row in rows]


@pytest.mark.parametrize("language", ["en", "nb", "nn"])
async def test_a_published_user_without_a_pin_is_told_what_to_do(
    tmp_path: Path, language: str
) -> None:
    till = demo_till(tmp_path, language=f'"{language}"')
    i18n.set_language(language)
    try:
        with till.db.atomic():  # a 'users' revision from HQ: user 7 arrives without a PIN
            rows = [{"number": "7", "name": "Per Sentral", "role": "shift_lead"}]
            assert apply_users(till.db, till.journal, 1, rows) == []
        app = KassaApp(till, MemoryPrinter())
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("7", "enter", "1", "2", "3", "4", "enter")
            await pilot.pause()
            assert HINT[language] in shown(app)
            assert app.person is None
            await pilot.press("escape", "8", "enter", "1", "2", "3", "4", "enter")  # unknown
            await pilot.pause()
            assert "set-pin" not in shown(app)
            assert WRONG[language] in shown(app)
            await pilot.press("escape", "1", "enter", "9", "9", "9", "9", "enter")  # wrong PIN
            await pilot.pause()
            assert "set-pin" not in shown(app)
            assert app.person is None
        assert failed_sign_ins(app)[-3:] == [7, 8, 1]
    finally:
        till.db.close()
