"""The offline verifier is given whatever a regulator was handed: it refuses, never crashes.

Whatever the bytes (random, JSON of the wrong shape, a good export with a field's value
replaced by any JSON value of any type), `verify_export` returns a refusal naming an index;
it raises nothing.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairscreen.ledger.verify import VerifyResult, verify_export

Builder = Callable[..., bytes]

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
FIXTURES = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def export(build_export: Builder) -> bytes:
    return build_export(6, [0, 3, 6])


def refused(result: VerifyResult) -> bool:
    return (
        not result.ok
        and isinstance(result.first_bad_index, int)
        and result.first_bad_index >= 0
        and bool(result.message)
    )


@given(st.binary(max_size=3000))
@settings(max_examples=300, deadline=None)
def test_random_bytes_are_refused(data: bytes) -> None:
    assert refused(verify_export(io.BytesIO(data)))


@given(st.lists(JSON, max_size=6))
@settings(max_examples=200, deadline=None)
def test_json_lines_of_any_shape_are_refused(values: list[object]) -> None:
    lines = [json.dumps(v).encode() for v in values]
    assert refused(verify_export(lines))


@given(line=st.integers(min_value=0, max_value=12), value=JSON, data=st.data())
@FIXTURES
def test_a_field_of_a_good_export_holding_any_value_is_refused_or_still_verifies(
    export: bytes, vkey: str, line: int, value: object, data: st.DataObject
) -> None:
    lines = export.split(b"\n")[:-1]
    line %= len(lines)
    record = json.loads(lines[line])
    path = [data.draw(st.sampled_from(sorted(record)))]
    if isinstance(record[path[0]], dict) and record[path[0]]:
        path.append(data.draw(st.sampled_from(sorted(record[path[0]]))))
    target = record
    for key in path[:-1]:
        target = target[key]
    changed = target[path[-1]] != value
    target[path[-1]] = value
    lines[line] = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
    result = verify_export(lines, verifier_key=vkey)
    if changed:
        assert refused(result), (path, value, result)
    else:
        assert isinstance(result, VerifyResult)


@given(cut=st.integers(min_value=0), junk=st.binary(max_size=40))
@FIXTURES
def test_a_good_export_cut_anywhere_and_followed_by_junk_is_refused_or_a_true_prefix(
    export: bytes, vkey: str, cut: int, junk: bytes
) -> None:
    cut %= len(export)
    damaged = export[:cut] + junk
    result = verify_export(io.BytesIO(damaged), verifier_key=vkey)
    # Cut just after a checkpoint, with nothing added, it is a shorter log that verifies.
    assert refused(result) or (result.ok and not junk and export.startswith(damaged))
