"""The evdev scanner as the running kassa uses it: `run_app` builds the reader from kassa.toml,
the app starts it on mount, a scan lands in the basket, and quitting releases the device.

Only the device itself is faked (behind the reader's `DeviceLike` protocol): a CI machine has
no /dev/uinput to make a real input device with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import devices.scanner
from devices.printer import MemoryPrinter
from devices.scanner import ScannerReader
from kassa_tui.app import KassaApp, evdev_scanner, run_app
from kassa_tui.composition import open_till
from kassa_tui.config import load
from kassa_tui.demo import load_demo
from tests.shop import write_config
from tests.unit.test_scanner import FakeDevice, scan

ROMME = "7020164760728"  # Rømme 18 % 3 dl, 24,90


def demo_shop(folder: Path, mode: str) -> Path:
    """A demo shop whose kassa.toml names a scanner device file (which exists, as on a Pi)."""
    device = folder / "event7"
    device.touch()
    config_path = write_config(folder, mode=f'"{mode}"', device=f'"{device}"')
    till = open_till(load(config_path))
    load_demo(till.db, till.users)
    till.db.close()
    return config_path


def run_headless(monkeypatch: pytest.MonkeyPatch, script: Any) -> None:
    """`KassaApp.run` as `run_app` calls it, but headless and driven by `script`."""
    run = KassaApp.run

    def headless(self: KassaApp) -> Any:
        return run(self, headless=True, size=(100, 30), auto_pilot=script)

    monkeypatch.setattr(KassaApp, "run", headless)


def test_kassa_reads_the_evdev_scanner_from_start_to_quit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_path = demo_shop(tmp_path, "evdev")
    device = FakeDevice()
    opened: list[str] = []

    def open_device(path: str) -> FakeDevice:
        opened.append(path)
        return device

    monkeypatch.setattr(devices.scanner, "_open_evdev", open_device)
    seen: dict[str, Any] = {}

    async def cashier(pilot: Any) -> None:
        app: KassaApp = pilot.app
        await pilot.press(*"1", "enter", *"1111", "enter")
        await pilot.pause()
        device.push(*scan(ROMME))
        for _ in range(200):  # the reader's thread hands the scan over; wait up to 4 s
            await pilot.pause(0.02)
            if app.till.baskets.current().priced.lines:
                break
        seen["lines"] = [(p.line.name, p.amount) for p in app.till.baskets.current().priced.lines]
        seen["status"] = app.scanner_status
        seen["grabbed"] = device.grabbed
        seen["header"] = str(app.sale_screen.query_one("#sale-scanner").render())
        app.exit()

    run_headless(monkeypatch, cashier)
    run_app(load(config_path))

    assert opened == [str(tmp_path / "event7")]
    assert seen["lines"] == [("Rømme 18 % 3 dl", 2490)]
    assert seen["status"][0] == "connected" and seen["grabbed"]
    assert seen["header"] == "Skanner OK"  # the demo shop speaks Bokmål
    assert device.closed and not device.grabbed  # stopped on quit: the keys are the Pi's again


def test_a_wedge_scanner_or_a_read_only_view_starts_no_reader(tmp_path: Path) -> None:
    config = load(demo_shop(tmp_path, "wedge"))
    till = open_till(config)
    try:
        assert evdev_scanner(KassaApp(till, MemoryPrinter()), config.scanner) is None
        evdev = load(write_config(tmp_path, mode='"evdev"')).scanner
        assert evdev_scanner(KassaApp(till, MemoryPrinter(), read_only=True), evdev) is None
        assert isinstance(evdev_scanner(KassaApp(till, MemoryPrinter()), evdev), ScannerReader)
    finally:
        till.db.close()
