"""The free-text guard, measured on a labelled corpus of investigators' sentences.

`guard_corpus.tsv` was written before the guard; `guard_corpus_round2.tsv` was
written afterwards, with fresh phrasings, and measured before the lexicon was
adjusted to it (first run: recall 0.58, lawful pass rate 0.89). Both are now
held to the same bar: every forbidden sentence refused, at least 97% of the
lawful ones passed.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from fairscreen.scope.guard import FORBIDDEN_TOPICS, screen_text

DATA = Path(__file__).resolve().parents[2] / "data"
CORPORA = ("guard_corpus.tsv", "guard_corpus_round2.tsv")
SCRIPTS = ("zh-Hans", "zh-Hant", "en")


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


ROWS = [row for name in CORPORA for row in _rows(name)]


def test_corpus_rows_are_well_formed() -> None:
    for row in ROWS:
        assert row["label"] in {"lawful", "forbidden"}, row
        assert row["script"] in SCRIPTS, row
        assert row["text"].strip(), row
        if row["label"] == "forbidden":
            assert row["topic"] in FORBIDDEN_TOPICS, row
        else:
            assert row["topic"] == "", row
    texts = Counter(row["text"] for row in ROWS)
    assert [t for t, n in texts.items() if n > 1] == []


def test_corpus_covers_every_topic_in_every_script() -> None:
    assert len(ROWS) >= 300
    seen = {(r["topic"], r["script"]) for r in ROWS if r["label"] == "forbidden"}
    missing = [(t, s) for t in FORBIDDEN_TOPICS for s in SCRIPTS if (t, s) not in seen]
    assert missing == []
    lawful = Counter(r["script"] for r in ROWS if r["label"] == "lawful")
    assert all(lawful[s] >= 40 for s in SCRIPTS), lawful


@pytest.mark.parametrize("name", CORPORA)
def test_guard_refuses_every_forbidden_sentence_and_passes_lawful_ones(name: str) -> None:
    rows = _rows(name)
    forbidden = [r for r in rows if r["label"] == "forbidden"]
    lawful = [r for r in rows if r["label"] == "lawful"]
    missed = [
        f"{r['topic']} [{r['script']}] {r['text']}" for r in forbidden if screen_text(r["text"]).ok
    ]
    refused = []
    for r in lawful:
        result = screen_text(r["text"])
        if not result.ok:
            why = ", ".join(f"{h.topic}:{h.matched!r}" for h in result.hits)
            refused.append(f"[{r['script']}] {r['text']}  <- {why}")
    recall = 1 - len(missed) / len(forbidden)
    pass_rate = 1 - len(refused) / len(lawful)
    report = (
        f"recall {recall:.4f}, lawful pass rate {pass_rate:.4f}\n"
        + "".join(f"  MISSED   {line}\n" for line in missed)
        + "".join(f"  REFUSED  {line}\n" for line in refused)
    )
    assert recall == 1.0, report
    assert pass_rate >= 0.97, report


def test_refusals_mostly_name_the_labelled_topic() -> None:
    # A sentence may state two topics ("父母离异": family background and marriage),
    # so agreement is measured on every topic hit, not only the first.
    forbidden = [r for r in ROWS if r["label"] == "forbidden"]
    agreeing = [r for r in forbidden if r["topic"] in screen_text(r["text"]).topics]
    assert len(agreeing) / len(forbidden) >= 0.95


# The evasion corpus (issue 20, item 10): texts written to slip past the guard, one
# class each, and lawful texts close to the terms the evasions brought in. First
# run, before the guard read evasions: recall 0.15, and three of its lawful texts
# ("the origin of the document") refused.
EVASION_CLASSES = ("pinyin", "leet", "filler", "homophone", "bidi", "synonym", "ko_ja")
EVASIONS = _rows("guard_corpus_evasion.tsv")


def test_evasion_corpus_is_well_formed_and_covers_every_class() -> None:
    forbidden = [r for r in EVASIONS if r["label"] == "forbidden"]
    assert len(forbidden) >= 100
    assert all(r["topic"] in FORBIDDEN_TOPICS for r in forbidden)
    classes = Counter(r["class"] for r in forbidden)
    assert set(classes) == set(EVASION_CLASSES)
    assert all(n >= 10 for n in classes.values()), classes
    lawful = [r for r in EVASIONS if r["label"] == "lawful"]
    assert len(lawful) >= 50 and all(r["topic"] == "" for r in lawful)
    texts = Counter(r["text"] for r in EVASIONS)
    assert [t for t, n in texts.items() if n > 1] == []


def test_guard_refuses_every_evasion_and_passes_the_close_lawful_texts() -> None:
    missed = [
        f"{r['topic']} [{r['class']}] {r['text']!r}"
        for r in EVASIONS
        if r["label"] == "forbidden" and screen_text(r["text"]).ok
    ]
    refused = [
        f"{r['text']!r} <- {screen_text(r['text']).topics}"
        for r in EVASIONS
        if r["label"] == "lawful" and not screen_text(r["text"]).ok
    ]
    lawful = sum(r["label"] == "lawful" for r in EVASIONS)
    assert missed == []
    assert 1 - len(refused) / lawful >= 0.97, refused
