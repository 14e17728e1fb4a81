"""Offline verifier of ledger exports (``fairscreen ledger verify FILE``).

A regulator runs this on an export without trusting the server. It streams the file,
so memory stays flat at any size, and checks, for every line in order:

- each event: its leaf hash recomputed from the RFC 8785 form of the parsed event, the
  declared ``leaf_hash``, its index, and that the line is byte for byte canonical;
- each checkpoint: its Ed25519 signed note, its origin, that its size is the number of
  events before it, that its root equals the root recomputed from the events, and that
  it is consistent with the previous checkpoint, through a consistency proof built
  from the events and checked by the RFC 9162 section 2.1.4.2 algorithm;
- that a checkpoint covers the last event.

The export format and the rule that names the first bad index are in README.md.

Independence. Nothing here imports ``merkle.py`` or ``canonical.py``: hashing, the
streaming root, proof building and the RFC 9162 verification algorithms are written
again below, so that one bug cannot hide in both the writer and the checker. The
signed-note code (``note.py``) is shared; it is pinned by the Go sumdb/note vectors.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, cast

import rfc8785
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from fairscreen.ledger.note import (
    NoteError,
    Verifier,
    open_note,
    parse_checkpoint,
    parse_verifier_key,
)

EXPORT_FORMAT = "fairscreen-ledger-export/1"
_EVENT_PREFIX = b'{"event":'
_CHECKPOINT_PREFIX = b'{"kind":"checkpoint"'
_EVENT_MARKERS = (b'"leaf_hash":"', b'"index":')
_CHECKPOINT_MARKERS = (b'"note":"', b'"kind":"checkpoint"')
_HEX = frozenset("0123456789abcdef")

_sha256 = hashlib.sha256


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of verifying an export."""

    ok: bool
    first_bad_index: int | None
    message: str
    events: int
    checkpoints: int


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, path: Sequence[bytes], root: bytes
) -> bool:
    """Check an inclusion proof as RFC 9162 section 2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = leaf_hash
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _node(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = _node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, path: Sequence[bytes]
) -> bool:
    """Check a consistency proof as RFC 9162 section 2.1.4.2, with its trivial cases."""
    if not 0 <= first <= second:
        return False
    if first == 0:
        # Every tree extends the empty tree, whose root is the hash of nothing.
        return not path and first_root == _sha256(b"").digest()
    if first == second:
        return not path and first_root == second_root
    if not path:
        return False
    proof = list(path)
    if first & (first - 1) == 0:
        proof.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = _node(c, fr)
            sr = _node(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = _node(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


def verify_export(
    source: str | os.PathLike[str] | IO[bytes] | Iterable[bytes | str],
    verifier_key: str | None = None,
) -> VerifyResult:
    """Verify an export given as a path, an open binary file or its lines.

    Pass the log's published verifier key: without one, the key named in the export's
    own header is used, which proves integrity but not who signed.
    """
    check = _Check(verifier_key)
    try:
        if isinstance(source, str | os.PathLike):
            with open(source, "rb") as handle:
                check.run(_file_lines(handle))
        elif isinstance(source, io.IOBase):
            check.run(_file_lines(cast(IO[bytes], source)))
        else:
            check.run(_given_lines(source))
    except _Bad as bad:
        return VerifyResult(False, bad.index, bad.message, check.events, check.checkpoints)
    return VerifyResult(
        True,
        None,
        f"{check.events} events, {check.checkpoints} checkpoints verified",
        check.events,
        check.checkpoints,
    )


class _Bad(Exception):
    """The first problem found, with the index it is reported at."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.message = message


