"""The candidate's pages: consent, progress, report, erasure, receipt (the invitation link).

Forms work without JavaScript (post, redirect, get); htmx only boosts them.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from fairscreen.bootstrap import App
from fairscreen.cases.actions import authenticate_candidate, load_case
from fairscreen.consent.actions import (
    Evidence,
    do_refuse_consent,
    do_sign_consent,
    do_withdraw_consent,
)
from fairscreen.consent.queries import candidate_case, latest_consent
from fairscreen.consent.receipt import consent_receipt
from fairscreen.identity.models import Org
from fairscreen.identity.policy import Actor
from fairscreen.rating.policy import load_rules
from fairscreen.rating.queries import candidate_report
from fairscreen.retention.actions import do_request_erasure
from fairscreen.retention.models import ErasureRequest
from fairscreen.scope.policy import load_pack
from fairscreen.shared.errors import DomainError, Unauthenticated
from fairscreen.verification.queries import case_findings
from fairscreen.web.deps import CANDIDATE_COOKIE, AppDep, optional_actor
from fairscreen.web.forms import ConsentForm, form_errors, refusal_message, require_csrf
from fairscreen.web.i18n import LANGS, pick_lang
from fairscreen.web.rendering import render as render_page

router = APIRouter(include_in_schema=False)

PAGE = "/candidate"
FINDING_STATUSES = ("verified", "unverified", "inconclusive")
CLOSED = frozenset({"refused", "withdrawn", "destroyed"})
REPORTED = frozenset({"report_released", "decided", "archived"})


def _candidate(request: Request, app: App) -> Actor:
    actor = optional_actor(request, app)
    if actor is None or actor.kind != "candidate":
        raise Unauthenticated("Open the link from your invitation again.")
    return actor


def _evidence(request: Request) -> Evidence:
    return Evidence(
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    """Render a candidate page; personal data is never kept in a shared cache."""
    response = render_page(request, template, status=status, **context)
    response.headers["cache-control"] = "no-store"
    return response


def _back() -> Response:
    return RedirectResponse(PAGE, status_code=303)


def _progress(app: App, actor: Actor, lang: str) -> dict[str, Any]:
    """Return who checks what, and the findings counted by category and status (no claims)."""
    assert actor.case_id is not None
    with app.reader() as uow:
        case = load_case(uow.session, actor, actor.case_id)
        pack = load_pack(case.pack)
        employer = uow.session.get(Org, case.employer_org_id)
        agency = uow.session.get(Org, case.agency_org_id) if case.agency_org_id else None
        record = latest_consent(uow.session, case.id)
        granted = list(record.granted_categories) if record else []
        counts = Counter((f.category, f.status) for f in case_findings(uow, case.id))
        erasure = uow.session.scalar(
            select(ErasureRequest)
            .where(ErasureRequest.case_id == case.id)
            .order_by(ErasureRequest.requested_at.desc())
            .limit(1)
        )
        return {
            "status": case.status,
            "employer": employer.name if employer else "",
            "agency": agency.name if agency else None,
            "consented_at": record.at if record else None,
            "destroy_due_at": case.destroy_due_at,
            "declined": [
                pack.taxonomy.categories[c].names[lang] for c in case.categories if c not in granted
            ],
            "categories": [
                {
                    "code": code,
                    "name": pack.taxonomy.categories[code].names[lang],
                    "counts": {s: counts.get((code, s), 0) for s in FINDING_STATUSES},
                    "total": sum(counts.get((code, s), 0) for s in FINDING_STATUSES),
                }
                for code in granted
            ],
            "erasure": (
                {
                    "due_at": erasure.due_at,
                    "provisional": erasure.provisional,
                    "done": erasure.done_at is not None,
                }
                if erasure
                else None
            ),
        }


def _consent_view(app: App, actor: Actor, lang: str) -> dict[str, Any]:
    """Return the case to sign with each category's name, purpose and methods in words."""
    case = candidate_case(app.reader(), actor=actor, lang=lang)
    pack = load_pack()
    taxonomy = pack.taxonomy
    for item in case["categories"]:
        cat = taxonomy.categories[item["code"]]
        item["name"] = cat.names[lang]
        item["why"] = cat.why.get(lang, "")
        item["method_names"] = [taxonomy.method_names[m][lang] for m in item["methods"]]
    return case


def _consent_page(
    request: Request,
    app: App,
    actor: Actor,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    posted: ConsentForm | None = None,
) -> Response:
    lang = pick_lang(request)
    case = _consent_view(app, actor, lang)
    return render(
        request,
        "candidate/consent.html",
        status=status,
        case=case,
        errors=errors or {},
        posted=posted,
    )


def _report_page(request: Request, app: App, actor: Actor, progress: dict[str, Any]) -> Response:
    lang = pick_lang(request)
    report = candidate_report(app.reader(), actor=actor)
    names = {lv["code"]: lv["names"][lang] for lv in load_rules().published()["levels"]}
    pack = load_pack()
    category_names = {c: pack.taxonomy.categories[c].names[lang] for c in pack.taxonomy.categories}
    return render(
        request,
        "candidate/report.html",
        progress=progress,
        report=report,
        level_names=names,
        category_names=category_names,
    )


