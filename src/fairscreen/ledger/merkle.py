"""RFC 9162 Merkle tree: hashing, an incremental appender, and proofs over stored subtrees.

The log is the RFC 9162 (Certificate Transparency v2) Merkle tree, section 2.1:
SHA-256, leaf hash ``H(0x00 || leaf)``, node hash ``H(0x01 || left || right)``, and
the tree of ``n`` leaves split at the largest power of two smaller than ``n``.

Storage model. Only *complete* (perfect) subtrees are ever stored, each one named by
``(level, index)``: the hash of leaves ``[index * 2**level, (index + 1) * 2**level)``.
Level 0 holds the leaf hashes. Such a node never changes once written, so a database
can keep them in an append-only ``(level, index, hash)`` table. Any node of the RFC
tree that is not complete lies on the right edge of the tree and is the fold of at most
``log2(n)`` stored complete subtrees, so a root, an inclusion proof or a consistency
proof at any tree size reads O(log n) stored nodes, all known before the first read
(one batched ``get_many``).

Why not a library. PyPI has many Merkle packages (``grep -i merkle`` on the package
list gives dozens); ``pymerkle`` is the one that implements RFC 9162 hashing with
inclusion and consistency proofs. We still write the tree here because: the
algorithms are about 150 lines that the RFC specifies exactly and the Certificate
Transparency test vectors pin down; ``pymerkle`` owns its storage (its own SQLite or
in-memory schema, one row per leaf) while the ledger must keep its nodes in our own
database, in the same transaction as the domain event, on SQLite and PostgreSQL; and
its proof objects are its own serialisation, not the bare RFC 9162 paths that the API
publishes. Most of the other packages hash without domain separation or pad odd
levels (Bitcoin style), which is a different tree. See STYLE.md habit 15.

The offline verifier (``verify.py``) re-implements hashing and proof *verification*
on purpose, so that one bug cannot hide in both the writer and the checker.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeKey = tuple[int, int]
"""A complete subtree ``(level, index)``: leaves ``[index << level, (index + 1) << level)``."""

Node = tuple[int, int, bytes]
"""A stored complete subtree: ``(level, index, hash)``."""

_sha256 = hashlib.sha256


class MissingNodeError(LookupError):
    """A complete subtree that should be stored is not."""


class ProofRequestError(ValueError):
    """A proof or root was asked for sizes or indices the tree cannot answer."""


class NodeStore(Protocol):
    """Read access to stored complete subtrees (see the module docstring)."""

    def get(self, level: int, index: int) -> bytes:
        """Return the hash of complete subtree ``(level, index)`` or raise MissingNodeError."""
        ...

    def get_many(self, keys: Iterable[NodeKey]) -> Mapping[NodeKey, bytes]:
        """Return the hashes of these complete subtrees; raise MissingNodeError if one is absent."""
        ...


def leaf_hash(data: bytes) -> bytes:
    """Hash one leaf as RFC 9162 section 2.1.1: SHA-256(0x00 || data)."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash two children as RFC 9162 section 2.1.1: SHA-256(0x01 || left || right)."""
    return _sha256(b"\x01" + left + right).digest()


def subtree_keys(start: int, end: int) -> list[NodeKey]:
    """Split leaves [start, end) into complete subtrees, largest first, as the RFC tree does.

    ``start`` must be aligned to the power of two at or above ``end - start``: this holds
    for every node of the RFC tree, whose incomplete nodes all end at the tree size.
    """
    width = end - start
    if width <= 0:
        raise ProofRequestError(f"empty range [{start}, {end})")
    if start & ((1 << (width - 1).bit_length()) - 1):
        raise ProofRequestError(f"range [{start}, {end}) is not a node of the tree")
    keys: list[NodeKey] = []
    for level in range(width.bit_length() - 1, -1, -1):
        if width >> level & 1:
            keys.append((level, start >> level))
            start += 1 << level
    return keys


