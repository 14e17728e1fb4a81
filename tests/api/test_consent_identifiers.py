"""The consent body's `identifiers` get the same validation as `/candidate/identifiers`.

They used to be taken as any JSON object and stored: an ID number of one character, a
birth date in the future, unknown fields, a thousand addresses. One domain check
(matching.policy.own_identifiers, called by matching.actions.store_identifiers) now answers
both paths; a refused consent leaves the case awaiting consent.
"""

from __future__ import annotations

import pytest

CATS = ["identity", "education"]
BAD = [
    {"id_number": "1"},
    {"id_number": "1101051990<script>"},
    {"id_number": 11010519900307},
    {"date_of_birth": "2999-01-01"},
    {"date_of_birth": "1990-02-30"},
    {"nickname": "Wei"},
    {"addresses": ["北京市朝阳区建国路88号"] * 11},
]


@pytest.fixture
def candidate(client, world, fs):
    position = client.post(
        "/api/v1/positions",
        json={"title": "Clerk", "purpose": "general", "grade": "staff"},
        headers=world["hr"].headers,
    ).json()
    case = client.post(
        "/api/v1/cases",
        json={
            "position_id": position["id"],
            "agency_id": world.agency,
            "candidate": {"name": "张伟", "email": "zhang.wei@candidate.example"},
            "categories": CATS,
        },
        headers=world["hr"].headers,
    )
    assert case.status_code == 201, case.text
    token = fs.outbox()[0].link.rsplit("/", 1)[1]
    return case.json()["id"], {"Authorization": f"Bearer {token}"}


def _consent(identifiers):
    return {"full_name": "张伟", "agree": True, "categories": CATS, "identifiers": identifiers}


@pytest.mark.parametrize("identifiers", BAD)
def test_the_consent_body_refuses_what_the_identifiers_route_refuses(
    client, world, candidate, identifiers
) -> None:
    case_id, me = candidate
    direct = client.post("/api/v1/candidate/identifiers", json=identifiers, headers=me)
    assert direct.status_code == 422, direct.text
    assert direct.json()["error"]["code"] == "validation_error"
    signed = client.post("/api/v1/candidate/consent", json=_consent(identifiers), headers=me)
    assert signed.status_code == 422, signed.text
    error = signed.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"]
    case = client.get(f"/api/v1/cases/{case_id}", headers=world["hr"].headers).json()
    assert case["status"] == "awaiting_consent"


def test_valid_identifiers_in_the_consent_body_are_kept(client, world, candidate) -> None:
    case_id, me = candidate
    good = {"id_number": "11010519900307123X", "date_of_birth": "1990年3月7日"}
    signed = client.post("/api/v1/candidate/consent", json=_consent(good), headers=me)
    assert signed.status_code == 200, signed.text
    case = client.get(f"/api/v1/cases/{case_id}", headers=world["hr"].headers).json()
    assert case["status"] == "in_progress"
