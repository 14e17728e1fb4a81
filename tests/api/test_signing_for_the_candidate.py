"""The employer cannot sign for the candidate (issue 20, item 5), replayed over HTTP.

HR opened a case with its own staff address as the candidate's, opened the link and
signed. Now a candidate address may be neither a staff user's (of any organisation) nor
at the employer's own mail domains; a consent records how its signer was reached; and a
signature from a client that matches a recent staff session of the employer is flagged to
the employer and counted for the regulator.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from factories.world import staff
from fairscreen.cases.models import CandidateToken
from fairscreen.consent.models import ConsentRecord
from fairscreen.identity.models import StaffSession, User
from fairscreen.web.app import create_app

CATS = ["identity", "education"]
HR_BROWSER = "Mozilla/5.0 (HR desk) Firefox/133.0"
HTML = {"accept": "text/html"}


def _email(fs, staff_member) -> str:
    with fs.reader() as tx:
        user = tx.session.get(User, staff_member.actor.id)
        assert user is not None
        return user.email


def _position(client, world) -> str:
    r = client.post(
        "/api/v1/positions",
        json={"title": "Clerk", "purpose": "general", "grade": "staff"},
        headers=world["hr"].headers,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _open(client, world, email: str, name: str = "张伟"):
    return client.post(
        "/api/v1/cases",
        json={
            "position_id": _position(client, world),
            "agency_id": world.agency,
            "candidate": {"name": name, "email": email},
            "categories": CATS,
        },
        headers=world["hr"].headers,
    )


def _refused_address(r) -> str:
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "validation_error"
    assert error["field"] == "candidate.email"
    return str(error["message"])


def _token(fs, to: str) -> str:
    links = [m.link for m in fs.outbox() if m.to == to and m.link]
    return links[-1].rsplit("/", 1)[1]


def _sign(client, token: str, user_agent: str = "Candidate phone"):
    return client.post(
        "/api/v1/candidate/consent",
        json={"full_name": "张伟", "agree": True, "categories": CATS},
        headers={"Authorization": f"Bearer {token}", "user-agent": user_agent},
    )


def _sign_in_hr(client, fs, world, user_agent: str = HR_BROWSER) -> None:
    page = client.get("/login", headers={"user-agent": user_agent})
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/login",
        data={"email": _email(fs, world["hr"]), "password": "employer-password", "csrf": csrf},
        headers={"user-agent": user_agent},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    client.cookies.clear()  # the candidate's requests carry no staff cookie


# --- addresses that are not the candidate's own ------------------------------------------


def test_hr_cannot_invite_its_own_staff_address_as_the_candidate(client, fs, world) -> None:
    message = _refused_address(_open(client, world, _email(fs, world["hr"])))
    assert "staff" in message
    assert fs.outbox() == []  # no invitation went anywhere


def test_another_organisations_staff_address_is_refused_without_naming_it(
    client, fs, world
) -> None:
    elsewhere = staff(fs, world.agency, "investigator")  # staff of another organisation
    own = _refused_address(_open(client, world, _email(fs, world["hr"])))
    other = _refused_address(_open(client, world, _email(fs, elsewhere)))
    assert other == own  # one message: nothing tells which organisation it belongs to
    assert "Agency Co" not in other and world.agency not in other


def test_an_address_at_the_employers_staff_domain_is_refused(client, world) -> None:
    # The staff of the employer have addresses at t.example: so does its HR's mailbox.
    _refused_address(_open(client, world, "candidate.inbox@t.example"))
    _refused_address(_open(client, world, "someone@mail.t.example"))


def test_the_admin_declares_the_organisations_own_domains(client, fs, world) -> None:
    url = f"/api/v1/organizations/{world.employer}/mail-domains"
    r = client.put(url, json={"mail_domains": ["Employer-Co.CN"]}, headers=world["admin"].headers)
    assert r.status_code == 200, r.text
    assert r.json()["mail_domains"] == ["employer-co.cn"]
    assert set(r.json()["own_domains"]) == {"employer-co.cn", "t.example"}
    _refused_address(_open(client, world, "li.na@employer-co.cn"))
    assert _open(client, world, "li.na@candidate.example").status_code == 201
    # A public provider is the candidates' own, never an organisation's.
    r = client.put(url, json={"mail_domains": ["qq.com"]}, headers=world["admin"].headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    # Only the organisation's admin sets them; another organisation's admin finds nothing.
    r = client.put(url, json={"mail_domains": []}, headers=world["hr"].headers)
    assert r.status_code == 403
    r = client.put(url, json={"mail_domains": []}, headers=world["agency_admin"].headers)
    assert r.status_code == 404


def test_a_staff_address_at_a_public_provider_does_not_block_that_provider(
    client, fs, world
) -> None:
    from fairscreen.identity.actions import do_create_user
    from fairscreen.identity.policy import SYSTEM

    do_create_user(
        fs.uow(), actor=SYSTEM, org_id=world.employer, email="hr.wang@qq.com", role="employer"
    )
    _refused_address(_open(client, world, "hr.wang@qq.com"))  # the staff user's own
    assert _open(client, world, "zhang.wei@qq.com").status_code == 201


@pytest.mark.parametrize(
    "email",
    [
        "zhang.wei@candidate.example\r\nBcc: hr@t.example",
        "zhang.wei@candidate.example\nhr@t.example",
        "zhang.wei@candidate.example, hr@t.example",
        "zhang.wei@candidate.example;hr@t.example",
        "Zhang Wei <zhang.wei@candidate.example>",
        '"zhang wei"@candidate.example',
        "zhang.wei@candidate..example",
        "zhang.wei@@candidate.example",
    ],
)
def test_addresses_with_line_breaks_lists_or_names_are_refused(client, fs, world, email) -> None:
    message = _refused_address(_open(client, world, email))
    assert "valid" in message
    assert fs.outbox() == []


# --- the evidence of the signature, and the staff-device flag ----------------------------


def test_a_consent_signed_from_the_hr_browser_is_flagged_to_employer_and_regulator(
    client, fs, world
) -> None:
    _sign_in_hr(client, fs, world)
    r = _open(client, world, "zhang.wei@candidate.example")
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    assert _sign(client, _token(fs, "zhang.wei@candidate.example"), HR_BROWSER).status_code == 200

    consent = client.get(f"/api/v1/cases/{case_id}", headers=world["hr"].headers).json()["consent"]
    assert consent["signed_from_staff_device"] is True
    assert consent["staff_device_match"] == "ip_and_user_agent"
    assert consent["reached_by"] == "invitation link sent to z***@candidate.example"
    page = client.get(f"/app/cases/{case_id}", headers={**world["hr"].headers, **HTML})
    assert page.status_code == 200
    assert 'id="staff-device-flag"' in page.text and 'data-match="ip_and_user_agent"' in page.text
    figures = client.get(
        f"/api/v1/regulator/organizations/{world.employer}/compliance",
        headers=world["inspector"].headers,
    ).json()
    assert figures["consent"]["consents_signed_from_staff_devices"] == 1
    assert figures["consent"]["signed"] == 1


def test_the_same_network_with_another_browser_is_flagged_as_the_network_only(
    client, fs, world
) -> None:
    _sign_in_hr(client, fs, world)
    case_id = _open(client, world, "zhang.wei@candidate.example").json()["id"]
    assert _sign(client, _token(fs, "zhang.wei@candidate.example"), "Phone").status_code == 200
    consent = client.get(f"/api/v1/cases/{case_id}", headers=world["hr"].headers).json()["consent"]
    assert consent["signed_from_staff_device"] is True
    assert consent["staff_device_match"] == "ip"


def test_a_consent_from_elsewhere_or_long_after_a_staff_session_is_not_flagged(
    client, fs, world, clock
) -> None:
    _sign_in_hr(client, fs, world)
    first = _open(client, world, "zhang.wei@candidate.example").json()["id"]
    with TestClient(create_app(fs), client=("203.0.113.9", 50000)) as elsewhere:
        r = _sign(elsewhere, _token(fs, "zhang.wei@candidate.example"), HR_BROWSER)
        assert r.status_code == 200, r.text
    clock.advance(hours=12 + 25)  # the staff session ended more than 24 hours ago
    second = _open(client, world, "li.na@candidate.example", name="李娜").json()["id"]
    r = client.post(
        "/api/v1/candidate/consent",
        json={"full_name": "李娜", "agree": True, "categories": CATS},
        headers={
            "Authorization": f"Bearer {_token(fs, 'li.na@candidate.example')}",
            "user-agent": HR_BROWSER,
        },
    )
    assert r.status_code == 200, r.text
    for case_id in (first, second):
        view = client.get(f"/api/v1/cases/{case_id}", headers=world["hr"].headers).json()
        assert view["consent"]["signed_from_staff_device"] is False
        assert view["consent"]["staff_device_match"] is None


def test_sessions_and_consents_keep_no_client_address_in_clear(client, fs, world) -> None:
    _sign_in_hr(client, fs, world)
    _open(client, world, "zhang.wei@candidate.example")
    assert _sign(client, _token(fs, "zhang.wei@candidate.example"), HR_BROWSER).status_code == 200
    with fs.reader() as tx:
        session = tx.session.scalars(select(StaffSession)).one()
        record = tx.session.scalars(select(ConsentRecord)).one()
    assert session.client_ip_hash and session.client_hash
    assert "testclient" not in session.client_ip_hash + session.client_hash
    for sealed in (record.ip, record.user_agent, record.reached_by):
        assert sealed is not None
        blob = bytes(sealed.blob)
        assert b"testclient" not in blob and b"HR desk" not in blob and b"z***" not in blob


# --- the candidate's link after signing --------------------------------------------------


def test_the_link_lives_seven_days_after_signing_and_a_fresh_one_comes_by_mail(
    client, fs, world, clock
) -> None:
    address = "zhang.wei@candidate.example"
    case_id = _open(client, world, address).json()["id"]
    token = _token(fs, address)
    assert _sign(client, token).status_code == 200
    with fs.reader() as tx:
        (expiry,) = tx.session.scalars(select(CandidateToken.expires_at)).all()
    assert expiry - clock.now() == timedelta(days=7)  # not the invitation's 30
    clock.advance(days=8)
    bearer = {"Authorization": f"Bearer {token}"}
    r = client.get("/api/v1/candidate/case", headers=bearer)
    assert r.status_code == 401 and "/c/renew" in r.json()["error"]["message"]

    form = client.get("/c/renew")
    assert form.status_code == 200
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    sent = client.post("/c/renew", data={"email": "Zhang.Wei@Candidate.example", "csrf": csrf})
    unknown = client.post("/c/renew", data={"email": "nobody@candidate.example", "csrf": csrf})
    assert sent.status_code == unknown.status_code == 200
    assert 'id="renew-sent"' in sent.text and 'id="renew-sent"' in unknown.text
    assert [m.to for m in fs.outbox()] == [address, address]  # the invitation, then one link
    fresh = _token(fs, address)
    assert fresh != token
    r = client.get("/api/v1/candidate/case", headers={"Authorization": f"Bearer {fresh}"})
    assert r.status_code == 200 and r.json()["id"] == case_id
    # Asked again at once: no second mail (nobody can flood the candidate's mailbox).
    client.post("/c/renew", data={"email": address, "csrf": csrf})
    assert len(fs.outbox()) == 2
    clock.advance(days=8)  # the fresh link of a signed case lives seven days as well
    r = client.get("/api/v1/candidate/case", headers={"Authorization": f"Bearer {fresh}"})
    assert r.status_code == 401


def test_a_renewal_without_the_csrf_token_is_refused(client, fs, world) -> None:
    _open(client, world, "zhang.wei@candidate.example")
    r = client.post("/c/renew", data={"email": "zhang.wei@candidate.example"})
    assert r.status_code == 403
    assert len(fs.outbox()) == 1
