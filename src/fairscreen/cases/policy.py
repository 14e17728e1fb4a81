"""The case lifecycle as a state machine: one command per transition, checked here.

draft -> awaiting_consent -> in_progress -> report_released -> decided -> archived -> destroyed
              |                  |               |
              +-- refused        +-- withdrawn --+--> destroyed
"""

from __future__ import annotations

from fairscreen.ledger.event_types import EventType
from fairscreen.shared.errors import InvalidState

STATUSES = (
    "draft",
    "awaiting_consent",
    "in_progress",
    "report_released",
    "decided",
    "archived",
    "refused",
    "withdrawn",
    "destroyed",
)
# command -> (states it may start from, state it leads to, event type)
TRANSITIONS: dict[str, tuple[frozenset[str], str, EventType]] = {
    "invite": (frozenset({"draft"}), "awaiting_consent", EventType.CASE_INVITED),
    "sign_consent": (frozenset({"awaiting_consent"}), "in_progress", EventType.CONSENT_SIGNED),
    "refuse_consent": (frozenset({"awaiting_consent"}), "refused", EventType.CONSENT_REFUSED),
    "withdraw_consent": (
        frozenset({"awaiting_consent", "in_progress", "report_released"}),
        "withdrawn",
        EventType.CONSENT_WITHDRAWN,
    ),
    "release_report": (
        frozenset({"in_progress", "report_released"}),
        "report_released",
        EventType.REPORT_RELEASED,
    ),
    "decide": (frozenset({"report_released"}), "decided", EventType.DECISION_RECORDED),
    # A dispute resolved after the decision may change the report: a revised version.
    "revise_report": (frozenset({"decided"}), "decided", EventType.REPORT_REVISED),
    "archive": (frozenset({"decided"}), "archived", EventType.CASE_ARCHIVED),
    # Destruction ends every path: retention, erasure on request, withdrawal, refusal.
    "destroy": (frozenset(set(STATUSES) - {"destroyed"}), "destroyed", EventType.CASE_DESTROYED),
}
# States in which findings may be recorded, evidence uploaded and sources contacted.
COLLECTING = frozenset({"in_progress", "report_released"})
# States before the candidate has signed: nothing may be collected yet.
BEFORE_CONSENT = frozenset({"draft", "awaiting_consent"})
# States that end the check without a decision (or after everything): nothing is collected.
CLOSED = frozenset({"refused", "withdrawn", "destroyed"})
# The state in which the employer may decide: a report released, no decision yet.
DECIDABLE = TRANSITIONS["decide"][0]

# States in which the report is released and shown (to the candidate and the employer).
REPORTED = frozenset({"report_released", "decided", "archived"})


def next_status(current: str, command: str) -> tuple[str, EventType]:
    """Return (new status, event type) for a command, or raise `invalid_state`."""
    allowed, target, event_type = TRANSITIONS[command]
    if current not in allowed:
        raise InvalidState(
            f"A case that is {current.replace('_', ' ')} cannot {command.replace('_', ' ')}.",
            status=current,
            command=command,
        )
    return target, event_type


def can(current: str, command: str) -> bool:
    """Tell whether a command is allowed from a state."""
    return current in TRANSITIONS[command][0]


def may_decide(current: str) -> bool:
    """Tell whether a case in this state awaits the employer's decision."""
    return current in DECIDABLE
