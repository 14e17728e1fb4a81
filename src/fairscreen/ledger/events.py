"""Appending domain events to the ledger, in the caller's transaction."""

from __future__ import annotations

import re
import sqlite3
import threading
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import NamedTuple, cast

from sqlalchemy import Engine, Select, Table, bindparam, insert, select, text, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import ORMExecuteState, Session

from fairscreen.ledger import merkle
from fairscreen.ledger.canonical import canonical_event_bytes
from fairscreen.ledger.event_types import EventType
from fairscreen.ledger.models import LedgerEvent, LedgerHead, LedgerNode
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
# Appends other than SQLite's warm one do not compute the root: they clear it.
_NEXT_INDEX = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(size=_HEAD.c.size + 1, root=None)
    .returning(_HEAD.c.size)
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


# PostgreSQL: the whole append in one statement, one round trip, by the database function
# `fairscreen_ledger_append` (migration 0002): it takes the next index on the sequencer
# row, reads the left siblings it needs under that lock, and stores the nodes and the
# event. Nothing is remembered between appends, so it costs the same whoever appended
# last (an optimistic statement that checked a remembered right edge failed whenever
# another replica had appended, and then took four round trips under the lock).
_APPEND_PG = text(
    "SELECT fairscreen_ledger_append(:type, :case_id, :org_id, :actor, :at, :body, :leaf_hash)"
)


class _Known(NamedTuple):
    size: int
    edge: tuple[bytes, ...]
    root: bytes


# Per engine, the tree this process last appended to: a guess, which SQLite's warm append
# verifies against the sequencer row's root, never trusted as it is.
_EDGES: weakref.WeakKeyDictionary[Engine, _Known] = weakref.WeakKeyDictionary()


def _remember(session: Session, appender: merkle.TreeAppender) -> None:
    bind = session.get_bind()
    # Only SQLite's warm append reads it; PostgreSQL appends in the database function.
    if isinstance(bind, Engine) and bind.dialect.name == "sqlite":
        _EDGES[bind] = _Known(appender.size, appender.edge, appender.root())


