"""Human re-review of a reject, and re-verification of stale references before one."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factories.consent import candidate, consented_case
from factories.world import make_world, staff
from fairscreen.feedback.actions import do_record_decision
from fairscreen.feedback.complaints import do_rate_satisfaction
from fairscreen.feedback.models import FeedbackDecision, FeedbackItem
from fairscreen.feedback.queries import staff_items
from fairscreen.feedback.reviews import do_answer_review, do_request_review
from fairscreen.ledger.models import LedgerEvent
from fairscreen.rating.actions import do_release_report
from fairscreen.shared.errors import (
    Forbidden,
    InvalidState,
    NotFound,
    ReverificationRequired,
    WaitingPeriod,
)
from fairscreen.verification.actions import do_add_source, do_record_finding
from integration.feedback.helpers import released_case


def _reject(fs, world, case_id, reason="credential_mismatch"):
    return do_record_decision(
        fs.uow(), actor=world["hr"].actor, case_id=case_id, outcome="reject", reasons=[reason]
    )


STALE_REASON = "employment_history_mismatch"


def _referenced_case(world):
    """A released report on an adverse finding that a document and a reference hold up."""
    case_id, token = consented_case(world, categories=("identity", "employment_history"))
    inv = world["investigator"].actor
    finding_id = do_record_finding(
        world.app.uow(),
        actor=inv,
        case_id=case_id,
        category="employment_history",
        claim="Was not employed at the declared firm in 2019",
        adverse=True,
        severity="material",
    ).id
    for kind, origin in (("document", "payslip seen"), ("reference", "former manager")):
        do_add_source(
            world.app.uow(),
            actor=inv,
            finding_id=finding_id,
            kind=kind,
            origin=origin,
            supports=True,
        )
    do_release_report(world.app.uow(), actor=inv, case_id=case_id)
    return case_id, finding_id, token


def test_a_reference_older_than_three_months_must_be_verified_again(fs, clock):
    world = make_world(fs)
    case_id, finding_id, _ = _referenced_case(world)
    with pytest.raises(WaitingPeriod):
        _reject(fs, world, case_id, STALE_REASON)
    clock.advance(days=95)
    with pytest.raises(ReverificationRequired) as refused:
        _reject(fs, world, case_id, STALE_REASON)
    assert refused.value.details["finding_ids"] == [finding_id]
    # The investigator speaks to the reference again: the finding counts once more.
    do_add_source(
        fs.uow(),
        actor=world["investigator"].actor,
        finding_id=finding_id,
        kind="reference",
        origin="former manager",
        supports=True,
    )
    assert _reject(fs, world, case_id, STALE_REASON)["outcome"] == "reject"


def test_the_waiting_period_still_answers_first(fs, clock):
    world = make_world(fs)
    case_id, _, _ = _referenced_case(world)
    clock.advance(days=1)
    with pytest.raises(WaitingPeriod):
        _reject(fs, world, case_id, STALE_REASON)


def _rejected(fs, clock, world):
    case_id, _, token, cand = released_case(world)
    clock.advance(days=8)
    _reject(fs, world, case_id)
    return case_id, cand


def test_a_rejected_candidate_gets_a_re_review_by_someone_else(fs, clock):
    world = make_world(fs)
    colleague = staff(fs, world.employer, "employer")
    case_id, cand = _rejected(fs, clock, world)
    asked = do_request_review(fs.uow(), actor=cand, statement="Please look again: I finished.")
    assert asked["status"] == "open" and asked["owner"] != world["hr"].actor.id
    assert asked["owner"] in (colleague.actor.id, world["admin"].actor.id)
    with pytest.raises(InvalidState):
        do_request_review(fs.uow(), actor=cand, statement="again")
    owner = colleague if asked["owner"] == colleague.actor.id else world["admin"]
    queue = staff_items(fs.reader(), actor=owner.actor, kind="review")
    assert [item["id"] for item in queue] == [asked["id"]]

    # The decider may not review their own decision; another organisation may not see it.
    with pytest.raises((Forbidden, NotFound)):
        do_answer_review(
            fs.uow(),
            actor=world["investigator"].actor,
            review_id=asked["id"],
            outcome="reversed",
            answer="x",
        )
    answer = do_answer_review(
        fs.uow(),
        actor=owner.actor,
        review_id=asked["id"],
        outcome="reversed",
        answer="The registry entry was for another person of the same name.",
    )
    assert answer == {"id": asked["id"], "status": "resolved", "outcome": "reversed"}
    with fs.reader() as uow:
        decision = uow.session.scalar(
            select(FeedbackDecision).where(FeedbackDecision.case_id == case_id)
        )
        assert decision.outcome == "hire"
        types = uow.session.scalars(
            select(LedgerEvent.type).where(LedgerEvent.case_id == case_id)
        ).all()
    assert "review.opened" in types and "review.answered" in types
    assert any("Re-review answered" in m.subject for m in fs.outbox())
    rated = do_rate_satisfaction(fs.uow(), actor=cand, kind="review", item_id=asked["id"], score=4)
    assert rated["score"] == 4


def test_the_person_who_decided_cannot_answer_the_re_review(fs, clock):
    world = make_world(fs)
    case_id, cand = _rejected(fs, clock, world)
    asked = do_request_review(fs.uow(), actor=cand, statement="Please look again.")
    with fs.uow() as uow:
        item = uow.session.get(FeedbackItem, asked["id"])
        item.owner_id = world["hr"].actor.id  # even if the item were handed to them
        uow.commit()
    with pytest.raises(Forbidden, match="someone other"):
        do_answer_review(
            fs.uow(),
            actor=world["hr"].actor,
            review_id=asked["id"],
            outcome="upheld",
            answer="Upheld.",
        )


def test_no_re_review_without_a_decision_against_the_candidate(fs, clock):
    world = make_world(fs)
    case_id, _, token, cand = released_case(world)
    with pytest.raises(InvalidState):
        do_request_review(fs.uow(), actor=cand, statement="Please look again.")
    do_record_decision(
        fs.uow(),
        actor=world["hr"].actor,
        case_id=case_id,
        outcome="hire",
        reasons=["checks_completed"],
    )
    with pytest.raises(InvalidState):
        do_request_review(fs.uow(), actor=candidate(world, token), statement="Please.")
