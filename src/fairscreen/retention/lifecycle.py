"""Archiving decided cases, and an organisation's shorter retention periods."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select

from fairscreen.cases.actions import transition
from fairscreen.cases.models import Case
from fairscreen.db.uow import UnitOfWork
from fairscreen.identity.models import Org
from fairscreen.identity.policy import SYSTEM, Actor, require_staff
from fairscreen.ledger.event_types import EventType
from fairscreen.ledger.events import EventValue, append_event
from fairscreen.ledger.models import LedgerEvent
from fairscreen.retention.models import OrgRetentionPolicy
from fairscreen.retention.policy import DEFAULT_DAYS, RetentionPolicy
from fairscreen.retention.queries import describe_policy, pack_days
from fairscreen.shared.errors import NotFound

ARCHIVE_AFTER_DAYS = 30
CHUNK = 500


def do_archive_decided(
    new_uow: Callable[[], UnitOfWork],
    *,
    now: datetime,
    after_days: int = ARCHIVE_AFTER_DAYS,
    chunk: int = CHUNK,
) -> int:
    """Archive decided cases whose decision is older than `after_days`; return how many."""
    cutoff = now - timedelta(days=after_days)
    # The decision's time is its ledger event: the record nobody can rewrite.
    decided_before = exists().where(
        LedgerEvent.case_id == Case.id,
        LedgerEvent.type == EventType.DECISION_RECORDED,
        LedgerEvent.at <= cutoff,
    )
    archived = 0
    while True:
        with new_uow() as tx:
            query = (
                select(Case)
                .where(Case.status == "decided", decided_before)
                .order_by(Case.id)
                .limit(chunk)
            )
            if tx.session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            cases = list(tx.session.scalars(query))
            if not cases:
                return archived
            for case in cases:
                transition(tx, case, "archive", actor=SYSTEM, data={"after_days": after_days})
            tx.commit()
        archived += len(cases)


def do_set_retention_policy(
    uow: UnitOfWork, *, actor: Actor, org_id: str, days: Mapping[str, int | None]
) -> dict[str, Any]:
    """Shorten (never lengthen) an organisation's retention periods; return the effective one."""
    require_staff(actor, "admin")
    if actor.org_id != org_id:
        raise NotFound()
    with uow as tx:
        org = tx.session.get(Org, org_id)
        if org is None:
            raise NotFound()
        given = {k: v for k, v in days.items() if v is not None}
        RetentionPolicy.from_pack(pack_days(org.pack), given)  # refuses lengthening
        now = tx.clock.now()
        row = tx.session.get(OrgRetentionPolicy, org_id, with_for_update=True)
        if row is None:
            row = OrgRetentionPolicy(org_id=org_id, updated_at=now)
            tx.session.add(row)
        for key in DEFAULT_DAYS:
            setattr(row, key, given.get(key))
        row.updated_at = now
        tx.session.flush()
        data: dict[str, EventValue] = {k: given.get(k) for k in DEFAULT_DAYS}
        append_event(
            tx.session,
            type=EventType.RETENTION_POLICY_UPDATED,
            actor=actor.ref,
            at=now,
            org_id=org_id,
            data=data,
        )
        answer = describe_policy(tx.session, org)
        tx.commit()
        return answer


def get_retention_policy(uow: UnitOfWork, *, actor: Actor, org_id: str) -> dict[str, Any]:
    """Return an organisation's effective retention policy (its own staff only)."""
    require_staff(actor)
    if actor.org_id != org_id:
        raise NotFound()
    with uow as tx:
        org = tx.session.get(Org, org_id)
        if org is None:
            raise NotFound()
        return describe_policy(tx.session, org)
