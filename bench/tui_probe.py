"""Driving a TUI from outside through tmux: start it, wait for a screen, read its memory, stop it.

Everything runs on a private tmux server (`tmux -L <socket> -f /dev/null`), so no session of the
user is ever touched; `kill_server()` removes it at the end. A small keeper session holds the
server up between runs, so each measured start pays for a new session, not a new server.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

SHELLS = {"sh", "bash", "dash", "zsh", "ash", "busybox"}


class ProbeError(RuntimeError):
    """The program did not reach the awaited screen; the message holds what the pane showed."""


class Tmux:
    def __init__(self, socket: str, env: dict[str, str], width: int = 80, height: int = 24):
        self.socket = socket
        self.env = env
        self.width = width
        self.height = height
        self.started = False

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if check and result.returncode != 0:
            raise ProbeError(f"tmux {' '.join(args)}: {result.stderr.strip()}")
        return result

    def start_server(self) -> None:
        self.run(
            "new-session",
            "-d",
            "-s",
            "keeper",
            "-x",
            str(self.width),
            "-y",
            str(self.height),
            "exec cat",
        )
        self.started = True
        # A pane whose program died stays, so its last words can be shown.
        self.run("set-option", "-g", "remain-on-exit", "on")

    def kill_server(self) -> None:
        if self.started:
            self.run("kill-server", check=False)
            self.started = False

    # -- one program in one session -----------------------------------------------------------

    def launch(self, name: str, argv: list[str]) -> float:
        """Start `argv` in a new detached session; returns the perf_counter() just before."""
        command = "exec " + shlex.join(argv)
        started = time.perf_counter()
        self.run(
            "new-session", "-d", "-s", name, "-x", str(self.width), "-y", str(self.height), command
        )
        return started

    def capture(self, name: str) -> tuple[str, bool]:
        """The pane's text and whether its program has exited (one tmux call)."""
        result = self.run(
            "capture-pane",
            "-p",
            "-t",
            name,
            ";",
            "display-message",
            "-p",
            "-t",
            name,
            "#{pane_dead}",
            check=False,
        )
        text, _, dead = result.stdout.rstrip("\n").rpartition("\n")
        return text, dead.strip() == "1"

    def wait_for(
        self,
        name: str,
        ready: Callable[[str], bool],
        since: float,
        timeout: float = 30.0,
        interval: float = 0.01,
    ) -> float:
        """Poll the pane every `interval` s until `ready(text)`; returns seconds since `since`."""
        while True:
            poll_start = time.perf_counter()
            text, dead = self.capture(name)
            if ready(text):
                return time.perf_counter() - since
            if dead:
                raise ProbeError(f"the program in {name} exited before its screen:\n{text}")
            if poll_start - since > timeout:
                raise ProbeError(f"no ready screen in {name} after {timeout:.0f} s:\n{text}")
            time.sleep(max(0.0, interval - (time.perf_counter() - poll_start)))

    def send(self, name: str, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", name, *(["-l"] if literal else []), *keys)

    def pane_pid(self, name: str) -> int:
        return int(self.run("list-panes", "-t", name, "-F", "#{pane_pid}").stdout.split()[0])

    def program_pid(self, name: str, timeout: float = 5.0) -> int:
        """The program's pid: the pane's process, or its child when the pane runs a shell."""
        pid = self.pane_pid(name)
        deadline = time.monotonic() + timeout
        while _comm(pid) in SHELLS:
            children = _children(pid)
            if children:
                return children[0]
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        return pid

    def stop(self, name: str, pid: int, quit_keys: tuple[str, ...] = ("C-q",)) -> None:
        """Quit politely with the app's own key, then SIGTERM/SIGKILL that pid; end the session."""
        if _alive(pid) and quit_keys:
            self.send(name, *quit_keys)
            _wait_gone(pid, 3.0)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if not _alive(pid):
                break
            os.kill(pid, sig)
            _wait_gone(pid, 3.0)
        self.run("kill-session", "-t", name, check=False)


# -- /proc ---------------------------------------------------------------------------------------


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
        return sorted(found)


def _alive(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting for tmux to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _wait_gone(pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in KiB, from /proc/<pid>/status."""
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values
