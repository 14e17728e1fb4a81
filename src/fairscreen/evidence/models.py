"""Evidence files: the row names a sealed object in the evidence store, never its content."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from fairscreen.db.base import Base


class EvidenceFile(Base):
    """A scan attached to a finding, stored sealed under the case key."""

    __tablename__ = "evidence_file"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases_case.id"), index=True)
    finding_id: Mapped[str] = mapped_column(ForeignKey("verification_finding.id"), index=True)
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    # The hash of the stored ciphertext: a plaintext hash could confirm a guessed document.
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime]
