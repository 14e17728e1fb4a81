"""Normalisation: evasions fold to the lexicon's form, and every folded character maps back."""

from __future__ import annotations

import opencc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairscreen.scope.guard import _matcher, load_lexicon, screen_text
from fairscreen.scope.normalise import (
    WORD_BYTES,
    WORD_CHARS,
    Folded,
    fold,
    index_map,
    normalise,
)

SEPARATORS = [" ", "\u3000", ".", "-", "_", "·", "、", "，", "/", "*", "\u200b", "\t", "😀", "\n"]
STRONG = sorted({p.text.strip("*") for p in load_lexicon().patterns if p.strong})
TO_TRADITIONAL = opencc.OpenCC("s2t")

# Texts mixing what investigators type with what evasions use.
TEXTS = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.sampled_from("离婚怀孕生活作风維吾爾族工会會員基督徒说是在的了，。、：（）「」"),
        st.sampled_from("ＡＢｄｉｖ１２　①ﬁß½İΣσςаеоі"),
        st.sampled_from(SEPARATORS),
        st.characters(min_codepoint=0x1D400, max_codepoint=0x1D4FF),  # mathematical letters
    ),
    max_size=60,
)


def full_width(text: str) -> str:
    """Turn printable ASCII into its full-width forms, the way an IME would."""
    return "".join(
        "\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text
    )


def test_normalise_folds_evasions_and_maps_back_to_the_original() -> None:
    assert normalise("生 活 作 風") == ("生活作风", (0, 2, 4, 6))
    assert normalise("Ｄ.i v") == ("div", (0, 2, 4))
    assert normalise("ﬁ½") == ("fi12", (0, 0, 1, 1))  # expansions map to their source
    assert normalise("离😀婚") == ("离婚", (0, 2))


def test_fold_is_idempotent_on_every_bmp_character() -> None:
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        once = fold(chr(cp))
        assert fold(once) == once, hex(cp)


def test_simplified_text_folds_to_itself() -> None:
    text = "候选人什么时候在华为任软件工程师后来离职"
    assert fold(text) == text


@given(TEXTS)
@settings(max_examples=300, deadline=None)
def test_index_map_points_each_folded_character_at_its_source(text: str) -> None:
    folded, positions = normalise(text)
    assert folded == "".join(fold(c) for c in text)
    assert positions == tuple(i for i, c in enumerate(text) for _ in fold(c))
    assert positions == index_map(text)


@given(TEXTS)
@settings(max_examples=300, deadline=None)
def test_alphabet_stream_is_the_encoded_fold(text: str) -> None:
    alphabet = _matcher(load_lexicon()).alphabet
    assert alphabet.encode(text) == alphabet.key(fold(text))


@given(TEXTS)
@settings(max_examples=300, deadline=None)
def test_a_folded_view_maps_each_character_back_like_index_map(text: str) -> None:
    view = Folded(text, _matcher(load_lexicon()).alphabet)
    folded, positions = normalise(text)
    # A letter or digit is one byte, any other folded character two.
    starts = [i for i, b in enumerate(view.stream) if b in WORD_BYTES or b >= 0x81]
    assert len(starts) == len(folded)
    assert view.size == sum(1 if c in WORD_CHARS else 2 for c in folded)
    for i, (start, char) in enumerate(zip(starts, folded, strict=True)):
        end = start if char in WORD_CHARS else start + 1
        assert view.source(start, end) == (positions[i], positions[i] + 1)
        assert view.is_word(start) == view.is_word(end) == (char in WORD_CHARS)


@given(
    pattern=st.sampled_from(STRONG),
    gaps=st.lists(st.sampled_from(["", *SEPARATORS]), min_size=40, max_size=40),
    wide=st.booleans(),
    upper=st.booleans(),
    traditional=st.booleans(),
)
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_no_evasion_lets_a_strong_pattern_through(
    pattern: str, gaps: list[str], wide: bool, upper: bool, traditional: bool
) -> None:
    evaded = "".join(c + gaps[i % len(gaps)] for i, c in enumerate(pattern))
    if traditional:
        evaded = TO_TRADITIONAL.convert(evaded)
    if upper:
        evaded = evaded.upper()
    if wide:
        evaded = full_width(evaded)
    text = f"据说：{evaded}。"
    assert not screen_text(text).ok, text
    assert not screen_text(evaded).ok, evaded


def test_every_strong_pattern_is_refused_as_written_and_in_each_disguise() -> None:
    disguises = {
        "as written": lambda p: p,
        "spaced": " ".join,
        "dotted": ".".join,
        "zero-width": "\u200b".join,
        "full-width": lambda p: full_width(" ".join(p)),
        "traditional": lambda p: TO_TRADITIONAL.convert(" ".join(p)),
        "upper case": str.upper,
    }
    passed = [
        f"{name}: {disguise(p)!r}"
        for p in STRONG
        for name, disguise in disguises.items()
        if screen_text(f"据说：{disguise(p)}。").ok
    ]
    assert passed == []
