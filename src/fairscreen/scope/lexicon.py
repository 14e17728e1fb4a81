"""The forbidden-topic lexicon: versioned data, validated, extensible but never shrinkable.

A lexicon holds patterns per forbidden topic, strong or contextual, and allow
entries: innocent phrases (an institution name, a job title, an established
compound word) that cancel the hits they wholly contain. The screening itself is
`fairscreen.scope.guard`.

Which allow entry may cancel which hit:

* a contextual hit: any allow entry, built-in or added by an organisation;
* a strong hit: only a built-in allow entry, and only a built-in pattern. Those few
  entries exist where a pattern's characters straddle two words (关怀|孕产妇 holds
  怀孕) and are reviewed with the file: the unit tests list every one.

An organisation may extend the lexicon but never shrink it (`Lexicon.extended`):
its patterns are only added, its allow entries can never cancel a strong hit, and
an allow entry that contains a strong pattern, equals a pattern, or cancels
nothing is refused. The residual risk, an organisation allow-listing a phrase
that is itself a statement built only from contextual words, is why statement
forms are written as strong patterns, and why the extended lexicon's version
carries a digest of everything it holds, so each screening result names the
exact rules it ran under.

Evasions (see `evasion`): the built-in lexicon adds, from its own terms, a pinyin
pattern for each Chinese pattern of three syllables or more and for the two-syllable
ones it lists (pypinyin's reading, without tones: 离过婚 -> "liguohun"), each a
Latin pattern of the same topic and strength, and the pinyin of its Chinese allow
entries, so "hunyin dengji" is as innocent as 婚姻登记. It names the key characters
whose homophones are read as them, and ships the word list that keeps real words
(运维, 前期) from being read as disguises.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from fairscreen.scope.normalise import WORD_CHARS, fold
from fairscreen.shared.errors import ValidationFailed

__all__ = ["FORBIDDEN_TOPICS", "AllowEntry", "Lexicon", "LexiconError", "Pattern", "load_lexicon"]

# Equal to the forbidden category codes of the taxonomy (rules/categories.yaml).
FORBIDDEN_TOPICS = (
    "marital_status", "pregnancy_family", "private_life", "religion", "ethnicity",
    "sexual_orientation", "health", "union_membership", "family_background",
)  # fmt: skip

_TOPIC_CODE = re.compile(r"[a-z][a-z0-9_]{1,63}")
_PACK_CODE = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_MAX_PATTERN = 200
_WORD = frozenset(WORD_CHARS)


class LexiconError(ValueError):
    """Built-in lexicon data that fails validation: raised at start-up, never per request."""


@dataclass(frozen=True, slots=True)
class Pattern:
    """One lexicon pattern: its topic, its text as written and its folded key."""

    topic: str
    text: str
    strong: bool
    builtin: bool
    key: str
    word_start: bool  # the key starts with a Latin letter or digit that must begin a word
    word_end: bool


@dataclass(frozen=True, slots=True)
class AllowEntry:
    text: str
    builtin: bool
    key: str


def _pattern(topic: str, raw: object, *, strong: bool, builtin: bool) -> Pattern:
    if not isinstance(raw, str) or not raw.strip() or len(raw) > _MAX_PATTERN:
        raise ValueError(f"{topic}: a pattern must be a string of 1 to {_MAX_PATTERN} characters")
    text = raw.strip()
    core = text.strip("*")
    if "*" in core:
        raise ValueError(f"{topic}: '*' may only open or close a pattern: {text!r}")
    key = fold(core)
    if not key:
        raise ValueError(f"{topic}: pattern {text!r} has no letters or digits")
    return Pattern(
        topic=topic,
        text=text,
        strong=strong,
        builtin=builtin,
        key=key,
        word_start=not text.startswith("*") and key[0] in _WORD,
        word_end=not text.endswith("*") and key[-1] in _WORD,
    )


def _allow(raw: object, *, builtin: bool) -> AllowEntry:
    if not isinstance(raw, str) or not raw.strip() or len(raw) > _MAX_PATTERN:
        raise ValueError(f"an allow entry must be a string of 1 to {_MAX_PATTERN} characters")
    key = fold(raw)
    if not key:
        raise ValueError(f"allow entry {raw!r} has no letters or digits")
    return AllowEntry(text=raw.strip(), builtin=builtin, key=key)


@dataclass(frozen=True, eq=False)
class Lexicon:
    """A versioned set of forbidden-topic patterns and innocent allow-listed phrases."""

    version: str
    patterns: tuple[Pattern, ...]
    allow: tuple[AllowEntry, ...]
    homophone_keys: tuple[str, ...] = ()  # characters whose homophones read as them
    words: frozenset[str] = field(default=frozenset(), repr=False)  # real words, not disguises
    digest: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.version or not self.patterns:
            raise ValueError("a lexicon needs a version and at least one pattern")
        digest = _digest(self.version, self.patterns, self.allow, self.homophone_keys, self.words)
        object.__setattr__(self, "digest", digest)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Lexicon) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    @property
    def topics(self) -> tuple[str, ...]:
        """Return the topic codes, in lexicon order."""
        return tuple(dict.fromkeys(p.topic for p in self.patterns))

    def terms(self, topic: str, *, strong: bool) -> tuple[str, ...]:
        """Return a topic's strong or contextual patterns as written."""
        return tuple(p.text for p in self.patterns if p.topic == topic and p.strong == strong)

    def extended(
        self,
        extra: Mapping[str, Sequence[str]] | None = None,
        *,
        contextual: Mapping[str, Sequence[str]] | None = None,
        allow: Sequence[str] = (),
    ) -> Lexicon:
        """Return this lexicon plus an organisation's patterns; it can add, never remove.

        `extra` maps topics to strong patterns, `contextual` to contextual ones;
        `allow` adds innocent phrases that may cancel contextual hits only.
        Refused with `validation_error` when an entry is malformed or would shrink
        what the lexicon refuses.
        """
        try:
            added = [
                _pattern(_topic(t), raw, strong=strong, builtin=False)
                for strong, mapping in ((True, extra or {}), (False, contextual or {}))
                for t, raws in mapping.items()
                for raw in _strings(raws, t)
            ]
            entries = [_allow(raw, builtin=False) for raw in _strings(allow, "allow")]
        except ValueError as exc:
            raise ValidationFailed(str(exc), field="lexicon") from exc
        known = {(p.topic, p.key, p.strong) for p in self.patterns}
        patterns = list(self.patterns)
        for p in added:
            if (p.topic, p.key, p.strong) not in known:
                known.add((p.topic, p.key, p.strong))
                patterns.append(p)
        _refuse_shrinking(entries, patterns)
        have = {a.key for a in self.allow}
        allows = list(self.allow) + [a for a in entries if a.key not in have]
        if len(patterns) == len(self.patterns) and len(allows) == len(self.allow):
            return self  # nothing new: keep the version and the compiled matcher
        # The version names the built-in base and a digest of the whole content, so
        # a screening result says exactly which rules it ran under.
        base = self.version.split("+", 1)[0]
        content = _digest(base, patterns, allows, self.homophone_keys, self.words)[:12]
        return Lexicon(
            f"{base}+org.{content}",
            tuple(patterns),
            tuple(allows),
            homophone_keys=self.homophone_keys,
            words=self.words,
        )


