"""The evdev scanner: key events → codes, choosing the device, and the reconnecting reader.

No /dev/uinput here: events are built with evdev.InputEvent and devices are fakes. The fake
device has a real fd (a pipe) with one byte per queued item, so the reader's select() path is
the one used with a real evdev.InputDevice.
"""

from __future__ import annotations

import errno
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any

import pytest
from evdev import InputEvent, ecodes

from devices import scanner
from devices.input_devices import InputInfo, find_scanner, list_input_devices
from devices.scan_decoder import MAX_CODE_LENGTH, ScanDecoder
from devices.scanner import ScannerReader
from kassa_tui.config import ScannerSettings

PATH = "/dev/input/event7"
TIMEOUT = 2.0


def key(name: str, value: int) -> InputEvent:
    return InputEvent(0, 0, ecodes.EV_KEY, ecodes.ecodes[name], value)


def syn() -> InputEvent:
    return InputEvent(0, 0, ecodes.EV_SYN, ecodes.SYN_REPORT, 0)


def press(*names: str) -> list[InputEvent]:
    """What a keyboard sends per key: MSC_SCAN, down, SYN, up, SYN."""
    events = []
    for name in names:
        events += [InputEvent(0, 0, ecodes.EV_MSC, ecodes.MSC_SCAN, 458782)]
        events += [key(name, 1), syn(), key(name, 0), syn()]
    return events


def shifted(*names: str, shift: str = "KEY_LEFTSHIFT") -> list[InputEvent]:
    return [key(shift, 1), *press(*names), key(shift, 0)]


def digits(text: str, keypad: bool = False) -> list[InputEvent]:
    return press(*(f"KEY_KP{c}" if keypad else f"KEY_{c}" for c in text))


def scan(text: str) -> list[InputEvent]:
    return [*digits(text), *press("KEY_ENTER")]


def decode(decoder: ScanDecoder, events: Iterable[InputEvent]) -> list[str]:
    return [code for event in events if (code := decoder.feed(event)) is not None]


# --- decoding -------------------------------------------------------------------------------


def test_digits_and_enter_make_a_code() -> None:
    decoder = ScanDecoder()
    assert decode(decoder, digits("7038010009990")) == []
    assert decode(decoder, press("KEY_ENTER")) == ["7038010009990"]
    assert decoder.ignored == 0


def test_shift_gives_capitals_and_us_punctuation() -> None:
    decoder = ScanDecoder()
    events = [
        *shifted("KEY_A"),
        *press("KEY_B"),
        *shifted("KEY_C", shift="KEY_RIGHTSHIFT"),
        *shifted("KEY_1", "KEY_MINUS"),
        *press("KEY_MINUS", "KEY_DOT", "KEY_SLASH", "KEY_ENTER"),
    ]
    assert decode(decoder, events) == ["AbC!_-./"]


def test_keypad_digits_and_keypad_enter() -> None:
    decoder = ScanDecoder()
    events = [
        *digits("4006381333931", keypad=True),
        *press("KEY_KPDOT", "KEY_KPMINUS", "KEY_KPPLUS", "KEY_KPASTERISK", "KEY_KPSLASH"),
        *press("KEY_KPENTER"),
    ]
    assert decode(decoder, events) == ["4006381333931.-+*/"]


def test_autorepeat_and_key_up_are_ignored() -> None:
    decoder = ScanDecoder()
    events = [key("KEY_5", 1), key("KEY_5", 2), key("KEY_5", 2), key("KEY_5", 0)]
    events += [key("KEY_ENTER", 1), key("KEY_ENTER", 2), key("KEY_ENTER", 0)]
    assert decode(decoder, events) == ["5"]
    assert decoder.ignored == 0


def test_two_scans_in_a_row() -> None:
    decoder = ScanDecoder()
    assert decode(decoder, scan("7020164760728") + scan("1001")) == ["7020164760728", "1001"]


