"""Settings from kassa.toml: found, read and checked once, so nothing later trips on a bad value.

Every problem becomes one `ConfigError` naming the key and what is wrong; the CLI prints it as a
single line and exits with code 2.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from stdnum.no import orgnr

CONFIG_NAME = "kassa.toml"
LANGUAGES = ("nb", "en")
PRINTER_TYPES = ("file", "dummy", "network", "usb", "serial")
CODEPAGES = ("CP865", "CP858")
SCANNER_MODES = ("wedge", "evdev")
SCANNER_LAYOUTS = ("us", "no")

#: Actions of the sale screen and their default keys; every F-key has a Ctrl twin for SSH.
DEFAULT_KEYS: dict[str, str] = {
    "help": "f1,ctrl+g",
    "stock_lookup": "f2,ctrl+s",
    "park": "f3,ctrl+p",
    "resume": "f4,ctrl+r",
    "price_lookup": "f5,ctrl+f",
    "line_discount": "f6,ctrl+d",
    "sale_discount": "shift+f6,ctrl+t",
    "price_override": "f7,ctrl+o",
    "correct_line": "f8,delete,ctrl+x",
    "pay_cash": "f10,ctrl+k",
    "pay_card": "f11,ctrl+b",
    "day_close": "f12,ctrl+y",
    "return_receipt": "f9,ctrl+w",
    "receipts_menu": "ctrl+e",
    "no_sale": "ctrl+n",
    "lock": "ctrl+l",
    "sign_out": "ctrl+u",
}


class ConfigError(Exception):
    """A setting is missing or wrong; `str()` is the one line shown to the technician."""

    def __init__(self, key: str, problem: str, source: Path | None = None) -> None:
        self.key = key
        self.problem = problem
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{key}: {problem}")


@dataclass(frozen=True)
class EmbeddedLayout:
    """How a price- or weight-embedded EAN-13 (prefix 20–29) is read.

    Digits after the prefix: `item_digits` name the product by its PLU, then `value_digits`
    carry grams (weight) or øre (price); the last digit is the EAN check digit.
    """

    prefix: str
    kind: str  # "weight" (grams) or "price" (øre)
    item_digits: int = 5
    value_digits: int = 5


@dataclass(frozen=True)
class PrinterSettings:
    type: str = "file"
    path: Path | None = None
    host: str = ""
    port: int = 9100
    timeout: float = 3.0
    usb_vendor: int = 0
    usb_product: int = 0
    serial_device: str = ""
    baudrate: int = 9600
    profile: str = "default"
    codepage: str = "CP865"
    width_mm: int = 80
    logo: Path | None = None

    @property
    def columns(self) -> int:
        """Characters per line in font A: 48 on 80 mm paper, 32 on 58 mm."""
        return 48 if self.width_mm == 80 else 32


@dataclass(frozen=True)
class DrawerSettings:
    """Whether the printer can tell kassa that the drawer is open, and which level means open."""

    sensor: bool = False
    open_when_high: bool = True


@dataclass(frozen=True)
class ScannerSettings:
    """Where scans come from. "wedge": typed into the entry line (always works, also over SSH);
    "evdev": read from the input device, grabbed so its keys do not also reach the terminal."""

    mode: str = "wedge"
    device: str = ""  # a path such as /dev/input/by-id/usb-…-event-kbd
    name: str = ""  # or a part of the device's name
    usb_id: str = ""  # or "vvvv:pppp" (hex vendor:product)
    grab: bool = True
    layout: str = "us"  # the key codes the scanner sends: "us" or "no"
    keys: tuple[tuple[str, str], ...] = ()  # extra KEY_… → character mappings


@dataclass(frozen=True)
class SigningSettings:
    """The SAF-T signing key: a PEM file only the till's user can read, and its version.

    Only the setting is checked here; the till checks the file itself when it opens the key,
    so `kassa keys generate` can make a key the config names but that does not exist yet.
    """

    enabled: bool = True
    key_file: Path | None = None
    key_version: str = "1"

    @property
    def public_key_file(self) -> Path | None:
        """'signing-key.pem' → 'signing-key.pub.pem' beside it (goes with RF-1348)."""
        if self.key_file is None:
            return None
        return self.key_file.with_name(f"{self.key_file.stem}.pub.pem")


#: SAF-T standard VAT codes (Standard_Tax_Codes.csv) a sale can carry: output VAT at a rate
#: above 0 %, or none at 0 % (5 fritatt, 51 omvendt avgiftsplikt, 52 utførsel, 6 unntatt, 7).
OUTPUT_VAT_CODES = ("3", "31", "32", "33")
ZERO_VAT_CODES = ("5", "51", "52", "6", "7")
GBAT10_ENCODINGS = ("utf-8", "iso-8859-1")
GBAT10_VAT_LINES = ("omit", "explicit_f")
_ACCOUNT = re.compile(r"[0-9]{4}")


@dataclass(frozen=True)
class VatAccounts:
    """Where the sales at one VAT rate go in the books (NS 4102 numbers)."""

    rate_bp: int
    sales_account: str
    vat_account: str | None  # output VAT; None at 0 %
    vat_code: str  # SAF-T standard tax code, written on the sales line


#: The defaults of accounting.md (NS 4102 / SAF-T standard accounts and codes).
DEFAULT_VAT_ACCOUNTS = (
    VatAccounts(2500, "3000", "2700", "3"),
    VatAccounts(1500, "3030", "2701", "31"),
    VatAccounts(1200, "3050", "2703", "33"),
    VatAccounts(1111, "3035", "2702", "32"),
    VatAccounts(0, "3100", None, "5"),
)


@dataclass(frozen=True)
class AccountingSettings:
    """The day-close voucher: accounts, VAT codes and the export files' options."""

    cash: str = "1900"
    card: str = "1579"  # card terminal clearing until the acquirer settles
    rounding: str = "7740"
    cash_difference: str = "1909"
    vat: tuple[VatAccounts, ...] = DEFAULT_VAT_ACCOUNTS
    gbat10_voucher_type: int = 6
    gbat10_encoding: str = "utf-8"
    gbat10_vat_lines: str = "omit"
    csv_decimal: str = "."
    csv_bom: bool = False

    def for_rate(self, rate_bp: int) -> VatAccounts | None:
        return next((v for v in self.vat if v.rate_bp == rate_bp), None)

    def payment_account(self, method: str) -> str | None:
        return {"cash": self.cash, "card": self.card}.get(method)


