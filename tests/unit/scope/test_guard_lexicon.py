"""The forbidden-topic lexicon: versioned data, validated, extensible but never shrinkable."""

from __future__ import annotations

import pytest

from fairscreen.scope.guard import (
    FORBIDDEN_TOPICS,
    Lexicon,
    LexiconError,
    _matcher,
    load_lexicon,
    screen_text,
)
from fairscreen.scope.lexicon import _pinyin
from fairscreen.scope.normalise import fold
from fairscreen.scope.policy import load_taxonomy
from fairscreen.shared.errors import ValidationFailed

# Built-in allow entries that contain a strong pattern. Each exists because the
# pattern's characters straddle two words there; adding one is a reviewed decision.
REVIEWED_STRONG_CANCELS = {
    "关怀孕": "怀孕",  # 关怀|孕产妇
    "所有孕": "有孕",  # 所有|孕妇
    "孕期保健": "孕期",  # an antenatal-care duty
    "教育有": "育有",  # 教育|有限公司
    "培育有": "育有",
    "体育有": "育有",
    "工作作风问题": "作风问题",  # a judgement about the work itself
    "工作作风有问题": "作风有问题",
    "工作作风存在问题": "作风存在问题",
    "工作作风不好": "作风不好",
    "工作作风不佳": "作风不佳",
    "工作作风差": "作风差",
    "爱人民": "爱人",  # 热|爱人民
    "关爱人": "爱人",  # 关爱|人才
    "老公司": "老公",
    "老公安": "老公",
    "老公园": "老公",
    "距离异常": "离异",  # 距离|异常
    "偏离异常": "离异",
    "花心思": "花心",
    "中风险": "中风",  # 中|风险
    "所有病": "有病",  # 所有|病人
    "有病人": "有病",
    "有病例": "有病",
    "有病历": "有病",
    "学生病": "生病",  # 学生|病假
    "危重病": "重病",  # 危重|病人
    "多病种": "多病",
    "因病致贫": "因病",  # a poverty-relief term
    "因病返贫": "因病",
    "外公司": "外公",  # 海外|公司
    "其母公司": "其母",  # its parent company
    "其兄弟公司": "其兄",
    "其兄弟单位": "其兄",
    "其姐妹公司": "其姐",
    "慢性病管理": "性病",  # 慢性|病
    "慢性病防治": "性病",
    "出柜台": "出柜",
    "教徒弟": "教徒",  # 教|徒弟
    "发生了个": "生了个",  # 发生了|个别
    "产生了个": "生了个",
    "with union representatives": "union rep",  # rep|resentatives: a word edge refuses it anyway
}


def test_lexicon_topics_equal_the_forbidden_categories_of_the_taxonomy() -> None:
    taxonomy = load_taxonomy()
    forbidden = {c.code for c in taxonomy.categories.values() if c.forbidden}
    assert set(FORBIDDEN_TOPICS) == forbidden
    assert set(load_lexicon().topics) == forbidden


def test_builtin_lexicon_is_versioned_and_loaded_once() -> None:
    lexicon = load_lexicon()
    assert lexicon is load_lexicon("cn")
    assert lexicon.version.startswith("lexicon-cn-")
    assert len(lexicon.digest) == 64


def test_every_topic_has_strong_and_contextual_patterns_in_chinese_and_english() -> None:
    lexicon = load_lexicon()
    for topic in FORBIDDEN_TOPICS:
        strong = lexicon.terms(topic, strong=True)
        assert any(p.isascii() for p in strong), topic
        assert any(not p.isascii() for p in strong), topic
        assert lexicon.terms(topic, strong=False), topic


def test_patterns_are_written_once_in_simplified_chinese_or_english() -> None:
    for p in load_lexicon().patterns:
        if not p.text.isascii():
            # Han characters in Simplified; kana may lose a voicing mark in the fold
            # (ガ -> カ), which the text it screens loses too.
            han = [c for c in p.text if "\u3400" <= c <= "\u9fff"]
            assert [fold(c) for c in han] == han, f"{p.text!r} is not written in Simplified"


def test_builtin_allow_entries_that_cancel_strong_patterns_are_reviewed() -> None:
    lexicon = load_lexicon()
    strong = [p for p in lexicon.patterns if p.strong]
    cancelling = {
        a.text: next(p.text for p in strong if p.key in a.key)
        for a in lexicon.allow
        if any(p.key in a.key for p in strong)
    }
    # The pinyin of a reviewed entry is generated with it and reviewed with it; a
    # few more pinyin entries straddle a pinyin pattern where the Chinese does not
    # (劳工 and 老公 are both laogong).
    generated = {key for text in REVIEWED_STRONG_CANCELS for key in _pinyin(text)}
    written = {a: p for a, p in cancelling.items() if a not in generated}
    assert written == REVIEWED_STRONG_CANCELS | REVIEWED_PINYIN_CANCELS
    assert set(cancelling) - set(written) <= generated


