"""Claiming due rows of an outbox with a lease, so that no lock outlives a short transaction.

The mail queue and the webhook outbox both hold rows with a `status` ("pending" until
done) and a `next_attempt_at`. A worker claims the due ones in a short transaction by
moving their `next_attempt_at` a lease ahead, commits, does its network I/O outside any
transaction, and records each outcome in another. Another worker (or replica) skips the
claimed rows until the lease runs out: on PostgreSQL SKIP LOCKED keeps two claims from
waiting on each other; on SQLite the writer lock of BEGIN IMMEDIATE orders them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session


class Leased(Protocol):
    status: Any
    next_attempt_at: Any


RowT = TypeVar("RowT", bound=Leased)


def claim_due(
    session: Session,
    model: type[RowT],
    *,
    now: datetime,
    lease: timedelta,
    limit: int,
    where: Sequence[ColumnElement[bool]] = (),
) -> list[RowT]:
    """Return up to `limit` due pending rows, each leased until `now + lease` (not committed).

    The caller may change the rows further (or give a row back by setting its
    `next_attempt_at` again) before it commits the claim.
    """
    status: Any = model.status
    due_at: Any = model.next_attempt_at
    query = (
        select(model)
        .where(status == "pending", due_at <= now, *where)
        .order_by(due_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(session.scalars(query))
    for row in rows:
        row.next_attempt_at = now + lease
    return rows
