"""The investigator's pages: the work queue, finding entry with the free-text guard, sources,
release, and the dispute and complaint desk.

The guard answers as the investigator types (htmx posts the text to `/app/guard`, which
runs the same check the API runs and returns a fragment); without JavaScript the same
check refuses the text when the form is sent.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from fairscreen.bootstrap import App
from fairscreen.cases.queries import case_view, find_cases
from fairscreen.feedback.complaints import do_answer_complaint
from fairscreen.feedback.desk import do_resolve_dispute, do_start_dispute
from fairscreen.feedback.policy import OPEN
from fairscreen.feedback.queries import desk_item, staff_items
from fairscreen.feedback.reviews import STAFF_ROLES as REVIEW_ROLES
from fairscreen.feedback.reviews import do_answer_review
from fairscreen.identity.policy import Actor
from fairscreen.rating.actions import do_release_report
from fairscreen.rating.queries import list_reports
from fairscreen.scope.policy import Pack, load_pack
from fairscreen.shared.errors import DomainError, NotFound
from fairscreen.shared.languages import text_in
from fairscreen.verification.actions import (
    check_source_kind,
    check_text,
    do_add_source,
    do_record_finding,
)
from fairscreen.verification.policy import SEVERITIES, Reason
from fairscreen.verification.policy import load_rules as verification_rules
from fairscreen.web import labels
from fairscreen.web.deps import AppDep
from fairscreen.web.forms import refusal_message, require_csrf
from fairscreen.web.i18n import pick_lang
from fairscreen.web.l10n import gettext
from fairscreen.web.pages.staff import (
    ROLE_LABELS,
    back,
    render,
    staff_actor,
    status_of,
    to_login,
)

router = APIRouter(include_in_schema=False)

QUEUE_LIMIT = 200
# The texts the guard screens as they are typed, by form field.
GUARDED = frozenset({"claim", "origin", "note", "answer", "resolve_claim"})
FIELD_MESSAGES: dict[str, str] = {
    "claim": "Describe the finding.",
    "origin": "Name where the source comes from.",
    "category": "Choose a category the candidate granted.",
    "severity": "Choose a severity.",
    "subject_role": "Give the candidate's role in the litigation.",
    "fact_date": "The fact cannot lie in the future.",
    "subject": "Only a record about a person has a subject.",
    "kind": "Choose a kind of source.",
    "note": "Write the answer to the candidate.",
    "answer": "Write the answer.",
    "statement": "Write the answer.",
    "outcome": "Choose an outcome; only a dispute about a finding can correct or remove it.",
}
KINDS = {"disputes": "dispute", "complaints": "complaint", "reviews": "review"}
REVIEW_OUTCOME_LABELS = labels.REVIEW_OUTCOME
REVIEW_FIELD_MESSAGES: dict[str, str] = {
    "outcome": "Choose whether the decision is upheld or reversed.",
    "answer": "Write the answer.",
}
# The domain's own refusals of a re-review answer, shown as they are (translated).
REVIEW_DOMAIN_MESSAGES = frozenset(
    {
        "A re-review is made by someone other than the person who decided.",
        "This re-review is already answered.",
    }
)


def field_errors(exc: DomainError, lang: str, default: str = "form") -> dict[str, str]:
    """Map a refusal to a translated message by the field it concerns."""
    field = exc.details.get("field")
    if exc.code == "forbidden_content":
        topic = exc.details.get("topic")
        key = field if isinstance(field, str) else default
        return {key: guard_message(topic if isinstance(topic, str) else None, lang)}
    if exc.code == "validation_error" and isinstance(field, str) and field in FIELD_MESSAGES:
        return {field: gettext(FIELD_MESSAGES[field], lang)}
    if exc.code in ("out_of_scope", "forbidden_category") and default == "finding":
        return {"category": refusal_message(exc.code, lang)}
    if exc.code == "identity_not_matched":
        return {"subject": refusal_message(exc.code, lang)}
    return {default: refusal_message(exc.code, lang)}


def guard_message(topic: str | None, lang: str) -> str:
    """Say, in the page language, which topic a refused text touches."""
    taxonomy = load_pack().taxonomy
    category = taxonomy.get(topic) if topic else None
    if category is None:
        return refusal_message("forbidden_content", lang)
    return gettext(
        "This text touches %(topic)s, which may never be recorded. Leave it out.",
        lang,
        topic=text_in(category.names, lang),
    )


def _refused_text(first: str, first_field: str, other_field: str) -> str:
    """Tell which of two screened texts the guard refused (the first is screened first)."""
    try:
        check_text(first, first_field)
    except DomainError:
        return first_field
    return other_field


@router.get("/app/work", response_class=HTMLResponse)
def work_queue(request: Request, app: AppDep) -> Response:
    """Show the cases to work on, oldest first, and the open disputes."""
    actor = staff_actor(request, app)
    if actor is None:
        return to_login(request)
    checking = find_cases(
        app.reader(), actor=actor, status="in_progress", limit=QUEUE_LIMIT, oldest_first=True
    )
    released = find_cases(
        app.reader(), actor=actor, status="report_released", limit=QUEUE_LIMIT, oldest_first=True
    )
    disputes = [
        d for d in staff_items(app.reader(), actor=actor, kind="dispute") if d["status"] in OPEN
    ]
    return render(
        request,
        "staff/work.html",
        actor=actor,
        checking=checking,
        released=released,
        disputes=disputes,
    )


def _source_kinds(pack: Pack, category: str, lang: str) -> list[dict[str, str]]:
    """Return the source kinds the case's pack allows for a category (the domain's check)."""
    kinds = []
    for code, kind in verification_rules().kinds.items():
        try:
            check_source_kind(pack, category, code)
        except DomainError:
            continue
        kinds.append(
            {
                "code": code,
                "name": text_in(kind.names, lang),
                "record": "yes" if kind.requires_subject else "",
            }
        )
    return kinds


def work_page(
    request: Request,
    app: App,
    actor: Actor,
    case_id: str,
    *,
    status: int = 200,
    finding_errors: dict[str, str] | None = None,
    source_errors: dict[str, dict[str, str]] | None = None,
    release_error: str | None = None,
    posted: dict[str, Any] | None = None,
) -> Response:
    """Render the finding entry page of a case."""
    lang = pick_lang(request)
    view = case_view(app.reader(), actor=actor, case_id=case_id)
    pack = load_pack(view["pack"])
    rules = verification_rules()
    reasons = {r.value: text_in(rules.reasons[r], lang) for r in Reason}
    granted = (view.get("consent") or {}).get("granted") or []
    categories = [c for c in view["categories"] if c in granted]
    return render(
        request,
        "staff/finding_entry.html",
        status=status,
        actor=actor,
        case=view,
        granted=categories,
        kinds={c: _source_kinds(pack, c, lang) for c in view["categories"]},
        kind_names={code: text_in(k.names, lang) for code, k in rules.kinds.items()},
        verification_reasons=reasons,
        severities=SEVERITIES,
        subject_roles=tuple(ROLE_LABELS),
        versions=list_reports(app.reader(), actor=actor, case_id=case_id),
        finding_errors=finding_errors or {},
        source_errors=source_errors or {},
        release_error=release_error,
        posted=posted or {},
        released=request.query_params.get("released") == "1",
    )


@router.get("/app/work/{case_id}", response_class=HTMLResponse)
def show_work(case_id: str, request: Request, app: AppDep) -> Response:
    """Show a case's findings, their sources and status, and the forms to add to them."""
    actor = staff_actor(request, app)
    if actor is None:
        return to_login(request)
    return work_page(request, app, actor, case_id)


