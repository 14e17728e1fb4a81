"""The dispute and complaint desk (接訴即辦): one owner at once, a due date, a closure.

Disputes go to the investigators doing the check; complaints to the employer's HR.
A resolved dispute that changes a finding releases a re-rated report version.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from fairscreen.cases.actions import case_ref
from fairscreen.cases.models import Case
from fairscreen.consent.language import candidate_lang
from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.feedback.models import FeedbackItem
from fairscreen.feedback.notices import (
    STAFF_LANG,
    calendar_for,
    candidate_address,
    send_after_commit,
)
from fairscreen.feedback.policy import OPEN, pick_owner
from fairscreen.identity.models import User
from fairscreen.identity.policy import Actor, access_case_as_investigator, require_staff
from fairscreen.ledger.event_types import EventType
from fairscreen.ledger.events import append_event, iso
from fairscreen.mail.render import compose
from fairscreen.scope.guard import ensure_clean_text
from fairscreen.scope.policy import load_pack
from fairscreen.shared.errors import Conflict, Forbidden, InvalidState, NotFound, ValidationFailed
from fairscreen.shared.ids import new_id
from fairscreen.verification.actions import recompute
from fairscreen.verification.models import Finding, Source
from fairscreen.webhooks.actions import enqueue

KINDS = ("dispute", "complaint", "review")
# The prefix of each kind's ids (how each is named to its owner: mail/templates/).
ID_PREFIX = {"dispute": "dsp", "complaint": "cmp", "review": "rvw"}
DISPUTE_OUTCOMES = ("corrected", "removed", "upheld")
COMPLAINT_CATEGORIES = (
    "consent",
    "scope",
    "investigation_conduct",
    "data_handling",
    "decision",
    "other",
)
# Cases in which the candidate has a report to dispute.
DISPUTABLE = frozenset({"report_released", "decided"})
MAX_TEXT = 8000


def clean_text(value: str | None, field: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(f"Give the {field}.", field=field)
    if len(value) > MAX_TEXT:
        raise ValidationFailed(f"The {field} is longer than {MAX_TEXT} characters.", field=field)
    return value


def candidate_case(tx: Tx, actor: Actor) -> Case:
    if actor.kind != "candidate" or actor.case_id is None:
        raise Forbidden("This is for the candidate, through the invitation link.")
    case = tx.session.get(Case, actor.case_id, with_for_update=True)
    if case is None or case.status == "destroyed":
        raise NotFound()
    return case


def _open_counts(tx: Tx, owners: list[str]) -> dict[str, int]:
    rows = tx.session.execute(
        select(FeedbackItem.owner_id, func.count())
        .where(FeedbackItem.owner_id.in_(owners), FeedbackItem.status.in_(OPEN))
        .group_by(FeedbackItem.owner_id)
    )
    return {str(owner): int(n) for owner, n in rows}


def assign_owner(
    tx: Tx, org_id: str, roles: tuple[str, ...], *, not_user: str | None = None
) -> User:
    """Give the item to the least-loaded active user of the roles (other than `not_user`)."""
    users = [
        user
        for user in tx.session.scalars(
            select(User).where(User.org_id == org_id, User.role.in_(roles), User.active.is_(True))
        )
        if user.id != not_user
    ]
    if not users:
        raise InvalidState("Nobody in the organisation can take this on; ask its admin.")
    owner_id = pick_owner([u.id for u in users], _open_counts(tx, [u.id for u in users]))
    return next(u for u in users if u.id == owner_id)


def opened(tx: Tx, case: Case, item: FeedbackItem, owner: User, actor: Actor) -> dict[str, Any]:
    """Store a new item, log it, and tell its owner; return the candidate's answer."""
    tx.session.add(item)
    append_event(
        tx.session,
        type=EventType(f"{item.kind}.opened"),
        actor=actor.ref,
        at=item.opened_at,
        case_id=case.id,
        org_id=case.employer_org_id,
        data={
            f"{item.kind}_id": item.id,
            "owner": owner.id,
            "due_at": iso(item.due_at),
            "finding_id": item.finding_id,
            "category": item.category,
        },
    )
    message = compose(
        "feedback_opened",
        STAFF_LANG,
        to=owner.email,
        case_id=case.id,
        kind=item.kind,
        item_id=item.id,
        due=item.due_at,
    )
    send_after_commit(tx, [message])
    return {
        "id": item.id,
        "status": item.status,
        "owner": owner.id,
        "owner_name": owner.name,
        "due_at": item.due_at.isoformat(),
        "provisional": item.provisional,
    }


