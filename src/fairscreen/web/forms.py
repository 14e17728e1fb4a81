"""HTML forms: the posted fields, the CSRF check, and refusals turned into field errors.

Every refusal code of the API has a plain message here (English, the catalogs' msgid),
translated through the `.po` catalogs; a form shows it next to the field it concerns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import Request

from fairscreen.shared.errors import DomainError
from fairscreen.web.l10n import gettext
from fairscreen.web.rendering import check_csrf

# One message per contract code (web.errors.STATUS_BY_CODE); a test keeps them complete.
REFUSALS: dict[str, str] = {
    "unauthenticated": "Open the link from your invitation again.",
    "forbidden": "You may not do this.",
    "not_found": "There is nothing here, or it is not yours to see.",
    "method_not_allowed": "This action is not possible here.",
    "consent_required": "Consent has not been signed for this check yet.",
    "consent_withdrawn": "Consent was refused or withdrawn; nothing more is collected.",
    "invalid_state": "This is no longer possible at this stage of the check.",
    "waiting_period": "The waiting period before a decision has not ended yet.",
    "dispute_open": "A dispute is open; no decision can be made until it is settled.",
    "legal_hold": "A legal hold keeps this data for now.",
    "assessment_required": "Record an individualized assessment of the record first; an "
    "adverse decision on it needs one.",
    "conflict": "Someone changed this at the same moment; reload the page and try again.",
    "reverification_required": "A reference interview older than three months must be "
    "verified again before it can count against the candidate.",
    "validation_error": "Some of what you entered is not valid.",
    "out_of_scope": "This is outside what the candidate agreed to.",
    "forbidden_category": "This kind of information may never be checked for a job.",
    "forbidden_content": "The text contains information that may not be recorded.",
    "prohibited_reason": "This reason may not be used for a decision.",
    "reason_unsupported": "No verified adverse finding of the released report supports "
    "this reason.",
    "separate_consent_required": "Give your separate consent for each sensitive category "
    "you grant.",
    "identity_not_matched": "The identity does not match the person being checked.",
    "payload_too_large": "What you sent is too large.",
    "rate_limited": "Too many attempts; wait a moment and try again.",
    "internal_error": "Something went wrong on our side; nothing was saved. Try again.",
    "unavailable": "The service is briefly unavailable; try again shortly.",
}

# Messages for the fields of the consent form, by the `field` a refusal names.
FIELD_MESSAGES: dict[str, str] = {
    "full_name": "The name you typed does not match the name on this check. Type your full "
    "name as the employer gave it.",
    "agree": "Tick “I agree” to sign.",
    "categories": "Choose at least one category, or decline the whole check.",
}


def refusal_message(code: str, lang: str) -> str:
    """Return the message of a refusal code in a language."""
    return gettext(REFUSALS.get(code, REFUSALS["validation_error"]), lang)


def form_errors(exc: DomainError, lang: str) -> dict[str, str]:
    """Map a refusal to messages keyed by form field ("form" when it names none)."""
    field = exc.details.get("field")
    if isinstance(field, str) and field in FIELD_MESSAGES:
        return {field: gettext(FIELD_MESSAGES[field], lang)}
    if exc.code == "separate_consent_required":
        message = refusal_message(exc.code, lang)
        missing = exc.details.get("categories") or []
        return {f"separate:{c}": message for c in missing} or {"categories": message}
    return {"form": refusal_message(exc.code, lang)}


def require_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a post whose CSRF token does not match this browser's."""
    check_csrf(request, submitted)


@dataclass(frozen=True)
class ConsentForm:
    """What the candidate posted on the consent page."""

    full_name: str
    agree: bool
    categories: list[str]
    separate: list[str]

    @classmethod
    def parse(
        cls,
        *,
        full_name: str,
        agree: str | None,
        categories: Sequence[str],
        separate: Sequence[str],
    ) -> ConsentForm:
        """Read the posted fields (a checkbox is ticked when it is sent at all)."""
        return cls(
            full_name=full_name.strip(),
            agree=agree is not None and agree != "",
            categories=[c for c in dict.fromkeys(categories) if c],
            separate=[c for c in dict.fromkeys(separate) if c],
        )
