"""Appending domain events to the ledger, in the caller's transaction."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from fairscreen.ledger import merkle
from fairscreen.ledger.canonical import canonical_event_bytes
from fairscreen.ledger.models import LedgerEvent, LedgerHead
from fairscreen.ledger.store import SqlNodeStore

EventValue = str | int | bool | None | list["EventValue"] | dict[str, "EventValue"]

# Event fields hold ids, codes, counts, times and hashes: short tokens without spaces
# or '@'. A value that looks like prose or an address is refused before it is hashed
# into a record that can never be erased.
_SAFE = re.compile(r"^[A-Za-z0-9_.:+\-/=]{0,160}$")


class UnsafeEventValue(ValueError):
    """An event value that could be personal data."""


@dataclass(frozen=True)
class AppendedEvent:
    index: int
    leaf_hash: bytes


def _check(value: EventValue, path: str) -> None:
    if isinstance(value, str):
        if not _SAFE.match(value):
            raise UnsafeEventValue(f"event field {path} is not an id, code or hash")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(item, f"{path}.{key}")
    elif value is not None and not isinstance(value, (bool, int)):
        raise UnsafeEventValue(f"event field {path} has an unsupported type")


def iso(at: datetime) -> str:
    """Format a time the one way events carry it: UTC, microseconds, `Z`."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


leaf_hash = merkle.leaf_hash

_APPENDER = "fairscreen.ledger.appender"

# Built once: statement construction, not the database, dominates a small append.
_HEAD = cast(Table, LedgerHead.__table__)
_NEXT_INDEX = (
    update(_HEAD).where(_HEAD.c.id == 1).values(size=_HEAD.c.size + 1).returning(_HEAD.c.size)
)
_INSERT_EVENT = insert(cast(Table, LedgerEvent.__table__))


def _appender(session: Session, store: SqlNodeStore, size: int) -> merkle.TreeAppender:
    """Return the right edge at `size`, read once per transaction and then kept in memory."""
    # Keyed by the transaction object: a rollback or commit starts a new one, so a right
    # edge holding rolled-back leaves or predating another writer's appends is never reused.
    transaction = session.get_transaction()
    cached = session.info.get(_APPENDER)
    if cached is not None and cached[0] is transaction and cached[1].size == size:
        appender: merkle.TreeAppender = cached[1]
        return appender
    appender = merkle.TreeAppender.from_store(store, size)
    session.info[_APPENDER] = (transaction, appender)
    return appender


def append_event(
    session: Session,
    *,
    type: str,
    actor: str,
    at: datetime,
    case_id: str | None = None,
    org_id: str | None = None,
    data: Mapping[str, EventValue] | None = None,
) -> AppendedEvent:
    """Append one event in the session's transaction and return its index."""
    payload: dict[str, EventValue] = {
        "type": type,
        "actor": actor,
        "at": iso(at),
        "case_id": case_id,
        "org_id": org_id,
        "data": dict(data or {}),
    }
    _check(payload, "event")
    body = canonical_event_bytes(payload)
    # The UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite) until
    # commit, so concurrent writers get consecutive indices and a rollback leaves no gap.
    size = session.execute(_NEXT_INDEX).scalar_one_or_none()
    if size is None:
        session.add(LedgerHead(id=1, size=1))
        session.flush()
        size = 1
    index = size - 1
    lh = merkle.leaf_hash(body)
    store = SqlNodeStore(session)
    # Read the right edge only now, under the sequencer lock, so it is the committed tree.
    store.add(_appender(session, store, index).append(lh))
    session.execute(
        _INSERT_EVENT,
        {
            "idx": index,
            "type": type,
            "case_id": case_id,
            "org_id": org_id,
            "actor": actor,
            "at": at,
            "body": body.decode("utf-8"),
            "leaf_hash": lh,
        },
    )
    return AppendedEvent(index, lh)


@dataclass(frozen=True)
class NewEvent:
    """One event for `append_events`: the arguments of `append_event`."""

    type: str
    actor: str
    at: datetime
    case_id: str | None = None
    org_id: str | None = None
    data: Mapping[str, EventValue] | None = None


_RESERVE = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(size=_HEAD.c.size + bindparam("n"))
    .returning(_HEAD.c.size)
)


def append_events(session: Session, events: Sequence[NewEvent]) -> list[AppendedEvent]:
    """Append events in order with three statements in all (bulk work such as the purge)."""
    if not events:
        return []
    rows: list[dict[str, object]] = []
    leaves: list[bytes] = []
    for event in events:
        payload: dict[str, EventValue] = {
            "type": event.type,
            "actor": event.actor,
            "at": iso(event.at),
            "case_id": event.case_id,
            "org_id": event.org_id,
            "data": dict(event.data or {}),
        }
        _check(payload, "event")
        body = canonical_event_bytes(payload)
        leaves.append(merkle.leaf_hash(body))
        rows.append(
            {
                "type": event.type,
                "case_id": event.case_id,
                "org_id": event.org_id,
                "actor": event.actor,
                "at": event.at,
                "body": body.decode("utf-8"),
                "leaf_hash": leaves[-1],
            }
        )
    # One reservation of consecutive indices under the same sequencer lock as append_event.
    end = session.execute(_RESERVE, {"n": len(rows)}).scalar_one_or_none()
    if end is None:  # no head row yet: the first event creates it, one at a time
        return [
            append_event(
                session,
                type=e.type,
                actor=e.actor,
                at=e.at,
                case_id=e.case_id,
                org_id=e.org_id,
                data=e.data,
            )
            for e in events
        ]
    first = int(end) - len(rows)
    store = SqlNodeStore(session)
    appender = _appender(session, store, first)
    nodes: list[merkle.Node] = []
    for i, (row, leaf) in enumerate(zip(rows, leaves, strict=True)):
        row["idx"] = first + i
        nodes.extend(appender.append(leaf))
    store.add(nodes)
    session.execute(_INSERT_EVENT, rows)
    return [AppendedEvent(first + i, leaf) for i, leaf in enumerate(leaves)]


def events_of_case(session: Session, case_id: str) -> list[LedgerEvent]:
    """Return a case's events in ledger order."""
    return list(
        session.scalars(
            select(LedgerEvent).where(LedgerEvent.case_id == case_id).order_by(LedgerEvent.idx)
        )
    )