def new_item(
    tx: Tx,
    case: Case,
    *,
    kind: str,
    owner: User,
    statement: str,
    days: int,
    now: datetime,
    finding_id: str | None = None,
    category: str | None = None,
) -> FeedbackItem:
    deadline = calendar_for(case).add_working_days(now, days)
    vault = tx.vault
    # The candidate's own words: sealed, never screened (it would silence them).
    sealed = vault.seal(case.id, f"{kind}.statement", statement)
    return FeedbackItem(
        id=new_id(ID_PREFIX[kind]),
        kind=kind,
        case_id=case.id,
        employer_org_id=case.employer_org_id,
        owner_org_id=owner.org_id,
        owner_id=owner.id,
        category=category,
        finding_id=finding_id,
        statement=sealed,
        status="open",
        opened_at=now,
        due_at=deadline.at,
        provisional=deadline.provisional,
    )


def do_file_dispute(
    uow: UnitOfWork,
    *,
    actor: Actor,
    statement: str,
    finding_id: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """File the candidate's dispute of the report; an owner and a due date at once."""
    statement = clean_text(statement, "statement")
    with uow as tx:
        case = candidate_case(tx, actor)
        if case.status not in DISPUTABLE:
            raise InvalidState("There is no released report to dispute.", status=case.status)
        if finding_id is not None:
            finding = tx.session.get(Finding, finding_id)
            if finding is None or finding.case_id != case.id:
                raise NotFound("There is no such finding in your report.")
        now = now or tx.clock.now()
        owner = assign_owner(tx, case.agency_org_id or case.employer_org_id, ("investigator",))
        days = int(load_pack(case.pack).settings.get("dispute_due_business_days", 15))
        item = new_item(
            tx,
            case,
            kind="dispute",
            owner=owner,
            statement=statement,
            days=days,
            now=now,
            finding_id=finding_id,
        )
        answer = opened(tx, case, item, owner, actor)
        enqueue(
            tx,
            org_id=case.employer_org_id,
            event_type="dispute.opened",
            data={
                "case_id": case.id,
                "dispute_id": item.id,
                "status": "open",
                "due_at": item.due_at.isoformat(),
            },
        )
        tx.commit()
        return answer


def item_for_update(tx: Tx, kind: str, item_id: str) -> FeedbackItem:
    item = tx.session.get(FeedbackItem, item_id, with_for_update=True)
    if item is None or item.kind != kind:
        raise NotFound(f"There is no such {kind}.")
    return item


def require_owner_org(actor: Actor, item: FeedbackItem, *roles: str) -> None:
    require_staff(actor)
    if actor.org_id not in (item.owner_org_id, item.employer_org_id):
        raise NotFound(f"There is no such {item.kind}.")
    require_staff(actor, *roles)
    if actor.org_id != item.owner_org_id:
        raise Forbidden(f"Only the organisation that owns this {item.kind} handles it.")


@contextmanager
def one_winner() -> Iterator[None]:
    # Two handlers at once: the row lock (PostgreSQL) or the version check (SQLite)
    # lets one through; the other is told to reload.
    try:
        yield
    except StaleDataError as exc:
        raise Conflict() from exc


def do_start_dispute(uow: UnitOfWork, *, actor: Actor, dispute_id: str) -> dict[str, Any]:
    """Take a dispute into review."""
    with one_winner(), uow as tx:
        item = item_for_update(tx, "dispute", dispute_id)
        require_owner_org(actor, item, "investigator", "admin")
        if item.status != "open":
            raise InvalidState("Only an open dispute can be taken into review.", status=item.status)
        now = tx.clock.now()
        item.status = "in_review"
        item.started_at = now
        append_event(
            tx.session,
            type=EventType.DISPUTE_REVIEW_STARTED,
            actor=actor.ref,
            at=now,
            case_id=item.case_id,
            org_id=item.employer_org_id,
            data={"dispute_id": item.id},
        )
        tx.session.flush()
        tx.commit()
        return {"id": item.id, "status": item.status}


def _remove_finding(tx: Tx, finding: Finding) -> None:
    # Every source retracted: the finding is unverified and leaves the report and rating.
    for source in tx.session.scalars(select(Source).where(Source.finding_id == finding.id)):
        source.retracted = True
    tx.session.flush()
    recompute(tx, finding)


def do_resolve_dispute(
    uow: UnitOfWork,
    *,
    actor: Actor,
    dispute_id: str,
    outcome: str,
    note: str,
    claim: str | None = None,
) -> dict[str, Any]:
    """Resolve a dispute; a changed finding re-rates the report and the employer is told."""
    if outcome not in DISPUTE_OUTCOMES:
        raise ValidationFailed("outcome must be corrected, removed or upheld.", field="outcome")
    note = clean_text(note, "note")
    ensure_clean_text(note)
    if outcome == "corrected":
        claim = clean_text(claim, "claim")
        ensure_clean_text(claim)
    with one_winner(), uow as tx:
        session = tx.session
        item = item_for_update(tx, "dispute", dispute_id)
        case = session.get(Case, item.case_id, with_for_update=True)
        assert case is not None
        access_case_as_investigator(actor, case_ref(case))
        require_owner_org(actor, item, "investigator")
        if item.status not in OPEN:
            raise InvalidState("This dispute is already resolved.", status=item.status)
        now = tx.clock.now()
        finding = session.get(Finding, item.finding_id) if item.finding_id else None
        if outcome in ("corrected", "removed") and finding is None:
            raise ValidationFailed(
                "Only a dispute about a finding can correct or remove it.", field="outcome"
            )
        vault = tx.vault
        item.answer = vault.seal(case.id, "dispute.note", note)
        if outcome == "corrected" and finding is not None and claim:
            finding.claim = vault.seal(case.id, "finding.claim", claim)
        if outcome == "removed" and finding is not None:
            _remove_finding(tx, finding)
        elif outcome == "corrected" and finding is not None:
            recompute(tx, finding)
        item.status = "resolved"
        item.outcome = outcome
        item.closed_at = now
        item.closed_by = actor.id
        session.flush()
        report_version = None
        if outcome != "upheld" and case.status in DISPUTABLE:
            # Imported late: rating releases through feedback's notice hook.
            from fairscreen.rating.actions import release_in

            report_version = release_in(tx, actor=actor, case=case, revise=True).version
        item.report_version = report_version
        append_event(
            session,
            type=EventType.DISPUTE_RESOLVED,
            actor=actor.ref,
            at=now,
            case_id=case.id,
            org_id=case.employer_org_id,
            data={
                "dispute_id": item.id,
                "outcome": outcome,
                "finding_id": item.finding_id,
                "report_version": report_version,
            },
        )
        enqueue(
            tx,
            org_id=case.employer_org_id,
            event_type="dispute.resolved",
            data={
                "case_id": case.id,
                "dispute_id": item.id,
                "status": "resolved",
                "outcome": outcome,
                "report_version": report_version,
            },
        )
        to = candidate_address(tx, case)
        if to is not None:
            lang = candidate_lang(tx.session, case.id)
            message = compose(
                "dispute_resolved", lang, to=to, case_id=case.id, item_id=item.id, outcome=outcome
            )
            send_after_commit(tx, [message])
        session.flush()
        tx.commit()
        answer: dict[str, Any] = {"id": item.id, "status": "resolved", "outcome": outcome}
        if report_version is not None:
            answer["report_version"] = report_version
        return answer
