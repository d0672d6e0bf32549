"""What an import found and did: counts, rejected rows with their reasons, sample changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kassa_tui.stock.importing.read import Table

IMPORT = ("13999", "IMPORT")


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


@dataclass(frozen=True)
class Sample:
    """A new or changed row, described for the report."""

    line: int
    kind: str  # "new", "changed"
    product: str
    changes: tuple[str, ...]


@dataclass
class ImportReport:
    """What an import found (and, unless a dry run, did)."""

    what: str  # "products", "stock"
    table: Table
    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    groups_created: list[str] = field(default_factory=list)
    groups_saft_changed: list[str] = field(default_factory=list)  # their SAF-T code changed
    written: bool = False

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "rejected": len(self.rejected),
        }


def product_label(plu: str | None, codes: Sequence[str], name: str) -> str:
    if plu:
        return f"PLU {plu} {name}"
    return f"EAN {codes[0]} {name}" if codes else name