def rate_key(rate_bp: int) -> str:
    """The key of a rate's table in [accounting.vat]: '25', '0', '"11.11"'."""
    text = format(Decimal(rate_bp) / 100, "f")
    return f'"{text}"' if "." in text else text


@dataclass(frozen=True)
class Config:
    source: Path
    shop_name: str
    shop_address: tuple[str, ...]
    org_nr: str
    vat_registered: bool
    register_id: str
    database: Path
    log_file: Path
    language: str = "nb"
    idle_lock_seconds: int = 300
    lockout_minutes: int = 15
    console_theme: str = "auto"
    vat_rates_bp: tuple[int, ...] = (2500, 1500, 1200, 0)
    cash_rounding: bool = True
    printer: PrinterSettings = field(default_factory=PrinterSettings)
    scanner: ScannerSettings = field(default_factory=ScannerSettings)
    drawer: DrawerSettings = field(default_factory=DrawerSettings)
    day_cutoff_hour: int = 4
    embedded: tuple[EmbeddedLayout, ...] = ()
    keys: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_KEYS))
    discount_reasons: tuple[str, ...] = ()
    discount_limit_percent: int = 20
    signing: SigningSettings = field(default_factory=SigningSettings)
    accounting: AccountingSettings = field(default_factory=AccountingSettings)

    @property
    def org_nr_display(self) -> str:
        """'Org.nr 999 999 999 MVA' as bokføringsforskriften § 5-1-1 asks."""
        spaced = f"{self.org_nr[:3]} {self.org_nr[3:6]} {self.org_nr[6:]}"
        return f"Org.nr {spaced}" + (" MVA" if self.vat_registered else "")


