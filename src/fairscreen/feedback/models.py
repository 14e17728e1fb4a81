"""Result feedback: notices, decisions, assessments, disputes and complaints.

Statements, notes, answers and the assessment's reasoning are stored only sealed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from fairscreen.db.base import Base
from fairscreen.db.types import SealedBytes
from fairscreen.shared.sealed import Sealed


class FeedbackNotice(Base):
    """A report version reaching the candidate and the employer: the waiting period starts."""

    __tablename__ = "feedback_notice"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases_case.id"), index=True)
    report_id: Mapped[str] = mapped_column(String(64))
    report_version: Mapped[int] = mapped_column(Integer)
    rating: Mapped[str] = mapped_column(String(16))
    released_at: Mapped[datetime]
    waiting_ends_at: Mapped[datetime]
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)


class FeedbackDecision(Base):
    """The employer's hiring decision, by a named person, with published reasons."""

    __tablename__ = "feedback_decision"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases_case.id"), index=True, unique=True)
    org_id: Mapped[str] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    report_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    report_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    employment_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[Sealed | None] = mapped_column(SealedBytes, nullable=True)
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(index=True)
    waiting_ends_at: Mapped[datetime | None] = mapped_column(nullable=True)
    open_disputes: Mapped[int] = mapped_column(Integer, default=0)


class FeedbackAssessment(Base):
    """The employer's individualized assessment of criminal-record or conduct findings."""

    __tablename__ = "feedback_assessment"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases_case.id"), index=True)
    finding_ids: Mapped[list[str]] = mapped_column(JSON)
    # The five parts of the reasoning, sealed together as one JSON document.
    reasoning: Mapped[Sealed | None] = mapped_column(SealedBytes, nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class FeedbackItem(Base):
    """A dispute or a complaint: one owner from first contact, a due date, a closure."""

    __tablename__ = "feedback_item"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # dispute | complaint
    case_id: Mapped[str] = mapped_column(ForeignKey("cases_case.id"), index=True)
    employer_org_id: Mapped[str] = mapped_column(String(64), index=True)
    owner_org_id: Mapped[str] = mapped_column(String(64), index=True)
    owner_id: Mapped[str] = mapped_column(String(64), index=True)
    category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    finding_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    statement: Mapped[Sealed | None] = mapped_column(SealedBytes, nullable=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # open | in_review | resolved
    opened_at: Mapped[datetime]
    due_at: Mapped[datetime] = mapped_column(index=True)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    answer: Mapped[Sealed | None] = mapped_column(SealedBytes, nullable=True)
    report_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(nullable=True)
    escalated_at: Mapped[datetime | None] = mapped_column(nullable=True)
    satisfaction_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    satisfaction_comment: Mapped[Sealed | None] = mapped_column(SealedBytes, nullable=True)
    satisfied_at: Mapped[datetime | None] = mapped_column(nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
