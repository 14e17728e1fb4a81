"""Read-only views of the desk and the decision, and the figures kept for the regulator."""

from __future__ import annotations

import statistics
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from fairscreen.cases.actions import load_case
from fairscreen.cases.models import Case
from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.feedback.models import FeedbackDecision, FeedbackItem, FeedbackNotice
from fairscreen.feedback.policy import ADVERSE_LEVELS, FEEDBACK_STATUSES, OPEN, load_reasons
from fairscreen.identity.models import User
from fairscreen.identity.policy import Actor, require_staff
from fairscreen.shared.clock import as_utc
from fairscreen.shared.errors import Forbidden, NotFound, ValidationFailed
from fairscreen.verification.models import Finding
from fairscreen.verification.queries import Opener

ANSWER_FIELDS = {
    "dispute": "dispute.note",
    "complaint": "complaint.answer",
    "review": "review.answer",
}


def decision_reasons() -> dict[str, Any]:
    """Return the published list of decision reasons."""
    return load_reasons().published()


def _iso(value: datetime | None) -> str | None:
    return as_utc(value).isoformat() if value is not None else None


def _owner_names(session: Session, items: list[FeedbackItem]) -> dict[str, str]:
    ids = sorted({i.owner_id for i in items})
    if not ids:
        return {}
    return {u.id: u.name for u in session.scalars(select(User).where(User.id.in_(ids)))}


def item_view(
    item: FeedbackItem, owner_name: str | None, now: datetime, open_: Opener | None = None
) -> dict[str, Any]:
    """Return one dispute or complaint; its texts only for a viewer who may see them."""
    view: dict[str, Any] = {
        "id": item.id,
        "kind": item.kind,
        "case_id": item.case_id,
        "status": item.status,
        "owner": item.owner_id,
        "owner_name": owner_name,
        "opened_at": _iso(item.opened_at),
        "due_at": _iso(item.due_at),
        "provisional": item.provisional,
        "overdue": item.status in OPEN and as_utc(item.due_at) < now,
        "finding_id": item.finding_id,
        "category": item.category,
        "closed_at": _iso(item.closed_at),
        "outcome": item.outcome,
        "report_version": item.report_version,
        "escalated": item.escalated_at is not None,
        "satisfaction": item.satisfaction_score,
    }
    if open_ is not None:
        view["statement"] = open_(f"{item.kind}.statement", item.statement)
        # The field each kind's answer was sealed under (its AAD): a mismatch cannot open.
        field = ANSWER_FIELDS.get(item.kind, "complaint.answer")
        view["answer"] = open_(field, item.answer)
    return view


def next_overdue(items: list[dict[str, Any]], now: datetime) -> datetime | None:
    """Return when the first of these item views that is open and not yet overdue falls due."""
    dues = [
        due
        for item in items
        if item.get("status") in OPEN and item.get("due_at")
        if (due := as_utc(datetime.fromisoformat(item["due_at"]))) >= now
    ]
    return min(dues, default=None)


def candidate_items(uow: UnitOfWork, *, actor: Actor, kind: str) -> list[dict[str, Any]]:
    """Return the candidate's own disputes or complaints, with owner and due date."""
    if actor.kind != "candidate" or actor.case_id is None:
        raise Forbidden("This is for the candidate, through the invitation link.")
    with uow as tx:
        case = tx.session.get(Case, actor.case_id)
        items = list(
            tx.session.scalars(
                select(FeedbackItem)
                .where(FeedbackItem.case_id == actor.case_id, FeedbackItem.kind == kind)
                .order_by(FeedbackItem.opened_at, FeedbackItem.id)
            )
        )
        names = _owner_names(tx.session, items)
        open_ = Opener(tx, actor, case) if case is not None else None
        now = tx.clock.now()
        return [item_view(i, names.get(i.owner_id), now, open_) for i in items]


def staff_items(
    uow: UnitOfWork, *, actor: Actor, kind: str, status: str | None = None
) -> list[dict[str, Any]]:
    """Return the items the actor's organisation owns, overdue first, then by due date."""
    require_staff(actor, "admin", "employer", "investigator")
    if status is not None and status not in FEEDBACK_STATUSES:
        raise ValidationFailed(
            f"status must be one of {', '.join(FEEDBACK_STATUSES)}.", field="status"
        )
    with uow as tx:
        query = select(FeedbackItem).where(
            FeedbackItem.kind == kind, FeedbackItem.owner_org_id == actor.org_id
        )
        if status:
            query = query.where(FeedbackItem.status == status)
        items = list(tx.session.scalars(query))
        names = _owner_names(tx.session, items)
        now = tx.clock.now()
        views = [item_view(i, names.get(i.owner_id), now) for i in items]
        views.sort(key=lambda v: (not v["overdue"], v["status"] not in OPEN, v["due_at"]))
        return views


