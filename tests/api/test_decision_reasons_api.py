"""A reject reason rests on a verified adverse finding of its categories, over HTTP."""

from __future__ import annotations

from factories.consent import consented_case, record_subject
from fairscreen.rating.actions import do_release_report
from fairscreen.verification.actions import do_add_source, do_record_finding
from integration.feedback.helpers import released_case


def _decide(client, world, case_id, reasons, outcome="reject"):
    return client.post(
        f"/api/v1/cases/{case_id}/decision",
        json={"outcome": outcome, "reasons": list(reasons)},
        headers=world["hr"].headers,
    )


def _refused(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] == code, err
    return err


def test_a_credential_reason_is_refused_when_education_was_declined(client, world, clock):
    # The attack: the candidate declined the education check, the report holds only a
    # verified identity fact, and HR rejects for "declared credential does not match".
    case_id, token = open_and_decline_education(world)
    inv = world["investigator"].actor
    finding = do_record_finding(
        world.app.uow(), actor=inv, case_id=case_id, category="identity", claim="ID card matches"
    )
    do_add_source(
        world.app.uow(),
        actor=inv,
        finding_id=finding.id,
        kind="official_registry",
        origin="Public security bureau",
        supports=True,
        subject=record_subject(),
    )
    do_release_report(world.app.uow(), actor=inv, case_id=case_id)
    clock.advance(days=10)
    err = _refused(
        _decide(client, world, case_id, ["credential_mismatch"]), 422, "reason_unsupported"
    )
    assert err["reason"] == "credential_mismatch"
    assert err["categories"] == ["education", "qualifications"]
    assert "credential_mismatch" in err["message"]
    # A reason about the application itself rests on no finding.
    assert _decide(client, world, case_id, ["position_filled_or_cancelled"]).status_code == 200


def open_and_decline_education(world) -> tuple[str, str]:
    from factories.consent import sign
    from factories.world import open_case

    case_id, token = open_case(world, categories=("identity", "education"))
    sign(world, token, "张伟", ["identity"])
    return case_id, token


def test_a_reason_whose_finding_is_not_adverse_is_refused(client, world, clock):
    case_id, _, _, _ = released_case(world, adverse=False)  # the degree is confirmed
    clock.advance(days=10)
    _refused(_decide(client, world, case_id, ["credential_mismatch"]), 422, "reason_unsupported")
    _refused(
        _decide(client, world, case_id, ["employment_history_mismatch"]), 422, "reason_unsupported"
    )


def test_the_checks_come_in_the_contracts_order(client, world, clock):
    # An adverse education finding, a dispute open, inside the waiting period.
    case_id, finding_id, token, _ = released_case(world)
    r = client.post(
        "/api/v1/candidate/disputes",
        json={"finding_id": finding_id, "statement": "我确实获得了该学位"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201, r.text
    both = ["employment_history_mismatch", "litigation_record"]
    _refused(_decide(client, world, case_id, both), 422, "prohibited_reason")
    _refused(
        _decide(client, world, case_id, ["employment_history_mismatch"]), 422, "reason_unsupported"
    )
    _refused(_decide(client, world, case_id, ["credential_mismatch"]), 409, "dispute_open")


def test_a_verified_credit_default_grounds_a_reject_for_a_finance_post(client, world, clock):
    case_id, token = consented_case(
        world, purpose="finance", grade="manager", categories=("identity", "credit")
    )
    inv = world["investigator"].actor
    finding = do_record_finding(
        world.app.uow(),
        actor=inv,
        case_id=case_id,
        category="credit",
        claim="Loan in default for two years",
        adverse=True,
    )
    do_add_source(
        world.app.uow(),
        actor=inv,
        finding_id=finding.id,
        kind="credit_bureau",
        origin="Credit Reference Center",
        supports=True,
        subject=record_subject(),
    )
    do_release_report(world.app.uow(), actor=inv, case_id=case_id)
    clock.advance(days=10)
    _refused(_decide(client, world, case_id, ["credential_mismatch"]), 422, "reason_unsupported")
    r = _decide(client, world, case_id, ["financial_responsibility"])
    assert r.status_code == 200, r.text


def test_the_published_reasons_name_their_categories(client, world):
    body = client.get("/api/v1/decision-reasons", headers=world["hr"].headers).json()
    assert body["version"] == "reasons-2026.11-2"
    by_code = {r["code"]: r for r in body["reasons"]}
    for reason in body["reasons"]:
        assert {"code", "outcome", "categories", "prohibited", "needs_assessment", "names"} <= set(
            reason
        )
    assert by_code["credential_mismatch"]["categories"] == ["education", "qualifications"]
    assert by_code["financial_responsibility"]["categories"] == ["credit"]
    assert by_code["job_related_conviction"]["needs_assessment"] is True
    assert by_code["checks_completed"]["categories"] == []
    assert [c["category"] for c in body["never_grounds_reject"]] == ["litigation"]
