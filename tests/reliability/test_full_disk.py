"""A real full disk: the till's database on a small tmpfs that fills up while a sale completes.

SQLite then fails at COMMIT (the WAL cannot grow), not at an INSERT, which the page-count
test in test_power_loss.py does not reach. Mounting needs root: CI runs as root and sets
KASSA_REQUIRE_TMPFS=1, so there a failed mount fails the test; elsewhere it is skipped with
the reason.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest

from kassa_tui.composition import Till
from kassa_tui.people import users
from kassa_tui.records.journal import Journal
from screens.host import guarded
from tests.reliability.figures import FIGURES
from tests.shop import demo_till, selling_codes

TABLES = ("sale", "sale_line", "payment", "stock_movement", "print_job", "journal")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MB tmpfs, mounted for this test and gone after it."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m,mode=0700", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        reason = f"cannot mount a tmpfs here ({done.stderr.strip() or 'not root'})"
        if os.environ.get("KASSA_REQUIRE_TMPFS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path, leave: int) -> Path:
    """Fill the filesystem under `folder` until only about `leave` bytes are free."""
    filler = folder / "filler"
    stat = os.statvfs(folder)
    with filler.open("wb") as file:
        file.write(b"\0" * max(0, stat.f_bavail * stat.f_frsize - leave))
    return filler


def counts(till: Till) -> tuple[int, ...]:
    return tuple(
        int(till.db.execute_sql(f"SELECT COUNT(*) FROM {table}").fetchone()[0]) for table in TABLES
    )


class Screen:
    """What `guarded` shows the cashier."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def show_error(self, message: str) -> None:
        self.errors.append(message)


def test_a_disk_that_fills_up_at_commit_keeps_the_basket_and_says_so(
    small_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)
    till = demo_till(small_disk, language='"en"')
    try:
        cashier = till.users.sign_in("1", "1111")
        for code in selling_codes(till)[:5]:
            till.baskets.add(cashier, code)
        till.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # the WAL must grow to commit
        before, written = till.baskets.current(), counts(till)
        filler = fill(small_disk, leave=2048)
        FIGURES.faults["disk full"] += 1

        with pytest.raises(peewee.OperationalError) as failed:
            till.sales.pay_card(cashier)
        kept = till.baskets.current() == before and counts(till) == written
        FIGURES.lost["disk full"] += 0 if kept else 1  # recorded before anything is asserted
        screen = Screen()
        guarded(lambda _: till.sales.pay_card(cashier))(screen)

        assert "full" in str(failed.value), failed.value  # not "cannot rollback …"
        assert screen.errors and screen.errors[0].startswith("The disk is full")
        assert till.baskets.current() == before
        assert counts(till) == written
        assert Journal(till.db, till.config.register_id, till.clock).verify() is None

        filler.unlink()  # room again: the same basket sells
        done = till.sales.pay_card(cashier).completed
        assert done is not None and done.total == before.priced.total
        assert Journal(till.db, till.config.register_id, till.clock).verify() is None
    finally:
        till.db.close()
