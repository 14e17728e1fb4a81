"""Opening a case: scope, invitation, ledger events, tokens."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factories.world import make_world, open_case
from fairscreen.cases.actions import authenticate_candidate
from fairscreen.ledger.models import LedgerEvent
from fairscreen.shared.errors import OutOfScope, Unauthenticated


def test_opening_a_case_invites_the_candidate_with_an_absolute_link(fs) -> None:
    world = make_world(fs)
    case_id, token = open_case(world)
    [message] = fs.outbox()
    assert message.to == "zhang.wei@candidate.example"
    assert message.link == f"http://testserver/c/{token}"
    assert authenticate_candidate(fs.reader(), token).case_id == case_id


def test_events_are_appended_without_gaps_and_without_personal_data(fs) -> None:
    world = make_world(fs)
    case_id, _ = open_case(world)
    with fs.reader() as uow:
        events = list(uow.session.scalars(select(LedgerEvent).order_by(LedgerEvent.idx)))
    assert [e.idx for e in events] == list(range(len(events)))
    case_events = [e.type for e in events if e.case_id == case_id]
    assert case_events == ["case.opened", "case.invited"]
    for e in events:
        assert "张伟" not in e.body and "@candidate" not in e.body


def test_out_of_scope_category_leaves_nothing_behind(fs) -> None:
    world = make_world(fs)
    with fs.reader() as uow:
        before = uow.session.query(LedgerEvent).count()
    with pytest.raises(OutOfScope):
        open_case(world, categories=("identity", "credit"))
    with fs.reader() as uow:
        # the position was created (its own event), the case was not
        assert uow.session.query(LedgerEvent).count() == before + 1
    assert fs.outbox() == []


def test_expired_candidate_token_is_refused(fs, clock) -> None:
    world = make_world(fs)
    _, token = open_case(world)
    clock.advance(days=31)
    with pytest.raises(Unauthenticated):
        authenticate_candidate(fs.reader(), token)


def test_tampered_candidate_token_is_refused(fs) -> None:
    world = make_world(fs)
    _, token = open_case(world)
    with pytest.raises(Unauthenticated):
        authenticate_candidate(fs.reader(), token[:-2] + "xx")
