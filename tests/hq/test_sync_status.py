"""What the sale screen's header says of the head office, for each state (no server needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kassa_tui.config.hq import HqSettings
from kassa_tui.core import i18n
from kassa_tui.sync.push import SyncState
from kassa_tui.sync.status import status_text

SETTINGS = HqSettings("host=hq dbname=k user=r", Path("pw"), alert_after_minutes=60,
                      alert_after_entries=100)  # fmt: skip
NOW = "2026-11-27T11:00:00.000000Z"  # 12:00 in Oslo
TEN = "2026-11-27T10:00:00.000000Z"  # 11:00 in Oslo
TEN_30 = "2026-11-27T10:30:00.000000Z"


def _state(acked: int, head: int, status: str, attempt: str | None, ok: str | None,
           oldest: str | None = None) -> SyncState:  # fmt: skip
    return SyncState(acked, head, oldest, status, "", attempt, ok)


@pytest.fixture(autouse=True)
def _english() -> None:
    i18n.set_language("en")


@pytest.mark.parametrize(
    ("state", "text", "ok"),
    [
        (_state(9, 9, "ok", NOW, NOW), "HQ 12:00", True),
        (_state(5, 9, "ok", NOW, NOW, TEN_30), "HQ 12:00, 4 wait", True),
        (_state(5, 9, "error", NOW, TEN, TEN_30), "HQ off: 4 since 11:30", True),
        (_state(5, 9, "error", NOW, TEN, TEN), "HQ off: 4 since 11:00", False),  # 60 min
        (_state(5, 200, "error", NOW, TEN, TEN_30), "HQ off: 195 since 11:30", False),
        (_state(9, 9, "error", NOW, TEN), "HQ off", True),
        (_state(5, 9, "fork", NOW, TEN, TEN_30), "HQ: FORK", False),
        (_state(5, 5, "ahead", NOW, TEN), "HQ: check", False),
        (_state(5, 9, "refused", NOW, TEN, TEN_30), "HQ: check", False),
    ],
)
def test_the_header_text(state: SyncState, text: str, ok: bool) -> None:
    assert status_text(state, SETTINGS, NOW) == (text, ok)


def test_the_header_in_bokmal() -> None:
    i18n.set_language("nb")
    try:
        state = _state(5, 9, "error", NOW, TEN, TEN_30)
        assert status_text(state, SETTINGS, NOW) == ("HK av: 4 fra 11:30", True)
    finally:
        i18n.set_language("en")
