"""The case-file cache serves a file only while nothing in it has changed, on both databases.

After every step of a check the cached read must equal a file built afresh from the rows:
whatever wrote the change (an action, a bulk statement, the purge, the clock running on).
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

from factories.consent import candidate, consented_case, record_subject
from factories.world import make_world, staff
from fairscreen.cases.models import Case
from fairscreen.cases.queries import _build_case_view, case_file, case_view
from fairscreen.consent.actions import do_withdraw_consent
from fairscreen.feedback.desk import do_file_dispute, do_resolve_dispute
from fairscreen.identity.actions import do_create_org
from fairscreen.identity.policy import SYSTEM
from fairscreen.rating.actions import do_release_report
from fairscreen.retention.actions import do_purge_due
from fairscreen.shared.errors import NotFound
from fairscreen.verification.actions import do_add_source, do_record_finding
from fairscreen.verification.models import Finding

NAME, EMAIL = "张伟", "zhang.wei@candidate.example"


def _fresh(fs, actor, case_id):
    with fs.reader() as uow:
        return json.loads(json.dumps(_build_case_view(uow, actor, case_id)))


def _stamp(fs, case_id):
    with fs.reader() as uow:
        return tuple(
            uow.session.execute(select(Case.version, Case.revision).where(Case.id == case_id)).one()
        )


def _assert_current(fs, actor, case_id):
    """The read (cached or not) is the file as the rows are now; then it is cached."""
    assert case_view(fs.reader(), actor=actor, case_id=case_id) == _fresh(fs, actor, case_id)
    assert case_view(fs.reader(), actor=actor, case_id=case_id) == _fresh(fs, actor, case_id)


def test_every_step_of_a_check_is_seen_by_the_next_cached_read(fs) -> None:
    world = make_world(fs)
    hr, inv = world["hr"].actor, world["investigator"].actor
    case_id, token = consented_case(world, name=NAME, email=EMAIL)
    _assert_current(fs, hr, case_id)
    stamps = [_stamp(fs, case_id)]

    finding = do_record_finding(
        fs.uow(),
        actor=inv,
        case_id=case_id,
        category="education",
        claim="Declared degree was not conferred",
        adverse=True,
        severity="material",
    )
    _assert_current(fs, hr, case_id)
    stamps.append(_stamp(fs, case_id))
    _assert_current(fs, inv, case_id)
    assert case_view(fs.reader(), actor=inv, case_id=case_id)["findings"][0]["id"] == finding.id
    # The employer sees no finding before a report is released (cases/visibility.py).
    assert case_view(fs.reader(), actor=hr, case_id=case_id)["findings"] == []

    do_add_source(
        fs.uow(),
        actor=inv,
        finding_id=finding.id,
        kind="official_registry",
        origin="CHSI registry",
        supports=True,
        subject=record_subject(NAME),
    )
    _assert_current(fs, hr, case_id)
    stamps.append(_stamp(fs, case_id))
    do_release_report(fs.uow(), actor=inv, case_id=case_id)
    _assert_current(fs, hr, case_id)
    stamps.append(_stamp(fs, case_id))
    assert case_view(fs.reader(), actor=hr, case_id=case_id)["report"] is not None

    me = candidate(world, token)
    dispute = do_file_dispute(
        fs.uow(), actor=me, statement="我已获得该学位。", finding_id=finding.id
    )
    _assert_current(fs, hr, case_id)
    _assert_current(fs, inv, case_id)
    do_resolve_dispute(
        fs.uow(), actor=inv, dispute_id=dispute["id"], outcome="removed", note="登记有误。"
    )
    _assert_current(fs, hr, case_id)
    stamps.append(_stamp(fs, case_id))
    view = case_view(fs.reader(), actor=hr, case_id=case_id)
    assert view["disputes"][0]["status"] != "open"
    # Each step moved the stamp on: none was served from an older file.
    assert len(set(stamps)) == len(stamps)


def test_a_bulk_statement_outside_the_orm_moves_the_revision(fs) -> None:
    world = make_world(fs)
    inv = world["investigator"].actor
    case_id, _ = consented_case(world, name=NAME, email=EMAIL)
    finding = do_record_finding(
        fs.uow(), actor=inv, case_id=case_id, category="education", claim="Degree confirmed"
    )
    before = case_view(fs.reader(), actor=inv, case_id=case_id)
    assert before["findings"][0]["status"] == "unverified"
    with fs.uow() as uow:  # as a migration or another process might
        uow.session.execute(
            update(Finding).where(Finding.id == finding.id).values(status="inconclusive")
        )
        uow.session.commit()
    assert case_view(fs.reader(), actor=inv, case_id=case_id)["findings"][0]["status"] == (
        "inconclusive"
    )


def test_a_dispute_falling_overdue_is_seen_without_any_write(fs, clock) -> None:
    world = make_world(fs)
    hr, inv = world["hr"].actor, world["investigator"].actor
    case_id, token = consented_case(world, name=NAME, email=EMAIL)
    do_release_report(fs.uow(), actor=inv, case_id=case_id)
    do_file_dispute(fs.uow(), actor=candidate(world, token), statement="报告有误。")
    first = case_view(fs.reader(), actor=hr, case_id=case_id)["disputes"][0]
    assert first["overdue"] is False
    clock.advance(days=60)
    again = case_view(fs.reader(), actor=hr, case_id=case_id)["disputes"][0]
    assert again["overdue"] is True
    assert again == _fresh(fs, hr, case_id)["disputes"][0]


def test_a_destroyed_case_is_never_served_from_the_cache(fs, clock) -> None:
    world = make_world(fs)
    hr = world["hr"].actor
    case_id, token = consented_case(world, name=NAME, email=EMAIL)
    assert case_view(fs.reader(), actor=hr, case_id=case_id)["candidate"]["name"] == NAME
    do_withdraw_consent(fs.uow(), actor=candidate(world, token))
    clock.advance(days=1)
    do_purge_due(fs.uow, now=clock.now())
    view = case_view(fs.reader(), actor=hr, case_id=case_id)
    assert view["status"] == "destroyed"
    assert view["candidate"] is None
    assert view == _fresh(fs, hr, case_id)


def test_the_cache_holds_ciphertext_per_viewer(fs) -> None:
    world = make_world(fs)
    hr, inv = world["hr"].actor, world["investigator"].actor
    case_id, _ = consented_case(world, name=NAME, email=EMAIL)
    for actor in (hr, inv):
        data = case_file(fs.reader(), actor=actor, case_id=case_id)
        assert NAME.encode() in data and EMAIL.encode() in data
    files = fs.case_files
    assert len(files) == 2
    kept = [entry.sealed.blob for entry in files._entries.values()]
    for blob in kept:
        assert NAME.encode() not in blob and EMAIL.encode() not in blob
        assert b"zhang.wei" not in blob


def test_a_viewer_who_may_not_see_the_case_gets_not_found_from_a_warm_cache(fs) -> None:
    world = make_world(fs)
    case_id, _ = consented_case(world, name=NAME, email=EMAIL)
    case_file(fs.reader(), actor=world["hr"].actor, case_id=case_id)
    other_org = do_create_org(fs.uow(), actor=SYSTEM, name="Other Co", kind="employer")
    stranger = staff(fs, other_org, "employer").actor
    with pytest.raises(NotFound):
        case_file(fs.reader(), actor=stranger, case_id=case_id)
    with pytest.raises(NotFound):
        case_file(fs.reader(), actor=world["hr"].actor, case_id="case_missing")
