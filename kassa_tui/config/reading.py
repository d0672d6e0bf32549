"""Settings from kassa.toml: found, read and checked once, so nothing later trips on a bad value.

Every problem becomes one `ConfigError` naming the key and what is wrong; the CLI prints it as a
single line and exits with code 2. The values end up in the frozen `Config` of
`kassa_tui.config.settings`; [accounting] is read by `kassa_tui.config.accounting`.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from stdnum.no import orgnr

from kassa_tui.config.accounting import parse_accounting
from kassa_tui.config.club import parse_club
from kassa_tui.config.counter_rules import parse_sale_rules
from kassa_tui.config.gift_cards import parse_gift_cards
from kassa_tui.config.hq import parse_hq
from kassa_tui.config.ordering import parse_ordering
from kassa_tui.config.pant import parse_pant
from kassa_tui.config.payments import parse_payments
from kassa_tui.config.settings import (
    DEFAULT_KEYS,
    Config,
    DrawerSettings,
    EmbeddedLayout,
    PrinterSettings,
    ScannerSettings,
    SigningSettings,
)
from kassa_tui.config.table import ConfigError, Table

CONFIG_NAME = "kassa.toml"
#: `ui.language`: Norsk bokmål, Norsk nynorsk, English (each but en has data/locale/<code>/).
LANGUAGES = ("nb", "nn", "en")
PRINTER_TYPES = ("file", "dummy", "network", "usb", "serial")
CODEPAGES = ("CP865", "CP858")
SCANNER_MODES = ("wedge", "evdev")
SCANNER_LAYOUTS = ("us", "no")
#: `ui.lockout_minutes`: how long a register remembers wrong PINs; a day at most.
MAX_LOCKOUT_MINUTES = 24 * 60
#: `ui.confirm_quantity_above`: the highest plausibility limit for a quantity typed before *.
MAX_CONFIRM_QUANTITY = 100_000


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


def parse(raw: dict[str, Any], source: Path) -> Config:
    """Validate a parsed kassa.toml; paths are relative to the file's folder."""
    base = source.parent
    root = Table(raw, "")

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
    shop_id = shop.get("shop_id", str, "").strip()
    if shop_id and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,34}", shop_id):
        raise ConfigError(
            "shop.shop_id", "1 to 35 letters, digits, '.', '_' or '-' (as HQ knows it)"
        )
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
        raise ConfigError(
            "ui.language",
            f"must be one of {', '.join(LANGUAGES)} (Bokmål, Nynorsk, English), not {language!r}",
        )
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
    confirm_qty = ui.get("confirm_quantity_above", int, 100)
    if not 1 <= confirm_qty <= MAX_CONFIRM_QUANTITY:
        raise ConfigError(
            "ui.confirm_quantity_above",
            f"must be between 1 and {MAX_CONFIRM_QUANTITY} (items or kg), not {confirm_qty}",
        )
    lockout = ui.get("lockout_minutes", int, 15)
    if not 1 <= lockout <= MAX_LOCKOUT_MINUTES:
        raise ConfigError("ui.lockout_minutes", f"must be between 1 and {MAX_LOCKOUT_MINUTES}")
    pepper_text = ui.get("pin_pepper_file", str, "").strip()
    min_lead = ui.get("min_pin_length_lead", int, 4)
    if not 4 <= min_lead <= 8:
        raise ConfigError("ui.min_pin_length_lead", "must be between 4 and 8 (a PIN's digits)")
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

    accounting = parse_accounting(root.table("accounting"), rates_bp)
    methods = parse_payments(root.get("payment", list, None), accounting.cash, accounting.card)
    accounting = replace(
        accounting,
        cash=next(m.account for m in methods if m.key == "cash"),
        card=next(m.account for m in methods if m.key == "card"),
        payment_methods=methods,
    )
    sale_rules = parse_sale_rules(root.table("sale"))
    hq = parse_hq(root.table("hq"), base)
    pant = parse_pant(root.table("pant"))
    gift_cards = parse_gift_cards(root.table("gift_cards"))
    ordering = parse_ordering(root.table("ordering"))
    club = parse_club(root.table("club"))
    for layout in layouts:  # a member card must never read as a weight or price barcode
        if club.card_prefix[:2] == layout.prefix or club.offer_prefix[:2] == layout.prefix:
            raise ConfigError("club.card_prefix", f"clashes with barcodes prefix {layout.prefix}")

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
        pin_pepper_file=(base / pepper_text) if pepper_text else None,
        min_pin_length_lead=min_lead,
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
        confirm_quantity_above=confirm_qty,
        signing=signing,
        accounting=accounting,
        sale=sale_rules,
        hq=hq,
        pant=pant,
        gift_cards=gift_cards,
        ordering=ordering,
        club=club,
        shop_id=shop_id,
    )


def _parse_signing(table: Table, base: Path) -> SigningSettings:
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


def _parse_printer(table: Table, base: Path) -> PrinterSettings:
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


def _parse_scanner(table: Table) -> ScannerSettings:
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
    table = Table(raw, f"barcodes.embedded[{index}]")
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