def test_empty_code_and_other_event_types_give_nothing() -> None:
    decoder = ScanDecoder()
    other = [syn(), InputEvent(0, 0, ecodes.EV_MSC, ecodes.MSC_SCAN, 1), InputEvent(0, 0, 2, 0, 5)]
    assert decode(decoder, [*other, *press("KEY_ENTER", "KEY_KPENTER")]) == []
    assert decoder.ignored == 0


def test_garbage_keys_are_skipped_and_counted() -> None:
    decoder = ScanDecoder()
    events = [
        *press("KEY_F1", "KEY_1", "KEY_ESC", "KEY_2", "KEY_LEFTCTRL"),
        key("KEY_LEFTCTRL", 1),
        *press("KEY_J"),  # Ctrl+J is not a "j"
        key("KEY_LEFTCTRL", 0),
        *press("KEY_3", "KEY_ENTER"),
    ]
    assert decode(decoder, events) == ["123"]
    assert decoder.ignored == 5  # F1, Esc, Ctrl twice, Ctrl+J


def test_an_overlong_code_is_dropped_and_the_next_scan_works() -> None:
    decoder = ScanDecoder()
    assert decode(decoder, scan("1" * MAX_CODE_LENGTH)) == ["1" * MAX_CODE_LENGTH]
    assert decode(decoder, scan("9" * (MAX_CODE_LENGTH + 1))) == []
    assert decoder.dropped == 1
    assert decode(decoder, scan("7038010009990")) == ["7038010009990"]


def test_norwegian_layout() -> None:
    decoder = ScanDecoder("no")
    events = [
        *shifted("KEY_7"),  # /
        *press("KEY_MINUS"),  # +
        *shifted("KEY_0"),  # =
        *press("KEY_SLASH", "KEY_KPDOT"),  # - and the keypad's comma
        key("KEY_RIGHTALT", 1),
        *press("KEY_2"),  # AltGr+2: @
        key("KEY_RIGHTALT", 0),
        *press("KEY_LEFTBRACE", "KEY_SEMICOLON"),
        *shifted("KEY_APOSTROPHE"),
        *press("KEY_KPENTER"),
    ]
    assert decode(decoder, events) == ["/+=-,@åøÆ"]


def test_us_layout_has_no_altgr() -> None:
    decoder = ScanDecoder("us")
    events = [key("KEY_RIGHTALT", 1), *press("KEY_2"), key("KEY_RIGHTALT", 0), *scan("3")]
    assert decode(decoder, events) == ["3"]


def test_extra_keys_override_the_layout() -> None:
    decoder = ScanDecoder("no", extra=(("KEY_KPDOT", "."), ("KEY_F13", "#"), ("KEY_TAB", "\n")))
    events = [*digits("12"), *press("KEY_KPDOT", "KEY_F13"), *digits("5"), *press("KEY_TAB")]
    assert decode(decoder, events) == ["12.#5"]


def test_bad_layout_or_key_name_fails_early() -> None:
    with pytest.raises(ValueError, match="KEY_NOPE"):
        ScanDecoder(extra=(("KEY_NOPE", "x"),))
    with pytest.raises(ValueError, match="de"):
        ScanDecoder("de")


# --- choosing the device --------------------------------------------------------------------


def fake_candidate(path: str, name: str, usb: str, keys: Iterable[str] = ()) -> SimpleNamespace:
    vendor, product = (int(part, 16) for part in usb.split(":"))
    codes = [ecodes.ecodes[k] for k in keys]
    caps = {ecodes.EV_SYN: [0], ecodes.EV_KEY: codes} if codes else {ecodes.EV_SYN: [0]}
    return SimpleNamespace(
        path=path,
        name=name,
        info=SimpleNamespace(vendor=vendor, product=product),
        capabilities=lambda: caps,
    )