REVIEWED_PINYIN_CANCELS = {
    "guojilaogongzuzhi": "laogong",  # 国际劳工组织: laogong is 劳工 (labour), not 老公
    "shaoshuminzushiwu": "minzushi",  # 少数民族事务: minzu|shiwu
    "yuanzhuminzuweiyuanhui": "minzuwei",  # 原住民族委员会: minzu|weiyuanhui
}


def test_matcher_is_built_once_per_lexicon_version() -> None:
    lexicon = load_lexicon()
    assert _matcher(lexicon) is _matcher(lexicon)
    other = lexicon.extended({"health": ["ganzhou flu"]})
    assert _matcher(other) is not _matcher(lexicon)
    assert _matcher(other) is _matcher(lexicon.extended({"health": ["ganzhou flu"]}))


@pytest.mark.parametrize("pack", ["eu", "../cn", "CN", ""])
def test_unknown_or_malformed_pack_names_are_refused(pack: str) -> None:
    with pytest.raises(LexiconError):
        load_lexicon(pack)


# Organisations extend the lexicon.


def test_extension_adds_patterns_and_names_its_version() -> None:
    base = load_lexicon()
    org = base.extended({"family_background": ["政审"]}, contextual={"health": ["体重"]})
    assert screen_text("候选人政审不合格", base).ok
    assert screen_text("候选人政审不合格", org).topic == "family_background"
    assert screen_text("候选人的体重超标", org).topic == "health"
    assert org.version.startswith(base.version + "+org.")
    assert org != base
    assert org.extended({"family_background": ["政审"]}) is org  # nothing new: same object


def test_extension_is_deterministic() -> None:
    base = load_lexicon()
    first = base.extended({"religion": ["拜神"]})
    second = base.extended({"religion": ["拜神"]})
    assert first.version == second.version
    assert first == second


def test_extension_may_add_a_topic_from_a_jurisdiction() -> None:
    org = load_lexicon().extended({"political_opinion": ["voted for"]})
    assert screen_text("He voted for the opposition.", org).topic == "political_opinion"


def test_extension_allow_entry_cancels_contextual_hits_only() -> None:
    base = load_lexicon()
    text = "候选人在圣若瑟天主教诊所担任护士。"
    assert screen_text(text, base).topic == "religion"  # 天主教 is contextual
    org = base.extended(allow=["圣若瑟天主教诊所"])
    assert screen_text(text, org).ok
    assert screen_text("候选人是天主教徒，在圣若瑟天主教诊所任护士。", org).topic == "religion"


def test_extension_cannot_shrink_builtin_lexicon() -> None:
    base = load_lexicon()
    for entry in ("生活作风", "没有生活作风问题", "她离过婚的传闻", "is gay"):
        with pytest.raises(ValidationFailed, match="strong pattern|equals a pattern"):
            base.extended(allow=[entry])
    with pytest.raises(ValidationFailed, match="equals a pattern"):
        base.extended(allow=["天主教"])  # would cancel a contextual term everywhere
    with pytest.raises(ValidationFailed, match="cancels nothing"):
        base.extended(allow=["华为技术有限公司"])
    grown = base.extended({"health": ["x-ray finding"]}, allow=["圣若瑟天主教诊所"])
    assert set(base.patterns) <= set(grown.patterns)  # every built-in pattern is still there
    assert set(base.allow) <= set(grown.allow)


def test_extension_allow_entry_never_cancels_a_strong_pattern_added_later() -> None:
    org = load_lexicon().extended(allow=["圣若瑟天主教诊所"])
    stricter = org.extended({"religion": ["瑟天主"]})
    assert screen_text("候选人在圣若瑟天主教诊所担任护士。", stricter).topic == "religion"


@pytest.mark.parametrize(
    ("extra", "allow"),
    [
        ({"Health": ["x"]}, []),  # topic codes are lower-case
        ({"health": [""]}, []),
        ({"health": ["!!!"]}, []),  # nothing left once folded
        ({"health": ["sick*note"]}, []),  # '*' only at the ends
        ({"health": "sick note"}, []),  # a list, not a string
        ({}, [""]),
    ],
)
def test_malformed_extensions_are_refused(extra: dict[str, object], allow: list[str]) -> None:
    with pytest.raises(ValidationFailed):
        load_lexicon().extended(extra, allow=allow)  # type: ignore[arg-type, unused-ignore]


def test_a_lexicon_needs_a_version_and_patterns() -> None:
    with pytest.raises(ValueError):
        Lexicon(version="", patterns=(), allow=())
