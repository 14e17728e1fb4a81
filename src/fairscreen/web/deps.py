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
from fairscreen.web.ratelimit import Door, FailureLimiter

SESSION_COOKIE = "fs_session"
CANDIDATE_COOKIE = "fs_candidate"


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
    """Authenticate a presented secret; failures count per client address (429 past the limit)."""
    doors, address = limiter(request), client_address(request)
    doors.check(Door.SECRET, address)
    try:
        return check(app.reader(), secret)
    except Unauthenticated:
        doors.failed(Door.SECRET, address)
        raise


async def request_actor(request: Request, app: AppDep) -> Actor | None:
    """The dependency behind `optional_actor`: a key accepted moments ago needs no thread."""
    token = _bearer(request)
    if token is not None and not token.startswith(CANDIDATE_TOKEN_PREFIX):
        recalled = recall_api_key(app.recent_keys, token)
        if recalled is not None:
            limiter(request).check(Door.SECRET, client_address(request))
            return recalled
    return await run_in_threadpool(optional_actor, request, app)


def optional_actor(request: Request, app: App) -> Actor | None:
    """Return whoever the request authenticates as, or None for anonymous."""
    token = _bearer(request)
    if token is not None:
        if token.startswith(CANDIDATE_TOKEN_PREFIX):
            return present_secret(request, app, authenticate_candidate, token)
        return present_secret(request, app, _api_key_checker(app), token)
    for cookie, check in (
        (SESSION_COOKIE, authenticate_session),
        (CANDIDATE_COOKIE, authenticate_candidate),
    ):
        value = request.cookies.get(cookie)
        if value:
            try:
                return present_secret(request, app, check, value)
            except Unauthenticated:
                return None  # a stale cookie makes the visitor anonymous, not an error
    return None


def _api_key_checker(app: App) -> Callable[[UnitOfWork, str], Actor]:
    def check(uow: UnitOfWork, presented: str) -> Actor:
        return authenticate_api_key(uow, presented, writer=app.uow())

    return check


async def current_actor(actor: Annotated[Actor | None, Depends(request_actor)]) -> Actor:
    """Require an authenticated actor."""
    if actor is None:
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
