"""Barcode scanners read through evdev: key events → codes, the device chosen, reconnecting.

A USB scanner is a keyboard. In "evdev" mode kassa reads (and grabs) its input device itself, so
scans never type into the terminal and a scan is told apart from the cashier's typing. The reader
is a plain daemon thread that only calls the callbacks it was given: the App turns them into
messages, the CLI prints them.

evdev is imported lazily: it is Linux-only and the wedge mode never needs it.
"""

from __future__ import annotations

import errno
import glob
import logging
import os
import select
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, Protocol

from kassa_tui.config import ScannerSettings
from kassa_tui.core.i18n import _

log = logging.getLogger(__name__)

MAX_CODE_LENGTH = 64  # longer is a stuck key or a runaway scanner, never a product code

_DIGITS = "1234567890"
# Held modifiers: Shift picks the second character, AltGr (on "no") a third; while any other
# modifier is held a key gives no character, so Ctrl+J never becomes a "j" in a code.
_MODIFIERS = {"KEY_LEFTSHIFT": "shift", "KEY_RIGHTSHIFT": "shift", "KEY_RIGHTALT": "altgr"}
_MODIFIERS.update(
    (name, "other") for name in ("KEY_LEFTCTRL", "KEY_RIGHTCTRL", "KEY_LEFTALT", "KEY_LEFTMETA")
)
_ENTERS = frozenset({"KEY_ENTER", "KEY_KPENTER"})

# Key → the character it types, then the one with Shift (none where the layout has a dead key
# or nothing a barcode needs). Letters, the keypad and space are the same on both layouts.
_COMMON = {
    **{f"KEY_{c.upper()}": c + c.upper() for c in "abcdefghijklmnopqrstuvwxyz"},
    **{f"KEY_KP{c}": c + c for c in _DIGITS},
    **{f"KEY_KP{name}": c + c for name, c in (("MINUS", "-"), ("PLUS", "+"), ("SLASH", "/"))},
    "KEY_KPASTERISK": "**",
    "KEY_SPACE": "  ",
}
# fmt: off
_US = {  # what a US keyboard types: most scanners' default
    **_COMMON, **{f"KEY_{d}": d + s for d, s in zip(_DIGITS, "!@#$%^&*()", strict=True)},
    "KEY_MINUS": "-_", "KEY_EQUAL": "=+", "KEY_DOT": ".>", "KEY_COMMA": ",<", "KEY_SLASH": "/?",
    "KEY_SEMICOLON": ";:", "KEY_APOSTROPHE": "'\"", "KEY_LEFTBRACE": "[{", "KEY_RIGHTBRACE": "]}",
    "KEY_BACKSLASH": "\\|", "KEY_GRAVE": "`~", "KEY_KPDOT": "..",
}
_NO = {  # a scanner set to the Norwegian layout: the same keys type other characters
    **_COMMON, **{f"KEY_{d}": d + s for d, s in zip(_DIGITS, '!"#¤%&/()=', strict=True)},
    "KEY_MINUS": "+?", "KEY_EQUAL": "\\", "KEY_DOT": ".:", "KEY_COMMA": ",;", "KEY_SLASH": "-_",
    "KEY_BACKSLASH": "'*", "KEY_GRAVE": "|§", "KEY_102ND": "<>", "KEY_LEFTBRACE": "åÅ",
    "KEY_SEMICOLON": "øØ", "KEY_APOSTROPHE": "æÆ",
    "KEY_KPDOT": ",,",  # the Norwegian keypad's decimal key types a comma
}
_NO_ALTGR = {"KEY_2": "@", "KEY_4": "$", "KEY_7": "{", "KEY_8": "[", "KEY_9": "]", "KEY_0": "}"}
# fmt: on
LAYOUTS = {"us": (_US, {}), "no": (_NO, _NO_ALTGR)}

# Names that mark a device as a scanner when nothing is configured; specific brands first.
SCANNER_WORDS = ("scanner", "barcode", "honeywell", "zebra", "datalogic", "symbol", "newland")
WEAK_SCANNER_WORDS = ("hid",)  # many cheap scanners call themselves "HID 1eab:1d06"

_GONE = frozenset({errno.ENODEV, errno.ENXIO, errno.EIO, errno.EBADF, errno.ENOENT})


class KeyEvent(Protocol):
    type: int
    code: int
    value: int


