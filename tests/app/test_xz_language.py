"""The X and Z on the day close's screen speak the till's language (English, Nynorsk); the X
and Z on paper stay in Bokmål, byte for byte what they printed before the screen was translated
(issue 13: receipts and reports keep the law's Norwegian)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from devices.printer import MemoryPrinter
from devices.render import render
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.core import i18n
from kassa_tui.dayclose.content import norwegian_day
from kassa_tui.dayclose.reports import Report, report_doc
from screens.dayclose import DayCloseScreen
from screens.dialogs.z_close import ConfirmZDialog
from screens.widgets.entry import EntryLine
from tests.shop import demo_till

ROMME = "7020164760728"  # Rømme 18 % 3 dl, 24,90
#: Labels of the printed report whose Bokmål is neither English nor Nynorsk: on paper only.
BOKMAL_LABELS = (
    "Salgsdag",
    "Kontantsalg",
    "Betalingsmidler",
    "Salgskvitteringer",
    "Returer:",
    "Ikke fullførte salg",
    "Andre korreksjoner",
)


@pytest.fixture(params=["en", "nn"])
def till(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Till]:
    till = demo_till(tmp_path, language=f'"{request.param}"')  # opening it sets the language
    try:
        yield till
    finally:
        till.db.close()
        i18n.set_language("en")


def report_text(app: KassaApp) -> str:
    return str(app.screen.query_one("#dayclose-text", Static).render())


def x_reports(till: Till) -> list[Report]:
    """The X reports journaled (13008), oldest first: each X shown or printed is one."""
    rows = till.db.execute_sql("SELECT text FROM journal WHERE basic_id = 'XREPORT' ORDER BY seq")
    return [Report.from_dict(json.loads(text)["report"]) for (text,) in rows]


async def sell_then_day_close(pilot: Any) -> None:
    """The shift lead signs in, sells a rømme for cash and opens the day close (F12)."""
    await pilot.press("2", "enter", "2", "2", "2", "2", "enter")
    await pilot.pause()
    pilot.app.screen.query_one("#entry", EntryLine).value = ROMME
    await pilot.press("enter", "f10", "enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.press("f12")
    await pilot.pause()
    assert isinstance(pilot.app.screen, DayCloseScreen)


def lines(text: str) -> list[str]:
    """Each line with its runs of spaces made one: the columns' padding left out."""
    return [" ".join(line.split()) for line in text.splitlines()]


async def test_the_x_on_screen_is_in_the_tills_language_and_on_paper_in_bokmal(
    till: Till,
) -> None:
    printer = MemoryPrinter()
    app = KassaApp(till, printer)
    async with app.run_test(size=(80, 24)) as pilot:
        await sell_then_day_close(pilot)
        shown = lines(report_text(app))
        await pilot.press("f3")  # print the X
        await app.workers.wait_for_complete()
        await pilot.pause()
    on_screen, printed_x = x_reports(till)
    day = norwegian_day(on_screen.business_date)
    assert day[2] == "." and day != on_screen.business_date  # 04.12.2026, not ISO
    expected = {
        "en": [
            "X report",
            f"Business day {day}",
            "Taken by 2",
            "Cash sales 24,90",
            "Product groups",
            "Means of payment",
            "Cash: 1 25,00",
            "Op. 2 Cash: 1 25,00",
            "Code rate Basis VAT",
            "Voided sales: 0 0,00",
            "None: 0 0,00",
            "Grand total (since installation)",
            "Audit trail",
        ],
        "nn": [
            "X-rapport",
            f"Salsdag {day}",
            "Utført av 2",
            "Kontantsal 24,90",
            "Varegrupper",
            "Betalingsmiddel",
            "Kontant: 1 25,00",
            "Op. 2 Kontant: 1 25,00",
            "Kode sats Grunnlag Mva",
            "Ikkje fullførte sal: 0 0,00",
            "Ingen: 0 0,00",
            "Grand total (frå installasjon)",
            "Kontrollspor",
        ],
    }[till.config.language]
    assert [line for line in expected if line not in shown] == [], "\n".join(shown)
    assert [label for label in BOKMAL_LABELS if any(x.startswith(label) for x in shown)] == []

    # The paper: the Bokmål report, the very bytes the printer was sent.
    [job] = [job for job in printer.jobs if b"X-rapport" in job]
    assert job == render(report_doc(till.config, printed_x), till.config.printer)
    paper = lines(job.decode("cp865"))
    for line in (
        f"Salgsdag {day}",
        "Utført av 2",
        "Kontantsalg 24,90",
        "Betalingsmidler",
        "Kontant: 1 25,00",
        "Kode sats Grunnlag Mva",
        "Salgskvitteringer 1",
        "Returer: 0 0,00",
        "Ikke fullførte salg: 0 0,00",
        "Andre korreksjoner",
        "Grand total (fra installasjon)",
        "Kontrollspor",
    ):
        assert any(line in printed for printed in paper), line
    translated = ("X report", "Business day", "Cash sales", "Salsdag", "Kontantsal ", "Returar")
    assert [line for line in paper if line.startswith(translated)] == []


async def test_the_z_confirmation_writes_the_day_as_receipts_do_and_the_z_prints_in_bokmal(
    till: Till,
) -> None:
    printer = MemoryPrinter()
    app = KassaApp(till, printer)
    async with app.run_test(size=(80, 24)) as pilot:
        await sell_then_day_close(pilot)
        await pilot.press("ctrl+z", "n")  # not counted
        await pilot.pause()
        assert isinstance(app.screen, ConfirmZDialog)
        summary = str(app.screen.query_one("#z-summary", Static).render())
        await pilot.press("z")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = lines(report_text(app))
    z = till.reports.stored_z(1)
    day = norwegian_day(z.business_date)
    label = {"en": "Business day", "nn": "Salsdag"}[till.config.language]
    assert f"{label}: {day}" in summary.splitlines(), summary
    assert z.business_date not in summary  # not 2026-12-04
    assert f"{label} {day}" in shown
    assert {"en": "Cash counted NOT COUNTED", "nn": "Opptalt kontant IKKJE OPPTALT"}[
        till.config.language
    ] in shown
    [job] = [job for job in printer.jobs if b"Z-rapport" in job]
    assert job == render(report_doc(till.config, z), till.config.printer)
    assert "Opptalt kontant IKKE OPPTALT" in lines(job.decode("cp865"))
