"""Voluntary demographics feed only the bias audit; the summary holds no personal data."""

from __future__ import annotations

from factories.consent import consented_case
from fairscreen.rating.actions import do_release_report
from fairscreen.verification.actions import do_add_source, do_record_finding


def _released(world, i: int, adverse: bool) -> str:
    case_id, token = consented_case(
        world, name=f"候选人{i}", email=f"c{i}@c.example", categories=("identity", "education")
    )
    inv = world["investigator"].actor
    finding = do_record_finding(
        world.app.uow(),
        actor=inv,
        case_id=case_id,
        category="education",
        claim="学位未授予" if adverse else "学位属实",
        adverse=adverse,
        severity="falsified" if adverse else None,
    )
    do_add_source(
        world.app.uow(),
        actor=inv,
        finding_id=finding.id,
        kind="issuing_institution",
        origin="清华大学",
        supports=True,
    )
    do_release_report(world.app.uow(), actor=inv, case_id=case_id)
    return token


def test_bias_audit_counts_groups_without_personal_data(client, world) -> None:
    for i in range(4):
        token = _released(world, i, adverse=i < 2)
        answers = {"consent": True, "sex": "female" if i < 2 else "male", "age_band": "25_34"}
        r = client.post(
            "/api/v1/candidate/demographics",
            json=answers,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 201
    r = client.get(f"/api/v1/audit/bias?org={world.employer}", headers=world["admin"].headers)
    assert r.status_code == 200
    body = r.json()
    assert body["rules_version"] and body["cases"] == 4
    female = next(g for g in body["groups"] if g["dimension"] == "sex" and g["group"] == "female")
    assert female["adverse_rating_rate"] == 1.0 and female["flag"] is True
    assert "候选人" not in r.text and "@c.example" not in r.text
    assert (
        client.get(
            f"/api/v1/audit/bias?org={world.employer}", headers=world["inspector"].headers
        ).status_code
        == 200
    )
    assert (
        client.get(
            f"/api/v1/audit/bias?org={world.employer}", headers=world["hr"].headers
        ).status_code
        == 403
    )


def test_demographics_need_their_own_consent_and_stay_hidden_from_staff(client, world) -> None:
    case_id, token = consented_case(world)
    r = client.post(
        "/api/v1/candidate/demographics",
        json={"consent": False, "sex": "male"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 422
    client.post(
        "/api/v1/candidate/demographics",
        json={"consent": True, "sex": "male"},
        headers={"Authorization": f"Bearer {token}"},
    )
    view = client.get(f"/api/v1/cases/{case_id}", headers=world["hr"].headers).text
    assert "demographic" not in view and '"sex"' not in view