class ScanDecoder:
    """Turns EV_KEY events into codes: characters per layout, Enter ends the code."""

    def __init__(self, layout: str = "us", extra: tuple[tuple[str, str], ...] = ()) -> None:
        from evdev import ecodes

        if layout not in LAYOUTS:
            raise ValueError(f"unknown scanner layout {layout!r}")
        table, altgr = LAYOUTS[layout]
        by_name: dict[str, int] = ecodes.ecodes

        def code(name: str) -> int:
            if name not in by_name:
                raise ValueError(f"unknown key name {name!r} in scanner.keys")
            return by_name[name]

        self.ev_key: int = ecodes.EV_KEY
        self.chars = {code(name): (chars[0], chars[1:]) for name, chars in table.items()}
        self.chars.update((code(name), (char, char)) for name, char in extra)
        self.altgr_chars = {code(name): char for name, char in altgr.items()}
        self.modifiers = {code(name): kind for name, kind in _MODIFIERS.items()}
        if not altgr:
            self.modifiers[code("KEY_RIGHTALT")] = "other"
        self.enter_keys = frozenset(code(name) for name in _ENTERS)
        self.ignored = 0  # key presses that gave no character (F-keys, Ctrl, Ctrl+key, …)
        self.dropped = 0  # codes thrown away for being longer than MAX_CODE_LENGTH
        self.reset()

    def reset(self) -> None:
        """Forget a half-read code and held modifiers (a scanner was plugged in again)."""
        self._buffer: list[str] = []
        self._overflow = False
        self._held: dict[int, str] = {}  # modifier key → its kind

    def feed(self, event: KeyEvent) -> str | None:
        """One event in; the finished code out when it was Enter, else None."""
        if event.type != self.ev_key:
            return None
        key, value = event.code, event.value
        kind = self.modifiers.get(key)
        if kind is not None:
            if value == 1:
                self._held[key] = kind
                self.ignored += 1 if kind == "other" else 0
            elif value == 0:
                self._held.pop(key, None)
            return None
        if value != 1:  # key-up, or autorepeat from a scanner that holds a key too long
            return None
        if key in self.enter_keys:
            return self._finish()
        char = self._char(key)
        if not char:
            self.ignored += 1
            return None
        if char in "\r\n":  # scanner.keys may name another terminator, e.g. KEY_TAB = "\n"
            return self._finish()
        if len(self._buffer) >= MAX_CODE_LENGTH:
            self._overflow = True
        else:
            self._buffer.append(char)
        return None

    def _char(self, key: int) -> str:
        held = set(self._held.values())
        if "other" in held:
            return ""
        if "altgr" in held:
            return self.altgr_chars.get(key, "")
        plain, shifted = self.chars.get(key, ("", ""))
        return shifted if "shift" in held else plain

    def _finish(self) -> str | None:
        code, overflow = "".join(self._buffer), self._overflow
        self._buffer, self._overflow = [], False
        if overflow:
            self.dropped += 1
            log.warning("dropped a scan longer than %d characters", MAX_CODE_LENGTH)
            return None
        return code or None


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


def _unreadable_inputs() -> bool:
    """Input devices exist but none can be read: evdev.list_devices() then looks empty."""
    nodes = glob.glob("/dev/input/event*")
    return bool(nodes) and not any(os.access(node, os.R_OK) for node in nodes)


class DeviceLike(Protocol):
    """What the reader needs of an open device: evdev.InputDevice, or a fake."""

    fd: int  # select()ed on; a fake with fd < 0 is polled instead
    name: str

    def grab(self) -> None: ...
    def ungrab(self) -> None: ...
    def close(self) -> None: ...
    def read_one(self) -> Any: ...  # an InputEvent, or None when nothing is pending


OpenDevice = Callable[[str], DeviceLike]


def _open_evdev(path: str) -> DeviceLike:
    import evdev

    device: DeviceLike = evdev.InputDevice(path)
    return device


def _no_permission(path: str) -> str:
    return _(
        "No permission to read {path}: add the till's user to the 'input' group "
        "(or a udev rule); scanning as a keyboard still works."
    ).format(path=path)


