"""Translations: English message IDs, Norwegian Bokmål (default) from gettext catalogs.

Legally fixed receipt markings are not translated; they are printed as the regulation writes them.
"""

from __future__ import annotations

import gettext

from kassa_tui.core.paths import data_dir

DOMAIN = "kassa"
_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def set_language(language: str) -> None:
    """Switch every later `_()` call to `language` ("nb" or "en")."""
    global _translation, _language
    if language == "en":
        _translation = gettext.NullTranslations()
    else:
        _translation = gettext.translation(
            DOMAIN, localedir=str(data_dir() / "locale"), languages=[language]
        )
    _language = language


def language() -> str:
    return _language


def _(message: str) -> str:
    """Translate `message` into the configured language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)
