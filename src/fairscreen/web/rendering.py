"""Server-side rendering: Jinja2 templates with the language, actor and CSRF token."""

from __future__ import annotations

import hmac
import secrets
from functools import cache
from importlib.resources import files
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from fairscreen.shared.errors import Forbidden
from fairscreen.shared.languages import HTML_LANG, data_language
from fairscreen.web import labels
from fairscreen.web.i18n import pick_lang
from fairscreen.web.l10n import format_when, translator

CSRF_COOKIE = "fs_csrf"


@cache
def environment() -> Environment:
    """Return the Jinja2 environment (built once, on first use)."""
    folder = str(files("fairscreen.web").joinpath("templates"))
    return Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def csrf_token(request: Request) -> str:
    """Return this browser's CSRF token (double-submit: cookie and form field must match)."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_new", None)
    if not token:
        token = secrets.token_urlsafe(24)
        request.state.csrf_new = token
    return str(token)


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a form post whose token does not match the cookie."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted or not hmac.compare_digest(cookie, submitted):
        raise Forbidden("The form expired or came from another site; reload and try again.")


def label(table: str, code: str, lang: str) -> str:
    """Return the translated label of a domain code (`table` names a dict of web/labels.py)."""
    names: dict[str, str] = getattr(labels, table)
    return translator(lang)(names[code]) if code in names else code


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a page in the request's language."""
    lang = pick_lang(request)
    csrf = csrf_token(request)
    html = (
        environment()
        .get_template(template)
        .render(
            lang=lang,
            data_lang=data_language(lang),
            html_lang=HTML_LANG[lang],
            _=translator(lang),
            when=lambda value, with_time=True: format_when(value, lang, with_time=with_time),
            label=lambda table, code: label(table, code, lang),
            csrf=csrf,
            actor=context.pop("actor", None),
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status)
    secure = request.app.state.fairscreen.settings.secure_cookies
    if getattr(request.state, "csrf_new", None):
        response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=secure)
    chosen = request.query_params.get("lang")
    if chosen in HTML_LANG:
        response.set_cookie("lang", chosen, max_age=365 * 86400, samesite="lax", secure=secure)
    return response


# The heading of an error page by status; any other status is "Something went wrong".
ERROR_HEADINGS = {
    401: "Sign-in needed",
    403: "Not allowed",
    404: "Page not found",
}


def render_error(
    request: Request,
    status: int,
    code: str,
    message: str,  # noqa: ARG001 - the refusal's English text, for the API only
) -> HTMLResponse:
    """Render a readable error page in the reader's language.

    The heading and the text come from the catalogue (the refusal's text by its code, as
    forms show it), never the English message of the refusal or its raw code; the code
    stays in the page for support only as `data-code`.
    """
    from fairscreen.web.forms import refusal_message  # forms imports this module

    lang = pick_lang(request)
    _ = translator(lang)
    heading = _(ERROR_HEADINGS.get(status, "Something went wrong"))
    if status == 404:
        text = _("The page does not exist, or it is not yours to see.")
    elif status == 401:
        text = _("Sign in again, or open the link from your invitation again.")
    elif status >= 500:
        text = refusal_message("unavailable" if status == 503 else "internal_error", lang)
    else:
        text = refusal_message(code, lang)
    return render(
        request,
        "error.html",
        status=status,
        status_code=status,
        heading=heading,
        message=text,
        code=code,
    )
