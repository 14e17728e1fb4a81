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

The screening path does not call `fold`: `Alphabet` turns a text straight into
the byte stream the automaton reads, with one numpy gather over a table derived
from the same fold table (see its docstring for why), `Folded` is one text as the
matchers see it, and `KeyMatcher` finds folded keys in it with a DFA, reporting
positions in folded characters.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from itertools import compress
from typing import Generic, TypeVar

import ahocorasick_rs
import numpy as np

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
# In the gather table: a character that folds to more than one (ﬁ, ½). No code has
# a low byte of 0xFF, so these two bytes can only ever stand at a character's place.
_SEVERAL = 0xFFFF
_SEVERAL_BYTES = b"\xff\xff"
# The UTF-16 flavour whose code units read back as native uint16 numbers.
_UTF16_NATIVE = "utf-16-le" if sys.byteorder == "little" else "utf-16-be"


class Alphabet:
    """Encode folded text as a stream of bytes, two per folded character.

    Each folded character that occurs in a pattern gets a code point whose two
    UTF-16-BE bytes act as two symbols, a high one and a low one from disjoint
    ranges; every other character becomes one filler code; Latin letters and
    digits code as themselves (0x00, the ASCII byte). Two bytes per character,
    whatever its script, is what lets one gather do the whole fold: `encode`
    reads the text as UTF-16 code units, looks each one up in a precomputed
    numpy table of the BMP (its code, or 0 when the fold drops it), squeezes
    out the zeros and hands the bytes to the automaton, all in C: some 2 ns a
    character, where ``str.translate`` with a table of strings pays some 40 ns
    (it makes an int and a string object per character). Texts with a
    character beyond the BMP, or one that folds to several (ﬁ, ½), take the
    ``str.translate`` path instead. Bytes ``2 * i`` and ``2 * i + 1`` stand for
    character ``i`` of `fold(text)`.

    The codes were first chosen for pyahocorasick, whose nodes scan their children
    linearly (the first characters of patterns share a few high symbols, so the
    root has a few children); the DFA of ahocorasick_rs does not care, and keeps them.
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
        self._table: list[str | None] = []
        gather = np.zeros(_BMP, dtype=">u2")  # big-endian: its bytes are the stream
        for cp, out in enumerate(fold_table):
            if out is None:
                self._table.append(None)
                continue
            folded = chr(out) if isinstance(out, int) else out
            coded = "".join(codes.get(ch, self.filler) for ch in folded)
            self._table.append(coded)
            gather[cp] = ord(coded) if len(coded) == 1 else _SEVERAL
        # The same bytes seen as native numbers: numpy gathers those fastest.
        self._gather = gather.view(np.uint16)
        self.word_symbols = frozenset(self._split(ch) for ch in WORD_CHARS)

    @staticmethod
    def _code(high: int, low: int) -> str:
        return chr(_HIGHS[high] << 8 | (1 + low))

    @staticmethod
    def _split(codes: str) -> bytes:
        return codes.encode("utf-16-be", "surrogatepass")

    def key(self, folded_key: str) -> bytes:
        """Return the byte stream of a folded pattern."""
        return self._split("".join(self._codes.get(ch, self.filler) for ch in folded_key))

    def encode(self, text: str) -> bytes:
        """Return the byte stream of fold(text): two bytes per folded character."""
        units = text.encode(_UTF16_NATIVE, "surrogatepass")
        if len(units) == 2 * len(text):  # the BMP only: one code unit per character
            codes = self._gather.take(np.frombuffer(units, dtype=np.uint16))
            stream = codes[codes != 0].tobytes()
            if _SEVERAL_BYTES not in stream:
                return stream
            return self._split(text.translate(self._table))
        # Characters beyond the BMP are not in the tables: fold character by character.
        return self._split("".join(self._codes.get(ch, self.filler) for ch in fold(text)))

    def is_word(self, stream: bytes, index: int) -> bool:
        """Tell whether folded character `index` of a stream is a Latin letter or digit."""
        return stream[2 * index : 2 * index + 2] in self.word_symbols


class Folded:
    """One text as the matchers see it, indexed by folded character.

    ASCII texts (most English notes) are folded with CPython's fast ASCII
    ``str.translate`` and matched byte for character; the others become an
    `Alphabet` stream.
    """

    __slots__ = ("_positions", "alphabet", "folded", "size", "stream", "text")

    def __init__(self, text: str, alphabet: Alphabet) -> None:
        self.text = text
        self.alphabet = alphabet
        self.folded: bytes | None = None
        self.stream: bytes | None = None
        if text.isascii():
            self.folded = fold(text).encode("ascii")
            self.size = len(self.folded)
        else:
            self.stream = alphabet.encode(text)
            self.size = len(self.stream) // 2
        self._positions: tuple[int, ...] | None = None

    def is_word(self, i: int) -> bool:
        """Tell whether folded character i is a Latin letter or digit."""
        if self.folded is not None:
            return self.folded[i] in _WORD_BYTES
        return self.alphabet.is_word(self.stream or b"", i)

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


_WORD_BYTES = frozenset(WORD_CHARS.encode("ascii"))
V = TypeVar("V")


def _automaton(keys: Iterable[bytes]) -> ahocorasick_rs.BytesAhoCorasick | None:
    keys = list(keys)
    if not keys:
        return None
    return ahocorasick_rs.BytesAhoCorasick(keys, implementation=ahocorasick_rs.Implementation.DFA)


class KeyMatcher(Generic[V]):
    """Find folded keys in a `Folded` text with Aho-Corasick (ahocorasick_rs, a Rust DFA).

    Every occurrence counts, overlapping ones included (the guard sorts them out).
    """

    def __init__(self, keys: Mapping[str, V], alphabet: Alphabet) -> None:
        items = list(keys.items())
        self._coded_values = [(len(k), v) for k, v in items]
        self._coded = _automaton(alphabet.key(k) for k, _ in items)
        # Keys with a non-ASCII character can never occur in an ASCII text.
        plain = [(k, v) for k, v in items if k.isascii()]
        self._plain_values = [(len(k), v) for k, v in plain]
        self._plain = _automaton(k.encode("ascii") for k, _ in plain)

    def find(self, text: Folded) -> list[tuple[int, int, V]]:
        """Return (start, end, value) of every key in a text, in folded characters.

        `end` is the index of the key's last character, not one past it.
        """
        if text.folded is not None:
            if self._plain is None:
                return []
            values = self._plain_values
            return [
                (start, start + values[i][0] - 1, values[i][1])
                for i, start, _ in self._plain.find_matches_as_indexes(
                    text.folded, overlapping=True
                )
            ]
        if self._coded is None or text.stream is None:
            return []
        values = self._coded_values
        return [
            (start // 2, start // 2 + values[i][0] - 1, values[i][1])
            for i, start, _ in self._coded.find_matches_as_indexes(text.stream, overlapping=True)
        ]
