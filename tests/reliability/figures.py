"""The reliability suite's figures, gathered by the tests and printed as one table at the end.

Each test adds what it really did (kills survived, faults injected, bad inputs tried) and the
data it found lost; `conftest.py` prints the table after the run, so a reader of CI's output sees
at a glance how hard the till was pushed and that nothing was lost.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Figures:
    """Counts per kind of trouble, and per test where they came from."""

    kills: Counter[str] = field(default_factory=Counter)
    #: Kills that landed inside a write transaction: after BEGIN IMMEDIATE, before COMMIT.
    mid_transaction: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    bad_inputs: Counter[str] = field(default_factory=Counter)
    lost: Counter[str] = field(default_factory=Counter)
    checks: Counter[str] = field(default_factory=Counter)

    def any(self) -> bool:
        return any(
            (self.kills, self.mid_transaction, self.faults, self.bad_inputs, self.lost, self.checks)
        )

    def table(self) -> list[str]:
        """A markdown table: one row per figure, with the detail behind it."""

        def detail(counts: Counter[str]) -> str:
            return ", ".join(f"{name} {n}" for name, n in sorted(counts.items())) or "—"

        rows = [
            ("kills survived (SIGKILL)", self.kills),
            ("kills mid-transaction", self.mid_transaction),
            ("faults injected (printer, disk, clock)", self.faults),
            ("bad inputs tried", self.bad_inputs),
            ("full consistency checks", self.checks),
            ("data lost", self.lost),
        ]
        lines = ["| figure | total | detail |", "|---|---:|---|"]
        lines += [f"| {name} | {sum(c.values())} | {detail(c)} |" for name, c in rows]
        return lines


#: The one collection for this pytest run.
FIGURES = Figures()
