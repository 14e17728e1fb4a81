"""Reads of the ledger: public proofs, and organisations' events (ids, codes and hashes only)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import not_, or_, select
from sqlalchemy.orm import Session

from fairscreen.ledger.checkpoints import current_size
from fairscreen.ledger.merkle import ProofRequestError, consistency_proof, inclusion_proof
from fairscreen.ledger.models import LedgerEvent
from fairscreen.ledger.store import SqlNodeStore
from fairscreen.shared.errors import ValidationFailed

MAX_PAGE = 1000


def _within(session: Session, size: int, name: str) -> None:
    if size < 0:
        raise ValidationFailed(f"{name} is not negative.")
    if size > current_size(session):
        raise ValidationFailed(f"{name} is beyond the size of the ledger.")


def inclusion(session: Session, index: int, size: int) -> dict[str, Any]:
    """Return the leaf hash of event `index` and its inclusion proof in the tree of `size`."""
    _within(session, size, "size")
    if not 0 <= index < size:
        raise ValidationFailed("index is from 0 to size - 1.")
    store = SqlNodeStore(session)
    try:
        path = inclusion_proof(store, index, size)
    except ProofRequestError as exc:
        raise ValidationFailed(str(exc)) from None
    return {"leaf_hash": store.get(0, index).hex(), "path": [h.hex() for h in path]}


def consistency(session: Session, first: int, second: int) -> dict[str, Any]:
    """Return the consistency proof from the tree of `first` to the tree of `second`."""
    _within(session, first, "first")
    _within(session, second, "second")
    if first > second:
        raise ValidationFailed("first is at most second.")
    try:
        path = consistency_proof(SqlNodeStore(session), first, second)
    except ProofRequestError as exc:
        raise ValidationFailed(str(exc)) from None
    return {"path": [h.hex() for h in path]}


def events_page(
    session: Session,
    start: int,
    limit: int,
    *,
    org_ids: Sequence[str],
    hidden_types: Sequence[str] = (),
) -> dict[str, Any]:
    """Return up to `limit` events of `org_ids` from index `start`, with their leaf hashes.

    Events of types starting with one of `hidden_types` are left out. `next` is the index
    to ask from for the following page, or None when the ledger holds no more.
    """
    if start < 0:
        raise ValidationFailed("from is not negative.")
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed(f"limit is from 1 to {MAX_PAGE}.")
    size = current_size(session)
    query = select(LedgerEvent.idx, LedgerEvent.body, LedgerEvent.leaf_hash).where(
        LedgerEvent.idx >= start, LedgerEvent.idx < size, LedgerEvent.org_id.in_(org_ids)
    )
    if hidden_types:
        query = query.where(not_(or_(*(LedgerEvent.type.startswith(t) for t in hidden_types))))
    rows = session.execute(query.order_by(LedgerEvent.idx).limit(limit)).all()
    events = [
        {"index": int(idx), "leaf_hash": bytes(lh).hex(), "event": json.loads(body)}
        for idx, body, lh in rows
    ]
    following = events[-1]["index"] + 1 if len(events) == limit else None
    return {"size": size, "events": events, "next": following if following != size else None}


def event_rows(session: Session, size: int, chunk: int = 5000) -> Iterator[tuple[int, str, bytes]]:
    """Yield (index, canonical body, leaf hash) of events [0, size) in chunks by index."""
    start = 0
    while start < size:
        stop = min(start + chunk, size)
        rows = session.execute(
            select(LedgerEvent.idx, LedgerEvent.body, LedgerEvent.leaf_hash)
            .where(LedgerEvent.idx >= start, LedgerEvent.idx < stop)
            .order_by(LedgerEvent.idx)
        ).all()
        for idx, body, lh in rows:
            yield int(idx), body, bytes(lh)
        start = stop
