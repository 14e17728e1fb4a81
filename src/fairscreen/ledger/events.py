"""Appending domain events to the ledger, in the caller's transaction."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import rfc8785
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fairscreen.ledger.models import LedgerEvent, LedgerHead

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


def leaf_hash(body: bytes) -> bytes:
    """Return the RFC 9162 leaf hash SHA-256(0x00 ‖ body)."""
    return hashlib.sha256(b"\x00" + body).digest()


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
    body = rfc8785.dumps(payload)
    # The UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite) until
    # commit, so concurrent writers get consecutive indices and a rollback leaves no gap.
    size = session.execute(
        update(LedgerHead)
        .where(LedgerHead.id == 1)
        .values(size=LedgerHead.size + 1)
        .returning(LedgerHead.size)
    ).scalar_one_or_none()
    if size is None:
        session.add(LedgerHead(id=1, size=1))
        session.flush()
        size = 1
    index = size - 1
    lh = leaf_hash(body)
    session.add(
        LedgerEvent(
            idx=index,
            type=type,
            case_id=case_id,
            org_id=org_id,
            actor=actor,
            at=at,
            body=body.decode("utf-8"),
            leaf_hash=lh,
        )
    )
    return AppendedEvent(index, lh)


def events_of_case(session: Session, case_id: str) -> list[LedgerEvent]:
    """Return a case's events in ledger order."""
    return list(
        session.scalars(
            select(LedgerEvent).where(LedgerEvent.case_id == case_id).order_by(LedgerEvent.idx)
        )
    )