KEYBOARD_KEYS = ["KEY_ENTER", *(f"KEY_{d}" for d in "0123456789"), "KEY_A", "KEY_F1"]
PAD_KEYS = ["KEY_ENTER", *(f"KEY_KP{d}" for d in "0123456789")]
KEYBOARD = fake_candidate("/dev/input/event0", "Dell Dell USB Keyboard", "413c:2107", KEYBOARD_KEYS)
MOUSE = fake_candidate("/dev/input/event1", "Logitech USB Optical Mouse", "046d:c077")
GENERIC = fake_candidate("/dev/input/event2", "HID 1eab:1d06", "1eab:1d06", KEYBOARD_KEYS)
HONEYWELL = fake_candidate(PATH, "Honeywell Imaging & Mobility 1900", "0c2e:0b61", PAD_KEYS)
NO_KEYS = fake_candidate("/dev/input/event9", "Barcode Scanner Consumer Control", "0c2e:0b61")
DEVICES = [KEYBOARD, MOUSE, GENERIC, NO_KEYS, HONEYWELL]


def test_find_by_path() -> None:
    assert find_scanner(ScannerSettings(device=PATH), DEVICES) == PATH
    assert find_scanner(ScannerSettings(device="/dev/input/event42"), DEVICES) is None
    # A configured path wins over everything else and is not checked for a name.
    settings = ScannerSettings(device=GENERIC.path, name="honeywell")
    assert find_scanner(settings, DEVICES) == GENERIC.path


def test_find_by_name_case_insensitive() -> None:
    assert find_scanner(ScannerSettings(name="imaging & MOBILITY"), DEVICES) == PATH
    assert find_scanner(ScannerSettings(name="keyboard"), DEVICES) == KEYBOARD.path
    # A name that matches nothing does not fall back to a guess, but a USB id given too counts.
    assert find_scanner(ScannerSettings(name="zebra", usb_id="1eab:1d06"), DEVICES) == GENERIC.path


def test_find_by_usb_id_prefers_the_interface_that_types() -> None:
    assert find_scanner(ScannerSettings(usb_id="1EAB:1d06"), DEVICES) == GENERIC.path
    # The Honeywell's consumer-control interface has the same id but no digit keys.
    assert find_scanner(ScannerSettings(usb_id="0c2e:0b61"), DEVICES) == PATH
    assert find_scanner(ScannerSettings(usb_id="0c2e:0b61"), [NO_KEYS]) == NO_KEYS.path


def test_a_configured_device_that_is_absent_is_never_guessed() -> None:
    assert find_scanner(ScannerSettings(name="datalogic"), DEVICES) is None
    assert find_scanner(ScannerSettings(usb_id="05e0:1200"), DEVICES) is None


def test_auto_detect_prefers_a_named_scanner_that_can_type_codes() -> None:
    assert find_scanner(ScannerSettings(), DEVICES) == PATH
    assert find_scanner(ScannerSettings(), [KEYBOARD, MOUSE, NO_KEYS, GENERIC]) == GENERIC.path
    assert find_scanner(ScannerSettings(), [KEYBOARD, MOUSE, NO_KEYS]) is None
    assert find_scanner(ScannerSettings(), []) is None


def test_list_input_devices() -> None:
    listed = list_input_devices([KEYBOARD, HONEYWELL])
    assert listed == [
        InputInfo(KEYBOARD.path, KEYBOARD.name, "413c", "2107", looks_like_scanner=False),
        InputInfo(PATH, HONEYWELL.name, "0c2e", "0b61", looks_like_scanner=True),
    ]


# --- the reader thread ----------------------------------------------------------------------


