"""The gettext catalogues: every text a person reads (pages and mail), in three languages.

The English text is the message id; a catalogue without a translation falls back to it.
The `.po` files live under `fairscreen/web/locales/<lang>/LC_MESSAGES/` (one per area of
the app) and are read as they are at start with Babel: no compiled `.mo` is needed. They
are kept by `make messages` (`babel.cfg`, scripts/messages.py); tests/unit/web/
test_catalogs.py fails when a text used in code, a page or a mail has no translation.

This module sits below the edges so that mail (rendered for the domain) and pages read
the same catalogues; it imports neither the web layer nor any framework.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from typing import Any

from babel.dates import format_date, format_datetime, get_timezone
from babel.messages.pofile import read_po

from fairscreen.shared.languages import BABEL_LOCALE as BABEL_LOCALE
from fairscreen.shared.languages import CATALOG_DIR as CATALOG_DIR
from fairscreen.shared.languages import DEFAULT_LANGUAGE, LANGUAGES

# The names the mail and the pages use for the one list (shared/languages.py).
LANGS = LANGUAGES
DEFAULT_LANG = DEFAULT_LANGUAGE


# Candidates read times in the pack's time zone (the cn pack: Beijing time).
DISPLAY_TZ = "Asia/Shanghai"

Translator = Callable[..., str]


def catalog_folder(lang: str) -> Any:
    """Return the folder of a language's `.po` files (an importlib.resources Traversable)."""
    return files("fairscreen").joinpath("web", "locales", CATALOG_DIR[lang], "LC_MESSAGES")


@cache
def catalog(lang: str) -> dict[str, str]:
    """Return the translated messages of a language (msgid -> msgstr, translated ones only).

    A language's folder holds one `.po` file per area of the app (`messages.po` for the
    shared texts, `staff.po`, `admin.po`, `mail.po`, ...); they are read in name order and
    merged, and the same message id in two files is refused so one text cannot silently win.
    """
    out: dict[str, str] = {}
    origin: dict[str, str] = {}
    for path in sorted(catalog_folder(lang).iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".po"):
            continue
        with path.open("rb") as fp:
            parsed = read_po(fp, locale=BABEL_LOCALE[lang])
        for message in parsed:
            if not (message.id and isinstance(message.id, str)):
                continue
            if message.id in origin:
                raise ValueError(
                    f"{message.id!r} is in both {origin[message.id]} and {path.name} ({lang})"
                )
            origin[message.id] = path.name
            if isinstance(message.string, str) and message.string and not message.fuzzy:
                out[message.id] = message.string
    return out


def gettext(message: str, lang: str, /, **values: Any) -> str:
    """Translate a message and fill its `%(name)s` placeholders."""
    text = catalog(lang if lang in LANGS else "en").get(message, message)
    return text % values if values else text


def translator(lang: str) -> Translator:
    """Return `_` bound to a language, for templates and handlers."""

    def _(message: str, /, **values: Any) -> str:
        return gettext(message, lang, **values)

    return _


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a text for the catalogues (`pybabel extract -k N_`) without translating it."""
    return message


def format_when(value: datetime | str | None, lang: str, *, with_time: bool = True) -> str:
    """Format an instant for a reader of `lang` (in Beijing time), or '' for None."""
    if value is None or value == "":
        return ""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)  # SQLite hands back naive UTC
    locale = BABEL_LOCALE.get(lang, "en_GB")
    tz = get_timezone(DISPLAY_TZ)
    if not with_time:
        return format_date(when.astimezone(tz).date(), format="long", locale=locale)
    return format_datetime(when, format="medium", tzinfo=tz, locale=locale)
