"""`fairscreen audit bias` prints labels that candidates chose: never their control codes."""

from __future__ import annotations

import json

from fairscreen.cli.audit import render
from fairscreen.cli.common import emit

HOSTILE = "汉族\x1b[31m\x1b]0;pwned\x07\x9b2J\u202eevil"


def summary() -> dict[str, object]:
    group = {
        "dimension": "ethnicity",
        "group": HOSTILE,
        "count": 12,
        "adverse_rating_rate": 0.0,
        "impact_ratio": 1.0,
        "flag": False,
        "suppressed": False,
    }
    hidden = {**group, "group": "(other answers, withheld)", "count": None, "suppressed": True}
    return {"rules_version": "2026.1", "cases": 30, "groups": [group, hidden]}


def test_the_table_shows_control_codes_instead_of_obeying_them() -> None:
    text = render(summary())
    assert not any(ord(ch) < 0x20 and ch != "\n" for ch in text)
    assert not any(0x7F <= ord(ch) < 0xA0 for ch in text)
    assert "\u202e" not in text
    assert "汉族\\u001b[31m\\u001b]0;pwned\\u0007\\u009b2J\\u202eevil" in text
    assert "suppressed" in text.splitlines()[2]


def test_the_json_stays_json_and_holds_no_raw_control(capsys) -> None:
    emit(summary(), as_json=True)
    out = capsys.readouterr().out
    assert not any(0x7F <= ord(ch) < 0xA0 or ch == "\u202e" for ch in out)
    assert "\x1b" not in out
    assert json.loads(out)["groups"][0]["group"] == HOSTILE
