"""Compliance figures kept for regulators: refused collection attempts, no personal data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fairscreen.db.base import Base


class ComplianceRefusal(Base):
    """One attempt the rules refused (out of scope, forbidden, without consent, ...)."""

    __tablename__ = "compliance_refusal"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("identity_org.id"), index=True)
    # No foreign key: the case may be destroyed, the count must stay.
    case_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    code: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(index=True)
