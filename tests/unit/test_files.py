"""Files kassa creates are private whatever the umask and never replace another file; text cells
a spreadsheet would run as formulas are neutralised and read back unchanged."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kassa_tui.core.cells import read_cell, text_cell
from kassa_tui.core.files import create_new, numbered, open_append, write_new, writing_new


@pytest.fixture
def open_umask() -> Iterator[None]:
    """umask 000: a file created with the default mode would be world-writable."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_new_files_are_private_even_with_umask_000(tmp_path: Path, open_umask: None) -> None:
    os.close(create_new(tmp_path / "a"))
    written = write_new(tmp_path / "b.csv", b"x", unique=True)
    os.close(open_append(tmp_path / "c.log"))
    assert [mode(p) for p in (tmp_path / "a", written, tmp_path / "c.log")] == [0o600] * 3


def test_an_existing_file_of_ours_is_tightened_when_appended_to(tmp_path: Path) -> None:
    log = tmp_path / "kassa.log"
    log.write_text("old line\n")
    log.chmod(0o644)
    fd = open_append(log)
    os.write(fd, b"new line\n")
    os.close(fd)
    assert mode(log) == 0o600 and log.read_text() == "old line\nnew line\n"


def test_a_taken_name_gets_the_next_number_and_nothing_is_replaced(tmp_path: Path) -> None:
    target = tmp_path / "export.csv"
    first = write_new(target, b"first", unique=True)
    second = write_new(target, b"second", unique=True)
    third = write_new(target, b"third", unique=True)
    names = ["export.csv", "export-2.csv", "export-3.csv"]
    assert [p.name for p in (first, second, third)] == names
    assert [p.read_bytes() for p in (first, second, third)] == [b"first", b"second", b"third"]
    with pytest.raises(FileExistsError):
        write_new(target, b"mine", unique=False)  # the user's own name: refused
    assert target.read_bytes() == b"first"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "export-2.csv",
        "export-3.csv",
        "export.csv",
    ]  # no partial file left behind


def test_numbers_go_before_the_extension() -> None:
    assert numbered(Path("d/x.csv"), 1) == Path("d/x.csv")
    assert numbered(Path("d/x.csv"), 2) == Path("d/x-2.csv")
    assert numbered(Path("d/kassa-K-1.db.enc"), 3) == Path("d/kassa-K-1-3.db.enc")
    assert numbered(Path("d/README"), 2) == Path("d/README-2")


def test_without_hard_links_a_taken_name_is_still_never_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(_src: object, _dst: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")  # as FAT on a USB stick says

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "SAF-T.xml"
    target.write_bytes(b"earlier export")
    path = write_new(target, b"new export", unique=True)
    assert path.name == "SAF-T-2.xml" and path.read_bytes() == b"new export"
    assert target.read_bytes() == b"earlier export" and mode(path) == 0o600
    assert len(list(tmp_path.iterdir())) == 2


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), writing_new(tmp_path / "x.csv", unique=True) as written:
        written.file.write(b"half a file")
        raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://x","y")',
        "=cmd|' /C calc'!A0",
        "+47 22 00 00 00",
        "-20 % salg",
        "@SUM(A1)",
        "\tTab",
        "\rCR",
        "'=already quoted",
        "''+twice",
    ],
)
def test_a_formula_becomes_text_and_reads_back_unchanged(text: str) -> None:
    cell = text_cell(text)
    assert cell == f"'{text}"
    assert read_cell(cell) == text


@pytest.mark.parametrize("text", ["Rømme 18 % 3 dl", "", "'quoted", "a=b", "12,50", "'"])
def test_plain_text_is_left_alone(text: str) -> None:
    assert text_cell(text) == text
    assert read_cell(text) == text
