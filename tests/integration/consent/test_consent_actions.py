"""Signing, refusing and withdrawing consent, on both databases."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from factories.world import make_world, open_case
from fairscreen.cases.actions import authenticate_candidate
from fairscreen.cases.models import Case
from fairscreen.cases.queries import case_view
from fairscreen.compliance.actions import refusal_counts
from fairscreen.consent.actions import (
    Evidence,
    do_refuse_consent,
    do_sign_consent,
    do_withdraw_consent,
)
from fairscreen.consent.models import ConsentRecord
from fairscreen.consent.policy import check_collection
from fairscreen.consent.queries import consent_document_for, granted_categories
from fairscreen.consent.receipt import consent_receipt
from fairscreen.ledger.models import LedgerEvent
from fairscreen.scope.models import Position
from fairscreen.scope.policy import load_pack, scope_hash
from fairscreen.shared.errors import (
    ConsentWithdrawn,
    InvalidState,
    OutOfScope,
    SeparateConsentRequired,
    ValidationFailed,
)

CATS = ("identity", "education", "criminal_record")


def _setup(fs, categories=CATS):
    world = make_world(fs)
    case_id, token = open_case(world, purpose="security_sensitive", categories=categories)
    return world, case_id, authenticate_candidate(fs.reader(), token)


def _sign(fs, candidate, **kw):
    args = {
        "full_name": "张 伟",
        "agree": True,
        "categories": list(CATS),
        "separate_consent": ["criminal_record"],
        "evidence": Evidence(ip="203.0.113.9", user_agent="TestBrowser/1.0"),
    }
    args.update(kw)
    return do_sign_consent(fs.uow(), actor=candidate, **args)


def _case(fs, case_id):
    with fs.reader() as uow:
        return uow.session.get(Case, case_id)


def _case_events(fs, case_id):
    with fs.reader() as uow:
        rows = uow.session.scalars(
            select(LedgerEvent).where(LedgerEvent.case_id == case_id).order_by(LedgerEvent.idx)
        )
        return [(e.type, json.loads(e.body)) for e in rows]


def _counts(fs):
    with fs.reader() as uow:
        return (
            uow.session.scalar(select(func.count()).select_from(ConsentRecord)),
            uow.session.scalar(select(func.count()).select_from(LedgerEvent)),
        )


def test_signing_starts_the_check_and_freezes_the_granted_scope(fs) -> None:
    world, case_id, candidate = _setup(fs)
    answer = _sign(fs, candidate, lang="en")
    assert answer["status"] == "in_progress"
    assert answer["granted"] == list(CATS) and answer["declined"] == []
    assert _case(fs, case_id).status == "in_progress"
    with fs.reader() as uow:
        assert granted_categories(uow.session, case_id) == list(CATS)
        record = uow.session.get(ConsentRecord, answer["receipt_id"])
        position = uow.session.get(Position, _case(fs, case_id).position_id)
        case = uow.session.get(Case, case_id)
        doc = consent_document_for(uow, candidate, case, "en")
    assert record.document_sha256 == doc.sha256 and record.document_lang == "en"
    expected_scope = scope_hash(load_pack("cn"), CATS, position.purpose, position.grade)
    assert record.scope_sha256 == expected_scope
    # the evidence of the signature is kept sealed, never in clear
    assert b"203.0.113.9" not in record.ip.blob and b"TestBrowser" not in record.user_agent.blob
    events = _case_events(fs, case_id)
    signed = [body for kind, body in events if kind == "consent.signed"]
    assert len(signed) == 1
    assert signed[0]["data"]["scope_sha256"] == expected_scope
    assert signed[0]["data"]["document_sha256"] == doc.sha256
    for _, body in events:
        text = json.dumps(body, ensure_ascii=False)
        assert "张" not in text and "203.0.113" not in text and "TestBrowser" not in text


def test_partial_consent_records_what_was_declined_and_limits_collection(fs) -> None:
    world, case_id, candidate = _setup(fs)
    answer = _sign(fs, candidate, categories=["identity", "education"], separate_consent=[])
    assert answer["declined"] == ["criminal_record"]
    case = _case(fs, case_id)
    with fs.reader() as uow:
        granted = granted_categories(uow.session, case_id)
    check_collection(status=case.status, stopped=False, granted=granted, category="education")
    with pytest.raises(OutOfScope):
        check_collection(
            status=case.status, stopped=False, granted=granted, category="criminal_record"
        )
    view = case_view(fs.reader(), actor=world["hr"].actor, case_id=case_id)
    assert view["consent"]["status"] == "signed"
    assert view["consent"]["declined"] == ["criminal_record"]
    assert view["consent"]["granted"] == ["identity", "education"]
    assert "张伟" not in json.dumps(view["consent"], ensure_ascii=False)


def test_missing_separate_consent_leaves_nothing_written(fs) -> None:
    _, case_id, candidate = _setup(fs)
    before = _counts(fs)
    with pytest.raises(SeparateConsentRequired) as err:
        _sign(fs, candidate, separate_consent=[])
    assert err.value.details["categories"] == ["criminal_record"]
    assert _counts(fs) == before
    assert _case(fs, case_id).status == "awaiting_consent"


def test_a_name_that_does_not_match_is_refused_naming_full_name(fs) -> None:
    _, case_id, candidate = _setup(fs)
    with pytest.raises(ValidationFailed) as err:
        _sign(fs, candidate, full_name="李娜")
    assert err.value.details["field"] == "full_name"
    assert _case(fs, case_id).status == "awaiting_consent"


def test_consent_without_agreeing_is_refused(fs) -> None:
    _, _, candidate = _setup(fs)
    with pytest.raises(ValidationFailed) as err:
        _sign(fs, candidate, agree=False)
    assert err.value.details["field"] == "agree"


def test_consent_can_only_be_signed_once(fs) -> None:
    _, _, candidate = _setup(fs)
    _sign(fs, candidate)
    with pytest.raises(InvalidState):
        _sign(fs, candidate)


def test_withdrawal_stops_collection_and_makes_destruction_due_now(fs, clock) -> None:
    world, case_id, candidate = _setup(fs)
    _sign(fs, candidate)
    clock.advance(days=2)
    answer = do_withdraw_consent(fs.uow(), actor=candidate)
    assert answer["status"] == "withdrawn"
    case = _case(fs, case_id)
    assert case.status == "withdrawn"
    assert case.collection_stopped_at == clock.now() and case.destroy_due_at == clock.now()
    with fs.reader() as uow:
        granted = granted_categories(uow.session, case_id)
    assert granted is None  # the standing consent is gone
    with pytest.raises(ConsentWithdrawn):
        check_collection(
            status=case.status,
            stopped=case.collection_stopped_at is not None,
            granted=granted,
            category="identity",
        )
    view = case_view(fs.reader(), actor=world["hr"].actor, case_id=case_id)
    assert view["consent"]["status"] == "withdrawn"
    assert _case_events(fs, case_id)[-1][0] == "consent.withdrawn"
    receipt = consent_receipt(fs.reader(), actor=candidate)
    assert receipt["status"] == "withdrawn"
    with pytest.raises(InvalidState):
        do_withdraw_consent(fs.uow(), actor=candidate)


def test_refusal_records_it_and_makes_destruction_due_now(fs, clock) -> None:
    world, case_id, candidate = _setup(fs)
    answer = do_refuse_consent(fs.uow(), actor=candidate)
    assert answer["status"] == "refused"
    case = _case(fs, case_id)
    assert case.status == "refused" and case.destroy_due_at == clock.now()
    assert case.collection_stopped_at == clock.now()
    view = case_view(fs.reader(), actor=world["hr"].actor, case_id=case_id)
    assert view["consent"]["status"] == "refused"
    assert view["consent"]["declined"] == list(CATS)
    assert [k for k, _ in _case_events(fs, case_id)][-1] == "consent.refused"
    with pytest.raises(InvalidState):
        _sign(fs, candidate)


def test_receipt_carries_the_consent_record_fields(fs) -> None:
    world, case_id, candidate = _setup(fs)
    signed = _sign(fs, candidate)
    receipt = consent_receipt(fs.reader(), actor=candidate, lang="en")
    assert receipt["record_id"] == signed["receipt_id"]
    assert receipt["pii_principal_id"] == case_id
    assert receipt["controller"] == {"id": world.employer, "name": "Employer Co"}
    assert receipt["processor"] == {"id": world.agency, "name": "Agency Co"}
    assert receipt["legal_basis"] == "consent (PIPL Art. 13(1), 14, 29)"
    assert receipt["status"] == "active"
    assert [c["code"] for c in receipt["pii_categories"]] == list(CATS)
    assert receipt["notice"]["sha256"] and receipt["purposes"][0]["code"] == "security_sensitive"


def test_refusals_are_counted_per_organisation_even_though_the_request_rolls_back(fs) -> None:
    world = make_world(fs)
    with pytest.raises(OutOfScope):
        open_case(world, categories=("identity", "credit"))
    with pytest.raises(ValidationFailed), fs.uow() as tx:
        tx.concerning(world.employer)
        raise ValidationFailed("not a counted refusal")
    counts = refusal_counts(fs.reader(), org_id=world.employer)
    assert counts["out_of_scope"] == 1
    assert sum(counts.values()) == 1
    assert refusal_counts(fs.reader(), org_id=world.agency)["out_of_scope"] == 0
