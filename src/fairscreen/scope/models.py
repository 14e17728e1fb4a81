"""Positions: the purpose and grade that decide a check's scope (分類分級)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fairscreen.db.base import Base


class Position(Base):
    __tablename__ = "scope_position"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("identity_org.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(32))
    grade: Mapped[str] = mapped_column(String(16))
    pack: Mapped[str] = mapped_column(String(16))
    pack_version: Mapped[str] = mapped_column(String(64))
    allowed_categories: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime]
