"""The offline verifier: a good export passes; any changed byte is found and named."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from fairscreen.ledger.canonical import export_checkpoint_line
from fairscreen.ledger.merkle import TreeAppender, leaf_hash
from fairscreen.ledger.note import sign_checkpoint, verifier_key
from fairscreen.ledger.verify import verify_export

ORIGIN = "ledger.fairscreen.test/log"
CHECKPOINTS = [0, 1, 2, 5, 8, 13]

Builder = Callable[..., bytes]


def expected_index(lines: list[bytes], line_no: int) -> int:
    """The index the README's rule names for damage in line ``line_no`` (0 = header)."""
    if line_no == 0:
        return 0
    line = lines[line_no]
    if line.startswith(b'{"event":'):
        return int(json.loads(line)["index"])
    events_before = sum(1 for earlier in lines[1:line_no] if earlier.startswith(b'{"event":'))
    return max(events_before - 1, 0)


def flipped(data: bytes, position: int, value: int) -> bytes:
    return data[:position] + bytes([value]) + data[position + 1 :]


def line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position)


@pytest.fixture(scope="module")
def export(build_export: Builder) -> bytes:
    return build_export(13, CHECKPOINTS)


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "ledger.jsonl"
    path.write_bytes(data)
    return path


def test_an_untouched_export_verifies(export: bytes, vkey: str, tmp_path: Path) -> None:
    result = verify_export(write(tmp_path, export), verifier_key=vkey)
    assert result.ok, result.message
    assert result.first_bad_index is None
    assert (result.events, result.checkpoints) == (13, len(CHECKPOINTS))


def test_an_export_verifies_from_its_lines_too(export: bytes, vkey: str) -> None:
    assert verify_export(export.decode().splitlines(), verifier_key=vkey).ok


def test_without_a_trusted_key_the_key_in_the_header_is_used(export: bytes) -> None:
    assert verify_export(export.split(b"\n")[:-1]).ok


def test_every_single_bit_flip_anywhere_is_found_at_the_right_index(
    build_export: Builder,
    vkey: str,
) -> None:
    small = build_export(6, [0, 1, 3, 6])
    lines = small.split(b"\n")
    for position in range(len(small)):
        damaged = flipped(small, position, small[position] ^ 0x01)
        result = verify_export(io.BytesIO(damaged), verifier_key=vkey)
        assert not result.ok, f"flip at byte {position} went unnoticed"
        want = expected_index(lines, line_of(small, position))
        assert result.first_bad_index == want, (position, result.message)


@given(st.data())
@settings(max_examples=400, deadline=None)
def test_any_byte_replaced_anywhere_is_found_at_the_right_index(
    export: bytes, vkey: str, data: st.DataObject
) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(export) - 1))
    value = data.draw(st.integers(0, 255).filter(lambda v: v != export[position]))
    result = verify_export(io.BytesIO(flipped(export, position, value)), verifier_key=vkey)
    assert not result.ok
    lines = export.split(b"\n")
    assert result.first_bad_index == expected_index(lines, line_of(export, position)), (
        result.message
    )


def rewrite_event(export: bytes, index: int, change: dict[str, object]) -> bytes:
    """Change an event and recompute its leaf hash, as a forger would."""
    out = []
    for line in export.split(b"\n")[:-1]:
        if line.startswith(b'{"event":') and json.loads(line)["index"] == index:
            fields = json.loads(line)
            fields["event"].update(change)
            fields["leaf_hash"] = leaf_hash(rfc8785.dumps(fields["event"])).hex()
            line = rfc8785.dumps(fields)
        out.append(line + b"\n")
    return b"".join(out)


def test_a_consistently_rewritten_event_is_caught_by_the_next_checkpoint(
    export: bytes, vkey: str
) -> None:
    forged = rewrite_event(export, 10, {"type": "case.destroyed"})
    result = verify_export(forged.split(b"\n")[:-1], verifier_key=vkey)
    assert not result.ok
    # Checkpoint 8 vouches for events 0..7; the checkpoint at 13 no longer matches.
    assert result.first_bad_index == 8
    assert "do not match the signed root" in result.message


def test_an_export_re_signed_by_another_key_fails_against_the_published_key(
    build_export: Builder, other_key: Ed25519PrivateKey, vkey: str
) -> None:
    forged = build_export(5, [5], key=other_key)
    assert verify_export(forged.split(b"\n")[:-1]).ok  # self-consistent on its own terms
    result = verify_export(forged.split(b"\n")[:-1], verifier_key=vkey)
    assert (result.ok, result.first_bad_index) == (False, 0)


