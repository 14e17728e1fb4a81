"""Screen free text against the forbidden-topic lexicon (DESIGN.md: "Free text is screened").

Claims, notes, source notes, dispute and complaint texts are folded (see
`normalise`) and searched in one Aho-Corasick pass for the lexicon's patterns and
its allow entries together. An allow entry cancels the hits it wholly contains
(which entry may cancel which hit: see `lexicon`); a Latin-script pattern counts
only at word edges ("gay" is not in "Gaylord", but "g a y" is a word); of nested
hits the longer reading wins. A hit that survives names its topic, which callers
turn into `forbidden_content`.

A text with no hit is screened again in the readings `evasion` gives of it
(leetspeak, tone digits, a filler inside a CJK term, homophones of key characters),
each as long as the text, so a hit there names the original span. A text holding a
bidirectional control that reorders the display is refused as it stands, with the
topic `bidi_control`: what a reader would see is not what is stored.

The lexicon's names (`Lexicon`, `load_lexicon`, ...) are importable from here too.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

from fairscreen.scope.evasion import Evasions, bidi_control, homophones
from fairscreen.scope.lexicon import (
    FORBIDDEN_TOPICS,
    Lexicon,
    LexiconError,
    Pattern,
    load_lexicon,
)
from fairscreen.scope.normalise import Alphabet, Folded, KeyMatcher
from fairscreen.shared.errors import ForbiddenContent

__all__ = ["BIDI_TOPIC", "FORBIDDEN_TOPICS", "Hit", "Lexicon", "LexiconError", "Pattern",
           "ScreenResult", "ensure_clean_text", "load_lexicon", "screen_text"]  # fmt: skip

# The refusal of a text whose display order differs from its stored order.
BIDI_TOPIC = "bidi_control"


@dataclass(frozen=True, slots=True)
class Hit:
    """A pattern found in a text; start and end index the original text."""

    topic: str
    pattern: str
    strong: bool
    start: int
    end: int
    matched: str


@dataclass(frozen=True, slots=True)
class ScreenResult:
    """The verdict on one text: ok, or the first forbidden topic and what matched it."""

    ok: bool
    topic: str | None
    matched: str | None
    lexicon_version: str
    span: tuple[int, int] | None = None
    hits: tuple[Hit, ...] = ()

    @property
    def topics(self) -> tuple[str, ...]:
        """Return every topic hit, in order of first appearance."""
        return tuple(dict.fromkeys(h.topic for h in self.hits))


# Per folded key: the patterns it is, and whether it is an allow entry (None: it is
# not; True: a built-in one). An organisation's pattern may equal a built-in allow
# entry: the key then plays both roles.
_Entry = tuple[tuple[Pattern, ...], bool | None]


@dataclass(frozen=True, slots=True)
class _Matcher:
    """The compiled matcher of one lexicon: patterns and allow entries in one automaton."""

    alphabet: Alphabet
    keys: KeyMatcher[_Entry]
    evasions: Evasions
    ok: ScreenResult  # shared by every text that passes


_MATCHERS: OrderedDict[str, _Matcher] = OrderedDict()
_MATCHERS_LOCK = threading.Lock()
_MATCHERS_MAX = 64  # built-in packs plus the organisations' extended lexicons in use


def _matcher(lexicon: Lexicon) -> _Matcher:
    """Return the compiled matcher of a lexicon, built once per digest."""
    with _MATCHERS_LOCK:
        found = _MATCHERS.get(lexicon.digest)
        if found is not None:
            _MATCHERS.move_to_end(lexicon.digest)
            return found
    keys: dict[str, _Entry] = {}
    for p in lexicon.patterns:
        group, allow = keys.get(p.key, ((), None))
        keys[p.key] = ((*group, p), allow)
    for a in lexicon.allow:
        group, allow = keys.get(a.key, ((), None))
        keys[a.key] = (group, bool(allow) or a.builtin)
    alphabet = Alphabet(keys)  # outside the lock: a duplicate build is harmless
    built = _Matcher(
        alphabet=alphabet,
        keys=KeyMatcher(keys, alphabet),
        evasions=Evasions(
            (p.key for p in lexicon.patterns), homophones(lexicon.homophone_keys), lexicon.words
        ),
        ok=ScreenResult(ok=True, topic=None, matched=None, lexicon_version=lexicon.version),
    )
    with _MATCHERS_LOCK:
        _MATCHERS[lexicon.digest] = built
        while len(_MATCHERS) > _MATCHERS_MAX:
            _MATCHERS.popitem(last=False)
    return built


def screen_text(text: str, lexicon: Lexicon | None = None) -> ScreenResult:
    """Screen one free text; refuse it when it states a forbidden topic."""
    lex = lexicon if lexicon is not None else load_lexicon()
    m = _matcher(lex)
    encoded = None
    if not text.isascii():
        encoded = text.encode("utf-8", "surrogatepass")
        bidi = bidi_control(text, encoded)
        if bidi is not None:
            return ScreenResult(
                ok=False, topic=BIDI_TOPIC, matched=None, lexicon_version=lex.version, span=bidi
            )
    hits = _hits(m, text)
    if not hits:
        for reading, least in m.evasions.readings(text, encoded):
            found = [h for h in _hits(m, reading) if h.end - h.start >= least]
            if found:  # as the user wrote it, not as it was read
                hits = [replace(h, matched=text[h.start : h.end]) for h in found]
                break
    if not hits:  # the common case: no index map was needed
        return m.ok
    first = hits[0]
    return ScreenResult(
        ok=False,
        topic=first.topic,
        matched=first.matched,
        lexicon_version=lex.version,
        span=(first.start, first.end),
        hits=tuple(hits),
    )


def _hits(m: _Matcher, text: str) -> list[Hit]:
    view = Folded(text, m.alphabet)
    found: list[tuple[int, int, tuple[Pattern, ...]]] = []
    spans: list[tuple[int, int, bool]] = []
    for start, end, (patterns, allow) in m.keys.find(view):
        if allow is not None:
            spans.append((start, end, allow))
        if patterns:
            found.append((start, end, patterns))
    return _surviving(view, found, spans) if found else []


def _cancelled(start: int, end: int, p: Pattern, spans: list[tuple[int, int, bool]]) -> bool:
    for a, z, builtin in spans:
        if a <= start and end <= z and (not p.strong or (builtin and p.builtin)):
            return True
    return False


def _surviving(
    view: Folded,
    found: list[tuple[int, int, tuple[Pattern, ...]]],
    spans: list[tuple[int, int, bool]],
) -> list[Hit]:
    """Drop hits inside allow spans or inside longer words; map the rest to the text."""
    kept: list[tuple[int, int, Pattern]] = []
    for start, end, patterns in found:
        for p in patterns:
            if spans and _cancelled(start, end, p, spans):
                continue
            # A letter or digit touching a Latin pattern's edge in the folded text is
            # a word edge only if something (a space, a dash) stood between them.
            if p.word_start and start > 0 and view.is_word(start - 1):
                if not view.apart(start - 1, start):
                    continue
            if p.word_end and end + 1 < view.size and view.is_word(end + 1):
                if not view.apart(end, end + 1):
                    continue
            kept.append((start, end, p))
    kept.sort(key=lambda k: (k[0], -(k[1] - k[0]), not k[2].strong))
    hits: list[Hit] = []
    reached = -1
    for start, end, p in kept:
        if end < reached or (end == reached and hits and hits[-1].pattern != p.text):
            continue  # inside a longer hit (基督 in 基督徒): the longer reading wins
        reached = end
        a, z = view.source(start, end)
        hits.append(Hit(p.topic, p.text, p.strong, a, z, view.text[a:z]))
    return hits


def ensure_clean_text(text: str, lexicon: Lexicon | None = None) -> ScreenResult:
    """Screen text and raise `ForbiddenContent` naming the topic when it is refused."""
    result = screen_text(text, lexicon)
    if result.topic == BIDI_TOPIC:
        raise ForbiddenContent(
            "The text holds a bidirectional control character (U+202A-U+202E or"
            " U+2066-U+2069), which makes it display differently from what is stored;"
            " remove it and submit the text again.",
            topic=result.topic,
            span=result.span,
            lexicon_version=result.lexicon_version,
        )
    if not result.ok:
        # The matched words stay out of the error: errors are logged, and the words
        # are the very personal data that must not be recorded.
        raise ForbiddenContent(
            f"The text touches a topic that may never be recorded: {result.topic}.",
            topic=result.topic,
            span=result.span,
            lexicon_version=result.lexicon_version,
        )
    return result
