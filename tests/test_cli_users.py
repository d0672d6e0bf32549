"""`kassa users …`, `kassa init --technician` and the CLI's number-and-PIN check."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.people import users
from tests.shop import write_config

TECH = "9\n9999\n"


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


def kassa(config: Path, *args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(config), *args], input=input)
    return result.exit_code, result.output


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    config = write_config(tmp_path, language='"en"')
    assert kassa(config, "init", "--demo")[0] == 0
    return config


def test_init_creates_the_first_technician_with_the_pin_from_stdin(tmp_path: Path) -> None:
    config = write_config(tmp_path, language='"en"')
    code, out = kassa(config, "init", "--technician", "Tina Tekniker", input="4711\n")
    assert code == 0, out
    assert "Added Tina Tekniker (9) as technician" in out
    code, out = kassa(config, "users", "list", input="9\n4711\n")
    assert "Tina Tekniker" in out and "technician" in out
    code, out = kassa(config, "users", "add", "1", "Kari", input="9\n4711\n1234\n")
    assert code == 0, out


def test_init_refuses_a_bad_pin_before_creating_anything(tmp_path: Path) -> None:
    config = write_config(tmp_path, language='"en"')
    code, out = kassa(config, "init", "--technician", "T", "--number", "7", input="12\n")
    assert code == 1 and "4 to 8 digits" in out
    assert not (tmp_path / "var" / "kassa.db").exists()


def test_users_commands(shop: Path) -> None:
    assert kassa(shop, "users", "add", "5", "Per", input=TECH + "5555\n")[0] == 0
    code, out = kassa(shop, "users", "set-role", "5", "shift_lead", input=TECH)
    assert code == 0 and "now shift lead" in out
    assert kassa(shop, "users", "set-pin", "5", input=TECH + "5656\n")[0] == 0
    assert kassa(shop, "users", "disable", "5", input=TECH)[0] == 0
    code, out = kassa(shop, "users", "list", input=TECH)
    assert "Per" in out and "(disabled)" in out
    assert kassa(shop, "users", "enable", "5", input=TECH)[0] == 0
    code, out = kassa(shop, "users", "disable", "9", input=TECH)
    assert code == 1 and "last active technician" in out
    code, out = kassa(shop, "users", "set-role", "9", "cashier", input=TECH)
    assert code == 1 and "last active technician" in out
    code, out = kassa(
        shop, "journal", "show", "--type", "USERADD", "--type", "USERCHANGE", input=TECH
    )
    assert code == 0 and out.count(" 13999 USER") == 5 and "5656" not in out


def test_a_shift_lead_may_not_administer_users(shop: Path) -> None:
    code, out = kassa(shop, "users", "add", "5", "Per", input="2\n2222\n5555\n")
    assert code == 1 and out.count("\n") == 1 and "user administration" in out


def test_init_without_a_technician_is_refused(tmp_path: Path) -> None:
    config = write_config(tmp_path, language='"en"')
    code, out = kassa(config, "init")
    assert code == 2 and "give --technician NAME" in out
    assert not (tmp_path / "var" / "kassa.db").exists()


def test_users_list_asks_for_a_technician(shop: Path) -> None:
    for login, refusal in (("", "Wrong user number or PIN"), ("2\n2222\n", "user administration")):
        code, out = kassa(shop, "users", "list", input=login)
        assert code == 1 and out.count("\n") == 1 and refusal in out
        assert "Kari Kasserer" not in out and "Tor Tekniker" not in out
    code, out = kassa(shop, "users", "list", input=TECH)
    assert code == 0 and "Kari Kasserer" in out and "Siri Skiftleder" in out


def test_wrong_pins_make_the_register_wait_and_lock_nobody(shop: Path) -> None:
    for attempt in range(3):
        code, out = kassa(shop, "export", "products", input="9\n0000\n")
        assert code == 1 and out.count("\n") == 1 and "Wrong user number or PIN" in out
        assert ("wait 1 s before the next try" in out) == (attempt == 2), out
    time.sleep(1.1)
    code, out = kassa(shop, "journal", "show", "--type", "PINDELAY", input=TECH)
    assert code == 0 and out.count("PINDELAY") == 1  # the technician is not locked out


def test_export_saft_refuses_a_cashier_and_accepts_the_technician(
    shop: Path, tmp_path: Path
) -> None:
    args = ("export", "saft", "--from", "2026-01-01", "--to", "2026-01-02", "--out", str(tmp_path))
    code, out = kassa(shop, *args, input="1\n1111\n")
    assert code == 1 and "may not do exports" in out
    code, out = kassa(shop, *args, input=TECH)
    assert code == 0, out
    assert out.strip().endswith(".xml") or out.strip().endswith(".zip")


def test_init_makes_a_private_pepper_and_a_long_lead_pin_is_asked_for(tmp_path: Path) -> None:
    config = write_config(tmp_path, language='"en"', min_pin_length_lead="6")
    code, out = kassa(config, "init", "--technician", "Tina", input="471100\n")
    assert code == 0, out
    pepper = tmp_path / "var" / "pin-pepper.bin"  # beside var/signing-key.pem
    assert pepper.stat().st_mode & 0o777 == 0o600 and len(pepper.read_bytes()) == 32
    tech = "9\n471100\n"
    assert kassa(config, "users", "add", "5", "Per", input=tech + "5555\n")[0] == 0
    code, out = kassa(config, "users", "set-role", "5", "shift_lead", input=tech)
    assert code == 1 and "needs a new PIN of at least 6 digits" in out
    code, out = kassa(
        config, "users", "set-role", "5", "shift_lead", "--new-pin", input=tech + "5555\n"
    )
    assert code == 1 and "at least 6 digits" in out
    code, out = kassa(
        config, "users", "set-role", "5", "shift_lead", "--new-pin", input=tech + "555555\n"
    )
    assert code == 0 and "now shift lead" in out
    code, out = kassa(
        config, "users", "add", "6", "Ada", "--role", "technician", input=tech + "6666\n"
    )
    assert code == 1 and "at least 6 digits" in out


@pytest.mark.parametrize("name", ["", "   ", "\t"])
def test_a_user_needs_a_name(shop: Path, name: str) -> None:
    """`kassa users add 6 ""` made a user without a name (issue 13): refused before the PIN."""
    code, out = kassa(shop, "users", "add", "6", name, input=TECH + "6666\n")
    assert (code, out) == (2, "kassa: a user needs a name (it is printed on receipts)\n")
    code, out = kassa(shop, "users", "list", input=TECH)
    assert code == 0 and not [line for line in out.splitlines() if line.split()[0] == "6"]


def test_a_name_is_kept_as_typed_without_stray_spaces(shop: Path) -> None:
    code, out = kassa(shop, "users", "add", "6", "  Ola   Nordmann ", input=TECH + "6666\n")
    assert (code, out) == (0, "Added Ola Nordmann (6) as cashier\n")


def test_the_first_technician_needs_a_name(tmp_path: Path) -> None:
    config = write_config(tmp_path, language='"en"')
    code, out = kassa(config, "init", "--technician", " ", input="4711\n")
    assert code == 2 and "a user needs a name" in out
    assert not (tmp_path / "var" / "kassa.db").exists()


def test_users_list_has_a_header(shop: Path) -> None:
    code, out = kassa(shop, "users", "list", input=TECH)
    assert code == 0 and out.splitlines()[0].split() == ["Nr", "Name", "Role"]
    assert "   2  Siri Skiftleder          shift lead" in out
