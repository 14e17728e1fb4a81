"""The RFC 9162 tree: known answers, a naive reference, and proofs over stored subtrees."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairscreen.ledger.merkle import (
    EMPTY_ROOT,
    MemoryNodeStore,
    MissingNodeError,
    NodeKey,
    ProofRequestError,
    TreeAppender,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_store,
    subtree_keys,
    tree_root,
)
from fairscreen.ledger.verify import verify_consistency, verify_inclusion

# The Certificate Transparency test data (google/certificate-transparency,
# python/ct/crypto/merkle_test.py and in_memory_merkle_tree_test.py; the same values
# are in transparency-dev/merkle): eight leaves and the roots of their prefixes.
CT_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
CT_ROOTS = {
    0: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
# (leaf index, tree size, path), leaf to root.
CT_INCLUSION = [
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
# (first size, second size, proof).
CT_CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]


# --- A naive reference: the RFC 9162 definitions, recursively, on leaf data. ---


def ref_mth(data: list[bytes]) -> bytes:
    if not data:
        return hashlib.sha256(b"").digest()
    if len(data) == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = 1 << ((len(data) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + ref_mth(data[:k]) + ref_mth(data[k:])).digest()


def ref_path(m: int, data: list[bytes]) -> list[bytes]:
    if len(data) == 1:
        return []
    k = 1 << ((len(data) - 1).bit_length() - 1)
    if m < k:
        return ref_path(m, data[:k]) + [ref_mth(data[k:])]
    return ref_path(m - k, data[k:]) + [ref_mth(data[:k])]


def ref_proof(m: int, data: list[bytes]) -> list[bytes]:
    def subproof(m: int, d: list[bytes], whole: bool) -> list[bytes]:
        if m == len(d):
            return [] if whole else [ref_mth(d)]
        k = 1 << ((len(d) - 1).bit_length() - 1)
        if m <= k:
            return subproof(m, d[:k], whole) + [ref_mth(d[k:])]
        return subproof(m - k, d[k:], False) + [ref_mth(d[:k])]

    return subproof(m, data, True)


def leaf_data(n: int) -> list[bytes]:
    return [b"leaf %d" % i for i in range(n)]


def stored(data: list[bytes]) -> MemoryNodeStore:
    store = MemoryNodeStore()
    appender = TreeAppender()
    for item in data:
        store.add(appender.append(leaf_hash(item)))
    return store


class CountingStore:
    """A store that counts node reads, to check proofs stay O(log n)."""

    def __init__(self, inner: MemoryNodeStore) -> None:
        self.inner = inner
        self.reads = 0
        self.batches = 0

    def get(self, level: int, index: int) -> bytes:
        self.reads += 1
        return self.inner.get(level, index)

    def get_many(self, keys: Iterable[NodeKey]) -> Mapping[NodeKey, bytes]:
        keys = list(keys)
        self.reads += len(keys)
        self.batches += 1
        return self.inner.get_many(keys)


CT_STORE = stored(CT_LEAVES)


# --- Known answers. ---


def test_empty_tree_root_is_sha256_of_nothing() -> None:
    assert EMPTY_ROOT.hex() == CT_ROOTS[0]
    assert TreeAppender().root() == EMPTY_ROOT
    assert root_from_store(MemoryNodeStore(), 0) == EMPTY_ROOT


def test_leaf_and_node_hashes_use_the_rfc_prefixes() -> None:
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert (
        node_hash(b"L" * 32, b"R" * 32) == hashlib.sha256(b"\x01" + b"L" * 32 + b"R" * 32).digest()
    )


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_of_the_ct_test_data_match_the_published_values(size: int) -> None:
    appender = TreeAppender()
    for item in CT_LEAVES[:size]:
        appender.append(leaf_hash(item))
    assert appender.root().hex() == CT_ROOTS[size]
    assert root_from_store(CT_STORE, size).hex() == CT_ROOTS[size]
    assert tree_root(leaf_hash(d) for d in CT_LEAVES[:size]).hex() == CT_ROOTS[size]


@pytest.mark.parametrize(("index", "size", "path"), CT_INCLUSION)
def test_inclusion_proofs_match_the_ct_vectors(index: int, size: int, path: list[str]) -> None:
    proof = inclusion_proof(CT_STORE, index, size)
    assert [p.hex() for p in proof] == path
    leaf = leaf_hash(CT_LEAVES[index])
    assert verify_inclusion(leaf, index, size, proof, bytes.fromhex(CT_ROOTS[size]))


@pytest.mark.parametrize(("first", "second", "path"), CT_CONSISTENCY)
def test_consistency_proofs_match_the_ct_vectors(first: int, second: int, path: list[str]) -> None:
    proof = consistency_proof(CT_STORE, first, second)
    assert [p.hex() for p in proof] == path
    old, new = bytes.fromhex(CT_ROOTS[first]), bytes.fromhex(CT_ROOTS[second])
    assert verify_consistency(first, second, old, new, proof)


def test_the_reference_tree_agrees_with_the_ct_vectors() -> None:
    for size in range(9):
        assert ref_mth(CT_LEAVES[:size]).hex() == CT_ROOTS[size]
    for index, size, path in CT_INCLUSION:
        assert [p.hex() for p in ref_path(index, CT_LEAVES[:size])] == path
    for first, second, path in CT_CONSISTENCY:
        assert [p.hex() for p in ref_proof(first, CT_LEAVES[:second])] == path


# --- The appender and the store. ---


def test_the_appender_root_equals_the_reference_at_every_size_up_to_300() -> None:
    data = leaf_data(300)
    appender = TreeAppender()
    for n, item in enumerate(data, start=1):
        appender.append(leaf_hash(item))
        assert appender.root() == ref_mth(data[:n]), n


def test_append_reports_each_completed_subtree_once_lowest_first() -> None:
    appender = TreeAppender()
    reports = [appender.append(leaf_hash(d)) for d in CT_LEAVES]
    assert [[(lvl, idx) for lvl, idx, _ in r] for r in reports] == [
        [(0, 0)],
        [(0, 1), (1, 0)],
        [(0, 2)],
        [(0, 3), (1, 1), (2, 0)],
        [(0, 4)],
        [(0, 5), (1, 2)],
        [(0, 6)],
        [(0, 7), (1, 3), (2, 1), (3, 0)],
    ]
    assert reports[-1][-1][2].hex() == CT_ROOTS[8]


def test_append_takes_a_leaf_hash_not_leaf_data() -> None:
    with pytest.raises(ValueError):
        TreeAppender().append(b"raw event bytes")


@given(st.integers(min_value=0, max_value=600))
@settings(max_examples=60, deadline=None)
def test_an_appender_resumed_from_the_store_continues_the_same_tree(size: int) -> None:
    data = leaf_data(size + 5)
    store = stored(data[:size])
    resumed = TreeAppender.from_store(store, size)
    assert resumed.size == size
    assert resumed.root() == ref_mth(data[:size])
    for item in data[size:]:
        store.add(resumed.append(leaf_hash(item)))
    assert resumed.root() == ref_mth(data)
    assert root_from_store(store, size + 5) == ref_mth(data)


def test_the_frontier_is_the_stored_subtrees_tiling_the_tree() -> None:
    appender = TreeAppender()
    for item in CT_LEAVES[:7]:
        appender.append(leaf_hash(item))
    frontier = appender.frontier()
    assert [(lvl, idx) for lvl, idx, _ in frontier] == [(2, 0), (1, 2), (0, 6)]
    assert all(CT_STORE.get(lvl, idx) == h for lvl, idx, h in frontier)


def test_the_memory_store_refuses_gaps_and_rewrites() -> None:
    store = stored(CT_LEAVES[:4])
    with pytest.raises(ValueError):
        store.put(0, 6, b"x" * 32)
    with pytest.raises(ValueError):
        store.put(0, 1, b"x" * 32)
    store.put(0, 1, leaf_hash(CT_LEAVES[1]))  # the same hash again is harmless
    assert store.size == 4


def test_a_missing_node_is_reported_not_guessed() -> None:
    store = stored(CT_LEAVES[:4])
    with pytest.raises(MissingNodeError):
        store.get(0, 4)
    with pytest.raises(MissingNodeError):
        inclusion_proof(store, 0, 5)
    with pytest.raises(MissingNodeError):
        root_from_store(store, 6)


def test_subtree_keys_tile_a_right_edge_largest_first() -> None:
    assert subtree_keys(0, 13) == [(3, 0), (2, 2), (0, 12)]
    assert subtree_keys(8, 13) == [(2, 2), (0, 12)]
    with pytest.raises(ProofRequestError):
        subtree_keys(4, 13)  # not a node of any RFC tree


def test_proofs_outside_the_tree_are_refused() -> None:
    with pytest.raises(ProofRequestError):
        inclusion_proof(CT_STORE, 8, 8)
    with pytest.raises(ProofRequestError):
        inclusion_proof(CT_STORE, 0, 0)
    with pytest.raises(ProofRequestError):
        consistency_proof(CT_STORE, 5, 4)
    assert consistency_proof(CT_STORE, 0, 8) == []


# --- Properties against the naive reference, checked by the independent verifier. ---


@st.composite
def size_and_index(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(st.integers(min_value=1, max_value=300))
    return size, draw(st.integers(min_value=0, max_value=size - 1))


@st.composite
def two_sizes(draw: st.DrawFn) -> tuple[int, int]:
    second = draw(st.integers(min_value=1, max_value=300))
    return draw(st.integers(min_value=1, max_value=second)), second


BIG = leaf_data(300)
BIG_STORE = stored(BIG)


@given(size_and_index())
@settings(max_examples=300, deadline=None)
def test_inclusion_proofs_equal_the_reference_and_verify(case: tuple[int, int]) -> None:
    size, index = case
    proof = inclusion_proof(BIG_STORE, index, size)
    assert proof == ref_path(index, BIG[:size])
    root = ref_mth(BIG[:size])
    assert verify_inclusion(leaf_hash(BIG[index]), index, size, proof, root)


@given(two_sizes())
@settings(max_examples=300, deadline=None)
def test_consistency_proofs_equal_the_reference_and_verify(case: tuple[int, int]) -> None:
    first, second = case
    proof = consistency_proof(BIG_STORE, first, second)
    assert proof == ref_proof(first, BIG[:second])
    old, new = ref_mth(BIG[:first]), ref_mth(BIG[:second])
    assert verify_consistency(first, second, old, new, proof)


@given(size_and_index(), st.data())
@settings(max_examples=200, deadline=None)
def test_a_proof_for_another_leaf_index_or_size_does_not_verify(
    case: tuple[int, int], data: st.DataObject
) -> None:
    size, index = case
    proof = inclusion_proof(BIG_STORE, index, size)
    root = ref_mth(BIG[:size])
    leaf = leaf_hash(BIG[index])
    other = data.draw(st.integers(min_value=0, max_value=size).filter(lambda i: i != index))
    assert not verify_inclusion(leaf, other, size, proof, root)
    assert not verify_inclusion(leaf_hash(b"forged"), index, size, proof, root)
    if proof:
        at = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        bent = [*proof[:at], hashlib.sha256(proof[at]).digest(), *proof[at + 1 :]]
        assert not verify_inclusion(leaf, index, size, bent, root)
        assert not verify_inclusion(leaf, index, size, proof[:-1], root)
    assert not verify_inclusion(leaf, index, size, [*proof, root], root)


@given(two_sizes(), st.data())
@settings(max_examples=200, deadline=None)
def test_a_bent_consistency_proof_does_not_verify(
    case: tuple[int, int], data: st.DataObject
) -> None:
    first, second = case
    proof = consistency_proof(BIG_STORE, first, second)
    old, new = ref_mth(BIG[:first]), ref_mth(BIG[:second])
    assert not verify_consistency(first, second, old, hashlib.sha256(new).digest(), proof)
    assert not verify_consistency(first, second, hashlib.sha256(old).digest(), new, proof)
    if proof:
        at = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        bent = [*proof[:at], hashlib.sha256(proof[at]).digest(), *proof[at + 1 :]]
        assert not verify_consistency(first, second, old, new, bent)
        assert not verify_consistency(first, second, old, new, proof[:-1])
        assert not verify_consistency(first, second, old, new, [*proof, new])


@pytest.mark.parametrize("size", [1_000_000, 1_000_001, 2**20, 2**20 - 1, 999_999_999_999])
def test_a_proof_reads_o_log_n_nodes_in_one_batch(size: int) -> None:
    class Anything(MemoryNodeStore):
        def get(self, level: int, index: int) -> bytes:
            return hashlib.sha256(b"%d/%d" % (level, index)).digest()

    store = CountingStore(Anything())
    inclusion_proof(store, size // 3, size)
    assert store.batches == 1
    assert store.reads <= 2 * size.bit_length()
    store.reads = store.batches = 0
    consistency_proof(store, size // 3 + 1, size)
    assert store.batches == 1
    assert store.reads <= 2 * size.bit_length()
