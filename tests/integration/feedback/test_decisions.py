"""Decisions: the waiting period, open disputes, prohibited reasons, assessments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from factories.world import make_world
from fairscreen.cases.models import Case
from fairscreen.feedback.actions import do_record_assessment, do_record_decision
from fairscreen.feedback.desk import do_file_dispute
from fairscreen.feedback.models import FeedbackDecision, FeedbackNotice
from fairscreen.feedback.queries import decisions_before_waiting_or_during_dispute
from fairscreen.shared.errors import (
    AssessmentRequired,
    DisputeOpen,
    InvalidState,
    ProhibitedReason,
    WaitingPeriod,
)
from fairscreen.webhooks.actions import do_create_endpoint
from fairscreen.webhooks.models import Delivery
from integration.feedback.helpers import released_case

ASSESSMENT = {
    "nature_gravity": "Theft conviction, a single offence",
    "time_elapsed": "Eight years ago",
    "relation_to_duties": "The role guards a warehouse of goods",
    "candidate_account": "The candidate explained the circumstances",
    "conclusion": "Directly related to the duties",
}


def _reject(fs, world, case_id, reasons=("credential_mismatch",)):
    return do_record_decision(
        fs.uow(), actor=world["hr"].actor, case_id=case_id, outcome="reject", reasons=list(reasons)
    )


def test_release_records_the_waiting_period_and_tells_both_sides_at_once(fs, clock):
    world = make_world(fs)
    do_create_endpoint(
        fs.uow(),
        actor=world["admin"].actor,
        url="https://ats.example/h",
        events=["report.released"],
    )
    case_id, _, _, _ = released_case(world)
    with fs.reader() as uow:
        notice = uow.session.scalar(select(FeedbackNotice).where(FeedbackNotice.case_id == case_id))
        assert notice is not None
        # Monday 23 Nov + 5 working days, the weekend not counted: Monday 30 Nov.
        assert notice.waiting_ends_at.replace(tzinfo=UTC) == datetime(2026, 11, 30, 9, tzinfo=UTC)
        deliveries = uow.session.scalars(select(Delivery)).all()
        assert [d.event_type for d in deliveries] == ["report.released"]
        assert "@" not in deliveries[0].body
    mails = [m for m in fs.outbox() if m.case_id == case_id and "invitation" not in m.subject]
    recipients = {m.to for m in mails}
    assert "zhang.wei@candidate.example" in recipients
    assert world["hr"].actor.id and any(r.startswith("employer") for r in recipients)
    candidate_mail = next(
        m for m in mails if m.to == "zhang.wei@candidate.example" and "Report" in m.subject
    )
    assert "pre-adverse" in candidate_mail.body
    assert "fsc_" not in candidate_mail.body


def test_a_reject_waits_five_working_days_across_the_weekend(fs, clock):
    world = make_world(fs)
    case_id, _, _, _ = released_case(world)
    with pytest.raises(WaitingPeriod):
        _reject(fs, world, case_id)
    clock.advance(days=6)  # Sunday 29 Nov: six calendar days, four working days
    with pytest.raises(WaitingPeriod):
        _reject(fs, world, case_id)
    clock.advance(days=1)  # Monday 30 Nov
    answer = _reject(fs, world, case_id)
    assert answer["status"] == "decided" and answer["outcome"] == "reject"
    assert answer["destroy_due_at"].startswith("2027-05-29")
    with fs.reader() as uow:
        assert uow.session.get(Case, case_id).status == "decided"
        assert decisions_before_waiting_or_during_dispute(uow.session, world.employer) == 0
    notice = [m for m in fs.outbox() if "Adverse decision" in m.subject]
    assert len(notice) == 1 and "Declared credential" in notice[0].body


def test_a_hire_is_allowed_at_once(fs, clock):
    world = make_world(fs)
    case_id, _, _, _ = released_case(world)
    answer = do_record_decision(
        fs.uow(),
        actor=world["hr"].actor,
        case_id=case_id,
        outcome="hire",
        reasons=["checks_completed"],
    )
    assert answer["status"] == "decided" and answer["destroy_due_at"] is None


def test_a_litigation_record_reason_is_refused_before_anything_else(fs, clock):
    world = make_world(fs)
    case_id, finding_id, _, cand = released_case(world)
    do_file_dispute(fs.uow(), actor=cand, statement="This is wrong", finding_id=finding_id)
    with pytest.raises(ProhibitedReason):
        _reject(fs, world, case_id, reasons=("litigation_record",))


def test_an_open_dispute_blocks_a_reject_even_after_the_waiting_period(fs, clock):
    world = make_world(fs)
    case_id, finding_id, _, cand = released_case(world)
    do_file_dispute(fs.uow(), actor=cand, statement="I hold that degree", finding_id=finding_id)
    clock.advance(days=10)
    with pytest.raises(DisputeOpen):
        _reject(fs, world, case_id)
    with fs.reader() as uow:
        assert decisions_before_waiting_or_during_dispute(uow.session, world.employer) == 0


@pytest.mark.parametrize(
    ("outcome", "open_disputes", "days_before_end", "counted"),
    [
        ("reject", 1, -1, 1),  # a dispute still open
        ("reject", 0, 2, 1),  # inside the waiting period
        ("reject", 0, -1, 0),  # after it, nothing open: lawful
        ("hire", 1, 2, 0),  # only adverse decisions count
    ],
)
def test_the_regulator_figure_counts_decisions_that_broke_the_waiting_rules(
    fs, clock, outcome, open_disputes, days_before_end, counted
):
    # The actions refuse such decisions, so the rows are written past them, as a database
    # edited by hand or an older release would hold them: the figure is the check on that.
    world = make_world(fs)
    case_id, _, _, _ = released_case(world)
    now = clock.now()
    with fs.uow() as uow:
        uow.session.add(
            FeedbackDecision(
                id="dec_planted",
                case_id=case_id,
                org_id=world.employer,
                outcome=outcome,
                reasons=["credential_mismatch"],
                decided_by=world["hr"].actor.id,
                decided_at=now,
                waiting_ends_at=now + timedelta(days=days_before_end),
                open_disputes=open_disputes,
            )
        )
        uow.commit()
    with fs.reader() as uow:
        assert decisions_before_waiting_or_during_dispute(uow.session, world.employer) == counted
        assert decisions_before_waiting_or_during_dispute(uow.session, world.agency) == 0


def test_a_reject_on_a_criminal_record_needs_an_individualized_assessment(fs, clock):
    world = make_world(fs)
    case_id, finding_id, _, _ = released_case(
        world, category="criminal_record", purpose="security_sensitive", severity="conviction"
    )
    clock.advance(days=10)
    with pytest.raises(AssessmentRequired):
        _reject(fs, world, case_id, reasons=("job_related_conviction",))
    do_record_assessment(
        fs.uow(),
        actor=world["hr"].actor,
        case_id=case_id,
        finding_ids=[finding_id],
        texts=ASSESSMENT,
    )
    assert _reject(fs, world, case_id, reasons=("job_related_conviction",))["status"] == "decided"


def test_a_decision_needs_a_released_report(fs, clock):
    from factories.consent import consented_case

    world = make_world(fs)
    case_id, _ = consented_case(world)
    with pytest.raises(InvalidState):
        _reject(fs, world, case_id)