def find_config(explicit: str | os.PathLike[str] | None) -> Path:
    """`--config`, then `$KASSA_CONFIG`, then `./kassa.toml`, then the user config dir."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("KASSA_CONFIG")
    if env:
        return Path(env)
    candidates = [Path.cwd() / CONFIG_NAME, user_config_dir() / CONFIG_NAME]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    looked = ", ".join(str(c) for c in candidates)
    raise ConfigError("config", f"no {CONFIG_NAME} found (looked in {looked}); use --config PATH")


def user_config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "kassa"


def load(explicit: str | os.PathLike[str] | None = None) -> Config:
    """Find, read and validate kassa.toml."""
    path = find_config(explicit)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("config", "file not found", path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("config", f"cannot be read ({exc})", path) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("config", f"not valid TOML ({exc})", path) from None
    try:
        return parse(raw, path)
    except ConfigError as exc:
        raise ConfigError(exc.key, exc.problem, path) from None


class _Table:
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

    def table(self, key: str) -> _Table:
        self.used.add(key)
        return _Table(self.raw.get(key, {}), self.key(key))

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


def parse(raw: dict[str, Any], source: Path) -> Config:
    """Validate a parsed kassa.toml; paths are relative to the file's folder."""
    base = source.parent
    root = _Table(raw, "")

    shop = root.table("shop")
    name = shop.get("name", str, required=True).strip()
    if not name:
        raise ConfigError("shop.name", "must not be empty")
    address = shop.get("address", list, required=True)
    if not address or not all(isinstance(a, str) and a.strip() for a in address):
        raise ConfigError("shop.address", "must be a list of address lines, e.g. ['Storgata 1']")
    org = shop.get("org_nr", str, required=True).replace(" ", "")
    if not orgnr.is_valid(org):
        raise ConfigError("shop.org_nr", f"{org!r} is not a valid Norwegian organisation number")
    vat_registered = shop.get("vat_registered", bool, True)
    shop.done()

    register = root.table("register")
    register_id = register.get("id", str, required=True).strip()
    if not register_id or len(register_id) > 35:
        raise ConfigError("register.id", "must be 1 to 35 characters")
    register.done()

    database = root.table("database")
    db_path = base / database.get("path", str, required=True)
    database.done()

    log = root.table("log")
    log_file = base / log.get("file", str, "kassa.log")
    log.done()

    ui = root.table("ui")
    language = ui.get("language", str, "nb")
    if language not in LANGUAGES:
        raise ConfigError("ui.language", f"must be one of {', '.join(LANGUAGES)}")
    idle = ui.get("idle_lock_seconds", int, 300)
    if idle < 0:
        raise ConfigError("ui.idle_lock_seconds", "must be 0 (never) or more")
    console_theme = ui.get("console_theme", str, "auto")
    if console_theme not in ("auto", "on", "off"):
        raise ConfigError("ui.console_theme", "must be auto, on or off")
    reasons = ui.get("discount_reasons", list, ["Skadet vare", "Kort dato", "Kundeklubb", "Annet"])
    if not reasons or not all(isinstance(r, str) and r.strip() for r in reasons):
        raise ConfigError("ui.discount_reasons", "must be a non-empty list of text")
    discount_limit = ui.get("discount_limit_percent", int, 20)
    if not 0 <= discount_limit <= 100:
        raise ConfigError("ui.discount_limit_percent", "must be between 0 and 100")
    lockout = ui.get("lockout_minutes", int, 15)
    if lockout < 1:
        raise ConfigError("ui.lockout_minutes", "must be 1 or more")
    ui.done()

    vat = root.table("vat")
    rates = vat.get("rates", list, [25, 15, 12, 0])
    rates_bp: list[int] = []
    for rate in rates:
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate < 100:
            raise ConfigError("vat.rates", f"{rate!r} is not a VAT rate in percent")
        rates_bp.append(round(rate * 100))
    vat.done()

    cash = root.table("cash")
    rounding = cash.get("rounding", bool, True)
    cash.done()

    printer = _parse_printer(root.table("printer"), base)

    scanner = _parse_scanner(root.table("scanner"))

    drawer_table = root.table("drawer")
    sensor = drawer_table.get("sensor", bool, required=True)
    open_level = drawer_table.get("open_level", str, "high")
    if open_level not in ("high", "low"):
        raise ConfigError("drawer.open_level", "must be 'high' or 'low'")
    if sensor and printer.type in ("file", "dummy"):
        raise ConfigError(
            "drawer.sensor", f"a {printer.type} printer cannot report the drawer; set it to false"
        )
    drawer_table.done()
    drawer = DrawerSettings(sensor, open_level == "high")

    day = root.table("day")
    cutoff = day.get("cutoff_hour", int, 4)
    if not 0 <= cutoff <= 12:
        raise ConfigError("day.cutoff_hour", "must be an hour from 0 to 12")
    day.done()

    barcodes = root.table("barcodes")
    layouts = tuple(
        _parse_layout(i, item) for i, item in enumerate(barcodes.get("embedded", list, []))
    )
    barcodes.done()

    keys_table = root.table("keys")
    keys = dict(DEFAULT_KEYS)
    for action in list(keys_table.raw):
        if action not in DEFAULT_KEYS:
            raise ConfigError(
                f"keys.{action}", f"is not an action (known: {', '.join(DEFAULT_KEYS)})"
            )
        value = keys_table.get(action, str).replace(" ", "")
        if not value:
            raise ConfigError(f"keys.{action}", "must name at least one key")
        keys[action] = value
    keys_table.done()
    _check_key_clashes(keys)

    signing = _parse_signing(root.table("signing"), base)

    accounting = _parse_accounting(root.table("accounting"), rates_bp)

    root.done()
    return Config(
        source=source,
        shop_name=name,
        shop_address=tuple(a.strip() for a in address),
        org_nr=org,
        vat_registered=vat_registered,
        register_id=register_id,
        database=db_path,
        log_file=log_file,
        language=language,
        idle_lock_seconds=idle,
        lockout_minutes=lockout,
        console_theme=console_theme,
        vat_rates_bp=tuple(rates_bp),
        cash_rounding=rounding,
        printer=printer,
        scanner=scanner,
        drawer=drawer,
        day_cutoff_hour=cutoff,
        embedded=layouts,
        keys=keys,
        discount_reasons=tuple(r.strip() for r in reasons),
        discount_limit_percent=discount_limit,
        signing=signing,
        accounting=accounting,
    )


