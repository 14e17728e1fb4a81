"""Bench the pure ledger: hashing limits, the appender, proofs at 10^6 leaves, the verifier.

Usage: python bench/bench_ledger_pure.py [--events N] [--json OUT]

The raw SHA-256 rates of a 200-byte leaf and of an interior node are measured in the
same run and are the denominators of the appender's ratio (see shared/PLATFORM.md).
The generated export lives in a temporary directory that is removed afterwards.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fairscreen.ledger.canonical import (
    canonical_event_bytes,
    export_checkpoint_line,
    export_event_line,
    export_header_line,
)
from fairscreen.ledger.merkle import (
    MemoryNodeStore,
    TreeAppender,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_from_store,
)
from fairscreen.ledger.note import sign_checkpoint, verifier_key
from fairscreen.ledger.verify import verify_consistency, verify_export, verify_inclusion

ORIGIN = "bench.fairscreen.local/ledger"
TREE_SIZE = 1_000_000


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: str | None
    met: bool | None


def rate(fn: Callable[[int], None], n: int) -> float:
    """Return operations per second of fn(n), best of three runs."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        fn(n)
        best = min(best, time.perf_counter() - start)
    return n / best


def raw_leaf_rate(n: int) -> float:
    data = b"\x00" + os.urandom(200)
    sha256 = hashlib.sha256

    def run(count: int) -> None:
        for _ in range(count):
            sha256(data).digest()

    return rate(run, n)


def raw_node_rate(n: int) -> float:
    data = b"\x01" + os.urandom(64)
    sha256 = hashlib.sha256

    def run(count: int) -> None:
        for _ in range(count):
            sha256(data).digest()

    return rate(run, n)


def build_tree(size: int) -> tuple[MemoryNodeStore, float]:
    """Append size leaves, storing every completed subtree; return the store and leaves/s."""
    leaves = [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(size)]
    store = MemoryNodeStore()
    appender = TreeAppender()
    start = time.perf_counter()
    for leaf in leaves:
        store.add(appender.append(leaf))
    elapsed = time.perf_counter() - start
    assert root_from_store(store, size) == appender.root()
    return store, size / elapsed


def appender_only_rate(size: int) -> float:
    leaves = [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(size)]
    appender = TreeAppender()
    start = time.perf_counter()
    for leaf in leaves:
        appender.append(leaf)
    return size / (time.perf_counter() - start)


def proof_times_ms(store: MemoryNodeStore, size: int, samples: int = 200) -> tuple[float, float]:
    """Return the median inclusion and consistency proof times (ms) at this size, verified."""
    root = root_from_store(store, size)
    inclusion: list[float] = []
    consistency: list[float] = []
    for k in range(samples):
        index = (k * 7919 * 104729) % size
        start = time.perf_counter()
        path = inclusion_proof(store, index, size)
        inclusion.append(time.perf_counter() - start)
        assert verify_inclusion(store.get(0, index), index, size, path, root)
        first = 1 + (k * 15485863) % (size - 1)
        start = time.perf_counter()
        proof = consistency_proof(store, first, size)
        consistency.append(time.perf_counter() - start)
        assert verify_consistency(first, size, root_from_store(store, first), root, proof)
    return statistics.median(inclusion) * 1000, statistics.median(consistency) * 1000


def event(index: int) -> dict[str, object]:
    """Return a six-field event of the size the ledger writes."""
    return {
        "type": "finding.verified",
        "case_id": f"case_{index // 12:08d}",
        "actor": f"user_{index % 97:04d}",
        "at": f"2025-03-{1 + index % 28:02d}T10:{index % 60:02d}:00.000000Z",
        "seq": index,
        "sha256": hashlib.sha256(index.to_bytes(8, "big")).hexdigest(),
    }


def write_export(path: Path, events: int, every: int) -> None:
    """Write an export of the given number of events with a checkpoint every ``every``."""
    key = Ed25519PrivateKey.generate()
    appender = TreeAppender()
    with path.open("wb") as out:
        out.write(export_header_line(ORIGIN, verifier_key(ORIGIN, key.public_key())))
        for index in range(events):
            data = canonical_event_bytes(event(index))
            leaf = leaf_hash(data)
            appender.append(leaf)
            out.write(export_event_line(index, data, leaf))
            if appender.size % every == 0 or appender.size == events:
                note = sign_checkpoint(ORIGIN, appender.size, appender.root(), key)
                out.write(export_checkpoint_line(note))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=TREE_SIZE, help="events in the export")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args()

    figures: list[Figure] = []

    def add(
        name: str, value: float, unit: str, target: str | None = None, met: bool | None = None
    ) -> None:
        figures.append(Figure(name, round(value, 4), unit, target, met))

    leaf_rate = raw_leaf_rate(500_000)
    node_rate = raw_node_rate(500_000)
    add("raw SHA-256 leaf hash (200-byte leaf)", leaf_rate, "hashes/s")
    add("raw SHA-256 node hash", node_rate, "hashes/s")

    append_rate = appender_only_rate(TREE_SIZE)
    add("appender throughput (root state only)", append_rate, "leaves/s")
    # Each append costs one node hash on average (n - 1 nodes for n leaves).
    add("appender / raw node hashing", append_rate / node_rate, "ratio")

    store, stored_rate = build_tree(TREE_SIZE)
    add("appender + MemoryNodeStore throughput", stored_rate, "leaves/s")
    add("appender + store / raw node hashing", stored_rate / node_rate, "ratio")

    inclusion_ms, consistency_ms = proof_times_ms(store, TREE_SIZE)
    add("inclusion proof at 10^6 leaves (median)", inclusion_ms, "ms", "< 5 ms", inclusion_ms < 5)
    add(
        "consistency proof at 10^6 leaves (median)",
        consistency_ms,
        "ms",
        "< 5 ms",
        consistency_ms < 5,
    )
    del store

    with tempfile.TemporaryDirectory(prefix="fairscreen-bench-") as tmp:
        path = Path(tmp) / "ledger-export.jsonl"
        start = time.perf_counter()
        write_export(path, args.events, every=10_000)
        add(f"write export of {args.events} events", time.perf_counter() - start, "s")
        add("export file size", path.stat().st_size / 2**20, "MiB")
        start = time.perf_counter()
        result = verify_export(path)
        elapsed = time.perf_counter() - start
        if not result.ok:
            print(f"verification failed: {result.message}", file=sys.stderr)
            return 1
        # The 60 s target is for 10^6 events; scale it for a shorter run.
        budget = 60.0 * args.events / TREE_SIZE
        add(
            f"verify_export of {args.events} events",
            elapsed,
            "s",
            f"< {budget:g} s",
            elapsed < budget,
        )
        add("verify_export throughput", args.events / elapsed, "events/s")

    show(figures)
    if args.json:
        args.json.write_text(json.dumps({"figures": [asdict(f) for f in figures]}, indent=2) + "\n")
    return 0 if all(f.met is not False for f in figures) else 1


def show(figures: list[Figure]) -> None:
    """Print the figures as a table, with rich when it is installed."""
    rows = [
        (
            f.name,
            f"{f.value:,.4g}" if f.value < 1000 else f"{f.value:,.0f}",
            f.unit,
            f.target or "",
            _met(f),
        )
        for f in figures
    ]
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        for row in rows:
            print(" | ".join(row))
        return
    table = Table(title="ledger (pure)")
    for column in ("figure", "value", "unit", "target", "met"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    Console().print(table)


def _met(figure: Figure) -> str:
    return "" if figure.met is None else ("yes" if figure.met else "NO")


if __name__ == "__main__":
    sys.exit(main())
