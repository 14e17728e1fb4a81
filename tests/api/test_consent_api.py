"""The candidate's consent over HTTP, through the token of the invitation."""

from __future__ import annotations

import pytest

CATS = ["identity", "education", "criminal_record"]


@pytest.fixture
def opened(client, world, fs):
    r = client.post(
        "/api/v1/positions",
        json={"title": "Guard", "purpose": "security_sensitive", "grade": "staff"},
        headers=world["hr"].headers,
    )
    r = client.post(
        "/api/v1/cases",
        json={
            "position_id": r.json()["id"],
            "agency_id": world.agency,
            "candidate": {"name": "张伟", "email": "zhang.wei@candidate.example"},
            "categories": CATS,
        },
        headers=world["hr"].headers,
    )
    assert r.status_code == 201, r.text
    token = fs.outbox()[0].link.rsplit("/", 1)[1]
    return r.json()["id"], {"Authorization": f"Bearer {token}"}


def _body(**kw):
    body = {
        "full_name": "张 伟",
        "agree": True,
        "categories": CATS,
        "separate_consent": ["criminal_record"],
        "lang": "zh-Hans",
        "identifiers": {"id_number": "ignored for now"},
    }
    body.update(kw)
    return body


def test_candidate_signs_and_the_employer_sees_the_consent(client, world, opened) -> None:
    case_id, cand = opened
    r = client.post("/api/v1/candidate/consent", json=_body(), headers=cand)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "in_progress" and r.json()["receipt_id"]
    case = client.get(f"/api/v1/cases/{case_id}", headers=world["hr"].headers).json()
    assert case["status"] == "in_progress"
    assert case["consent"]["status"] == "signed" and case["consent"]["scope_sha256"]
    shown = client.get("/api/v1/candidate/case", headers=cand).json()["consent_document"]
    assert case["consent"]["document_sha256"] == shown["sha256"]


def test_partial_consent_shows_declined_categories_to_the_employer(client, world, opened):
    case_id, cand = opened
    r = client.post(
        "/api/v1/candidate/consent",
        json=_body(categories=["identity", "education"], separate_consent=[]),
        headers=cand,
    )
    assert r.status_code == 200 and r.json()["declined"] == ["criminal_record"]
    case = client.get(f"/api/v1/cases/{case_id}", headers=world["hr"].headers).json()
    assert case["consent"]["declined"] == ["criminal_record"]


def test_sensitive_category_without_separate_consent_is_refused(client, opened) -> None:
    _, cand = opened
    r = client.post("/api/v1/candidate/consent", json=_body(separate_consent=[]), headers=cand)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "separate_consent_required"
    assert "criminal_record" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"full_name": "王芳"}, "full_name"),
        ({"agree": False}, "agree"),
        ({"categories": ["identity", "credit"]}, "categories"),
        ({"categories": []}, "categories"),
    ],
)
def test_invalid_signatures_are_validation_errors(client, opened, change, field) -> None:
    _, cand = opened
    r = client.post("/api/v1/candidate/consent", json=_body(**change), headers=cand)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "validation_error"
    assert r.json()["error"]["field"] == field


def test_signing_twice_is_an_invalid_state(client, opened) -> None:
    _, cand = opened
    assert client.post("/api/v1/candidate/consent", json=_body(), headers=cand).status_code == 200
    r = client.post("/api/v1/candidate/consent", json=_body(), headers=cand)
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_state"


def test_withdrawal_answers_with_the_destruction_time(client, world, opened) -> None:
    case_id, cand = opened
    client.post("/api/v1/candidate/consent", json=_body(), headers=cand)
    r = client.post("/api/v1/candidate/consent/withdraw", headers=cand)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "withdrawn" and r.json()["destroy_due_at"]
    case = client.get(f"/api/v1/cases/{case_id}", headers=world["hr"].headers).json()
    assert case["status"] == "withdrawn" and case["consent"]["status"] == "withdrawn"
    # the token still reads the receipt, which now says withdrawn
    receipt = client.get("/api/v1/candidate/consent/receipt", headers=cand)
    assert receipt.status_code == 200 and receipt.json()["status"] == "withdrawn"


def test_refusal_before_signing(client, world, opened) -> None:
    case_id, cand = opened
    r = client.post("/api/v1/candidate/consent/refuse", headers=cand)
    assert r.status_code == 200 and r.json()["status"] == "refused"
    r = client.post("/api/v1/candidate/consent", json=_body(), headers=cand)
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_state"


def test_receipt_before_any_decision_is_not_found(client, opened) -> None:
    _, cand = opened
    r = client.get("/api/v1/candidate/consent/receipt", headers=cand)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_staff_may_not_sign_for_the_candidate(client, world, opened) -> None:
    r = client.post("/api/v1/candidate/consent", json=_body(), headers=world["hr"].headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert client.post("/api/v1/candidate/consent", json=_body()).status_code == 401
