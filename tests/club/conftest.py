"""The unit tests' till (a real SQLite till on a steered clock) for the customer club."""

from __future__ import annotations

from tests.unit.conftest import (  # noqa: F401 (fixtures)
    _fast_pins_in_english,
    cashier,
    config,
    shift_lead,
    till,
    time,
)
