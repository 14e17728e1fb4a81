"""Result feedback over HTTP: decisions, the assessment, disputes, complaints, satisfaction."""

from __future__ import annotations

from factories.consent import fresh_token
from integration.feedback.helpers import released_case


def _cand(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _error(r, status, code):
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code


def _decide(client, world, case_id, outcome="reject", reasons=("credential_mismatch",)):
    return client.post(
        f"/api/v1/cases/{case_id}/decision",
        json={"outcome": outcome, "reasons": list(reasons)},
        headers=world["hr"].headers,
    )


def test_the_decision_checks_come_in_the_contracts_order(client, world, clock):
    case_id, finding_id, token, _ = released_case(world)
    _error(_decide(client, world, case_id), 409, "waiting_period")
    r = client.post(
        "/api/v1/candidate/disputes",
        json={"finding_id": finding_id, "statement": "我确实获得了该学位"},
        headers=_cand(token),
    )
    assert r.status_code == 201, r.text
    dispute = r.json()
    assert dispute["status"] == "open" and dispute["owner"] and dispute["due_at"]
    _error(
        _decide(client, world, case_id, reasons=("litigation_record",)), 422, "prohibited_reason"
    )
    _error(_decide(client, world, case_id), 409, "dispute_open")
    clock.advance(days=7)
    _error(_decide(client, world, case_id), 409, "dispute_open")
    r = client.post(
        f"/api/v1/disputes/{dispute['id']}/resolve",
        json={"outcome": "upheld", "note": "The registry confirms it"},
        headers=world["investigator"].headers,
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"id": dispute["id"], "status": "resolved", "outcome": "upheld"}
    r = _decide(client, world, case_id)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "decided" and r.json()["outcome"] == "reject"
    view = client.get(f"/api/v1/cases/{case_id}", headers=world["hr"].headers).json()
    assert view["decision"]["outcome"] == "reject"
    assert view["disputes"][0]["status"] == "resolved"


def test_only_the_employer_of_the_case_decides(client, world):
    case_id, _, _, _ = released_case(world)
    r = _decide(client, world, case_id, outcome="hire", reasons=("checks_completed",))
    assert r.status_code == 200
    case_id, _, _, _ = released_case(world)
    r = client.post(
        f"/api/v1/cases/{case_id}/decision",
        json={"outcome": "hire", "reasons": ["checks_completed"]},
        headers=world["investigator"].headers,
    )
    _error(r, 403, "forbidden")


def test_the_assessment_is_recorded_and_its_text_screened(client, world):
    case_id, finding_id, _, _ = released_case(world)
    body = {
        "finding_ids": [finding_id],
        "nature_gravity": "A falsified degree certificate",
        "time_elapsed": "Two years ago",
        "relation_to_duties": "The role requires the degree",
        "candidate_account": "The candidate gave no account",
        "conclusion": "Directly related",
    }
    r = client.post(f"/api/v1/cases/{case_id}/assessment", json=body, headers=world["hr"].headers)
    assert r.status_code == 201, r.text
    assert r.json()["id"]
    r = client.post(
        f"/api/v1/cases/{case_id}/assessment",
        json={**body, "conclusion": "她离过婚"},
        headers=world["hr"].headers,
    )
    _error(r, 422, "forbidden_content")


def test_resolve_removed_answers_the_new_report_version(client, world):
    case_id, finding_id, token, _ = released_case(world)
    dispute = client.post(
        "/api/v1/candidate/disputes",
        json={"finding_id": finding_id, "statement": "Not my record"},
        headers=_cand(token),
    ).json()
    r = client.post(
        f"/api/v1/disputes/{dispute['id']}/resolve",
        json={"outcome": "removed", "note": "Another person's record"},
        headers=world["hr"].headers,
    )
    _error(r, 403, "forbidden")
    r = client.post(
        f"/api/v1/disputes/{dispute['id']}/resolve",
        json={"outcome": "removed", "note": "Another person's record"},
        headers=world["investigator"].headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["report_version"] == 2
    again = client.post(
        f"/api/v1/disputes/{dispute['id']}/resolve",
        json={"outcome": "removed", "note": "Another person's record"},
        headers=world["investigator"].headers,
    )
    _error(again, 409, "invalid_state")
    report = client.get("/api/v1/candidate/report", headers=_cand(token)).json()
    assert finding_id not in [f["id"] for f in report["findings"]]
    listed = client.get("/api/v1/disputes?status=resolved", headers=world["investigator"].headers)
    assert [d["id"] for d in listed.json()] == [dispute["id"]]


def test_complaints_are_answered_then_rated(client, world):
    _, _, token, _ = released_case(world)
    r = client.post(
        "/api/v1/candidate/complaints",
        json={"category": "investigation_conduct", "statement": "The caller was rude"},
        headers=_cand(token),
    )
    assert r.status_code == 201, r.text
    complaint = r.json()
    assert complaint["status"] == "open"
    r = client.post(
        f"/api/v1/candidate/complaints/{complaint['id']}/satisfaction",
        json={"score": 2},
        headers=_cand(token),
    )
    _error(r, 409, "invalid_state")
    r = client.post(
        f"/api/v1/complaints/{complaint['id']}/answer",
        json={"answer": "We spoke to the agency and apologise"},
        headers=world["hr"].headers,
    )
    assert r.status_code == 200, r.text
    r = client.post(
        f"/api/v1/candidate/complaints/{complaint['id']}/satisfaction",
        json={"score": 5, "comment": "Thank you"},
        headers=_cand(token),
    )
    assert r.status_code == 200, r.text
    mine = client.get("/api/v1/candidate/complaints", headers=_cand(token)).json()
    assert mine[0]["status"] == "resolved" and mine[0]["satisfaction"] == 5
    assert mine[0]["owner_name"] and mine[0]["answer"] == "We spoke to the agency and apologise"


def test_the_reasons_list_is_published_to_staff(client, world):
    r = client.get("/api/v1/decision-reasons", headers=world["hr"].headers)
    assert r.status_code == 200
    codes = {x["code"]: x for x in r.json()["reasons"]}
    assert codes["litigation_record"]["prohibited"] is True
    assert client.get("/api/v1/decision-reasons").status_code == 401


def test_a_re_review_is_asked_answered_by_another_person_and_rated(client, world, clock):
    case_id, _, token, _ = released_case(world)
    _error(
        client.post("/api/v1/candidate/reviews", json={"statement": "x"}, headers=_cand(token)),
        409,
        "invalid_state",
    )
    clock.advance(days=8)
    assert _decide(client, world, case_id).status_code == 200
    token = fresh_token(world)  # a signed case's link lives 7 days
    r = client.post(
        "/api/v1/candidate/reviews",
        json={"statement": "请另一位同事重新审查这一决定"},
        headers=_cand(token),
    )
    assert r.status_code == 201, r.text
    review = r.json()
    assert review["owner"] == world["admin"].actor.id  # the only one who did not decide
    listed = client.get("/api/v1/candidate/reviews", headers=_cand(token)).json()
    assert [(x["id"], x["status"]) for x in listed] == [(review["id"], "open")]
    queue = client.get("/api/v1/reviews", headers=world["admin"].headers).json()
    assert [x["id"] for x in queue] == [review["id"]]
    answer = {"outcome": "upheld", "answer": "I read the report again; the mismatch stands."}
    _error(
        client.post(
            f"/api/v1/reviews/{review['id']}/answer", json=answer, headers=world["hr"].headers
        ),
        403,
        "forbidden",
    )
    _error(
        client.post(
            f"/api/v1/reviews/{review['id']}/answer",
            json={**answer, "outcome": "maybe"},
            headers=world["admin"].headers,
        ),
        422,
        "validation_error",
    )
    r = client.post(
        f"/api/v1/reviews/{review['id']}/answer", json=answer, headers=world["admin"].headers
    )
    assert r.status_code == 200 and r.json()["outcome"] == "upheld"
    r = client.post(
        f"/api/v1/candidate/reviews/{review['id']}/satisfaction",
        json={"score": 2},
        headers=_cand(token),
    )
    assert r.status_code == 200 and r.json()["score"] == 2
