"""Pages show a domain code's label in the page language, never the raw code."""

from __future__ import annotations

from factories.compliance import build_scene
from fairscreen.identity.actions import do_sign_in
from fairscreen.identity.models import User
from fairscreen.web.deps import SESSION_COOKIE


def _sign_in(client, world, who: str) -> None:
    with world.app.reader() as uow:
        user = uow.session.get(User, world[who].actor.id)
    role = world[who].actor.role
    signed = do_sign_in(world.app.uow(), email=user.email, password=f"{role}-password")
    client.cookies.set(SESSION_COOKIE, signed.cookie)


def test_the_regulator_reads_organisation_kinds_and_event_types_in_words(client, world):
    scene = build_scene(world)
    _sign_in(client, world, "inspector")
    home = client.get("/regulator?lang=zh-Hans")
    assert home.status_code == 200
    assert "<td>雇主</td>" in home.text and "<td>employer</td>" not in home.text
    org = client.get(f"/regulator/organizations/{world.employer}?lang=zh-Hant")
    assert "· 僱主</p>" in org.text
    timeline = client.get(f"/regulator/cases/{scene.rated}?lang=zh-Hans")
    assert timeline.status_code == 200
    assert "案件已创建 <code>case.opened</code>" in timeline.text
    english = client.get(f"/regulator/cases/{scene.rated}?lang=en")
    assert "Case opened <code>case.opened</code>" in english.text


def test_the_admin_picks_a_case_to_hold_by_its_state_in_words(client, world):
    build_scene(world)
    _sign_in(client, world, "admin")
    page = client.get("/admin/legal-holds?lang=en")
    assert page.status_code == 200
    assert "· Check under way</option>" in page.text
    assert "· in_progress</option>" not in page.text
