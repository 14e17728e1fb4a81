"""Released reports: one row per version, with the rating and the rules that produced it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fairscreen.db.base import Base


class RatingReport(Base):
    """A released report version; ids and codes only, the findings stay sealed elsewhere."""

    __tablename__ = "rating_report"
    __table_args__ = (UniqueConstraint("case_id", "version"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases_case.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    rating: Mapped[str] = mapped_column(String(16))
    rules_version: Mapped[str] = mapped_column(String(64))
    rules_sha256: Mapped[str] = mapped_column(String(64))
    explanation: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    finding_ids: Mapped[list[str]] = mapped_column(JSON)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    released_by: Mapped[str] = mapped_column(String(64))
    released_at: Mapped[datetime]