# SQLite: the writer holds the database's write lock from BEGIN IMMEDIATE, so the same
# optimistic append needs no edge comparison in SQL: the sequencer row moves on only if
# it still holds the size and root this process last wrote (equal roots: equal trees);
# then the nodes and the event are inserted as usual. The general path stores the root
# on SQLite, so one general append puts a process back on this path.
#
# These three statements go to the driver's cursor on the session's own connection (so
# in the same transaction), not through `Session.execute`: every action appends, and
# SQLAlchemy's per-statement work (cache key, compiled parameters, result set-up) costs
# about five times what SQLite takes to run these statements (bench_ledger_db.py: the
# append was 54 % of a plain ORM insert through the session, target 70 %).
_SQLITE_CLAIM_SQL = (
    "UPDATE ledger_head SET size = size + 1, root = ? WHERE id = 1 AND size = ? AND root = ?"
)
_SQLITE_EVENT_SQL = (
    "INSERT INTO ledger_event (idx, type, case_id, org_id, actor, at, body, leaf_hash)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


@lru_cache(maxsize=64)
def _sqlite_nodes_sql(count: int) -> str:
    """One INSERT for the `count` subtrees an append completes (one to 63)."""
    return "INSERT INTO ledger_node (level, idx, hash) VALUES " + ", ".join(["(?, ?, ?)"] * count)


def _sqlite_at(at: datetime) -> str:
    """Format a time as `UTCDateTime` over SQLAlchemy's SQLite DATETIME stores it."""
    return str(at.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds"))


_SET_ROOT = update(_HEAD).where(_HEAD.c.id == 1).values(root=bindparam("new_root"))


def _sqlite_append(
    session: Session,
    known: _Known,
    new_root: bytes,
    nodes: Sequence[merkle.Node],
    row: Mapping[str, object],
) -> bool:
    """Claim index `known.size` and write its nodes and event; False if the tree moved."""
    dbapi = session.connection().connection.driver_connection
    assert isinstance(dbapi, sqlite3.Connection)
    cursor = dbapi.cursor()
    try:
        cursor.execute(_SQLITE_CLAIM_SQL, (new_root, known.size, known.root))
        if cursor.rowcount != 1:
            return False
        cursor.execute(
            _sqlite_nodes_sql(len(nodes)),
            [value for node in nodes for value in node],
        )
        at = row["at"]
        assert isinstance(at, datetime)
        cursor.execute(
            _SQLITE_EVENT_SQL,
            (
                known.size,
                row["type"],
                row["case_id"],
                row["org_id"],
                row["actor"],
                _sqlite_at(at),
                row["body"],
                row["leaf_hash"],
            ),
        )
    finally:
        cursor.close()
    return True


def _append_in_one(session: Session, row: dict[str, object], lh: bytes) -> int | None:
    """Append in one statement; None when the general path must run."""
    bind = session.get_bind()
    if not isinstance(bind, Engine):
        return None
    if bind.dialect.name == "postgresql":
        index = session.execute(_APPEND_PG, row).scalar_one()
        return None if index is None else int(index)
    if bind.dialect.name != "sqlite":
        return None
    known = _EDGES.get(bind)
    if known is None:
        return None
    appender = merkle.TreeAppender.resume(known.size, known.edge)
    nodes = appender.append(lh)
    new_root = appender.root()
    if not _sqlite_append(session, known, new_root, nodes, row):
        return None
    _EDGES[bind] = _Known(appender.size, appender.edge, new_root)
    return known.size


# Appends are queued in the transaction and sequenced when it commits. The sequencer row
# is then locked (PostgreSQL) only from the append to the commit right after it, not for
# the rest of the action's work: with it taken at the first event, every write of every
# replica waited for the slowest transaction holding it (bench_load: writes' p99 in
# seconds). Reads of the ledger tables inside the transaction sequence the queue first, so
# they see its events, as they would have. SQLite holds its write lock from BEGIN
# IMMEDIATE whatever the order; the one code path serves both.
_PENDING = "fairscreen.ledger.pending"
# The hooks are registered once on the Session class, on the first append (no import-time
# effect): registering them per session cost about as much as the append itself. They do
# nothing for a session with no queue.
_HOOKS_LOCK = threading.Lock()
_HOOKED: list[bool] = []
_LEDGER_TABLES = frozenset(
    t.name for t in (_HEAD, cast(Table, LedgerEvent.__table__), cast(Table, LedgerNode.__table__))
)


@dataclass(frozen=True)
class QueuedEvent:
    """An event accepted into the transaction; its index is given when it commits."""

    leaf_hash: bytes


def _queue(session: Session) -> list[tuple[dict[str, object], bytes]]:
    """Return this transaction's queue of events, hooking the session on first use."""
    if not _HOOKED:
        with _HOOKS_LOCK:
            if not _HOOKED:
                sa_event.listen(Session, "before_commit", _at_commit)
                sa_event.listen(Session, "do_orm_execute", _before_ledger_read)
                _HOOKED.append(True)
    transaction = session.get_transaction()
    if transaction is None:  # an event before any statement: begin, as a statement would
        session.connection()
        transaction = session.get_transaction()
    found = session.info.get(_PENDING)
    if found is None or found[0] is not transaction:  # none yet, or a rolled-back one's
        found = (transaction, [])
        session.info[_PENDING] = found
    queue: list[tuple[dict[str, object], bytes]] = found[1]
    return queue


def _at_commit(session: Session) -> None:
    # The transaction's own rows first, so that once the sequencer row is locked only the
    # ledger's statements and the COMMIT remain.
    if session.info.get(_PENDING) is not None:
        session.flush()
    sequence_pending(session)


def sequence_pending(session: Session) -> None:
    """Give the queued events of this transaction their indices and write them, in order."""
    found = session.info.pop(_PENDING, None)
    if found is None or found[0] is not session.get_transaction():
        return  # nothing queued, or only by a transaction that rolled back
    # One at a time: a warm process appends each in one statement and reads no edge.
    for row, lh in found[1]:
        _sequence(session, row, lh)


def _before_ledger_read(state: ORMExecuteState) -> None:
    if _PENDING not in state.session.info:
        return
    statement = state.statement
    froms = statement.get_final_froms() if isinstance(statement, Select) else []
    if any(getattr(f, "name", None) in _LEDGER_TABLES for f in froms):
        sequence_pending(state.session)


def append_event(
    session: Session,
    *,
    type: EventType,
    actor: str,
    at: datetime,
    case_id: str | None = None,
    org_id: str | None = None,
    data: Mapping[str, EventValue] | None = None,
) -> QueuedEvent:
    """Append one event to the session's transaction: it joins the ledger when that commits.

    A value that could be personal data is refused here, at the call, not at the commit.
    """
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
    lh = merkle.leaf_hash(body)
    row: dict[str, object] = {
        "type": type,
        "case_id": case_id,
        "org_id": org_id,
        "actor": actor,
        "at": at,
        "body": body.decode("utf-8"),
        "leaf_hash": lh,
    }
    if session.autoflush:
        # The flush the append's own statement used to cause, where it was: rows added
        # before the event (a new case) are written before rows added after it (its
        # token), which the unit of work does not order by foreign key on its own.
        session.flush()
    _queue(session).append((row, lh))
    return QueuedEvent(lh)


def _sequence(session: Session, row: dict[str, object], lh: bytes) -> int:
    """Give one event the next index and write it with its completed subtrees."""
    index = _append_in_one(session, row, lh)
    if index is not None:
        return index
    # The UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite) until
    # commit, so concurrent writers get consecutive indices and a rollback leaves no gap.
    size = session.execute(_NEXT_INDEX).scalar_one_or_none()
    if size is None:
        session.add(LedgerHead(id=1, size=1))
        session.flush()
        size = 1
    index = size - 1
    store = SqlNodeStore(session)
    # Read the right edge only now, under the sequencer lock, so it is the committed tree.
    appender = _appender(session, store, index)
    store.add(appender.append(lh))
    _remember(session, appender)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(_SET_ROOT, {"new_root": appender.root()})
    session.execute(_INSERT_EVENT, {**row, "idx": index})
    return index


@dataclass(frozen=True)
class NewEvent:
    """One event for `append_events`: the arguments of `append_event`."""

    type: EventType
    actor: str
    at: datetime
    case_id: str | None = None
    org_id: str | None = None
    data: Mapping[str, EventValue] | None = None


_RESERVE = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(size=_HEAD.c.size + bindparam("n"), root=None)
    .returning(_HEAD.c.size)
)


def append_events(session: Session, events: Sequence[NewEvent]) -> list[AppendedEvent]:
    """Append events in order with three statements in all (bulk work such as the purge)."""
    if not events:
        return []
    sequence_pending(session)  # events queued before these come before them
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
    first = _append_rows(session, rows, leaves)
    return [AppendedEvent(first + i, leaf) for i, leaf in enumerate(leaves)]


def _append_rows(session: Session, rows: list[dict[str, object]], leaves: list[bytes]) -> int:
    """Write events at consecutive indices with four statements in all; return the first."""
    # One reservation of consecutive indices under the same sequencer lock as append_event.
    end = session.execute(_RESERVE, {"n": len(rows)}).scalar_one_or_none()
    if end is None:  # no head row yet: the first event creates it, one at a time
        indices = [_sequence(session, row, leaf) for row, leaf in zip(rows, leaves, strict=True)]
        return indices[0]
    first = int(end) - len(rows)
    store = SqlNodeStore(session)
    appender = _appender(session, store, first)
    nodes: list[merkle.Node] = []
    for i, (row, leaf) in enumerate(zip(rows, leaves, strict=True)):
        row["idx"] = first + i
        nodes.extend(appender.append(leaf))
    store.add(nodes)
    _remember(session, appender)
    session.execute(_INSERT_EVENT, rows)
    return first


def events_of_case(session: Session, case_id: str) -> list[LedgerEvent]:
    """Return a case's events in ledger order."""
    return list(
        session.scalars(
            select(LedgerEvent).where(LedgerEvent.case_id == case_id).order_by(LedgerEvent.idx)
        )
    )
