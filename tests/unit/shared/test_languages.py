"""One list of languages; rule data read in a page language falls back instead of failing."""

from __future__ import annotations

import re
from pathlib import Path

from fairscreen.shared import languages
from fairscreen.shared.languages import (
    FALLBACK_LANGUAGE,
    LANGUAGES,
    RULE_DATA_LANGUAGES,
    data_language,
    page_language,
    text_in,
)

SRC = Path(languages.__file__).resolve().parents[1]


def test_rule_data_a_page_language_lacks_reads_the_fallback_language() -> None:
    names = {"zh-Hans": "学历", "zh-Hant": "學歷", "en": "Education"}
    assert text_in(names, "en") == "Education"
    assert text_in(names, "ja") == names[FALLBACK_LANGUAGE]
    assert data_language("ja") == FALLBACK_LANGUAGE
    assert data_language("zh-Hant") == "zh-Hant"


def test_the_fallback_is_a_language_every_rule_file_is_written_in() -> None:
    assert FALLBACK_LANGUAGE in RULE_DATA_LANGUAGES
    assert page_language("xx") in LANGUAGES


def test_every_page_language_has_its_browser_babel_and_catalogue_names() -> None:
    for table in (languages.HTML_LANG, languages.BABEL_LOCALE, languages.CATALOG_DIR):
        assert set(table) == set(LANGUAGES)
    assert {lang for _, lang in languages.ACCEPT_PREFIXES} <= set(LANGUAGES)


def test_the_language_list_is_written_once() -> None:
    copies = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.name != "languages.py" and '"zh-Hans", "zh-Hant", "en"' in path.read_text("utf-8")
    ]
    assert copies == []


def test_pages_never_index_rule_data_by_the_page_language() -> None:
    indexing = re.compile(r"names\"?\]?\[lang\]")
    offenders = [
        str(path.relative_to(SRC))
        for path in (SRC / "web" / "pages").rglob("*.py")
        if indexing.search(path.read_text("utf-8"))
    ]
    assert offenders == []
