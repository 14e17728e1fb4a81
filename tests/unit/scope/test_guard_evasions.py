"""Evasions of the free-text guard (issue 20, item 10): each class refused, innocent senses kept."""

from __future__ import annotations

import pytest

from fairscreen.scope.guard import ensure_clean_text, load_lexicon, screen_text
from fairscreen.shared.errors import ForbiddenContent


def refused(text: str) -> str | None:
    """Return the topic a text is refused for, or None when it passes."""
    result = screen_text(text)
    return None if result.ok else result.topic


# Pinyin.


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("ta li guo hun", "marital_status"),
        ("tā lí guò hūn", "marital_status"),
        ("Reference says she is lihun.", "marital_status"),
        ("前同事说她已经 lihun 了", "marital_status"),
        ("ta huai yun le", "pregnancy_family"),
        ("tā shì tóngxìngliàn", "sexual_orientation"),
        ("sheng huo zuo feng you wen ti", "private_life"),
    ],
)
def test_pinyin_with_or_without_tone_marks_is_refused(text: str, topic: str) -> None:
    assert refused(text) == topic


def test_pinyin_with_tone_digits_is_refused() -> None:
    assert refused("ta li2 hun1 le") == "marital_status"


def test_pinyin_patterns_are_built_from_the_lexicon_terms() -> None:
    lexicon = load_lexicon()
    by_key = {p.key: p for p in lexicon.patterns}
    assert by_key["liguohun"].topic == "marital_status"  # 离过婚, three syllables
    assert by_key["liguohun"].strong
    assert by_key["lihun"].topic == "marital_status"  # 离婚, listed as two syllables


def test_pinyin_of_given_names_and_innocent_phrases_passes() -> None:
    for text in (
        "Zhang Yunqi was the project lead at Tencent.",
        "Wang Shengnan confirmed the employment dates.",
        "The reference, Qianqi Liu, is the former line manager.",
        "She studied at Minzu University of China.",
        "He liaised with the Guoji Laogong Zuzhi office in Beijing.",
    ):
        assert screen_text(text).ok, text


# Leetspeak.


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("She got d1v0rced last year.", "marital_status"),
        ("she is m@rried", "marital_status"),
        ("she is pr3gnant", "pregnancy_family"),
        ("She is pr€gnant", "pregnancy_family"),
        ("she is ｄ１ｖ０ｒｃｅｄ", "marital_status"),
        ("she is 1esbian", "sexual_orientation"),
        ("he is a devout Mu5lim", "religion"),
    ],
)
def test_digits_and_symbols_for_look_alike_letters_are_refused(text: str, topic: str) -> None:
    assert refused(text) == topic


def test_a_refusal_names_the_text_as_written_not_as_read() -> None:
    result = screen_text("She is d1v0rced, per HR.")
    assert result.matched == "d1v0rced"
    assert result.span == (7, 15)


def test_codes_and_versions_with_digits_pass() -> None:
    for text in (
        "He holds an H1B visa and an AWS certification.",
        "The candidate worked on ISO27001 and SOC2 audits.",
        "Project code P3RF-2021 was delivered on time.",
        "The candidate was paid US$5,000 a month as a contractor.",
    ):
        assert screen_text(text).ok, text


# A filler inside a term.


@pytest.mark.parametrize(
    "text",
    [
        "她离*婚了",
        "她离1婚了",
        "他离x婚两次",
        "候选人已1婚",
        "她怀1孕了",
        "d-i-v-o-r-c-e-d",
        "她离 1 婚了",
        "她离-1-婚了",
        "候选人离１婚",  # a full-width digit
    ],
)
def test_a_filler_character_or_digit_inside_a_term_is_refused(text: str) -> None:
    assert refused(text) in {"marital_status", "pregnancy_family"}


def test_a_digit_between_characters_that_form_no_term_passes() -> None:
    assert screen_text("候选人2012年7月毕业于中央民族大学，2014年7月入职。").ok
    assert screen_text("候选人担任H5前端开发工程师，负责小程序开发。").ok
    assert screen_text("候选人２０１２年７月毕业，2018年 3 月入职。").ok


# Homophones of the key characters.


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("她离昏了", "marital_status"),
        ("她篱婚了", "marital_status"),
        ("她離昏了", "marital_status"),
        ("她 离 昏 了", "marital_status"),
        ("她怀运了", "pregnancy_family"),
        ("她懷運了", "pregnancy_family"),
        ("他是同姓恋", "sexual_orientation"),  # 同姓 is a word, 同性恋 still reads through
        ("他得了皑症", "health"),
    ],
)
def test_homophones_of_key_characters_are_refused(text: str, topic: str) -> None:
    assert refused(text) == topic


