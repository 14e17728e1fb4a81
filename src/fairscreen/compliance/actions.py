"""Counting refused collection attempts per organisation, outside the refused transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from fairscreen.compliance.models import ComplianceRefusal
from fairscreen.db.uow import UnitOfWork
from fairscreen.shared.errors import DomainError
from fairscreen.shared.ids import new_id

if TYPE_CHECKING:
    from fairscreen.bootstrap import App

# The refusals a regulator sees counted: attempts to collect what the rules forbid.
COUNTED_CODES = (
    "out_of_scope",
    "forbidden_category",
    "forbidden_content",
    "consent_required",
    "consent_withdrawn",
)


def record_refusal(app: App, *, org_id: str, case_id: str | None, code: str) -> None:
    """Count one refused attempt in its own short transaction (the refused one rolls back)."""
    if code not in COUNTED_CODES:
        raise ValueError(f"not a counted refusal code: {code}")
    with app.uow() as uow:
        uow.session.add(
            ComplianceRefusal(
                id=new_id("ref"), org_id=org_id, case_id=case_id, code=code, at=app.clock.now()
            )
        )
        uow.commit()


@contextmanager
def counting_refusals(
    app: App, *, org_id: str | None, case_id: str | None = None
) -> Iterator[None]:
    """Count a counted refusal raised inside the block against `org_id`, then re-raise it."""
    try:
        yield
    except DomainError as exc:
        if org_id is not None and exc.code in COUNTED_CODES:
            try:
                record_refusal(app, org_id=org_id, case_id=case_id, code=exc.code)
            except Exception:  # noqa: BLE001 - the refusal itself must still reach the caller
                app.log.exception("could not count a refused attempt")
        raise


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
    with uow:
        for code, n in uow.session.execute(query.group_by(ComplianceRefusal.code)):
            counts[code] = int(n)
    return counts