def fold_right(hashes: Sequence[bytes]) -> bytes:
    """Combine complete subtrees (largest first) into the hash of the node they tile."""
    acc = hashes[-1]
    for left in reversed(hashes[:-1]):
        acc = node_hash(left, acc)
    return acc


class MemoryNodeStore:
    """Keep complete subtrees in memory, one packed byte array per level."""

    def __init__(self) -> None:
        self._levels: list[bytearray] = []

    @property
    def size(self) -> int:
        """Return the number of leaves stored."""
        return len(self._levels[0]) // HASH_SIZE if self._levels else 0

    def put(self, level: int, index: int, digest: bytes) -> None:
        """Store one complete subtree; refuse a gap or a different hash for a stored node."""
        if len(digest) != HASH_SIZE:
            raise ValueError("a node hash is 32 bytes")
        while len(self._levels) <= level:
            self._levels.append(bytearray())
        row = self._levels[level]
        count = len(row) // HASH_SIZE
        if index == count:
            row += digest
        elif index < count:
            # Nodes are immutable: rewriting one with another hash is a bug or tampering.
            if row[index * HASH_SIZE : (index + 1) * HASH_SIZE] != digest:
                raise ValueError(f"node ({level}, {index}) already stored with another hash")
        else:
            raise ValueError(f"node ({level}, {index}) would leave a gap after {count}")

    def add(self, nodes: Iterable[Node]) -> None:
        """Store complete subtrees as an appender reports them."""
        for level, index, digest in nodes:
            self.put(level, index, digest)

    def get(self, level: int, index: int) -> bytes:
        """Return the hash of complete subtree (level, index)."""
        if level < len(self._levels) and 0 <= index:
            offset = index * HASH_SIZE
            digest = bytes(self._levels[level][offset : offset + HASH_SIZE])
            if len(digest) == HASH_SIZE:
                return digest
        raise MissingNodeError(f"node ({level}, {index}) is not stored")

    def get_many(self, keys: Iterable[NodeKey]) -> dict[NodeKey, bytes]:
        """Return the hashes of several complete subtrees."""
        return {key: self.get(*key) for key in keys}


class TreeAppender:
    """Append leaf hashes, keeping only the right edge of complete subtrees (a compact range).

    ``append`` reports every complete subtree it finishes, so a caller can store them,
    and ``root`` folds the O(log n) right-edge subtrees into the current tree head.
    """

    def __init__(self) -> None:
        self._size = 0
        # The complete subtrees tiling [0, size), largest first: one per set bit of size.
        self._edge: list[bytes] = []

    @classmethod
    def from_store(cls, store: NodeStore, size: int) -> TreeAppender:
        """Resume appending to a stored tree of the given size with O(log n) reads."""
        appender = cls()
        if size:
            keys = subtree_keys(0, size)
            found = store.get_many(keys)
            appender._edge = [_expect(found, key) for key in keys]
        appender._size = size
        return appender

    @classmethod
    def resume(cls, size: int, edge: Sequence[bytes]) -> TreeAppender:
        """Resume appending from a right edge known to be the tree's (see `edge`)."""
        if len(edge) != size.bit_count():
            raise ValueError(f"a tree of {size} leaves has {size.bit_count()} edge subtrees")
        appender = cls()
        appender._size = size
        appender._edge = list(edge)
        return appender

    @property
    def size(self) -> int:
        """Return the number of leaves appended."""
        return self._size

    @property
    def edge(self) -> tuple[bytes, ...]:
        """Return the hashes of the complete subtrees tiling the tree, largest first."""
        return tuple(self._edge)

    def frontier(self) -> list[Node]:
        """Return the complete subtrees tiling the tree, largest first."""
        keys = subtree_keys(0, self._size) if self._size else []
        return [
            (level, index, digest) for (level, index), digest in zip(keys, self._edge, strict=True)
        ]

    def append(self, leaf: bytes) -> list[Node]:
        """Append one leaf hash; return the complete subtrees it finished, lowest level first."""
        if len(leaf) != HASH_SIZE:
            raise ValueError("append takes a 32-byte leaf hash, not leaf data")
        index = self._size
        finished: list[Node] = [(0, index, leaf)]
        edge = self._edge
        digest = leaf
        level = 0
        # Each trailing 1 bit of the old size is a left sibling waiting on the edge.
        while index & 1:
            digest = _sha256(b"\x01" + edge.pop() + digest).digest()
            index >>= 1
            level += 1
            finished.append((level, index, digest))
        edge.append(digest)
        self._size += 1
        return finished

    def extend(self, leaves: Iterable[bytes]) -> list[Node]:
        """Append several leaf hashes; return every complete subtree they finished."""
        finished: list[Node] = []
        for leaf in leaves:
            finished.extend(self.append(leaf))
        return finished

    def root(self) -> bytes:
        """Return the RFC 9162 root hash of the leaves appended so far."""
        return fold_right(self._edge) if self._edge else EMPTY_ROOT