def decision_view(row: FeedbackDecision) -> dict[str, Any]:
    """Return a decision without personal data."""
    return {
        "id": row.id,
        "outcome": row.outcome,
        "reasons": list(row.reasons),
        "report_version": row.report_version,
        "employment_end": row.employment_end.isoformat() if row.employment_end else None,
        "decided_by": row.decided_by,
        "decided_at": _iso(row.decided_at),
    }


def case_section(tx: Tx, actor: Actor, case: Case) -> dict[str, Any]:
    """Return the disputes, complaints, waiting period and decision of a case file."""
    session = tx.session
    items = list(
        session.scalars(
            select(FeedbackItem)
            .where(FeedbackItem.case_id == case.id)
            .order_by(FeedbackItem.opened_at, FeedbackItem.id)
        )
    )
    names = _owner_names(session, items)
    now = tx.clock.now()
    open_ = Opener(tx, actor, case)
    # The decision (one per case, if taken) and the latest notice's waiting end in one
    # statement, anchored on the case's own row so that either may be missing.
    waiting_ends = (
        select(FeedbackNotice.waiting_ends_at)
        .where(FeedbackNotice.case_id == case.id)
        .order_by(FeedbackNotice.report_version.desc())
        .limit(1)
        .scalar_subquery()
    )
    decision, waiting_ends_at = session.execute(
        select(FeedbackDecision, waiting_ends)
        .select_from(Case)
        .outerjoin(FeedbackDecision, FeedbackDecision.case_id == Case.id)
        .where(Case.id == case.id)
    ).one()
    return {
        "disputes": [
            item_view(i, names.get(i.owner_id), now, open_) for i in items if i.kind == "dispute"
        ],
        "complaints": [
            item_view(i, names.get(i.owner_id), now, open_) for i in items if i.kind == "complaint"
        ],
        "decision": decision_view(decision) if decision else None,
        "waiting_ends_at": _iso(waiting_ends_at),
    }


def _figures(items: list[Any]) -> dict[str, Any]:
    # Items or rows of `_DESK_COLUMNS`: both have these attributes.
    closed = [i for i in items if i.closed_at is not None]
    on_time = [i for i in closed if as_utc(i.closed_at) <= as_utc(i.due_at)]
    days = [(as_utc(i.closed_at) - as_utc(i.opened_at)).total_seconds() / 86400 for i in closed]
    outcomes: dict[str, int] = {}
    for i in closed:
        outcomes[i.outcome or "none"] = outcomes.get(i.outcome or "none", 0) + 1
    scores = [i.satisfaction_score for i in items if i.satisfaction_score is not None]
    return {
        "count": len(items),
        "closed": len(closed),
        "open": len(items) - len(closed),
        "on_time_rate": round(len(on_time) / len(closed), 4) if closed else None,
        "median_days_to_close": round(statistics.median(days), 2) if days else None,
        "outcomes": outcomes,
        "satisfaction_average": round(statistics.fmean(scores), 2) if scores else None,
        "satisfaction_count": len(scores),
    }


# The columns the desk's figures read: rows of these, not whole items, at an
# organisation's tens of thousands of disputes (the statements stay in the database).
_DESK_COLUMNS = (
    FeedbackItem.kind,
    FeedbackItem.opened_at,
    FeedbackItem.due_at,
    FeedbackItem.closed_at,
    FeedbackItem.outcome,
    FeedbackItem.satisfaction_score,
)


def desk_figures(session: Session, org_id: str, since: datetime, until: datetime) -> dict[str, Any]:
    """Return the desk's figures for items opened in [since, until) on an org's cases."""
    rows: list[Any] = list(
        session.execute(
            select(*_DESK_COLUMNS).where(
                or_(FeedbackItem.employer_org_id == org_id, FeedbackItem.owner_org_id == org_id),
                FeedbackItem.opened_at >= since,
                FeedbackItem.opened_at < until,
            )
        )
    )
    return {
        "disputes": _figures([r for r in rows if r.kind == "dispute"]),
        "complaints": _figures([r for r in rows if r.kind == "complaint"]),
    }


