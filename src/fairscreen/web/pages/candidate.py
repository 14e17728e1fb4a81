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
from fairscreen.cases.policy import CLOSED, REPORTED, can
from fairscreen.consent.actions import (
    Evidence,
    do_refuse_consent,
    do_sign_consent,
    do_withdraw_consent,
)
from fairscreen.consent.queries import candidate_case, latest_consent
from fairscreen.consent.receipt import consent_receipt
from fairscreen.feedback.complaints import do_file_complaint, do_rate_satisfaction
from fairscreen.feedback.desk import do_file_dispute
from fairscreen.feedback.policy import OPEN, load_reasons
from fairscreen.feedback.queries import candidate_decision, candidate_items
from fairscreen.feedback.reviews import do_request_review
from fairscreen.identity.models import Org
from fairscreen.identity.policy import Actor
from fairscreen.rating.policy import load_rules
from fairscreen.rating.queries import candidate_report
from fairscreen.retention.actions import do_request_erasure
from fairscreen.retention.models import ErasureRequest
from fairscreen.scope.policy import load_pack
from fairscreen.shared.errors import DomainError, NotFound, Unauthenticated
from fairscreen.shared.languages import LANGUAGES, text_in
from fairscreen.statements.actions import AFTER_DECISION, do_add_account
from fairscreen.statements.actions import MAX_LEN as ACCOUNT_MAX_LEN
from fairscreen.verification.queries import case_findings
from fairscreen.web import labels
from fairscreen.web.deps import CANDIDATE_COOKIE, AppDep, optional_actor, present_secret
from fairscreen.web.errors import status_for
from fairscreen.web.forms import ConsentForm, form_errors, refusal_message, require_csrf
from fairscreen.web.i18n import pick_lang
from fairscreen.web.l10n import gettext
from fairscreen.web.rendering import render as render_page

router = APIRouter(include_in_schema=False)

