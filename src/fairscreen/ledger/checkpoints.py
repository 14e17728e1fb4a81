"""Signed checkpoints (tree heads), created lazily for the current tree size.

A checkpoint per append would cost a signature and a row per domain event. Like the
Certificate Transparency logs, which sign tree heads on an interval (the "maximum merge
delay"), the ledger signs when someone looks: a request for the latest checkpoint, an
export, or the scheduler's `checkpoint_job`. Each size is signed at most once.
"""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Protocol
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from fairscreen.ledger.merkle import root_from_store
from fairscreen.ledger.models import LedgerCheckpoint, LedgerHead
from fairscreen.ledger.note import sign_checkpoint, verifier_key
from fairscreen.ledger.store import SqlNodeStore


def origin_for(base_url: str) -> str:
    """Return the log origin named after the deployment's host: `<host>/fairscreen-ledger`."""
    host = urlsplit(base_url).netloc or "fairscreen.local"
    return f"{host}/fairscreen-ledger"


def public_verifier_key(origin: str, signing_key: Ed25519PrivateKey) -> str:
    """Return the verifier key that opens this log's checkpoints."""
    return verifier_key(origin, signing_key.public_key())


def current_size(session: Session) -> int:
    """Return the number of committed events."""
    size = session.execute(select(LedgerHead.size).where(LedgerHead.id == 1)).scalar_one_or_none()
    return int(size or 0)


def latest(session: Session) -> LedgerCheckpoint | None:
    """Return the checkpoint of the largest size, if any."""
    return session.scalars(
        select(LedgerCheckpoint).order_by(LedgerCheckpoint.size.desc()).limit(1)
    ).first()


def sign_latest(
    session: Session, signing_key: Ed25519PrivateKey, origin: str, now: datetime
) -> LedgerCheckpoint:
    """Return the checkpoint of the current size, signing it first if there is none."""
    size = current_size(session)
    existing = session.get(LedgerCheckpoint, size)
    if existing is not None:
        return existing
    root = root_from_store(SqlNodeStore(session), size)
    values = {
        "size": size,
        "root_hash": root,
        "note": sign_checkpoint(origin, size, root, signing_key),
        "created_at": now,
    }
    # Two readers may sign the same size at once; the first row wins, both return it.
    dialect = session.get_bind().dialect.name
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(LedgerCheckpoint)
    session.execute(stmt.values(**values).on_conflict_do_nothing(index_elements=["size"]))
    row = session.get(LedgerCheckpoint, size)
    assert row is not None  # inserted above or by the concurrent winner
    return row


def checkpoints_up_to(session: Session, size: int) -> list[LedgerCheckpoint]:
    """Return the stored checkpoints of size at most `size`, smallest first."""
    return list(
        session.scalars(
            select(LedgerCheckpoint)
            .where(LedgerCheckpoint.size <= size)
            .order_by(LedgerCheckpoint.size)
        )
    )


class _Keys(Protocol):
    def ledger_signing_key(self) -> Ed25519PrivateKey: ...


class _Settings(Protocol):
    @property
    def base_url(self) -> str: ...


class _Clock(Protocol):
    def now(self) -> datetime: ...


class _Tx(Protocol):
    session: Session

    def commit(self) -> None: ...


class _Unit(Protocol):
    def __enter__(self) -> _Tx: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class LedgerHost(Protocol):
    """What the ledger needs from the app container (the ledger imports no vault)."""

    @property
    def keys(self) -> _Keys: ...

    @property
    def settings(self) -> _Settings: ...

    @property
    def clock(self) -> _Clock: ...

    def uow(self) -> _Unit: ...

    def reader(self) -> _Unit: ...


def checkpoint_job(app: LedgerHost) -> LedgerCheckpoint:
    """Sign the current tree size if it is not signed yet (run on the scheduler's interval)."""
    with app.uow() as tx:
        row = sign_latest(
            tx.session,
            app.keys.ledger_signing_key(),
            origin_for(app.settings.base_url),
            app.clock.now(),
        )
        tx.commit()
    return row


def latest_or_sign(app: LedgerHost) -> LedgerCheckpoint:
    """Return the checkpoint of the current size, reading first and signing only if needed."""
    # Most requests find the ledger unchanged: answer them from a read-only transaction
    # instead of taking the write lock to learn that nothing needs signing.
    with app.reader() as tx:
        row = latest(tx.session)
        if row is not None and row.size == current_size(tx.session):
            return row
    return checkpoint_job(app)