def _parse_signing(table: _Table, base: Path) -> SigningSettings:
    enabled = table.get("enabled", bool, True)
    key_text = table.get("key_file", str, "").strip()
    if enabled and not key_text:
        raise ConfigError(
            "signing.key_file",
            "is missing (the till's private signing key; `kassa keys generate` makes one"
            " for a demo or test shop)",
        )
    key_version = table.get("key_version", str, "1").strip()
    if not 1 <= len(key_version) <= 50:
        raise ConfigError("signing.key_version", "must be 1 to 50 characters")
    table.done()
    return SigningSettings(enabled, (base / key_text) if key_text else None, key_version)


def _parse_accounting(table: _Table, rates_bp: list[int]) -> AccountingSettings:
    """[accounting]: every VAT rate the till sells at has its accounts and code."""
    accounts = table.table("accounts")
    cash = _account(accounts, "cash", "1900")
    card = _account(accounts, "card", "1579")
    rounding = _account(accounts, "rounding", "7740")
    difference = _account(accounts, "cash_difference", "1909")
    accounts.done()

    vat: tuple[VatAccounts, ...] = DEFAULT_VAT_ACCOUNTS
    if "vat" in table.raw:  # given, it is the whole mapping: no defaults mixed in
        vat_table = table.table("vat")
        found: dict[int, VatAccounts] = {}
        for key in list(vat_table.raw):
            rate_bp = _rate_of_key(vat_table.key(key), key)
            if rate_bp in found:
                raise ConfigError(vat_table.key(key), "names a rate that is already listed")
            found[rate_bp] = _parse_vat_accounts(vat_table.table(key), rate_bp)
        vat_table.done()
        vat = tuple(found[r] for r in sorted(found, reverse=True))
    table.used.add("vat")
    for rate_bp in rates_bp:
        if not any(v.rate_bp == rate_bp for v in vat):
            raise ConfigError(
                f"accounting.vat.{rate_key(rate_bp)}",
                "is missing: vat.rates has this rate, so it needs sales_account, vat_code"
                " and (above 0 %) vat_account",
            )

    gbat10 = table.table("gbat10")
    voucher_type = gbat10.get("voucher_type", int, 6)
    if not 1 <= voucher_type <= 999:
        raise ConfigError("accounting.gbat10.voucher_type", "must be 1 to 999 (bilagsart)")
    encoding = gbat10.get("encoding", str, "utf-8").lower()
    if encoding not in GBAT10_ENCODINGS:
        raise ConfigError("accounting.gbat10.encoding", f"must be {' or '.join(GBAT10_ENCODINGS)}")
    vat_lines = gbat10.get("vat_lines", str, "omit")
    if vat_lines not in GBAT10_VAT_LINES:
        raise ConfigError("accounting.gbat10.vat_lines", "must be 'omit' or 'explicit_f'")
    gbat10.done()

    csv_table = table.table("csv")
    decimal = csv_table.get("decimal", str, ".")
    if decimal not in (".", ","):
        raise ConfigError("accounting.csv.decimal", "must be '.' or ','")
    bom = csv_table.get("bom", bool, False)
    csv_table.done()

    table.done()
    return AccountingSettings(
        cash=cash,
        card=card,
        rounding=rounding,
        cash_difference=difference,
        vat=vat,
        gbat10_voucher_type=voucher_type,
        gbat10_encoding=encoding,
        gbat10_vat_lines=vat_lines,
        csv_decimal=decimal,
        csv_bom=bom,
    )


