"""Fold free text into the one form the forbidden-topic guard matches on.

Every character is folded on its own: Unicode NFKC (full-width forms, ligatures,
circled letters), case folding, accents stripped, a few Cyrillic and Greek
look-alikes of Latin letters, Traditional to Simplified Chinese, and everything
that is not a letter or a digit (spaces, punctuation, symbols, zero-width and
control characters, and the Hangul fillers that are letters rendering as nothing)
dropped. So "生 活 作 風", "d.i.v.o.r.c.e.d" and "ｄｉｖｏｒｃｅｄ"
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
import numpy.typing as npt

__all__ = ["WORD_BYTES", "WORD_CHARS", "Alphabet", "Folded", "KeyMatcher", "fold", "index_map",
           "normalise"]  # fmt: skip

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


# Letters that render as nothing (Hangul fillers), used to split a term invisibly.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


def _keep(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN" and ch not in _BLANK_LETTERS


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


# The bytes Latin letters and digits fold to: each stands for itself in a stream.
WORD_BYTES = frozenset(WORD_CHARS.encode("ascii"))
# Any other character that occurs in a pattern is two bytes, a high one (0x81-0xFF
# without the surrogates' 0xD8-0xDF) and a low one (0x01-0x7F less the word bytes).
# The three ranges are disjoint, so a match can only start and end on a character.
_HIGHS = tuple(h for h in range(0x81, 0x100) if not 0xD8 <= h <= 0xDF)
_LOW_BYTES = tuple(b for b in range(0x01, 0x80) if b not in WORD_BYTES)
# In the gather table: a character that folds to more than one (ﬁ, ½). No stream
# holds a byte 0x80, so finding one is a memchr.
_SEVERAL = 0x8080
_SEVERAL_BYTE = b"\x80"
# The UTF-16 flavour whose code units read back as native uint16 numbers.
_UTF16_NATIVE = "utf-16-le" if sys.byteorder == "little" else "utf-16-be"


class Alphabet:
    """Encode folded text as the byte stream the Aho-Corasick automaton reads.

    A Latin letter or digit is its ASCII byte; any other folded character that
    occurs in a pattern is two bytes, a high and a low one; every other character
    is the two bytes of one filler code. Each such code is a BMP code point whose
    UTF-16-BE bytes are those (a letter's high byte being 0x00, dropped), which is
    what lets one gather do the whole fold: `gather` reads the text as UTF-16 code
    units, looks each one up in a precomputed numpy table of the BMP (its code, or
    0 where the fold drops the character), squeezes out the zeros and hands the
    bytes on, all in C: a few ns a character, where ``str.translate`` with a table
    of strings pays some 40 ns (it makes an int and a string object for each).
    Texts holding a character beyond the BMP, or one that folds to several (ﬁ,
    ½), take the ``str.translate`` path instead.

    The automaton (a DFA) costs a few ns a byte, so Latin letters take one byte,
    not two: an English passage in a Chinese note costs half as much. Positions in
    a stream are byte offsets; `Folded` maps them back to the text.
    """

    def __init__(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        codes = {ch: ch for ch in WORD_CHARS}
        chars = sorted({c for k in keys for c in k} - set(codes))
        lows = len(_LOW_BYTES)
        if len(chars) + 1 > (len(_HIGHS) - 1) * lows:
            raise ValueError("too many distinct characters in the patterns")
        self.filler = self._code(0)
        for i, ch in enumerate(chars, start=1):
            codes[ch] = self._code(i)
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

    @staticmethod
    def _code(i: int) -> str:
        high, low = divmod(i, len(_LOW_BYTES))
        return chr(_HIGHS[high] << 8 | _LOW_BYTES[low])

    @staticmethod
    def _split(codes: str) -> bytes:
        return codes.encode("utf-16-be", "surrogatepass").replace(b"\x00", b"")

    def key(self, folded_key: str) -> bytes:
        """Return the byte stream of a folded pattern."""
        return self._split("".join(self._codes.get(ch, self.filler) for ch in folded_key))

    def encode(self, text: str) -> bytes:
        """Return the byte stream of fold(text)."""
        return self.gather(text)[0]

    def gather(self, text: str) -> tuple[bytes, npt.NDArray[np.uint16] | None]:
        """Return the byte stream of fold(text) and, when one gather made it, the codes.

        The codes hold one entry per character of text, 0 where the fold drops it.
        """
        units = text.encode(_UTF16_NATIVE, "surrogatepass")
        if len(units) == 2 * len(text):  # the BMP only: one code unit per character
            codes = self._gather.take(np.frombuffer(units, dtype=np.uint16))
            # Dropped characters are two zero bytes, a letter's high byte is one:
            # no other byte is zero, so squeezing out the zero bytes does both.
            stream = codes.tobytes().translate(None, b"\x00")
            if _SEVERAL_BYTE not in stream:
                return stream, codes
            return self._split(text.translate(self._table)), None
        # Characters beyond the BMP are not in the tables: fold character by character.
        return self._split("".join(self._codes.get(ch, self.filler) for ch in fold(text))), None


# Per byte of a stream, the index in the text of the character it stands for.
_Sources = npt.NDArray[np.intp]


class Folded:
    """One text as the matchers see it: a byte stream, positions are byte offsets.

    A letter or digit is one byte, any other kept character two: byte ``i`` is a
    word character's if it is one of `WORD_BYTES`, whether ``i`` is the first byte
    of a character (after a match) or its last (before a match). ASCII texts (most
    English notes) are folded with CPython's fast ASCII ``str.translate``: their
    stream is the folded text itself.
    """

    __slots__ = ("_codes", "_sources", "ascii", "size", "stream", "text")

    def __init__(self, text: str, alphabet: Alphabet) -> None:
        self.text = text
        self.ascii = text.isascii()
        self._codes: npt.NDArray[np.uint16] | None = None
        if self.ascii:
            self.stream = fold(text).encode("ascii")
        else:
            self.stream, self._codes = alphabet.gather(text)
        self.size = len(self.stream)
        self._sources: _Sources | None = None

    def is_word(self, i: int) -> bool:
        """Tell whether byte i is (part of) a Latin letter or digit."""
        return self.stream[i] in WORD_BYTES

    def apart(self, left: int, right: int) -> bool:
        """Tell whether anything (a space, a dash) stood between two folded characters."""
        sources = self._map()
        return int(sources[right]) - int(sources[left]) > 1

    def source(self, start: int, end: int) -> tuple[int, int]:
        """Return the span of the original text that bytes start..end came from."""
        sources = self._map()
        return int(sources[start]), int(sources[end]) + 1

    def _map(self) -> _Sources:
        sources = self._sources
        if sources is None:  # only texts with a hit pay for the map
            if self._codes is not None:
                kept = np.flatnonzero(self._codes)
                # Big-endian codes: a letter's high byte, its first, is 0x00.
                highs = self._codes[kept].view(np.uint8)[0::2]
                sources = np.repeat(kept, np.where(highs == 0, 1, 2))
            else:
                widths = [1 if c in WORD_CHARS else 2 for c in fold(self.text)]
                sources = np.repeat(np.array(index_map(self.text), dtype=np.intp), widths)
            self._sources = sources
        return sources


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
        self._values = [v for _, v in items]
        self._coded = _automaton(alphabet.key(k) for k, _ in items)
        # Keys with a non-ASCII character can never occur in an ASCII text, whose
        # stream is its folded text: a smaller automaton for those.
        plain = [(k, v) for k, v in items if k.isascii()]
        self._plain_values = [v for _, v in plain]
        self._plain = _automaton(k.encode("ascii") for k, _ in plain)

    def find(self, text: Folded) -> list[tuple[int, int, V]]:
        """Return (start, end, value) of every key in a text: its first and last byte."""
        automaton, values = (
            (self._plain, self._plain_values) if text.ascii else (self._coded, self._values)
        )
        if automaton is None:
            return []
        return [
            (start, end - 1, values[i])
            for i, start, end in automaton.find_matches_as_indexes(text.stream, overlapping=True)
        ]
