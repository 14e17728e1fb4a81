"""Compliance figures kept for regulators: refused collection attempts, no personal data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from fairscreen.cases.models import Case
from fairscreen.consent.models import ConsentRecord
from fairscreen.db.base import Base
from fairscreen.verification.models import Finding


class ComplianceRefusal(Base):
    """One attempt the rules refused (out of scope, forbidden, without consent, ...)."""

    __tablename__ = "compliance_refusal"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("identity_org.id"), index=True)
    # No foreign key: the case may be destroyed, the count must stay.
    case_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    code: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(index=True)


# Indexes for the regulator's aggregate figures on other modules' tables: each figure is
# one GROUP BY over an organisation's cases in a period, answered from the index alone
# (the case id is included so the per-case EXISTS probes need not read the table).
Index(
    "ix_compliance_case_employer_created",
    Case.employer_org_id,
    Case.created_at,
    Case.status,
    Case.id,
)
Index(
    "ix_compliance_case_agency_created", Case.agency_org_id, Case.created_at, Case.status, Case.id
)
Index("ix_compliance_case_employer_due", Case.employer_org_id, Case.destroy_due_at)
Index("ix_compliance_consent_case_decision", ConsentRecord.case_id, ConsentRecord.decision)
Index(
    "ix_compliance_finding_employer_recorded",
    Finding.employer_org_id,
    Finding.recorded_at,
    Finding.status,
    Finding.case_id,
)
Index(
    "ix_compliance_finding_agency_recorded",
    Finding.agency_org_id,
    Finding.recorded_at,
    Finding.status,
    Finding.case_id,
)
