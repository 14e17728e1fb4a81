"""An organisation's retention policy through HTTP."""

from __future__ import annotations


def test_admin_shortens_a_period_and_reads_the_effective_policy(client, world):
    url = f"/api/v1/organizations/{world.employer}/retention-policy"
    r = client.put(url, json={"not_hired": 60}, headers=world["admin"].headers)
    assert r.status_code == 200, r.text
    assert r.json()["not_hired"] == 60 and r.json()["hired_after_end"] == 30
    got = client.get(url, headers=world["hr"].headers)
    assert got.status_code == 200 and got.json()["overrides"] == {"not_hired": 60}
    assert got.json()["pack_days"]["not_hired"] == 180


def test_lengthening_is_a_validation_error(client, world):
    url = f"/api/v1/organizations/{world.employer}/retention-policy"
    r = client.put(url, json={"abandoned_without_consent": 31}, headers=world["admin"].headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"


def test_only_the_organisations_admin_may_change_it(client, world):
    url = f"/api/v1/organizations/{world.employer}/retention-policy"
    assert client.put(url, json={}, headers=world["hr"].headers).status_code == 403
    assert client.put(url, json={}, headers=world["agency_admin"].headers).status_code == 404
    assert client.get(url, headers=world["investigator"].headers).status_code == 404
    assert client.put(url, json={"unknown": 1}, headers=world["admin"].headers).status_code == 422
