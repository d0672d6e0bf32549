"""A real demo shop in a temporary folder, for app, CLI and crash tests."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kassa_tui.clock import Clock
from kassa_tui.config import Config, load
from kassa_tui.demo import load_demo
from kassa_tui.services import Till, open_till

REPO = Path(__file__).resolve().parent.parent


def write_config(folder: Path, **overrides: str) -> Path:
    """Copy the documented kassa.toml into `folder`, with `key = value` lines replaced."""
    text = (REPO / "kassa.toml").read_text(encoding="utf-8")
    for key, value in overrides.items():
        text, count = re.subn(rf"^{key} = .*$", f"{key} = {value}", text, count=1, flags=re.M)
        assert count == 1, key
    path = folder / "kassa.toml"
    path.write_text(text, encoding="utf-8")
    return path


class SteppingClock(Clock):
    """A frozen clock that moves one second per reading, so rows stay ordered."""

    def __init__(self, start: datetime | None = None) -> None:
        self.at = start or datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
        super().__init__(self._tick)

    def _tick(self) -> datetime:
        self.at += timedelta(seconds=1)
        return self.at


def demo_till(folder: Path, clock: Clock | None = None, **overrides: str) -> Till:
    config: Config = load(write_config(folder, **overrides))
    till = open_till(config, clock or SteppingClock())
    load_demo(till.db, till.users)
    return till