def _account(table: _Table, key: str, default: Any = ...) -> str:
    value = table.get(key, str, default).strip()
    if not _ACCOUNT.fullmatch(value):
        raise ConfigError(table.key(key), f"{value!r} is not an account number (4 digits)")
    return str(value)


def _rate_of_key(dotted: str, key: str) -> int:
    try:
        rate = Decimal(key)
    except InvalidOperation:
        rate = Decimal(-1)
    if not (rate.is_finite() and 0 <= rate < 100 and (rate * 100) % 1 == 0):
        raise ConfigError(dotted, "must be a VAT rate in percent, e.g. [accounting.vat.25]")
    return int(rate * 100)


def _parse_vat_accounts(table: _Table, rate_bp: int) -> VatAccounts:
    sales = _account(table, "sales_account")
    vat_account = None
    if rate_bp:
        vat_account = _account(table, "vat_account")
    elif "vat_account" in table.raw:
        raise ConfigError(table.key("vat_account"), "a 0 % rate has no output VAT: remove it")
    table.used.add("vat_code")
    if "vat_code" not in table.raw:
        raise ConfigError(table.key("vat_code"), "is missing (the SAF-T VAT code, e.g. 3)")
    code = table.raw["vat_code"]
    allowed = OUTPUT_VAT_CODES if rate_bp else ZERO_VAT_CODES
    if isinstance(code, bool) or not isinstance(code, int | str) or str(code) not in allowed:
        raise ConfigError(
            table.key("vat_code"),
            f"{code!r} is not a SAF-T code for sales at this rate (one of {', '.join(allowed)})",
        )
    table.done()
    return VatAccounts(rate_bp, sales, vat_account, str(code))


