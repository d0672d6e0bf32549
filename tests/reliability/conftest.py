"""Prints the reliability figures (tests/reliability/figures.py) as one table after the run."""

from __future__ import annotations

import pytest

from tests.reliability.figures import FIGURES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FIGURES.any():
        return
    terminalreporter.section("reliability figures")
    for line in FIGURES.table():
        terminalreporter.write_line(line)
    if sum(FIGURES.lost.values()):
        terminalreporter.write_line("DATA WAS LOST: see the failing tests above", red=True)
