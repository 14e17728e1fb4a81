"""Breach records and impact assessments (kept at least three years)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fairscreen.db.base import Base


class Breach(Base):
    __tablename__ = "privacy_breach"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("identity_org.id"), index=True)
    description: Mapped[str] = mapped_column(Text)  # about systems, not about people
    discovered_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    regulator_due_at: Mapped[datetime]
    case_ids: Mapped[list[str]] = mapped_column(JSON)
    regulator_notified_at: Mapped[datetime | None] = mapped_column(nullable=True)
    candidates_notified_at: Mapped[datetime | None] = mapped_column(nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(64))


class ImpactAssessment(Base):
    __tablename__ = "privacy_impact_assessment"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("identity_org.id"), index=True)
    version: Mapped[int]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    keep_until: Mapped[datetime]
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
