"""kassa.toml: the till's settings, read and checked once at start.

The package is split by idea: `settings` (the frozen values a `Config` holds), `reading`
(finding, reading and checking the file), `accounting` (the [accounting] section) and `table`
(the key-by-key TOML reader and `ConfigError`). Its public names are re-exported here, so the
rest of kassa keeps writing `from kassa_tui.config import Config, load`.
"""

from __future__ import annotations

from kassa_tui.config.accounting import (
    DEFAULT_VAT_ACCOUNTS,
    GBAT10_ENCODINGS,
    GBAT10_VAT_LINES,
    OUTPUT_VAT_CODES,
    ZERO_VAT_CODES,
    AccountingSettings,
    VatAccounts,
    rate_key,
)
from kassa_tui.config.reading import (
    CODEPAGES,
    CONFIG_NAME,
    LANGUAGES,
    PRINTER_TYPES,
    SCANNER_LAYOUTS,
    SCANNER_MODES,
    find_config,
    load,
    parse,
    user_config_dir,
)
from kassa_tui.config.settings import (
    DEFAULT_KEYS,
    Config,
    DrawerSettings,
    EmbeddedLayout,
    PrinterSettings,
    ScannerSettings,
    SigningSettings,
)
from kassa_tui.config.table import ConfigError

__all__ = [
    "CODEPAGES",
    "CONFIG_NAME",
    "DEFAULT_KEYS",
    "DEFAULT_VAT_ACCOUNTS",
    "GBAT10_ENCODINGS",
    "GBAT10_VAT_LINES",
    "LANGUAGES",
    "OUTPUT_VAT_CODES",
    "PRINTER_TYPES",
    "SCANNER_LAYOUTS",
    "SCANNER_MODES",
    "ZERO_VAT_CODES",
    "AccountingSettings",
    "Config",
    "ConfigError",
    "DrawerSettings",
    "EmbeddedLayout",
    "PrinterSettings",
    "ScannerSettings",
    "SigningSettings",
    "VatAccounts",
    "find_config",
    "load",
    "parse",
    "rate_key",
    "user_config_dir",
]
