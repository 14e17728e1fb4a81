"""The candidate's own account, the individualized assessment and a human re-review, in Chromium.

A criminal-record finding: the candidate explains it on a phone; the employer reads the
account, is told an assessment is needed, records it with the account in view, waits out
the waiting period and rejects; the candidate asks for a re-review, which the person who
decided may not answer and another staff member does.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from factories.consent import consented_case, fresh_token, record_subject
from fairscreen.identity.models import User
from fairscreen.rating.actions import do_release_report
from fairscreen.verification.actions import do_add_source, do_record_finding

pytestmark = pytest.mark.e2e

PASSWORDS = {"hr": "employer-password", "admin": "admin-password"}
ACCOUNT = "2014 年的判决已执行完毕，此后我在物流公司工作九年，无任何违法记录。"
_serial = iter(range(10**6))


@pytest.fixture
def desk(browser: Any) -> Any:
    """A desktop-sized browser context reading Simplified Chinese (staff work at a desk)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


def _fits_the_screen(page: Page, width: int = 360) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll}px wide on a {width}px screen"


def _criminal_record_case(site) -> tuple[str, str, str]:
    """A security-sensitive position's report resting on a conviction: (case, finding, token)."""
    n = next(_serial)
    case_id, token = consented_case(
        site.world,
        purpose="security_sensitive",
        categories=("identity", "criminal_record"),
        email=f"account{n}@e2e.example",
        name="王强",
    )
    investigator = site.world["investigator"].actor
    finding = do_record_finding(
        site.app.uow(),
        actor=investigator,
        case_id=case_id,
        category="criminal_record",
        claim="2014 年因盗窃被判处有期徒刑一年",
        adverse=True,
        severity="conviction",
    )
    do_add_source(
        site.app.uow(),
        actor=investigator,
        finding_id=finding.id,
        kind="official_registry",
        origin="公安机关无犯罪记录证明查询",
        supports=True,
        subject=record_subject("王强"),
    )
    do_release_report(site.app.uow(), actor=investigator, case_id=case_id)
    return case_id, finding.id, token


def _email_of(site, case_id: str) -> str:
    """Return the candidate's address of a case (sealed in the database)."""
    from fairscreen.cases.models import Case

    with site.app.reader() as tx:
        case = tx.session.get(Case, case_id)
        return tx.vault.open(case_id, "case.candidate_email", case.candidate_email)


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
    expect(page.locator("h1")).to_be_visible()
    return page


