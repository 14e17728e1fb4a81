"""Canonical event bytes: RFC 8785, and nothing that is not plain JSON."""

from __future__ import annotations

import datetime
import decimal
import json

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from fairscreen.ledger.canonical import (
    NotCanonicalizable,
    canonical_event_bytes,
    export_checkpoint_line,
    export_event_line,
    export_header_line,
)
from fairscreen.ledger.merkle import leaf_hash


def test_keys_are_sorted_and_whitespace_removed() -> None:
    event = {"type": "consent.signed", "case_id": "c1", "at": "2025-01-01T00:00:00Z"}
    assert canonical_event_bytes(event) == (
        b'{"at":"2025-01-01T00:00:00Z","case_id":"c1","type":"consent.signed"}'
    )


def test_the_same_event_in_any_key_order_has_the_same_bytes() -> None:
    a = {"b": [1, {"y": 2, "x": None}], "a": True}
    b = {"a": True, "b": [1, {"x": None, "y": 2}]}
    assert canonical_event_bytes(a) == canonical_event_bytes(b)


def test_non_ascii_text_is_kept_as_utf8() -> None:
    assert canonical_event_bytes({"code": "\u8cc7\u6599"}) == '{"code":"\u8cc7\u6599"}'.encode()


@pytest.mark.parametrize(
    "value",
    [
        float("nan"),
        float("inf"),
        -float("inf"),
        b"bytes",
        datetime.datetime(2025, 1, 1),
        decimal.Decimal("1.5"),
        {1, 2},
        2**53,
        -(2**53),
        "\ud800",
        object(),
    ],
)
def test_values_that_are_not_plain_json_are_refused(value: object) -> None:
    with pytest.raises(NotCanonicalizable):
        canonical_event_bytes({"field": value})
    with pytest.raises(NotCanonicalizable):
        canonical_event_bytes({"nested": [{"field": value}]})


def test_object_keys_must_be_strings() -> None:
    with pytest.raises(NotCanonicalizable):
        canonical_event_bytes({1: "x"})  # type: ignore[dict-item]


def test_an_event_is_an_object() -> None:
    with pytest.raises(NotCanonicalizable):
        canonical_event_bytes([1, 2])  # type: ignore[arg-type]


def test_an_event_line_is_the_canonical_form_of_its_fields() -> None:
    data = canonical_event_bytes({"type": "case.opened", "n": 3})
    leaf = leaf_hash(data)
    line = export_event_line(12, data, leaf)
    fields = json.loads(line)
    assert line == rfc8785.dumps(fields) + b"\n"
    assert fields == {
        "event": {"type": "case.opened", "n": 3},
        "index": 12,
        "kind": "event",
        "leaf_hash": leaf.hex(),
    }


def test_header_and_checkpoint_lines_are_canonical_json() -> None:
    header = export_header_line("example.com/log", "example.com/log+01234567+AAAA")
    assert header == rfc8785.dumps(json.loads(header)) + b"\n"
    line = export_checkpoint_line("example.com/log\n1\nAAAA\n\n\u2014 example.com/log AAAA\n")
    assert line == rfc8785.dumps(json.loads(line)) + b"\n"
    assert line.count(b"\n") == 1


_SAFE_INT = 2**53 - 1
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-_SAFE_INT, _SAFE_INT)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
)
_KEYS = st.text(st.characters(exclude_categories=["Cs"]), max_size=6) | st.sampled_from(
    ["type", "at", "case_id", "\x7f", "\u00e9", "\uffff", "\U0001f600", "a\nb"]
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(_KEYS, _JSON, max_size=6))
@settings(max_examples=500, deadline=None)
def test_canonical_bytes_are_those_of_the_rfc8785_package(event: dict[str, object]) -> None:
    assert canonical_event_bytes(event) == rfc8785.dumps(event)


@given(
    st.dictionaries(
        st.text(st.characters(max_codepoint=0x7F), max_size=6),
        st.none() | st.booleans() | st.integers(-_SAFE_INT, _SAFE_INT) | st.text(max_size=12),
        max_size=6,
    )
)
@settings(max_examples=300, deadline=None)
def test_plain_events_with_control_characters_match_rfc8785(event: dict[str, object]) -> None:
    assert canonical_event_bytes({"data": event, "type": "x"}) == rfc8785.dumps(
        {"data": event, "type": "x"}
    )
