"""Failed sign-ins and failed secrets are counted; past the limit the door answers 429."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from factories.world import open_case
from fairscreen.identity.models import User
from fairscreen.settings import Settings
from fairscreen.web.app import create_app


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


def test_after_ten_failed_sign_ins_even_the_right_password_waits(client, world, fs):
    email = _email(fs, world["hr"])
    for _ in range(10):
        assert _sign_in(client, email, "wrong").status_code == 401
    refused = _sign_in(client, email, "employer-password")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    page = _sign_in(client, email, "employer-password", headers={"accept": "text/html"})
    assert page.status_code == 429 and "<html" in page.text.lower()
    assert "retry-after" in page.headers


def test_the_limit_is_per_address_and_per_account(fs, world):
    web = create_app(fs)
    hr, admin = _email(fs, world["hr"]), _email(fs, world["admin"])
    with TestClient(web, client=("10.0.0.1", 1000)) as guesser:
        for _ in range(10):
            assert _sign_in(guesser, hr, "wrong").status_code == 401
        # The guesser's address is spent, whichever account it tries next.
        assert _sign_in(guesser, admin, "admin-password").status_code == 429
    with TestClient(web, client=("10.0.0.2", 1000)) as colleague:
        # Another address may sign in to another account...
        assert _sign_in(colleague, admin, "admin-password").status_code == 303
        # ...but the guessed account stays closed to everyone for the window.
        assert _sign_in(colleague, hr, "employer-password").status_code == 429


def test_successful_requests_never_count(client, world):
    for _ in range(40):
        assert client.get("/api/v1/cases", headers=world["hr"].headers).status_code == 200


def test_guessing_candidate_tokens_is_stopped_and_the_real_token_waits_too(client, world):
    case_id, token = open_case(world)
    wrong = {"Authorization": "Bearer " + token[:-4] + "AAAA"}
    for _ in range(20):
        assert client.get("/api/v1/candidate/case", headers=wrong).status_code == 401
    refused = client.get("/api/v1/candidate/case", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    # The invitation link is the same door.
    assert client.get(f"/c/{token}", follow_redirects=False).status_code == 429


def test_guessing_api_keys_and_session_cookies_counts_as_well(client, world):
    for _ in range(10):
        assert (
            client.get("/api/v1/cases", headers={"Authorization": "Bearer fsk_x.y"}).status_code
            == 401
        )
    for _ in range(10):
        client.cookies.set("fs_session", "ses_guess.secret")
        client.get("/app", follow_redirects=False)
    client.cookies.clear()
    assert client.get("/api/v1/cases", headers=world["hr"].headers).status_code == 429


def test_signing_in_again_ends_the_session_the_browser_held(client, world, fs):
    email = _email(fs, world["hr"])
    assert _sign_in(client, email, "employer-password").status_code == 303
    first = client.cookies.get("fs_session")
    assert _sign_in(client, email, "employer-password").status_code == 303
    second = client.cookies.get("fs_session")
    assert second != first
    client.cookies.set("fs_session", first)
    assert client.get("/app", follow_redirects=False).status_code == 303  # back to /login
    client.cookies.set("fs_session", second)
    assert client.get("/app", follow_redirects=False).status_code == 200


@pytest.mark.parametrize("rate", ["ten per minute", "10/fortnight", ""])
def test_a_rate_that_is_not_a_rate_is_refused_at_start(rate):
    with pytest.raises(ValueError, match="not a rate"):
        Settings(rate_limit_sign_in=rate)
