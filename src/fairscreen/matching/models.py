"""The candidate's own identifiers, sealed, used only to match records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from fairscreen.db.base import Base
from fairscreen.db.types import SealedBytes
from fairscreen.shared.sealed import Sealed


class CandidateIdentifiers(Base):
    __tablename__ = "matching_identifiers"

    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    identifiers: Mapped[Sealed | None] = mapped_column(SealedBytes, nullable=True)
    updated_at: Mapped[datetime]
