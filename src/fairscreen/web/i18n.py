"""Language choice: a `lang` cookie, else the browser's Accept-Language, else zh-Hans."""

from __future__ import annotations

from fastapi import Request

from fairscreen.shared.languages import ACCEPT_PREFIXES, DEFAULT_LANGUAGE, HTML_LANG, LANGUAGES

__all__ = ["HTML_LANG", "LANGS", "pick_lang"]

LANGS = LANGUAGES


def pick_lang(request: Request) -> str:
    """Return the language for this request."""
    chosen = request.query_params.get("lang") or request.cookies.get("lang")
    if chosen in LANGUAGES:
        return chosen
    header = request.headers.get("accept-language", "")
    ranked: list[tuple[float, str]] = []
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        ranked.append((q, tag.strip().lower()))
    for _q, tag in sorted(ranked, key=lambda r: -r[0]):
        for prefix, lang in ACCEPT_PREFIXES:
            if tag.startswith(prefix):
                return lang
    return DEFAULT_LANGUAGE