class _Stream:
    """The tree so far as a stack of complete subtrees, plus what a consistency proof needs."""

    def __init__(self) -> None:
        self.size = 0
        self.stack: list[bytes] = []  # complete subtrees tiling [0, size), largest first
        self.old_size = 0
        self.old_root = b""
        self.old_parts: dict[tuple[int, int], bytes] = {}
        # The complete subtrees right of the last checkpoint that a proof from it may
        # use: at each level, the right sibling of the ancestor of its last leaf.
        self.wanted = [-1] * 64
        self.seen: dict[tuple[int, int], bytes] = {}

    def append(self, leaf: bytes) -> None:
        """Add a leaf hash, merging the complete subtrees it finishes."""
        index = self.size
        node = leaf
        level = 0
        wanted = self.wanted
        if wanted[0] == index:
            self.seen[(0, index)] = node
        while index & 1:
            node = _sha256(b"\x01" + self.stack.pop() + node).digest()
            index >>= 1
            level += 1
            if wanted[level] == index:
                self.seen[(level, index)] = node
        self.stack.append(node)
        self.size += 1

    def root(self) -> bytes:
        """Return the root hash of the leaves so far."""
        if not self.stack:
            return _sha256(b"").digest()
        acc = self.stack[-1]
        for left in reversed(self.stack[:-1]):
            acc = _node(left, acc)
        return acc

    def parts(self) -> list[tuple[int, int, bytes]]:
        """Return (start, end, hash) of the complete subtrees tiling [0, size)."""
        spans = []
        start = 0
        for level in range(self.size.bit_length() - 1, -1, -1):
            if self.size >> level & 1:
                spans.append((start, start + (1 << level)))
                start += 1 << level
        return [(a, b, h) for (a, b), h in zip(spans, self.stack, strict=True)]

    def mark_checkpoint(self, root: bytes) -> None:
        """Remember the tree at a verified checkpoint, the start of the next proof."""
        self.old_size, self.old_root = self.size, root
        self.old_parts = {(a, b): h for a, b, h in self.parts()}
        self.seen = {}
        self.wanted = [-1] * 64
        last = self.size - 1
        for level in range(63):
            if last >= 0 and not last >> level & 1:
                self.wanted[level] = (last >> level) + 1

    def consistency_proof(self) -> list[bytes]:
        """Build PROOF(old_size, D[size]) from the checkpoint's parts and the nodes seen since."""
        proof = []
        for start, end in _proof_ranges(self.old_size, self.size):
            tail = [(a, h) for a, _, h in self.parts() if a >= start] if end == self.size else []
            if end <= self.old_size:
                proof.append(self.old_parts[(start, end)])
            elif tail and tail[0][0] == start:
                # The right edge of the new tree: a fold of its last complete subtrees.
                acc = tail[-1][1]
                for _, left in reversed(tail[:-1]):
                    acc = _node(left, acc)
                proof.append(acc)
            else:
                # A complete subtree right of the old tree, recorded when it completed.
                level = (end - start).bit_length() - 1
                proof.append(self.seen[(level, start >> level)])
        return proof


class _Check:
    """The verification of one export, line by line."""

    def __init__(self, verifier_key: str | None) -> None:
        self.trusted = verifier_key
        self.verifier: Verifier | None = None
        self.origin = ""
        self.tree = _Stream()
        self.events = 0
        self.checkpoints = 0
        self.covered = -1  # size of the last verified checkpoint; -1 before the first

    def run(self, lines: Iterator[bytes]) -> None:
        header = next(lines, None)
        if header is None:
            raise _Bad(0, "the export is empty")
        self.read_header(header)
        for raw in lines:
            kind = _kind_of(raw, lines)
            if kind == "event":
                self.read_event(raw)
            else:
                self.read_checkpoint(raw)
        if self.covered != self.events:
            first = max(self.covered, 0)
            raise _Bad(
                first, f"events from index {first} on are not covered by a signed checkpoint"
            )

    def read_header(self, raw: bytes) -> None:
        header = _json(raw, 0, "header")
        if not isinstance(header, dict) or set(header) != {"format", "origin", "verifier_key"}:
            raise _Bad(0, "the header is not {format, origin, verifier_key}")
        if header["format"] != EXPORT_FORMAT:
            raise _Bad(0, f"unknown export format {header['format']!r}")
        if not isinstance(header["origin"], str) or not isinstance(header["verifier_key"], str):
            raise _Bad(0, "the header origin and verifier key are strings")
        _canonical(raw, header, 0, "header")
        try:
            listed = parse_verifier_key(header["verifier_key"])
            trusted = listed if self.trusted is None else parse_verifier_key(self.trusted)
        except NoteError as error:
            raise _Bad(0, f"verifier key: {error}") from None
        if _identity(listed) != _identity(trusted):
            raise _Bad(0, "the export names another key than the trusted verifier key")
        if listed.name != header["origin"]:
            raise _Bad(0, "the verifier key name is not the log origin")
        self.verifier, self.origin = trusted, header["origin"]

    def read_event(self, raw: bytes) -> None:
        index = self.events
        line = _json(raw, index, "event line")
        if not isinstance(line, dict) or line.keys() != {"event", "index", "kind", "leaf_hash"}:
            raise _Bad(index, "an event line is {event, index, kind, leaf_hash}")
        if (
            line["kind"] != "event"
            or type(line["index"]) is not int
            or not isinstance(line["event"], dict)
        ):
            raise _Bad(index, "malformed event line")
        if line["index"] != index:
            raise _Bad(index, f"expected event {index}, found index {line['index']}")
        try:
            data = rfc8785.dumps(line["event"])
        except rfc8785.CanonicalizationError as error:
            raise _Bad(index, f"event cannot be canonicalised: {error}") from None
        leaf = _sha256(b"\x00" + data).digest()
        declared = line["leaf_hash"]
        if not isinstance(declared, str) or len(declared) != 64 or not _HEX.issuperset(declared):
            raise _Bad(index, "leaf_hash is not 64 lowercase hex digits")
        hex_leaf = leaf.hex()
        if hex_leaf != declared:
            raise _Bad(index, f"event {index} does not hash to its leaf_hash")
        expected = b'{"event":%s,"index":%d,"kind":"event","leaf_hash":"%s"}' % (
            data,
            index,
            hex_leaf.encode(),
        )
        if raw != expected:
            raise _Bad(index, f"event line {index} is not in canonical form")
        self.tree.append(leaf)
        self.events += 1

    def read_checkpoint(self, raw: bytes) -> None:
        # A damaged checkpoint line is named by the event it follows (its size - 1).
        at = max(self.events - 1, 0)
        line = _json(raw, at, "checkpoint line")
        if (
            not isinstance(line, dict)
            or line.keys() != {"kind", "note"}
            or line["kind"] != "checkpoint"
        ):
            raise _Bad(at, "a checkpoint line is {kind, note}")
        if not isinstance(line["note"], str):
            raise _Bad(at, "the checkpoint note is a string")
        _canonical(raw, line, at, "checkpoint line")
        assert self.verifier is not None  # set by the header
        try:
            checkpoint = parse_checkpoint(open_note(line["note"], self.verifier))
        except NoteError as error:
            raise _Bad(at, f"checkpoint after event {at}: {error}") from None
        if checkpoint.origin != self.origin:
            raise _Bad(at, f"checkpoint origin {checkpoint.origin!r} is not the log's")
        if checkpoint.size != self.events:
            raise _Bad(
                at, f"checkpoint of size {checkpoint.size} placed after {self.events} events"
            )
        tree = self.tree
        if tree.root() != checkpoint.root_hash:
            # A valid signature over another root: the events differ from what the log
            # signed somewhere after the previous verified checkpoint.
            first = tree.old_size if checkpoint.size > tree.old_size else at
            raise _Bad(first, f"events [{first}, {checkpoint.size}) do not match the signed root")
        if self.covered > 0:
            try:
                proof = tree.consistency_proof()
            except KeyError:  # a node the proof needs was not kept: fail closed
                proof = []
            if not verify_consistency(
                tree.old_size, tree.size, tree.old_root, checkpoint.root_hash, proof
            ):
                raise _Bad(
                    tree.old_size, f"no consistency from size {tree.old_size} to {tree.size}"
                )
        tree.mark_checkpoint(checkpoint.root_hash)
        self.covered = checkpoint.size
        self.checkpoints += 1


