"""Signed consents: the evidence of each authorisation, and what it granted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fairscreen.db.base import Base
from fairscreen.db.types import SealedBytes
from fairscreen.shared.sealed import Sealed


class ConsentRecord(Base):
    """One signature (or refusal). Granted categories are the frozen scope of the check."""

    __tablename__ = "consent_record"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases_case.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))  # signed | refused
    document_version: Mapped[str] = mapped_column(String(64))
    document_sha256: Mapped[str] = mapped_column(String(64))
    document_lang: Mapped[str] = mapped_column(String(8))
    granted_categories: Mapped[list[str]] = mapped_column(JSON)
    declined_categories: Mapped[list[str]] = mapped_column(JSON)
    separate_consent: Mapped[list[str]] = mapped_column(JSON)
    scope_sha256: Mapped[str] = mapped_column(String(64))
    signed_name: Mapped[Sealed | None] = mapped_column(SealedBytes, nullable=True)
    ip: Mapped[Sealed | None] = mapped_column(SealedBytes, nullable=True)
    user_agent: Mapped[Sealed | None] = mapped_column(SealedBytes, nullable=True)
    # How the signer was reached: the masked address the link was mailed to ("j***@x.cn"),
    # sealed; shown as "invitation link sent to j***@x.cn".
    reached_by: Mapped[Sealed | None] = mapped_column(SealedBytes, nullable=True)
    # The signing client matched a recent staff session of the employer: "ip_and_user_agent"
    # (same network and browser) or "ip" (same network); None when it matched none.
    staff_device_match: Mapped[str | None] = mapped_column(String(24), nullable=True)
    at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None] = mapped_column(nullable=True)
