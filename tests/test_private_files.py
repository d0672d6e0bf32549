"""The log file and the file printer's receipts are readable by the till's user only, whatever
the umask; a file that was too open before is tightened (the exports and backups are tested
with their own commands)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.printer import FilePrinter
from kassa_tui.cli.base import setup_logging
from kassa_tui.config import load
from tests.shop import write_config


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def root_logging() -> Iterator[None]:
    """setup_logging replaces the root logger's handlers: put them back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        for handler in handlers:
            if handler not in root.handlers:
                root.addHandler(handler)
        root.setLevel(level)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_the_log_file_is_created_private(
    tmp_path: Path, open_umask: None, root_logging: None
) -> None:
    config = load(write_config(tmp_path))
    assert not config.log_file.exists()
    setup_logging(config)
    logging.getLogger("kassa").info("a line with a name in it")
    assert mode(config.log_file) == 0o600
    assert "a line with a name in it" in config.log_file.read_text(encoding="utf-8")


def test_an_open_log_file_is_tightened_and_kept(tmp_path: Path, root_logging: None) -> None:
    config = load(write_config(tmp_path))
    config.log_file.parent.mkdir(parents=True, exist_ok=True)
    config.log_file.write_text("yesterday\n", encoding="utf-8")
    config.log_file.chmod(0o644)
    setup_logging(config)
    logging.getLogger("kassa").info("today")
    assert mode(config.log_file) == 0o600
    assert config.log_file.read_text(encoding="utf-8").startswith("yesterday\n")


def test_the_receipt_file_is_created_private_and_tightened(
    tmp_path: Path, open_umask: None
) -> None:
    path = tmp_path / "var" / "receipts.bin"
    FilePrinter(path).send(b"first receipt")
    assert mode(path) == 0o600
    path.chmod(0o644)
    FilePrinter(path).send(b", second")
    assert mode(path) == 0o600 and path.read_bytes() == b"first receipt, second"
