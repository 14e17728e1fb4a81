"""Public pages: home and sign-in (the candidate's pages are in `pages.candidate`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fairscreen.cases.actions import do_renew_candidate_link
from fairscreen.identity.actions import do_sign_in, do_sign_out
from fairscreen.shared.errors import Unauthenticated
from fairscreen.web.deps import (
    SESSION_COOKIE,
    AppDep,
    client_address,
    limiter,
    optional_actor,
    request_client,
)
from fairscreen.web.i18n import pick_lang
from fairscreen.web.l10n import translator
from fairscreen.web.rendering import check_csrf, render

router = APIRouter(include_in_schema=False)

BAD_LOGIN = "The e-mail or password is not right."


@router.get("/", response_class=HTMLResponse)
def home(request: Request, app: AppDep) -> Response:
    actor = optional_actor(request, app)
    return render(
        request,
        "index.html",
        actor=actor if actor and actor.kind == "staff" else None,
        actor_name=actor.id if actor else "",
    )


# Before the candidate router's /c/{token}: this path is not a token.
@router.get("/c/renew", response_class=HTMLResponse)
def renew_form(request: Request) -> Response:
    """Ask for a fresh candidate link by e-mail."""
    return render(request, "candidate/renew.html", sent=False)


@router.post("/c/renew", response_class=HTMLResponse)
def renew(
    request: Request,
    app: AppDep,
    email: Annotated[str, Form(max_length=254)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Mail a fresh link to an open case at this address; the same answer either way."""
    check_csrf(request, csrf)
    do_renew_candidate_link(app.uow(), email=email)
    response = render(request, "candidate/renew.html", sent=True)
    response.headers["cache-control"] = "no-store"
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return render(request, "login.html")


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    app: AppDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    doors, address, account = limiter(request), client_address(request), email.strip().lower()
    doors.check_sign_in(address, account)
    try:
        signed = do_sign_in(
            app.uow(),
            email=email,
            password=password,
            replacing=request.cookies.get(SESSION_COOKIE),
            client=request_client(request),
        )
    except Unauthenticated:
        doors.sign_in_failed(address, account)
        error = translator(pick_lang(request))(BAD_LOGIN)
        return render(request, "login.html", status=401, email=email, error=error)
    doors.signed_in(address, account)
    response = RedirectResponse("/app", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signed.cookie,
        httponly=True,
        samesite="lax",
        secure=app.settings.secure_cookies,
        max_age=12 * 3600,
    )
    return response


@router.post("/logout")
def logout(request: Request, app: AppDep, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        do_sign_out(app.uow(), cookie=cookie)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
