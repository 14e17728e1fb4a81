"""Low items of issue 20 replayed over HTTP: existence oracles, API keys that expire and
show their last use, a page number that broke the list, one organisation counted as two
origins, forbidden requirements in position titles and breach descriptions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from factories.consent import consented_case
from factories.world import open_case
from fairscreen.identity.actions import (
    authenticate_api_key,
    do_create_api_key,
    do_create_user,
)
from fairscreen.identity.models import ApiKey, User
from fairscreen.identity.policy import SYSTEM
from fairscreen.shared.errors import ValidationFailed

HTML = {"accept": "text/html"}


def _as(world, who: str) -> dict[str, str]:
    return {**world[who].headers, **HTML}


def _csrf(client, world, who: str, path: str) -> str:
    page = client.get(path, headers=_as(world, who))
    assert page.status_code == 200, page.text
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def _email(fs, staff_member) -> str:
    with fs.reader() as tx:
        user = tx.session.get(User, staff_member.actor.id)
        assert user is not None
        return user.email


# --- adding a user tells nothing of other organisations' users ---------------------------


def test_adding_another_organisations_user_answers_as_for_an_invalid_address(
    client, fs, world
) -> None:
    taken = _email(fs, world["investigator"])  # a user of the agency
    csrf = _csrf(client, world, "admin", "/admin/users")
    answers = []
    for email in (taken, "not-an-address"):
        r = client.post(
            "/admin/users",
            data={"csrf": csrf, "email": email, "name": "X", "role": "employer"},
            headers={**_as(world, "admin"), "accept-language": "en"},
        )
        error = re.search(r'id="email-error"[^>]*>([^<]*)<code[^>]*>([^<]*)<', r.text)
        assert error is not None
        answers.append((r.status_code, error.group(1), error.group(2)))
    assert answers[0] == answers[1]
    assert "other user" not in answers[0][1] and "cannot be used" in answers[0][1]


def test_the_action_gives_one_message_for_a_taken_and_a_malformed_address(fs, world) -> None:
    messages = []
    for email in (_email(fs, world["investigator"]), "a@b@c", "x@t.example\r\nBcc: y@z.cn"):
        with pytest.raises(ValidationFailed) as refused:
            do_create_user(fs.uow(), actor=SYSTEM, org_id=world.employer, email=email, role="admin")
        messages.append(refused.value.message)
    assert len(set(messages)) == 1


# --- API keys expire and show their last use ---------------------------------------------


def test_an_api_key_expires_after_its_days(client, fs, world, clock) -> None:
    key = do_create_api_key(fs.uow(), actor=SYSTEM, user_id=world["hr"].actor.id, expires_in_days=2)
    bearer = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/categories", headers=bearer).status_code == 200
    clock.advance(days=2, seconds=1)
    fs.recent_keys.forget(key.partition(".")[0].removeprefix("fsk_"))
    r = client.get("/api/v1/categories", headers=bearer)
    assert r.status_code == 401 and "expired" in r.json()["error"]["message"]


def test_a_key_lives_a_year_unless_told_and_no_longer_than_ten(fs, world, clock) -> None:
    key = do_create_api_key(fs.uow(), actor=SYSTEM, user_id=world["hr"].actor.id)
    key_id = key.partition(".")[0].removeprefix("fsk_")
    with fs.reader() as tx:
        row = tx.session.get(ApiKey, key_id)
        assert row is not None and row.expires_at - clock.now() == timedelta(days=365)
    for days in (0, 3651):
        with pytest.raises(ValidationFailed):
            do_create_api_key(
                fs.uow(), actor=SYSTEM, user_id=world["hr"].actor.id, expires_in_days=days
            )


def test_the_last_use_of_a_key_is_written_at_most_once_a_minute(fs, world, clock) -> None:
    key = world["hr"].api_key
    key_id = key.partition(".")[0].removeprefix("fsk_")

    def last_used():
        with fs.reader() as tx:
            return tx.session.scalar(select(ApiKey.last_used_at).where(ApiKey.id == key_id))

    first = clock.now()
    authenticate_api_key(fs.reader(), key, writer=fs.uow())
    assert last_used() == first
    clock.advance(seconds=30)
    authenticate_api_key(fs.reader(), key, writer=fs.uow())
    assert last_used() == first  # within the minute: no write
    clock.advance(seconds=31)
    authenticate_api_key(fs.reader(), key, writer=fs.uow())
    assert last_used() == clock.now()


def test_the_admin_page_lists_last_use_and_expiry_and_creates_keys_for_days(
    client, fs, world, clock
) -> None:
    key_id = world["hr"].api_key.partition(".")[0].removeprefix("fsk_")
    # The world's set-up checked this key, so the process would answer from its memory
    # (identity/keycache.py), which records no use: this request reads the database.
    fs.recent_keys.forget(key_id)
    assert client.get("/api/v1/categories", headers=world["hr"].headers).status_code == 200
    page = client.get("/admin/api-keys", headers={**_as(world, "admin"), "accept-language": "en"})
    assert "Last used" in page.text and "Expires" in page.text
    row = re.search(rf'<tr id="key-{key_id}">(.*?)</tr>', page.text, re.S).group(1)
    assert 'class="last-used">never' not in row  # the request above was its use
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/admin/api-keys",
        data={"csrf": csrf, "user_id": world["hr"].actor.id, "expires_in_days": "30"},
        headers=_as(world, "admin"),
    )
    assert r.status_code == 201
    with fs.reader() as tx:
        lives = [e - clock.now() for e in tx.session.scalars(select(ApiKey.expires_at))]
    assert lives.count(timedelta(days=30)) == 1  # the new one; the others live a year
    r = client.post(
        "/admin/api-keys",
        data={"csrf": csrf, "user_id": world["hr"].actor.id, "expires_in_days": "99999"},
        headers=_as(world, "admin"),
    )
    assert r.status_code == 422 and 'id="expires_in_days-error"' in r.text


# --- the cases list with a huge page number ----------------------------------------------


@pytest.mark.parametrize("page", ["9" * 30, "99999999999999999999", "²", "-1", "1e9"])
def test_a_huge_or_odd_page_number_shows_a_page_not_an_error(client, world, page) -> None:
    open_case(world)
    r = client.get(f"/app?page={page}", headers=_as(world, "hr"))
    assert r.status_code == 200, r.text[:300]


# --- one organisation is one origin, whichever department wrote ---------------------------


def _finding(client, world, case_id) -> str:
    r = client.post(
        f"/api/v1/cases/{case_id}/findings",
        json={"category": "employment_history", "claim": "ACME 2019-2023 clerk"},
        headers=world["investigator"].headers,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _source(client, world, finding_id, kind: str, origin: str) -> str:
    r = client.post(
        f"/api/v1/findings/{finding_id}/sources",
        json={"kind": kind, "origin": origin, "supports": True},
        headers=world["investigator"].headers,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["finding"]["status"])


def test_two_departments_of_one_organisation_are_one_origin(client, world) -> None:
    case_id, _ = consented_case(world, categories=("identity", "employment_history"))
    fid = _finding(client, world, case_id)
    assert _source(client, world, fid, "employer_record", "ACME HR") == "unverified"
    assert _source(client, world, fid, "reference", "ACME HR dept 2") == "unverified"
    assert _source(client, world, fid, "reference", "某某科技有限公司人事部") == "verified"


# --- forbidden requirements in titles and breach descriptions -----------------------------


def test_a_position_title_with_a_forbidden_requirement_is_refused(client, world) -> None:
    for title in ("unmarried women under 30 only", "前台（限未婚女性）"):
        r = client.post(
            "/api/v1/positions",
            json={"title": title, "purpose": "general", "grade": "staff"},
            headers=world["hr"].headers,
        )
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == "forbidden_content"
    listed = client.get("/api/v1/positions", headers=world["hr"].headers)
    assert "unmarried" not in listed.text


def test_a_forbidden_title_counts_in_the_regulators_refusals(client, world) -> None:
    before = client.get(
        f"/api/v1/regulator/organizations/{world.employer}/compliance",
        headers=world["inspector"].headers,
    ).json()["refusals"]
    client.post(
        "/api/v1/positions",
        json={"title": "unmarried women under 30 only", "purpose": "general", "grade": "staff"},
        headers=world["hr"].headers,
    )
    after = client.get(
        f"/api/v1/regulator/organizations/{world.employer}/compliance",
        headers=world["inspector"].headers,
    ).json()["refusals"]
    assert after.get("forbidden_content", 0) == before.get("forbidden_content", 0) + 1


def test_a_breach_description_with_a_forbidden_topic_is_refused(client, world, clock) -> None:
    case_id, _ = open_case(world)
    r = client.post(
        "/api/v1/breaches",
        headers=world["admin"].headers,
        json={
            "description": "The leaked export listed which candidates are pregnant",
            "discovered_at": (clock.now() - timedelta(hours=1)).isoformat(),
            "case_ids": [case_id],
        },
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "forbidden_content"
