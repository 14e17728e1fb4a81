"""The public page of the rating rules."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from fairscreen.rating.policy import load_rules
from fairscreen.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/rating-rules", response_class=HTMLResponse)
def rating_rules_page(request: Request) -> Response:
    """Show the rating rules in force in the request's language."""
    return render(request, "rating_rules.html", rules=load_rules().published())
