"""Result feedback: decisions, assessments, the dispute and complaint desk."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import Field

from fairscreen.bootstrap import App
from fairscreen.feedback import actions, complaints, desk, queries, reviews
from fairscreen.identity.policy import Actor, require_staff
from fairscreen.web.api.common import Body, Day, errors
from fairscreen.web.deps import AppDep, CandidateDep, StaffDep

router = APIRouter(tags=["feedback"])

Code = Annotated[str, Field(min_length=1, max_length=64)]
Text = Annotated[str, Field(min_length=1, max_length=8000)]


class DecisionIn(Body):
    outcome: Literal["hire", "reject"]
    reasons: Annotated[list[Code], Field(max_length=20)]
    employment_end: Day | None = None
    note: Annotated[str, Field(max_length=4000)] | None = None


class AssessmentIn(Body):
    finding_ids: Annotated[list[Code], Field(min_length=1, max_length=50)]
    nature_gravity: Text
    time_elapsed: Text
    relation_to_duties: Text
    candidate_account: Text
    conclusion: Text


class DisputeIn(Body):
    finding_id: Code | None = None
    statement: Text


class ResolveIn(Body):
    outcome: Literal["corrected", "removed", "upheld"]
    note: Text
    claim: Annotated[str, Field(max_length=4000)] | None = None


class ComplaintIn(Body):
    category: Literal[
        "consent", "scope", "investigation_conduct", "data_handling", "decision", "other"
    ]
    statement: Text


class AnswerIn(Body):
    answer: Text


class ReviewIn(Body):
    statement: Text


class ReviewAnswerIn(Body):
    outcome: Literal["upheld", "reversed"]
    answer: Text


class SatisfactionIn(Body):
    score: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str, Field(max_length=4000)] | None = None


def _rate(app: App, actor: Actor, kind: str, item_id: str, body: SatisfactionIn) -> dict[str, Any]:
    """Record the candidate's satisfaction with a closed item of any kind."""
    return complaints.do_rate_satisfaction(
        app.uow(), actor=actor, kind=kind, item_id=item_id, score=body.score, comment=body.comment
    )


@router.get("/decision-reasons", responses=errors(401, 403))
def decision_reasons(actor: StaffDep) -> dict[str, Any]:
    """The published list of decision reasons (and the ones that may never be used)."""
    require_staff(actor)
    return queries.decision_reasons()


