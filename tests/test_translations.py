"""Every catalog keeps up with the source: for each language under data/locale (Bokmål, Nynorsk,
and any added later) every `_()`/`ngettext` string is translated, keeps its `{placeholders}`,
and the compiled kassa.mo matches the .po. The languages kassa.toml accepts are exactly English
and those catalogs.

A new string is translated by hand in every data/locale/<code>/LC_MESSAGES/kassa.po, then
`.venv/bin/pybabel compile -d data/locale -D kassa` (README, "Adding a language").
"""

from __future__ import annotations

import gettext
import string
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from kassa_tui.config import LANGUAGES, ConfigError, parse
from kassa_tui.core import i18n

REPO = Path(__file__).resolve().parents[1]
SOURCE_DIRS = ("kassa_tui", "screens", "devices")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}  # N_: marked, translated later
LOCALE_DIR = REPO / "data" / "locale"
#: Every language with a catalog: data/locale/<code>/LC_MESSAGES/kassa.po.
CATALOG_LANGUAGES = sorted(p.parents[1].name for p in LOCALE_DIR.glob("*/LC_MESSAGES/kassa.po"))
COMPILE = "`.venv/bin/pybabel compile -d data/locale -D kassa`"

MsgId = str | tuple[str, ...]


def po_file(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "kassa.po"


def extracted() -> dict[MsgId, str]:
    """Every message id in the source → where it was first found."""
    found: dict[MsgId, str] = {}
    for directory in SOURCE_DIRS:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            REPO / directory,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
        ):
            found.setdefault(message, f"{directory}/{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def source() -> dict[MsgId, str]:
    messages = extracted()
    assert messages, "no _() strings found in the source: is the extraction broken?"
    return messages


@pytest.fixture(scope="module", params=CATALOG_LANGUAGES)
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def catalog(language: str) -> Catalog:
    with po_file(language).open("rb") as f:
        return read_po(f, locale=language, domain="kassa")


def translated(catalog: Catalog) -> Iterator[Message]:
    for message in catalog:
        if message.id:
            yield message


def forms(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ("",)
    return (value,) if isinstance(value, str) else tuple(value)


def placeholders(text: str) -> set[str]:
    """'{name} has {n:>3}' → {'{name}', '{n:>3}'}; a malformed format string fails."""
    found = set()
    for _literal, field, spec, conversion in string.Formatter().parse(text):
        if field is not None:
            conversion = f"!{conversion}" if conversion else ""
            spec = f":{spec}" if spec else ""
            found.add("{" + field + conversion + spec + "}")
    return found


def test_both_norwegian_written_languages_have_a_catalog() -> None:
    assert {"nb", "nn"} <= set(CATALOG_LANGUAGES)


def test_kassa_toml_accepts_english_and_exactly_the_catalogs() -> None:
    assert set(LANGUAGES) == {"en", *CATALOG_LANGUAGES}


def kassa_toml(language: str) -> dict[str, object]:
    with (REPO / "kassa.toml").open("rb") as f:
        raw: dict[str, Any] = tomllib.load(f)
    raw["ui"]["language"] = language
    return raw


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_kassa_toml_takes_each_language(language: str, tmp_path: Path) -> None:
    assert parse(kassa_toml(language), tmp_path / "kassa.toml").language == language


@pytest.mark.parametrize("language", ["de", "no", "nno", "NN", ""])
def test_any_other_language_is_refused_naming_the_three(language: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        parse(kassa_toml(language), tmp_path / "kassa.toml")
    assert str(refused.value).endswith(
        f"ui.language: must be one of nb, nn, en (Bokmål, Nynorsk, English), not {language!r}"
    )


def test_the_catalog_header_is_usable(language: str, catalog: Catalog) -> None:
    # `pybabel compile` silently skips a fuzzy catalog, and gettext needs the charset.
    assert not catalog.fuzzy, f"{po_file(language)}'s header is marked fuzzy: compile skips it"
    assert str(catalog.locale) == language
    assert catalog.charset.lower() == "utf-8"
    assert catalog.plural_forms == str(get_plural(language))


def test_every_source_string_is_translated(
    language: str, source: dict[MsgId, str], catalog: Catalog
) -> None:
    problems = []
    for msgid, where in source.items():
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"{where}: {msgid!r} is not in the catalog")
        elif message.fuzzy:
            problems.append(f"{where}: {msgid!r} is marked fuzzy")
        elif not all(forms(message.string)) or len(forms(message.string)) != len(forms(msgid)):
            problems.append(f"{where}: {msgid!r} has no translation (or not every plural form)")
    fix = f"translate these by hand in {po_file(language).relative_to(REPO)}, then {COMPILE}"
    assert not problems, fix + ":\n" + "\n".join(problems)


def test_translations_keep_the_placeholders(catalog: Catalog) -> None:
    problems = []
    for message in translated(catalog):
        ids = forms(message.id)
        for index, text in enumerate(forms(message.string)):
            if not text:
                continue
            msgid = ids[min(index, len(ids) - 1)]
            try:
                wanted, got = placeholders(msgid), placeholders(text)
            except ValueError as error:
                problems.append(f"{msgid!r} → {text!r}: {error}")
                continue
            if wanted != got:
                problems.append(f"{msgid!r} → {text!r}: {sorted(wanted)} ≠ {sorted(got)}")
    assert not problems, "\n".join(problems)


def test_the_compiled_catalog_is_current(language: str, catalog: Catalog) -> None:
    mo_file = po_file(language).with_suffix(".mo")
    with mo_file.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    stale = []
    for message in translated(catalog):
        if message.fuzzy:
            continue
        if isinstance(message.id, str):
            pairs = [(compiled.gettext(message.id), message.string)]
        else:
            singular, plural = message.id[0], message.id[1]
            pairs = [
                (compiled.ngettext(singular, plural, n), text)
                for n, text in zip((1, 2), forms(message.string), strict=False)
            ]
        for got, wanted in pairs:
            if wanted and got != wanted:
                stale.append(f"{message.id!r}: .mo has {got!r}, .po has {wanted!r}")
    assert not stale, f"{mo_file.relative_to(REPO)} is out of date; run {COMPILE}:\n" + "\n".join(
        stale
    )


def test_set_language_switches_to_the_catalog_and_back_to_english(
    language: str, catalog: Catalog
) -> None:
    translation = catalog.get("Sign in")
    assert translation is not None and translation.string
    try:
        i18n.set_language(language)
        assert i18n._("Sign in") == translation.string != "Sign in"
        i18n.set_language("en")
        assert i18n._("Sign in") == "Sign in"
    finally:
        i18n.set_language("en")


def test_nynorsk_and_bokmal_are_different_languages() -> None:
    """Not a copy of the Bokmål catalog: Nynorsk words where the two differ."""
    try:
        i18n.set_language("nn")
        nynorsk = [i18n._(m) for m in ("The basket is empty.", "Wrong user number or PIN.")]
        i18n.set_language("nb")
        bokmal = [i18n._(m) for m in ("The basket is empty.", "Wrong user number or PIN.")]
    finally:
        i18n.set_language("en")
    assert nynorsk == ["Handlekorga er tom.", "Feil brukarnummer eller PIN-kode."]
    assert bokmal == ["Handlekurven er tom.", "Feil brukernummer eller PIN-kode."]


def test_a_string_nynorsk_lacks_shows_in_bokmal_never_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A string added to the code and to nb but not yet to nn (the test above fails then, but a
    till may run such a build): the Nynorsk till shows the Bokmål, not the English id."""
    for language, entries in {
        "nb": {"Sign in": "Logg inn", "Only in Bokmål so far": "Foreløpig bare på bokmål"},
        "nn": {"Sign in": "Logg inn (nn)"},
    }.items():
        catalog = Catalog(locale=language, domain="kassa", fuzzy=False)
        for msgid, text in entries.items():
            catalog.add(msgid, text)
        folder = tmp_path / "locale" / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        with (folder / "kassa.mo").open("wb") as f:
            write_mo(f, catalog)
    monkeypatch.setattr(i18n, "data_dir", lambda: tmp_path)
    try:
        i18n.set_language("nn")
        assert i18n._("Sign in") == "Logg inn (nn)"
        assert i18n._("Only in Bokmål so far") == "Foreløpig bare på bokmål"
        assert i18n._("In no catalog") == "In no catalog"
    finally:
        i18n.set_language("en")
