"""ASGI middleware: body size limit and deadline, security headers, stale cookies, access log."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 1024 * 1024  # 1 MiB for JSON and forms; evidence uploads have their own limit


class _TooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Refuse bodies over the limit with 413, by header or while streaming."""

    def __init__(
        self, app: ASGIApp, max_body: int = MAX_BODY, overrides: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.overrides = overrides or {}

    def _limit(self, path: str) -> int:
        for suffix, limit in self.overrides.items():
            if path.endswith(suffix):
                return limit
        return self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope.get("path", ""))
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > limit
                except ValueError:
                    too_big = False
                if too_big:
                    await _send_413(scope, send, limit)
                    return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _send_413(scope, send, limit)


async def _send_413(scope: Scope, send: Send, limit: int) -> None:  # noqa: ARG001
    body = json.dumps(
        {
            "error": {
                "code": "payload_too_large",
                "message": f"The request body is larger than {limit} bytes.",
            }
        }
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


class _TooSlow(Exception):
    pass


class BodyDeadlineMiddleware:
    """Answer 408 when a request's body has not all arrived within `seconds`.

    The clock starts when the app first asks for the body; a client that sends its headers
    and then drips the body (slowloris) gets `request_timeout` and a closed connection, and
    the worker is free again. A request without a body, and the wait for a disconnect once
    the body is in, are not bounded.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline: float | None = None
        body_done = False
        timed_out = False
        started = False

        async def bounded_receive() -> Message:
            nonlocal deadline, body_done, timed_out
            if body_done:
                return await receive()
            if deadline is None:
                deadline = loop.time() + self.seconds
            try:
                message = await asyncio.wait_for(receive(), max(deadline - loop.time(), 0))
            except TimeoutError:
                timed_out = True
                raise _TooSlow() from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        async def answering_send(message: Message) -> None:
            nonlocal started
            if timed_out:
                # Whatever the app made of the cut-off body (FastAPI turns a failed read into
                # a 400), the client is told it was too slow, once.
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await _send_408(send, self.seconds)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, bounded_receive, answering_send)
        except _TooSlow:
            if not started:
                await _send_408(send, self.seconds)


async def _send_408(send: Send, seconds: float) -> None:
    body = json.dumps(
        {
            "error": {
                "code": "request_timeout",
                "message": f"The request body did not arrive within {seconds:g} s.",
            }
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 408,
            # The rest of the body may still be on its way: the connection cannot be reused.
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


# Behind https only: a year, the value browsers' preload lists ask for. Never on http
# (a localhost run would teach the browser to refuse plain http to 127.0.0.1).
HSTS = (b"strict-transport-security", b"max-age=31536000")


class SecurityHeadersMiddleware:
    """Add the security headers to every response (and HSTS when served over https)."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.headers = [*SECURITY_HEADERS, HSTS] if hsts else SECURITY_HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                present = {h[0].lower() for h in headers}
                path = scope.get("path", "")
                for name, value in self.headers:
                    if name not in present:
                        headers.append((name, value))
                if path.startswith(("/api/", "/c/")) and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class StaleCookieMiddleware:
    """Tell the browser to drop a sign-in cookie that no longer opens anything.

    `deps` notes such cookies in `request.state.stale_cookies` (a signed-out or expired
    session, the link of a closed case); the response, unless it sets the cookie anew,
    deletes them, so the browser stops presenting them on every page.
    """

    def __init__(self, app: ASGIApp, secure: bool = False) -> None:
        self.app = app
        self.attributes = "; Max-Age=0; Path=/; HttpOnly; SameSite=lax" + (
            "; Secure" if secure else ""
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def send_clearing(message: Message) -> None:
            stale = state.get("stale_cookies") if message["type"] == "http.response.start" else None
            if stale:
                headers: list[Any] = list(message.get("headers", []))
                set_anew = {
                    bytes(v).split(b"=", 1)[0].strip()
                    for k, v in headers
                    if bytes(k).lower() == b"set-cookie"
                }
                for name in dict.fromkeys(stale):
                    if name.encode() not in set_anew:
                        cookie = f'{name}=""{self.attributes}'
                        headers.append((b"set-cookie", cookie.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_clearing)


access_log = logging.getLogger("fairscreen.access")


def route_template(scope: Scope) -> str:
    """Return the path with each path parameter put back as `{name}` (no query string)."""
    path = str(scope.get("path", ""))
    if "route" not in scope:
        return "/static/…" if path.startswith("/static/") else "-"
    by_value = {str(v): k for k, v in scope.get("path_params", {}).items()}
    return "/".join(f"{{{by_value[p]}}}" if p in by_value else p for p in path.split("/"))


class AccessLogMiddleware:
    """Log one line per request that names the route, never the path as sent.

    uvicorn's own access log writes the path as sent, and paths carry secrets and personal
    data (the invitation link `/c/<candidate token>`, search terms in query strings), so
    `serve` turns it off and this line takes its place: the method, the route's template
    (`/c/{token}`, `/api/v1/cases/{case_id}`), the status and the time taken.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            template = route_template(scope)
            access_log.info(
                "%s %s %d %.1fms",
                scope.get("method", "-"),
                template,
                status,
                (time.perf_counter() - started) * 1000,
            )
