"""The pages' catalogues and dates: they are fairscreen.shared.catalogues, shared with mail."""

from __future__ import annotations

from fairscreen.shared.catalogues import (
    BABEL_LOCALE,
    CATALOG_DIR,
    DISPLAY_TZ,
    Translator,
    catalog,
    format_when,
    gettext,
    translator,
)

__all__ = [
    "BABEL_LOCALE",
    "CATALOG_DIR",
    "DISPLAY_TZ",
    "Translator",
    "catalog",
    "format_when",
    "gettext",
    "translator",
]
