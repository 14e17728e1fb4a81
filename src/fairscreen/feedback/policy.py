"""Result feedback (結果反饋): the rules a decision must pass, in the contract's order.

Pure. Order of checks for a decision (the first failing one answers):
1. a reason that may never be used            -> prohibited_reason
2. an open dispute on the case                 -> dispute_open
3. a reject resting on a criminal-record or professional-conduct finding without an
   individualized assessment                   -> assessment_required
4. the waiting period after the report reached the candidate -> waiting_period
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from fairscreen.shared.errors import (
    AssessmentRequired,
    DisputeOpen,
    ProhibitedReason,
    ReverificationRequired,
    ValidationFailed,
    WaitingPeriod,
)

OUTCOMES = ("hire", "reject")
# A feedback item (dispute, complaint, review) is open until it is resolved.
FEEDBACK_STATUSES = ("open", "in_review", "resolved")
OPEN = ("open", "in_review")
ASSESSMENT_CATEGORIES = frozenset({"criminal_record", "professional_conduct"})
ADVERSE_LEVELS = frozenset({"yellow", "red"})


@dataclass(frozen=True)
class Reason:
    code: str
    names: Mapping[str, str]
    outcome: str | None
    prohibited: bool
    needs_assessment: bool


@dataclass(frozen=True)
class ReasonList:
    version: str
    reasons: Mapping[str, Reason]

    def published(self) -> dict[str, Any]:
        """Return the list as published to employers and candidates."""
        return {
            "version": self.version,
            "reasons": [
                {
                    "code": r.code,
                    "names": dict(r.names),
                    "outcome": r.outcome,
                    "prohibited": r.prohibited,
                    "needs_assessment": r.needs_assessment,
                }
                for r in self.reasons.values()
            ],
        }


@cache
def load_reasons() -> ReasonList:
    """Load the published decision reasons."""
    raw = yaml.safe_load(
        files("fairscreen.feedback").joinpath("rules", "reasons-v1.yaml").read_text("utf-8")
    )
    reasons = {
        code: Reason(
            code,
            item["names"],
            item.get("outcome"),
            bool(item.get("prohibited")),
            bool(item.get("needs_assessment")),
        )
        for code, item in raw["reasons"].items()
    }
    for r in reasons.values():
        if r.prohibited and r.outcome:
            raise ValueError(f"reason {r.code}: a prohibited reason has no outcome")
    return ReasonList(str(raw["version"]), reasons)


@dataclass(frozen=True)
class DecisionFacts:
    """What the decision rules look at; no personal data."""

    outcome: str
    reasons: Sequence[str]
    open_disputes: int
    rating: str | None
    # categories of the verified adverse findings the report rests on
    adverse_categories: frozenset[str]
    has_assessment: bool
    waiting_ends_at: datetime | None
    now: datetime
    # adverse findings resting on a reference interview too old to count unchecked
    stale_references: tuple[str, ...] = ()


def check_decision(facts: DecisionFacts, reasons: ReasonList | None = None) -> None:
    """Raise the first refusal a decision meets, in the contract's order.

    A stale reference comes last, after the contract's four, so that adding it changed
    no answer the contract already gives.
    """
    reasons = reasons or load_reasons()
    if facts.outcome not in OUTCOMES:
        raise ValidationFailed("outcome must be hire or reject.", field="outcome")
    if not facts.reasons:
        raise ValidationFailed("Give at least one reason from the published list.", field="reasons")
    for code in facts.reasons:
        reason = reasons.reasons.get(code)
        if reason is None:
            raise ValidationFailed(f"'{code}' is not a published reason.", field="reasons")
        if reason.prohibited:
            raise ProhibitedReason(
                f"'{code}' may never be a reason for a hiring decision.", reason=code
            )
    for code in facts.reasons:
        reason = reasons.reasons[code]
        if reason.outcome and reason.outcome != facts.outcome:
            raise ValidationFailed(
                f"'{code}' is a reason for {reason.outcome}, not {facts.outcome}.", field="reasons"
            )
    if facts.outcome == "hire":
        return
    if facts.open_disputes:
        raise DisputeOpen()
    needs = any(reasons.reasons[c].needs_assessment for c in facts.reasons)
    rests_on = bool(facts.adverse_categories & ASSESSMENT_CATEGORIES)
    if (needs or rests_on) and not facts.has_assessment:
        raise AssessmentRequired()
    if facts.waiting_ends_at is not None and facts.now < facts.waiting_ends_at:
        raise WaitingPeriod(
            f"An adverse decision is possible from {facts.waiting_ends_at.isoformat()}.",
            waiting_ends_at=facts.waiting_ends_at.isoformat(),
        )
    if facts.stale_references:
        raise ReverificationRequired(finding_ids=list(facts.stale_references))


def waiting_days(pack_settings: Mapping[str, Any], org_days: int | None = None) -> int:
    """Return the waiting period in business days: the org's, never below the pack's minimum."""
    conf = pack_settings.get("waiting_period_business_days", {})
    default = int(conf.get("default", 5))
    minimum = int(conf.get("minimum", default))
    return max(minimum, org_days if org_days is not None else default)


def pick_owner(
    candidates: Sequence[str], open_counts: Mapping[str, int], dispute_officer: str | None = None
) -> str:
    """Return who owns a new dispute: the dispute officer, else the least loaded investigator."""
    if dispute_officer:
        return dispute_officer
    if not candidates:
        raise ValidationFailed("The organisation has no one to own disputes; add an investigator.")
    return min(candidates, key=lambda u: (open_counts.get(u, 0), u))
