"""Every mail template renders in every language, wholly translated, from the catalogues."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from importlib.resources import files

import pytest
from jinja2.ext import babel_extract

from fairscreen.mail.render import COPY_RULE, compose, render, templates
from fairscreen.shared.catalogues import LANGS, catalog

CHINESE = ("zh-Hans", "zh-Hant")
HAN = re.compile(r"[\u4e00-\u9fff]")
WHEN = datetime(2026, 12, 14, 1, tzinfo=UTC)
REASON = {"zh-Hans": "学历不符", "zh-Hant": "學歷不符", "en": "Declared credential mismatch"}
# A sample context for each template; a new template without one fails the first test.
SAMPLES: dict[str, dict[str, object]] = {
    "invitation": {"name": "Zhang Wei", "employer": "Acme", "link": "https://fs.test/c/tok"},
    "report_released": {"version": 2, "adverse": True, "ends": WHEN.isoformat()},
    "report_released_staff": {
        "case_id": "case_x1",
        "version": 2,
        "rating": "clear",
        "ends": WHEN.isoformat(),
        "changes": {"rating_from": "caution", "rating_to": "clear", "removed": ["fnd_a"]},
    },
    "adverse_decision": {"reasons": [REASON], "report_version": 1},
    "complaint_answered": {"item_id": "cmp_x1"},
    "dispute_resolved": {"item_id": "dsp_x1", "outcome": "corrected"},
    "review_answered": {"item_id": "rvw_x1", "outcome": "reversed"},
    "feedback_opened": {"kind": "dispute", "item_id": "dsp_x1", "case_id": "case_x1", "due": WHEN},
    "feedback_due_soon": {"item_id": "dsp_x1", "case_id": "case_x1", "due": WHEN},
    "feedback_overdue": {"item_id": "dsp_x1", "case_id": "case_x1", "due": WHEN},
    "breach_notice": {"when": "2026-12-01 10:00 UTC", "what": "Laptop lost"},
}
# The branches of templates that word each case apart: every one must render too.
VARIANTS = [
    ("report_released", {"adverse": False}),
    ("dispute_resolved", {"outcome": "removed"}),
    ("dispute_resolved", {"outcome": "upheld"}),
    ("review_answered", {"outcome": "upheld"}),
    ("feedback_opened", {"kind": "complaint"}),
    ("feedback_opened", {"kind": "review"}),
    ("report_released_staff", {"version": 1}),
]
CASES = [(name, {}) for name in sorted(SAMPLES)] + VARIANTS


def _messages(name: str) -> list[str]:
    """The message ids of one template's {% trans %} blocks (as `make messages` finds them)."""
    path = files("fairscreen.mail").joinpath("templates", f"{name}.txt")
    with path.open("rb") as fp:
        found = babel_extract(fp, ["_", "gettext", "ngettext"], [], {})
        return [m if isinstance(m, str) else m[0] for _line, _f, m, _c in found]


def _context(name: str, extra: dict[str, object]) -> dict[str, object]:
    return {"link": None, "case_id": None, **SAMPLES[name], **extra}


def test_every_template_has_a_sample_and_there_is_one_per_message():
    assert templates() == sorted(SAMPLES)
    assert len(templates()) >= 11


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("name", "extra"), CASES)
def test_every_template_renders_whole_in_every_language(name, extra, lang):
    subject, body = render(name, lang, _context(name, extra))
    assert subject and body.strip()
    for text in (subject, body):
        assert "{{" not in text and "{%" not in text and "%(" not in text
        assert "\n" not in subject
    if lang in CHINESE:
        assert HAN.search(subject) and HAN.search(body)
        # No English sentence is left: the only Latin words are those of the sample context.
        given = " ".join(str(v) for v in _context(name, extra).values())
        words = set(re.findall(r"[A-Za-z]{3,}", subject + body))
        assert words <= set(re.findall(r"[A-Za-z]{3,}", given)), (name, lang, words)
    else:
        assert not HAN.search(subject)


@pytest.mark.parametrize("lang", CHINESE)
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_text_of_every_template_is_in_the_catalogue(name, lang):
    messages = _messages(name)
    assert messages
    assert [m for m in messages if m not in catalog(lang)] == []


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_traditional_chinese_mail_is_not_simplified_chinese(name):
    hans = render(name, "zh-Hans", _context(name, {}))
    hant = render(name, "zh-Hant", _context(name, {}))
    assert hans != hant


def test_mail_in_chinese_carries_its_english_copy_and_english_mail_only_english():
    sample = SAMPLES["invitation"]
    zh = compose("invitation", "zh-Hant", to="a@x.example", **sample)  # type: ignore[arg-type]
    en = compose("invitation", "en", to="a@x.example", **sample)  # type: ignore[arg-type]
    assert zh.lang == "zh-Hant" and en.lang == "en"
    assert zh.subject == "背景調查授權 / Background check authorisation"
    assert zh.body.endswith(COPY_RULE + en.body)
    assert en.subject == "Background check authorisation" and not HAN.search(en.body)
    assert zh.body.count("https://fs.test/c/tok") == 2


def test_an_unknown_language_is_written_in_the_default_one():
    message = compose("complaint_answered", "ja", to="a@x.example", item_id="cmp_1")
    assert message.lang == "zh-Hans" and message.subject.startswith("投诉已答复")
