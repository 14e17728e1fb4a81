"""Records of processing, impact assessments and breach response through HTTP."""

from __future__ import annotations

from datetime import timedelta

from factories.world import open_case


def test_processing_record_comes_from_live_configuration(client, world) -> None:
    open_case(world, purpose="finance", grade="manager", categories=("identity", "credit"))
    r = client.get(
        f"/api/v1/organizations/{world.employer}/processing-record", headers=world["admin"].headers
    )
    assert r.status_code == 200
    body = r.json()
    assert "finance" in body["purposes"]
    codes = {c["code"] for c in body["categories"]}
    assert {"identity", "credit"} <= codes
    assert {"id": world.agency, "name": "Agency Co", "role": "screening agency"} in body[
        "recipients"
    ]
    assert "marital_status" in body["never_collected"]
    assert "张伟" not in r.text
    # the regulator over the employer may read it; HR and another regulator may not
    assert (
        client.get(
            f"/api/v1/organizations/{world.employer}/processing-record",
            headers=world["inspector"].headers,
        ).status_code
        == 200
    )
    assert (
        client.get(
            f"/api/v1/organizations/{world.employer}/processing-record", headers=world["hr"].headers
        ).status_code
        == 403
    )


def test_impact_assessment_is_versioned_and_kept_three_years(client, world, clock) -> None:
    url = f"/api/v1/organizations/{world.employer}/impact-assessments"
    first = client.post(url, headers=world["admin"].headers)
    second = client.post(url, headers=world["admin"].headers)
    assert first.status_code == 201 and second.json()["version"] == 2
    assert second.json()["keep_until"].startswith(str(clock.now().year + 3))


def test_breach_tracks_the_72_hour_deadline_and_notifies_candidates(client, world, fs, clock):
    case_id, _ = open_case(world)
    discovered = clock.now() - timedelta(hours=5)
    r = client.post(
        "/api/v1/breaches",
        headers=world["admin"].headers,
        json={
            "description": "A laptop with an unencrypted export was stolen",
            "discovered_at": discovered.isoformat(),
            "case_ids": [case_id],
        },
    )
    assert r.status_code == 201
    body = r.json()
    assert body["affected"] == 1
    assert body["regulator_due_at"].startswith((discovered + timedelta(hours=72)).isoformat()[:16])
    breach = client.get(f"/api/v1/breaches/{body['id']}", headers=world["admin"].headers).json()
    assert set(breach["notices"]) == {"zh-Hans", "zh-Hant", "en"}
    assert (
        client.post(
            f"/api/v1/breaches/{body['id']}/notify-candidates", headers=world["admin"].headers
        ).status_code
        == 200
    )
    notices = [m for m in fs.outbox() if "incident" in m.subject]
    assert [m.to for m in notices] == ["zhang.wei@candidate.example"]
    clock.advance(hours=80)
    late = client.get(f"/api/v1/breaches/{body['id']}", headers=world["admin"].headers).json()
    assert late["regulator_overdue"] is True


def test_breach_of_another_organisations_case_is_refused(client, world) -> None:
    r = client.post(
        "/api/v1/breaches",
        headers=world["admin"].headers,
        json={
            "description": "x",
            "discovered_at": "2026-11-20T00:00:00+00:00",
            "case_ids": ["case_nope"],
        },
    )
    assert r.status_code == 404
    r = client.post(
        "/api/v1/breaches",
        headers=world["hr"].headers,
        json={"description": "x", "discovered_at": "2026-11-20T00:00:00+00:00", "case_ids": []},
    )
    assert r.status_code == 403
