"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

import fairscreen
from fairscreen.bootstrap import App
from fairscreen.db.fastread import FastReads
from fairscreen.web import errors
from fairscreen.web.api import audit as audit_api
from fairscreen.web.api import candidate, cases, meta
from fairscreen.web.api import consent as consent_api
from fairscreen.web.api import evidence as evidence_api
from fairscreen.web.api import feedback as feedback_api
from fairscreen.web.api import findings as findings_api
from fairscreen.web.api import ledger as ledger_api
from fairscreen.web.api import matching as matching_api
from fairscreen.web.api import organizations as organizations_api
from fairscreen.web.api import privacy as privacy_api
from fairscreen.web.api import ratings as ratings_api
from fairscreen.web.api import regulator as regulator_api
from fairscreen.web.api import retention as retention_api
from fairscreen.web.api import statements as statements_api
from fairscreen.web.api import webhooks as webhooks_api
from fairscreen.web.middleware import (
    AccessLogMiddleware,
    BodyDeadlineMiddleware,
    BodyLimitMiddleware,
    SecurityHeadersMiddleware,
    StaleCookieMiddleware,
)
from fairscreen.web.pages import admin as admin_pages
from fairscreen.web.pages import candidate as candidate_pages
from fairscreen.web.pages import employer as employer_pages
from fairscreen.web.pages import investigator as investigator_pages
from fairscreen.web.pages import public, staff
from fairscreen.web.pages import rating as rating_pages
from fairscreen.web.pages import regulator as regulator_pages
from fairscreen.web.ratelimit import FailureLimiter
from fairscreen.web.rendering import render_error

API_ROUTERS = [meta.router, cases.router, candidate.router]
API_ROUTERS.append(consent_api.router)
API_ROUTERS.append(ledger_api.router)
PAGE_ROUTERS = [public.router, staff.router]
API_ROUTERS.extend([findings_api.router, ratings_api.router])
API_ROUTERS.append(retention_api.router)
API_ROUTERS.append(webhooks_api.router)
API_ROUTERS.append(privacy_api.router)
API_ROUTERS.append(audit_api.router)
API_ROUTERS.append(statements_api.router)
API_ROUTERS.append(matching_api.router)
API_ROUTERS.append(feedback_api.router)
API_ROUTERS.append(evidence_api.router)
API_ROUTERS.append(organizations_api.router)
PAGE_ROUTERS.append(rating_pages.router)
PAGE_ROUTERS.append(candidate_pages.router)
API_ROUTERS.append(regulator_api.router)
PAGE_ROUTERS.append(regulator_pages.router)
PAGE_ROUTERS.append(employer_pages.router)
PAGE_ROUTERS.append(investigator_pages.router)
PAGE_ROUTERS.append(admin_pages.router)


# The API explorer: Swagger UI from the package's static/vendor/swagger-ui (a pinned copy,
# see its README.txt) and a script file that starts it, so the page runs under the same
# CSP as every other page: nothing is loaded from another host.
API_DOCS_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>fairscreen API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


def api_docs() -> HTMLResponse:
    """The API explorer page."""
    return HTMLResponse(API_DOCS_HTML)


def create_app(app: App | None = None) -> FastAPI:
    """Build the web app around an app container (a new one from the settings if none)."""
    container = app or App()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # The event loop's own connections for the cached case-file read (db/fastread.py).
        if container.engine.dialect.name == "postgresql":
            container.fast_reads = FastReads(container.engine.url)
        try:
            yield
        finally:
            reads, container.fast_reads = container.fast_reads, None
            if reads is not None:
                await reads.close()

    web = FastAPI(
        lifespan=lifespan,
        title="fairscreen API",
        version=fairscreen.__version__,
        description="Lawful pre-employment background checks. Staff authenticate with "
        "`Authorization: Bearer <api_key>`, candidates with the token of their invitation. "
        'Errors are `{"error": {"code", "message"}}`.',
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served below from the package, not from a CDN
        redoc_url=None,
    )
    web.state.fairscreen = container
    web.state.render_error = render_error
    settings = container.settings
    web.state.limiter = FailureLimiter(
        sign_in=settings.rate_limit_sign_in,
        secret=settings.rate_limit_secrets,
        sign_in_free=settings.rate_limit_sign_in_free_failures,
        sign_in_max_delay=settings.rate_limit_sign_in_max_delay,
        now=lambda: container.clock.now().timestamp(),
    )
    api = APIRouter(prefix="/api/v1")
    for router in API_ROUTERS:
        api.include_router(router)
    web.include_router(api)
    web.add_api_route("/api/v1/docs", api_docs, methods=["GET"], include_in_schema=False)
    for router in PAGE_ROUTERS:
        web.include_router(router)
    web.mount(
        "/static",
        StaticFiles(directory=str(files("fairscreen.web").joinpath("static"))),
        name="static",
    )
    errors.install(web)
    web.add_middleware(BodyLimitMiddleware, overrides={"/evidence": 10 * 1024 * 1024 + 64 * 1024})
    web.add_middleware(BodyDeadlineMiddleware, seconds=settings.request_body_timeout)
    web.add_middleware(StaleCookieMiddleware, secure=settings.secure_cookies)
    web.add_middleware(SecurityHeadersMiddleware, hsts=settings.base_url.startswith("https://"))
    web.add_middleware(AccessLogMiddleware)
    return web
