"""The append-only event log: every domain event is one leaf of the Merkle log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fairscreen.db.base import Base


class LedgerEvent(Base):
    __tablename__ = "ledger_event"

    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    # Indexed with type and time (ix_ledger_event_org_type_at below), not on its own.
    org_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(index=True)
    body: Mapped[str] = mapped_column(Text)  # RFC 8785 canonical JSON, ids and hashes only
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))


# An organisation's events of a type in a period, from the index alone: the regulator's
# consent figures count a million `consent.signed` events of one employer.
Index("ix_ledger_event_org_type_at", LedgerEvent.org_id, LedgerEvent.type, LedgerEvent.at)


class LedgerHead(Base):
    """One row: the sequencer. Incrementing it serialises appends without gaps."""

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    # The root at `size` when the last append wrote it (SQLite's warm append checks it),
    # NULL when an append did not (PostgreSQL's never do): see `events._sqlite_append`.
    root: Mapped[bytes | None] = mapped_column(LargeBinary(32), nullable=True)


class LedgerNode(Base):
    """A complete subtree (level, idx) of the Merkle log; level 0 holds the leaf hashes."""

    __tablename__ = "ledger_node"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerCheckpoint(Base):
    """A signed tree head: the C2SP checkpoint note for one tree size."""

    __tablename__ = "ledger_checkpoint"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column()
