"""The technician's `kassa` command, as run over SSH."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kassa_tui import __version__
from kassa_tui.cli import main
from kassa_tui.people import users
from kassa_tui.store.register_lock import RegisterLock
from tests.shop import write_config


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


def kassa(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.output


def test_version() -> None:
    code, out = kassa("--version")
    assert code == 0 and __version__ in out


def test_init_demo_creates_a_shop_and_never_overwrites_it(tmp_path: Path) -> None:
    config = write_config(tmp_path, language='"en"')
    code, out = kassa("--config", str(config), "init", "--demo")
    assert code == 0, out
    assert "611 products" in out
    assert "Kari Kasserer" in out and "PIN 1111" in out
    database = tmp_path / "var" / "kassa.db"
    assert database.stat().st_mode & 0o077 == 0  # readable by the till's user only
    code, out = kassa("--config", str(config), "init", "--demo")
    assert code == 1 and "already exists" in out


def test_init_with_a_generated_catalog(tmp_path: Path) -> None:
    config = write_config(tmp_path, language='"en"')
    code, out = kassa("--config", str(config), "init", "--demo", "--products", "2000")
    assert code == 0 and "2000 products" in out


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("org_nr", '"123456789"', "shop.org_nr"),
        ("idle_lock_seconds", '"soon"', "ui.idle_lock_seconds"),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_key(
    tmp_path: Path, key: str, value: str, named: str
) -> None:
    config = write_config(tmp_path, **{key: value})
    code, out = kassa("--config", str(config), "init")
    assert code == 2
    assert out.count("\n") == 1 and named in out and "Traceback" not in out


def test_config_is_found_through_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(tmp_path)
    monkeypatch.setenv("KASSA_CONFIG", str(config))
    monkeypatch.chdir(tmp_path.parent)
    code, out = kassa("init", "--technician", "Tor Tekniker", input="9999\n")
    assert code == 0 and str(tmp_path / "var" / "kassa.db") in out


def test_missing_config_names_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KASSA_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.chdir(tmp_path)
    code, out = kassa("users", "list")
    assert code == 2 and "no kassa.toml found" in out


def test_users_add_list_and_journal_verify(tmp_path: Path) -> None:
    config = write_config(tmp_path, language='"en"')
    init = ("--config", str(config), "init", "--technician", "Tor Tekniker")
    assert kassa(*init, input="9999\n")[0] == 0
    code, out = kassa(
        "--config",
        str(config),
        "users",
        "add",
        "5",
        "Per Skift",
        "--role",
        "shift_lead",
        input="9\n9999\n4321\n",
    )
    assert code == 0, out
    code, out = kassa("--config", str(config), "users", "add", "6", "Ola", input="9\n9999\n12\n")
    assert code == 1 and "4 to 8 digits" in out
    code, out = kassa("--config", str(config), "users", "list", input="9\n9999\n")
    assert "Per Skift" in out and "shift lead" in out and "Ola" not in out
    code, out = kassa("--config", str(config), "journal", "verify")
    assert code == 0 and "intact" in out


def test_a_second_till_on_the_same_register_is_refused(tmp_path: Path) -> None:
    config = write_config(tmp_path, language='"en"')
    assert kassa("--config", str(config), "init", "--demo")[0] == 0
    running = RegisterLock(tmp_path / "var" / "kassa.db", "KASSE-1")
    running.acquire()
    try:
        code, out = kassa("--config", str(config))
    finally:
        running.release()
    assert code == 3
    assert "already selling" in out


def test_devices_lists_what_the_config_selects(tmp_path: Path) -> None:
    config = write_config(tmp_path, language='"en"')
    code, out = kassa("--config", str(config), "devices")
    assert code == 0, out
    assert "Scanner mode: wedge" in out
    assert f"Printer (kassa.toml): file {tmp_path / 'var' / 'receipts.bin'}" in out
    assert "Drawer sensor: not read" in out


def test_a_drawer_sensor_needs_a_printer_that_can_report_it(tmp_path: Path) -> None:
    config = write_config(tmp_path, sensor="true")
    code, out = kassa("--config", str(config), "devices")
    assert code == 2 and "drawer.sensor" in out and "file printer cannot report" in out


def test_journal_show_filters_by_type_and_date(tmp_path: Path) -> None:
    config = write_config(tmp_path, language='"en"')
    assert kassa("--config", str(config), "init", "--demo")[0] == 0
    code, out = kassa(
        "--config", str(config), "journal", "show", "--type", "13003", input="9\n9999\n"
    )
    assert code == 0 and out == ""  # nobody has signed in yet
    assert kassa("--config", str(config), "report", "x", input="1\n1111\n")[0] == 0
    code, out = kassa(
        "--config", str(config), "journal", "show", "--type", "xreport", input="9\n9999\n"
    )
    assert code == 0 and out.count("\n") == 2 and " 13008 XREPORT " in out
    assert out.split()[:6] == ["Seq", "Date", "Time", "Event", "User", "Details"]
    code, out = kassa(
        "--config", str(config), "journal", "show", "--to", "2020-01-01", input="9\n9999\n"
    )
    assert code == 0 and out == ""
    code, out = kassa(
        "--config", str(config), "journal", "show", "--to", "yesterday", input="9\n9999\n"
    )
    assert code == 2 and "is not a date" in out


def test_the_business_day_cutoff_is_a_setting(tmp_path: Path) -> None:
    config = write_config(tmp_path, cutoff_hour="25")
    code, out = kassa("--config", str(config), "devices")
    assert code == 2 and "day.cutoff_hour" in out
