"""A demo till with half a year of generated history, made once per test module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kassa_tui.config import Config
from tests.insight.shopdata import Shop, write_history
from tests.shop import demo_till


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Config, Shop]]:
    folder: Path = tmp_path_factory.mktemp("insight")
    till = demo_till(folder, language='"en"')
    config = till.config
    till.db.close()
    shop = write_history(str(config.database))
    shop.config_path = str(folder / "kassa.toml")
    yield config, shop
