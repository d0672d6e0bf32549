"""The Norwegian catalog keeps up with the source: every `_()` string is translated, keeps its
`{placeholders}`, and the compiled kassa.mo matches the .po (run `make translations` to fix).
"""

from __future__ import annotations

import gettext
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from kassa_tui.core import i18n

REPO = Path(__file__).resolve().parents[1]
SOURCE_DIRS = ("kassa_tui", "screens", "devices")
KEYWORDS = {"_": None, "ngettext": (1, 2)}
LOCALE_DIR = REPO / "data" / "locale"
PO_FILE = LOCALE_DIR / "nb" / "LC_MESSAGES" / "kassa.po"
MO_FILE = PO_FILE.with_suffix(".mo")
FIX = "run `make translations` and translate the new strings in " + str(PO_FILE.relative_to(REPO))

MsgId = str | tuple[str, ...]


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


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    with PO_FILE.open("rb") as f:
        return read_po(f, locale="nb", domain="kassa")


def translated(catalog: Catalog) -> Iterator[Message]:
    for message in catalog:
        if message.id:
            yield message


def forms(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
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


def test_the_catalog_header_is_usable(catalog: Catalog) -> None:
    # `pybabel compile` silently skips a fuzzy catalog, and gettext needs the charset.
    assert not catalog.fuzzy, f"{PO_FILE.name}'s header is marked fuzzy: compile skips it"
    assert str(catalog.locale) == "nb"
    assert catalog.charset.lower() == "utf-8"
    assert catalog.plural_forms == "nplurals=2; plural=(n != 1);"


def test_every_source_string_is_translated(source: dict[MsgId, str], catalog: Catalog) -> None:
    problems = []
    for msgid, where in source.items():
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"{where}: {msgid!r} is not in the catalog")
        elif message.fuzzy:
            problems.append(f"{where}: {msgid!r} is marked fuzzy")
        elif not all(forms(message.string)):
            problems.append(f"{where}: {msgid!r} has no translation")
    assert not problems, FIX + ":\n" + "\n".join(problems)


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


def test_the_compiled_catalog_is_current(catalog: Catalog) -> None:
    with MO_FILE.open("rb") as f:
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
    assert not stale, f"{MO_FILE.name} is out of date; run `make translations`:\n" + "\n".join(
        stale
    )


def test_set_language_switches_between_norwegian_and_english(catalog: Catalog) -> None:
    norwegian = catalog.get("Sign in")
    assert norwegian is not None and norwegian.string
    try:
        i18n.set_language("nb")
        assert i18n._("Sign in") == norwegian.string != "Sign in"
        i18n.set_language("en")
        assert i18n._("Sign in") == "Sign in"
    finally:
        i18n.set_language("en")
