"""Translations: English message IDs; Norwegian Bokmål (default) and Nynorsk from gettext catalogs.

Each language but English has `data/locale/<code>/LC_MESSAGES/kassa.po` (compiled to kassa.mo).
Nynorsk falls back to Bokmål for a string its catalog lacks (never shipped: a test fails), so a
Nynorsk till never shows English. Legally fixed receipt markings are not translated; they are
printed as the regulation writes them.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable

from kassa_tui.core.paths import data_dir

DOMAIN = "kassa"
_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"
#: A language whose catalog lacks a string shows this language's text before the English id.
FALLBACKS = {"nn": "nb"}


def set_language(language: str) -> None:
    """Switch every later `_()` call to `language` ("nb", "nn" or "en")."""
    global _translation, _language
    _translation = _translations(language)
    _language = language


def translator(language: str) -> Callable[[str], str]:
    """`_` of one language whatever the configured one: the printed X and Z take Bokmål
    (`translator("nb")`) while the screen shows them in the till's language."""
    return _translations(language).gettext


def _translations(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    translation = _catalog(language)
    fallback = FALLBACKS.get(language)
    if fallback is not None:
        translation.add_fallback(_catalog(fallback))
    return translation


def _catalog(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, localedir=str(data_dir() / "locale"), languages=[language])


def language() -> str:
    return _language


def _(message: str) -> str:
    """Translate `message` into the configured language."""
    return _translation.gettext(message)


def N_(message: str) -> str:
    """Marks `message` for the catalogs (extracted like `_`) without translating it: it is
    translated later, in a language chosen then (see `translator`)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)
