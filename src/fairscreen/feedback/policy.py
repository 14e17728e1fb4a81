"""Result feedback (結果反饋): the rules a decision must pass, in the contract's order.

Pure. A decision is taken only on a case in the decidable state (`cases.policy.DECIDABLE`,
checked by the action first). Order of checks for a decision (the first failing one answers):
1. a reason that may never be used            -> prohibited_reason
2. a reject reason no verified adverse finding of the released report supports: each
   published reject reason names the categories it rests on -> reason_unsupported
3. an open dispute on the case                 -> dispute_open
4. a reject resting on a criminal-record or professional-conduct finding without an
   individualized assessment                   -> assessment_required
5. the waiting period after the report reached the candidate -> waiting_period
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from fairscreen.scope.policy import load_taxonomy
from fairscreen.shared.errors import (
    AssessmentRequired,
    DisputeOpen,
    ProhibitedReason,
    ReasonUnsupported,
    ReverificationRequired,
    ValidationFailed,
    WaitingPeriod,
)
from fairscreen.shared.languages import RULE_DATA_LANGUAGES

OUTCOMES = ("hire", "reject")
REASONS_FILE = "reasons-v2.yaml"
LANGS = RULE_DATA_LANGUAGES
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
    # A reject reason: the categories it rests on; empty when it rests on no finding of the
    # report but on the application's circumstances (the candidate withdrew).
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReasonList:
    version: str
    reasons: Mapping[str, Reason]
    # Categories no reject may rest on, with why, in each language.
    never_grounds_reject: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def published(self) -> dict[str, Any]:
        """Return the list as published to employers and candidates."""
        return {
            "version": self.version,
            "reasons": [
                {
                    "code": r.code,
                    "names": dict(r.names),
                    "outcome": r.outcome,
                    "categories": list(r.categories),
                    "prohibited": r.prohibited,
                    "needs_assessment": r.needs_assessment,
                }
                for r in self.reasons.values()
            ],
            "never_grounds_reject": [
                {"category": code, "why": dict(why)}
                for code, why in self.never_grounds_reject.items()
            ],
        }


class ReasonsError(ValueError):
    """The decision reasons file breaks the schema or an invariant (raised at start-up)."""


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ReasonsError(message)


def parse_reasons(raw: Any, collectable: frozenset[str]) -> ReasonList:
    """Build the reason list from its YAML, checking it against the collectable categories.

    A reject reason must name the categories it rests on (`categories: []` for one that
    rests on no finding); every collectable category grounds some reject reason or is
    stated under `never_grounds_reject`, never both.
    """
    _check(isinstance(raw, Mapping) and isinstance(raw.get("reasons"), Mapping), "no reasons")
    reasons: dict[str, Reason] = {}
    for code, item in raw["reasons"].items():
        _check(isinstance(item, Mapping), f"reason {code}: must be a mapping")
        names = item.get("names")
        _check(
            isinstance(names, Mapping) and all(names.get(lang) for lang in LANGS),
            f"reason {code}: names in {', '.join(LANGS)} are required",
        )
        outcome = item.get("outcome")
        prohibited = bool(item.get("prohibited"))
        _check(not (prohibited and outcome), f"reason {code}: a prohibited reason has no outcome")
        _check(outcome in (None, *OUTCOMES), f"reason {code}: unknown outcome {outcome!r}")
        categories = item.get("categories")
        if outcome == "reject":
            # Required, so that forgetting it can never let a reason rest on nothing.
            _check(
                isinstance(categories, list) and all(isinstance(c, str) for c in categories),
                f"reason {code}: a reject reason lists the categories it rests on",
            )
            unknown = sorted(set(categories) - collectable)
            _check(not unknown, f"reason {code}: not collectable categories {unknown}")
        else:
            _check(not categories, f"reason {code}: only a reject reason rests on categories")
        reasons[code] = Reason(
            code,
            dict(names),
            outcome,
            prohibited,
            bool(item.get("needs_assessment")),
            tuple(categories or ()),
        )
    never = raw.get("never_grounds_reject") or {}
    _check(isinstance(never, Mapping), "never_grounds_reject must be a mapping")
    for code, why in never.items():
        _check(code in collectable, f"never_grounds_reject: {code!r} is not collectable")
        _check(
            isinstance(why, Mapping) and all(why.get(lang) for lang in LANGS),
            f"never_grounds_reject.{code}: why in {', '.join(LANGS)} is required",
        )
    grounding = {c for r in reasons.values() for c in r.categories}
    both = sorted(grounding & set(never))
    _check(not both, f"categories both ground a reject and never do: {both}")
    silent = sorted(collectable - grounding - set(never))
    _check(not silent, f"categories that neither ground a reject nor say why not: {silent}")
    return ReasonList(
        str(raw["version"]), reasons, {code: dict(why) for code, why in never.items()}
    )


@cache
def load_reasons() -> ReasonList:
    """Load the published decision reasons (checked against the category taxonomy)."""
    raw = yaml.safe_load(
        files("fairscreen.feedback").joinpath("rules", REASONS_FILE).read_text("utf-8")
    )
    taxonomy = load_taxonomy()
    collectable = frozenset(c.code for c in taxonomy.categories.values() if not c.forbidden)
    return parse_reasons(raw, collectable)


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
    for code in facts.reasons:
        reason = reasons.reasons[code]
        if reason.categories and not set(reason.categories) & facts.adverse_categories:
            raise ReasonUnsupported(
                f"'{code}' rests on a verified adverse finding of "
                f"{' or '.join(reason.categories)}; the released report holds none.",
                reason=code,
                categories=list(reason.categories),
            )
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