def _topic(code: object) -> str:
    if not isinstance(code, str) or not _TOPIC_CODE.fullmatch(code):
        raise ValueError(f"topic {code!r} is not a lower-case code such as 'health'")
    return code


def _strings(raws: object, where: str) -> list[object]:
    if isinstance(raws, str) or not isinstance(raws, Sequence):
        raise ValueError(f"{where}: give a list of strings")
    return list(raws)


def _inside(key: str, patterns: Mapping[str, Pattern]) -> list[Pattern]:
    """Return the patterns whose folded key occurs in key."""
    return [
        patterns[key[i:j]]
        for i in range(len(key))
        for j in range(i + 1, len(key) + 1)
        if key[i:j] in patterns
    ]


def _refuse_shrinking(entries: Iterable[AllowEntry], patterns: Sequence[Pattern]) -> None:
    by_key = {p.key: p for p in sorted(patterns, key=lambda p: p.strong)}  # strong wins
    for entry in entries:
        inside = _inside(entry.key, by_key)
        if entry.key in by_key:
            why = "equals a pattern and would cancel it everywhere"
        elif any(p.strong for p in inside):
            strong = next(p.text for p in inside if p.strong)
            why = f"contains the strong pattern {strong!r}, which cannot be allow-listed"
        elif not inside:
            why = "cancels nothing"
        else:
            continue
        raise ValidationFailed(f"Allow entry {entry.text!r} {why}.", field="allow")


