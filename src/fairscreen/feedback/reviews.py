"""Human re-review of an adverse decision (PIPL Art. 24, GDPR Art. 22).

No adverse decision rests on the rating alone: a reject already records the person who
decided and the report version they read; the candidate may then ask for a human
re-review. It is tracked like a complaint (an owner from first contact, a due date in
working days, reminders, an answer, satisfaction), and it goes to someone other than the
person who decided, because a second look by the same eyes is no second look.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from fairscreen.cases.models import Case
from fairscreen.consent.language import candidate_lang
from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.feedback.desk import (
    assign_owner,
    candidate_case,
    clean_text,
    item_for_update,
    new_item,
    one_winner,
    opened,
    require_owner_org,
)
from fairscreen.feedback.models import FeedbackDecision, FeedbackItem
from fairscreen.feedback.notices import candidate_address, send_after_commit
from fairscreen.identity.policy import Actor
from fairscreen.ledger.event_types import EventType
from fairscreen.ledger.events import append_event
from fairscreen.mail.render import compose
from fairscreen.retention.policy import RetentionPolicy
from fairscreen.scope.guard import ensure_clean_text
from fairscreen.scope.policy import load_pack
from fairscreen.shared.errors import Forbidden, InvalidState, ValidationFailed
from fairscreen.webhooks.actions import enqueue

REVIEW_OUTCOMES = ("upheld", "reversed")
STAFF_ROLES = ("employer", "admin")


def _decision(tx: Tx, case_id: str) -> FeedbackDecision | None:
    return tx.session.scalar(select(FeedbackDecision).where(FeedbackDecision.case_id == case_id))


def do_request_review(uow: UnitOfWork, *, actor: Actor, statement: str) -> dict[str, Any]:
    """Ask for a person other than the decider to review a decision against the candidate."""
    statement = clean_text(statement, "statement")
    with uow as tx:
        case = candidate_case(tx, actor)
        decision = _decision(tx, case.id)
        if decision is None or decision.outcome != "reject":
            raise InvalidState(
                "A human re-review is for a decision against you; there is none.",
                status=case.status,
            )
        earlier = tx.session.scalar(
            select(FeedbackItem.id).where(
                FeedbackItem.case_id == case.id, FeedbackItem.kind == "review"
            )
        )
        if earlier is not None:
            raise InvalidState("You have already asked for a re-review of this decision.")
        now = tx.clock.now()
        owner = assign_owner(tx, case.employer_org_id, STAFF_ROLES, not_user=decision.decided_by)
        days = int(load_pack(case.pack).settings.get("review_due_business_days", 10))
        item = new_item(
            tx, case, kind="review", owner=owner, statement=statement, days=days, now=now
        )
        answer = opened(tx, case, item, owner, actor)
        tx.commit()
        return answer


def do_answer_review(
    uow: UnitOfWork, *, actor: Actor, review_id: str, outcome: str, answer: str
) -> dict[str, Any]:
    """Answer a re-review: the decision is upheld, or reversed into a hire."""
    if outcome not in REVIEW_OUTCOMES:
        raise ValidationFailed(
            f"outcome must be one of {', '.join(REVIEW_OUTCOMES)}.", field="outcome"
        )
    answer = clean_text(answer, "answer")
    ensure_clean_text(answer)
    with one_winner(), uow as tx:
        item = item_for_update(tx, "review", review_id)
        require_owner_org(actor, item, *STAFF_ROLES)
        if item.status != "open":
            raise InvalidState("This re-review is already answered.", status=item.status)
        case = tx.session.get(Case, item.case_id, with_for_update=True)
        decision = _decision(tx, item.case_id)
        assert case is not None and decision is not None
        if actor.id == decision.decided_by:
            raise Forbidden("A re-review is made by someone other than the person who decided.")
        now = tx.clock.now()
        vault = tx.vault
        item.answer = vault.seal(case.id, "review.answer", answer)
        item.status, item.outcome = "resolved", outcome
        item.closed_at, item.closed_by = now, actor.id
        if outcome == "reversed":
            decision.outcome = "hire"
            retention = load_pack(case.pack).settings.get("retention_days", {})
            case.destroy_due_at = RetentionPolicy.from_pack(retention).due_after_decision(
                "hire", now, decision.employment_end
            )
            enqueue(
                tx,
                org_id=case.employer_org_id,
                event_type="decision.recorded",
                data={"case_id": case.id, "decision_id": decision.id, "outcome": "hire"},
            )
        append_event(
            tx.session,
            type=EventType.REVIEW_ANSWERED,
            actor=actor.ref,
            at=now,
            case_id=case.id,
            org_id=case.employer_org_id,
            data={"review_id": item.id, "outcome": outcome, "decision_id": decision.id},
        )
        to = candidate_address(tx, case)
        if to is not None:
            lang = candidate_lang(tx.session, case.id)
            message = compose(
                "review_answered", lang, to=to, case_id=case.id, item_id=item.id, outcome=outcome
            )
            send_after_commit(tx, [message])
        tx.session.flush()
        tx.commit()
        return {"id": item.id, "status": "resolved", "outcome": outcome}