def test_events_after_the_last_checkpoint_are_not_accepted(
    build_export: Builder, vkey: str
) -> None:
    result = verify_export(build_export(9, [4]).split(b"\n")[:-1], verifier_key=vkey)
    assert (result.ok, result.first_bad_index) == (False, 4)
    assert result.events == 9


def test_an_export_without_any_checkpoint_is_not_accepted(build_export: Builder, vkey: str) -> None:
    result = verify_export(build_export(3, []).split(b"\n")[:-1], verifier_key=vkey)
    assert (result.ok, result.first_bad_index) == (False, 0)


def test_an_empty_log_with_a_checkpoint_of_size_zero_verifies(
    build_export: Builder, vkey: str
) -> None:
    assert verify_export(build_export(0, [0]).split(b"\n")[:-1], verifier_key=vkey).ok


def test_a_deleted_event_is_named_by_its_index(export: bytes, vkey: str) -> None:
    lines = [line for line in export.split(b"\n")[:-1] if b'"index":6,' not in line]
    result = verify_export(lines, verifier_key=vkey)
    assert (result.ok, result.first_bad_index) == (False, 6)


def test_swapped_events_are_named_by_the_first_index(export: bytes, vkey: str) -> None:
    lines = export.split(b"\n")[:-1]
    at = {json.loads(x)["index"]: n for n, x in enumerate(lines) if x.startswith(b'{"event":')}
    lines[at[9]], lines[at[10]] = lines[at[10]], lines[at[9]]
    result = verify_export(lines, verifier_key=vkey)
    assert (result.ok, result.first_bad_index) == (False, 9)


def test_a_checkpoint_moved_away_from_its_size_is_named_by_the_event_before_it(
    export: bytes, vkey: str
) -> None:
    lines = export.split(b"\n")[:-1]
    at = next(n for n, x in enumerate(lines) if x.startswith(b'{"kind":"checkpoint"') and n > 8)
    lines.insert(at + 2, lines.pop(at))  # now after one more event
    result = verify_export(lines, verifier_key=vkey)
    assert not result.ok
    assert "placed after" in result.message


def test_a_signed_checkpoint_of_a_forked_tree_is_refused(
    export: bytes, signing_key: Ed25519PrivateKey, vkey: str
) -> None:
    # The log signs a root for size 5 that is not the root of the exported events.
    fork = TreeAppender()
    for i in range(5):
        fork.append(hashlib.sha256(b"fork %d" % i).digest())
    note = sign_checkpoint(ORIGIN, 5, fork.root(), signing_key)
    lines = export.split(b"\n")[:-1]
    at = next(n for n, x in enumerate(lines) if b'"index":4,' in x)
    lines.insert(at + 1, export_checkpoint_line(note)[:-1])
    result = verify_export(lines, verifier_key=vkey)
    assert (result.ok, result.first_bad_index) == (False, 2)


def test_a_header_naming_another_log_matches_no_checkpoint(
    export: bytes, signing_key: Ed25519PrivateKey
) -> None:
    lines = export.split(b"\n")[:-1]
    other = verifier_key("other.example/log", signing_key.public_key())
    header = json.loads(lines[0])
    header.update(origin="other.example/log", verifier_key=other)
    lines[0] = rfc8785.dumps(header)
    result = verify_export(lines)
    assert (result.ok, result.first_bad_index) == (False, 0)
    assert "no signature by other.example/log" in result.message


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    result = verify_export(write(tmp_path, b""))
    assert (result.ok, result.first_bad_index) == (False, 0)


def test_a_missing_final_newline_is_refused(export: bytes, vkey: str, tmp_path: Path) -> None:
    result = verify_export(write(tmp_path, export[:-1]), verifier_key=vkey)
    assert (result.ok, result.first_bad_index) == (False, 12)


@given(
    st.integers(min_value=0, max_value=70).flatmap(
        lambda n: st.tuples(st.just(n), st.sets(st.integers(min_value=0, max_value=n)))
    )
)
@settings(max_examples=150, deadline=None)
def test_exports_with_checkpoints_at_any_sizes_verify(
    build_export: Builder, vkey: str, case: tuple[int, set[int]]
) -> None:
    n, sizes = case
    result = verify_export(build_export(n, sizes | {n}).split(b"\n")[:-1], verifier_key=vkey)
    assert result.ok, result.message
    assert (result.events, result.checkpoints) == (n, len(sizes | {n}))


def test_the_verifier_imports_neither_the_tree_writer_nor_the_event_writer() -> None:
    import ast

    import fairscreen.ledger.verify as verifier

    tree = ast.parse(Path(verifier.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not imported & {"fairscreen.ledger.merkle", "fairscreen.ledger.canonical"}
