"""The ledger's event bodies go to the organisation itself and its regulator, never the public.

The attack: anyone read `GET /api/v1/ledger/events` and walked every tenant's per-case
ratings, decisions, breaches and the staff session ids that `user.signed_in` carried (with
which sign-in's `replacing=` ended any session). The public keeps the checkpoint, the key
and the proofs, which are hashes.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from factories.consent import consented_case
from factories.world import make_world, password_for
from fairscreen.identity.models import StaffSession, User
from fairscreen.ledger.events import append_event
from fairscreen.web.app import create_app

FEED = "/api/v1/ledger/events?limit=1000"


def _feed(client: TestClient, headers: dict[str, str] | None = None) -> list[dict]:
    answer = client.get(FEED, headers=headers or {})
    assert answer.status_code == 200, answer.text
    return [e["event"] for e in answer.json()["events"]]


def test_the_public_gets_no_event_bodies_but_still_checks_the_ledger(client, world) -> None:
    consented_case(world)
    anonymous = client.get(FEED)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthenticated"
    size = client.get("/api/v1/ledger/checkpoint").json()["size"]
    assert size > 0
    proof = client.get(f"/api/v1/ledger/proof/inclusion?index=0&size={size}")
    assert proof.status_code == 200 and proof.json()["leaf_hash"]
    assert client.get("/api/v1/ledger/public-key").status_code == 200


def test_staff_read_their_organisations_events_and_the_regulator_those_under_it(fs) -> None:
    world = make_world(fs)
    other = make_world(fs)  # another employer and agency under another regulator
    _, token = consented_case(world)
    consented_case(other)
    with TestClient(create_app(fs)) as client:
        mine = _feed(client, world["hr"].headers)
        assert mine and {e["org_id"] for e in mine} == {world.employer}
        assert {e["org_id"] for e in _feed(client, world["investigator"].headers)} == {world.agency}
        regulated = {e["org_id"] for e in _feed(client, world["inspector"].headers)}
        assert {world.employer, world.agency} <= regulated
        assert regulated <= {world.employer, world.agency, world.regulator}
        theirs = {e["org_id"] for e in _feed(client, other["hr"].headers)}
        assert theirs == {other.employer}
        candidate = client.get(FEED, headers={"Authorization": f"Bearer {token}"})
        assert candidate.status_code == 403


def test_an_organisations_feed_pages_through_its_own_events(fs) -> None:
    world = make_world(fs)
    make_world(fs)
    consented_case(world)
    consented_case(world)
    with TestClient(create_app(fs)) as client:
        everything = _feed(client, world["hr"].headers)
        seen, start = [], 0
        while start is not None:
            page = client.get(
                f"/api/v1/ledger/events?from={start}&limit=2", headers=world["hr"].headers
            ).json()
            assert len(page["events"]) <= 2
            seen += [e["event"] for e in page["events"]]
            start = page["next"]
        assert seen == everything and len(seen) > 2


def test_signing_in_leaves_no_session_id_in_the_ledger(client, world, fs) -> None:
    with fs.reader() as uow:
        email = uow.session.get(User, world["hr"].actor.id).email
    client.get("/login")
    answer = client.post(
        "/login",
        data={
            "email": email,
            "password": password_for("employer"),
            "csrf": client.cookies["fs_csrf"],
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    with fs.reader() as uow:
        session_id = uow.session.query(StaffSession).one().id
    events = _feed(client, world["admin"].headers)
    signed_in = [e for e in events if e["type"] == "user.signed_in"]
    assert len(signed_in) == 1
    assert "session_id" not in signed_in[0]["data"]
    assert all(session_id not in str(e) for e in events)


def test_whether_a_candidate_volunteered_demographics_is_not_in_the_employers_feed(
    client, world, fs
) -> None:
    with fs.uow() as uow:
        append_event(
            uow.session,
            type="demographics.volunteered",
            actor="candidate:tok_x",
            at=fs.clock.now(),
            case_id="case_x",
            org_id=world.employer,
            data={},
        )
        uow.commit()
    types = [e["type"] for e in _feed(client, world["admin"].headers)]
    assert "demographics.volunteered" not in types and "user.created" in types
    assert "demographics.volunteered" in [
        e["type"] for e in _feed(client, world["inspector"].headers)
    ]