def test_an_account_travels_into_the_assessment_and_a_reject_gets_a_human_re_review(
    site, phone, desk, shots
):
    case_id, finding_id, token = _criminal_record_case(site)
    form = f"account-{finding_id}"

    # 1. On a phone, before any decision, the candidate explains the conviction.
    candidate = phone.new_page()
    candidate.goto(f"{site.url}/c/{token}")
    expect(candidate.locator("h1")).to_have_text("您的调查报告")
    fact = candidate.locator(f"#finding-{finding_id}")
    fact.locator("details.account-form summary").click()
    candidate.locator(f"#{form}-submit").click()  # nothing written yet
    expect(candidate.locator(f"#{form}-statement-error")).to_contain_text("请填写您的说明")
    expect(candidate.locator(f"#{form}-statement")).to_have_attribute("aria-invalid", "true")
    candidate.locator(f"#{form}-kind").select_option("rehabilitation")
    candidate.locator(f"#{form}-statement").fill(ACCOUNT)
    candidate.locator(f"#{form}-submit").click()
    expect(candidate.locator("#account-notice")).to_contain_text("您的说明已添加")
    given = candidate.locator(f"#{form}-given")
    expect(given).to_contain_text("改过自新的证明：" + ACCOUNT)
    _fits_the_screen(candidate)
    candidate.screenshot(path=str(shots / "candidate-account.png"), full_page=True)

    # 2. The employer reads it with the finding, and is told an assessment comes first.
    hr = _sign_in(site, desk, "hr")
    hr.goto(f"{site.url}/app/cases/{case_id}")
    expect(hr.locator("#report blockquote.account")).to_contain_text(ACCOUNT)
    hr.locator("#outcome-reject").check()
    hr.locator("#reason-job_related_conviction").check()
    hr.locator("#decide").click()
    refusal = hr.locator("#decision-error")
    expect(refusal).to_contain_text("个别化评估")
    expect(refusal).to_contain_text("请先在下方记录个别化评估")
    expect(hr.locator("#case-status")).to_have_attribute("data-status", "report_released")

    # 3. The assessment, with the candidate's account in view while it is written.
    hr.locator("details.assessment > summary").click()
    expect(hr.locator("#assessment-accounts")).to_contain_text(ACCOUNT)
    hr.locator(f"#assess-{finding_id}").check()
    hr.locator("#assess-nature_gravity").fill("盗窃，一年有期徒刑，属中等严重程度。")
    hr.locator("#assess-time_elapsed").fill("判决距今已逾十年。")
    hr.locator("#assess-relation_to_duties").fill("岗位为金库押运，直接接触现金。")
    hr.locator("#assess-candidate_account").fill("应聘者说明刑满后九年稳定就业，无违法记录。")
    hr.locator("#assess-conclusion").fill("岗位直接接触现金，仍不宜录用。")
    hr.screenshot(path=str(shots / "staff-assessment.png"), full_page=True)
    hr.locator("#assess").click()
    expect(hr.locator("p.notice[role=status]")).to_contain_text("个别化评估已记录")

    # The waiting period still holds the reject back...
    hr.locator("#outcome-reject").check()
    hr.locator("#reason-job_related_conviction").check()
    hr.locator("#decide").click()
    expect(hr.locator("#decision-error")).to_contain_text("等待期尚未结束")

    # ...until it is over (the session of that day has expired: sign in again).
    site.clock.advance(days=10)
    hr = _sign_in(site, desk, "hr")
    hr.goto(f"{site.url}/app/cases/{case_id}")
    hr.locator("#outcome-reject").check()
    hr.locator("#reason-job_related_conviction").check()
    hr.locator("#decide").click()
    expect(hr.locator("#case-status")).to_have_attribute("data-status", "decided")
    expect(hr.locator("#decision-made")).to_contain_text("不录用")

    # 4. The candidate sees the decision and asks for a human re-review. Ten days after
    # signing, the invitation's link has lapsed (it lives days once consent is signed):
    # the candidate asks for a fresh one, as /c/renew offers, and opens it.
    candidate.goto(f"{site.url}/c/{fresh_token(site.world, _email_of(site, case_id))}")
    expect(candidate.locator("#decision-outcome")).to_have_attribute("data-outcome", "reject")
    expect(candidate.locator(f"#{form}-form")).to_have_count(0)  # accounts come before
    expect(given).to_contain_text(ACCOUNT)
    candidate.locator("#review-submit").click()
    expect(candidate.locator("#review-statement-error")).to_contain_text("请说明为什么")
    candidate.locator("#review-statement").fill("判决已逾十年，请另一位同事结合我的说明重新审查。")
    candidate.locator("#review-submit").click()
    expect(candidate.locator("#review-notice")).to_contain_text("人工复核请求已受理")
    card = candidate.locator("#re-review li.feedback-item")
    expect(card).to_have_count(1)
    expect(card.locator(".owner")).not_to_be_empty()
    expect(card.locator(".due")).not_to_be_empty()
    _fits_the_screen(candidate)
    candidate.screenshot(path=str(shots / "candidate-re-review-requested.png"), full_page=True)

    # 5. The person who decided finds it on the desk but may not answer it.
    hr.goto(f"{site.url}/app/desk")
    row = hr.locator("#reviews tbody tr").filter(has_text=case_id)
    expect(row).to_have_count(1)
    hr.screenshot(path=str(shots / "staff-desk-with-re-reviews.png"), full_page=True)
    row.locator("a").click()
    expect(hr.locator("h1")).to_contain_text("人工复核请求")
    hr.locator("#outcome-upheld").check()
    hr.locator("#answer").fill("我重新看过，维持原决定。")
    hr.locator("#answer-review").click()
    refused = hr.locator("#review-answer-form #form-error")
    expect(refused).to_contain_text("复核须由作出原决定者以外的人进行")
    expect(hr.locator("#item-status")).to_have_attribute("data-status", "open")
    hr.screenshot(path=str(shots / "staff-re-review-refused.png"), full_page=True)

    # 6. Another staff member answers it.
    admin = _sign_in(site, desk, "admin")
    admin.goto(f"{site.url}/app/desk")
    admin.locator("#reviews tbody tr").filter(has_text=case_id).locator("a").click()
    expect(admin.locator("#statement")).to_contain_text("请另一位同事")
    admin.locator("#answer-review").click()  # no outcome chosen
    expect(admin.locator("#outcome-error")).to_contain_text("请选择维持还是撤销原决定")
    admin.locator("#outcome-upheld").check()
    admin.locator("#answer").fill("已复核评估与您的说明：岗位直接接触现金，维持原决定。")
    admin.locator("#answer-review").click()
    expect(admin.locator("h1")).to_have_text("异议与投诉")
    done = admin.locator("#reviews tbody tr").filter(has_text=case_id)
    expect(done).to_have_attribute("data-status", "resolved")

    # 7. The candidate reads the answer and says how it was handled.
    candidate.goto(f"{site.url}/candidate")
    expect(card.locator(".item-outcome")).to_have_attribute("data-outcome", "upheld")
    expect(card).to_contain_text("岗位直接接触现金")
    card.locator("label[for$='-4']").click()
    card.locator("button[type=submit]").click()
    expect(candidate.locator("#re-review .rated")).to_contain_text("4")
    _fits_the_screen(candidate)
    candidate.screenshot(path=str(shots / "candidate-re-review-answered.png"), full_page=True)