class ScannerReader:
    """Reads the scanner in a daemon thread, reconnecting forever; never raises out of it.

    States reported through on_state(state, message): "connected" (message: the device's name),
    "missing", "disconnected", "no-permission" and "error"; each attempt reports once.
    """

    POLL_SECONDS = 0.2  # how long a select() waits, so stop() is quick

    def __init__(
        self,
        settings: ScannerSettings,
        on_scan: Callable[[str], None],
        on_state: Callable[[str, str], None],
        open_device: OpenDevice | None = None,
        find: Callable[[], str | None] | None = None,
        retry_seconds: float = 1.0,
    ) -> None:
        self.settings = settings
        self.on_scan, self.on_state = on_scan, on_state
        self.open_device = open_device or _open_evdev
        self.find = find or (lambda: find_scanner(settings))
        self._check_permission = find is None
        self.retry_seconds = retry_seconds
        # Built here, so a bad layout or key name fails in the caller's thread, not silently.
        self.decoder = ScanDecoder(settings.layout, settings.keys)
        self.path: str | None = None  # the device in use or last tried
        self._device: DeviceLike | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="kassa-scanner", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop reading, ungrab and close the device; the thread releases it on its way out."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():  # stuck in a callback: release the device anyway
                log.warning("scanner thread did not stop within %.1f s", timeout)
                self._release()

    def _state(self, state: str, message: str) -> None:
        if self._stop.is_set():
            return
        try:
            self.on_state(state, message)
        except Exception:
            log.exception("scanner on_state callback failed")

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                delay = self._attempt()
            except Exception as exc:
                log.exception("scanner reader failed")
                message = _("The scanner reader failed ({error}); retrying. See the log.")
                self._state("error", message.format(error=exc))
                delay = self.retry_seconds
            finally:
                self._release()
            self._stop.wait(delay)

    def _attempt(self) -> float:
        """Find, open and read the scanner once; the seconds to wait before the next try."""
        path = self.path = self.find()
        if path is None:
            if self._check_permission and _unreadable_inputs():
                self._state("no-permission", _no_permission("/dev/input"))
                return 10 * self.retry_seconds
            self._state("missing", _("No barcode scanner found; waiting for one to be plugged in."))
            return self.retry_seconds
        try:
            device = self.open_device(path)
            with self._lock:
                self._device = device
            if self.settings.grab:
                device.grab()
        except PermissionError:
            self._state("no-permission", _no_permission(path))
            return 10 * self.retry_seconds
        except OSError as exc:
            if exc.errno in _GONE:
                self._state("missing", _("Scanner {path} is not there.").format(path=path))
            else:  # EBUSY: another program has grabbed it
                message = _("Scanner {path}: {error}.")
                self._state("error", message.format(path=path, error=exc.strerror))
            return self.retry_seconds
        self.decoder.reset()
        self._state("connected", device.name)
        try:
            self._read(device)
        except OSError as exc:
            if self._stop.is_set():
                return 0
            if exc.errno not in _GONE:
                raise
            log.info("scanner %s went away: %s", path, exc)
            message = _("Scanner {name} was unplugged; waiting for it to come back.")
            self._state("disconnected", message.format(name=device.name))
        return self.retry_seconds

    def _read(self, device: DeviceLike) -> None:
        """Feed events to the decoder until stopped; OSError when the device vanishes."""
        while not self._stop.is_set():
            if device.fd >= 0:
                ready, _w, _x = select.select([device.fd], [], [], self.POLL_SECONDS)
                if not ready:
                    continue
            while (event := device.read_one()) is not None:
                code = self.decoder.feed(event)
                if code is not None and not self._stop.is_set():
                    try:
                        self.on_scan(code)
                    except Exception:
                        log.exception("scanner on_scan callback failed")
            if device.fd < 0:
                self._stop.wait(0.02)

    def _release(self) -> None:
        with self._lock:
            device, self._device = self._device, None
        if device is None:
            return
        if self.settings.grab:
            with suppress(OSError):  # already gone, or never grabbed
                device.ungrab()
        with suppress(OSError):
            device.close()


def scanner_test(
    settings: ScannerSettings, out: Callable[[str], None], stop: threading.Event
) -> None:
    """`kassa scanner test`: show the device chosen and every scan, live, until stop is set."""
    last = [("", "")]

    def on_state(state: str, message: str) -> None:
        if last[0] == (state, message):
            return  # "missing" repeats every second; say it once
        last[0] = (state, message)
        if state == "connected":
            line = _("Reading {path} ({name}); scan something, Ctrl+C to stop.")
            message = line.format(path=reader.path, name=message)
        out(message)

    def on_scan(code: str) -> None:
        out(_("Scanned: {code}").format(code=code))

    reader = ScannerReader(settings, on_scan, on_state)
    reader.start()
    stop.wait()
    reader.stop()
    if reader.decoder.ignored or reader.decoder.dropped:
        out(
            _("Keys without a character: {ignored}; codes too long: {dropped}.").format(
                ignored=reader.decoder.ignored, dropped=reader.decoder.dropped
            )
        )
