"""Fold free text into the one form the forbidden-topic guard matches on.

Every character is folded on its own: Unicode NFKC (full-width forms, ligatures,
circled letters), case folding, accents stripped, a few Cyrillic and Greek
look-alikes of Latin letters, Traditional to Simplified Chinese, and everything
that is not a letter or a digit (spaces, punctuation, symbols, zero-width and
control characters) dropped. So "生 活 作 風", "d.i.v.o.r.c.e.d" and "ｄｉｖｏｒｃｅｄ"
fold to the same string as the lexicon's pattern, and each folded character
remembers which character of the original produced it.

Folding per character, not per phrase, is deliberate: lexicon patterns go through
the very same table, so matching never depends on OpenCC's phrase segmentation of
the surrounding text, and every folded character maps back to exactly one
original character. The Traditional-to-Simplified part of the table comes from
OpenCC's own dictionaries (configs "t2s", "tw2s", "hk2s"), asked once per process.

Speed: the table is precomputed for the whole Basic Multilingual Plane as a list,
so folding a text is one ``str.translate`` in C (a list never misses, where a dict
of the changed characters would raise KeyError for every other one). Asking
OpenCC per call would be as fast, but converts phrases, so folded text would no
longer map back character by character. Texts holding characters beyond the BMP
(emoji, CJK extension B) take a per-character path with a cached fold of each.

`Alphabet` re-encodes folded text for pyahocorasick (see its docstring for why),
`Folded` is one text as the matchers see it, and `KeyMatcher` finds folded keys
in it, reporting positions in folded characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from itertools import compress
from typing import Any, Generic, TypeVar

import ahocorasick

__all__ = ["WORD_CHARS", "Alphabet", "Folded", "KeyMatcher", "fold", "index_map", "normalise"]

_BMP = 0x10000
WORD_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"  # what Latin letters and digits fold to

# Cyrillic and Greek letters that render like Latin ones, used to dodge an
# English pattern ("dіvorced" with a Cyrillic і). No lexicon pattern is written
# in these scripts, so folding them costs no match.
_LOOKALIKES = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "ɡ": "g", "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k",
    "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
}  # fmt: skip

# Blocks holding Han characters that OpenCC may convert (CJK radicals to the
# end of the Supplementary Ideographic Plane, plus compatibility ideographs).
_HAN_RANGES = ((0x2E80, 0x2FDF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
               (0xF900, 0xFAFF), (0x20000, 0x2FA1F))  # fmt: skip

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@cache
def _t2s() -> dict[str, str]:
    """Map each Traditional (or variant) Han character to its Simplified form."""
    import opencc  # deferred: only the first fold in a process pays for it

    chars = [chr(cp) for lo, hi in _HAN_RANGES for cp in range(lo, hi + 1)]
    joined = "\n".join(chars)  # one call per config; newlines keep phrases apart
    table: dict[str, str] = {}
    simplified: set[str] = set()
    for config in ("t2s", "tw2s", "hk2s"):  # t2s is the standard; the regional ones add to it
        converted = opencc.OpenCC(config).convert(joined).split("\n")
        if len(converted) != len(chars):  # defensive: never misalign the table
            continue
        for src, dst in zip(chars, converted, strict=True):
            # A character that is itself a Simplified target stays as it is (么 is
            # the Simplified of 麼; Taiwan's variant table would turn it into 幺).
            if dst != src and len(dst) == 1 and src not in table and src not in simplified:
                table[src] = dst
        simplified.update(table.values())
    # Resolve chains (A->B, B->C) so folding is idempotent.
    for src in list(table):
        seen = {src}
        dst = table[src]
        while dst in table and table[dst] not in seen:
            seen.add(dst)
            dst = table[dst]
        table[src] = dst
    return table


def _keep(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN"


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    """Fold one character; the empty string means it is dropped."""
    out = unicodedata.normalize("NFKC", ch).casefold()
    out = unicodedata.normalize("NFKD", out)
    out = "".join(c for c in out if not unicodedata.combining(c))
    out = unicodedata.normalize("NFC", out)
    t2s = _t2s()
    return "".join(t2s.get(c, _LOOKALIKES.get(c, c)) for c in out if _keep(c))


@cache
def _tables() -> tuple[list[int | str | None], list[str]]:
    """Build the BMP fold table and the matching keep-mask table, once."""
    fold: list[int | str | None] = []
    mask: list[str] = []
    for cp in range(_BMP):
        ch = chr(cp)
        if 0xD800 <= cp <= 0xDFFF:  # lone surrogates cannot be folded; drop them
            fold.append(None)
            mask.append("\x00")
            continue
        out = _fold_char(ch)
        fold.append(cp if out == ch else (out or None))
        mask.append("\x00" if not out else "\x01" if len(out) == 1 else "\x02")
    _fold_char.cache_clear()  # the BMP now lives in the lists; keep the cache for astral
    return fold, mask


def fold(text: str) -> str:
    """Return the folded form of text that lexicon patterns are matched against."""
    table, _ = _tables()
    if text.isascii() or _ASTRAL.search(text) is None:
        return text.translate(table)
    return "".join(_fold_char(ch) for ch in text)


def index_map(text: str) -> tuple[int, ...]:
    """Return, for each character of fold(text), the index of its source character."""
    _, masks = _tables()
    try:
        flags = text.translate(masks).encode("latin-1")
    except UnicodeEncodeError:  # astral characters were left untranslated
        flags = b"\x02"
    if b"\x02" not in flags:
        # Every character folds to at most one: keep the indexes of the kept ones.
        return tuple(compress(range(len(text)), flags))
    return tuple(_expand(text))


def _expand(text: Iterable[str]) -> Iterable[int]:
    for i, ch in enumerate(text):
        for _ in fold(ch):
            yield i


def normalise(text: str) -> tuple[str, tuple[int, ...]]:
    """Return the folded text and, per folded character, its index in text."""
    return fold(text), index_map(text)


# Code points whose UTF-16-BE bytes are (high, low): high is 0x00 (a Latin letter
# or digit, which codes as itself) or 0x80-0xFF without surrogates; low is 0x01-0x7F.
# High and low symbols never coincide, so a match can only start on a character.
_HIGHS = tuple(h for h in range(0x81, 0x100) if not 0xD8 <= h <= 0xDF)
_LOWS = 0x7F
_CHUNK = 128


class Alphabet:
    """Encode folded text as a stream of small symbols for the Aho-Corasick automaton.

    pyahocorasick finds a node's child by a linear scan of its children
    (``trienode_get_next``). Fed folded Chinese text, the root has one child per
    distinct first character of ~1,500 patterns (about 400), and every character
    of the text pays that scan: about 0.5 us each. So each folded character that
    occurs in a pattern gets a code point whose two UTF-16-BE bytes act as two
    symbols, a high one and a low one from disjoint ranges: the first characters
    of patterns share a few high symbols, so the root has a few children. Every
    other character becomes one filler code, the root's first child. One
    ``str.translate`` goes from the original text straight to codes and one
    UTF-16/Latin-1 round trip (C, about 1 ns a character) splits them into
    symbols: some 20 times faster overall. Latin letters and digits code as
    themselves, so the ASCII stretches of a mostly-English text fold with
    ``bytes.translate``. Symbols ``2 * i`` and ``2 * i + 1`` stand for character
    ``i`` of `fold(text)`.
    """

    def __init__(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        codes = {ch: ch for ch in WORD_CHARS}
        firsts = sorted({k[0] for k in keys if k} - set(codes))
        rest = sorted({c for k in keys for c in k} - set(codes) - set(firsts))
        width = int(len(firsts) ** 0.5) + 1  # balance the root's scan and the next one
        for i, ch in enumerate(firsts):
            codes[ch] = self._code(1 + i // width, i % width)
        high = 2 + len(firsts) // width
        for i, ch in enumerate(rest):
            codes[ch] = self._code(high + i // _LOWS, i % _LOWS)
        if high + len(rest) // _LOWS >= len(_HIGHS):
            raise ValueError("too many distinct characters in the patterns")
        self.filler = self._code(0, 0)
        self._codes = codes
        fold_table, _ = _tables()
        # ASCII folds to ASCII (lower case, punctuation dropped): as a bytes table.
        ascii_out = [fold_table[b] for b in range(128)]
        self._ascii = (
            bytes(ord(o) if isinstance(o, str) else b for b, o in enumerate(ascii_out))
            + bytes(range(128, 256)),
            bytes(b for b, o in enumerate(ascii_out) if o is None),
        )
        self._table: list[str | None] = []
        for out in fold_table:
            if out is None:
                self._table.append(None)
                continue
            folded = chr(out) if isinstance(out, int) else out
            self._table.append("".join(codes.get(ch, self.filler) for ch in folded))
        self.word_symbols = frozenset(self._split(ch) for ch in WORD_CHARS)

    @staticmethod
    def _code(high: int, low: int) -> str:
        return chr(_HIGHS[high] << 8 | (1 + low))

    @staticmethod
    def _split(codes: str) -> str:
        return codes.encode("utf-16-be").decode("latin-1")

    def key(self, folded_key: str) -> str:
        """Return the symbol stream of a folded pattern."""
        return self._split("".join(self._codes.get(ch, self.filler) for ch in folded_key))

    def encode(self, text: str) -> str:
        """Return the symbol stream of fold(text): two symbols per folded character."""
        if len(text.encode("utf-8")) < 2 * len(text):
            # Mostly ASCII (English inside a Chinese note): fold the all-ASCII chunks as
            # bytes, some fifty times cheaper a character than str.translate.
            chunks = (text[i : i + _CHUNK] for i in range(0, len(text), _CHUNK))
            codes = "".join(
                c.encode("ascii").translate(*self._ascii).decode("ascii")
                if c.isascii()
                else c.translate(self._table)
                for c in chunks
            )
        else:
            codes = text.translate(self._table)
        raw = codes.encode("utf-16-be", "surrogatepass")
        if len(raw) == 2 * len(codes):
            return raw.decode("latin-1")
        # Characters beyond the BMP were left as they were (the table covers the BMP
        # only) and took four bytes: fold the text character by character instead.
        return self._split("".join(self._codes.get(ch, self.filler) for ch in fold(text)))

    def is_word(self, stream: str, index: int) -> bool:
        """Tell whether folded character `index` of a stream is a Latin letter or digit."""
        return stream[2 * index : 2 * index + 2] in self.word_symbols


class Folded:
    """One text as the matchers see it, indexed by folded character.

    ASCII texts (most English notes) keep CPython's fast ASCII path and are folded
    plainly; the others become an `Alphabet` stream.
    """

    __slots__ = ("_positions", "alphabet", "folded", "size", "stream", "text")

    def __init__(self, text: str, alphabet: Alphabet) -> None:
        self.text = text
        self.alphabet = alphabet
        self.folded: str | None = None
        self.stream: str | None = None
        if text.isascii():
            self.folded = fold(text)
            self.size = len(self.folded)
        else:
            self.stream = alphabet.encode(text)
            self.size = len(self.stream) // 2
        self._positions: tuple[int, ...] | None = None

    def is_word(self, i: int) -> bool:
        """Tell whether folded character i is a Latin letter or digit."""
        if self.folded is not None:
            return self.folded[i] in WORD_CHARS
        return self.alphabet.is_word(self.stream or "", i)

    def apart(self, left: int, right: int) -> bool:
        """Tell whether anything (a space, a dash) stood between two folded characters."""
        return self._map()[right] - self._map()[left] > 1

    def source(self, start: int, end: int) -> tuple[int, int]:
        """Return the span of the original text that folded characters start..end came from."""
        positions = self._map()
        return positions[start], positions[end] + 1

    def _map(self) -> tuple[int, ...]:
        if self._positions is None:  # only texts with a hit pay for the map
            self._positions = index_map(self.text)
        return self._positions


V = TypeVar("V")


def _automaton(entries: Mapping[str, object], first: str | None = None) -> Any:
    if not entries:
        return None
    automaton = ahocorasick.Automaton()
    if first is not None:
        # Children are scanned in insertion order: make the filler the root's first.
        automaton.add_word(first, None)
    for key, value in entries.items():
        automaton.add_word(key, value)
    automaton.make_automaton()
    return automaton


class KeyMatcher(Generic[V]):
    """Find folded keys in a `Folded` text with Aho-Corasick (pyahocorasick, in C)."""

    def __init__(self, keys: Mapping[str, V], alphabet: Alphabet) -> None:
        # A filler followed by a low symbol never occurs: the probe never matches.
        probe = alphabet.key(alphabet.filler) + "\x7f"
        self._coded = _automaton(
            {alphabet.key(k): (len(k), v) for k, v in keys.items()}, first=probe
        )
        # Keys with a non-ASCII character can never occur in an ASCII text.
        self._plain = _automaton({k: (len(k), v) for k, v in keys.items() if k.isascii()})

    def find(self, text: Folded) -> list[tuple[int, int, V]]:
        """Return (start, end, value) of every key in a text, in folded characters."""
        found: list[tuple[int, int, V]] = []
        if text.folded is not None:
            if self._plain is not None:
                for end, (n, value) in self._plain.iter(text.folded):
                    found.append((end - n + 1, end, value))
        elif self._coded is not None:
            for end, (n, value) in self._coded.iter(text.stream):
                found.append((end // 2 - n + 1, end // 2, value))
        return found
