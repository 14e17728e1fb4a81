"""The employer's pages: open a case, read its report and versions, decide, see the notices.

Forms post and redirect without JavaScript; a refusal re-renders the page with the
refusal's message next to the form it concerns (the domain decides, never the page).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from fairscreen.bootstrap import App
from fairscreen.cases.actions import do_open_case
from fairscreen.cases.queries import case_view, screening_agencies
from fairscreen.consent.document import load_template
from fairscreen.feedback.actions import do_record_assessment, do_record_decision
from fairscreen.feedback.policy import OPEN
from fairscreen.feedback.queries import case_notices, decision_reasons
from fairscreen.identity.policy import Actor
from fairscreen.rating.queries import list_reports
from fairscreen.scope.actions import do_create_position, get_position, list_positions
from fairscreen.scope.policy import load_pack
from fairscreen.shared.clock import as_utc
from fairscreen.shared.errors import DomainError, ValidationFailed
from fairscreen.shared.languages import text_in
from fairscreen.web.deps import AppDep
from fairscreen.web.forms import refusal_message, require_csrf
from fairscreen.web.i18n import pick_lang
from fairscreen.web.l10n import format_when, gettext
from fairscreen.web.pages.staff import back, render, staff_actor, status_of, to_login

router = APIRouter(include_in_schema=False)

ASSESSMENT_FIELDS = (
    "nature_gravity",
    "time_elapsed",
    "relation_to_duties",
    "candidate_account",
    "conclusion",
)
# Messages for the staff forms' fields, by the `field` a validation refusal names.
FIELD_MESSAGES: dict[str, str] = {
    "title": "Give the position a title (up to 200 characters).",
    "purpose": "Choose the purpose of the position.",
    "grade": "Choose the grade of the position.",
    "candidate.name": "Give the candidate's full name.",
    "candidate.email": "Give the candidate's e-mail address; the invitation goes there.",
    "categories": "Choose at least one category the position allows.",
    "reasons": "Choose at least one published reason that fits the outcome.",
    "outcome": "Choose hire or do not hire.",
    "employment_end": "Only a hire has an employment end date.",
}


def field_errors(exc: DomainError, lang: str, default: str = "form") -> dict[str, str]:
    """Map a refusal to a translated message keyed by the form field it concerns."""
    field = exc.details.get("field")
    if exc.code == "validation_error" and isinstance(field, str) and field in FIELD_MESSAGES:
        return {field: gettext(FIELD_MESSAGES[field], lang)}
    if exc.code in ("out_of_scope", "forbidden_category"):
        return {"categories": refusal_message(exc.code, lang)}
    return {default: refusal_message(exc.code, lang)}


def _purposes(lang: str) -> list[dict[str, str]]:
    names = load_template()["purposes"]
    return [{"code": p, "name": names.get(p, {}).get(lang, p)} for p in load_pack().purposes]


def _new_case_page(
    request: Request,
    app: App,
    actor: Actor,
    *,
    position_id: str | None,
    status: int = 200,
    errors: dict[str, str] | None = None,
    position_errors: dict[str, str] | None = None,
    posted: dict[str, Any] | None = None,
) -> Response:
    lang = pick_lang(request)
    positions = list_positions(app.reader(), actor=actor)
    chosen = next((p for p in positions if p.id == position_id), None)
    taxonomy = load_pack().taxonomy
    categories = [
        {
            "code": code,
            "name": text_in(cat.names, lang),
            "sensitive": cat.sensitive,
            "forbidden": cat.forbidden,
            "allowed": chosen is not None and code in chosen.allowed_categories,
        }
        for code, cat in taxonomy.categories.items()
    ]
    return render(
        request,
        "staff/new_case.html",
        status=status,
        actor=actor,
        positions=positions,
        chosen=chosen,
        categories=categories,
        agencies=screening_agencies(app.reader(), actor=actor),
        purposes=_purposes(lang),
        grades=load_pack().grades,
        purpose_names={p["code"]: p["name"] for p in _purposes(lang)},
        errors=errors or {},
        position_errors=position_errors or {},
        posted=posted or {},
    )


@router.get("/app/cases/new", response_class=HTMLResponse)
def new_case_page(request: Request, app: AppDep) -> Response:
    """Show the form to open a case: the position first, then what it allows."""
    actor = staff_actor(request, app)
    if actor is None:
        return to_login(request)
    position_id = request.query_params.get("position_id") or None
    return _new_case_page(request, app, actor, position_id=position_id)


@router.post("/app/cases/new/position", response_class=HTMLResponse)
def create_position(
    request: Request,
    app: AppDep,
    title: Annotated[str, Form(max_length=200)] = "",
    purpose: Annotated[str, Form(max_length=64)] = "",
    grade: Annotated[str, Form(max_length=64)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Create a position; its purpose and grade decide the categories it may request."""
    require_csrf(request, csrf)
    actor = staff_actor(request, app)
    if actor is None:
        return to_login(request)
    try:
        position = do_create_position(
            app.uow(), actor=actor, title=title, purpose=purpose, grade=grade
        )
    except DomainError as exc:
        return _new_case_page(
            request,
            app,
            actor,
            position_id=None,
            status=status_of(exc),
            position_errors=field_errors(exc, pick_lang(request), "position"),
            posted={"title": title, "purpose": purpose, "grade": grade},
        )
    return back(f"/app/cases/new?position_id={position.id}")


