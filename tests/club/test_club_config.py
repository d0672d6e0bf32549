"""[club] in kassa.toml: every bad value is refused with its dotted key (the till does not
start on it); a member card prefix that a weight or price barcode reads is refused too."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from kassa_tui.config import ConfigError, parse
from tests.unit.conftest import REPO_CONFIG


def raw_with(**club: Any) -> dict[str, Any]:
    raw = tomllib.loads(REPO_CONFIG.read_text(encoding="utf-8"))
    raw["club"].update(club)
    return raw


def test_the_documented_club_settings_load() -> None:
    club = parse(raw_with(), REPO_CONFIG).club
    assert (club.retention_months, club.card_prefix, club.offer_prefix) == (24, "270", "271")
    assert (club.offer_percent, club.offer_valid_days) == (20, 30)


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ({"retention_months": 0}, "club.retention_months"),
        ({"retention_months": 121}, "club.retention_months"),
        ({"card_prefix": "29"}, "club.card_prefix"),  # the gift cards'
        ({"card_prefix": "70"}, "club.card_prefix"),  # not in-store
        ({"card_prefix": "23"}, "club.card_prefix"),  # the weight barcodes' prefix
        ({"offer_prefix": "2701"}, "club.offer_prefix"),  # inside the cards' range
        ({"offer_percent": 0}, "club.offer_percent"),
        ({"offer_percent": 95}, "club.offer_percent"),
        ({"offer_valid_days": 0}, "club.offer_valid_days"),
        ({"colour": "red"}, "club.colour"),
    ],
)
def test_a_bad_club_setting_names_its_key(
    setting: dict[str, Any], named: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError) as refused:
        parse(raw_with(**setting), tmp_path / "kassa.toml")
    assert refused.value.key == named
