"""Request dependencies: the app container and the authenticated actor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from fairscreen.bootstrap import App
from fairscreen.cases.actions import CANDIDATE_TOKEN_PREFIX, authenticate_candidate
from fairscreen.db.uow import UnitOfWork
from fairscreen.identity.actions import (
    Client,
    authenticate_api_key,
    authenticate_session,
    recall_api_key,
)
from fairscreen.identity.policy import Actor
from fairscreen.shared.errors import Forbidden, Unauthenticated
from fairscreen.web.ratelimit import FailureLimiter

SESSION_COOKIE = "fs_session"
CANDIDATE_COOKIE = "fs_candidate"
# Methods that change nothing: the API lets a browser's cookie authenticate these only.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
COOKIE_REFUSED = (
    "The API takes changes only with an `Authorization: Bearer` header; a browser's "
    "cookie alone does not authorise them, so another site cannot act in your name."
)


async def get_app(request: Request) -> App:
    """Return the app container."""
    app: App = request.app.state.fairscreen
    return app


AppDep = Annotated[App, Depends(get_app)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def client_address(request: Request) -> str:
    """Return the client's address (uvicorn's --proxy-headers sets it behind a proxy)."""
    return request.client.host if request.client else "unknown"


def request_client(request: Request) -> Client:
    """Return the client's address and browser, as sign-in and consent record them."""
    return Client(
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent", "")[:500] or None,
    )


def limiter(request: Request) -> FailureLimiter:
    """Return the app's limiter of failed attempts."""
    found: FailureLimiter = request.app.state.limiter
    return found


def present_secret(
    request: Request, app: App, check: Callable[[UnitOfWork, str], Actor], secret: str
) -> Actor:
    """Authenticate a presented secret; a valid one always passes, failures are counted.

    Failures count per client address and per presented id; past the limit a failure is
    answered 429 instead of 401 (see `ratelimit`).
    """
    try:
        return check(app.reader(), secret)
    except Unauthenticated:
        limiter(request).secret_failed(client_address(request), secret)
        raise


def _cookie_actor(
    request: Request, app: App, name: str, check: Callable[[UnitOfWork, str], Actor]
) -> Actor | None:
    """Authenticate a cookie; one that no longer opens anything is dropped, not counted."""
    value = request.cookies.get(name)
    if not value:
        return None
    try:
        return check(app.reader(), value)
    except Unauthenticated:
        stale: list[str] = getattr(request.state, "stale_cookies", [])
        request.state.stale_cookies = [*stale, name]
        return None


async def request_actor(request: Request, app: AppDep) -> Actor | None:
    """The dependency behind `optional_actor`: a key accepted moments ago needs no thread."""
    token = _bearer(request)
    if token is not None and not token.startswith(CANDIDATE_TOKEN_PREFIX):
        recalled = recall_api_key(app.recent_keys, token)
        if recalled is not None:
            return recalled
    return await run_in_threadpool(optional_actor, request, app)


def cookies_authenticate(request: Request) -> bool:
    """Tell whether the request's cookies may authenticate it.

    The pages' forms carry a CSRF token and live outside `/api/`; the API has none, so a
    cookie authenticates its reads only. Otherwise a same-site page could post bodyless
    requests that the browser sends with the cookie (the candidate's erasure, a hold's
    release). The pages never call the API to change anything, so nothing is lost.
    """
    return request.method in SAFE_METHODS or not request.url.path.startswith("/api/")


def optional_actor(request: Request, app: App) -> Actor | None:
    """Return whoever the request authenticates as, or None for anonymous."""
    token = _bearer(request)
    if token is not None:
        if token.startswith(CANDIDATE_TOKEN_PREFIX):
            return present_secret(request, app, authenticate_candidate, token)
        return present_secret(request, app, _api_key_checker(app), token)
    if not cookies_authenticate(request):
        if any(request.cookies.get(name) for name in (SESSION_COOKIE, CANDIDATE_COOKIE)):
            request.state.cookie_refused = True
        return None
    # A stale cookie makes the visitor anonymous, not an error, and is cleared
    # (`middleware.StaleCookieMiddleware`); it does not hide the other cookie.
    return _cookie_actor(request, app, SESSION_COOKIE, authenticate_session) or _cookie_actor(
        request, app, CANDIDATE_COOKIE, authenticate_candidate
    )


def _api_key_checker(app: App) -> Callable[[UnitOfWork, str], Actor]:
    def check(uow: UnitOfWork, presented: str) -> Actor:
        return authenticate_api_key(uow, presented, writer=app.uow())

    return check


async def current_actor(
    request: Request, actor: Annotated[Actor | None, Depends(request_actor)]
) -> Actor:
    """Require an authenticated actor (403 for a change that only a cookie vouches for)."""
    if actor is None:
        if getattr(request.state, "cookie_refused", False):
            raise Forbidden(COOKIE_REFUSED)
        raise Unauthenticated()
    return actor


async def staff_actor(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
    """Require a staff actor."""
    if actor.kind != "staff":
        raise Forbidden("This is for staff of the organisations involved.")
    return actor


async def candidate_actor(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
    """Require a candidate actor (the token from the invitation)."""
    if actor.kind != "candidate":
        raise Forbidden("This is for the candidate, through the invitation link.")
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]
StaffDep = Annotated[Actor, Depends(staff_actor)]
CandidateDep = Annotated[Actor, Depends(candidate_actor)]
