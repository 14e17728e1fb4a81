"""Findings and their sources; claims, origins and notes stored only sealed."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fairscreen.db.base import Base
from fairscreen.db.types import SealedBytes
from fairscreen.shared.sealed import Sealed


class Finding(Base):
    """One fact about the candidate, with its status under the verification rules."""

    __tablename__ = "verification_finding"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases_case.id"), index=True)
    # The case's organisations, copied at recording (a case never changes them): the
    # regulator's figures count an organisation's findings from an index of their own,
    # not by joining each of a million findings to its case (12 s -> see bench_million).
    employer_org_id: Mapped[str] = mapped_column(String(64))
    agency_org_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    category: Mapped[str] = mapped_column(String(64))
    claim: Mapped[Sealed | None] = mapped_column(SealedBytes, nullable=True)
    adverse: Mapped[bool] = mapped_column(Boolean, default=False)
    subject_role: Mapped[str | None] = mapped_column(String(32), nullable=True)
    severity: Mapped[str] = mapped_column(String(16))
    job_related: Mapped[bool] = mapped_column(Boolean, default=True)
    fact_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    reason_code: Mapped[str] = mapped_column(String(32))
    rules_version: Mapped[str] = mapped_column(String(64))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Source(Base):
    """One source consulted for a finding; its origin is comparable only as a keyed hash."""

    __tablename__ = "verification_source"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    finding_id: Mapped[str] = mapped_column(ForeignKey("verification_finding.id"), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases_case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    origin: Mapped[Sealed | None] = mapped_column(SealedBytes, nullable=True)
    origin_normalised: Mapped[str] = mapped_column(String(64))
    supports: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[Sealed | None] = mapped_column(SealedBytes, nullable=True)
    # For record sources: which of the candidate's identifiers matched the record (sealed).
    matched_identifiers: Mapped[Sealed | None] = mapped_column(SealedBytes, nullable=True)
    retracted: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime]
