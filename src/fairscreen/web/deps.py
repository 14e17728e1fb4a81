"""Request dependencies: the app container and the authenticated actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from fairscreen.bootstrap import App
from fairscreen.cases.actions import CANDIDATE_TOKEN_PREFIX, authenticate_candidate
from fairscreen.identity.actions import authenticate_api_key, authenticate_session
from fairscreen.identity.policy import Actor
from fairscreen.shared.errors import Forbidden, Unauthenticated

SESSION_COOKIE = "fs_session"
CANDIDATE_COOKIE = "fs_candidate"


def get_app(request: Request) -> App:
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


def optional_actor(request: Request, app: AppDep) -> Actor | None:
    """Return whoever the request authenticates as, or None for anonymous."""
    token = _bearer(request)
    if token is not None:
        if token.startswith(CANDIDATE_TOKEN_PREFIX):
            return authenticate_candidate(app.reader(), token)
        return authenticate_api_key(app.reader(), token)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        try:
            return authenticate_session(app.reader(), cookie)
        except Unauthenticated:
            return None
    candidate = request.cookies.get(CANDIDATE_COOKIE)
    if candidate:
        try:
            return authenticate_candidate(app.reader(), candidate)
        except Unauthenticated:
            return None
    return None


def current_actor(actor: Annotated[Actor | None, Depends(optional_actor)]) -> Actor:
    """Require an authenticated actor."""
    if actor is None:
        raise Unauthenticated()
    return actor


def staff_actor(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
    """Require a staff actor."""
    if actor.kind != "staff":
        raise Forbidden("This is for staff of the organisations involved.")
    return actor


def candidate_actor(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
    """Require a candidate actor (the token from the invitation)."""
    if actor.kind != "candidate":
        raise Forbidden("This is for the candidate, through the invitation link.")
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]
StaffDep = Annotated[Actor, Depends(staff_actor)]
CandidateDep = Annotated[Actor, Depends(candidate_actor)]
