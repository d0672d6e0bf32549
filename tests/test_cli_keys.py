"""`kassa keys generate`, `kassa init --demo`'s key and `kassa journal verify`'s signature check."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.composition import Till, open_till
from kassa_tui.config import load
from kassa_tui.people import users
from kassa_tui.records.signing import Signer, generate_key_pair
from tests.shop import demo_till, in_beer_hours_after_now, write_config


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


def kassa(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.output


def keyless_shop(folder: Path) -> Path:
    """A test shop whose supplier has not provisioned the signing key yet."""
    config = write_config(folder, language='"en"')
    for name in ("signing-key.pem", "signing-key.pub.pem"):
        (folder / "var" / name).unlink()
    return config


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_keys_generate_writes_a_private_key_and_refuses_to_overwrite_it(tmp_path: Path) -> None:
    config = keyless_shop(tmp_path)
    private, public = tmp_path / "var" / "signing-key.pem", tmp_path / "var" / "signing-key.pub.pem"
    assert not private.exists()
    code, out = kassa("--config", str(config), "keys", "generate")
    assert code == 0, out
    assert mode(private) == 0o600
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert f"Public key: {public}" in out and "RF-1348" in out
    assert Signer.load(private, "1").public_key_pem() == public.read_bytes()
    first = private.read_bytes()

    code, out = kassa("--config", str(config), "keys", "generate")
    assert code == 1 and "already exists" in out and "--force" in out
    assert private.read_bytes() == first

    code, out = kassa("--config", str(config), "keys", "generate", "--force")
    assert code == 0, out
    assert private.read_bytes() != first and mode(private) == 0o600
    assert "key_version" in out


def test_init_demo_makes_the_demo_key_and_the_till_signs(tmp_path: Path) -> None:
    config = keyless_shop(tmp_path)
    code, out = kassa("--config", str(config), "init", "--demo")
    assert code == 0, out
    private = tmp_path / "var" / "signing-key.pem"
    assert mode(private) == 0o600 and "signing key" in out
    code, out = kassa("--config", str(config), "journal", "verify")
    assert code == 0 and "Signatures intact: 0 sales" in out


def test_a_till_without_its_key_does_not_start(tmp_path: Path) -> None:
    config = keyless_shop(tmp_path)
    code, out = kassa("--config", str(config), "init", "--technician", "T", input="4711\n")
    assert code == 1
    assert out.count("\n") == 1 and "does not exist" in out and "kassa keys generate" in out
    assert not (tmp_path / "var" / "kassa.db").exists()


def test_a_key_others_can_read_stops_every_command(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    assert kassa("--config", str(config), "init", "--technician", "T", input="4711\n")[0] == 0
    (tmp_path / "var" / "signing-key.pem").chmod(0o644)
    code, out = kassa("--config", str(config), "users", "list")
    assert code == 1 and out.count("\n") == 1
    assert f"chmod 600 {tmp_path / 'var' / 'signing-key.pem'}" in out


def sell_three(till: Till) -> None:
    from devices.printer import MemoryPrinter
    from devices.spooler import print_pending

    person = till.users.sign_in("1", "1111")
    for code in ("7020164760728", "7061222375317", "7013874487160"):
        till.baskets.add(person, code)
        if age := till.baskets.age_to_confirm():  # the cashier's J: beer is sold from 18
            till.baskets.confirm_age(person, age)
        assert till.sales.pay_card(person, "").completed is not None
        print_pending(till.print_queue, MemoryPrinter(), till.config.printer, till.drawer)


def test_journal_verify_names_the_receipt_whose_amount_was_changed(tmp_path: Path) -> None:
    till = demo_till(tmp_path, language='"en"')
    sell_three(till)
    config = str(tmp_path / "kassa.toml")
    code, out = kassa("--config", config, "journal", "verify")
    assert code == 0, out
    assert "Journal intact" in out and "Signatures intact: 3 sales" in out

    till.db.execute_sql("DROP TRIGGER sale_no_update")
    till.db.execute_sql("UPDATE sale SET total_ore = total_ore + 1000 WHERE receipt_nr = 2")
    till.db.close()
    code, out = kassa("--config", config, "journal", "verify")
    assert code == 1
    assert "Journal intact" in out  # the journal itself was not touched
    assert "signature of receipt 2 does not verify" in out


def test_journal_verify_with_the_public_key_alone(tmp_path: Path) -> None:
    till = demo_till(tmp_path, language='"en"')
    sell_three(till)
    till.db.close()
    settings = load(tmp_path / "kassa.toml").signing
    assert settings.key_file is not None and settings.public_key_file is not None
    public = tmp_path / "auditor.pub.pem"
    public.write_bytes(settings.public_key_file.read_bytes())
    settings.key_file.unlink()  # an auditor's copy of the till: no private key
    config = str(tmp_path / "kassa.toml")
    code, out = kassa("--config", config, "journal", "verify", "--public-key", str(public))
    assert code == 0, out
    assert "Signatures intact: 3 sales" in out

    other = tmp_path / "other.pub.pem"
    generate_key_pair(tmp_path / "other.pem", other)
    code, out = kassa("--config", config, "journal", "verify", "--public-key", str(other))
    assert code == 1 and "signature of receipt 1 does not verify" in out


# --- Key rotation (issue 12, item 3): the technician's PIN, journaled, every version kept. ---


def rotate(config: str, credentials: str = "9\n9999\n") -> tuple[int, str]:
    return kassa("--config", config, "keys", "generate", "--force", input=credentials)


def key_rows(till: Till) -> list[tuple[str, int | None]]:
    rows = till.db.execute_sql("SELECT version, registered_by FROM signing_key ORDER BY rowid")
    return [(version, by) for version, by in rows.fetchall()]


def test_a_rotation_keeps_the_old_sales_verifying_and_is_journaled(tmp_path: Path) -> None:
    till = demo_till(tmp_path, language='"en"')
    sell_three(till)
    till.db.close()
    config = str(tmp_path / "kassa.toml")
    private = tmp_path / "var" / "signing-key.pem"
    old = private.read_bytes()

    code, out = rotate(config)
    assert code == 0, out
    assert "Key version 2 registered by user 9" in out and "no line to change" in out
    assert private.read_bytes() != old and mode(private) == 0o600

    till = open_till(load(Path(config)), in_beer_hours_after_now())
    assert key_rows(till) == [("1", None), ("2", 9)]
    assert till.sales.signer is not None and till.sales.signer.key_version == "2"
    keyreg = [row for row in till.journal.rows() if row.basic_id == "KEYREG"]
    assert [row.user_number for row in keyreg] == [None, 9]
    fingerprint = till.db.execute_sql(
        "SELECT fingerprint FROM signing_key WHERE version = '2'"
    ).fetchone()[0]
    assert '"key_version":"2"' in keyreg[-1].text.replace(" ", "")
    assert fingerprint in keyreg[-1].text
    sell_three(till)  # receipts 4-6, signed with version 2
    versions = till.db.execute_sql("SELECT key_version FROM sale ORDER BY id").fetchall()
    assert [version for (version,) in versions] == ["1"] * 3 + ["2"] * 3
    till.db.close()

    code, out = kassa("--config", config, "journal", "verify")
    assert code == 0, out
    assert "Signatures intact: 6 sales" in out


def test_a_rotation_without_the_technicians_pin_is_refused(tmp_path: Path) -> None:
    till = demo_till(tmp_path, language='"en"')
    sell_three(till)
    till.db.close()
    config = str(tmp_path / "kassa.toml")
    private = tmp_path / "var" / "signing-key.pem"
    old = private.read_bytes()
    for credentials, refusal in (
        ("", "Wrong user number or PIN"),  # no PIN
        ("9\n1234\n", "Wrong user number or PIN"),
        ("2\n2222\n", "may not do exports"),  # a shift lead
    ):
        code, out = rotate(config, credentials)
        assert code == 1 and refusal in out, out
        assert private.read_bytes() == old
    till = open_till(load(Path(config)))
    assert key_rows(till) == [("1", None)]
    assert till.sales.signer is not None and till.sales.signer.key_version == "1"


def test_a_key_swapped_behind_kassas_back_is_refused_and_reported(tmp_path: Path) -> None:
    till = demo_till(tmp_path, language='"en"')
    sell_three(till)
    till.db.close()
    config = str(tmp_path / "kassa.toml")
    settings = load(Path(config)).signing
    assert settings.key_file is not None and settings.public_key_file is not None
    generate_key_pair(settings.key_file, settings.public_key_file, overwrite=True)

    code, out = kassa("--config", config, "users", "list", input="9\n9999\n")
    assert code == 1 and "not the shop's registered key" in out  # the till will not sign
    code, out = kassa("--config", config, "journal", "verify")
    assert code == 1
    assert "Signatures intact: 3 sales" in out  # the old sales, with the registered key
    assert "not the shop's registered key" in out and "refuses to sign" in out


def test_sales_signed_with_a_swapped_key_are_named(tmp_path: Path) -> None:
    """Even if a swapped key signed (an older kassa, or one changed to skip the check), verify
    checks each sale with its version's registered key and names the first one signed after."""
    till = demo_till(tmp_path, language='"en"')
    sell_three(till)
    assert till.sales.signer is not None
    other = tmp_path / "other.pem"
    generate_key_pair(other, tmp_path / "other.pub.pem")
    till.sales.signer = Signer.load(other, "1")  # claims to be version 1
    sell_three(till)
    till.db.close()
    code, out = kassa("--config", str(tmp_path / "kassa.toml"), "journal", "verify")
    assert code == 1
    assert "signature of receipt 4 does not verify" in out


