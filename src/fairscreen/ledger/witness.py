"""A witness: remembers the last checkpoint it saw and checks each new one extends it.

Signed checkpoints alone cannot show that a log was not rewritten: the server could sign
a different history. A witness that keeps the last checkpoint (outside the server) and
asks for a consistency proof to every new one detects any fork or rewrite.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fairscreen.ledger.note import NoteError, open_checkpoint
from fairscreen.ledger.verify import verify_consistency


class WitnessError(Exception):
    """The log is not a consistent extension of what the witness saw before."""


ConsistencyFetcher = Callable[[int, int], Sequence[bytes]]


def observe(
    previous: Mapping[str, Any] | None,
    verifier_key: str,
    checkpoint: Mapping[str, Any],
    fetch_consistency: ConsistencyFetcher,
) -> dict[str, Any]:
    """Check a published checkpoint against the previous state; return the new state."""
    if previous is not None and previous.get("verifier_key") != verifier_key:
        raise WitnessError("the log's verifier key changed since the last checkpoint seen")
    try:
        opened = open_checkpoint(str(checkpoint["note"]), verifier_key)
    except (NoteError, KeyError) as exc:
        raise WitnessError(f"the checkpoint signature does not verify: {exc}") from None
    if (
        checkpoint.get("size") != opened.size
        or checkpoint.get("root_hash") != opened.root_hash.hex()
    ):
        raise WitnessError("the checkpoint's fields differ from its signed note")
    if previous is not None:
        old_size = int(previous["size"])
        old_root = bytes.fromhex(str(previous["root_hash"]))
        if opened.size < old_size:
            raise WitnessError(f"the log shrank from {old_size} to {opened.size} events")
        proof = [] if opened.size == old_size else list(fetch_consistency(old_size, opened.size))
        if not verify_consistency(old_size, opened.size, old_root, opened.root_hash, proof):
            raise WitnessError(
                f"the tree of {opened.size} events does not extend the tree of {old_size} "
                "seen before: the log was forked or rewritten"
            )
    return {
        "verifier_key": verifier_key,
        "origin": opened.origin,
        "size": opened.size,
        "root_hash": opened.root_hash.hex(),
        "note": str(checkpoint["note"]),
    }
