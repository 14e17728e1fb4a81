"""What remains of a destroyed case, legal holds, and erasure requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from fairscreen.db.base import Base
from fairscreen.db.types import SealedBytes
from fairscreen.shared.sealed import Sealed


class Tombstone(Base):
    """The deletion certificate's body: ids, dates, counts and hashes, no personal data."""

    __tablename__ = "retention_tombstone"

    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    certificate_id: Mapped[str] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(String(32))
    destroyed_at: Mapped[datetime]
    due_at: Mapped[datetime | None] = mapped_column(nullable=True)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    event_chain_sha256: Mapped[str] = mapped_column(String(64))
    ledger_index: Mapped[int]


class LegalHold(Base):
    __tablename__ = "retention_hold"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), index=True)
    org_id: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[Sealed | None] = mapped_column(SealedBytes, nullable=True)
    placed_by: Mapped[str] = mapped_column(String(64))
    placed_at: Mapped[datetime]
    ends_at: Mapped[datetime | None] = mapped_column(nullable=True)
    released_at: Mapped[datetime | None] = mapped_column(nullable=True)


class ErasureRequest(Base):
    __tablename__ = "retention_erasure"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), index=True)
    org_id: Mapped[str] = mapped_column(String(64), index=True)
    requested_at: Mapped[datetime]
    due_at: Mapped[datetime]
    provisional: Mapped[bool] = mapped_column(default=False)
    done_at: Mapped[datetime | None] = mapped_column(nullable=True)
