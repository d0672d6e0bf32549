"""The emupos printer emulator, run for a test: loopback only, started and stopped by pid.

emupos needs Python >= 3.13, so it lives in its own venv (`make test` creates .venv-emupos when
python3.13 is found). Without it the tests that need it are skipped with the reason, except
where KASSA_REQUIRE_EMUPOS=1 (CI), where a missing emulator fails them.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEVICE = "front"


def emupos_command() -> Path | None:
    configured = os.environ.get("KASSA_EMUPOS")
    candidate = Path(configured) if configured else REPO / ".venv-emupos" / "bin" / "emupos"
    return candidate if candidate.is_file() else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Emupos:
    """A running emupos with one printer; its control API wrapped for tests."""

    def __init__(self, command: Path, folder: Path, job_idle_timeout_ms: int = 300) -> None:
        self.command = command
        self.folder = folder
        self.api_port = free_port()
        self.printer_port = free_port()
        self.log = folder / "emupos.log"
        self.config = folder / "emupos.yaml"
        self.config.write_text(
            "schema: 1\n"
            f"api: {{ host: 127.0.0.1, port: {self.api_port} }}\n"
            "devices:\n"
            f"  - id: {DEVICE}\n"
            "    type: printer\n"
            "    profile: epson-tm-t20iii\n"
            "    connections:\n"
            f"      - tcp: {{ host: 127.0.0.1, port: {self.printer_port} }}\n"
            f"    job_idle_timeout_ms: {job_idle_timeout_ms}\n"
            f"    receipts_dir: {folder / 'receipts'}\n",
            encoding="utf-8",
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}/api/v1"

    def start(self) -> None:
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [str(self.command), "run", "--config", str(self.config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self._get("/health")["status"] == "ok":
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"emupos did not start; see {self.log}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def _request(self, method: str, path: str) -> bytes:
        request = urllib.request.Request(self.api + path, method=method)
        with urllib.request.urlopen(request, timeout=10) as reply:
            return bytes(reply.read())

    def _get(self, path: str) -> dict[str, object]:
        result: dict[str, object] = json.loads(self._request("GET", path))
        return result

    def fault(self, name: str, active: bool = True) -> None:
        self._request("PUT" if active else "DELETE", f"/devices/{DEVICE}/faults/{name}")

    def close_drawer(self) -> None:
        self._request("POST", f"/devices/{DEVICE}/drawer/close")

    def state(self) -> dict[str, object]:
        state: dict[str, object] = self._get(f"/devices/{DEVICE}")["state"]  # type: ignore[assignment]
        return state

    def receipt_count(self) -> int:
        """How many receipts have come out (one request: cheap enough to poll)."""
        return len(json.loads(self._request("GET", f"/devices/{DEVICE}/receipts")))

    def receipts(self) -> list[str]:
        """The text of every completed receipt, oldest first."""
        return [text for _ending, text in self.paper()]

    def paper(self) -> list[tuple[str, str]]:
        """Every completed receipt, oldest first: how it ended and its text.

        It ends with `cut` when the whole receipt came out; `connection-closed` or `idle-timeout`
        means the data stopped coming before the cut (a torn receipt).
        """
        listed = json.loads(self._request("GET", f"/devices/{DEVICE}/receipts"))
        return [
            (
                str(item["boundary"]),
                self._request("GET", f"/devices/{DEVICE}/receipts/{item['id']}/text").decode(),
            )
            for item in reversed(listed)
        ]

    def wait_for_receipts(self, count: int, timeout: float = 10.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.receipts()
            if len(found) >= count:
                return found
            time.sleep(0.1)
        return self.receipts()

    def events(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def running_emupos(folder: Path, job_idle_timeout_ms: int = 300) -> Iterator[Emupos]:
    command = emupos_command()
    if command is None:
        reason = (
            "emupos is not installed: it needs Python >= 3.13; `make test` installs it into"
            " .venv-emupos when python3.13 is on this machine"
        )
        if os.environ.get("KASSA_REQUIRE_EMUPOS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    emulator = Emupos(command, folder, job_idle_timeout_ms)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()
