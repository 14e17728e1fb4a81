"""The desk's time limits (限時辦結): remind the owner before the due date, escalate after."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from fairscreen.cases.models import Case
from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.feedback.models import FeedbackItem
from fairscreen.feedback.notices import (
    STAFF_LANG,
    calendar_for,
    send_after_commit,
    staff_addresses,
    user_address,
)
from fairscreen.feedback.policy import OPEN
from fairscreen.identity.policy import SYSTEM
from fairscreen.ledger.event_types import EventType
from fairscreen.ledger.events import append_event
from fairscreen.mail.render import compose
from fairscreen.shared.clock import as_utc

REMIND_BUSINESS_DAYS = 2


def _pending(tx: Tx) -> list[str]:
    return list(
        tx.session.scalars(
            select(FeedbackItem.id)
            .where(
                FeedbackItem.status.in_(OPEN),
                (FeedbackItem.reminded_at.is_(None)) | (FeedbackItem.escalated_at.is_(None)),
            )
            .order_by(FeedbackItem.due_at)
        )
    )


def _handle(uow: UnitOfWork, item_id: str, now: datetime) -> str | None:
    """Remind or escalate one item in its own transaction; return what was done."""
    with uow as tx:
        item = tx.session.get(FeedbackItem, item_id, with_for_update=True)
        if item is None or item.status not in OPEN:
            return None
        case = tx.session.get(Case, item.case_id)
        if case is None:
            return None
        due = as_utc(item.due_at)
        done: str | None = None
        if item.escalated_at is None and now >= due:
            item.escalated_at = now
            done = "escalated"
            to = staff_addresses(tx, item.owner_org_id, ("admin",))
            template = "feedback_overdue"
        elif item.reminded_at is None and item.escalated_at is None:
            left = calendar_for(case).working_days_between(now, due)
            if left > REMIND_BUSINESS_DAYS:
                return None
            item.reminded_at = now
            done = "reminded"
            owner = user_address(tx, item.owner_id)
            to = [owner] if owner else []
            template = "feedback_due_soon"
        else:
            return None
        append_event(
            tx.session,
            type=EventType(f"{item.kind}.{done}"),
            actor=SYSTEM.ref,
            at=now,
            case_id=item.case_id,
            org_id=item.employer_org_id,
            data={f"{item.kind}_id": item.id},
        )
        messages = [
            compose(
                template,
                STAFF_LANG,
                to=a,
                case_id=item.case_id,
                item_id=item.id,
                due=due,
            )
            for a in to
        ]
        send_after_commit(tx, messages)
        tx.session.flush()
        tx.commit()
        return done


def do_remind_and_escalate(new_uow: Callable[[], UnitOfWork], *, now: datetime) -> dict[str, int]:
    """Send each due reminder and each escalation once; safe to run at any interval."""
    with new_uow() as reader:
        pending = _pending(reader)
    counts = {"reminded": 0, "escalated": 0}
    for item_id in pending:
        done = _handle(new_uow(), item_id, now)
        if done:
            counts[done] += 1
    return counts
