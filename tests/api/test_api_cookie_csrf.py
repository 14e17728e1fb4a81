"""The JSON API takes changes only with an `Authorization` header, never with a cookie alone.

The attack: a page on a same-site origin (another app under the same domain) posts
bodyless `fetch(..., {method: "POST", credentials: "include"})` calls to the API. The
browser adds the candidate's or the staff member's cookie (SameSite=Lax sends it
same-site), so before the fix the candidate's erasure was filed and a legal hold released
without either of them knowing. Cookies still open the API's reads (the regulator's page
reads a case timeline with its session), which another origin cannot read back.
"""

from __future__ import annotations

from datetime import timedelta

from factories.consent import consented_case
from factories.world import open_case, password_for
from fairscreen.identity.actions import do_sign_in
from fairscreen.identity.models import User
from fairscreen.retention.actions import do_place_hold
from fairscreen.retention.models import ErasureRequest, LegalHold
from fairscreen.web.deps import CANDIDATE_COOKIE, SESSION_COOKIE

SAME_SITE = {"origin": "https://evil.t.example", "sec-fetch-site": "same-site"}


def _session_of(world, who: str) -> str:
    with world.app.reader() as uow:
        user = uow.session.get(User, world[who].actor.id)
        email = user.email
    return do_sign_in(
        world.app.uow(), email=email, password=password_for(world[who].actor.role)
    ).cookie


def test_a_same_site_page_cannot_file_the_candidates_erasure_with_her_cookie(client, world, fs):
    case_id, token = consented_case(world)
    client.cookies.set(CANDIDATE_COOKIE, token)
    forged = client.post("/api/v1/candidate/erasure", headers=SAME_SITE)
    assert forged.status_code == 403
    assert forged.json()["error"]["code"] == "forbidden"
    assert "Authorization" in forged.json()["error"]["message"]
    with fs.reader() as uow:
        assert uow.session.query(ErasureRequest).filter_by(case_id=case_id).count() == 0
    # Even a request that claims to come from the app's own origin needs the header.
    same_origin = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}
    assert client.post("/api/v1/candidate/erasure", headers=same_origin).status_code == 403
    # The cookie still reads, and the token in the header still acts.
    assert client.get("/api/v1/candidate/case").status_code == 200
    client.cookies.clear()
    ok = client.post("/api/v1/candidate/erasure", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 202


def test_a_same_site_page_cannot_release_a_legal_hold_with_the_admins_session(client, world, fs):
    case_id, _ = open_case(world)
    admin = world["admin"]
    hold_id = do_place_hold(
        fs.uow(),
        actor=admin.actor,
        case_id=case_id,
        reason="Litigation pending",
        ends_at=fs.clock.now() + timedelta(days=30),
    )
    client.cookies.set(SESSION_COOKIE, _session_of(world, "admin"))
    forged = client.post(f"/api/v1/legal-holds/{hold_id}/release", headers=SAME_SITE)
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "forbidden"
    with fs.reader() as uow:
        assert uow.session.get(LegalHold, hold_id).released_at is None
    # Reads with the session still work (the regulator's page reads a timeline this way).
    assert client.get("/api/v1/cases").status_code == 200
    client.cookies.clear()
    done = client.post(f"/api/v1/legal-holds/{hold_id}/release", headers=admin.headers)
    assert done.status_code == 200
