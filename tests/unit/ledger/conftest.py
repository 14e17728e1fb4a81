"""Fixtures for the pure ledger tests: a fixed signing key and an export builder."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fairscreen.ledger.canonical import (
    canonical_event_bytes,
    export_checkpoint_line,
    export_event_line,
    export_header_line,
)
from fairscreen.ledger.merkle import TreeAppender, leaf_hash
from fairscreen.ledger.note import sign_checkpoint, verifier_key

ORIGIN = "ledger.fairscreen.test/log"

ExportBuilder = Callable[..., bytes]


def sample_event(index: int) -> dict[str, object]:
    """Return a plausible ledger event: ids, codes, a time and a hash."""
    return {
        "type": ["case.opened", "consent.signed", "finding.verified"][index % 3],
        "case_id": f"case_{index // 3:06d}",
        "actor": f"user_{index % 7}",
        "at": f"2025-01-01T00:00:{index % 60:02d}.000000Z",
        "data": {"sha256": hashlib.sha256(str(index).encode()).hexdigest(), "step": index},
    }


@pytest.fixture(scope="session")
def signing_key() -> Ed25519PrivateKey:
    """Return a fixed Ed25519 key for the test log."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"fairscreen test log").digest())


@pytest.fixture(scope="session")
def other_key() -> Ed25519PrivateKey:
    """Return a second Ed25519 key, not the log's."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"someone else").digest())


@pytest.fixture(scope="session")
def vkey(signing_key: Ed25519PrivateKey) -> str:
    """Return the verifier key of the test log."""
    return verifier_key(ORIGIN, signing_key.public_key())


@pytest.fixture(scope="session")
def build_export(signing_key: Ed25519PrivateKey) -> ExportBuilder:
    """Return a function writing an export of n events with checkpoints at the given sizes."""

    def build(
        n: int,
        checkpoints: Iterable[int],
        *,
        key: Ed25519PrivateKey | None = None,
        events: Callable[[int], dict[str, object]] = sample_event,
    ) -> bytes:
        key = key or signing_key
        sizes = sorted(set(checkpoints))
        out = [export_header_line(ORIGIN, verifier_key(ORIGIN, key.public_key()))]
        appender = TreeAppender()

        def checkpoint_at_current_size() -> None:
            note = sign_checkpoint(ORIGIN, appender.size, appender.root(), key)
            out.append(export_checkpoint_line(note))

        if 0 in sizes:
            checkpoint_at_current_size()
        for index in range(n):
            data = canonical_event_bytes(events(index))
            leaf = leaf_hash(data)
            appender.append(leaf)
            out.append(export_event_line(index, data, leaf))
            if index + 1 in sizes:
                checkpoint_at_current_size()
        return b"".join(out)

    return build
