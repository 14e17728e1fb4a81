"""The case: one check of one candidate for one position; personal fields sealed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, MetaData, String, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from fairscreen.cases.revision import case_linked_tables, trigger_ddl
from fairscreen.db.base import Base
from fairscreen.db.types import SealedBytes
from fairscreen.shared.sealed import Sealed


class Case(Base):
    __tablename__ = "cases_case"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    employer_org_id: Mapped[str] = mapped_column(ForeignKey("identity_org.id"), index=True)
    agency_org_id: Mapped[str | None] = mapped_column(
        ForeignKey("identity_org.id"), index=True, nullable=True
    )
    position_id: Mapped[str] = mapped_column(ForeignKey("scope_position.id"))
    status: Mapped[str] = mapped_column(String(24), index=True)
    pack: Mapped[str] = mapped_column(String(16))
    pack_version: Mapped[str] = mapped_column(String(64))
    taxonomy_version: Mapped[str] = mapped_column(String(64))
    categories: Mapped[list[str]] = mapped_column(JSON)
    candidate_name: Mapped[Sealed | None] = mapped_column(SealedBytes, nullable=True)
    candidate_email: Mapped[Sealed | None] = mapped_column(SealedBytes, nullable=True)
    candidate_email_index: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]
    # Set when consent is refused or withdrawn: nothing more is collected or reported.
    collection_stopped_at: Mapped[datetime | None] = mapped_column(nullable=True)
    destroy_due_at: Mapped[datetime | None] = mapped_column(nullable=True, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Moved on by the database whenever a row of the case file changes (cases/revision.py).
    revision: Mapped[int] = mapped_column(Integer, server_default=text("0"))

    __mapper_args__ = {"version_id_col": version}
    # The lists read an organisation's cases newest first, by state or not: with these the
    # first page of a million cases is an index range, not a sort.
    __table_args__ = (
        Index("ix_cases_case_employer_created", "employer_org_id", "created_at", "id"),
        Index("ix_cases_case_agency_created", "agency_org_id", "created_at", "id"),
        Index("ix_cases_case_employer_status_created", "employer_org_id", "status", "created_at"),
    )


class CandidateToken(Base):
    """The candidate's credential: high-entropy, hashed, scoped to one case, expiring."""

    __tablename__ = "cases_candidate_token"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases_case.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)


def _create_revision_triggers(metadata: MetaData, connection: Connection, **_: Any) -> None:
    # After every table exists: the triggers of one table update another (cases/revision.py).
    for statement in trigger_ddl(connection.dialect.name, case_linked_tables(metadata)):
        connection.exec_driver_sql(statement)


event.listen(Base.metadata, "after_create", _create_revision_triggers)
