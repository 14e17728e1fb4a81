"""Disputes on a phone and the admin's settings, in a real browser against the real server."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from factories.consent import consented_case, record_subject
from factories.world import open_case
from fairscreen.feedback.desk import do_resolve_dispute
from fairscreen.feedback.models import FeedbackItem
from fairscreen.identity.models import User
from fairscreen.rating.actions import do_release_report
from fairscreen.retention.models import LegalHold
from fairscreen.verification.actions import do_add_source, do_record_finding

pytestmark = pytest.mark.e2e

_serial = iter(range(10**6))


def _fits_the_screen(page: Page, width: int = 360) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll}px wide on a {width}px screen"


def _released_case(site) -> tuple[str, str, str]:
    """A case whose report rests on one adverse verified finding: (case, finding, token)."""
    n = next(_serial)
    case_id, token = consented_case(
        site.world, categories=("identity", "education"), email=f"disputer{n}@e2e.example"
    )
    investigator = site.world["investigator"].actor
    finding = do_record_finding(
        site.app.uow(),
        actor=investigator,
        case_id=case_id,
        category="education",
        claim="Declared degree was not conferred",
        adverse=True,
    )
    do_add_source(
        site.app.uow(),
        actor=investigator,
        finding_id=finding.id,
        kind="official_registry",
        origin="CHSI registry",
        supports=True,
        subject=record_subject(),
    )
    do_release_report(site.app.uow(), actor=investigator, case_id=case_id)
    return case_id, finding.id, token


def test_a_candidate_disputes_a_fact_on_a_phone_and_rates_the_correction(site, phone, shots):
    case_id, finding_id, token = _released_case(site)
    page = phone.new_page()
    page.goto(f"{site.url}/c/{token}")
    expect(page.locator("h1")).to_have_text("您的调查报告")
    first_version = page.locator("p.muted").first.inner_text()
    section = page.locator("#disputes-and-complaints")
    expect(section.locator("h2")).to_have_text("异议与投诉")

    # Saying nothing is refused next to the field, and the choice of fact is kept.
    page.locator("#finding_id").select_option(finding_id)
    page.locator("#evidence").fill("学信网证书编号 10001-2015")
    page.locator("#dispute-submit").click()
    error = page.locator("#dispute-what-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("请说明哪里有误")
    expect(error.locator("code")).to_have_text("validation_error")
    expect(page.locator("#what")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#finding_id")).to_have_value(finding_id)
    _fits_the_screen(page)
    page.screenshot(path=str(shots / "candidate-dispute-error.png"), full_page=True)

    page.locator("#what").fill("我于 2015 年毕业并获得学位。")
    page.locator("#dispute-submit").click()
    expect(page.locator("#feedback-notice")).to_contain_text("您的异议已受理")
    card = page.locator("li.feedback-item")
    expect(card).to_have_count(1)
    expect(card.locator(".state")).to_have_text("已受理")
    expect(card.locator(".owner")).to_contain_text("@t.example")
    expect(card.locator(".due")).to_contain_text("年")
    expect(page.locator("#dispute-open")).to_be_visible()
    _fits_the_screen(page)
    page.screenshot(path=str(shots / "candidate-dispute-filed.png"), full_page=True)

    with site.app.reader() as uow:
        [dispute] = uow.session.query(FeedbackItem).filter_by(case_id=case_id).all()
        dispute_id = dispute.id
    do_resolve_dispute(
        site.app.uow(),
        actor=site.world["investigator"].actor,
        dispute_id=dispute_id,
        outcome="corrected",
        note="学信网核实：学位已于 2015 年授予。",
        claim="Degree conferred in 2015",
    )

    page.reload()
    expect(page.locator("p.muted").first).not_to_have_text(first_version)
    expect(page.locator("p.muted").first).to_contain_text("第 2 版")
    expect(page.locator(".report-revised")).to_contain_text("第 2 版")
    expect(card.locator(".state")).to_have_text("已结案")
    expect(page.locator("ul.findings")).to_contain_text("Degree conferred in 2015")
    expect(page.locator("#dispute-open")).to_have_count(0)
    _fits_the_screen(page)
    page.screenshot(path=str(shots / "candidate-dispute-resolved.png"), full_page=True)

    page.locator(f"label[for='score-{dispute_id}-5']").click()
    page.locator(f"#comment-{dispute_id}").fill("处理及时。")
    page.locator(f"#rate-submit-{dispute_id}").click()
    expect(page.locator("#feedback-notice")).to_have_text("感谢您的评价。")
    expect(page.locator(".rated")).to_contain_text("5")
    expect(page.locator(f"#rate-{dispute_id}")).to_have_count(0)
    with site.app.reader() as uow:
        assert uow.session.get(FeedbackItem, dispute_id).satisfaction_score == 5
    _fits_the_screen(page)
    page.screenshot(path=str(shots / "candidate-dispute-rated.png"), full_page=True)


def _sign_in_as_admin(site, page: Page) -> None:
    with site.app.reader() as uow:
        email = uow.session.get(User, site.world["admin"].actor.id).email
    page.goto(f"{site.url}/login?lang=en")
    page.locator("#email").fill(email)
    page.locator("#password").fill("admin-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/app$"))


def test_an_admin_creates_a_position_and_a_key_and_places_a_legal_hold(site, browser, shots):
    case_id, _ = open_case(site.world, email=f"held{next(_serial)}@e2e.example")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        _sign_in_as_admin(site, page)

        page.goto(f"{site.url}/admin")
        expect(page.locator("h1")).to_have_text("Users and roles")
        expect(page.locator("table.users tbody tr")).not_to_have_count(0)
        page.screenshot(path=str(shots / "admin-users.png"), full_page=True)

        page.get_by_role("link", name="Positions").click()
        expect(page.locator("h1")).to_have_text("Positions")
        page.locator("#title").fill("School bus driver")
        page.locator("#purpose").select_option("driver")
        page.locator("#grade").select_option("staff")
        page.locator("#create-position-submit").click()
        created = page.locator("li.position.created")
        expect(created).to_contain_text("School bus driver")
        expect(created.locator("[data-code=criminal_record]")).to_have_count(1)
        expect(created.locator("[data-code=credit]")).to_have_count(0)
        page.screenshot(path=str(shots / "admin-positions.png"), full_page=True)

        page.get_by_role("link", name="API keys").click()
        expect(page.locator("h1")).to_have_text("API keys")
        page.locator("#create-key-submit").click()
        secret = page.locator("#new-key-value")
        expect(secret).to_be_visible()
        key = secret.inner_text().strip()
        prefix, _, rest = key.partition(".")
        assert prefix.startswith("fsk_") and rest
        page.screenshot(path=str(shots / "admin-api-key-once.png"), full_page=True)
        page.reload()
        expect(page.locator("h1")).to_have_text("API keys")
        expect(page.locator("#new-key")).to_have_count(0)
        expect(page.locator("table.keys")).to_contain_text(prefix)
        assert rest not in page.content()
        page.screenshot(path=str(shots / "admin-api-keys.png"), full_page=True)

        page.get_by_role("link", name="Legal holds").click()
        expect(page.locator("h1")).to_have_text("Legal holds")
        page.locator("#case_id").select_option(case_id)
        page.locator("#reason").fill("Labour arbitration pending")
        page.locator("#ends_on").fill("2027-06-30")
        page.locator("#place-hold-submit").click()
        expect(page.locator("#notice")).to_contain_text("The legal hold was placed")
        hold = page.locator("li.hold.in-force")
        expect(hold).to_contain_text(case_id)
        expect(hold).to_contain_text("Labour arbitration pending")
        page.screenshot(path=str(shots / "admin-legal-holds.png"), full_page=True)
        with site.app.reader() as uow:
            assert uow.session.query(LegalHold).filter_by(case_id=case_id).count() == 1

        for link, heading, shot in (
            ("Retention", "Retention periods", "admin-retention.png"),
            ("Webhooks", "Webhooks", "admin-webhooks.png"),
        ):
            page.get_by_role("link", name=link, exact=True).click()
            expect(page.locator("h1")).to_have_text(heading)
            page.screenshot(path=str(shots / shot), full_page=True)

        # The admin pages also fit a phone: the tables scroll inside themselves.
        page.set_viewport_size({"width": 360, "height": 740})
        page.goto(f"{site.url}/admin/legal-holds")
        _fits_the_screen(page)
    finally:
        context.close()
