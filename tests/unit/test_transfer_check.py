"""The receiving till's check of a transfer against HQ's answer (issue 15), without HQ: the
comparison per product, the refusals, and the TRANSFERIN row as an auditor reads it in the
day's SAF-T file (valid against the official XSD, the sent quantities beside the received)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from kassa_tui.composition import Till
from kassa_tui.core import i18n
from kassa_tui.core.errors import Refused
from kassa_tui.people.person import Person
from kassa_tui.saft.export import export_saft
from kassa_tui.stock import transfer_check
from kassa_tui.stock.transfer_check import Sent, SentLine
from kassa_tui.stock.transfers import Transfers

from .test_saft import DAY, NS, schema

ROMME = "7020164760728"
APPLES = "7045811781536"  # PLU 1001
CAME = "0c5a8f7e-1d2b-4c3a-9e8f-7a6b5c4d3e2f"
SENT = Sent(
    CAME,
    "BERGEN-2",
    "2026-11-27",
    (
        SentLine(ROMME, 3000, "Rømme 18 % 3 dl"),
        SentLine(APPLES, 2000, "Epler Pink Lady 4 stk"),
        SentLine("7099999999994", 1000, "Noe butikken ikke har"),
    ),
)


def transfers_of(till: Till) -> Transfers:
    return Transfers(till.db, till.config, till.journal, till.catalog, till.clock)


def test_sent_and_scanned_are_compared_per_product(till: Till) -> None:
    t = transfers_of(till)
    romme, apples = till.catalog.by_barcode(ROMME), till.catalog.by_plu("1001")
    toothpaste = till.catalog.by_barcode("7013767908024")
    rows = transfer_check.rows(
        t.db, t.product, SENT, [(romme, 2000), (apples, 2000), (toothpaste, 1000)]
    )
    got = [(r.code, r.name, r.sent_milli, r.scanned_milli, r.differs) for r in rows]
    assert got == [
        (ROMME, "Rømme 18 % 3 dl", 3000, 2000, True),
        (APPLES, "Epler Pink Lady 4 stk", 2000, 2000, False),
        ("7099999999994", "Noe butikken ikke har", 1000, 0, True),  # unknown here: HQ's name
        ("7013767908024", "Colgate Max Fresh 75 ml", 0, 1000, True),  # not sent
    ]


def test_a_difference_books_only_with_a_shift_lead_and_is_in_the_saft_file(
    till: Till, shift_lead: Person, tmp_path: Path
) -> None:
    t = transfers_of(till)
    romme, apples = till.catalog.by_barcode(ROMME), till.catalog.by_plu("1001")
    lines = [(romme.id, 2000), (apples.id, 2000)]
    cashier = till.users.sign_in("1", "1111")
    before = len(till.journal.rows())
    for approver in (None, cashier):
        with pytest.raises(Refused, match="a shift lead confirms it"):
            t.receive(shift_lead, CAME, "BERGEN-2", lines, SENT, approver)
    with pytest.raises(Refused, match=r"sent by BERGEN-2 \(HQ\), not OSLO1"):
        t.receive(shift_lead, CAME, "OSLO1", lines, SENT, shift_lead)
    assert len(till.journal.rows()) == before  # refused: no row
    t.receive(shift_lead, CAME, "bergen-2", lines, SENT, shift_lead)
    path = export_saft(till.db, till.config, DAY, DAY, tmp_path, clock=till.clock)
    doc = etree.parse(str(path))
    schema().assertValid(doc)
    (text,) = [
        json.loads(event.findtext("s:eventText", "", NS))
        for event in doc.iterfind(".//s:event", NS)
        if event.findtext("s:eventType", None, NS) == "TRANSFERIN"
    ]
    assert text["checked"] is True
    assert text["sent"][0] == [ROMME, 3000, "Rømme 18 % 3 dl"]
    assert text["differences"] == [
        [ROMME, 3000, 2000, "Rømme 18 % 3 dl"],
        ["7099999999994", 1000, 0, "Noe butikken ikke har"],
    ]
    assert text["difference_approved_by"] == shift_lead.number


def test_unchecked_books_as_before_and_says_why(till: Till, shift_lead: Person) -> None:
    t = transfers_of(till)
    romme = till.catalog.by_barcode(ROMME)
    answer = transfer_check.not_checked("not_at_hq")
    assert (
        answer.message == "Not checked against the sender: HQ does not know it (not pushed yet?)."
    )
    t.receive(shift_lead, CAME, "BERGEN-2", [(romme.id, 5000)], answer)
    row = json.loads(till.journal.rows()[-1].text)
    assert (row["checked"], row["unchecked"], row["sender"]) == (False, "not_at_hq", "BERGEN-2")


@pytest.mark.parametrize("language", ["en", "nb", "nn"])
def test_each_unchecked_line_fits_the_screen(language: str) -> None:
    """«Not checked against the sender: …» is one line of the 80-column message line."""
    try:
        i18n.set_language(language)
        for why in ("not_at_hq", "unreachable", "hq_too_old", "no_hq"):
            message = transfer_check.not_checked(why, "a long error from HQ " * 5).message
            assert len(message) <= 78, message
    finally:
        i18n.set_language("en")
