"""The notices a case gave and one desk item with its texts, as the staff pages read them."""

from __future__ import annotations

import pytest

from factories.world import make_world
from fairscreen.feedback.actions import do_record_decision
from fairscreen.feedback.complaints import do_file_complaint
from fairscreen.feedback.desk import do_file_dispute
from fairscreen.feedback.queries import case_notices, desk_item
from fairscreen.identity.policy import Actor
from fairscreen.shared.errors import NotFound
from integration.feedback.helpers import released_case


def test_the_notices_list_each_release_and_the_adverse_decision(fs, clock) -> None:
    world = make_world(fs)
    case_id, _, _, _ = released_case(world)
    hr = world["hr"].actor
    [release] = case_notices(fs.reader(), actor=hr, case_id=case_id)
    assert release["kind"] == "adverse_report" and release["report_version"] == 1
    assert release["waiting_ends_at"] > release["at"]
    assert release["to"] == ["candidate", "employer"]
    clock.advance(days=10)
    do_record_decision(
        fs.uow(), actor=hr, case_id=case_id, outcome="reject", reasons=["credential_mismatch"]
    )
    notices = case_notices(fs.reader(), actor=hr, case_id=case_id)
    assert [n["kind"] for n in notices] == ["adverse_report", "adverse_decision"]
    assert notices[1]["reasons"] == ["credential_mismatch"] and notices[1]["to"] == ["candidate"]
    outsider = Actor(kind="staff", id="x", org_id="elsewhere", role="employer", org_kind="employer")
    with pytest.raises(NotFound):
        case_notices(fs.reader(), actor=outsider, case_id=case_id)


def test_a_desk_item_shows_its_statement_and_the_finding_disputed(fs) -> None:
    world = make_world(fs)
    _, finding_id, _, cand = released_case(world)
    dispute = do_file_dispute(fs.uow(), actor=cand, statement="学位属实", finding_id=finding_id)
    item = desk_item(
        fs.reader(), actor=world["investigator"].actor, kind="dispute", item_id=dispute["id"]
    )
    assert item["statement"] == "学位属实"
    assert item["finding"]["claim"] == "Declared degree was not conferred"
    assert item["case_status"] == "report_released"
    with pytest.raises(NotFound):
        desk_item(
            fs.reader(), actor=world["investigator"].actor, kind="complaint", item_id=dispute["id"]
        )


def test_a_complaint_is_read_by_the_employer_and_not_by_the_agency(fs) -> None:
    world = make_world(fs)
    _, _, _, cand = released_case(world)
    complaint = do_file_complaint(fs.uow(), actor=cand, category="other", statement="太慢了")
    item = desk_item(
        fs.reader(), actor=world["hr"].actor, kind="complaint", item_id=complaint["id"]
    )
    assert item["statement"] == "太慢了" and item["finding"] is None
    with pytest.raises(NotFound):
        desk_item(
            fs.reader(),
            actor=world["investigator"].actor,
            kind="complaint",
            item_id=complaint["id"],
        )