class FakeDevice:
    """An open input device: queued events (or an exception, to unplug it) behind a real fd."""

    def __init__(self, name: str = HONEYWELL.name, real_fd: bool = True) -> None:
        self.name = name
        self._r, self._w = os.pipe()
        os.set_blocking(self._r, False)
        self.real_fd = real_fd
        self.fd = self._r if real_fd else -1
        self.items: deque[InputEvent | BaseException] = deque()
        self.grabbed = self.closed = False

    def push(self, *items: InputEvent | BaseException) -> None:
        for item in items:
            self.items.append(item)
            os.write(self._w, b".")

    def read_one(self) -> InputEvent | None:
        try:
            os.read(self._r, 1)
        except BlockingIOError:
            return None
        item = self.items.popleft()
        if isinstance(item, BaseException):
            raise item
        return item

    def grab(self) -> None:
        self.grabbed = True

    def ungrab(self) -> None:
        self.grabbed = False

    def close(self) -> None:
        self.closed, self.fd = True, -1
        os.close(self._r)
        os.close(self._w)


def unplugged() -> OSError:
    return OSError(errno.ENODEV, "No such device")


class Recorder:
    """Collects callbacks from the reader's thread; waits with a timeout, never forever."""

    def __init__(self) -> None:
        self.calls: queue.Queue[tuple[str, ...]] = queue.Queue()
        self.seen: list[tuple[str, ...]] = []

    def on_scan(self, code: str) -> None:
        self.calls.put(("scan", code))

    def on_state(self, state: str, message: str) -> None:
        self.calls.put((state, message))

    def wait_for(self, done: Callable[[tuple[str, ...]], bool]) -> list[tuple[str, ...]]:
        while not any(done(call) for call in self.seen):
            self.seen.append(self.calls.get(timeout=TIMEOUT))
        return self.seen


def one_after_another(*devices: FakeDevice) -> Callable[[str], FakeDevice]:
    opened = iter(devices)
    return lambda path: next(opened)


def reader_for(
    recorder: Recorder,
    open_device: Callable[[str], Any],
    find: Callable[[], str | None] = lambda: PATH,
    settings: ScannerSettings | None = None,
) -> ScannerReader:
    return ScannerReader(
        settings or ScannerSettings(mode="evdev"),
        recorder.on_scan,
        recorder.on_state,
        open_device=open_device,
        find=find,
        retry_seconds=0.01,
    )


def test_reader_scans_reconnects_after_unplugging_and_scans_again() -> None:
    first, second = FakeDevice(), FakeDevice()
    first.push(*scan("7038010009990"), *scan("1001"), unplugged())
    second.push(*scan("4006381333931"))
    answers = iter([PATH, None, None])  # unplugged for two looks, then back
    recorder = Recorder()
    reader = reader_for(
        recorder, one_after_another(first, second), find=lambda: next(answers, PATH)
    )
    reader.start()
    try:
        calls = recorder.wait_for(lambda call: call == ("scan", "4006381333931"))
    finally:
        reader.stop()
    assert [call[0] for call in calls] == [
        "connected",
        "scan",
        "scan",
        "disconnected",
        "missing",
        "missing",
        "connected",
        "scan",
    ]
    assert calls[0] == ("connected", HONEYWELL.name)
    assert calls[1:3] == [("scan", "7038010009990"), ("scan", "1001")]
    assert HONEYWELL.name in calls[3][1]
    assert first.closed and second.closed and not first.grabbed and not second.grabbed
    assert reader.path == PATH


def test_reader_without_permission_retries_slowly_and_never_scans() -> None:
    attempts: list[str] = []

    def refuse(path: str) -> Any:
        attempts.append(path)
        raise PermissionError(errno.EACCES, "Permission denied", path)

    recorder = Recorder()
    reader = reader_for(recorder, refuse)
    started = time.monotonic()
    reader.start()
    try:
        calls = recorder.wait_for(lambda call: len(recorder.seen) >= 2)
        elapsed = time.monotonic() - started
    finally:
        reader.stop()
    calls += list(recorder.calls.queue)
    assert {state for state, _message in calls} == {"no-permission"}  # and never a scan
    assert PATH in calls[0][1] and "'input' group" in calls[0][1]
    assert len(attempts) in (len(calls), len(calls) + 1)  # once per attempt
    assert elapsed >= 9 * reader.retry_seconds  # slowly: ten times the usual pause


