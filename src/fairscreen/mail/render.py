"""Mail texts: one Jinja2 text template per message, rendered in the recipient's language.

A template under `mail/templates/<name>.txt` has a `subject` and a `body` block; its texts
are `{% trans %}` blocks whose English is the message id, translated through the same
gettext catalogues as the pages (fairscreen.shared.catalogues; `make messages` extracts
them). Domain modules pick a template and its context and call `compose`; nothing here
knows HTTP.

A message is rendered once, when it is queued (the queue seals what was rendered, so a
retry sends the same words). A message in Chinese carries its English copy below it, as
the mail always did: the recipient's language is a guess until the candidate has signed
(the language of the consent page), and a staff member may not read Chinese.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template

from fairscreen.mail.backends import Message
from fairscreen.shared.catalogues import DEFAULT_LANG, LANGS, format_when, gettext

# The language a message in another language carries a copy in.
COPY_LANG = "en"
COPY_RULE = "\n\n" + "-" * 40 + "\n\n"


@cache
def _environment(lang: str) -> Environment:
    """Return the template environment whose `{% trans %}` blocks speak `lang`."""
    env = Environment(
        loader=PackageLoader("fairscreen.mail", "templates"),
        extensions=["jinja2.ext.i18n"],
        autoescape=False,  # plain text mail
        undefined=StrictUndefined,
        lstrip_blocks=True,  # a line holding only a tag leaves a blank line, folded below
        keep_trailing_newline=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: gettext(message, lang),
        ngettext=lambda singular, plural, n: gettext(singular if n == 1 else plural, lang),
        newstyle=True,
    )
    env.filters["when"] = format_when  # {{ at|when(lang) }}: a date as `lang` writes it
    return env


def templates() -> list[str]:
    """Return the name of every mail template (for the test that renders each)."""
    names = _environment(DEFAULT_LANG).list_templates(extensions=["txt"])
    return sorted(name.removesuffix(".txt") for name in names)


def _block(template: Template, name: str, context: Mapping[str, Any]) -> str:
    """Render one block; paragraphs are parted by one blank line, however the tags lie."""
    text = "".join(template.blocks[name](template.new_context(dict(context))))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def render(template: str, lang: str, context: Mapping[str, Any], /) -> tuple[str, str]:
    """Return (subject, body) of a template in exactly one language."""
    lang = lang if lang in LANGS else DEFAULT_LANG
    loaded = _environment(lang).get_template(f"{template}.txt")
    values = {**context, "lang": lang}
    return _block(loaded, "subject", values), _block(loaded, "body", values) + "\n"


def compose(
    template: str,
    lang: str | None,
    /,
    *,
    to: str,
    case_id: str | None = None,
    link: str | None = None,
    **context: Any,
) -> Message:
    """Compose a message from a template to `to` in `lang` (the default when unknown)."""
    lang = lang if lang in LANGS else DEFAULT_LANG
    assert lang is not None
    values = {"link": link, "case_id": case_id, **context}
    subject, body = render(template, lang, values)
    if lang != COPY_LANG:
        copy_subject, copy_body = render(template, COPY_LANG, values)
        subject = f"{subject} / {copy_subject}"
        body = body.rstrip("\n") + COPY_RULE + copy_body
    return Message(to=to, subject=subject, body=body, link=link, case_id=case_id, lang=lang)
