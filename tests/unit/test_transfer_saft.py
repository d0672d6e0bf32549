"""Goods sent to another shop and received from one (issue 15), as an auditor reads them: the
day's SAF-T Cash Register file stays valid against the official XSD and carries both moves as
events (13999 Other, the transfer id in the text); the note is queued with the booking, and a
refused transfer leaves neither a journal row nor a note."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from lxml import etree

from kassa_tui.composition import Till
from kassa_tui.config import ConfigError, parse
from kassa_tui.core.errors import Refused
from kassa_tui.people.person import Person
from kassa_tui.saft.export import export_saft
from kassa_tui.stock.transfer_note import PRINT_KIND, NoteLine, send_with_note
from kassa_tui.stock.transfers import Transfers

from .conftest import REPO_CONFIG
from .test_saft import DAY, NS, schema

ROMME = "7020164760728"


def transfers_of(till: Till) -> Transfers:
    return Transfers(till.db, till.config, till.journal, till.catalog, till.clock)


def notes(till: Till) -> list[str]:
    rows = till.db.execute_sql("SELECT kind FROM print_job").fetchall()
    return [kind for (kind,) in rows if kind == PRINT_KIND]


def test_a_day_with_a_transfer_out_and_in_is_valid_saft(
    till: Till, shift_lead: Person, tmp_path: Path
) -> None:
    romme = till.catalog.by_barcode(ROMME)
    sent = send_with_note(
        transfers_of(till),
        till.print_queue,
        shift_lead,
        "BERGEN-2",
        [NoteLine(ROMME, romme.name, 3000)],
        [romme.id],
    )
    came = "0c5a8f7e-1d2b-4c3a-9e8f-7a6b5c4d3e2f"
    transfers_of(till).receive(shift_lead, came, "BERGEN-2", [(romme.id, 2000)])
    assert notes(till) == [PRINT_KIND]
    path = export_saft(till.db, till.config, DAY, DAY, tmp_path, clock=till.clock)
    doc = etree.parse(str(path))
    schema().assertValid(doc)
    moved = {
        event.findtext("s:eventType", None, NS): json.loads(event.findtext("s:eventText", "", NS))
        for event in doc.iterfind(".//s:event", NS)
        if event.findtext("s:eventType", None, NS) in ("TRANSFEROUT", "TRANSFERIN")
    }
    assert moved["TRANSFEROUT"]["transfer"] == sent and moved["TRANSFEROUT"]["to"] == "BERGEN-2"
    assert moved["TRANSFEROUT"]["moves"] == [[ROMME, -3000, romme.name]]
    assert moved["TRANSFERIN"]["transfer"] == came and moved["TRANSFERIN"]["sender"] == "BERGEN-2"
    declared = {
        basic.findtext("s:basicID", None, NS): basic.findtext("s:predefinedBasicID", None, NS)
        for basic in doc.iterfind(".//s:basics/s:basic[s:basicType='13']", NS)
    }
    assert declared["TRANSFEROUT"] == declared["TRANSFERIN"] == "13999"


def test_a_refused_send_leaves_no_row_and_no_note(till: Till, shift_lead: Person) -> None:
    romme = till.catalog.by_barcode(ROMME)
    before = len(till.journal.rows())
    for shop, qty in (("STORGATA", 1000), ("BERGEN 2", 1000), ("BERGEN-2", 0)):
        with pytest.raises(Refused):
            send_with_note(
                transfers_of(till),
                till.print_queue,
                shift_lead,
                shop,
                [NoteLine(ROMME, romme.name, qty)],
                [romme.id],
            )
    with pytest.raises(Refused):
        transfers_of(till).receive(
            shift_lead, "0c5a8f7e-1d2b-4c3a-9e8f-7a6b5c4d3e2f", "storgata", [(romme.id, 1000)]
        )
    moves = [json.loads(r.text) for r in till.journal.rows()[before:] if r.text]
    assert not [m for m in moves if "transfer" in m]
    assert notes(till) == []


def test_no_booking_without_its_note(
    till: Till, shift_lead: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The note is queued in the booking's transaction: a queue that fails undoes the booking."""
    romme = till.catalog.by_barcode(ROMME)
    level = till.stock.details(romme.id).on_hand_milli

    def broken(*_args: object, **_kwargs: object) -> int:
        raise OSError("disk I/O error")

    monkeypatch.setattr(till.print_queue, "enqueue", broken)
    with pytest.raises(OSError):
        send_with_note(
            transfers_of(till),
            till.print_queue,
            shift_lead,
            "BERGEN-2",
            [NoteLine(ROMME, romme.name, 3000)],
            [romme.id],
        )
    assert "TRANSFEROUT" not in [row.basic_id for row in till.journal.rows()]
    assert till.stock.details(romme.id).on_hand_milli == level


def test_the_shops_own_id_is_read_and_checked(tmp_path: Path) -> None:
    raw = tomllib.loads(REPO_CONFIG.read_text(encoding="utf-8"))
    assert parse(raw, tmp_path / "kassa.toml").shop_id == "STORGATA"
    raw["shop"]["shop_id"] = "Storgata 1, Oslo"
    with pytest.raises(ConfigError) as refused:
        parse(raw, tmp_path / "kassa.toml")
    assert "shop.shop_id" in str(refused.value)
    del raw["shop"]["shop_id"]
    assert parse(raw, tmp_path / "kassa.toml").shop_id == ""  # optional: no check then
