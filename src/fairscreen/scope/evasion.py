"""Readings of a text that undo the evasions a per-character fold cannot.

The fold (`normalise`) drops what is not a letter or a digit and folds look-alike
letters, so "d.i.v.o.r.c.e.d" and "生 活 作 風" match as they stand. Four evasions
survive it, and each is undone here by a reading of the text of the same length:
one character in for one character out, so a hit in a reading names the very
span of the original text.

* Leetspeak: digits and symbols for look-alike letters inside a Latin word
  ("d1v0rced", "m@rried", "pr€gnant"). Read twice when the word holds a 1 (for i,
  and for l: "1esbian").
* Tone digits in pinyin ("li2 hun1"): the digits read as spaces. Pinyin itself is
  matched by the lexicon's pinyin patterns (see `lexicon`).
* A filler between two CJK characters: one or two digits, with up to two blanks
  either side ("离1婚", "离 1 婚", full-width "离１婚"), or one or two letters
  ("离x婚"): read as spaces, but only where the two characters are adjacent in
  some pattern, so "2018年3月" is never read twice.
* Homophones of the lexicon's key characters (离昏 or 篱婚 for 离婚, 怀运 for
  怀孕, "她 离 昏 了"): a character with the same toned pypinyin reading as a key
  character, next to a character (past up to two blanks) that forms a pattern pair
  with the key, is read as that key, unless it forms a word with a neighbour (运输,
  评价): the words come from a word list shipped with the lexicon, built from
  jieba's dictionary (`python -m fairscreen.scope.evasion words DICT`), so the
  homophone must be a nonsense spelling to count. A second reading that ignores
  the words counts only for hits of three characters or more (同姓恋: 同姓 is a
  word, 同性恋 is still what it says), where two literal characters vouch for it.

Bidirectional controls that reorder what a reader sees (U+202A-U+202E,
U+2066-U+2069) are not read at all: the guard refuses a text holding one, since
what is stored and what is displayed differ (`bidi_control`). Zero-width and
other invisible characters are dropped by the fold.

Speed: most texts need no reading, and the shape of the text (one byte a
character, from one `bytes.translate`) tells so with searches that start on rare
bytes; only the homophone search scans the text itself.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from functools import cache

from fairscreen.scope.normalise import fold

__all__ = ["BIDI_CONTROLS", "Evasions", "bidi_control", "homophones"]

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# The same in UTF-8, led by a byte no CJK character holds: a memchr finds it.
_BIDI_UTF8 = re.compile(b"\xe2(?:\x80[\xaa-\xae]|\x81[\xa6-\xa9])")

_LEET_CHARS = "0134578@$€!|+9"
_LEET_TABLES = (
    str.maketrans(_LEET_CHARS, "oieastbaseiltg"),
    str.maketrans(_LEET_CHARS, "oleastbaseiltg"),
)
_LEET_CLASS = "[A-Za-z" + re.escape(_LEET_CHARS) + "]"
_LEET_WORD = re.compile(f"{_LEET_CLASS}*[A-Za-z]{_LEET_CLASS}*")
_TONE_DIGIT = re.compile("(?<=[A-Za-z])[1-5](?![0-9])")


def _shapes() -> bytes:
    """Build the byte table that turns UTF-8 into the shape of a text.

    A Latin letter is L, a digit or leet symbol D, the lead byte of a three-byte
    character from U+3000 to U+DFFF (kana, Han, Hangul) C, any other lead or ASCII
    byte a space; continuation bytes are deleted, so the shape has one byte per
    character of the text, at the same index.
    """
    table = bytearray(b" " * 256)
    for b in range(128):
        ch = chr(b)
        if ch.isalpha():
            table[b] = ord("L")
        elif ch.isdigit() or ch in "@$!|+":
            table[b] = ord("D")
    for b in range(0xE3, 0xEE):
        table[b] = ord("C")
    return bytes(table)


_SHAPES = _shapes()
_CONTINUATION = bytes(range(0x80, 0xC0))
# Searches that start with a rare literal, which the regex engine skips to without
# trying every position (C is most of a Chinese text, L most of an English one): a
# digit or symbol touching a letter; a digit run of one or two between two CJK
# characters, up to two blanks either side (离1婚, 离 1 婚); a letter run of one or
# two right between them (离x婚).
_LEET_SHAPE = re.compile(rb"D(?:(?<=LD)|L)")
_DIGIT_FILLER = re.compile(rb"D(?:(?<=CD)|(?<=C D)|(?<=C  D))[LD]? {0,2}(?=C)")
_LETTER_FILLER = re.compile(rb"CL[LD]?(?=C)")
_CJK_BYTE = ord("C")
# Full-width letters and digits (the fold reads them as ASCII; the shape, built on
# bytes, would not): read as ASCII first when a text holds one.
_FULLWIDTH_UTF8 = re.compile(b"\xef(?:\xbc[\x90-\x99\xa1-\xba]|\xbd[\x81-\x9a])")
_FULLWIDTH = {
    cp: cp - 0xFEE0
    for lo, hi in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
    for cp in range(lo, hi + 1)
}
_BLANK = ord(" ")


def bidi_control(text: str, encoded: bytes) -> tuple[int, int] | None:
    """Return the span of the first reordering bidirectional control in text, if any."""
    if _BIDI_UTF8.search(encoded) is None:
        return None
    found = BIDI_CONTROLS.search(text)
    return None if found is None else found.span()


@cache
def _readings() -> dict[str, str]:
    """Return each Han character's default toned reading (pypinyin's first)."""
    from pypinyin.pinyin_dict import pinyin_dict  # deferred: only the first build pays

    return {
        chr(cp): readings.split(",")[0]
        for cp, readings in pinyin_dict.items()
        if 0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF
    }


def homophones(keys: Iterable[str]) -> dict[str, str]:
    """Map every character that reads like a key character (same tone) to that key."""
    readings = _readings()
    by_reading: dict[str, str] = {}
    for key in keys:
        reading = readings.get(key)
        if reading is None:
            raise ValueError(f"homophone key {key!r} has no reading")
        by_reading.setdefault(reading, key)
    return {
        ch: by_reading[r]
        for ch, r in readings.items()
        if r in by_reading and fold(ch) != by_reading[r] and fold(ch)
    }


class Evasions:
    """The alternative readings of texts, for one lexicon."""

    def __init__(
        self, keys: Iterable[str], homophone_map: Mapping[str, str], words: frozenset[str]
    ) -> None:
        # Pairs of adjacent characters in the patterns, in every script (a filler
        # between them is read out).
        pairs = frozenset(k[i : i + 2] for k in keys if not k.isascii() for i in range(len(k) - 1))
        variants = _variants()
        self._pairs = frozenset(
            a + b
            for pair in pairs
            for a in variants.get(pair[0], (pair[0],))
            for b in variants.get(pair[1], (pair[1],))
        )
        self._homophones = dict(homophone_map)
        self._words = words
        # Per key character, the characters (any script) that form a pair before it
        # and after it: a homophone with neither neighbour can never complete a pattern.
        self._before: dict[str, frozenset[str]] = {}
        self._after: dict[str, frozenset[str]] = {}
        for key in set(self._homophones.values()):
            before = {p[0] for p in pairs if p[1] == key}
            after = {p[1] for p in pairs if p[0] == key}
            self._before[key] = frozenset(v for c in before for v in variants.get(c, (c,)))
            self._after[key] = frozenset(v for c in after for v in variants.get(c, (c,)))
        chars = "".join(sorted(self._homophones))
        self._homophone = re.compile(f"[{re.escape(chars)}]") if chars else None

    def readings(self, text: str, encoded: bytes | None = None) -> list[tuple[str, int]]:
        """Return the readings of text worth screening besides the text itself.

        Each comes with the least length of original text a hit in it must span to
        count (1: any hit). Most texts have none, which the shape of the text (one
        byte a character) tells in a microsecond or two. `encoded`: the text in UTF-8
        (surrogatepass), when the caller has it.
        """
        out: list[tuple[str, int]] = []
        if encoded is None:
            encoded = text.encode("utf-8", "surrogatepass")
        if not text.isascii() and _FULLWIDTH_UTF8.search(encoded) is not None:
            text = text.translate(_FULLWIDTH)  # one for one: the spans stay
            encoded = text.encode("utf-8", "surrogatepass")
        shape = encoded.translate(_SHAPES, _CONTINUATION)
        if _LEET_SHAPE.search(shape) is not None or "€" in text:
            for table in _LEET_TABLES:
                read = _leet(text, table)
                if read != text and (read, 1) not in out:
                    out.append((read, 1))
            toneless = _TONE_DIGIT.sub(" ", text)
            if toneless != text:
                out.append((toneless, 1))
        if not text.isascii():
            out.extend(self._cjk(text, shape))
        return out

    def _cjk(self, text: str, shape: bytes) -> list[tuple[str, int]]:
        chars: list[str] | None = None
        spans = [m.span() for m in _LETTER_FILLER.finditer(shape)]
        for m in _DIGIT_FILLER.finditer(shape):
            a = m.start() - 1
            while shape[a] != _CJK_BYTE:  # back over the blanks to the character
                a -= 1
            spans.append((a, m.end()))
        for a, z in spans:
            if text[a] + text[z] in self._pairs:  # 离1婚, 离 x 婚, 离-1-婚
                chars = chars or list(text)
                chars[a + 1 : z] = " " * (z - a - 1)
        words: list[int] = []  # homophones that are part of a word
        if self._homophone is not None:
            for found in self._homophone.finditer(text):
                i = found.start()
                key = self._homophones[text[i]]
                # The neighbours, past up to two blanks (她 离 昏 了).
                j, k = _near(shape, i, -1), _near(shape, i, 1)
                before = j >= 0 and text[j] in self._before[key]
                after = k >= 0 and text[k] in self._after[key]
                if not (before or after):
                    continue  # read as the key, it would still form no pattern
                ch = fold(text[i])
                left = fold(text[j]) if j >= 0 else ""
                right = fold(text[k]) if k >= 0 else ""
                if left + ch in self._words or ch + right in self._words:
                    words.append(i)  # a word in its own right (运输, 评价): not a disguise
                    continue
                chars = chars or list(text)
                chars[i] = key
        out = [] if chars is None else [("".join(chars), 1)]
        if words:
            forced = list(chars) if chars is not None else list(text)
            for i in words:
                forced[i] = self._homophones[text[i]]
            out.append(("".join(forced), 3))
        return out


def _near(shape: bytes, i: int, step: int) -> int:
    """Return the index of the nearest character to i that is not blank, or -1."""
    j = i + step
    for _ in range(3):
        if not 0 <= j < len(shape):
            return -1
        if shape[j] != _BLANK:
            return j
        j += step
    return -1


def _leet(text: str, table: dict[int, int]) -> str:
    return _LEET_WORD.sub(lambda m: m[0].translate(table), text)


@cache
def _variants() -> dict[str, tuple[str, ...]]:
    """Return, per folded Han character, every character that folds to it."""
    out: dict[str, list[str]] = {}
    for lo, hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)):
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            out.setdefault(fold(ch), []).append(ch)
    return {k: tuple(v) for k, v in out.items()}


def _build_words(dictionary: str, keys: Iterable[str]) -> list[str]:
    """Return the two-character words of a jieba dictionary that hold a homophone."""
    chars = {fold(c) for c in homophones(keys)}
    words: set[str] = set()
    with open(dictionary, encoding="utf-8") as handle:
        for line in handle:
            word = fold(line.split(" ", 1)[0])
            if len(word) == 2 and (word[0] in chars or word[1] in chars):
                words.add(word)
    return sorted(words)


def main(argv: list[str]) -> int:
    """Write the word list of a pack: `words DICT [PACK]` (DICT: jieba's dict.txt)."""
    if len(argv) not in (2, 3) or argv[0] != "words":
        sys.stderr.write("usage: python -m fairscreen.scope.evasion words DICT [PACK]\n")
        return 2
    from fairscreen.scope.lexicon import load_lexicon

    lexicon = load_lexicon(argv[2] if len(argv) == 3 else "cn")
    sys.stdout.write(
        "# Words that hold a homophone of a key character: generated, do not edit.\n"
        "# python -m fairscreen.scope.evasion words jieba/dict.txt > cn_words.txt"
        " (jieba 0.42.1, MIT)\n"
    )
    sys.stdout.writelines(f"{word}\n" for word in _build_words(argv[1], lexicon.homophone_keys))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
