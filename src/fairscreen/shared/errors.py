"""Domain errors: one class per refusal, each carrying the contract's stable code.

Only `fairscreen.web.errors` knows which HTTP status a code maps to.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """A refusal the user can understand, with a stable machine-readable code."""

    code: ClassVar[str] = "domain_error"
    default_message: ClassVar[str] = "The request was refused."
    # A counted refusal is an attempt to collect what the rules forbid: the unit of work
    # counts it for the regulator's figures whatever the channel (db/uow.py).
    counted: ClassVar[bool] = False

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)


class Unauthenticated(DomainError):
    code = "unauthenticated"
    default_message = "Sign in or give a valid API key or candidate link."


class Forbidden(DomainError):
    code = "forbidden"
    default_message = "Your role or organisation may not do this."


class NotFound(DomainError):
    code = "not_found"
    default_message = "There is no such object, or it is not yours to see."


class ConsentRequired(DomainError):
    code = "consent_required"
    counted = True
    default_message = "The candidate has not signed consent for this check yet."


class ConsentWithdrawn(DomainError):
    code = "consent_withdrawn"
    counted = True
    default_message = "The candidate withdrew or refused consent; nothing more may be collected."


class InvalidState(DomainError):
    code = "invalid_state"
    default_message = "The case is not in a state that allows this."


class WaitingPeriod(DomainError):
    code = "waiting_period"
    default_message = "An adverse decision must wait until the waiting period has passed."


class DisputeOpen(DomainError):
    code = "dispute_open"
    default_message = "A dispute on this case is open; decide after it is resolved."


class LegalHold(DomainError):
    code = "legal_hold"
    default_message = "The case is under a legal hold and may not be destroyed."


class AssessmentRequired(DomainError):
    code = "assessment_required"
    default_message = "Record an individualized assessment before this adverse decision."


class ValidationFailed(DomainError):
    code = "validation_error"
    default_message = "The request is not valid."


class OutOfScope(DomainError):
    code = "out_of_scope"
    counted = True
    default_message = "This is outside the scope the position allows and the candidate granted."


class ForbiddenCategory(DomainError):
    code = "forbidden_category"
    counted = True
    default_message = "This category may never be collected for employment."


class ForbiddenContent(DomainError):
    code = "forbidden_content"
    counted = True
    default_message = "The text touches a topic that may never be recorded."


class ProhibitedReason(DomainError):
    code = "prohibited_reason"
    default_message = "This reason may never be used for a hiring decision."


class SeparateConsentRequired(DomainError):
    code = "separate_consent_required"
    default_message = "Sensitive categories need the candidate's separate consent."


class ReasonUnsupported(DomainError):
    code = "reason_unsupported"
    default_message = "No verified adverse finding of the released report supports this reason."


class IdentityNotMatched(DomainError):
    code = "identity_not_matched"
    default_message = "The record cannot be tied to the candidate by enough identifiers."


class PayloadTooLarge(DomainError):
    code = "payload_too_large"
    default_message = "The request body is too large."


class RateLimited(DomainError):
    code = "rate_limited"
    default_message = "Too many attempts; wait a moment and try again."


class Unavailable(DomainError):
    code = "unavailable"
    default_message = "The service cannot reach its database right now; retry shortly."


class ReverificationRequired(DomainError):
    code = "reverification_required"
    default_message = (
        "A finding rests on a reference interview older than three months; verify it again "
        "before it supports an adverse decision."
    )


class Conflict(DomainError):
    """A concurrent change won the race; the caller may reload and retry."""

    code = "conflict"
    default_message = "Someone else changed this at the same moment; reload and try again."
