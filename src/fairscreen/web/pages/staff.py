"""The staff home after sign-in: the cases the user may see."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fairscreen.cases.queries import list_cases
from fairscreen.web.deps import AppDep, optional_actor
from fairscreen.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/app", response_class=HTMLResponse)
def staff_home(request: Request, app: AppDep) -> Response:
    actor = optional_actor(request, app)
    if actor is None or actor.kind != "staff":
        return RedirectResponse("/login", status_code=303)
    status = request.query_params.get("status") or None
    page = (
        list_cases(app.reader(), actor=actor, status=status, limit=100)
        if actor.role != "regulator"
        else None
    )
    return render(request, "app.html", actor=actor, page=page, filter_status=status)
