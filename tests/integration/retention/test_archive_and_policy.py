"""Archiving decided cases, and organisations shortening (never lengthening) retention."""

from __future__ import annotations

from datetime import timedelta

import pytest

from factories.consent import consented_case
from factories.world import make_world, open_case
from fairscreen.cases.actions import transition
from fairscreen.cases.models import Case
from fairscreen.evidence.actions import do_upload_evidence
from fairscreen.identity.policy import SYSTEM
from fairscreen.ledger.events import events_of_case
from fairscreen.rating.actions import do_release_report
from fairscreen.retention.actions import do_purge_due
from fairscreen.retention.lifecycle import (
    do_archive_decided,
    do_set_retention_policy,
    get_retention_policy,
)
from fairscreen.retention.queries import effective_policy
from fairscreen.shared.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from fairscreen.verification.actions import do_record_finding


def _decided(world) -> tuple[str, str]:
    case_id, _ = consented_case(world)
    finding_id = do_record_finding(
        world.app.uow(),
        actor=world["investigator"].actor,
        case_id=case_id,
        category="education",
        claim="Bachelor of Arts, 2012",
    ).id
    do_release_report(world.app.uow(), actor=world["investigator"].actor, case_id=case_id)
    with world.app.uow() as uow:
        transition(uow, uow.session.get(Case, case_id), "decide", actor=SYSTEM)
        uow.commit()
    return case_id, finding_id


def _status(fs, case_id: str) -> str:
    with fs.reader() as uow:
        return uow.session.get(Case, case_id).status


def test_decided_case_is_archived_once_the_decision_is_30_days_old(fs, clock) -> None:
    world = make_world(fs)
    case_id, _ = _decided(world)
    clock.advance(days=29)
    assert do_archive_decided(fs.uow, now=clock.now()) == 0
    clock.advance(days=2)
    assert do_archive_decided(fs.uow, now=clock.now()) == 1
    assert _status(fs, case_id) == "archived"
    with fs.reader() as uow:
        assert events_of_case(uow.session, case_id)[-1].type == "case.archived"
    assert do_archive_decided(fs.uow, now=clock.now()) == 0


def test_the_archive_period_can_be_chosen(fs, clock) -> None:
    world = make_world(fs)
    case_id, _ = _decided(world)
    clock.advance(days=8)
    assert do_archive_decided(fs.uow, now=clock.now(), after_days=7) == 1


def test_nothing_more_is_collected_into_decided_or_archived_cases(fs, clock) -> None:
    world = make_world(fs)
    case_id, finding_id = _decided(world)
    pdf = b"%PDF-1.4 late scan"
    with pytest.raises(InvalidState):
        do_upload_evidence(
            fs.uow(), actor=world["investigator"].actor, finding_id=finding_id, data=pdf
        )
    clock.advance(days=31)
    do_archive_decided(fs.uow, now=clock.now())
    with pytest.raises(InvalidState):
        do_upload_evidence(
            fs.uow(), actor=world["investigator"].actor, finding_id=finding_id, data=pdf
        )
    with pytest.raises(InvalidState):
        do_record_finding(
            fs.uow(),
            actor=world["investigator"].actor,
            case_id=case_id,
            category="education",
            claim="Another degree",
        )


def test_an_organisation_may_shorten_its_periods(fs) -> None:
    world = make_world(fs)
    answer = do_set_retention_policy(
        fs.uow(), actor=world["admin"].actor, org_id=world.employer, days={"not_hired": 90}
    )
    assert answer["not_hired"] == 90 and answer["hired_after_end"] == 30
    assert answer["overrides"] == {"not_hired": 90}
    with fs.reader() as uow:
        policy = effective_policy(uow.session, world.employer, "cn")
        assert (policy.not_hired, policy.abandoned_without_consent) == (90, 30)
        assert effective_policy(uow.session, world.agency, "cn").not_hired == 180
    # a later PUT replaces: a period left out goes back to the pack's
    answer = do_set_retention_policy(
        fs.uow(), actor=world["admin"].actor, org_id=world.employer, days={"hired_after_end": 10}
    )
    assert (answer["not_hired"], answer["hired_after_end"]) == (180, 10)


def test_an_organisation_may_not_lengthen_its_periods(fs) -> None:
    world = make_world(fs)
    with pytest.raises(ValidationFailed, match="not lengthened"):
        do_set_retention_policy(
            fs.uow(), actor=world["admin"].actor, org_id=world.employer, days={"not_hired": 181}
        )


def test_only_an_admin_of_the_organisation_sets_its_policy(fs) -> None:
    world = make_world(fs)
    with pytest.raises(Forbidden):
        do_set_retention_policy(
            fs.uow(), actor=world["hr"].actor, org_id=world.employer, days={"not_hired": 1}
        )
    with pytest.raises(NotFound):
        do_set_retention_policy(
            fs.uow(), actor=world["agency_admin"].actor, org_id=world.employer, days={}
        )
    with pytest.raises(NotFound):
        get_retention_policy(fs.reader(), actor=world["investigator"].actor, org_id=world.employer)


def test_a_shorter_abandonment_period_purges_sooner(fs, clock) -> None:
    world = make_world(fs)
    case_id, _ = open_case(world)
    do_set_retention_policy(
        fs.uow(),
        actor=world["admin"].actor,
        org_id=world.employer,
        days={"abandoned_without_consent": 7},
    )
    clock.advance(days=6)
    assert do_purge_due(fs.uow, now=clock.now()).destroyed == 0
    clock.advance(days=2)
    report = do_purge_due(fs.uow, now=clock.now())
    assert report.destroyed == 1 and report.by_reason == {"abandoned": 1}
    assert _status(fs, case_id) == "destroyed"


def test_a_decided_case_is_still_destroyed_when_due(fs, clock) -> None:
    world = make_world(fs)
    case_id, _ = _decided(world)
    with fs.uow() as uow:
        uow.session.get(Case, case_id).destroy_due_at = clock.now() + timedelta(days=40)
        uow.commit()
    clock.advance(days=31)
    do_archive_decided(fs.uow, now=clock.now())
    clock.advance(days=10)
    assert do_purge_due(fs.uow, now=clock.now()).destroyed == 1
