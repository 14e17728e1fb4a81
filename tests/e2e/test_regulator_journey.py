"""An inspector signs in and checks an organisation: figures, charts, a provable case timeline.

What the regulator's pages offer today: the organisations under its authority, and one
organisation's compliance figures with server-drawn SVG charts. A case timeline with its
inclusion proofs is served by the API; the signed-in inspector's own browser session
reads it and each proof is checked against the signed checkpoint.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from fairscreen.feedback.actions import do_record_decision
from fairscreen.identity.models import User
from fairscreen.ledger.verify import verify_inclusion
from integration.feedback.helpers import released_case

pytestmark = pytest.mark.e2e


@pytest.fixture
def desk(browser: Any) -> Any:
    """A desktop-sized browser context reading Simplified Chinese."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


def test_an_inspector_reads_an_organisations_figures_and_proves_a_case_timeline(site, desk, shots):
    world = site.world
    case_id, _, _, _ = released_case(world)
    site.clock.advance(days=10)
    do_record_decision(
        site.app.uow(),
        actor=world["hr"].actor,
        case_id=case_id,
        outcome="hire",
        reasons=["checks_completed"],
    )
    with site.app.reader() as uow:
        user = uow.session.get(User, world["inspector"].actor.id)
        assert user is not None
        email = user.email

    page = desk.new_page()
    page.goto(f"{site.url}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill("regulator-password")
    page.locator("button[type=submit]").last.click()

    # The organisations under the inspectorate, and nothing that names a person.
    expect(page.locator("h1")).to_have_text("监管视图")
    expect(page.locator("h2").first).to_have_text("辖下机构")
    link = page.locator(f'a[href="/regulator/organizations/{world.employer}"]')
    expect(link).to_have_text("Employer Co")
    expect(page.locator(f'a[href="/regulator/organizations/{world.agency}"]')).to_be_visible()
    assert "zhang.wei@candidate.example" not in page.content()
    page.screenshot(path=str(shots / "regulator-organisations.png"), full_page=True)

    # One organisation's figures, with its charts drawn on the server.
    link.click()
    expect(page.locator("h1")).to_have_text("监管视图")
    charts = page.locator("figure svg[role=img]")
    expect(charts).to_have_count(2)
    expect(page.locator("figure figcaption").first).to_have_text("案件状态")
    expect(page.locator("figure figcaption").nth(1)).to_have_text("报告评级")
    expect(charts.first.locator("rect").first).to_be_visible()
    assert int(charts.first.locator("rect").first.get_attribute("width") or "0") > 0
    total = page.locator("h2").first.inner_text()
    assert int(total.rsplit(":", 1)[1].strip()) >= 1
    body = page.content()
    assert "zhang.wei@candidate.example" not in body and "张伟" not in body
    page.screenshot(path=str(shots / "regulator-figures.png"), full_page=True)

    # The case's timeline by its pseudonymous id, each event proven against the checkpoint.
    answer = page.request.get(f"{site.url}/api/v1/regulator/cases/{case_id}/timeline")
    assert answer.status == 200
    timeline = answer.json()
    checkpoint = timeline["checkpoint"]
    types = [e["type"] for e in timeline["events"]]
    assert {"case.opened", "decision.recorded"} <= set(types), types
    assert checkpoint["note"] and checkpoint["size"] >= len(timeline["events"]) > 0
    for event in timeline["events"]:
        assert verify_inclusion(
            bytes.fromhex(event["leaf_hash"]),
            event["index"],
            checkpoint["size"],
            [bytes.fromhex(h) for h in event["inclusion_proof"]],
            bytes.fromhex(checkpoint["root_hash"]),
        )
    assert "zhang.wei@candidate.example" not in answer.text() and "张伟" not in answer.text()
