"""Translations: English message IDs; Norwegian Bokmål (default) and Nynorsk from gettext catalogs.

Each language but English has `data/locale/<code>/LC_MESSAGES/kassa.po` (compiled to kassa.mo).
Nynorsk falls back to Bokmål for a string its catalog lacks (never shipped: a test fails), so a
Nynorsk till never shows English. Legally fixed receipt markings are not translated; they are
printed as the regulation writes them.
"""

from __future__ import annotations

import gettext

from kassa_tui.core.paths import data_dir

DOMAIN = "kassa"
_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"
#: A language whose catalog lacks a string shows this language's text before the English id.
FALLBACKS = {"nn": "nb"}


def set_language(language: str) -> None:
    """Switch every later `_()` call to `language` ("nb", "nn" or "en")."""
    global _translation, _language
    if language == "en":
        _translation = gettext.NullTranslations()
    else:
        _translation = _catalog(language)
        fallback = FALLBACKS.get(language)
        if fallback is not None:
            _translation.add_fallback(_catalog(fallback))
    _language = language


def _catalog(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, localedir=str(data_dir() / "locale"), languages=[language])


def language() -> str:
    return _language


def _(message: str) -> str:
    """Translate `message` into the configured language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)
