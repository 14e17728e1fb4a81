"""The JSON API for positions, cases and the candidate's view, with the contract's errors."""

from __future__ import annotations

import pytest


def _position(client, world, purpose="general", grade="staff"):
    r = client.post(
        "/api/v1/positions",
        json={"title": "Engineer", "purpose": purpose, "grade": grade},
        headers=world["hr"].headers,
    )
    assert r.status_code == 201, r.text
    return r.json()


def _case(client, world, categories=("identity", "education"), position=None):
    position = position or _position(client, world)
    return client.post(
        "/api/v1/cases",
        json={
            "position_id": position["id"],
            "agency_id": world.agency,
            "candidate": {"name": "张伟", "email": "zhang.wei@candidate.example"},
            "categories": list(categories),
        },
        headers=world["hr"].headers,
    )


def test_position_answers_with_allowed_categories(client, world) -> None:
    body = _position(client, world, "finance", "manager")
    assert "credit" in body["allowed_categories"]
    assert "marital_status" not in body["allowed_categories"]


def test_case_is_opened_awaiting_consent_and_visible_to_employer_and_agency(client, world, fs):
    r = _case(client, world)
    assert r.status_code == 201
    assert r.json()["status"] == "awaiting_consent"
    case_id = r.json()["id"]
    for who in ("hr", "investigator"):
        got = client.get(f"/api/v1/cases/{case_id}", headers=world[who].headers)
        assert got.status_code == 200, who
        assert got.json()["candidate"]["name"] == "张伟"
    listed = client.get("/api/v1/cases?status=awaiting_consent", headers=world["hr"].headers)
    assert [c["id"] for c in listed.json()["items"]] == [case_id]


def test_out_of_scope_and_forbidden_categories(client, world) -> None:
    r = _case(client, world, categories=("identity", "credit"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "out_of_scope"
    r = _case(client, world, categories=("identity", "religion"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "forbidden_category"


def test_another_organisations_case_is_not_found(client, world, fs) -> None:
    from factories.world import staff

    case_id = _case(client, world).json()["id"]
    from fairscreen.identity.actions import do_create_org
    from fairscreen.identity.policy import SYSTEM

    other = do_create_org(fs.uow(), actor=SYSTEM, name="Other", kind="employer")
    outsider = staff(fs, other, "employer")
    r = client.get(f"/api/v1/cases/{case_id}", headers=outsider.headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = client.get(f"/api/v1/cases/{case_id}", headers=world["inspector"].headers)
    assert r.status_code == 404


def test_regulator_may_not_create_positions(client, world) -> None:
    r = client.post(
        "/api/v1/positions",
        json={"title": "x", "purpose": "general", "grade": "staff"},
        headers=world["inspector"].headers,
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_candidate_sees_case_and_consent_document(client, world, fs) -> None:
    _case(client, world)
    [message] = fs.outbox()
    token = message.link.rsplit("/", 1)[1]
    r = client.get("/api/v1/candidate/case", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    body = r.json()
    import hashlib

    doc = body["consent_document"]
    assert hashlib.sha256(doc["text"].encode()).hexdigest() == doc["sha256"]
    assert "张伟" in doc["text"]
    assert {c["code"] for c in body["categories"]} == {"identity", "education"}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "", "purpose": "general", "grade": "staff"}, "title"),
        ({"title": "x" * 201, "purpose": "general", "grade": "staff"}, "title"),
        ({"title": "x", "purpose": "general"}, "grade"),
        ({"title": "x", "purpose": "general", "grade": "staff", "extra": 1}, "extra"),
        ({"title": 5, "purpose": "general", "grade": "staff"}, "title"),
    ],
)
def test_bad_input_names_the_field(client, world, payload, field) -> None:
    r = client.post("/api/v1/positions", json=payload, headers=world["hr"].headers)
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "validation_error"
    assert field in err["message"]


def test_malformed_and_non_utf8_bodies_are_validation_errors(client, world) -> None:
    headers = {**world["hr"].headers, "content-type": "application/json"}
    for raw in (b"{not json", b'{"title": "\xff\xfe"}'):
        r = client.post("/api/v1/positions", content=raw, headers=headers)
        assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"


def test_oversized_body_is_413(client, world) -> None:
    r = client.post(
        "/api/v1/positions",
        content=b"x" * (1024 * 1024 + 1),
        headers={**world["hr"].headers, "content-type": "application/json"},
    )
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"


def test_unauthenticated_and_unknown_routes(client, world) -> None:
    r = client.get("/api/v1/cases")
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
    r = client.get("/api/v1/cases", headers={"Authorization": "Bearer fsk_nope.nope"})
    assert r.status_code == 401
    r = client.get("/api/v1/nothing-here", headers=world["hr"].headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_revoked_candidate_link_is_refused(client, world, fs, clock) -> None:
    _case(client, world)
    token = fs.outbox()[0].link.rsplit("/", 1)[1]
    clock.advance(days=40)
    r = client.get("/api/v1/candidate/case", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and "expired" in r.json()["error"]["message"]


def test_openapi_documents_every_route_with_errors(client) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/cases" in doc["paths"]
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert "422" in op["responses"], (path, method)


def test_pages_are_chinese_by_default_and_unknown_pages_are_readable(client) -> None:
    r = client.get("/", headers={"accept": "text/html"})
    assert r.status_code == 200 and "签署授权" in r.text
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    r = client.get("/", headers={"accept": "text/html", "accept-language": "en-GB,en;q=0.9"})
    assert "Signed authorisation" in r.text
    r = client.get("/no/such/page", headers={"accept": "text/html"})
    assert r.status_code == 404 and "找不到" in r.text and 'data-code="not_found"' in r.text


def test_staff_sign_in_with_password_sets_a_session(client, world) -> None:
    page = client.get("/login")
    csrf = client.cookies.get("fs_csrf")
    assert csrf and csrf in page.text
    bad = client.post(
        "/login", data={"email": "employer0@t.example", "password": "no", "csrf": csrf}
    )
    assert bad.status_code == 401
    email = next(iter(world.staff.values())).actor  # any user; password is <role>-password
    del email
    r = client.post("/login", data={"email": "x@y.z", "password": "p"})
    assert r.status_code == 403  # no CSRF token


def test_signed_in_staff_see_their_cases_page(client, world, fs) -> None:
    _case(client, world)
    client.get("/login")
    csrf = client.cookies.get("fs_csrf")
    from fairscreen.identity.models import User

    with fs.reader() as uow:
        hr = uow.session.get(User, world["hr"].actor.id)
    r = client.post(
        "/login",
        data={"email": hr.email, "password": "employer-password", "csrf": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/app"
    page = client.get("/app")
    assert page.status_code == 200 and "awaiting_consent" in page.text
    client.cookies.clear()
    assert client.get("/app", follow_redirects=False).status_code == 303


def test_a_revoked_key_is_refused_at_once_by_the_process_that_revoked_it(client, world, fs):
    from fairscreen.identity.actions import do_revoke_api_key

    hr = world["hr"]
    assert client.get("/api/v1/cases", headers=hr.headers).status_code == 200
    key_id = hr.headers["Authorization"].split()[1].removeprefix("fsk_").partition(".")[0]
    wrong = {"Authorization": hr.headers["Authorization"][:-3] + "xyz"}
    assert client.get("/api/v1/cases", headers=wrong).status_code == 401
    do_revoke_api_key(fs.uow(), actor=world["admin"].actor, key_id=key_id)
    answer = client.get("/api/v1/cases", headers=hr.headers)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthenticated"
