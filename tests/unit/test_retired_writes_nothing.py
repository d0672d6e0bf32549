"""A retired register (kassa register retire) writes nothing after its retirement row, with or
without a head office: a sign-in and an X report are refused with the retirement's words and
the journal ends at the row; its SAF-T file can still be made for an auditor (not journaled:
nothing follows the retirement row), valid against the official schema."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from kassa_tui.core.errors import Refused
from kassa_tui.people import users
from kassa_tui.saft.export import export_saft
from kassa_tui.saft.verify import verify_export
from kassa_tui.sync.retire import retire
from tests.shop import demo_till
from tests.unit.test_saft import XSD


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


def test_nothing_is_written_after_the_retirement(tmp_path: Path) -> None:
    till = demo_till(tmp_path, language='"en"')
    try:
        technician = till.users.verify("9", "9999", purpose="retire")
        retire(till.db, till.journal, "KASSE-1", technician, "Pi replaced")
        head = till.journal.head()
        with pytest.raises(Refused, match=r"signed out for good on .* Give the Pi a new"):
            till.users.sign_in("2", "2222")
        lead = till.users.verify("2", "2222", purpose="x")
        with pytest.raises(Refused, match="signed out for good"):
            till.reports.x_report(lead)
        out = tmp_path / "saft"
        today = till.clock.now().local.date()
        written = export_saft(till.db, till.config, date(2020, 1, 1), today, out, clock=till.clock)
        assert till.journal.head() == head
        etree.XMLSchema(etree.parse(str(XSD))).assertValid(etree.parse(str(written)))
        assert "REGISTERRETIRE" in written.read_text(encoding="utf-8")
        # anchored by the retirement row, the journal's last, as an export row would anchor it
        public = till.config.signing.public_key_file
        assert public is not None
        found = verify_export(written, public.read_bytes(), None, till.config.database)
        assert found.problems == [], found.problems
    finally:
        till.db.close()