def test_a_homophone_that_is_part_of_a_real_word_passes() -> None:
    for text in (
        "他具有运输管理经验，熟悉仓储流程。",  # 有运|输: 运输 is a word
        "候选人负责评价给出的整改意见落实。",  # 评价 is a word
        "候选人曾任某物流公司备运主管。",  # 备运, listed in the lexicon's words
        "候选人在国网某供电公司运检部担任工程师。",
        "候选人在黎明职业大学任讲师。",
    ):
        assert screen_text(text).ok, text


# Bidirectional and invisible characters.


def test_a_bidi_override_is_refused_with_a_clear_reason() -> None:
    text = "She is \u202edecrovid\u202c, her manager said."
    result = screen_text(text)
    assert not result.ok
    assert result.topic == "bidi_control"
    assert result.span == (7, 8)
    with pytest.raises(ForbiddenContent) as caught:
        ensure_clean_text(text)
    assert "bidirectional control" in caught.value.message
    assert "decrovid" not in caught.value.message


@pytest.mark.parametrize(
    "control", ["\u202a", "\u202b", "\u202d", "\u202e", "\u2066", "\u2067", "\u2069"]
)
def test_every_reordering_control_is_refused(control: str) -> None:
    assert refused(f"候选人{control}工作认真") == "bidi_control"


@pytest.mark.parametrize(
    "hidden", ["\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u3164", "\u200f"]
)
def test_zero_width_and_blank_characters_inside_a_term_are_dropped(hidden: str) -> None:
    assert refused(f"她离{hidden}婚了") == "marital_status"


# Synonyms, euphemisms and idioms.


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("候选人已成家", "marital_status"),
        ("他早就有家室了", "marital_status"),
        ("她还单着", "marital_status"),
        ("她已经有对象了", "marital_status"),
        ("He has settled down with his partner.", "marital_status"),
        ("She has a boyfriend in Shanghai.", "marital_status"),
        ("她打算要二胎", "pregnancy_family"),
        ("她正在备孕", "pregnancy_family"),
        ("She is in the family way.", "pregnancy_family"),
        ("She is expecting in May.", "pregnancy_family"),
        ("他是同志，不是那种同志", "sexual_orientation"),
        ("他是弯的", "sexual_orientation"),
    ],
)
def test_euphemisms_for_marriage_family_pregnancy_and_sexuality_are_refused(
    text: str, topic: str
) -> None:
    assert refused(text) == topic


def test_expecting_a_delivery_and_a_comrade_pass() -> None:
    # "expecting" alone is a work word; only "she is expecting" and the family
    # forms state a pregnancy (a trade-off written down in the lexicon).
    for text in (
        "Expecting delivery of the project in Q3, the client signed off the plan.",
        "The client is expecting delivery in Q3.",
        "张三同志于2015年入职，任科员。",
        "候选人在京都的同志社大学获得学士学位。",
        "He settled the dispute with the supplier within a week.",
        "Her partner at the law firm confirmed the dates.",
    ):
        assert screen_text(text).ok, text


# Korean and Japanese.


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("그녀는 결혼했다", "marital_status"),
        ("그는 이혼했습니다", "marital_status"),
        ("그녀는 임신 중이다", "pregnancy_family"),
        ("彼女は離婚している", "marital_status"),
        ("彼は結婚している", "marital_status"),
        ("既婚者です", "marital_status"),
        ("彼女は妊娠している", "pregnancy_family"),
        ("彼は同性愛者です", "sexual_orientation"),
    ],
)
def test_korean_and_japanese_renderings_are_refused(text: str, topic: str) -> None:
    assert refused(text) == topic


def test_korean_and_japanese_work_facts_pass() -> None:
    for text in ("지원자는 서울대학교를 졸업했습니다.", "候选人在日本东京大学获得硕士学位。"):
        assert screen_text(text).ok, text


# The word "origin".


def test_the_origin_of_a_document_passes() -> None:
    for text in (
        "The origin of the document was confirmed by the registrar.",
        "The place of origin of the certificate is Shanghai.",
        "She traced the origin of the data discrepancy to a migration script.",
        "Country of origin of the equipment: Germany.",
    ):
        assert screen_text(text).ok, text


@pytest.mark.parametrize(
    "text", ["His ethnic origin is noted.", "He is of Pakistani origin.", "her origins are Roma"]
)
def test_a_persons_origin_is_refused(text: str) -> None:
    assert refused(text) == "ethnicity"
