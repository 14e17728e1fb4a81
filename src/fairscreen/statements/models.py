"""The candidate's own account of a finding: context that travels with the report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from fairscreen.db.base import Base
from fairscreen.db.types import SealedBytes
from fairscreen.shared.sealed import Sealed


class CandidateAccount(Base):
    __tablename__ = "statements_account"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), index=True)
    finding_id: Mapped[str] = mapped_column(String(64), index=True)
    statement: Mapped[Sealed | None] = mapped_column(SealedBytes, nullable=True)
    created_at: Mapped[datetime]
