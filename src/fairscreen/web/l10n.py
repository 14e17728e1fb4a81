"""Message catalogs (gettext `.po`, read at start with Babel) and locale-aware dates.

The English text is the message id; a catalog without a translation falls back to it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from typing import Any

from babel.dates import format_date, format_datetime, get_timezone
from babel.messages.pofile import read_po

from fairscreen.shared.languages import BABEL_LOCALE, CATALOG_DIR, LANGUAGES

# Candidates read times in the pack's time zone (the cn pack: Beijing time).
DISPLAY_TZ = "Asia/Shanghai"

Translator = Callable[..., str]


@cache
def catalog(lang: str) -> dict[str, str]:
    """Return the translated messages of a language (msgid -> msgstr, translated ones only).

    A language's folder holds one `.po` file per area of the app (`messages.po` for the
    shared texts, `staff.po`, `admin.po`, ...); they are read in name order and merged, and
    the same message id in two files is refused so one text cannot silently win.
    """
    folder = files("fairscreen.web").joinpath("locales", CATALOG_DIR[lang], "LC_MESSAGES")
    out: dict[str, str] = {}
    origin: dict[str, str] = {}
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
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
    text = catalog(lang if lang in LANGUAGES else "en").get(message, message)
    return text % values if values else text


def translator(lang: str) -> Translator:
    """Return `_` bound to a language, for templates and handlers."""

    def _(message: str, /, **values: Any) -> str:
        return gettext(message, lang, **values)

    return _


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
