"""Barcode scanners read through evdev: key events → codes, the device chosen, reconnecting.

A USB scanner is a keyboard. In "evdev" mode kassa reads (and grabs) its input device itself, so
scans never type into the terminal and a scan is told apart from the cashier's typing. The reader
is a plain daemon thread that only calls the callbacks it was given: the App turns them into
messages, the CLI prints them.

evdev is imported lazily: it is Linux-only and the wedge mode never needs it.
"""

from __future__ import annotations

import errno
import logging
import select
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Any, Protocol

from devices.input_devices import find_scanner, unreadable_inputs
from devices.scan_decoder import ScanDecoder
from kassa_tui.config import ScannerSettings
from kassa_tui.core.i18n import _

log = logging.getLogger(__name__)

_GONE = frozenset({errno.ENODEV, errno.ENXIO, errno.EIO, errno.EBADF, errno.ENOENT})


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
            if self._check_permission and unreadable_inputs():
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