@pytest.mark.parametrize(("unreadable", "state"), [(True, "no-permission"), (False, "missing")])
def test_reader_tells_no_device_from_no_permission(
    monkeypatch: pytest.MonkeyPatch, unreadable: bool, state: str
) -> None:
    """evdev lists only readable devices: none listed while /dev/input has some means permission."""
    monkeypatch.setattr(scanner, "find_scanner", lambda settings: None)
    monkeypatch.setattr(scanner, "unreadable_inputs", lambda: unreadable)
    recorder = Recorder()
    reader = ScannerReader(ScannerSettings(), recorder.on_scan, recorder.on_state)
    reader.start()
    try:
        calls = recorder.wait_for(lambda call: True)
    finally:
        reader.stop()
    assert calls[0][0] == state
    assert ("/dev/input" in calls[0][1]) is unreadable


def test_reader_grab_is_optional_and_a_busy_device_is_an_error() -> None:
    device = FakeDevice()
    device.push(*scan("12"))
    recorder = Recorder()
    reader = reader_for(
        recorder, one_after_another(device), settings=ScannerSettings(mode="evdev", grab=False)
    )
    reader.start()
    try:
        recorder.wait_for(lambda call: call == ("scan", "12"))
        assert not device.grabbed
    finally:
        reader.stop()

    def busy(path: str) -> Any:
        raise OSError(errno.EBUSY, "Device or resource busy")

    recorder = Recorder()
    reader = reader_for(recorder, busy)
    reader.start()
    try:
        calls = recorder.wait_for(lambda call: call[0] == "error")
    finally:
        reader.stop()
    assert "busy" in calls[0][1]


def test_reader_polls_a_device_without_fd_and_survives_a_failing_callback() -> None:
    device = FakeDevice(real_fd=False)
    device.push(*scan("1"), *scan("2"))
    recorder = Recorder()
    failing = {"1"}

    def on_scan(code: str) -> None:
        if code in failing:
            raise RuntimeError("the UI broke")
        recorder.on_scan(code)

    reader = reader_for(recorder, one_after_another(device))
    reader.on_scan = on_scan
    reader.start()
    try:
        calls = recorder.wait_for(lambda call: call == ("scan", "2"))
    finally:
        reader.stop()
    assert calls == [("connected", HONEYWELL.name), ("scan", "2")]


def test_stop_is_quick_and_releases_the_device() -> None:
    device = FakeDevice()
    recorder = Recorder()
    reader = reader_for(recorder, one_after_another(device))
    reader.start()
    recorder.wait_for(lambda call: call[0] == "connected")
    assert device.grabbed
    stopped = threading.Thread(target=reader.stop)
    stopped.start()
    stopped.join(1.0)
    assert not stopped.is_alive()
    assert device.closed and not device.grabbed


def test_scanner_test_prints_the_device_and_each_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    device = FakeDevice()
    device.push(*scan("7038010009990"), *press("KEY_F1"))
    monkeypatch.setattr(scanner, "find_scanner", lambda settings: PATH)
    monkeypatch.setattr(scanner, "_open_evdev", lambda path: device)
    lines: queue.Queue[str] = queue.Queue()
    stop = threading.Event()
    runner = threading.Thread(
        target=scanner.scanner_test, args=(ScannerSettings(), lines.put, stop)
    )
    runner.start()
    try:
        first, second = lines.get(timeout=TIMEOUT), lines.get(timeout=TIMEOUT)
    finally:
        stop.set()
        runner.join(TIMEOUT)
    assert PATH in first and HONEYWELL.name in first
    assert second == "Scanned: 7038010009990"
    assert lines.get(timeout=TIMEOUT) == "Keys without a character: 1; codes too long: 0."
    assert not runner.is_alive() and device.closed
