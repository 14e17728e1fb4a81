"""Voluntary demographic answers, kept apart from the case file, for the bias audit only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from fairscreen.db.base import Base
from fairscreen.db.types import SealedBytes
from fairscreen.shared.sealed import Sealed


class Demographics(Base):
    __tablename__ = "audit_demographics"

    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), index=True)
    answers: Mapped[Sealed | None] = mapped_column(SealedBytes, nullable=True)
    consented_at: Mapped[datetime]
