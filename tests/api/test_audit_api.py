"""Voluntary demographics feed only the bias audit; the summary holds no personal data."""

from __future__ import annotations

from datetime import UTC, datetime

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


def _volunteer(client, token: str, **answers: str) -> None:
    r = client.post(
        "/api/v1/candidate/demographics",
        json={"consent": True, **answers},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201


NEXT_QUARTER = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)  # the world's cases are of Q4 2026


def test_bias_audit_counts_groups_without_personal_data(client, world, fs, clock) -> None:
    fs.settings.audit_min_cell = 3  # six candidates: groups of three are publishable here
    for i in range(6):
        token = _released(world, i, adverse=i < 3)
        _volunteer(client, token, sex="female" if i < 3 else "male", age_band="25_34")
    clock.set(NEXT_QUARTER)
    r = client.get(f"/api/v1/audit/bias?org={world.employer}", headers=world["admin"].headers)
    assert r.status_code == 200
    body = r.json()
    assert body["rules_version"] and body["cases"] == 6
    assert (body["from"], body["to"]) == ("2026-10-01", "2026-12-31")
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


def test_a_group_of_one_is_not_published(client, world, clock) -> None:
    """The attack: one woman among ten men; her count and her outcome were published."""
    for i in range(11):
        token = _released(world, i, adverse=i == 0)
        _volunteer(client, token, sex="female" if i == 0 else "male", age_band="25_34")
    clock.set(NEXT_QUARTER)
    r = client.get(f"/api/v1/audit/bias?org={world.employer}", headers=world["admin"].headers)
    assert r.status_code == 200
    body = r.json()
    assert body["cases"] == 11 and body["min_cell"] == 10
    sex = {g["group"]: g for g in body["groups"] if g["dimension"] == "sex"}
    assert sex["female"]["suppressed"] is True and sex["female"]["reason"]
    assert sex["female"]["count"] is None and sex["female"]["adverse_rating_rate"] is None
    assert sex["female"]["flag"] is None and sex["female"]["impact_ratio"] is None
    # 11 cases minus the ten men would give her back: the men are suppressed with her.
    assert sex["male"]["suppressed"] is True and sex["male"]["count"] is None
    assert not any(g["count"] == 1 for g in body["groups"])
    band = next(g for g in body["groups"] if g["dimension"] == "age_band")
    assert band["count"] == 11 and band["suppressed"] is False


def test_staff_get_whole_ended_quarters_not_windows(client, world, clock) -> None:
    """Two windows a day apart would differ by one candidate: refused for admin and regulator."""
    token = _released(world, 0, adverse=False)
    _volunteer(client, token, sex="female")
    clock.set(NEXT_QUARTER)
    base = f"/api/v1/audit/bias?org={world.employer}"
    for who in ("admin", "inspector"):
        headers = world[who].headers
        for window in (
            "&from=2026-11-01&to=2026-11-23",
            "&from=2026-10-01&to=2026-12-30",
            "&from=2026-01-01&to=2026-12-31",
            "&from=2026-10-01",
            "&from=2027-01-01&to=2027-03-31",  # not over yet
        ):
            r = client.get(base + window, headers=headers)
            assert r.status_code == 422, (who, window)
            assert r.json()["error"]["code"] == "validation_error"
            assert "calendar quarter" in r.json()["error"]["message"]
        r = client.get(base + "&from=2026-10-01&to=2026-12-31", headers=headers)
        assert r.status_code == 200 and r.json()["cases"] == 1


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
