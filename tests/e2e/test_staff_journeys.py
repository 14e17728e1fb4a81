"""The investigator's and the employer's journeys in a real browser, against the real server."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from factories.consent import consented_case
from fairscreen.feedback.desk import do_file_dispute
from fairscreen.identity.models import User
from integration.feedback.helpers import released_case

pytestmark = pytest.mark.e2e

_serial = iter(range(10**6))
PASSWORDS = {"hr": "employer-password", "investigator": "investigator-password"}


@pytest.fixture
def desk_browser(browser: Any) -> Any:
    """A fresh desktop-sized browser context reading Simplified Chinese."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


def _sign_in(site, context: Any, who: str) -> Page:
    with site.app.reader() as uow:
        user = uow.session.get(User, site.world[who].actor.id)
        assert user is not None
        email = user.email
    page = context.new_page()
    page.goto(f"{site.url}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORDS[who])
    page.locator("button[type=submit]").last.click()
    return page


def test_an_investigator_records_verifies_and_releases(site, desk_browser, shots):
    n = next(_serial)
    case_id, token = consented_case(site.world, email=f"staff{n}@e2e.example")
    released_before, finding_id, _, cand = released_case(site.world)
    do_file_dispute(site.app.uow(), actor=cand, statement="学位属实", finding_id=finding_id)
    page = _sign_in(site, desk_browser, "investigator")

    expect(page.locator("h1")).to_have_text("待办案件")
    expect(page.locator("#open-disputes")).to_be_visible()
    page.screenshot(path=str(shots / "staff-work-queue.png"), full_page=True)
    page.locator(f'a[href="/app/work/{case_id}"]').click()
    expect(page.locator("#case-status")).to_have_attribute("data-status", "in_progress")
    assert page.evaluate("typeof htmx") == "object"

    # The guard answers as the investigator types...
    page.locator("#category").select_option("education")
    page.locator("#claim").fill("学历属实，她离过婚")
    guard = page.locator("#claim-guard .guard-refused")
    expect(guard).to_be_visible()
    expect(guard).to_contain_text("婚恋")
    page.locator("#claim").fill("学历属实，本科学位已核实")
    expect(page.locator("#claim-guard .guard-ok")).to_be_visible()
    # ...and refuses the phrase again when the form is sent anyway.
    page.locator("#claim").fill("学历属实，她离过婚")
    page.locator("#record-finding").click()
    expect(page.locator("#claim-error")).to_contain_text("不得记录")
    expect(page.locator("#claim")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".finding")).to_have_count(0)

    page.locator("#claim").fill("学历属实，本科学位已核实")
    page.locator("#record-finding").click()
    finding = page.locator("li.finding")
    expect(finding).to_have_count(1)
    expect(finding.locator(".verification")).to_have_attribute("data-status", "unverified")

    finding.locator("summary").click()
    finding.locator("select[name=kind]").select_option("issuing_institution")
    finding.locator("input[name=origin]").fill("复旦大学教务处")
    finding.locator("button[type=submit]").click()
    expect(page.locator("li.finding .verification")).to_have_attribute("data-status", "verified")
    expect(page.locator("li.finding")).to_contain_text("复旦大学教务处")
    page.screenshot(path=str(shots / "staff-finding-entry.png"), full_page=True)

    page.locator("#release-report").click()
    expect(page.locator("#released")).to_be_visible()
    expect(page.locator("#case-status")).to_have_attribute("data-status", "report_released")
    expect(page.locator("#rating")).not_to_be_empty()

    page.get_by_role("link", name="异议与投诉").first.click()
    expect(page.locator("h1")).to_have_text("异议与投诉")
    expect(page.locator("#disputes")).to_contain_text(released_before)
    page.screenshot(path=str(shots / "staff-desk-queue.png"), full_page=True)


def test_the_employer_cannot_reject_in_the_waiting_period_but_can_after_it(
    site, desk_browser, shots
):
    case_id, _, _, _ = released_case(site.world)
    page = _sign_in(site, desk_browser, "hr")

    expect(page.locator("h1")).to_have_text("案件")
    page.locator("#status").select_option("report_released")
    page.locator("#case-filters button").click()
    row = page.locator(f'tr:has(a[href="/app/cases/{case_id}"])')
    expect(row).to_be_visible()
    page.screenshot(path=str(shots / "staff-cases-list.png"), full_page=True)

    row.locator("a").click()
    expect(page.locator("#waiting-period")).to_contain_text("方可作出不利决定")
    expect(page.locator("#notices")).to_contain_text("报告第 1 版已发布")
    page.screenshot(path=str(shots / "staff-case-page.png"), full_page=True)

    page.locator("#outcome-reject").check()
    page.locator("#reason-credential_mismatch").check()
    page.locator("#decide").click()
    refusal = page.locator("#decision-error")
    expect(refusal).to_contain_text("等待期尚未结束")
    expect(refusal).to_contain_text("起方可作出不利决定")
    expect(page.locator("#case-status")).to_have_attribute("data-status", "report_released")
    # What was chosen survives the refusal.
    expect(page.locator("#outcome-reject")).to_be_checked()
    expect(page.locator("#reason-credential_mismatch")).to_be_checked()
    page.screenshot(path=str(shots / "staff-decision-refused.png"), full_page=True)

    # Ten days later (the session of that day has long expired) the employer comes back.
    site.clock.advance(days=10)
    page = _sign_in(site, desk_browser, "hr")
    page.goto(f"{site.url}/app/cases/{case_id}")
    expect(page.locator("#waiting-period")).to_contain_text("等待期已于")
    page.locator("#outcome-reject").check()
    page.locator("#reason-credential_mismatch").check()
    page.locator("#decide").click()
    expect(page.locator("#case-status")).to_have_attribute("data-status", "decided")
    expect(page.locator("#decision-made")).to_contain_text("不录用")
    expect(page.locator("#notices")).to_contain_text("不利决定通知")

    page.get_by_role("link", name="开立案件").click()
    expect(page.locator("h1")).to_have_text("开立案件")
    page.screenshot(path=str(shots / "staff-new-case.png"), full_page=True)