PAGE = "/candidate"
FINDING_STATUSES = ("verified", "unverified", "inconclusive")


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
    with app.reader() as tx:
        case = load_case(tx.session, actor, actor.case_id)
        pack = load_pack(case.pack)
        employer = tx.session.get(Org, case.employer_org_id)
        agency = tx.session.get(Org, case.agency_org_id) if case.agency_org_id else None
        record = latest_consent(tx.session, case.id)
        granted = list(record.granted_categories) if record else []
        counts = Counter((f.category, f.status) for f in case_findings(tx, case.id))
        erasure = tx.session.scalar(
            select(ErasureRequest)
            .where(ErasureRequest.case_id == case.id)
            .order_by(ErasureRequest.requested_at.desc())
            .limit(1)
        )
        return {
            "status": case.status,
            "pack": case.pack,
            # What the state allows, so that templates compare no status strings.
            "may_withdraw": can(case.status, "withdraw_consent"),
            "awaiting_decision": can(case.status, "decide"),
            "employer": employer.name if employer else "",
            "agency": agency.name if agency else None,
            "consented_at": record.at if record else None,
            "destroy_due_at": case.destroy_due_at,
            "declined": [
                text_in(pack.taxonomy.categories[c].names, lang)
                for c in case.categories
                if c not in granted
            ],
            "categories": [
                {
                    "code": code,
                    "name": text_in(pack.taxonomy.categories[code].names, lang),
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
    pack = load_pack(case["pack"])
    taxonomy = pack.taxonomy
    for item in case["categories"]:
        cat = taxonomy.categories[item["code"]]
        item["name"] = text_in(cat.names, lang)
        item["why"] = text_in(cat.why, lang) if cat.why else ""
        item["method_names"] = [text_in(taxonomy.method_names[m], lang) for m in item["methods"]]
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


def _report_page(
    request: Request,
    app: App,
    actor: Actor,
    progress: dict[str, Any],
    *,
    status: int = 200,
    errors: dict[str, dict[str, dict[str, str]]] | None = None,
    posted: dict[str, dict[str, str]] | None = None,
) -> Response:
    lang = pick_lang(request)
    report = candidate_report(app.reader(), actor=actor)
    names = {lv["code"]: text_in(lv["names"], lang) for lv in load_rules().published()["levels"]}
    pack = load_pack(progress["pack"])
    category_names = {
        c: text_in(pack.taxonomy.categories[c].names, lang) for c in pack.taxonomy.categories
    }
    done = request.query_params.get("done") or ""
    notice = FEEDBACK_NOTICES.get(done)
    review_notice = REVIEW_NOTICES.get(done)
    return render(
        request,
        "candidate/report.html",
        status=status,
        progress=progress,
        report=report,
        level_names=names,
        category_names=category_names,
        feedback=_feedback_view(app, actor, report, category_names),
        feedback_errors=errors or {},
        feedback_posted=posted or {},
        feedback_notice=gettext(notice, lang) if notice else None,
        complaint_categories=COMPLAINT_CATEGORY_NAMES,
        outcome_names=OUTCOME_NAMES,
        item_states=ITEM_STATES,
        review_notice={done: gettext(review_notice, lang)} if review_notice else {},
        **_review_view(app, actor, lang),
    )


@router.get("/c/{token}", response_class=HTMLResponse)
def candidate_entry(token: str, request: Request, app: AppDep) -> Response:
    """Open the candidate's page from the invitation link (the token moves into a cookie)."""
    present_secret(request, app, authenticate_candidate, token)
    lang = request.query_params.get("lang")
    # The link may name a language; keep it so the next page sets the cookie.
    response = RedirectResponse(
        f"{PAGE}?lang={lang}" if lang in LANGUAGES else PAGE, status_code=303
    )
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
            request,
            app,
            actor,
            status=status_for(exc),
            errors=form_errors(exc, lang),
            posted=posted,
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


# ----- disputes, complaints and satisfaction (接訴即辦, 回訪) -----

# English texts are the message ids; translations in LC_MESSAGES/candidate_feedback.po.
FEEDBACK_FIELD_MESSAGES: dict[str, str] = {
    "finding_id": "Choose a fact from your report, or the report as a whole.",
    "what": "Say what is wrong.",
    "complaint": "Say what your complaint is about.",
    "too_long": "What you wrote is too long (at most 8,000 characters in all).",
    "category": "Choose what your complaint is about.",
    "score": "Choose a rating from 1 to 5.",
    "comment": "Your comment is too long (at most 8,000 characters).",
}
FEEDBACK_NOTICES: dict[str, str] = {
    "dispute_filed": "Your dispute was received. Its owner and due date are shown below.",
    "complaint_filed": "Your complaint was received. Its owner and due date are shown below.",
    "rated": "Thank you for your answer.",
}
COMPLAINT_CATEGORY_NAMES = labels.COMPLAINT_CATEGORY_FOR_CANDIDATE
OUTCOME_NAMES = labels.DISPUTE_OUTCOME_FOR_CANDIDATE
ITEM_STATES = labels.FEEDBACK_STATE_FOR_CANDIDATE
EVIDENCE_LABEL = "Evidence"
SECTION = "#disputes-and-complaints"
MAX_TEXT = 8000


def _feedback_view(
    app: App, actor: Actor, report: dict[str, Any], category_names: dict[str, str]
) -> dict[str, Any]:
    """Return the candidate's disputes and complaints, and the facts that may be disputed."""
    facts = [
        {"id": f["id"], "category": f["category"], "claim": f.get("claim"), "used": True}
        for f in report["findings"]
    ] + [
        {"id": f["id"], "category": f["category"], "claim": None, "used": False}
        for f in report["not_used"]
    ]
    labels = {f["id"]: category_names.get(f["category"], f["category"]) for f in facts}
    disputes = candidate_items(app.reader(), actor=actor, kind="dispute")
    complaints = candidate_items(app.reader(), actor=actor, kind="complaint")
    for item in disputes:
        item["finding_label"] = labels.get(item["finding_id"]) if item["finding_id"] else None
    return {
        "facts": facts,
        "disputes": disputes,
        "complaints": complaints,
        "open_dispute": any(d["status"] in OPEN for d in disputes),
    }


def dispute_statement(what: str, evidence: str, lang: str) -> str:
    """Join what is wrong and the evidence offered into the one statement the desk keeps."""
    what, evidence = what.strip(), evidence.strip()
    if not what or not evidence:
        return what  # no complaint text: the desk refuses it and says so next to the field
    return f"{what}\n\n{gettext(EVIDENCE_LABEL, lang)}: {evidence}"


def feedback_error(exc: DomainError, lang: str, field: str) -> dict[str, str]:
    """Return a refusal for one field: a message a person understands and its code."""
    if exc.code == "validation_error" and field in FEEDBACK_FIELD_MESSAGES:
        message = gettext(FEEDBACK_FIELD_MESSAGES[field], lang)
    else:
        message = refusal_message(exc.code, lang)
    return {"message": message, "code": exc.code}


def _refused(
    request: Request,
    app: App,
    actor: Actor,
    exc: DomainError,
    form: str,
    errors: dict[str, dict[str, str]],
    posted: dict[str, str],
) -> Response:
    lang = pick_lang(request)
    progress = _progress(app, actor, lang)
    if progress["status"] not in REPORTED:
        return _back()  # the case moved on (withdrawn, destroyed): show where things stand
    status = {"not_found": 404, "invalid_state": 409, "conflict": 409}.get(exc.code, 422)
    return _report_page(
        request,
        app,
        actor,
        progress,
        status=status,
        errors={form: errors},
        posted={form: posted},
    )


def _done(notice: str, section: str = SECTION) -> Response:
    return RedirectResponse(f"{PAGE}?done={notice}{section}", status_code=303)


@router.post("/candidate/disputes", response_class=HTMLResponse)
def file_dispute(
    request: Request,
    app: AppDep,
    finding_id: Annotated[str, Form(max_length=64)] = "",
    what: Annotated[str, Form()] = "",
    evidence: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Dispute a fact of the report (or the whole report): an owner and a due date at once."""
    require_csrf(request, csrf)
    actor = _candidate(request, app)
    lang = pick_lang(request)
    statement = dispute_statement(what, evidence, lang)
    try:
        do_file_dispute(
            app.uow(), actor=actor, statement=statement, finding_id=finding_id.strip() or None
        )
    except DomainError as exc:
        if exc.code == "not_found":
            field = "finding_id"
        elif exc.details.get("field") == "statement":
            field = "what" if not what.strip() else "too_long"
        else:
            field = "form"
        error = feedback_error(exc, lang, field)
        key = "what" if field == "too_long" else field
        posted = {"finding_id": finding_id, "what": what, "evidence": evidence}
        return _refused(request, app, actor, exc, "dispute", {key: error}, posted)
    return _done("dispute_filed")


@router.post("/candidate/complaints", response_class=HTMLResponse)
def file_complaint(
    request: Request,
    app: AppDep,
    category: Annotated[str, Form(max_length=64)] = "",
    statement: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Complain about any part of the check; always accepted, one owner from the start."""
    require_csrf(request, csrf)
    actor = _candidate(request, app)
    lang = pick_lang(request)
    try:
        do_file_complaint(app.uow(), actor=actor, category=category, statement=statement)
    except DomainError as exc:
        field = exc.details.get("field")
        if field == "category":
            key, message_key = "category", "category"
        elif field == "statement":
            key = "statement"
            message_key = "complaint" if not statement.strip() else "too_long"
        else:
            key = message_key = "form"
        error = feedback_error(exc, lang, message_key)
        posted = {"category": category, "statement": statement}
        return _refused(request, app, actor, exc, "complaint", {key: error}, posted)
    return _done("complaint_filed")


@router.post("/candidate/{kind}/{item_id}/satisfaction", response_class=HTMLResponse)
def rate_satisfaction(
    kind: str,
    item_id: str,
    request: Request,
    app: AppDep,
    score: Annotated[str, Form(max_length=2)] = "",
    comment: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Say how satisfied you are with a closed dispute or complaint."""
    require_csrf(request, csrf)
    actor = _candidate(request, app)
    if kind not in ("disputes", "complaints", "reviews"):
        raise NotFound()
    lang = pick_lang(request)
    try:
        do_rate_satisfaction(
            app.uow(),
            actor=actor,
            kind=kind[:-1],
            item_id=item_id,
            score=int(score) if score.isdigit() else 0,
            comment=comment or None,
        )
    except DomainError as exc:
        field = exc.details.get("field")
        key = field if field in ("score", "comment") else "form"
        error = feedback_error(exc, lang, key)
        posted = {"score": score, "comment": comment}
        return _refused(request, app, actor, exc, f"rate:{item_id}", {key: error}, posted)
    if kind == "reviews":
        return _done("review_rated", REVIEW_SECTION)
    return _done("rated")


# ----- the candidate's own account of a finding, the decision, a human re-review -----

# English texts are the message ids; translations in LC_MESSAGES/reviews.po.
ACCOUNT_KINDS = labels.ACCOUNT_KIND
REVIEW_OUTCOME_NAMES = labels.REVIEW_OUTCOME_FOR_CANDIDATE
REVIEW_NOTICES: dict[str, str] = {
    "account_added": "Your account was added. The employer reads it with the fact.",
    "review_requested": (
        "Your request for a human re-review was received. Its owner and due date are shown below."
    ),
    "review_rated": "Thank you for your answer.",  # the same words as after a dispute
}
REVIEW_FIELD_MESSAGES: dict[str, str] = {
    "account": "Write your account.",
    "account_too_long": "Your account is too long (at most %(n)s characters).",
    "review": "Say why the decision should be looked at again.",
    "finding": "There is no such fact in your report.",
}
# The domain's own refusals, shown as they are (translated) next to the form.
REVIEW_DOMAIN_MESSAGES = frozenset(
    {
        "A human re-review is for a decision against you; there is none.",
        "You have already asked for a re-review of this decision.",
        "Nobody in the organisation can take this on; ask its admin.",
        AFTER_DECISION,  # an account posted from a page opened before the decision
    }
)
ACCOUNT_TOPIC = (
    "Your account mentions another person's %(topic)s. Leave out other people's private details."
)
REVIEW_SECTION = "#re-review"
# What the kind label adds in front of the account ("Evidence of rehabilitation: ...").
ACCOUNT_PREFIX_ROOM = 60


def _review_view(app: App, actor: Actor, lang: str) -> dict[str, Any]:
    """Return the decision, the re-review requests and the names the page shows for them."""
    decision = candidate_decision(app.reader(), actor=actor)
    return {
        "decision": decision,
        "reviews": candidate_items(app.reader(), actor=actor, kind="review"),
        "reason_names": {r.code: text_in(r.names, lang) for r in load_reasons().reasons.values()},
        "account_kinds": ACCOUNT_KINDS,
        "review_outcome_names": REVIEW_OUTCOME_NAMES,
        "account_max": ACCOUNT_MAX_LEN - ACCOUNT_PREFIX_ROOM,
    }


def account_statement(kind: str, statement: str, lang: str) -> str:
    """Put the kind of account the candidate chose in front of what they wrote."""
    statement = statement.strip()
    label = ACCOUNT_KINDS.get(kind)
    if not statement or label is None:
        return statement  # nothing written: the domain refuses it, next to the field
    colon = "：" if lang.startswith("zh") else ": "
    return f"{gettext(label, lang)}{colon}{statement}"


def _account_error(exc: DomainError, lang: str, statement: str) -> tuple[str, dict[str, str]]:
    """Return the field a refused account concerns and its message."""
    if exc.code == "validation_error":
        if statement.strip():
            text = gettext(
                REVIEW_FIELD_MESSAGES["account_too_long"],
                lang,
                n=ACCOUNT_MAX_LEN - ACCOUNT_PREFIX_ROOM,
            )
        else:
            text = gettext(REVIEW_FIELD_MESSAGES["account"], lang)
        return "statement", {"message": text, "code": exc.code}
    if exc.code == "forbidden_content":
        topic = exc.details.get("topic")
        category = load_pack().taxonomy.get(topic) if isinstance(topic, str) else None
        if category is not None:
            text = gettext(ACCOUNT_TOPIC, lang, topic=text_in(category.names, lang))
        else:
            text = refusal_message(exc.code, lang)
        return "statement", {"message": text, "code": exc.code}
    if exc.code == "not_found":
        return "form", {
            "message": gettext(REVIEW_FIELD_MESSAGES["finding"], lang),
            "code": exc.code,
        }
    if exc.message in REVIEW_DOMAIN_MESSAGES:
        return "form", {"message": gettext(exc.message, lang), "code": exc.code}
    return "form", feedback_error(exc, lang, "form")


@router.post("/candidate/findings/{finding_id}/account", response_class=HTMLResponse)
def add_account(
    finding_id: str,
    request: Request,
    app: AppDep,
    kind: Annotated[str, Form(max_length=32)] = "",
    statement: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Add your own account of a fact (an explanation, a correction, rehabilitation)."""
    require_csrf(request, csrf)
    actor = _candidate(request, app)
    lang = pick_lang(request)
    try:
        do_add_account(
            app.uow(),
            actor=actor,
            finding_id=finding_id,
            statement=account_statement(kind, statement, lang),
        )
    except DomainError as exc:
        key, error = _account_error(exc, lang, statement)
        posted = {"kind": kind, "statement": statement}
        form = f"account:{finding_id}"
        return _refused(request, app, actor, exc, form, {key: error}, posted)
    return _done("account_added", f"#finding-{finding_id}")


@router.post("/candidate/reviews", response_class=HTMLResponse)
def request_review(
    request: Request,
    app: AppDep,
    statement: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Ask for a person other than the one who decided to look at the decision again."""
    require_csrf(request, csrf)
    actor = _candidate(request, app)
    lang = pick_lang(request)
    try:
        do_request_review(app.uow(), actor=actor, statement=statement)
    except DomainError as exc:
        if exc.details.get("field") == "statement":
            key = "statement"
            if statement.strip():
                error = feedback_error(exc, lang, "too_long")
            else:
                error = {
                    "message": gettext(REVIEW_FIELD_MESSAGES["review"], lang),
                    "code": exc.code,
                }
        elif exc.message in REVIEW_DOMAIN_MESSAGES:
            key, error = "form", {"message": gettext(exc.message, lang), "code": exc.code}
        else:
            key, error = "form", feedback_error(exc, lang, "form")
        return _refused(request, app, actor, exc, "review", {key: error}, {"statement": statement})
    return _done("review_requested", REVIEW_SECTION)
