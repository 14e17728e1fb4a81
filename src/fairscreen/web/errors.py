"""The one map from domain error codes to HTTP, and the handlers that keep every error
in the contract's shape `{"error": {"code", "message"}}` with no stack trace."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from fairscreen.shared.errors import DomainError
from fairscreen.web.middleware import route_template

STATUS_BY_CODE: dict[str, int] = {
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "consent_required": 409,
    "consent_withdrawn": 409,
    "invalid_state": 409,
    "waiting_period": 409,
    "dispute_open": 409,
    "legal_hold": 409,
    "assessment_required": 409,
    "reverification_required": 409,
    "conflict": 409,
    "validation_error": 422,
    "out_of_scope": 422,
    "forbidden_category": 422,
    "forbidden_content": 422,
    "prohibited_reason": 422,
    "reason_unsupported": 422,
    "separate_consent_required": 422,
    "identity_not_matched": 422,
    "payload_too_large": 413,
    "rate_limited": 429,
    "internal_error": 500,
    "unavailable": 503,
}

log = logging.getLogger("fairscreen.web")


def status_for(exc: DomainError) -> int:
    """Return the HTTP status of a refusal: the one map, for the API and the pages alike."""
    return STATUS_BY_CODE.get(exc.code, 400)


def error_body(code: str, message: str, /, **extra: Any) -> dict[str, Any]:
    """Return the contract's error shape."""
    error: dict[str, Any] = {"code": code, "message": message}
    # A detail never overrides the stable code or the message.
    error.update({k: v for k, v in extra.items() if v is not None and k not in error})
    return {"error": error}


def wants_html(request: Request) -> bool:
    """Tell whether to answer with a page rather than JSON."""
    if request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "")


def _respond(request: Request, status: int, code: str, message: str, /, **extra: Any) -> Response:
    headers = None
    if status == 503:
        headers = {"Retry-After": "5"}
    elif status == 429:
        headers = {"Retry-After": str(extra.get("retry_after") or 60)}
    if wants_html(request):
        renderer = getattr(request.app.state, "render_error", None)
        page: Response = (
            renderer(request, status, code, message)
            if renderer is not None
            else HTMLResponse(f"<h1>{status}</h1><p>{message}</p>", status_code=status)
        )
        page.headers.update(headers or {})
        return page
    return JSONResponse(error_body(code, message, **extra), status_code=status, headers=headers)


def _describe_validation(exc: RequestValidationError) -> tuple[str, str | None]:
    errors = exc.errors()
    if not errors:
        return "The request is not valid.", None
    first = errors[0]
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")]
    where = ".".join(loc) or None
    kind = first.get("type", "")
    if kind == "json_invalid":
        return "The body is not valid JSON (or not UTF-8).", None
    if kind == "missing":
        return f"'{where}' is required.", where
    if kind == "extra_forbidden":
        return f"'{where}' is not a field this request accepts.", where
    if kind in ("string_too_short",):
        return f"'{where}' must not be empty.", where
    if kind in ("string_too_long",):
        limit = first.get("ctx", {}).get("max_length")
        return f"'{where}' is too long (at most {limit} characters).", where
    msg = str(first.get("msg", "is not valid"))
    return (f"'{where}': {msg}." if where else f"{msg}."), where


def install(app: FastAPI) -> None:
    """Register the exception handlers."""

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        status = status_for(exc)
        extra = {k: v for k, v in exc.details.items() if isinstance(v, (str, int, list))}
        return _respond(request, status, exc.code, exc.message, **extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        message, where = _describe_validation(exc)
        return _respond(request, 422, "validation_error", message, field=where)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return _respond(request, 404, "not_found", "There is no such page or resource.")
        if exc.status_code == 400:
            # FastAPI's own "error parsing the body" (e.g. bytes that are not UTF-8).
            return _respond(
                request, 422, "validation_error", "The body could not be read: send UTF-8 JSON."
            )
        if exc.status_code == 405:
            return _respond(request, 405, "method_not_allowed", "This method is not allowed here.")
        code = {
            401: "unauthenticated",
            403: "forbidden",
            413: "payload_too_large",
            429: "rate_limited",
        }.get(exc.status_code, "error")
        return _respond(request, exc.status_code, code, str(exc.detail))

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError) -> Response:  # noqa: ARG001
        return _respond(
            request,
            409,
            "conflict",
            "Someone else changed this at the same moment; reload and try again.",
        )

    @app.exception_handler(OperationalError)
    async def _db_down(request: Request, exc: OperationalError) -> Response:
        log.warning("database unavailable: %s", type(exc.orig).__name__)
        return _respond(
            request,
            503,
            "unavailable",
            "The service cannot reach its database right now; retry shortly.",
        )

    @app.exception_handler(DataError)
    async def _bad_value(request: Request, exc: DataError) -> Response:
        # The database refused a value it cannot hold or compare (a NUL character in text,
        # a number out of range): the request's fault, and nothing was written.
        log.info("database refused a value: %s", type(exc.orig).__name__)
        return _respond(
            request,
            422,
            "validation_error",
            "A value in the request cannot be stored (a NUL character, or a number out of range).",
        )

    @app.exception_handler(DBAPIError)
    async def _db_error(request: Request, exc: DBAPIError) -> Response:
        if exc.connection_invalidated:
            return _respond(
                request,
                503,
                "unavailable",
                "The service cannot reach its database right now; retry shortly.",
            )
        log.error("database error %s", type(exc.orig).__name__)
        return _respond(
            request,
            500,
            "internal_error",
            "Something went wrong on our side; nothing was saved. Try again.",
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # The frames, not the message: messages carry values (SQL parameters, names), and
        # the path as sent may carry a candidate token; the route's template does not.
        log.error(
            "unexpected error %s on %s %s\n%s",
            type(exc).__name__,
            request.method,
            route_template(request.scope),
            "".join(traceback.format_tb(exc.__traceback__)).rstrip(),
        )
        return _respond(
            request,
            500,
            "internal_error",
            "Something went wrong on our side; nothing was saved. Try again.",
        )
