"""Failed sign-ins and failed secrets are counted, and nobody is locked out by another's.

The attack (issue #20, item 11): 20 bad tokens, or 20 page views with a stale cookie, from
one address gave 429 to every request from it, valid keys and candidates included, and 10
failed sign-ins per minute kept an account closed to its owner for as long as an attacker
cared to keep failing. Now a valid secret always passes, a stale cookie is dropped and not
counted, and a failing address slows down only its own attempts on an account.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from factories.world import open_case, password_for
from fairscreen.identity.models import User
from fairscreen.settings import Settings
from fairscreen.web.app import create_app
from fairscreen.web.deps import CANDIDATE_COOKIE, SESSION_COOKIE

HTML = {"accept": "text/html"}


def _email(fs, staff) -> str:
    with fs.reader() as uow:
        return uow.session.get(User, staff.actor.id).email


def _sign_in(client: TestClient, email: str, password: str, **kw):
    client.get("/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf": client.cookies.get("fs_csrf")},
        follow_redirects=False,
        **kw,
    )


def _unlimited_addresses(fs) -> None:
    """Lift the per-address window so that a test reaches the per-account delay alone."""
    fs.settings.rate_limit_sign_in = "100000/minute"


def test_after_ten_failed_sign_ins_an_address_waits_even_with_the_right_password(client, world, fs):
    email = _email(fs, world["hr"])
    for n in range(10):  # each Argon2 check costs CPU: a flood from one address is cut
        assert _sign_in(client, f"guess{n}@t.example", "wrong").status_code == 401
    refused = _sign_in(client, email, password_for("employer"))
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    page = _sign_in(client, email, password_for("employer"), headers=HTML)
    assert page.status_code == 429 and "<html" in page.text.lower()
    assert "retry-after" in page.headers


def test_an_attacker_failing_on_an_account_does_not_keep_its_owner_out(fs, world):
    web = create_app(fs)
    hr = _email(fs, world["hr"])
    with TestClient(web, client=("10.0.0.1", 1000)) as attacker:
        for _ in range(10):
            assert _sign_in(attacker, hr, "wrong").status_code in (401, 429)
        assert _sign_in(attacker, hr, "wrong").status_code == 429
    with TestClient(web, client=("10.0.0.2", 1000)) as owner:
        # The owner, elsewhere, signs in at once however often the attacker failed.
        assert _sign_in(owner, hr, password_for("employer")).status_code == 303


def test_a_failing_address_waits_longer_each_time_up_to_the_cap(fs, world):
    _unlimited_addresses(fs)
    web = create_app(fs)
    hr = _email(fs, world["hr"])
    free, cap = fs.settings.rate_limit_sign_in_free_failures, 60
    waits = []
    with TestClient(web, client=("10.0.0.1", 1000)) as attacker:
        for _ in range(free):
            assert _sign_in(attacker, hr, "wrong").status_code == 401
        for _ in range(10):
            assert _sign_in(attacker, hr, "wrong").status_code == 401
            refused = _sign_in(attacker, hr, "wrong")
            assert refused.status_code == 429
            waits.append(int(refused.headers["retry-after"]))
            fs.clock.advance(seconds=waits[-1])
        assert waits == [1, 2, 4, 8, 16, 32, cap, cap, cap, cap]
        # Even from the attacker's own address, the right password works within the cap.
        assert _sign_in(attacker, hr, password_for("employer")).status_code == 303


def test_an_attacker_who_keeps_failing_at_each_expiry_does_not_hold_the_account(fs, world):
    _unlimited_addresses(fs)
    web = create_app(fs)
    hr = _email(fs, world["hr"])
    with (
        TestClient(web, client=("10.0.0.1", 1000)) as attacker,
        TestClient(web, client=("10.0.0.2", 1000)) as owner,
    ):
        for _ in range(40):
            answer = _sign_in(attacker, hr, "wrong")
            if answer.status_code == 429:
                fs.clock.advance(seconds=int(answer.headers["retry-after"]))
        assert _sign_in(owner, hr, "typo").status_code == 401
        answer = _sign_in(owner, hr, password_for("employer"))
        if answer.status_code == 429:  # the owner's own failure, while under attack
            assert int(answer.headers["retry-after"]) <= 60
            fs.clock.advance(seconds=int(answer.headers["retry-after"]))
            answer = _sign_in(owner, hr, password_for("employer"))
        assert answer.status_code == 303


def test_successful_requests_never_count(client, world):
    for _ in range(40):
        assert client.get("/api/v1/cases", headers=world["hr"].headers).status_code == 200


def test_guessing_tokens_is_answered_429_but_real_keys_and_tokens_still_pass(fs, world):
    _, token = open_case(world)
    wrong = {"Authorization": "Bearer " + token[:-4] + "AAAA"}
    with TestClient(create_app(fs), client=("10.0.0.9", 1000)) as office:
        for _ in range(20):
            assert office.get("/api/v1/candidate/case", headers=wrong).status_code == 401
        refused = office.get("/api/v1/candidate/case", headers=wrong)
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
        assert int(refused.headers["retry-after"]) >= 1
        bad_key = {"Authorization": "Bearer fsk_x.y"}
        assert office.get("/api/v1/cases", headers=bad_key).status_code == 429
        # From the same address, valid secrets are never refused for those failures.
        real = {"Authorization": f"Bearer {token}"}
        assert office.get("/api/v1/candidate/case", headers=real).status_code == 200
        assert office.get(f"/c/{token}", follow_redirects=False).status_code == 303
        assert office.get("/api/v1/cases", headers=world["hr"].headers).status_code == 200


def test_failures_against_one_id_are_counted_from_every_address(fs, world):
    _, token = open_case(world)
    wrong = {"Authorization": "Bearer " + token[:-4] + "AAAA"}
    web = create_app(fs)
    for n in range(20):
        with TestClient(web, client=(f"10.1.0.{n}", 1000)) as somewhere:
            assert somewhere.get("/api/v1/candidate/case", headers=wrong).status_code == 401
    with TestClient(web, client=("10.2.0.1", 1000)) as fresh:
        assert fresh.get("/api/v1/candidate/case", headers=wrong).status_code == 429
        real = {"Authorization": f"Bearer {token}"}
        assert fresh.get("/api/v1/candidate/case", headers=real).status_code == 200


def test_a_stale_cookie_is_cleared_and_never_counted(client, world, fs):
    email = _email(fs, world["hr"])
    assert _sign_in(client, email, password_for("employer")).status_code == 303
    session = client.cookies[SESSION_COOKIE]
    client.post("/logout", data={"csrf": client.cookies["fs_csrf"]})
    for _ in range(30):
        client.cookies.set(SESSION_COOKIE, session)  # a tab still holding the old cookie
        page = client.get("/app", follow_redirects=False)
        assert page.status_code == 303
        cleared = page.headers.get_list("set-cookie")
        assert any(c.startswith(f'{SESSION_COOKIE}=""') and "Max-Age=0" in c for c in cleared)
    client.cookies.set(SESSION_COOKIE, "ses_made_up.secret")
    client.get("/app", follow_redirects=False)
    client.cookies.clear()
    assert client.get("/api/v1/cases", headers=world["hr"].headers).status_code == 200
    bad = {"Authorization": "Bearer fsk_x.y"}
    assert client.get("/api/v1/cases", headers=bad).status_code == 401  # nothing was counted


def test_a_stale_staff_cookie_does_not_hide_the_candidates_link(client, world):
    _, token = open_case(world)
    client.cookies.set(SESSION_COOKIE, "ses_gone.secret")
    client.cookies.set(CANDIDATE_COOKIE, token)
    assert client.get("/api/v1/candidate/case").status_code == 200


@pytest.mark.parametrize("rate", ["ten per minute", "10/fortnight", ""])
def test_a_rate_that_is_not_a_rate_is_refused_at_start(rate):
    with pytest.raises(ValueError, match="not a rate"):
        Settings(rate_limit_sign_in=rate)
