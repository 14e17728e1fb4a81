"""What remains of a destroyed case, legal holds, and erasure requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
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


class OrgRetentionPolicy(Base):
    """An organisation's shorter retention periods (days); null keeps the pack's period."""

    __tablename__ = "retention_policy"

    org_id: Mapped[str] = mapped_column(ForeignKey("identity_org.id"), primary_key=True)
    not_hired: Mapped[int | None] = mapped_column(Integer, nullable=True)
    hired_after_end: Mapped[int | None] = mapped_column(Integer, nullable=True)
    abandoned_without_consent: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[datetime]

    def overrides(self) -> dict[str, int]:
        """Return the periods the organisation set."""
        values = {
            "not_hired": self.not_hired,
            "hired_after_end": self.hired_after_end,
            "abandoned_without_consent": self.abandoned_without_consent,
        }
        return {k: v for k, v in values.items() if v is not None}
