"""The [ordering] section of kassa.toml: how sure a reorder proposal should be not to run out.

`service_level` is the chance of not running out before the next delivery that the safety
stock is sized for (kassa_tui.ordering.suggest): 0.95 means a stock-out in one review period
of twenty. 0.50 to 0.999.
"""

from __future__ import annotations

from dataclasses import dataclass

from kassa_tui.config.table import ConfigError, Table


@dataclass(frozen=True)
class OrderingSettings:
    service_level: float = 0.95


def parse_ordering(table: Table) -> OrderingSettings:
    """`[ordering]`; every value checked, a wrong one named by its key."""
    level = table.get("service_level", float, 0.95)
    if not 0.5 <= level <= 0.999:
        raise ConfigError(table.key("service_level"), f"must be 0.5 to 0.999, not {level}")
    table.done()
    return OrderingSettings(level)
