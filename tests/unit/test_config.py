"""kassa.toml: the documented example loads, and every mistake names its dotted key."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from kassa_tui.config import DEFAULT_KEYS, ConfigError, EmbeddedLayout, find_config, load, parse

from .conftest import REPO_CONFIG, write_config


def repo_raw() -> dict[str, Any]:
    return tomllib.loads(REPO_CONFIG.read_text(encoding="utf-8"))


def refused_key(raw: dict[str, Any], tmp_path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as refused:
        parse(raw, tmp_path / "kassa.toml")
    return refused.value


def test_documented_kassa_toml_loads(tmp_path: Path) -> None:
    config = load(REPO_CONFIG)
    assert config.shop_name == "Demobutikken AS"
    assert config.shop_address == ("Storgata 1", "0155 Oslo")
    assert config.org_nr == "999999999"
    assert config.org_nr_display == "Org.nr 999 999 999 MVA"
    assert config.register_id == "KASSE-1"
    assert config.language == "nb"
    assert config.vat_rates_bp == (2500, 1500, 1200, 0)
    assert config.cash_rounding is True
    assert config.printer.type == "file"
    assert config.printer.codepage == "CP865"
    assert config.printer.columns == 48
    assert config.embedded == (EmbeddedLayout("23", "weight"), EmbeddedLayout("24", "price"))
    assert config.keys == DEFAULT_KEYS
    assert "Personalrabatt" in config.discount_reasons
    # Relative paths are relative to the file's folder, not to the working directory.
    assert config.database == REPO_CONFIG.parent / "var" / "kassa.db"
    assert config.printer.path == REPO_CONFIG.parent / "var" / "receipts.bin"


def test_copied_config_points_at_tmp_path(tmp_path: Path) -> None:
    config = load(write_config(tmp_path))
    assert config.database == tmp_path / "kassa.db"
    assert config.language == "en"


def test_not_vat_registered_drops_mva() -> None:
    raw = repo_raw()
    raw["shop"]["vat_registered"] = False
    assert parse(raw, REPO_CONFIG).org_nr_display == "Org.nr 999 999 999"


def _set(raw: dict[str, Any], dotted: str, value: Any) -> None:
    *tables, key = dotted.split(".")
    for table in tables:
        raw = raw.setdefault(table, {})
    raw[key] = value


@pytest.mark.parametrize(
    ("dotted", "value", "named"),
    [
        ("shop.org_nr", "999 999 998", "shop.org_nr"),  # mod-11 check fails
        ("shop.org_nr", "12345678", "shop.org_nr"),
        ("shop.name", "   ", "shop.name"),
        ("shop.name", 42, "shop.name"),
        ("shop.address", [], "shop.address"),
        ("shop.vat_registered", "yes", "shop.vat_registered"),
        ("shop.colour", "blue", "shop.colour"),  # unknown key
        ("kiosk.mode", True, "kiosk"),  # unknown table
        ("register.id", "K" * 36, "register.id"),
        ("ui.idle_lock_seconds", "300", "ui.idle_lock_seconds"),  # wrong type
        ("ui.idle_lock_seconds", True, "ui.idle_lock_seconds"),  # a bool is not a number
        ("ui.idle_lock_seconds", -1, "ui.idle_lock_seconds"),
        ("ui.lockout_minutes", 0, "ui.lockout_minutes"),
        ("ui.lockout_minutes", 24 * 60 + 1, "ui.lockout_minutes"),
        ("ui.lockout_minutes", 99999999999, "ui.lockout_minutes"),  # overflowed a timedelta
        ("ui.min_pin_length_lead", 3, "ui.min_pin_length_lead"),
        ("ui.min_pin_length_lead", 9, "ui.min_pin_length_lead"),
        ("ui.pin_pepper_file", 5, "ui.pin_pepper_file"),
        ("ui.language", "de", "ui.language"),
        ("ui.console_theme", "dark", "ui.console_theme"),
        ("vat.rates", [25, 150], "vat.rates"),
        ("cash.rounding", 1, "cash.rounding"),
        ("printer.type", "laser", "printer.type"),
        ("printer.port", 70000, "printer.port"),
        ("printer.timeout", 0, "printer.timeout"),
        ("printer.codepage", "CP437", "printer.codepage"),
        ("printer.width_mm", 76, "printer.width_mm"),
        ("printer.paper", "thermal", "printer.paper"),
        ("scanner.mode", "bluetooth", "scanner.mode"),
        ("scanner.usb_id", "05e0-1200", "scanner.usb_id"),
        ("scanner.layout", "de", "scanner.layout"),
        ("keys.dance", "f2", "keys.dance"),
        ("keys.park", "", "keys.park"),
    ],
)
def test_bad_setting_names_its_dotted_key(
    dotted: str, value: Any, named: str, tmp_path: Path
) -> None:
    raw = repo_raw()
    _set(raw, dotted, value)
    error = refused_key(raw, tmp_path)
    assert error.key == named
    assert str(error).startswith(f"{named}: ")


@pytest.mark.parametrize("minutes", [1, 24 * 60])
def test_lockout_minutes_from_one_to_a_day(minutes: int) -> None:
    raw = repo_raw()
    _set(raw, "ui.lockout_minutes", minutes)
    assert parse(raw, REPO_CONFIG).lockout_minutes == minutes


def test_pin_settings() -> None:
    raw = repo_raw()
    config = parse(raw, REPO_CONFIG)
    assert config.min_pin_length_lead == 4  # the demo users' PINs still do
    assert config.signing.key_file is not None
    assert config.pepper_file == config.signing.key_file.parent / "pin-pepper.bin"
    _set(raw, "ui.min_pin_length_lead", 6)
    _set(raw, "ui.pin_pepper_file", "secrets/pepper")
    config = parse(raw, REPO_CONFIG)
    assert config.min_pin_length_lead == 6
    assert config.pepper_file == REPO_CONFIG.parent / "secrets/pepper"


def test_missing_shop_name(tmp_path: Path) -> None:
    raw = repo_raw()
    del raw["shop"]["name"]
    error = refused_key(raw, tmp_path)
    assert str(error) == "shop.name: is missing"


def test_missing_database_path(tmp_path: Path) -> None:
    raw = repo_raw()
    del raw["database"]
    assert refused_key(raw, tmp_path).key == "database.path"


def test_table_that_is_not_a_table(tmp_path: Path) -> None:
    raw = repo_raw()
    raw["printer"] = "file"
    assert refused_key(raw, tmp_path).key == "printer"


@pytest.mark.parametrize("prefix", ["19", "30", "2", "2a", "230"])
def test_bad_embedded_prefix(prefix: str, tmp_path: Path) -> None:
    raw = repo_raw()
    raw["barcodes"]["embedded"][1]["prefix"] = prefix
    assert str(refused_key(raw, tmp_path)).startswith("barcodes.embedded[1].prefix: ")


def test_bad_embedded_kind_and_digits(tmp_path: Path) -> None:
    raw = repo_raw()
    raw["barcodes"]["embedded"][0]["kind"] = "volume"
    assert refused_key(raw, tmp_path).key == "barcodes.embedded[0].kind"
    raw = repo_raw()
    raw["barcodes"]["embedded"][0]["value_digits"] = 6
    assert refused_key(raw, tmp_path).key == "barcodes.embedded[0].item_digits"


def test_key_clash_in_keys(tmp_path: Path) -> None:
    raw = repo_raw()
    raw["keys"]["park"] = "f1"  # f1 is help's
    error = refused_key(raw, tmp_path)
    assert error.key == "keys.park"
    assert "'f1'" in error.problem
    assert "help" in error.problem


def test_remapped_keys_are_kept(tmp_path: Path) -> None:
    raw = repo_raw()
    raw["keys"] = {"park": "f3, ctrl+j"}
    assert parse(raw, tmp_path / "kassa.toml").keys["park"] == "f3,ctrl+j"


def test_error_from_a_file_names_the_file_and_the_key(tmp_path: Path) -> None:
    text = REPO_CONFIG.read_text(encoding="utf-8").replace('type = "file"', 'type = "laser"')
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as refused:
        load(path)
    assert (
        str(refused.value)
        == f"{path}: printer.type: must be one of file, dummy, network, usb, serial"
    )


def test_not_toml(tmp_path: Path) -> None:
    path = tmp_path / "kassa.toml"
    path.write_text("[shop\nname = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load(path)
    assert refused.value.key == "config"
    assert "not valid TOML" in str(refused.value)


# -- where kassa.toml is found -----------------------------------------------------------------


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Four different kassa.toml files, one for each place kassa looks."""
    found = {}
    for name in ("explicit", "env", "cwd", "xdg"):
        folder = tmp_path / name
        (folder / "kassa").mkdir(parents=True)
        target = folder / "kassa" if name == "xdg" else folder
        found[name] = write_config(target)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("KASSA_CONFIG", str(found["env"]))
    monkeypatch.chdir(found["cwd"].parent)
    return found


def test_explicit_config_wins(places: dict[str, Path]) -> None:
    assert find_config(places["explicit"]) == places["explicit"]
    assert load(str(places["explicit"])).source == places["explicit"]


def test_then_the_environment(places: dict[str, Path]) -> None:
    assert find_config(None) == places["env"]


def test_then_the_working_directory(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KASSA_CONFIG")
    assert find_config(None) == Path.cwd() / "kassa.toml" == places["cwd"]


def test_then_the_user_config_dir(places: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KASSA_CONFIG")
    places["cwd"].unlink()
    assert find_config(None) == places["xdg"]


def test_nowhere(places: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KASSA_CONFIG")
    places["cwd"].unlink()
    places["xdg"].unlink()
    with pytest.raises(ConfigError) as refused:
        find_config(None)
    assert refused.value.key == "config"
    assert "--config" in str(refused.value)


def test_explicit_file_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        load(tmp_path / "missing.toml")
    assert refused.value.problem == "file not found"