def tree_root(leaves: Iterable[bytes]) -> bytes:
    """Return the root hash of a sequence of leaf hashes in one streaming pass."""
    appender = TreeAppender()
    for leaf in leaves:
        appender.append(leaf)
    return appender.root()


def root_from_store(store: NodeStore, size: int) -> bytes:
    """Return the root hash of the tree's first ``size`` leaves from O(log n) stored nodes."""
    if size < 0:
        raise ProofRequestError("a tree size is not negative")
    if size == 0:
        return EMPTY_ROOT
    keys = subtree_keys(0, size)
    found = store.get_many(keys)
    return fold_right([_expect(found, key) for key in keys])


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Return the leaf ranges of PATH(index, D[size]), leaf to root (RFC 9162 2.1.3.1)."""
    if not 0 <= index < size:
        raise ProofRequestError(f"leaf index {index} is not in a tree of size {size}")
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size
    # Walk down from the root; each step records the sibling of the half holding the leaf.
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    ranges.reverse()
    return ranges


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """Return the leaf ranges whose hashes form PROOF(first, D[second]) (RFC 9162 2.1.4.1)."""
    if not 0 <= first <= second:
        raise ProofRequestError(f"no consistency proof from size {first} to size {second}")
    if first == 0 or first == second:
        return []
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, second
    m = first - lo
    whole_old_tree = True  # the RFC's flag b: is [lo, lo + m) still the whole old tree?
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
            m -= k
            whole_old_tree = False
    if not whole_old_tree:
        ranges.append((lo, hi))
    ranges.reverse()
    return ranges


def inclusion_proof(store: NodeStore, index: int, size: int) -> list[bytes]:
    """Return the RFC 9162 inclusion proof of leaf ``index`` in the tree of ``size`` leaves."""
    return _hashes_of(store, inclusion_ranges(index, size))


def consistency_proof(store: NodeStore, first: int, second: int) -> list[bytes]:
    """Return the RFC 9162 consistency proof from tree size ``first`` to ``second``."""
    return _hashes_of(store, consistency_ranges(first, second))


def _hashes_of(store: NodeStore, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """Resolve node ranges to hashes with one batched read of complete subtrees."""
    tilings = [subtree_keys(start, end) for start, end in ranges]
    wanted = {key for tiling in tilings for key in tiling}
    found = store.get_many(wanted) if wanted else {}
    return [fold_right([_expect(found, key) for key in tiling]) for tiling in tilings]


def _expect(found: Mapping[NodeKey, bytes], key: NodeKey) -> bytes:
    """Return a fetched node or say which one the store lacks."""
    try:
        return found[key]
    except KeyError:
        raise MissingNodeError(f"node {key} is not stored") from None


def _split(n: int) -> int:
    """Return the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)
