"""The candidate's journeys on a phone, in a real browser, against the real server."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from factories.consent import record_subject, sign
from factories.world import open_case
from fairscreen.rating.actions import do_release_report
from fairscreen.verification.actions import do_add_source, do_record_finding

pytestmark = pytest.mark.e2e

_serial = iter(range(10**6))


def _fits_the_screen(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width}px wide on a 360px screen"


def _case(site, *, categories=("identity", "education"), purpose="general", name="张伟"):
    n = next(_serial)
    return open_case(
        site.world,
        purpose=purpose,
        categories=categories,
        name=name,
        email=f"candidate{n}@e2e.example",
    )


def test_a_candidate_signs_consent_on_a_phone_after_correcting_the_name(site, phone, shots):
    _, token = _case(
        site, categories=("identity", "education", "criminal_record"), purpose="driver"
    )
    page = phone.new_page()
    page.goto(f"{site.url}/c/{token}")

    expect(page.locator("h1")).to_have_text("背景调查授权")
    expect(page.locator("#consent-document")).to_contain_text("张伟")
    expect(page.locator(".category")).to_have_count(3)
    expect(page.locator(".category.sensitive")).to_contain_text("犯罪记录")
    assert page.evaluate("typeof htmx") == "object"
    _fits_the_screen(page)
    page.screenshot(path=str(shots / "candidate-consent.png"), full_page=True)

    page.locator("#sep-criminal_record").check()
    page.locator("#full_name").fill("李四")
    page.locator("#agree").check()
    page.locator("#sign").click()

    error = page.locator("#full_name-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("姓名")
    expect(page.locator("#full_name")).to_have_attribute("aria-invalid", "true")
    # The choices survive the refusal: the candidate corrects only the name.
    expect(page.locator("#sep-criminal_record")).to_be_checked()
    _fits_the_screen(page)
    page.screenshot(path=str(shots / "candidate-consent-error.png"), full_page=True)

    page.locator("#full_name").fill("张 伟")
    page.locator("#sign").click()

    expect(page.locator("h1")).to_have_text("您的背景调查正在进行")
    expect(page.locator("main")).to_contain_text("Employer Co")
    expect(page.locator("main")).to_contain_text("Agency Co")
    expect(page.locator("ul.progress li")).to_have_count(3)
    _fits_the_screen(page)
    page.screenshot(path=str(shots / "candidate-status.png"), full_page=True)

    page.get_by_role("link", name="您的授权回执").click()
    expect(page.locator("h1")).to_have_text("授权回执")
    expect(page.locator("dl.facts")).to_contain_text("单独同意")
    _fits_the_screen(page)
    page.screenshot(path=str(shots / "candidate-receipt.png"), full_page=True)


def test_a_candidate_declines_the_check_without_javascript(site, browser, shots):
    _, token = _case(site)
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        java_script_enabled=False,
        locale="zh-CN",
    )
    try:
        page = context.new_page()
        page.goto(f"{site.url}/c/{token}")
        expect(page.locator("h1")).to_have_text("背景调查授权")
        page.locator("#refuse").click()
        expect(page.locator("h1")).to_have_text("您已拒绝本次调查")
        _fits_the_screen(page)
        page.screenshot(path=str(shots / "candidate-declined.png"), full_page=True)
    finally:
        context.close()


def test_a_candidate_reads_the_report_in_english_and_asks_for_erasure(site, phone, shots):
    case_id, token = _case(site)
    sign(site.world, token, "张伟", ["identity", "education"])
    investigator = site.world["investigator"].actor
    for category in ("identity", "education"):
        finding = do_record_finding(
            site.app.uow(),
            actor=investigator,
            case_id=case_id,
            category=category,
            claim=f"{category} as declared",
        )
        do_add_source(
            site.app.uow(),
            actor=investigator,
            finding_id=finding.id,
            kind="official_registry",
            origin="Registry",
            supports=True,
            subject=record_subject(),
        )
    do_release_report(site.app.uow(), actor=investigator, case_id=case_id)

    page = phone.new_page()
    page.goto(f"{site.url}/c/{token}")
    expect(page.locator("h1")).to_have_text("您的调查报告")
    page.get_by_role("link", name="EN", exact=True).click()

    expect(page.locator("h1")).to_have_text("Your report")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("ul.explanation li").first).to_be_visible()
    expect(page.locator("ul.findings li")).to_have_count(2)
    expect(page.locator("#disputes-and-complaints")).to_have_count(1)
    _fits_the_screen(page)
    page.screenshot(path=str(shots / "candidate-report-en.png"), full_page=True)

    page.locator("#erasure-request").click()
    due = page.locator("#erasure-due")
    expect(due).to_contain_text("You asked for erasure")
    expect(due).to_contain_text("2026")  # 15 working days after 23 November 2026
    expect(page.locator("h1")).to_have_text("Your report")  # the language was remembered
    page.screenshot(path=str(shots / "candidate-erasure.png"), full_page=True)


def test_the_home_and_error_pages_fit_a_phone(site, phone, shots):
    page = phone.new_page()
    page.goto(f"{site.url}/")
    expect(page.locator("h1")).to_have_text("fairscreen")
    _fits_the_screen(page)
    page.screenshot(path=str(shots / "home.png"), full_page=True)
    response = page.goto(f"{site.url}/no-such-page")
    assert response is not None and response.status == 404
    _fits_the_screen(page)
    page.screenshot(path=str(shots / "not-found.png"), full_page=True)
