"""The [sale] section of kassa.toml: the counter's own rules (issue 14).

Voiding a whole sale before payment (annullering): which reasons a cashier picks from, and
above which total a shift lead must approve it.
"""

from __future__ import annotations

from dataclasses import dataclass

from kassa_tui.config.table import ConfigError, Table

DEFAULT_VOID_REASONS = ("Kunden ombestemte seg", "Feil registrering", "Kunden kunne ikke betale")
#: The highest `[sale] void_approval_above` (kr): a threshold above this is a typo.
MAX_VOID_APPROVAL_KR = 1_000_000


@dataclass(frozen=True)
class SaleRules:
    """`[sale]`: a void above `void_approval_above_ore` needs a shift lead (0: every void)."""

    void_approval_above_ore: int = 50_000
    void_reasons: tuple[str, ...] = DEFAULT_VOID_REASONS


def parse_sale_rules(table: Table) -> SaleRules:
    """Read and check `[sale]`; every bad value names its key."""
    above = table.get("void_approval_above", int, 500)
    if not 0 <= above <= MAX_VOID_APPROVAL_KR:
        raise ConfigError(
            table.key("void_approval_above"),
            f"must be between 0 and {MAX_VOID_APPROVAL_KR} (kr), not {above}",
        )
    reasons = table.get("void_reasons", list, list(DEFAULT_VOID_REASONS))
    if not reasons or not all(isinstance(r, str) and r.strip() for r in reasons):
        raise ConfigError(table.key("void_reasons"), "must be a non-empty list of text")
    table.done()
    return SaleRules(above * 100, tuple(r.strip() for r in reasons))