def decisions_before_waiting_or_during_dispute(session: Session, org_id: str) -> int:
    """Count adverse decisions taken in the waiting period or with a dispute open (always 0)."""
    # Counted by the database: an organisation decides on hundreds of thousands of cases.
    early = session.scalar(
        select(func.count())
        .select_from(FeedbackDecision)
        .where(
            FeedbackDecision.org_id == org_id,
            FeedbackDecision.outcome == "reject",
            or_(
                FeedbackDecision.open_disputes > 0,
                and_(
                    FeedbackDecision.waiting_ends_at.is_not(None),
                    FeedbackDecision.decided_at < FeedbackDecision.waiting_ends_at,
                ),
            ),
        )
    )
    return int(early or 0)


def case_notices(uow: UnitOfWork, *, actor: Actor, case_id: str) -> list[dict[str, Any]]:
    """Return the notices a case gave, oldest first: each report release, the adverse decision.

    A release reached the candidate and the employer's HR at the same moment and started
    a waiting period; an adverse decision told the candidate its reasons.
    """
    require_staff(actor)
    with uow as tx:
        case = load_case(tx.session, actor, case_id)
        rows = tx.session.scalars(
            select(FeedbackNotice)
            .where(FeedbackNotice.case_id == case.id)
            .order_by(FeedbackNotice.report_version)
        )
        notices: list[dict[str, Any]] = [
            {
                "kind": "adverse_report" if n.rating in ADVERSE_LEVELS else "report",
                "report_version": n.report_version,
                "rating": n.rating,
                "at": _iso(n.released_at),
                "waiting_ends_at": _iso(n.waiting_ends_at),
                "provisional": n.provisional,
                "to": ["candidate", "employer"],
                "reasons": [],
            }
            for n in rows
        ]
        decision = tx.session.scalar(
            select(FeedbackDecision).where(FeedbackDecision.case_id == case.id)
        )
        if decision is not None and decision.outcome == "reject":
            notices.append(
                {
                    "kind": "adverse_decision",
                    "report_version": decision.report_version,
                    "rating": None,
                    "at": _iso(decision.decided_at),
                    "waiting_ends_at": None,
                    "provisional": False,
                    "to": ["candidate"],
                    "reasons": list(decision.reasons),
                }
            )
        return notices


def desk_item(uow: UnitOfWork, *, actor: Actor, kind: str, item_id: str) -> dict[str, Any]:
    """Return one dispute or complaint of the actor's organisation, with its texts.

    A dispute about a finding carries that finding's category and claim, so whoever
    answers reads what the candidate disputes.
    """
    require_staff(actor, "admin", "employer", "investigator")
    with uow as tx:
        item = tx.session.get(FeedbackItem, item_id)
        if item is None or item.kind != kind:
            raise NotFound(f"There is no such {kind}.")
        if actor.org_id not in (item.owner_org_id, item.employer_org_id):
            raise NotFound(f"There is no such {kind}.")
        case = tx.session.get(Case, item.case_id)
        if case is None:
            raise NotFound(f"There is no such {kind}.")
        open_ = Opener(tx, actor, case)
        names = _owner_names(tx.session, [item])
        view = item_view(item, names.get(item.owner_id), tx.clock.now(), open_)
        view["case_status"] = case.status
        view["finding"] = None
        if item.finding_id:
            finding = tx.session.get(Finding, item.finding_id)
            # The employer reads only what its released report shows (`cases.visibility`).
            if finding is not None and open_.sight.shows_finding(finding.id, finding.status):
                view["finding"] = {
                    "id": finding.id,
                    "category": finding.category,
                    "status": finding.status,
                    "adverse": finding.adverse,
                    "claim": open_("finding.claim", finding.claim),
                }
        return view


def candidate_decision(uow: UnitOfWork, *, actor: Actor) -> dict[str, Any] | None:
    """Return the employer's decision on the candidate's own case (no staff names), or None."""
    if actor.kind != "candidate" or actor.case_id is None:
        raise Forbidden("This is for the candidate, through the invitation link.")
    with uow as tx:
        row = tx.session.scalar(
            select(FeedbackDecision).where(FeedbackDecision.case_id == actor.case_id)
        )
        if row is None:
            return None
        return {
            "outcome": row.outcome,
            "reasons": list(row.reasons),
            "report_version": row.report_version,
            "decided_at": _iso(row.decided_at),
        }
