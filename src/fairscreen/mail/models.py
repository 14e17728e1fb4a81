"""The mail queue: every message is a row, written in the transaction that decides it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fairscreen.db.base import Base
from fairscreen.db.types import SealedBytes
from fairscreen.shared.sealed import Sealed


class QueuedMail(Base):
    """One message to one address, kept until it is sent or given up.

    A message about a case (every message to a candidate is) is sealed under the case's
    data key, so the queue holds no readable personal data and destroying the case (which
    deletes its rows too) leaves nothing to read. A message about no case goes to a
    staff member's work address and is kept as it is. Once sent, the content is dropped
    and the row stays as the record that it went, with its attempts.
    """

    __tablename__ = "mail_queued"
    __table_args__ = (Index("ix_mail_queued_due", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    sealed: Mapped[Sealed | None] = mapped_column(SealedBytes, nullable=True)
    plain: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The language the message was rendered in (mail/render.py); NULL before 0006.
    lang: Mapped[str | None] = mapped_column(String(8), nullable=True)
    created_at: Mapped[datetime]
    # pending (to send at next_attempt_at), sent, or failed (given up; see last_error).
    status: Mapped[str] = mapped_column(String(16), default="pending")
    next_attempt_at: Mapped[datetime | None] = mapped_column(nullable=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(100), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
