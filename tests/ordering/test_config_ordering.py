"""[ordering] service_level in kassa.toml: 0.95 by default, checked; a bad one is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from kassa_tui.config import load
from kassa_tui.config.table import ConfigError
from tests.shop import write_config


def test_the_documented_service_level_is_read(tmp_path: Path) -> None:
    assert load(write_config(tmp_path)).ordering.service_level == 0.95
    assert load(write_config(tmp_path, service_level="0.99")).ordering.service_level == 0.99


@pytest.mark.parametrize("value", ["1.5", "0.2", '"high"', "1"])
def test_a_bad_service_level_is_refused_by_name(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match=r"ordering\.service_level"):
        load(write_config(tmp_path, service_level=value))