def test_verify_names_the_key_versions_that_are_not_registered(tmp_path: Path) -> None:
    till = demo_till(tmp_path, language='"en"')
    sell_three(till)
    assert till.sales.signer is not None
    till.sales.signer.key_version = "7"  # a version nobody registered
    sell_three(till)
    till.db.close()
    code, out = kassa("--config", str(tmp_path / "kassa.toml"), "journal", "verify")
    assert code == 1
    assert "key version 7 is not registered" in out and "receipts 4–6" in out


# -- the key table against its journal rows ----------------------------------------------------


@pytest.mark.parametrize("attack", ["inserted", "changed", "fingerprint kept", "deleted"])
def test_a_key_row_changed_with_sql_is_named_by_verify(tmp_path: Path, attack: str) -> None:
    """With the triggers dropped, someone puts their own key in the table (to make sales they
    re-signed verify), swaps the registered one, or removes it: its KEYREG row says otherwise."""
    from kassa_tui.records.keyring import fingerprint

    till = demo_till(tmp_path, language='"en"')
    sell_three(till)
    other = generate_key_pair(tmp_path / "other.pem", tmp_path / "other.pub.pem")
    (registered,) = till.db.execute_sql("SELECT fingerprint FROM signing_key").fetchone()
    for verb in ("update", "delete"):
        till.db.execute_sql(f"DROP TRIGGER signing_key_no_{verb}")
    if attack == "inserted":
        till.db.execute_sql(
            "INSERT INTO signing_key (version, public_pem, fingerprint, registered_utc,"
            " registered_by) VALUES ('2', ?, ?, '2026-11-27T11:00:00Z', 9)",
            (other.decode("ascii"), fingerprint(other)),
        )
    elif attack == "changed":
        till.db.execute_sql(
            "UPDATE signing_key SET public_pem = ?, fingerprint = ?",
            (other.decode("ascii"), fingerprint(other)),
        )
    elif attack == "fingerprint kept":
        till.db.execute_sql("UPDATE signing_key SET public_pem = ?", (other.decode("ascii"),))
    else:
        till.db.execute_sql("DELETE FROM signing_key")
    till.db.close()
    code, out = kassa("--config", str(tmp_path / "kassa.toml"), "journal", "verify")
    assert code == 1, out
    if attack == "inserted":
        assert (
            f"kassa: signing key version 2 (fingerprint {fingerprint(other)[:16]}…) has no"
            " KEYREG journal row: it was added or changed in the database, not by kassa"
        ) in out
    elif attack == "changed":
        assert f"signing key version 1 (fingerprint {fingerprint(other)[:16]}…) has no" in out
        assert f"registered signing key version 1 (fingerprint {registered[:16]}…)" in out
    elif attack == "fingerprint kept":
        assert (
            f"kassa: signing key version 1: its public key is not the one its fingerprint"
            f" {registered[:16]}… names: it was changed in the database"
        ) in out
    else:
        assert (
            f"(KEYREG) registered signing key version 1 (fingerprint {registered[:16]}…), which"
            " the database no longer holds: it was deleted or changed"
        ) in out


def test_an_honest_rotation_agrees_with_its_journal_rows(tmp_path: Path) -> None:
    till = demo_till(tmp_path, language='"en"')
    sell_three(till)
    till.db.close()
    config = str(tmp_path / "kassa.toml")
    code, out = rotate(config)
    assert code == 0, out
    code, out = kassa("--config", config, "journal", "verify")
    assert code == 0, out
    assert "KEYREG" not in out and "signing key version" not in out