@router.post("/cases/{case_id}/decision", responses=errors(401, 403, 404, 409))
def record_decision(case_id: str, body: DecisionIn, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """Record the hiring decision; refusals come in the contract's order."""
    return actions.do_record_decision(
        app.uow(),
        actor=actor,
        case_id=case_id,
        outcome=body.outcome,
        reasons=body.reasons,
        employment_end=body.employment_end,
        note=body.note or None,
    )


@router.post("/cases/{case_id}/assessment", status_code=201, responses=errors(401, 403, 404))
def record_assessment(
    case_id: str, body: AssessmentIn, app: AppDep, actor: StaffDep
) -> dict[str, Any]:
    """Record the individualized assessment an adverse decision on a record needs."""
    texts = body.model_dump(exclude={"finding_ids"})
    assessment_id = actions.do_record_assessment(
        app.uow(), actor=actor, case_id=case_id, finding_ids=body.finding_ids, texts=texts
    )
    return {"id": assessment_id}


@router.post("/candidate/disputes", status_code=201, responses=errors(401, 403, 404, 409))
def file_dispute(body: DisputeIn, app: AppDep, actor: CandidateDep) -> dict[str, Any]:
    """Dispute the report or one finding of it; an owner and a due date at once."""
    return desk.do_file_dispute(
        app.uow(), actor=actor, statement=body.statement, finding_id=body.finding_id
    )


@router.get("/candidate/disputes", responses=errors(401, 403))
def my_disputes(app: AppDep, actor: CandidateDep) -> list[dict[str, Any]]:
    """The candidate's own disputes, with owner and due date."""
    return queries.candidate_items(app.reader(), actor=actor, kind="dispute")


@router.post("/candidate/complaints", status_code=201, responses=errors(401, 403, 404))
def file_complaint(body: ComplaintIn, app: AppDep, actor: CandidateDep) -> dict[str, Any]:
    """Complain about any part of the check; always accepted."""
    return complaints.do_file_complaint(
        app.uow(), actor=actor, category=body.category, statement=body.statement
    )


@router.get("/candidate/complaints", responses=errors(401, 403))
def my_complaints(app: AppDep, actor: CandidateDep) -> list[dict[str, Any]]:
    """The candidate's own complaints, with owner and due date."""
    return queries.candidate_items(app.reader(), actor=actor, kind="complaint")


@router.post("/candidate/disputes/{item_id}/satisfaction", responses=errors(401, 403, 404, 409))
def rate_dispute(
    item_id: str, body: SatisfactionIn, app: AppDep, actor: CandidateDep
) -> dict[str, Any]:
    """Say how satisfied you are with a closed dispute."""
    return _rate(app, actor, "dispute", item_id, body)


@router.post("/candidate/complaints/{item_id}/satisfaction", responses=errors(401, 403, 404, 409))
def rate_complaint(
    item_id: str, body: SatisfactionIn, app: AppDep, actor: CandidateDep
) -> dict[str, Any]:
    """Say how satisfied you are with an answered complaint."""
    return _rate(app, actor, "complaint", item_id, body)


@router.get("/disputes", responses=errors(401, 403))
def list_disputes(app: AppDep, actor: StaffDep, status: str | None = None) -> list[dict[str, Any]]:
    """The disputes your organisation owns, overdue first."""
    return queries.staff_items(app.reader(), actor=actor, kind="dispute", status=status)


@router.get("/complaints", responses=errors(401, 403))
def list_complaints(
    app: AppDep, actor: StaffDep, status: str | None = None
) -> list[dict[str, Any]]:
    """The complaints your organisation owns, overdue first."""
    return queries.staff_items(app.reader(), actor=actor, kind="complaint", status=status)


@router.post("/disputes/{dispute_id}/start", responses=errors(401, 403, 404, 409))
def start_dispute(dispute_id: str, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """Take a dispute into review."""
    return desk.do_start_dispute(app.uow(), actor=actor, dispute_id=dispute_id)


@router.post("/disputes/{dispute_id}/resolve", responses=errors(401, 403, 404, 409))
def resolve_dispute(
    dispute_id: str, body: ResolveIn, app: AppDep, actor: StaffDep
) -> dict[str, Any]:
    """Resolve a dispute; the report is re-rated where it changed and the employer told."""
    return desk.do_resolve_dispute(
        app.uow(),
        actor=actor,
        dispute_id=dispute_id,
        outcome=body.outcome,
        note=body.note,
        claim=body.claim or None,
    )


@router.post("/complaints/{complaint_id}/answer", responses=errors(401, 403, 404, 409))
def answer_complaint(
    complaint_id: str, body: AnswerIn, app: AppDep, actor: StaffDep
) -> dict[str, Any]:
    """Answer a complaint your organisation owns."""
    return complaints.do_answer_complaint(
        app.uow(), actor=actor, complaint_id=complaint_id, answer=body.answer
    )


@router.post("/candidate/reviews", status_code=201, responses=errors(401, 403, 404, 409))
def request_review(body: ReviewIn, app: AppDep, actor: CandidateDep) -> dict[str, Any]:
    """Ask for a human re-review of a decision against you, by someone other than the decider."""
    return reviews.do_request_review(app.uow(), actor=actor, statement=body.statement)


@router.get("/candidate/reviews", responses=errors(401, 403))
def my_reviews(app: AppDep, actor: CandidateDep) -> list[dict[str, Any]]:
    """The candidate's own re-review requests, with owner and due date."""
    return queries.candidate_items(app.reader(), actor=actor, kind="review")


@router.post("/candidate/reviews/{item_id}/satisfaction", responses=errors(401, 403, 404, 409))
def rate_review(
    item_id: str, body: SatisfactionIn, app: AppDep, actor: CandidateDep
) -> dict[str, Any]:
    """Say how satisfied you are with an answered re-review."""
    return _rate(app, actor, "review", item_id, body)


@router.get("/reviews", responses=errors(401, 403))
def list_reviews(app: AppDep, actor: StaffDep, status: str | None = None) -> list[dict[str, Any]]:
    """The re-review requests your organisation owns, overdue first."""
    return queries.staff_items(app.reader(), actor=actor, kind="review", status=status)


@router.post("/reviews/{review_id}/answer", responses=errors(401, 403, 404, 409))
def answer_review(
    review_id: str, body: ReviewAnswerIn, app: AppDep, actor: StaffDep
) -> dict[str, Any]:
    """Answer a re-review: uphold the decision or reverse it into a hire."""
    return reviews.do_answer_review(
        app.uow(), actor=actor, review_id=review_id, outcome=body.outcome, answer=body.answer
    )
