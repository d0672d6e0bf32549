"""One language for the `kassa` command (issue 13): its help, prompts, output, table headers and
refusals follow kassa.toml's `[ui] language` like the till's screens, and a yes/no question takes
the answer in that language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.core import i18n
from kassa_tui.people import users
from kassa_tui.store.register_lock import RegisterLock
from tests.shop import demo_till, write_config

TECH = "9\n9999\n"
LEAD = "2\n2222\n"


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    yield
    i18n.set_language("en")  # the language is process-wide: leave it as the other tests expect


def kassa(config: Path, *args: str, input: str | None = None) -> tuple[int, str]:
    i18n.set_language("en")  # as a new process starts: nothing left from the command before
    result = CliRunner().invoke(main, ["--config", str(config), *args], input=input)
    return result.exit_code, result.output


def test_a_norwegian_till_answers_in_norwegian(tmp_path: Path) -> None:
    config = write_config(tmp_path, language='"nb"')
    code, out = kassa(config, "init", "--demo")
    assert code == 0, out
    assert "Demobutikk: 611 varer, brukere:" in out and "products" not in out
    assert "Siri Skiftleder  skiftleder" in out
    code, out = kassa(config, "users", "add", "5", "Per", input=TECH + "5555\n")
    assert (code, out) == (0, "La til Per (5) som kasserer\n")
    code, out = kassa(config, "users", "list", input=TECH)
    assert out.splitlines()[0].split() == ["Nr", "Navn", "Rolle"]
    assert "Per" in out and "kasserer" in out and "cashier" not in out
    # The domain's refusal and the command's own words are one language, not a mix.
    code, out = kassa(config, "users", "add", "6", "Ola", input=LEAD + "6666\n")
    assert code == 1 and out == "kassa: Siri Skiftleder har ikke lov til brukeradministrasjon.\n"


def test_a_nynorsk_till_answers_in_nynorsk(tmp_path: Path) -> None:
    config = write_config(tmp_path, language='"nn"')
    code, out = kassa(config, "init", "--demo")
    assert code == 0 and "Demobutikk: 611 varer, brukarar:" in out, out
    code, out = kassa(config, "report", "list", input=LEAD)
    assert (code, out) == (0, "Ingen Z-rapport enno.\n")


def test_what_is_said_before_the_database_opens_is_norwegian_too(tmp_path: Path) -> None:
    config = write_config(tmp_path, language='"nb"')
    code, out = kassa(config, "report", "x")
    assert code == 2 and out.startswith("kassa: ingen database i ") and "kjør `kassa init`" in out
    assert kassa(config, "init", "--demo")[0] == 0
    running = RegisterLock(tmp_path / "var" / "kassa.db", "KASSE-1")
    running.acquire()
    try:
        code, out = kassa(config)  # a second kassa on the register
    finally:
        running.release()
    assert (
        code == 3 and "kassa: kasse KASSE-1 er allerede i bruk i et annet kassa-program" in out
    ), out


def test_an_english_till_answers_in_english(tmp_path: Path) -> None:
    config = write_config(tmp_path, language='"en"')
    code, out = kassa(config, "init", "--demo")
    assert code == 0 and "Demo shop: 611 products, users:" in out, out


def test_a_bad_argument_is_refused_in_the_tills_language(tmp_path: Path) -> None:
    """kassa.toml is read before click checks the arguments, so their refusals are translated."""
    config = write_config(tmp_path, language='"nb"')
    assert kassa(config, "init", "--demo")[0] == 0
    code, out = kassa(config, "users", "add", "6", "", input=TECH + "6666\n")
    assert (code, out) == (2, "kassa: en bruker må ha et navn (det skrives ut på kvitteringer)\n")
    code, out = kassa(config, "journal", "show", "--from", "i går", input=TECH)
    assert code == 2 and "er ikke en dato (ÅÅÅÅ-MM-DD)" in out, out


def test_a_yes_no_question_takes_a_norwegian_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_till(tmp_path, language='"nb"').db.close()
    config = tmp_path / "kassa.toml"
    monkeypatch.setattr("kassa_tui.cli.reports._on_terminal", lambda: True)
    code, out = kassa(config, "report", "z", "--not-counted", input=LEAD + "nei\n")
    assert code == 1 and "Ta Z-rapporten? [j/N]" in out and "Ingen Z-rapport tatt." in out, out
    assert "IKKE OPPTALT" in out  # what the Z would close
    code, out = kassa(config, "report", "z", "--not-counted", input=LEAD + "kanskje\nj\n")
    assert "Svar j eller n." in out, out
    assert code == 0 and "Z-rapport 1 er tatt for" in out, out


def test_help_is_in_the_tills_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nb = write_config(tmp_path, language='"nb"')
    code, out = kassa(nb, "--help")  # --config before --help: that file's language
    assert code == 0 and out.startswith("Bruk: ") and "[OPTIONS]" in out.splitlines()[0], out
    assert "Uten kommando startes kassen i denne terminalen." in out
    assert "Valg:" in out and "Kommandoer:" in out and "Vis denne hjelpen og avslutt." in out
    assert re.search(r"^  users +Brukerne av kassen", out, re.MULTILINE), out  # any column width
    code, out = kassa(nb, "users", "add", "--help")
    assert code == 0 and "Legg til en bruker: nummeret og PIN-koden din først" in out, out
    (tmp_path / "nn").mkdir()
    nn = write_config(tmp_path / "nn", language='"nn"')
    code, out = kassa(nn, "backup", "take", "--help")
    assert code == 0 and "Kopier databasen til DEST (ei fil, eller ei mappe" in out, out
    assert "--encrypt-to FILE" in out and "berre den private nøkkelen" in " ".join(out.split())
    # `kassa --config PATH --help` reads PATH, not the ./kassa.toml kassa would otherwise find.
    (tmp_path / "en").mkdir()
    en = write_config(tmp_path / "en", language='"en"')
    monkeypatch.chdir(tmp_path / "nn")
    code, out = kassa(en, "--help")
    assert code == 0 and out.startswith("Usage: ") and "Show this message and exit." in out, out


def every_help_text() -> Iterator[str]:
    import click

    from kassa_tui.cli.base import CLICK_TEXTS

    yield from CLICK_TEXTS
    commands: list[click.Command] = [main]
    while commands:
        command = commands.pop()
        yield from (text for text in (command.help, command.short_help) if text)
        yield from (p.help for p in command.params if isinstance(p, click.Option) and p.help)
        if isinstance(command, click.Group):
            commands.extend(command.commands.values())


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_every_help_text_is_in_the_catalog(language: str) -> None:
    """The help texts are N_() (pybabel extract finds them, tests/test_translations.py does not
    look for them): this is their check."""
    from babel.messages.pofile import read_po

    path = Path(__file__).parents[1] / "data" / "locale" / language / "LC_MESSAGES" / "kassa.po"
    with path.open("rb") as file:
        catalog = read_po(file, locale=language, domain="kassa")
    translated = {message.id: message.string for message in catalog if message.id}
    missing = [text for text in every_help_text() if not translated.get(text)]
    assert missing == []


def test_help_needs_no_kassa_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Help is English and works where no kassa.toml can be found (or one is broken)."""
    monkeypatch.delenv("KASSA_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["users", "add", "--help"])
    assert result.exit_code == 0 and "Add a user" in result.output
    write_config(tmp_path, org_nr='"123"')
    result = CliRunner().invoke(main, ["backup", "take", "--help"])
    assert result.exit_code == 0 and "Copy the database to DEST" in result.output


def test_the_signals_table_is_norwegian_and_fits_80_columns(tmp_path: Path) -> None:
    demo_till(tmp_path, language='"nb"').db.close()
    code, out = kassa(tmp_path / "kassa.toml", "report", "signals", input=LEAD)
    assert code == 0, out
    assert out.startswith("Svindelsignaler ") and "Ingenting registrert i perioden." in out
    assert out.splitlines()[1].split()[:4] == ["Poeng", "Nr", "Navn", "Salg"]
    assert "Kor: linjekorreksjoner" in " ".join(out.split())
    assert [line for line in out.splitlines() if len(line) > 79] == []


def test_a_missing_catalog_is_one_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_till(tmp_path, language='"nb"').db.close()
    monkeypatch.setattr(i18n, "data_dir", lambda: tmp_path / "no-such-install")
    i18n.set_language("en")
    result = CliRunner().invoke(
        main, ["--config", str(tmp_path / "kassa.toml"), "report", "x"], input=TECH
    )
    assert result.exit_code == 1 and not isinstance(result.exception, OSError), result.output
    assert result.output.startswith("kassa: ") and result.output.count("\n") == 1
    assert "No translation file found" in result.output
