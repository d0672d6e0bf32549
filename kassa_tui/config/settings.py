"""What kassa.toml says, as frozen values: the shop, the register and each device's settings.

These are only the shapes and their defaults; `kassa_tui.config.reading` finds the file and
checks every value before one of these is made, so code that holds a `Config` can trust it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kassa_tui.config.accounting import AccountingSettings
from kassa_tui.config.club import ClubSettings
from kassa_tui.config.counter_rules import SaleRules
from kassa_tui.config.gift_cards import GiftCardSettings
from kassa_tui.config.hq import HqSettings
from kassa_tui.config.ordering import OrderingSettings
from kassa_tui.config.pant import PantSettings
from kassa_tui.config.payments import PaymentMethod

#: Actions of the sale screen and their default keys; every F-key has a Ctrl twin for SSH.
DEFAULT_KEYS: dict[str, str] = {
    "help": "f1,ctrl+g",
    "stock_lookup": "f2,ctrl+s",
    "park": "f3,ctrl+p",
    "resume": "f4,ctrl+r",
    "price_lookup": "f5,ctrl+f",
    "gift_card": "shift+f5",
    "line_discount": "f6,ctrl+d",
    "sale_discount": "shift+f6,ctrl+t",
    "price_override": "f7,ctrl+o",
    "correct_line": "f8,delete,ctrl+x",
    "pay_cash": "f10,ctrl+k",
    "pay_card": "f11,ctrl+b",
    "pay_other": "shift+f11,alt+v",
    "day_close": "f12,ctrl+y",
    "return_receipt": "f9,ctrl+w",
    "return_no_receipt": "shift+f9,ctrl+v",
    "receipts_menu": "ctrl+e",
    "no_sale": "ctrl+n",
    "lock": "ctrl+l",
    "sign_out": "ctrl+u",
    "void_sale": "shift+f8,ctrl+a",
    "eat_in": "shift+f3,ctrl+z",
    "club": "shift+f4,alt+k",  # kundeklubb
}


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
    """The receipt printer: how kassa reaches it, and its paper, code page and logo."""

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
    #: The PIN pepper file (`[ui] pin_pepper_file`); None: beside the signing key or database.
    pin_pepper_file: Path | None = None
    #: The fewest digits of a shift lead's or technician's PIN (`[ui] min_pin_length_lead`).
    min_pin_length_lead: int = 4
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
    #: A quantity typed before '*' above this many items (or kg) is asked about once.
    confirm_quantity_above: int = 100
    signing: SigningSettings = field(default_factory=SigningSettings)
    accounting: AccountingSettings = field(default_factory=AccountingSettings)
    #: `[sale]`: voiding a sale (issue 14's counter rules).
    sale: SaleRules = field(default_factory=SaleRules)
    #: `[hq]`: the head office this till pushes its journal to (None: none).
    hq: HqSettings | None = None
    #: `[pant]`: how bottle-return slips are read (config.pant).
    pant: PantSettings = field(default_factory=PantSettings)
    #: `[gift_cards]`: how long a gift card or credit note holds, the most one may hold.
    gift_cards: GiftCardSettings = field(default_factory=GiftCardSettings)
    #: `[ordering]`: the service level reorder proposals size their safety stock for.
    ordering: OrderingSettings = field(default_factory=OrderingSettings)
    #: `[club]`: the customer club's retention, member cards and offers (config.club).
    club: ClubSettings = field(default_factory=ClubSettings)
    #: `[shop] shop_id`: this shop's id at HQ ("" when unset); goods are never sent to it.
    shop_id: str = ""

    @property
    def pepper_file(self) -> Path:
        """Where the PIN pepper is: as set, else beside the signing key (else the database)."""
        if self.pin_pepper_file is not None:
            return self.pin_pepper_file
        folder = self.signing.key_file.parent if self.signing.key_file else self.database.parent
        return folder / "pin-pepper.bin"

    @property
    def payment_methods(self) -> tuple[PaymentMethod, ...]:
        """Every way to pay ([[payment]]): cash, card, then the others in their order."""
        return self.accounting.payment_methods

    def payment_name(self, method: str) -> str:
        """A payment method's Norwegian name (receipt, X/Z): 'Kontant', 'Vipps'."""
        found = self.accounting.payment_method(method)
        return found.name if found else method

    @property
    def org_nr_display(self) -> str:
        """'Org.nr 999 999 999 MVA' as bokføringsforskriften § 5-1-1 asks."""
        spaced = f"{self.org_nr[:3]} {self.org_nr[3:6]} {self.org_nr[6:]}"
        return f"Org.nr {spaced}" + (" MVA" if self.vat_registered else "")
