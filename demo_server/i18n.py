"""The language of everything the package shows a person: one gettext setting, English by default.

English is the source. Each other language has a standard gettext catalog,
``demo_server/locale/<language>/LC_MESSAGES/demo_server.po``, read with
Babel; a message the catalog does not translate, or marks fuzzy, stays
English. Strings are marked with :func:`_` (and formatted afterwards, never
built with an f-string inside it, so that the extractor sees them).

Two ways to choose the language:

* :func:`use_language` sets it for the whole process: a Chinese notebook
  calls ``use_language("zh_CN")`` in its first cell, and every card, table
  and exercise check after that speaks Chinese.
* :func:`translations_for` gives the catalog of one language without
  touching the setting: the web pages pick it per request, from
  ``Accept-Language``, because one server answers browsers of many languages.
"""

from __future__ import annotations

import functools
import gettext
from pathlib import Path

#: Where the catalogs live.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: The gettext domain of the package's messages.
DOMAIN = "demo_server"
#: The language of the source strings.
SOURCE_LANGUAGE = "en"

_current: gettext.NullTranslations = gettext.NullTranslations()
_current_language = SOURCE_LANGUAGE


class CatalogTranslations(gettext.NullTranslations):
    """The translated, non-fuzzy messages of one ``.po`` catalog; anything else falls back to English."""

    def __init__(self, messages: dict[str, str]) -> None:
        super().__init__()
        self._messages = messages

    def gettext(self, message: str) -> str:
        return self._messages.get(message) or message


@functools.cache
def translations_for(language: str) -> gettext.NullTranslations:
    """The catalog of ``language`` (``"zh_CN"``, or ``"zh"`` for short); English for the source or an unknown one."""
    language = _canonical(language)
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == SOURCE_LANGUAGE or not path.exists():
        return gettext.NullTranslations()
    try:
        from babel.messages.pofile import read_po
    except ImportError:  # the install check runs where packages may be missing: it then speaks English
        return gettext.NullTranslations()
    with path.open("rb") as file:
        catalog = read_po(file, locale=language)
    return CatalogTranslations({message.id: message.string for message in catalog
                                if message.id and message.string and not message.fuzzy})


def available_languages() -> list[str]:
    """The source language, then every language that has a catalog."""
    found = sorted(path.name for path in LOCALE_DIR.iterdir() if (path / "LC_MESSAGES" / f"{DOMAIN}.po").exists()) \
        if LOCALE_DIR.exists() else []
    return [SOURCE_LANGUAGE, *found]


def use_language(language: str) -> None:
    """Show everything from now on in ``language`` (``"en"`` back to the source)."""
    global _current, _current_language
    _current_language = _canonical(language)
    _current = translations_for(_current_language)


def current_language() -> str:
    """The language set by :func:`use_language`."""
    return _current_language


def _(message: str) -> str:
    """``message`` in the current language."""
    return _current.gettext(message)


def N_(message: str) -> str:
    """``message`` unchanged: marks English kept as a value (a constant, a label code compares) for the extractor.

    Whatever shows the value translates it then, with :func:`_`.
    """
    return message


def _canonical(language: str) -> str:
    """``zh``, ``zh-CN``, ``zh_cn``, ``zh-Hans`` … as the catalog's name, ``zh_CN``; ``en…`` as ``en``."""
    lowered = language.replace("-", "_").lower()
    if lowered.startswith("zh"):
        return "zh_CN"
    if lowered.startswith("en") or not lowered:
        return SOURCE_LANGUAGE
    return language