def _parse_printer(table: _Table, base: Path) -> PrinterSettings:
    kind = table.get("type", str, "file")
    if kind not in PRINTER_TYPES:
        raise ConfigError("printer.type", f"must be one of {', '.join(PRINTER_TYPES)}")
    path_text = table.get("path", str, "")
    if kind == "file" and not path_text:
        raise ConfigError("printer.path", "is missing (the file or device receipts are written to)")
    host = table.get("host", str, "")
    if kind == "network" and not host:
        raise ConfigError("printer.host", "is missing (the printer's address)")
    port = table.get("port", int, 9100)
    if not 0 < port < 65536:
        raise ConfigError("printer.port", "must be between 1 and 65535")
    timeout = table.get("timeout", float, 3.0)
    if not 0 < timeout <= 60:
        raise ConfigError("printer.timeout", "must be between 0 and 60 seconds")
    codepage = table.get("codepage", str, "CP865").upper()
    if codepage not in CODEPAGES:
        raise ConfigError("printer.codepage", f"must be one of {', '.join(CODEPAGES)}")
    width = table.get("width_mm", int, 80)
    if width not in (58, 80):
        raise ConfigError("printer.width_mm", "must be 58 or 80")
    usb_vendor = table.get("usb_vendor", int, 0)
    usb_product = table.get("usb_product", int, 0)
    if kind == "usb" and not (0 < usb_vendor < 0x10000 and 0 < usb_product < 0x10000):
        raise ConfigError("printer.usb_vendor", "usb printers need usb_vendor and usb_product")
    serial_device = table.get("serial_device", str, "")
    if kind == "serial" and not serial_device:
        raise ConfigError("printer.serial_device", "is missing (e.g. /dev/ttyUSB0)")
    logo_text = table.get("logo", str, "")
    logo = base / logo_text if logo_text else None
    if logo is not None and not logo.is_file():
        raise ConfigError("printer.logo", f"{logo} is not a file")
    settings = PrinterSettings(
        type=kind,
        path=(base / path_text) if path_text else None,
        host=host,
        port=port,
        timeout=timeout,
        usb_vendor=usb_vendor,
        usb_product=usb_product,
        serial_device=serial_device,
        baudrate=table.get("baudrate", int, 9600),
        profile=table.get("profile", str, "default"),
        codepage=codepage,
        width_mm=width,
        logo=logo,
    )
    table.done()
    return settings


def _parse_scanner(table: _Table) -> ScannerSettings:
    mode = table.get("mode", str, "wedge")
    if mode not in SCANNER_MODES:
        raise ConfigError("scanner.mode", f"must be one of {', '.join(SCANNER_MODES)}")
    usb_id = table.get("usb_id", str, "").lower()
    if usb_id and not re.fullmatch(r"[0-9a-f]{4}:[0-9a-f]{4}", usb_id):
        raise ConfigError("scanner.usb_id", "must be vendor:product in hex, e.g. '05e0:1200'")
    layout = table.get("layout", str, "us")
    if layout not in SCANNER_LAYOUTS:
        raise ConfigError("scanner.layout", f"must be one of {', '.join(SCANNER_LAYOUTS)}")
    keys_table = table.table("keys")
    keys: list[tuple[str, str]] = []
    for key_name in list(keys_table.raw):
        char = keys_table.get(key_name, str)
        if not re.fullmatch(r"KEY_[A-Z0-9_]+", key_name) or len(char) != 1:
            raise ConfigError(f"scanner.keys.{key_name}", "must map a KEY_… name to one character")
        keys.append((key_name, char))
    keys_table.done()
    settings = ScannerSettings(
        mode=mode,
        device=table.get("device", str, ""),
        name=table.get("name", str, ""),
        usb_id=usb_id,
        grab=table.get("grab", bool, True),
        layout=layout,
        keys=tuple(keys),
    )
    table.done()
    return settings


def _parse_layout(index: int, raw: Any) -> EmbeddedLayout:
    table = _Table(raw, f"barcodes.embedded[{index}]")
    prefix = table.get("prefix", str, required=True)
    if not (len(prefix) == 2 and prefix.isdigit() and 20 <= int(prefix) <= 29):
        raise ConfigError(table.key("prefix"), "must be two digits from 20 to 29")
    kind = table.get("kind", str, required=True)
    if kind not in ("weight", "price"):
        raise ConfigError(table.key("kind"), "must be 'weight' or 'price'")
    item_digits = table.get("item_digits", int, 5)
    value_digits = table.get("value_digits", int, 5)
    if item_digits < 1 or value_digits < 1 or 2 + item_digits + value_digits != 12:
        raise ConfigError(table.key("item_digits"), "prefix + item + value digits must make 12")
    table.done()
    return EmbeddedLayout(prefix, kind, item_digits, value_digits)


def _check_key_clashes(keys: dict[str, str]) -> None:
    seen: dict[str, str] = {}
    for action, spec in keys.items():
        for key in spec.split(","):
            if key in seen:
                raise ConfigError(
                    f"keys.{action}", f"key {key!r} is used by both {seen[key]} and {action}"
                )
            seen[key] = action
