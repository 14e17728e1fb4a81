"""The dispute and complaint desk: owners, due dates, resolution, reminders, satisfaction."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from factories.consent import candidate
from factories.world import make_world, staff
from fairscreen.consent.actions import do_withdraw_consent
from fairscreen.feedback.complaints import (
    do_answer_complaint,
    do_file_complaint,
    do_rate_satisfaction,
)
from fairscreen.feedback.desk import do_file_dispute, do_resolve_dispute, do_start_dispute
from fairscreen.feedback.queries import candidate_items, desk_figures, staff_items
from fairscreen.feedback.reminders import do_remind_and_escalate
from fairscreen.rating.models import RatingReport
from fairscreen.shared.errors import Conflict, InvalidState
from fairscreen.shared.workdays import load_calendar
from fairscreen.webhooks.actions import do_create_endpoint
from fairscreen.webhooks.models import Delivery
from integration.feedback.helpers import released_case


def test_a_dispute_gets_an_owner_and_a_business_day_due_date_at_once(fs, clock):
    world = make_world(fs)
    _, finding_id, token, cand = released_case(world)
    answer = do_file_dispute(
        fs.uow(), actor=cand, statement="I hold that degree", finding_id=finding_id
    )
    assert answer["status"] == "open"
    assert answer["owner"] == world["investigator"].actor.id
    expected = load_calendar("cn").add_working_days(clock.now(), 15)
    assert answer["due_at"] == expected.at.isoformat()
    assert answer["provisional"] == expected.provisional
    mine = candidate_items(fs.reader(), actor=cand, kind="dispute")
    assert mine[0]["owner_name"] and mine[0]["statement"] == "I hold that degree"
    owner_mail = [m for m in fs.outbox() if "New dispute" in m.subject]
    assert len(owner_mail) == 1 and "I hold that degree" not in owner_mail[0].body


def test_the_least_loaded_investigator_owns_the_next_dispute(fs, clock):
    world = make_world(fs)
    second = staff(fs, world.agency, "investigator")
    _, f1, _, c1 = released_case(world)
    _, f2, _, c2 = released_case(world)
    a = do_file_dispute(fs.uow(), actor=c1, statement="wrong", finding_id=f1)
    b = do_file_dispute(fs.uow(), actor=c2, statement="wrong", finding_id=f2)
    assert {a["owner"], b["owner"]} == {world["investigator"].actor.id, second.actor.id}


def test_resolving_removed_releases_a_new_version_without_the_finding_and_tells_the_employer(
    fs, clock
):
    world = make_world(fs)
    do_create_endpoint(
        fs.uow(),
        actor=world["admin"].actor,
        url="https://ats.example/h",
        events=["report.updated", "dispute.resolved"],
    )
    case_id, finding_id, _, cand = released_case(world)
    dispute = do_file_dispute(fs.uow(), actor=cand, statement="Not me", finding_id=finding_id)
    inv = world["investigator"].actor
    assert do_start_dispute(fs.uow(), actor=inv, dispute_id=dispute["id"])["status"] == "in_review"
    answer = do_resolve_dispute(
        fs.uow(),
        actor=inv,
        dispute_id=dispute["id"],
        outcome="removed",
        note="The registry record belongs to another person",
    )
    assert answer == {
        "id": dispute["id"],
        "status": "resolved",
        "outcome": "removed",
        "report_version": 2,
    }
    with fs.reader() as uow:
        reports = uow.session.scalars(
            select(RatingReport)
            .where(RatingReport.case_id == case_id)
            .order_by(RatingReport.version)
        ).all()
        assert reports[0].rating != "green" and finding_id in reports[0].finding_ids
        assert finding_id not in reports[1].finding_ids
        assert reports[1].changes["removed"] == [finding_id]
        events = sorted(d.event_type for d in uow.session.scalars(select(Delivery)))
        assert events == ["dispute.resolved", "report.updated"]
    told = [m for m in fs.outbox() if m.subject.startswith("报告已发布") and "v2" in m.subject]
    assert told and finding_id in told[0].body


def test_upheld_keeps_the_report_and_needs_reasons(fs, clock):
    world = make_world(fs)
    case_id, finding_id, _, cand = released_case(world)
    dispute = do_file_dispute(fs.uow(), actor=cand, statement="Not me", finding_id=finding_id)
    inv = world["investigator"].actor
    from fairscreen.shared.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        do_resolve_dispute(
            fs.uow(), actor=inv, dispute_id=dispute["id"], outcome="upheld", note=" "
        )
    answer = do_resolve_dispute(
        fs.uow(),
        actor=inv,
        dispute_id=dispute["id"],
        outcome="upheld",
        note="Two registries confirm the record",
    )
    assert "report_version" not in answer


def test_two_investigators_resolving_at_once_one_wins_one_is_told_to_reload(fs, clock):
    world = make_world(fs)
    second = staff(fs, world.agency, "investigator")
    _, finding_id, _, cand = released_case(world)
    dispute = do_file_dispute(fs.uow(), actor=cand, statement="Not me", finding_id=finding_id)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def resolve(actor) -> None:
        barrier.wait()
        try:
            results.append(
                do_resolve_dispute(
                    fs.uow(),
                    actor=actor,
                    dispute_id=dispute["id"],
                    outcome="removed",
                    note="Wrong person",
                )
            )
        except (InvalidState, Conflict) as exc:
            results.append(exc)

    threads = [
        threading.Thread(target=resolve, args=(a,))
        for a in (world["investigator"].actor, second.actor)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(isinstance(r, dict) for r in results) == 1
    assert sum(isinstance(r, (InvalidState, Conflict)) for r in results) == 1


def test_a_complaint_is_accepted_even_after_withdrawal(fs, clock):
    world = make_world(fs)
    _, _, token, cand = released_case(world)
    do_withdraw_consent(fs.uow(), actor=cand)
    answer = do_file_complaint(
        fs.uow(), actor=candidate(world, token), category="data_handling", statement="Delete it"
    )
    assert answer["status"] == "open"
    assert answer["owner"] in {world["hr"].actor.id, world["admin"].actor.id}
    expected = load_calendar("cn").add_working_days(clock.now(), 10)
    assert answer["due_at"] == expected.at.isoformat()


def test_satisfaction_is_asked_only_after_closure(fs, clock):
    world = make_world(fs)
    _, _, _, cand = released_case(world)
    complaint = do_file_complaint(fs.uow(), actor=cand, category="other", statement="Slow")
    with pytest.raises(InvalidState):
        do_rate_satisfaction(
            fs.uow(), actor=cand, kind="complaint", item_id=complaint["id"], score=4
        )
    do_answer_complaint(
        fs.uow(), actor=world["hr"].actor, complaint_id=complaint["id"], answer="We apologise"
    )
    rated = do_rate_satisfaction(
        fs.uow(), actor=cand, kind="complaint", item_id=complaint["id"], score=4, comment="ok"
    )
    assert rated["score"] == 4
    with pytest.raises(InvalidState):
        do_rate_satisfaction(
            fs.uow(), actor=cand, kind="complaint", item_id=complaint["id"], score=5
        )
    with fs.reader() as uow:
        figures = desk_figures(
            uow.session,
            world.employer,
            datetime(2026, 1, 1, tzinfo=UTC),
            datetime(2027, 1, 1, tzinfo=UTC),
        )
    assert figures["complaints"]["count"] == 1
    assert figures["complaints"]["on_time_rate"] == 1.0
    assert figures["complaints"]["satisfaction_average"] == 4
    assert figures["disputes"]["count"] == 0


def test_the_owner_is_reminded_once_and_the_admin_told_once_when_overdue(fs, clock):
    world = make_world(fs)
    _, finding_id, _, cand = released_case(world)
    dispute = do_file_dispute(fs.uow(), actor=cand, statement="Not me", finding_id=finding_id)
    assert do_remind_and_escalate(fs.uow, now=clock.now()) == {"reminded": 0, "escalated": 0}
    due = datetime.fromisoformat(dispute["due_at"])
    clock.set(load_calendar("cn").add_working_days(clock.now(), 13).at.astimezone(UTC))
    assert do_remind_and_escalate(fs.uow, now=clock.now()) == {"reminded": 1, "escalated": 0}
    assert do_remind_and_escalate(fs.uow, now=clock.now()) == {"reminded": 0, "escalated": 0}
    clock.set(due.astimezone(UTC))
    assert do_remind_and_escalate(fs.uow, now=clock.now()) == {"reminded": 0, "escalated": 1}
    assert do_remind_and_escalate(fs.uow, now=clock.now()) == {"reminded": 0, "escalated": 0}
    owner_reminders = [m for m in fs.outbox() if "Due soon" in m.subject]
    escalations = [m for m in fs.outbox() if "Overdue" in m.subject]
    assert [m.to for m in owner_reminders] == [_email(fs, dispute["owner"])]
    assert [m.to for m in escalations] == [_email(fs, world["agency_admin"].actor.id)]
    clock.advance(hours=1)
    listed = staff_items(fs.reader(), actor=world["investigator"].actor, kind="dispute")
    assert listed[0]["overdue"] and listed[0]["escalated"]


def _email(fs, user_id: str) -> str:
    from fairscreen.identity.models import User

    with fs.reader() as uow:
        return uow.session.get(User, user_id).email


def test_a_correction_after_the_decision_revises_the_report_and_the_case_stays_decided(fs, clock):
    from fairscreen.cases.models import Case
    from fairscreen.feedback.actions import do_record_decision
    from fairscreen.rating.actions import do_release_report

    world = make_world(fs)
    case_id, finding_id, _, cand = released_case(world, adverse=False)
    do_record_decision(
        fs.uow(),
        actor=world["hr"].actor,
        case_id=case_id,
        outcome="hire",
        reasons=["checks_completed"],
    )
    inv = world["investigator"].actor
    with pytest.raises(InvalidState):
        do_release_report(fs.uow(), actor=inv, case_id=case_id)
    dispute = do_file_dispute(fs.uow(), actor=cand, statement="Wrong year", finding_id=finding_id)
    answer = do_resolve_dispute(
        fs.uow(),
        actor=inv,
        dispute_id=dispute["id"],
        outcome="corrected",
        note="The registry shows 2016, not 2015",
        claim="Bachelor's degree conferred in 2016",
    )
    assert answer["report_version"] == 2
    with fs.reader() as uow:
        assert uow.session.get(Case, case_id).status == "decided"
    mine = candidate_items(fs.reader(), actor=cand, kind="dispute")
    assert mine[0]["outcome"] == "corrected" and mine[0]["report_version"] == 2
