"""The regulator's API and pages: figures, access matrix, no personal data, timelines."""

from __future__ import annotations

import pytest

from factories.compliance import build_scene
from factories.world import staff
from fairscreen.identity.actions import do_create_org, do_sign_in
from fairscreen.identity.models import User
from fairscreen.identity.policy import SYSTEM
from fairscreen.ledger.verify import verify_inclusion
from fairscreen.web.deps import SESSION_COOKIE


def _compliance(world, org_id: str) -> str:
    return f"/api/v1/regulator/organizations/{org_id}/compliance"


def test_the_regulator_reads_an_organisations_figures(client, world) -> None:
    scene = build_scene(world)
    response = client.get(_compliance(world, world.employer), headers=world["inspector"].headers)
    assert response.status_code == 200
    body = response.json()
    assert body["cases"]["total"] == 6
    assert body["consent"]["cases_with_findings_without_consent"] == 1
    assert body["retention"] == {"destructions_overdue": 1, "legal_holds_in_force": 1}
    assert body["erasure"]["done_on_time"] == 1
    assert body["refusals"]["out_of_scope"] == 2
    assert set(body) >= {"decisions", "feedback", "findings", "reports", "period"}
    for value in scene.personal:
        assert value not in response.text


def test_the_period_is_read_from_the_query(client, world) -> None:
    build_scene(world)
    response = client.get(
        _compliance(world, world.employer) + "?from=2020-01-01&to=2020-12-31",
        headers=world["inspector"].headers,
    )
    assert response.status_code == 200
    assert response.json()["cases"]["total"] == 0
    bad = client.get(
        _compliance(world, world.employer) + "?from=yesterday", headers=world["inspector"].headers
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("other_regulator", 404, "not_found"),
        ("hr", 403, "forbidden"),
        ("admin", 403, "forbidden"),
        ("investigator", 403, "forbidden"),
        (None, 401, "unauthenticated"),
    ],
)
def test_only_the_organisations_regulator_reads_its_figures(
    client, world, who, status, code
) -> None:
    headers = {}
    if who == "other_regulator":
        other = do_create_org(world.app.uow(), actor=SYSTEM, name="Other region", kind="regulator")
        headers = staff(world.app, other, "regulator").headers
    elif who is not None:
        headers = world[who].headers
    response = client.get(_compliance(world, world.employer), headers=headers)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_an_organisation_outside_the_regulators_authority_is_not_found(client, world) -> None:
    elsewhere = do_create_org(world.app.uow(), actor=SYSTEM, name="Elsewhere", kind="employer")
    response = client.get(_compliance(world, elsewhere), headers=world["inspector"].headers)
    assert response.status_code == 404
    listing = client.get("/api/v1/regulator/organizations", headers=world["inspector"].headers)
    assert {o["id"] for o in listing.json()["items"]} == {world.employer, world.agency}


def test_the_organisations_list_is_for_regulators_only(client, world) -> None:
    response = client.get("/api/v1/regulator/organizations", headers=world["hr"].headers)
    assert response.status_code == 403
    assert client.get("/api/v1/regulator/organizations").status_code == 401


def test_an_organisations_admin_reads_its_own_figures(client, world) -> None:
    build_scene(world)
    own = f"/api/v1/organizations/{world.employer}/compliance"
    response = client.get(own, headers=world["admin"].headers)
    assert response.status_code == 200
    assert response.json()["cases"]["total"] == 6
    assert client.get(own, headers=world["hr"].headers).status_code == 403
    assert client.get(own, headers=world["agency_admin"].headers).status_code == 404
    assert client.get(own, headers=world["inspector"].headers).status_code == 200


def test_the_timeline_proves_each_event_against_the_checkpoint(client, world) -> None:
    scene = build_scene(world)
    url = f"/api/v1/regulator/cases/{scene.rated}/timeline"
    response = client.get(url, headers=world["inspector"].headers)
    assert response.status_code == 200
    body = response.json()
    assert body["case_id"] == scene.rated
    checkpoint = body["checkpoint"]
    assert checkpoint["note"] and checkpoint["size"] >= len(body["events"]) > 0
    for event in body["events"]:
        assert verify_inclusion(
            bytes.fromhex(event["leaf_hash"]),
            event["index"],
            checkpoint["size"],
            [bytes.fromhex(h) for h in event["inclusion_proof"]],
            bytes.fromhex(checkpoint["root_hash"]),
        )
    for value in scene.personal:
        assert value not in response.text
    assert client.get(url, headers=world["hr"].headers).status_code == 403
    assert client.get(url).status_code == 401
    missing = client.get(
        "/api/v1/regulator/cases/case_missing/timeline", headers=world["inspector"].headers
    )
    assert missing.status_code == 404


def _sign_in(client, world, who: str) -> None:
    with world.app.reader() as uow:
        user = uow.session.get(User, world[who].actor.id)
    role = world[who].actor.role
    signed = do_sign_in(world.app.uow(), email=user.email, password=f"{role}-password")
    client.cookies.set(SESSION_COOKIE, signed.cookie)


def test_the_regulator_page_lists_organisations_and_draws_charts(client, world) -> None:
    scene = build_scene(world)
    _sign_in(client, world, "inspector")
    home = client.get("/regulator?lang=en")
    assert home.status_code == 200
    assert "Employer Co" in home.text and f"/regulator/organizations/{world.employer}" in home.text
    page = client.get(f"/regulator/organizations/{world.employer}?lang=en")
    assert page.status_code == 200
    assert page.text.count("<svg") == 2 and "<script" not in page.text
    assert "Cases by state" in page.text and "Check under way" in page.text
    assert "Disputes" in page.text and "upheld: 1" in page.text
    zh = client.get(f"/regulator/organizations/{world.employer}?lang=zh-Hant")
    assert "案件狀態" in zh.text
    assert "in_progress" not in zh.text and "查核進行中" in zh.text  # bars in the page's language
    for value in scene.personal:
        assert value not in page.text


def test_the_regulator_page_sends_strangers_away(client, world) -> None:
    assert client.get("/regulator", follow_redirects=False).status_code == 303
    _sign_in(client, world, "hr")
    page = client.get("/regulator", headers={"accept": "text/html"})
    assert page.status_code == 403


def test_the_regulator_pages_show_the_ledger_and_a_case_timeline_with_checked_proofs(
    client, world
) -> None:
    scene = build_scene(world)
    _sign_in(client, world, "inspector")
    home = client.get("/regulator?lang=en")
    assert 'id="ledger-status"' in home.text and "Events in the ledger now" in home.text
    found = client.get(f"/regulator/cases?case_id={scene.rated}", follow_redirects=False)
    assert found.headers["location"] == f"/regulator/cases/{scene.rated}"
    page = client.get(f"/regulator/cases/{scene.rated}?lang=en")
    assert page.status_code == 200
    assert page.text.count("checks against the checkpoint") >= 3
    assert "does NOT check" not in page.text
    for value in scene.personal:
        assert value not in page.text
    zh = client.get(f"/regulator/cases/{scene.rated}?lang=zh-Hans")
    assert "与检查点核验一致" in zh.text
    missing = client.get("/regulator/cases/case_missing", headers={"accept": "text/html"})
    assert missing.status_code == 404


def test_a_case_timeline_page_is_not_for_the_employer(client, world) -> None:
    scene = build_scene(world)
    _sign_in(client, world, "hr")
    page = client.get(f"/regulator/cases/{scene.rated}", headers={"accept": "text/html"})
    assert page.status_code in (403, 404)
    assert scene.rated not in page.text or "checks against" not in page.text
