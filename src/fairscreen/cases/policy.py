"""The case lifecycle as a state machine: one command per transition, checked here.

draft -> awaiting_consent -> in_progress -> report_released -> decided -> archived -> destroyed
              |                  |               |
              +-- refused        +-- withdrawn --+--> destroyed
"""

from __future__ import annotations

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
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "invite": (frozenset({"draft"}), "awaiting_consent", "case.invited"),
    "sign_consent": (frozenset({"awaiting_consent"}), "in_progress", "consent.signed"),
    "refuse_consent": (frozenset({"awaiting_consent"}), "refused", "consent.refused"),
    "withdraw_consent": (
        frozenset({"awaiting_consent", "in_progress", "report_released"}),
        "withdrawn",
        "consent.withdrawn",
    ),
    "release_report": (
        frozenset({"in_progress", "report_released"}),
        "report_released",
        "report.released",
    ),
    "decide": (frozenset({"report_released"}), "decided", "decision.recorded"),
    # A dispute resolved after the decision may change the report: a revised version.
    "revise_report": (frozenset({"decided"}), "decided", "report.revised"),
    "archive": (frozenset({"decided"}), "archived", "case.archived"),
    # Destruction ends every path: retention, erasure on request, withdrawal, refusal.
    "destroy": (frozenset(set(STATUSES) - {"destroyed"}), "destroyed", "case.destroyed"),
}
# States in which findings may be recorded and sources contacted.
COLLECTING = frozenset({"in_progress", "report_released"})
CLOSED = frozenset({"refused", "withdrawn", "destroyed"})
# The state in which the employer may decide: a report released, no decision yet.
DECIDABLE = TRANSITIONS["decide"][0]


def next_status(current: str, command: str) -> tuple[str, str]:
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