def _digest(
    version: str,
    patterns: Iterable[Pattern],
    allow: Iterable[AllowEntry],
    homophone_keys: Iterable[str] = (),
    words: Iterable[str] = (),
) -> str:
    doc = {
        "version": version,
        "patterns": sorted([p.topic, p.text, p.strong, p.builtin] for p in patterns),
        "allow": sorted([a.text, a.builtin] for a in allow),
        "homophone_keys": sorted(homophone_keys),
        "words": hashlib.sha256("\n".join(sorted(words)).encode()).hexdigest(),
    }
    return hashlib.sha256(json.dumps(doc, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


_HAN = re.compile("[\u4e00-\u9fff]+")


def _pinyin(text: str) -> tuple[str, ...]:
    """Return the toneless pinyin keys of a Chinese term (ü written v and u), or none."""
    from pypinyin import Style, lazy_pinyin  # deferred: only the first load pays

    core = text.strip("*")
    if not _HAN.fullmatch(core):
        return ()
    key = "".join(lazy_pinyin(core, style=Style.NORMAL))
    return tuple(dict.fromkeys((key, key.replace("v", "u"))))


def _with_pinyin(
    patterns: list[Pattern], allows: list[AllowEntry], rule: Any
) -> tuple[list[Pattern], list[AllowEntry]]:
    """Add the pinyin patterns and allow entries the lexicon's `evasions.pinyin` asks for."""
    if not isinstance(rule, dict) or set(rule) != {"min_syllables", "two_syllables", "skip"}:
        raise ValueError("evasions.pinyin needs min_syllables, two_syllables and skip")
    least = int(rule["min_syllables"])
    two = set(_strings(rule["two_syllables"], "evasions.pinyin.two_syllables"))
    skip = set(_strings(rule["skip"], "evasions.pinyin.skip"))
    taken = {p.key for p in patterns} | {a.key for a in allows}
    added: list[Pattern] = []
    for p in patterns:
        core = p.text.strip("*")
        if len(core) < least and core not in two:
            continue
        for key in _pinyin(p.text):
            if key not in taken and key not in skip:
                taken.add(key)
                added.append(Pattern(p.topic, key, p.strong, p.builtin, key, True, True))
    by_key = {p.key: p for p in added}
    extra = [
        AllowEntry(key, True, key)
        for a in allows
        for key in _pinyin(a.text)
        if key not in taken and _inside(key, by_key)
    ]
    return patterns + added, allows + list({a.key: a for a in extra}.values())


def _from_data(data: Any, where: str, words: frozenset[str] = frozenset()) -> Lexicon:
    """Build the built-in lexicon from its YAML document, refusing anything malformed."""
    if not isinstance(data, dict) or set(data) - {"version", "topics", "allow", "evasions"}:
        raise LexiconError(f"{where}: expected the keys version, topics, allow and evasions")
    topics = data.get("topics")
    if not isinstance(topics, dict) or set(topics) != set(FORBIDDEN_TOPICS):
        raise LexiconError(f"{where}: topics must be exactly {', '.join(FORBIDDEN_TOPICS)}")
    try:
        patterns: list[Pattern] = []
        for topic, body in topics.items():
            if not isinstance(body, dict) or set(body) != {"strong", "contextual"}:
                raise ValueError(f"{topic}: give a strong and a contextual list")
            for kind in ("strong", "contextual"):
                for raw in _strings(body[kind], f"{topic}.{kind}"):
                    patterns.append(_pattern(topic, raw, strong=kind == "strong", builtin=True))
        allows = [_allow(raw, builtin=True) for raw in _strings(data.get("allow", []), "allow")]
        twice = [k for (_, k), n in Counter((p.topic, p.key) for p in patterns).items() if n > 1]
        twice += [k for k, n in Counter(a.key for a in allows).items() if n > 1]
        if twice:
            raise ValueError(f"listed twice: {', '.join(twice)}")
        by_key = {p.key: p for p in patterns}
        for entry in allows:
            if entry.key in by_key or not _inside(entry.key, by_key):
                raise ValueError(f"allow entry {entry.text!r} equals a pattern or cancels nothing")
        evasions = data.get("evasions", {})
        if not isinstance(evasions, dict) or set(evasions) - {"homophones", "words", "pinyin"}:
            raise ValueError("evasions: give homophones, words and pinyin")
        keys = tuple(str(k) for k in _strings(evasions.get("homophones", []), "homophones"))
        if any(len(k) != 1 or fold(k) != k for k in keys):
            raise ValueError("evasions.homophones: give single Simplified characters")
        listed = [str(w) for w in _strings(evasions.get("words", []), "evasions.words")]
        if any(len(w) != 2 or fold(w) != w for w in listed):
            raise ValueError("evasions.words: give two-character words in Simplified")
        words = words | frozenset(listed)
        if "pinyin" in evasions:
            patterns, allows = _with_pinyin(patterns, allows, evasions["pinyin"])
        return Lexicon(
            str(data.get("version", "")),
            tuple(patterns),
            tuple(allows),
            homophone_keys=keys,
            words=words,
        )
    except ValueError as exc:
        raise LexiconError(f"{where}: {exc}") from exc


def load_lexicon(pack: str = "cn") -> Lexicon:
    """Load and validate a built-in lexicon pack (cached: one object per process)."""
    return _load(pack)


@cache
def _load(pack: str) -> Lexicon:
    if not _PACK_CODE.fullmatch(pack):
        raise LexiconError(f"no lexicon pack {pack!r}")
    resource = files("fairscreen.scope") / "rules" / "lexicon" / f"{pack}.yaml"
    try:
        text = resource.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise LexiconError(f"no lexicon pack {pack!r}") from exc
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ten times faster
    listed = files("fairscreen.scope") / "rules" / "lexicon" / f"{pack}_words.txt"
    try:
        lines = listed.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    words = frozenset(w for w in (s.strip() for s in lines) if w and not w.startswith("#"))
    return _from_data(yaml.load(text, Loader=loader), f"lexicon {pack}", words)