@router.post("/app/cases", response_class=HTMLResponse)
def open_case(
    request: Request,
    app: AppDep,
    position_id: Annotated[str, Form(max_length=64)] = "",
    candidate_name: Annotated[str, Form(max_length=200)] = "",
    candidate_email: Annotated[str, Form(max_length=254)] = "",
    agency_id: Annotated[str, Form(max_length=64)] = "",
    categories: Annotated[list[str] | None, Form()] = None,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Open the case and invite the candidate; a refusal is shown next to its field."""
    require_csrf(request, csrf)
    actor = staff_actor(request, app)
    if actor is None:
        return to_login(request)
    chosen = [c for c in dict.fromkeys(categories or []) if c]
    try:
        case_id, _token = do_open_case(
            app.uow(),
            actor=actor,
            position_id=position_id,
            candidate_name=candidate_name,
            candidate_email=candidate_email,
            categories=chosen,
            agency_id=agency_id or None,
        )
    except DomainError as exc:
        return _new_case_page(
            request,
            app,
            actor,
            position_id=position_id,
            status=status_of(exc),
            errors=field_errors(exc, pick_lang(request)),
            posted={
                "candidate_name": candidate_name,
                "candidate_email": candidate_email,
                "agency_id": agency_id,
                "categories": chosen,
            },
        )
    return back(f"/app/cases/{case_id}?opened=1")


def _allowed_categories(app: App, actor: Actor, position_id: str | None) -> list[str] | None:
    if position_id is None:
        return None
    try:
        position = get_position(app.reader(), actor=actor, position_id=position_id)
        return list(position.allowed_categories)
    except DomainError:
        return None  # a position of another organisation (an agency reading the case)


def case_page(
    request: Request,
    app: App,
    actor: Actor,
    case_id: str,
    *,
    status: int = 200,
    decision_error: str | None = None,
    decision_errors: dict[str, str] | None = None,
    assessment_errors: dict[str, str] | None = None,
    posted: dict[str, Any] | None = None,
) -> Response:
    """Render the case file for its employer: report, versions, decision, notices."""
    view = case_view(app.reader(), actor=actor, case_id=case_id)
    now = app.clock.now()
    waiting_ends_at = view.get("waiting_ends_at")
    waiting_over = waiting_ends_at is not None and as_utc(
        datetime.fromisoformat(waiting_ends_at)
    ) <= as_utc(now)
    open_disputes = [d for d in view.get("disputes", []) if d["status"] in OPEN]
    report = view.get("report")
    return render(
        request,
        "staff/case.html",
        status=status,
        actor=actor,
        case=view,
        report=report,
        versions=list_reports(app.reader(), actor=actor, case_id=case_id),
        notices=case_notices(app.reader(), actor=actor, case_id=case_id),
        allowed=_allowed_categories(app, actor, (view.get("position") or {}).get("id")),
        reasons=decision_reasons()["reasons"],
        may_decide=view["may_decide"]
        and actor.role in ("employer", "admin")
        and actor.org_id == view["employer_id"],
        waiting_ends_at=waiting_ends_at,
        waiting_over=waiting_over,
        open_disputes=open_disputes,
        assessment_fields=ASSESSMENT_FIELDS,
        decision_error=decision_error,
        decision_errors=decision_errors or {},
        assessment_errors=assessment_errors or {},
        posted=posted or {},
        opened=request.query_params.get("opened") == "1",
        assessed=request.query_params.get("assessed") == "1",
    )


@router.get("/app/cases/{case_id}", response_class=HTMLResponse)
def show_case(case_id: str, request: Request, app: AppDep) -> Response:
    """Show one case file as the signed-in user may see it."""
    actor = staff_actor(request, app)
    if actor is None:
        return to_login(request)
    return case_page(request, app, actor, case_id)


def _decision_refusal(exc: DomainError, lang: str) -> str:
    """Return the refusal's message; the waiting period's also says when it ends."""
    message = refusal_message(exc.code, lang)
    space = "" if lang.startswith("zh") else " "
    ends = exc.details.get("waiting_ends_at")
    if exc.code == "waiting_period" and isinstance(ends, str):
        message += space + gettext(
            "An adverse decision is possible from %(when)s.", lang, when=format_when(ends, lang)
        )
    if exc.code == "assessment_required":
        message += space + gettext("Record the individualized assessment below first.", lang)
    return message


@router.post("/app/cases/{case_id}/decision", response_class=HTMLResponse)
def record_decision(
    case_id: str,
    request: Request,
    app: AppDep,
    outcome: Annotated[str, Form(max_length=16)] = "",
    reasons: Annotated[list[str] | None, Form()] = None,
    employment_end: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Record the decision; a refusal (waiting period, open dispute, ...) is shown by the form."""
    require_csrf(request, csrf)
    actor = staff_actor(request, app)
    if actor is None:
        return to_login(request)
    lang = pick_lang(request)
    chosen = [r for r in dict.fromkeys(reasons or []) if r]
    posted = {"outcome": outcome, "reasons": chosen, "employment_end": employment_end, "note": note}
    try:
        end = date.fromisoformat(employment_end) if employment_end else None
    except ValueError:
        return case_page(
            request,
            app,
            actor,
            case_id,
            status=422,
            decision_errors={"employment_end": gettext("Give the date as on a calendar.", lang)},
            posted=posted,
        )
    try:
        do_record_decision(
            app.uow(),
            actor=actor,
            case_id=case_id,
            outcome=outcome,
            reasons=chosen,
            employment_end=end,
            note=note.strip() or None,
        )
    except DomainError as exc:
        errors = field_errors(exc, lang, "decision")
        refusal = errors.pop("decision", None)
        if refusal is not None:
            refusal = _decision_refusal(exc, lang)
        return case_page(
            request,
            app,
            actor,
            case_id,
            status=status_of(exc),
            decision_error=refusal,
            decision_errors=errors,
            posted=posted,
        )
    return back(f"/app/cases/{case_id}#decision")


@router.post("/app/cases/{case_id}/assessment", response_class=HTMLResponse)
def record_assessment(
    case_id: str,
    request: Request,
    app: AppDep,
    finding_ids: Annotated[list[str] | None, Form()] = None,
    nature_gravity: Annotated[str, Form(max_length=8000)] = "",
    time_elapsed: Annotated[str, Form(max_length=8000)] = "",
    relation_to_duties: Annotated[str, Form(max_length=8000)] = "",
    candidate_account: Annotated[str, Form(max_length=8000)] = "",
    conclusion: Annotated[str, Form(max_length=8000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Record the individualized assessment a reject on a record needs."""
    require_csrf(request, csrf)
    actor = staff_actor(request, app)
    if actor is None:
        return to_login(request)
    texts = {
        "nature_gravity": nature_gravity,
        "time_elapsed": time_elapsed,
        "relation_to_duties": relation_to_duties,
        "candidate_account": candidate_account,
        "conclusion": conclusion,
    }
    chosen = [f for f in dict.fromkeys(finding_ids or []) if f]
    try:
        do_record_assessment(
            app.uow(), actor=actor, case_id=case_id, finding_ids=chosen, texts=texts
        )
    except DomainError as exc:
        lang = pick_lang(request)
        field = exc.details.get("field")
        key = field if isinstance(field, str) else "assessment"
        if isinstance(exc, ValidationFailed) and key in ASSESSMENT_FIELDS:
            message = gettext("Fill in every part of the assessment.", lang)
        else:
            message = refusal_message(exc.code, lang)
            key = "assessment"
        return case_page(
            request,
            app,
            actor,
            case_id,
            status=status_of(exc),
            assessment_errors={key: message},
            posted={"assessment": texts, "finding_ids": chosen},
        )
    return back(f"/app/cases/{case_id}?assessed=1#decision")