def _proof_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """Return the leaf ranges of PROOF(first, D[second]), following the RFC's SUBPROOF."""

    def subproof(m: int, lo: int, hi: int, whole: bool) -> list[tuple[int, int]]:
        n = hi - lo
        if m == n:
            return [] if whole else [(lo, hi)]
        k = 1 << ((n - 1).bit_length() - 1)
        if m <= k:
            return [*subproof(m, lo, lo + k, whole), (lo + k, hi)]
        return [*subproof(m - k, lo + k, hi, False), (lo, lo + k)]

    if first == 0 or first == second:
        return []
    return subproof(first, 0, second, True)


def _kind_of(raw: bytes, following: Iterator[bytes]) -> str:
    """Tell an event line from a checkpoint line, even damaged, to name the right index."""
    if raw.startswith(_EVENT_PREFIX):
        return "event"
    if raw.startswith(_CHECKPOINT_PREFIX):
        return "checkpoint"
    probe = raw
    if not any(marker in probe for marker in _EVENT_MARKERS + _CHECKPOINT_MARKERS):
        # A newline written into a line splits it: judge the fragment by what follows.
        # A line without any marker never verifies, so consuming the next one is safe.
        probe += next(following, b"")
    if any(marker in probe for marker in _EVENT_MARKERS):
        return "event"
    if any(marker in probe for marker in _CHECKPOINT_MARKERS):
        return "checkpoint"
    return "event"


def _file_lines(handle: IO[bytes]) -> Iterator[bytes]:
    """Yield the lines of an export file, each of which must end with a newline."""
    for raw in handle:
        if not raw.endswith(b"\n"):
            # Left without its newline, the last line is read as damaged.
            yield raw + b"\x00"
            return
        yield raw[:-1]


def _given_lines(lines: Iterable[bytes | str]) -> Iterator[bytes]:
    """Yield given lines as bytes, each without one trailing newline."""
    for line in lines:
        raw = line.encode("utf-8") if isinstance(line, str) else line
        yield raw[:-1] if raw.endswith(b"\n") else raw


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


# One decoder for all lines: json.loads with an option builds a new one per call.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def _json(raw: bytes, index: int, what: str) -> Any:
    """Parse one line of strict UTF-8 JSON, refusing NaN and infinities."""
    try:
        return _DECODER.decode(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise _Bad(index, f"{what} is not valid JSON") from None


def _canonical(raw: bytes, value: object, index: int, what: str) -> None:
    """Require a line to be exactly the RFC 8785 form of what it parses to."""
    try:
        canonical = rfc8785.dumps(cast(Any, value))
    except rfc8785.CanonicalizationError:
        raise _Bad(index, f"{what} cannot be canonicalised") from None
    if raw != canonical:
        raise _Bad(index, f"{what} is not in canonical form")


def _identity(verifier: Verifier) -> tuple[str, bytes, bytes]:
    """Return what makes two verifier keys the same key."""
    return (
        verifier.name,
        verifier.key_id,
        verifier.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw),
    )


def _node(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()
