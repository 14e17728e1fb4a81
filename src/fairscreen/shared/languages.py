"""The languages fairscreen speaks: one list, and how rule data is read in a page language.

Two questions are kept apart on purpose:

- the **page language** (`LANGUAGES`) picks the interface texts: the gettext catalogue,
  the HTML `lang` tag, dates. Adding a language adds it here and a catalogue under
  `web/locales/`;
- the **rule data** (category names, reasons, rating wording, ...) is written in
  `RULE_DATA_LANGUAGES` and validated against that list. A page in a language the rule
  data has no entry for reads the data's `FALLBACK_LANGUAGE` entry (`text_in`), so a new
  page language never makes a page fail because a YAML file lacks its key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, TypeVar, get_args

Language = Literal["zh-Hans", "zh-Hant", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
# The language of a request that states none the platform speaks (the cn pack's own).
DEFAULT_LANGUAGE: Language = "zh-Hans"
# Every rule-data file names its entries in exactly these languages.
RULE_DATA_LANGUAGES: tuple[str, ...] = ("zh-Hans", "zh-Hant", "en")
# What rule data shows for a page language it has no entry for: the authoritative text of
# the cn pack (consent documents and receipts fell back to it before this module).
FALLBACK_LANGUAGE = DEFAULT_LANGUAGE

# How each page language is named to the browser, to Babel and in `web/locales/`, and the
# Accept-Language prefixes (lower case) that choose it, most specific first.
HTML_LANG: dict[str, str] = {"zh-Hans": "zh-CN", "zh-Hant": "zh-TW", "en": "en"}
BABEL_LOCALE: dict[str, str] = {"zh-Hans": "zh_Hans_CN", "zh-Hant": "zh_Hant_TW", "en": "en_GB"}
CATALOG_DIR: dict[str, str] = {"zh-Hans": "zh_Hans", "zh-Hant": "zh_Hant", "en": "en"}
ACCEPT_PREFIXES: tuple[tuple[str, Language], ...] = (
    ("zh-hant", "zh-Hant"),
    ("zh-tw", "zh-Hant"),
    ("zh-hk", "zh-Hant"),
    ("zh-mo", "zh-Hant"),
    ("zh", "zh-Hans"),
    ("en", "en"),
)

T = TypeVar("T")


def page_language(lang: str | None) -> Language:
    """Return `lang` if the platform speaks it, else the default language."""
    for known in LANGUAGES:
        if lang == known:
            return known
    return DEFAULT_LANGUAGE


def text_in(texts: Mapping[str, T], lang: str) -> T:
    """Return rule data's entry for a page language, or its fallback language's entry."""
    if lang in texts:
        return texts[lang]
    return texts[FALLBACK_LANGUAGE]


def data_language(lang: str) -> str:
    """Return the language to read complete rule data in for a page language."""
    return lang if lang in RULE_DATA_LANGUAGES else FALLBACK_LANGUAGE
