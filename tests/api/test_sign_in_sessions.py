"""Signing in ends only the signer's own session; passwords have a minimum length.

The attack: sign-in revoked the session named in the presented `fs_session` cookie
(`replacing=`) without checking its secret or its owner, so any staff user of any tenant
who knew a session id (the public ledger feed listed them) signed that person out by
signing in with `fs_session=<their session id>.anything`.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from factories.world import make_world, password_for
from fairscreen.identity.actions import do_create_user
from fairscreen.identity.models import User
from fairscreen.identity.policy import SYSTEM
from fairscreen.shared.errors import ValidationFailed
from fairscreen.web.app import create_app
from fairscreen.web.deps import SESSION_COOKIE


def _email(fs, staff) -> str:
    with fs.reader() as uow:
        return uow.session.get(User, staff.actor.id).email


def _sign_in(client: TestClient, email: str, password: str):
    client.get("/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf": client.cookies.get("fs_csrf")},
        follow_redirects=False,
    )


def _signed_in(client: TestClient) -> bool:
    return client.get("/app", follow_redirects=False).status_code == 200


def test_signing_in_with_another_users_session_id_in_the_cookie_does_not_end_it(fs) -> None:
    world, other = make_world(fs), make_world(fs)
    web = create_app(fs)
    with TestClient(web) as victim, TestClient(web) as attacker:
        assert (
            _sign_in(victim, _email(fs, world["hr"]), password_for("employer")).status_code == 303
        )
        cookie = victim.cookies[SESSION_COOKIE]
        session_id = cookie.partition(".")[0]
        # A forged secret with the victim's session id ...
        attacker.cookies.set(SESSION_COOKIE, f"{session_id}.forged")
        assert (
            _sign_in(attacker, _email(fs, other["hr"]), password_for("employer")).status_code == 303
        )
        assert _signed_in(victim)
        # ... and even the victim's whole cookie, presented by another user signing in.
        attacker.cookies.set(SESSION_COOKIE, cookie)
        assert (
            _sign_in(attacker, _email(fs, other["hr"]), password_for("employer")).status_code == 303
        )
        assert _signed_in(victim)


def test_signing_out_with_another_users_session_id_in_the_cookie_does_not_end_it(fs) -> None:
    world = make_world(fs)
    web = create_app(fs)
    with TestClient(web) as victim, TestClient(web) as attacker:
        assert (
            _sign_in(victim, _email(fs, world["hr"]), password_for("employer")).status_code == 303
        )
        session_id = victim.cookies[SESSION_COOKIE].partition(".")[0]
        attacker.get("/login")
        attacker.cookies.set(SESSION_COOKIE, f"{session_id}.forged")
        attacker.post("/logout", data={"csrf": attacker.cookies["fs_csrf"]})
        assert _signed_in(victim)
        victim.post("/logout", data={"csrf": victim.cookies["fs_csrf"]})
        assert not _signed_in(victim)


def test_signing_in_again_still_ends_the_signers_own_previous_session(client, world, fs) -> None:
    email = _email(fs, world["hr"])
    assert _sign_in(client, email, password_for("employer")).status_code == 303
    first = client.cookies[SESSION_COOKIE]
    assert _sign_in(client, email, password_for("employer")).status_code == 303
    second = client.cookies[SESSION_COOKIE]
    assert second != first
    client.cookies.set(SESSION_COOKIE, first)
    assert not _signed_in(client)
    client.cookies.set(SESSION_COOKIE, second)
    assert _signed_in(client)


@pytest.mark.parametrize("password", ["x", "short-pass1"])
def test_a_password_shorter_than_twelve_characters_is_refused(client, world, fs, password):
    assert _sign_in(client, _email(fs, world["admin"]), password_for("admin")).status_code == 303
    page = client.get("/admin/users?lang=en", headers={"accept": "text/html"})
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    form = {"csrf": csrf, "email": "new@t.example", "role": "employer", "password": password}
    answer = client.post("/admin/users", data=form, headers={"accept": "text/html"})
    assert answer.status_code == 422
    with fs.reader() as uow:
        assert uow.session.query(User).filter_by(email="new@t.example").count() == 0
    with pytest.raises(ValidationFailed, match="at least 12 characters") as refused:
        do_create_user(
            fs.uow(),
            actor=world["admin"].actor,
            org_id=world.employer,
            email="new@t.example",
            role="employer",
            password=password,
        )
    assert refused.value.code == "validation_error"
    assert refused.value.details["field"] == "password"


def test_the_demo_password_and_a_twelve_character_one_are_accepted(world) -> None:
    from fairscreen.demo import DEMO_PASSWORD

    for n, password in enumerate((DEMO_PASSWORD, "a" * 12)):
        do_create_user(
            world.app.uow(),
            actor=SYSTEM,
            org_id=world.employer,
            email=f"long{n}@t.example",
            role="employer",
            password=password,
        )
