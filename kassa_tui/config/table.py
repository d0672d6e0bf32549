"""Reading a TOML table key by key, and the one error every bad setting becomes.

Every section parser reads through `Table`, so whatever is wrong is reported with its dotted
key ("printer.port"), and a key nobody asked for is caught as a typo instead of ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """A setting is missing or wrong; `str()` is the one line shown to the technician."""

    def __init__(self, key: str, problem: str, source: Path | None = None) -> None:
        self.key = key
        self.problem = problem
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{key}: {problem}")


class Table:
    """A TOML table read key by key, so every error names its dotted key."""

    def __init__(self, raw: Any, name: str) -> None:
        if not isinstance(raw, dict):
            raise ConfigError(name, "must be a table")
        self.raw: dict[str, Any] = raw
        self.name = name
        self.used: set[str] = set()

    def key(self, key: str) -> str:
        return f"{self.name}.{key}" if self.name else key

    def get(self, key: str, kind: type, default: Any = ..., *, required: bool = False) -> Any:
        self.used.add(key)
        if key not in self.raw:
            if required or default is ...:
                raise ConfigError(self.key(key), "is missing")
            return default
        value = self.raw[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ConfigError(self.key(key), f"must be {_KIND_NAMES[kind]}, not {value!r}")
        return value

    def table(self, key: str) -> Table:
        self.used.add(key)
        return Table(self.raw.get(key, {}), self.key(key))

    def done(self) -> None:
        unknown = sorted(set(self.raw) - self.used)
        if unknown:
            raise ConfigError(self.key(unknown[0]), "is not a known setting")


_KIND_NAMES: dict[type, str] = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    list: "a list",
    dict: "a table",
}
