"""Complaints (接訴即辦: every complaint accepted) and the candidate's satisfaction (回訪)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fairscreen.cases.models import Case
from fairscreen.consent.language import candidate_lang
from fairscreen.db.uow import UnitOfWork
from fairscreen.feedback.desk import (
    COMPLAINT_CATEGORIES,
    assign_owner,
    candidate_case,
    clean_text,
    item_for_update,
    new_item,
    one_winner,
    opened,
    require_owner_org,
)
from fairscreen.feedback.notices import candidate_address, send_after_commit
from fairscreen.feedback.policy import OPEN
from fairscreen.identity.policy import Actor
from fairscreen.ledger.event_types import EventType
from fairscreen.ledger.events import append_event
from fairscreen.mail.render import compose
from fairscreen.scope.guard import ensure_clean_text
from fairscreen.scope.policy import load_pack
from fairscreen.shared.errors import InvalidState, NotFound, ValidationFailed


def do_file_complaint(
    uow: UnitOfWork,
    *,
    actor: Actor,
    category: str,
    statement: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Accept the candidate's complaint, always; the employer's HR owns it from first contact."""
    if category not in COMPLAINT_CATEGORIES:
        raise ValidationFailed(
            f"category must be one of {', '.join(COMPLAINT_CATEGORIES)}.", field="category"
        )
    statement = clean_text(statement, "statement")
    with uow as tx:
        case = candidate_case(tx, actor)
        now = now or tx.clock.now()
        owner = assign_owner(tx, case.employer_org_id, ("employer", "admin"))
        days = int(load_pack(case.pack).settings.get("complaint_due_business_days", 10))
        item = new_item(
            tx,
            case,
            kind="complaint",
            owner=owner,
            statement=statement,
            days=days,
            now=now,
            category=category,
        )
        answer = opened(tx, case, item, owner, actor)
        tx.commit()
        return answer


def do_answer_complaint(
    uow: UnitOfWork, *, actor: Actor, complaint_id: str, answer: str
) -> dict[str, Any]:
    """Answer a complaint; it is resolved and the candidate is told."""
    answer = clean_text(answer, "answer")
    ensure_clean_text(answer)
    with one_winner(), uow as tx:
        item = item_for_update(tx, "complaint", complaint_id)
        require_owner_org(actor, item, "employer", "admin")
        if item.status not in OPEN:
            raise InvalidState("This complaint is already answered.", status=item.status)
        case = tx.session.get(Case, item.case_id)
        assert case is not None
        now = tx.clock.now()
        vault = tx.vault
        item.answer = vault.seal(case.id, "complaint.answer", answer)
        item.status = "resolved"
        item.outcome = "answered"
        item.closed_at = now
        item.closed_by = actor.id
        append_event(
            tx.session,
            type=EventType.COMPLAINT_ANSWERED,
            actor=actor.ref,
            at=now,
            case_id=case.id,
            org_id=case.employer_org_id,
            data={"complaint_id": item.id},
        )
        to = candidate_address(tx, case)
        if to is not None:
            lang = candidate_lang(tx.session, case.id)
            message = compose("complaint_answered", lang, to=to, case_id=case.id, item_id=item.id)
            send_after_commit(tx, [message])
        tx.session.flush()
        tx.commit()
        return {"id": item.id, "status": "resolved"}


def do_rate_satisfaction(
    uow: UnitOfWork,
    *,
    actor: Actor,
    kind: str,
    item_id: str,
    score: int,
    comment: str | None = None,
) -> dict[str, Any]:
    """Record the candidate's satisfaction (回訪) with a closed dispute or complaint."""
    if not 1 <= score <= 5:
        raise ValidationFailed("score must be 1 to 5.", field="score")
    comment = clean_text(comment, "comment", required=False)
    with one_winner(), uow as tx:
        case = candidate_case(tx, actor)
        item = item_for_update(tx, kind, item_id)
        if item.case_id != case.id:
            raise NotFound(f"There is no such {kind}.")
        if item.status in OPEN:
            raise InvalidState(f"Rate the {kind} once it is closed.", status=item.status)
        if item.satisfaction_score is not None:
            raise InvalidState("You have already answered.", status=item.status)
        now = tx.clock.now()
        item.satisfaction_score = score
        item.satisfied_at = now
        if comment:
            vault = tx.vault
            item.satisfaction_comment = vault.seal(case.id, f"{kind}.satisfaction", comment)
        append_event(
            tx.session,
            type=EventType(f"{kind}.satisfaction_recorded"),
            actor=actor.ref,
            at=now,
            case_id=case.id,
            org_id=case.employer_org_id,
            data={f"{kind}_id": item.id, "score": score},
        )
        tx.session.flush()
        tx.commit()
        return {"id": item.id, "score": score}
