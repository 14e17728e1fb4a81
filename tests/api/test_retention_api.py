"""Erasure, legal holds and the deletion certificate through HTTP and the CLI."""

from __future__ import annotations

from datetime import timedelta

from factories.world import open_case
from fairscreen.retention.actions import do_purge_due


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_candidate_erasure_is_accepted_with_a_due_date_and_carried_out(client, world, fs):
    case_id, token = open_case(world)
    r = client.post("/api/v1/candidate/erasure", headers=_bearer(token))
    assert r.status_code == 202 and r.json()["due_at"]
    do_purge_due(fs.uow, now=fs.clock.now())
    cert = client.get(f"/api/v1/cases/{case_id}/deletion-certificate", headers=world["hr"].headers)
    assert cert.status_code == 200
    body = cert.json()
    assert body["reason"] == "erasure_request" and body["data_key_destroyed"] is True
    assert "张伟" not in cert.text
    case = client.get(f"/api/v1/cases/{case_id}", headers=world["hr"].headers).json()
    assert case["status"] == "destroyed" and case["candidate"] is None
    # the link stops working once the case is destroyed
    assert client.post("/api/v1/candidate/erasure", headers=_bearer(token)).status_code == 401


def test_legal_hold_needs_an_admin_and_blocks_purge(client, world, fs, clock):
    case_id, token = open_case(world)
    ends = (clock.now() + timedelta(days=30)).isoformat()
    r = client.post(
        f"/api/v1/cases/{case_id}/legal-hold",
        json={"reason": "court order", "ends_at": ends},
        headers=world["hr"].headers,
    )
    assert r.status_code == 403
    r = client.post(
        f"/api/v1/cases/{case_id}/legal-hold",
        json={"reason": "court order", "ends_at": ends},
        headers=world["admin"].headers,
    )
    assert r.status_code == 201
    client.post("/api/v1/candidate/erasure", headers=_bearer(token))
    assert do_purge_due(fs.uow, now=clock.now()).skipped_held == 1
    hold_id = r.json()["id"]
    assert (
        client.post(
            f"/api/v1/legal-holds/{hold_id}/release", headers=world["admin"].headers
        ).status_code
        == 200
    )
    assert do_purge_due(fs.uow, now=clock.now()).destroyed == 1


def test_certificate_of_a_live_case_is_not_found(client, world):
    case_id, _ = open_case(world)
    r = client.get(f"/api/v1/cases/{case_id}/deletion-certificate", headers=world["hr"].headers)
    assert r.status_code == 404