@router.post("/app/guard", response_class=HTMLResponse)
async def guard(request: Request, app: AppDep) -> Response:
    """Screen a text as it is typed; answer with the fragment shown under the field."""
    form = await request.form()
    require_csrf(request, str(form.get("csrf") or ""))
    if staff_actor(request, app) is None:
        return to_login(request)
    field = request.query_params.get("field", "")
    if field not in GUARDED:
        raise NotFound()
    text = str(form.get(field) or "")[:8000]
    lang = pick_lang(request)
    message = None
    try:
        check_text(text, field)
    except DomainError as exc:
        topic = exc.details.get("topic")
        message = guard_message(topic if isinstance(topic, str) else None, lang)
    empty = not text.strip()
    return render(request, "staff/_guard.html", field=field, message=message, empty=empty)


@router.post("/app/work/{case_id}/findings", response_class=HTMLResponse)
def record_finding(
    case_id: str,
    request: Request,
    app: AppDep,
    category: Annotated[str, Form(max_length=64)] = "",
    claim: Annotated[str, Form(max_length=4000)] = "",
    adverse: Annotated[str | None, Form()] = None,
    severity: Annotated[str, Form(max_length=16)] = "",
    subject_role: Annotated[str, Form(max_length=32)] = "",
    job_related: Annotated[str | None, Form()] = None,
    fact_date: Annotated[str, Form(max_length=10)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Record a finding (unverified until its sources verify it)."""
    require_csrf(request, csrf)
    actor = staff_actor(request, app)
    if actor is None:
        return to_login(request)
    lang = pick_lang(request)
    posted = {
        "category": category,
        "claim": claim,
        "adverse": bool(adverse),
        "severity": severity,
        "subject_role": subject_role,
        "job_related": job_related is not None,
        "fact_date": fact_date,
    }
    try:
        when = date.fromisoformat(fact_date) if fact_date else None
    except ValueError:
        errors = {"fact_date": gettext("Give the date as on a calendar.", lang)}
        return work_page(
            request, app, actor, case_id, status=422, finding_errors=errors, posted=posted
        )
    try:
        do_record_finding(
            app.uow(),
            actor=actor,
            case_id=case_id,
            category=category,
            claim=claim,
            adverse=bool(adverse),
            subject_role=subject_role or None,
            severity=severity or None,
            job_related=job_related is not None,
            fact_date=when,
        )
    except DomainError as exc:
        return work_page(
            request,
            app,
            actor,
            case_id,
            status=status_of(exc),
            finding_errors=field_errors(exc, lang, "finding"),
            posted=posted,
        )
    return back(f"/app/work/{case_id}#findings")


@router.post("/app/work/{case_id}/findings/{finding_id}/sources", response_class=HTMLResponse)
def add_source(
    case_id: str,
    finding_id: str,
    request: Request,
    app: AppDep,
    kind: Annotated[str, Form(max_length=64)] = "",
    origin: Annotated[str, Form(max_length=500)] = "",
    supports: Annotated[str, Form(max_length=8)] = "yes",
    note: Annotated[str, Form(max_length=4000)] = "",
    subject_name: Annotated[str, Form(max_length=200)] = "",
    subject_id_number: Annotated[str, Form(max_length=40)] = "",
    subject_date_of_birth: Annotated[str, Form(max_length=20)] = "",
    subject_address: Annotated[str, Form(max_length=300)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Add a source to a finding; its status is recomputed under the verification rules."""
    require_csrf(request, csrf)
    actor = staff_actor(request, app)
    if actor is None:
        return to_login(request)
    subject = {
        "name": subject_name.strip(),
        "id_number": subject_id_number.strip(),
        "date_of_birth": subject_date_of_birth.strip(),
        "address": subject_address.strip(),
    }
    given = {k: v for k, v in subject.items() if v}
    try:
        do_add_source(
            app.uow(),
            actor=actor,
            finding_id=finding_id,
            kind=kind,
            origin=origin,
            supports=supports != "no",
            note=note.strip() or None,
            subject=given or None,
        )
    except DomainError as exc:
        if exc.code == "not_found":
            raise
        posted = {
            "kind": kind,
            "origin": origin,
            "supports": supports,
            "note": note,
            **{f"subject_{k}": v for k, v in subject.items()},
        }
        return work_page(
            request,
            app,
            actor,
            case_id,
            status=status_of(exc),
            source_errors={finding_id: field_errors(exc, pick_lang(request), "source")},
            posted={finding_id: posted},
        )
    return back(f"/app/work/{case_id}#finding-{finding_id}")


@router.post("/app/work/{case_id}/release", response_class=HTMLResponse)
def release_report(
    case_id: str, request: Request, app: AppDep, csrf: Annotated[str, Form()] = ""
) -> Response:
    """Rate the verified findings and release the report to the candidate and the employer."""
    require_csrf(request, csrf)
    actor = staff_actor(request, app)
    if actor is None:
        return to_login(request)
    try:
        do_release_report(app.uow(), actor=actor, case_id=case_id)
    except DomainError as exc:
        return work_page(
            request,
            app,
            actor,
            case_id,
            status=status_of(exc),
            release_error=refusal_message(exc.code, pick_lang(request)),
        )
    return back(f"/app/work/{case_id}?released=1#release")


@router.get("/app/desk", response_class=HTMLResponse)
def desk(request: Request, app: AppDep) -> Response:
    """Show the disputes and complaints the organisation owns, overdue first."""
    actor = staff_actor(request, app)
    if actor is None:
        return to_login(request)
    if actor.role == "regulator":
        return back("/regulator")
    return render(
        request,
        "staff/desk.html",
        actor=actor,
        disputes=staff_items(app.reader(), actor=actor, kind="dispute"),
        complaints=staff_items(app.reader(), actor=actor, kind="complaint"),
        reviews=(
            staff_items(app.reader(), actor=actor, kind="review")
            if actor.role in REVIEW_ROLES
            else []
        ),
        review_outcome_labels=REVIEW_OUTCOME_LABELS,
    )


def desk_page(
    request: Request,
    app: App,
    actor: Actor,
    kind: str,
    item_id: str,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    posted: dict[str, str] | None = None,
) -> Response:
    """Render one dispute or complaint with the form that closes it."""
    item = desk_item(app.reader(), actor=actor, kind=kind, item_id=item_id)
    return render(
        request,
        "staff/desk_item.html",
        status=status,
        actor=actor,
        item=item,
        errors=errors or {},
        posted=posted or {},
        review_outcome_labels=REVIEW_OUTCOME_LABELS,
    )


@router.get("/app/desk/{kinds}/{item_id}", response_class=HTMLResponse)
def show_desk_item(kinds: str, item_id: str, request: Request, app: AppDep) -> Response:
    """Show one dispute or complaint."""
    actor = staff_actor(request, app)
    if actor is None:
        return to_login(request)
    if kinds not in KINDS:
        raise NotFound()
    return desk_page(request, app, actor, KINDS[kinds], item_id)


@router.post("/app/desk/disputes/{item_id}/start", response_class=HTMLResponse)
def start_dispute(
    item_id: str, request: Request, app: AppDep, csrf: Annotated[str, Form()] = ""
) -> Response:
    """Take a dispute into review."""
    require_csrf(request, csrf)
    actor = staff_actor(request, app)
    if actor is None:
        return to_login(request)
    try:
        do_start_dispute(app.uow(), actor=actor, dispute_id=item_id)
    except DomainError as exc:
        errors = {"form": refusal_message(exc.code, pick_lang(request))}
        status = status_of(exc)
        return desk_page(request, app, actor, "dispute", item_id, status=status, errors=errors)
    return back(f"/app/desk/disputes/{item_id}")


@router.post("/app/desk/disputes/{item_id}/resolve", response_class=HTMLResponse)
def resolve_dispute(
    item_id: str,
    request: Request,
    app: AppDep,
    outcome: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=8000)] = "",
    resolve_claim: Annotated[str, Form(max_length=4000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Resolve a dispute; a corrected or removed finding re-rates the report."""
    require_csrf(request, csrf)
    actor = staff_actor(request, app)
    if actor is None:
        return to_login(request)
    try:
        do_resolve_dispute(
            app.uow(),
            actor=actor,
            dispute_id=item_id,
            outcome=outcome,
            note=note,
            claim=resolve_claim.strip() or None,
        )
    except DomainError as exc:
        errors = field_errors(exc, pick_lang(request))
        if "claim" in errors:
            errors["resolve_claim"] = errors.pop("claim")
        if exc.code == "forbidden_content" and "form" in errors:
            # The refusal names no field: the note is screened first, then the claim.
            errors[_refused_text(note, "note", "resolve_claim")] = errors.pop("form")
        posted = {"outcome": outcome, "note": note, "resolve_claim": resolve_claim}
        return desk_page(
            request,
            app,
            actor,
            "dispute",
            item_id,
            status=status_of(exc),
            errors=errors,
            posted=posted,
        )
    return back("/app/desk?done=1")


@router.post("/app/desk/complaints/{item_id}/answer", response_class=HTMLResponse)
def answer_complaint(
    item_id: str,
    request: Request,
    app: AppDep,
    answer: Annotated[str, Form(max_length=8000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Answer a complaint; the candidate is told."""
    require_csrf(request, csrf)
    actor = staff_actor(request, app)
    if actor is None:
        return to_login(request)
    try:
        do_answer_complaint(app.uow(), actor=actor, complaint_id=item_id, answer=answer)
    except DomainError as exc:
        errors = field_errors(exc, pick_lang(request))
        if exc.code == "forbidden_content" and "form" in errors:
            errors["answer"] = errors.pop("form")
        return desk_page(
            request,
            app,
            actor,
            "complaint",
            item_id,
            status=status_of(exc),
            errors=errors,
            posted={"answer": answer},
        )
    return back("/app/desk?done=1")


def review_errors(exc: DomainError, lang: str) -> dict[str, str]:
    """Map a refused re-review answer to its field; the domain's own words where it has them."""
    field = exc.details.get("field")
    if exc.code == "validation_error" and field in REVIEW_FIELD_MESSAGES:
        return {str(field): gettext(REVIEW_FIELD_MESSAGES[str(field)], lang)}
    if exc.code == "forbidden_content":
        topic = exc.details.get("topic")
        return {"answer": guard_message(topic if isinstance(topic, str) else None, lang)}
    if exc.message in REVIEW_DOMAIN_MESSAGES:
        return {"form": gettext(exc.message, lang)}
    return {"form": refusal_message(exc.code, lang)}


@router.post("/app/desk/reviews/{item_id}/answer", response_class=HTMLResponse)
def answer_review(
    item_id: str,
    request: Request,
    app: AppDep,
    outcome: Annotated[str, Form(max_length=16)] = "",
    answer: Annotated[str, Form(max_length=8000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Answer a re-review: the decision is upheld, or reversed into a hire."""
    require_csrf(request, csrf)
    actor = staff_actor(request, app)
    if actor is None:
        return to_login(request)
    try:
        do_answer_review(app.uow(), actor=actor, review_id=item_id, outcome=outcome, answer=answer)
    except DomainError as exc:
        if exc.code == "not_found":
            raise
        return desk_page(
            request,
            app,
            actor,
            "review",
            item_id,
            status=status_of(exc),
            errors=review_errors(exc, pick_lang(request)),
            posted={"outcome": outcome, "answer": answer},
        )
    return back("/app/desk?done=1#reviews")
