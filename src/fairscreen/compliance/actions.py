"""Counting refused collection attempts per organisation, outside the refused transaction.

Which refusals count is a property of the error class (`DomainError.counted`); the unit of
work records them (db/uow.py), so every channel counts the same refusal the same way.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from fairscreen.compliance.models import ComplianceRefusal
from fairscreen.db.uow import UnitOfWork
from fairscreen.shared import errors
from fairscreen.shared.ids import new_id

# The refusals a regulator sees counted: attempts to collect what the rules forbid.
COUNTED_CODES = tuple(
    cls.code
    for cls in vars(errors).values()
    if isinstance(cls, type) and issubclass(cls, errors.DomainError) and cls.counted
)


def record_refusal(uow: UnitOfWork, *, org_id: str, case_id: str | None, code: str) -> None:
    """Count one refused attempt in its own short transaction (the refused one rolls back)."""
    if code not in COUNTED_CODES:
        raise ValueError(f"not a counted refusal code: {code}")
    with uow as tx:
        tx.session.add(
            ComplianceRefusal(
                id=new_id("ref"), org_id=org_id, case_id=case_id, code=code, at=tx.clock.now()
            )
        )
        tx.commit()


def refusal_counts(
    uow: UnitOfWork, *, org_id: str, since: datetime | None = None, until: datetime | None = None
) -> dict[str, int]:
    """Return the organisation's refused attempts by code (every counted code present)."""
    query = select(ComplianceRefusal.code, func.count()).where(ComplianceRefusal.org_id == org_id)
    if since is not None:
        query = query.where(ComplianceRefusal.at >= since)
    if until is not None:
        query = query.where(ComplianceRefusal.at < until)
    counts = dict.fromkeys(COUNTED_CODES, 0)
    with uow as tx:
        for code, n in tx.session.execute(query.group_by(ComplianceRefusal.code)):
            counts[code] = int(n)
    return counts
