"""A real demo shop in a temporary folder, for app, CLI and crash tests."""

from __future__ import annotations

import os
import re
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kassa_tui.composition import Till, open_till
from kassa_tui.config import Config, load
from kassa_tui.core.clock import Clock
from kassa_tui.demo import load_demo
from kassa_tui.records.signing import generate_key_pair

REPO = Path(__file__).resolve().parent.parent


def write_config(folder: Path, **overrides: str) -> Path:
    """Copy the documented kassa.toml into `folder`, with `key = value` lines replaced.

    The shop also gets the signing key its kassa.toml names, as the supplier would have
    provisioned it.
    """
    text = (REPO / "kassa.toml").read_text(encoding="utf-8")
    for key, value in overrides.items():
        text, count = re.subn(rf"^{key} = .*$", f"{key} = {value}", text, count=1, flags=re.M)
        assert count == 1, key
    path = folder / "kassa.toml"
    path.write_text(text, encoding="utf-8")
    provision_signing_key(path)
    return path


_test_key: tuple[bytes, bytes] | None = None


def provision_signing_key(config_path: Path) -> None:
    """Put a signing key (mode 0600) where `config_path`'s [signing] expects one, if missing.

    Every test shop gets the same key, made once per run: a 1024-bit RSA key takes a while.
    """
    global _test_key
    try:
        signing = tomllib.loads(config_path.read_text(encoding="utf-8")).get("signing", {})
    except tomllib.TOMLDecodeError:
        return  # a test of a broken kassa.toml
    key_file = signing.get("key_file")
    if signing.get("enabled", True) is False or not isinstance(key_file, str) or not key_file:
        return
    private = config_path.parent / key_file
    public = private.with_name(f"{private.stem}.pub.pem")
    if private.exists():
        return
    if _test_key is None:
        generate_key_pair(private, public)
        _test_key = (private.read_bytes(), public.read_bytes())
        return
    private.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(_test_key[0])
    public.write_bytes(_test_key[1])


class SteppingClock(Clock):
    """A frozen clock that moves one second per reading, so rows stay ordered."""

    def __init__(self, start: datetime | None = None) -> None:
        self.at = start or datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
        super().__init__(self._tick)

    def _tick(self) -> datetime:
        self.at += timedelta(seconds=1)
        return self.at


def in_beer_hours_after_now() -> SteppingClock:
    """A clock at noon in Oslo on the next ordinary weekday after the real now.

    For a test that opens a till again after a CLI command has journaled on the wall clock:
    its next rows must come later (a till never signs back in time), and a beer sold must be
    inside the beer hours whatever time of day or week the suite runs.
    """
    import holidays

    day = datetime.now(UTC).date() + timedelta(days=1)
    norway = holidays.country_holidays("NO", years=(day.year, day.year + 1))
    while day.weekday() >= 5 or day in norway or day + timedelta(days=1) in norway:
        day += timedelta(days=1)
    return SteppingClock(datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC))


def demo_till(folder: Path, clock: Clock | None = None, **overrides: str) -> Till:
    config: Config = load(write_config(folder, **overrides))
    till = open_till(config, clock or SteppingClock())
    load_demo(till.db, till.users)
    return till


def selling_codes(till: Till) -> list[str]:
    """Plain EAN-13 barcodes of whole-unit demo products with a price, no age limit (the first
    line with one stops the scans to ask for the customer's age) and no pant (a drink with pant
    adds a second line: one scan, one line is what these tests count)."""
    rows = till.db.execute_sql(
        "SELECT b.code FROM barcode b JOIN product p ON p.id = b.product_id"
        " LEFT JOIN product_counter_rule pr ON pr.product_id = p.id"
        " LEFT JOIN group_counter_rule gr ON gr.group_id = p.group_id"
        " WHERE p.unit = 'stk' AND p.active AND p.price_ore > 0"
        " AND COALESCE(pr.age_limit, gr.age_limit, 0) = 0"
        " AND p.id NOT IN (SELECT product_id FROM product_deposit) ORDER BY b.code"
    ).fetchall()
    codes = [code for (code,) in rows if till.baskets.classify(code).kind == "ean"]
    assert len(codes) >= 10
    return codes
