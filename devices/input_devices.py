"""Which input device is the barcode scanner: by path, name or USB id, else a careful guess.

A configured device that is not there gives nothing rather than a guess, so a missing scanner
never makes kassa grab the cashier's keyboard. evdev is imported lazily (Linux only).
"""

from __future__ import annotations

import glob
import logging
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, Protocol

from kassa_tui.config import ScannerSettings

log = logging.getLogger(__name__)

_DIGITS = "1234567890"  # a scanner types at least these and Enter

SCANNER_WORDS = ("scanner", "barcode", "honeywell", "zebra", "datalogic", "symbol", "newland")
WEAK_SCANNER_WORDS = ("hid",)  # many cheap scanners call themselves "HID 1eab:1d06"


class Candidate(Protocol):
    """What find_scanner needs of a device: evdev.InputDevice, or a fake."""

    @property
    def path(self) -> str | bytes: ...
    @property
    def name(self) -> str: ...
    @property
    def info(self) -> Any: ...  # .vendor and .product as ints
    def capabilities(self) -> Mapping[int, Sequence[Any]]: ...


@dataclass(frozen=True)
class InputInfo:
    """One input device, for `kassa devices`."""

    path: str
    name: str
    vendor: str  # 4-digit lowercase hex
    product: str
    looks_like_scanner: bool


def _usb_id(device: Candidate) -> str:
    return f"{device.info.vendor:04x}:{device.info.product:04x}"


def _types_codes(device: Candidate) -> bool:
    """EV_KEY with Enter and a full row of digits (main row or keypad): it can send a scan."""
    from evdev import ecodes

    keys = set(device.capabilities().get(ecodes.EV_KEY, ()))
    main = {ecodes.ecodes[f"KEY_{d}"] for d in _DIGITS}
    pad = {ecodes.ecodes[f"KEY_KP{d}"] for d in _DIGITS}
    return ecodes.KEY_ENTER in keys and (main <= keys or pad <= keys)


def _looks_like_scanner(device: Candidate, words: Iterable[str]) -> bool:
    name = device.name.lower()
    return any(word in name for word in words) and _types_codes(device)


@contextmanager
def _candidates(given: Sequence[Candidate] | None) -> Iterator[Sequence[Candidate]]:
    """The given devices, or every readable input device, opened and closed again after."""
    if given is not None:
        yield given
        return
    import evdev

    opened = []
    for path in sorted(evdev.list_devices(), key=lambda p: (len(p), p)):  # event2 < event10
        try:
            opened.append(evdev.InputDevice(path))
        except OSError as exc:  # unplugged meanwhile, or not ours to read
            log.debug("skipping %s: %s", path, exc)
    try:
        yield opened
    finally:
        for device in opened:
            with suppress(OSError):
                device.close()


def find_scanner(
    settings: ScannerSettings, devices: Sequence[Candidate] | None = None
) -> str | None:
    """The path to read: the configured path, else by name, else by USB id, else a guess.

    A configured device, name or USB id that is not there gives None rather than a guess, so a
    missing scanner never makes kassa grab the cashier's keyboard.
    """
    if settings.device:
        real = os.path.realpath(settings.device)
        listed = devices is not None and any(d.path in (settings.device, real) for d in devices)
        return settings.device if listed or os.path.exists(real) else None
    name, usb_id = settings.name.lower(), settings.usb_id.strip().lower()
    with _candidates(devices) as candidates:
        if name or usb_id:
            found = [d for d in candidates if name and name in d.name.lower()]
            found = found or [d for d in candidates if usb_id and _usb_id(d) == usb_id]
            found.sort(key=lambda d: not _types_codes(d))  # a scanner has several; pick the keys
            return os.fsdecode(found[0].path) if found else None
        for words in (SCANNER_WORDS, WEAK_SCANNER_WORDS):
            for device in candidates:
                if _looks_like_scanner(device, words):
                    return os.fsdecode(device.path)
        return None


def list_input_devices(devices: Sequence[Candidate] | None = None) -> list[InputInfo]:
    """Every readable input device, for a technician choosing scanner.device/name/usb_id."""
    with _candidates(devices) as candidates:
        return [
            InputInfo(
                path=os.fsdecode(d.path),
                name=d.name,
                vendor=f"{d.info.vendor:04x}",
                product=f"{d.info.product:04x}",
                looks_like_scanner=_looks_like_scanner(d, SCANNER_WORDS + WEAK_SCANNER_WORDS),
            )
            for d in candidates
        ]


def unreadable_inputs() -> bool:
    """Input devices exist but none can be read: evdev.list_devices() then looks empty."""
    nodes = glob.glob("/dev/input/event*")
    return bool(nodes) and not any(os.access(node, os.R_OK) for node in nodes)
