"""The message catalogs: every refusal and every candidate-page text in three languages."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest
from jinja2.ext import babel_extract

from fairscreen.shared.errors import ValidationFailed
from fairscreen.web.errors import STATUS_BY_CODE
from fairscreen.web.forms import FIELD_MESSAGES, REFUSALS, ConsentForm, form_errors
from fairscreen.web.l10n import catalog, format_when, gettext
from fairscreen.web.pages import regulator as regulator_pages
from fairscreen.web.pages.public import BAD_LOGIN

CHINESE = ("zh-Hans", "zh-Hant")


def _template_messages() -> list[str]:
    """Every `_("...")` text of every template, in every folder."""
    found: list[str] = []
    folders = [files("fairscreen.web").joinpath("templates")]
    while folders:
        for entry in folders.pop().iterdir():
            if entry.is_dir():
                folders.append(entry)
            elif entry.name.endswith(".html"):
                with entry.open("rb") as fp:
                    for _line, _func, message, _comments in babel_extract(fp, ["_"], [], {}):
                        text = message if isinstance(message, str) else (message or (None,))[0]
                        if text:
                            found.append(text)
    return found


@pytest.mark.parametrize("code", sorted(STATUS_BY_CODE))
def test_every_refusal_code_of_the_api_has_a_message_in_three_languages(code):
    assert code in REFUSALS
    english = gettext(REFUSALS[code], "en")
    assert english
    for lang in CHINESE:
        translated = catalog(lang).get(REFUSALS[code])
        assert translated, f"{code} has no {lang} message"
        assert translated != english
        assert re.search(r"[\u4e00-\u9fff]", translated)


@pytest.mark.parametrize("lang", CHINESE)
def test_every_text_of_every_page_is_translated(lang):
    messages = [
        *_template_messages(),
        *FIELD_MESSAGES.values(),
        *regulator_pages.LABELS.values(),
        BAD_LOGIN,
    ]
    assert len(messages) > 40
    missing = [m for m in messages if m not in catalog(lang)]
    assert missing == []


@pytest.mark.parametrize("lang", CHINESE)
def test_translations_keep_their_placeholders(lang):
    for msgid, msgstr in catalog(lang).items():
        assert sorted(re.findall(r"%\((\w+)\)s", msgid)) == sorted(
            re.findall(r"%\((\w+)\)s", msgstr)
        ), msgid


def test_traditional_chinese_is_not_simplified_chinese():
    message = REFUSALS["consent_withdrawn"]
    assert catalog("zh-Hans")[message] != catalog("zh-Hant")[message]
    assert "撤回" in catalog("zh-Hant")[message] and "資訊" in catalog("zh-Hant")[message]


def test_a_mistyped_name_is_shown_next_to_the_name_field_in_the_page_language():
    exc = ValidationFailed("no match", field="full_name")
    assert form_errors(exc, "en") == {"full_name": FIELD_MESSAGES["full_name"]}
    assert "姓名" in form_errors(exc, "zh-Hans")["full_name"]


def test_a_refusal_naming_no_field_is_shown_for_the_whole_form():
    from fairscreen.shared.errors import InvalidState

    assert form_errors(InvalidState("x"), "en") == {"form": REFUSALS["invalid_state"]}


def test_dates_are_written_the_way_each_language_writes_them():
    when = "2026-12-14T01:00:00+00:00"
    assert format_when(when, "en", with_time=False) == "14 December 2026"
    assert format_when(when, "zh-Hans", with_time=False) == "2026年12月14日"
    assert "09:00" in format_when(when, "en")  # Beijing time


def test_a_ticked_box_is_any_value_sent_and_repeated_choices_count_once():
    form = ConsentForm.parse(
        full_name="  张伟 ", agree="yes", categories=["identity", "identity"], separate=[]
    )
    assert form == ConsentForm("张伟", True, ["identity"], [])
    assert ConsentForm.parse(full_name="", agree=None, categories=[], separate=[]).agree is False


def _messages_script():
    """scripts/messages.py (what `make messages` runs), loaded as a module."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / "scripts" / "messages.py"
    spec = importlib.util.spec_from_file_location("fairscreen_messages_script", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_text_marked_in_code_pages_and_mail_is_in_the_three_catalogues():
    script = _messages_script()
    used = script.extracted()  # as `make messages` extracts them, babel.cfg's mapping
    assert len(used) > 400
    assert any(script.MAIL_TEMPLATES in f for files_ in used.values() for f in files_)
    in_english = {m.id for path in script.po_files("en") for m in script.read(path, "en") if m.id}
    assert sorted(set(used) - in_english) == []
    for lang in CHINESE:
        assert sorted(m for m in used if m not in catalog(lang)) == [], lang


@pytest.mark.parametrize("lang", CHINESE)
def test_no_text_of_any_catalogue_is_left_untranslated_in_chinese(lang):
    script = _messages_script()
    ids = {
        m.id
        for other in ("zh-Hans", "zh-Hant", "en")
        for path in script.po_files(other)
        for m in script.read(path, other)
        if m.id
    }
    translated = catalog(lang)
    assert sorted(i for i in ids if i not in translated) == []
    assert [i for i in ids if not re.search(r"[\u4e00-\u9fff]", translated[i])] == []


def test_the_catalogues_compile_with_their_placeholders_checked(tmp_path):
    assert _messages_script().compile_all(tmp_path) == 0
    assert len(list(tmp_path.glob("*/*.mo"))) == 3 * len(list(_messages_script().po_files("en")))