@router.get("/c/{token}", response_class=HTMLResponse)
def candidate_entry(token: str, request: Request, app: AppDep) -> Response:
    """Open the candidate's page from the invitation link (the token moves into a cookie)."""
    authenticate_candidate(app.reader(), token)
    lang = request.query_params.get("lang")
    # The link may name a language; keep it so the next page sets the cookie.
    response = RedirectResponse(f"{PAGE}?lang={lang}" if lang in LANGS else PAGE, status_code=303)
    response.set_cookie(
        CANDIDATE_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=app.settings.secure_cookies,
        max_age=30 * 86400,
    )
    return response


@router.get("/candidate", response_class=HTMLResponse)
def candidate_page(request: Request, app: AppDep) -> Response:
    """Show the page that fits the case's stage: consent, progress, report or closing."""
    actor = _candidate(request, app)
    lang = pick_lang(request)
    progress = _progress(app, actor, lang)
    status = progress["status"]
    if status == "awaiting_consent":
        return _consent_page(request, app, actor)
    if status in REPORTED:
        return _report_page(request, app, actor, progress)
    if status in CLOSED:
        return render(request, "candidate/closed.html", progress=progress)
    return render(request, "candidate/status.html", progress=progress)


@router.post("/candidate/consent", response_class=HTMLResponse)
def sign_consent(
    request: Request,
    app: AppDep,
    full_name: Annotated[str, Form(max_length=200)] = "",
    agree: Annotated[str | None, Form()] = None,
    categories: Annotated[list[str] | None, Form()] = None,
    separate: Annotated[list[str] | None, Form()] = None,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Sign the consent, or show the form again with each error next to its field."""
    require_csrf(request, csrf)
    actor = _candidate(request, app)
    lang = pick_lang(request)
    posted = ConsentForm.parse(
        full_name=full_name, agree=agree, categories=categories or [], separate=separate or []
    )
    try:
        do_sign_consent(
            app.uow(),
            actor=actor,
            full_name=posted.full_name,
            agree=posted.agree,
            categories=posted.categories,
            separate_consent=posted.separate,
            lang=lang,
            evidence=_evidence(request),
        )
    except DomainError as exc:
        if exc.code == "invalid_state":
            return _back()  # already signed or refused elsewhere: show where things stand
        return _consent_page(
            request, app, actor, status=422, errors=form_errors(exc, lang), posted=posted
        )
    return _back()


@router.post("/candidate/refuse", response_class=HTMLResponse)
def refuse_consent(request: Request, app: AppDep, csrf: Annotated[str, Form()] = "") -> Response:
    """Decline the whole check: nothing is collected and the case is destroyed."""
    require_csrf(request, csrf)
    actor = _candidate(request, app)
    do_refuse_consent(app.uow(), actor=actor, lang=pick_lang(request), evidence=_evidence(request))
    return _back()


@router.post("/candidate/withdraw", response_class=HTMLResponse)
def withdraw_consent(
    request: Request,
    app: AppDep,
    confirmed: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Ask for confirmation, then withdraw consent: collection stops at once."""
    require_csrf(request, csrf)
    actor = _candidate(request, app)
    if confirmed != "yes":
        progress = _progress(app, actor, pick_lang(request))
        return render(request, "candidate/withdraw.html", progress=progress)
    do_withdraw_consent(app.uow(), actor=actor)
    return _back()


@router.post("/candidate/erasure", response_class=HTMLResponse)
def request_erasure(request: Request, app: AppDep, csrf: Annotated[str, Form()] = "") -> Response:
    """Ask for the case's personal data to be erased; the page then shows the due date."""
    require_csrf(request, csrf)
    actor = _candidate(request, app)
    do_request_erasure(app.uow(), actor=actor)
    return _back()


@router.get("/candidate/receipt", response_class=HTMLResponse)
def receipt_page(request: Request, app: AppDep) -> Response:
    """Show the consent receipt (ISO/IEC TS 27560 fields) in the page language."""
    actor = _candidate(request, app)
    lang = pick_lang(request)
    try:
        receipt = consent_receipt(app.reader(), actor=actor, lang=lang)
    except DomainError as exc:
        return render(
            request,
            "candidate/receipt.html",
            status=404,
            receipt=None,
            missing=refusal_message(exc.code, lang),
        )
    return render(request, "candidate/receipt.html", receipt=receipt, missing=None)


@router.get("/candidate/receipt.json")
def receipt_download(request: Request, app: AppDep) -> Response:
    """Download the consent receipt as JSON."""
    actor = _candidate(request, app)
    receipt = consent_receipt(app.reader(), actor=actor, lang=pick_lang(request))
    body = json.dumps(receipt, ensure_ascii=False, indent=2)
    return Response(
        body,
        media_type="application/json",
        headers={
            "content-disposition": f'attachment; filename="consent-receipt-{receipt["record_id"]}'
            '.json"',
            "cache-control": "no-store",
        },
    )
