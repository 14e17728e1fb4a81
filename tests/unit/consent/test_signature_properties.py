"""Properties of the typed signature's comparison, over any text a browser can send."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from fairscreen.consent.policy import names_match, normalise_name

# Names as people have them: Chinese characters, Latin letters, a middle dot, a hyphen.
NAME_CHARS = st.sampled_from(
    [chr(c) for c in range(0x4E00, 0x4E00 + 200)]
    + list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    + ["·", "-", "'"]
)
NAMES = st.text(NAME_CHARS, min_size=1, max_size=12)
SPACES = st.sampled_from([" ", "\t", "\u3000", "\u00a0", "\n"])
EXAMPLES = settings(max_examples=300, deadline=None)


def full_width(text: str) -> str:
    """The full-width forms a Chinese input method types for ASCII letters."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@given(st.text())
@EXAMPLES
def test_any_text_normalises_to_text_without_whitespace(text: str) -> None:
    folded = normalise_name(text)
    assert not any(ch.isspace() for ch in folded)
    assert normalise_name(folded) == folded  # normalising twice changes nothing


@given(st.text(), st.text())
@EXAMPLES
def test_comparing_any_two_texts_never_fails_and_is_symmetric_when_both_are_names(
    typed: str, expected: str
) -> None:
    assert names_match(typed, expected) in (True, False)
    if normalise_name(typed) and normalise_name(expected):
        assert names_match(typed, expected) == names_match(expected, typed)


@given(st.text(SPACES, max_size=5), st.text())
@EXAMPLES
def test_a_name_of_nothing_but_spaces_is_never_matched(blank: str, typed: str) -> None:
    assert not names_match(typed, blank)
    assert not names_match(blank, "张伟")


@given(NAMES, st.data())
@EXAMPLES
def test_a_name_matches_itself_spaced_widened_or_in_another_case(
    name: str, data: st.DataObject
) -> None:
    spaced = "".join(ch + data.draw(st.text(SPACES, max_size=2)) for ch in name)
    assert names_match(name, name)
    assert names_match(spaced, name)
    assert names_match(full_width(name), name)
    assert names_match(name.upper(), name.lower())
    assert names_match(unicodedata.normalize("NFD", name), name)


@given(NAMES, NAMES)
@EXAMPLES
def test_two_names_match_only_if_they_are_the_same_name(first: str, second: str) -> None:
    same = first.casefold() == second.casefold()
    assert names_match(first, second) == same


def test_a_spacing_accent_typed_after_its_letter_matches_the_accented_name() -> None:
    # NFKC splits U+00B4 into a space and a combining accent; found by the properties above.
    assert names_match("Jose\u00b4", "José")
    assert normalise_name("A\u00b4") == normalise_name("Á") == "á"
