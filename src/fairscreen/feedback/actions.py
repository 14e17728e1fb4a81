"""Decisions and individualized assessments: the employer's side of result feedback."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from fairscreen.cases.actions import case_ref, transition
from fairscreen.cases.models import Case
from fairscreen.cases.policy import next_status
from fairscreen.consent.language import candidate_lang
from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.feedback.models import FeedbackAssessment, FeedbackDecision, FeedbackItem
from fairscreen.feedback.notices import (
    adverse_decision_message,
    candidate_address,
    latest_notice,
    send_after_commit,
)
from fairscreen.feedback.policy import OPEN, DecisionFacts, check_decision, load_reasons
from fairscreen.identity.policy import Actor, access_case_as_employer
from fairscreen.ledger.event_types import EventType
from fairscreen.ledger.events import EventValue, append_event, iso
from fairscreen.rating.queries import latest_report
from fairscreen.retention.policy import RetentionPolicy
from fairscreen.scope.guard import ensure_clean_text
from fairscreen.scope.policy import load_pack
from fairscreen.shared.clock import as_utc
from fairscreen.shared.errors import InvalidState, NotFound, ValidationFailed
from fairscreen.shared.ids import new_id
from fairscreen.verification.models import Finding, Source
from fairscreen.verification.policy import SourceView, Status, needs_reverification
from fairscreen.webhooks.actions import enqueue

ASSESSMENT_FIELDS = (
    "nature_gravity",
    "time_elapsed",
    "relation_to_duties",
    "candidate_account",
    "conclusion",
)


def _employer_case(tx: Tx, actor: Actor, case_id: str) -> Case:
    case = tx.session.get(Case, case_id, with_for_update=True)
    access_case_as_employer(actor, case_ref(case) if case else None)
    assert case is not None
    return case


def open_disputes(tx: Tx, case_id: str) -> int:
    """Count the disputes of a case that are not resolved yet."""
    return int(
        tx.session.scalar(
            select(func.count())
            .select_from(FeedbackItem)
            .where(
                FeedbackItem.case_id == case_id,
                FeedbackItem.kind == "dispute",
                FeedbackItem.status.in_(OPEN),
            )
        )
        or 0
    )


def adverse_categories(tx: Tx, finding_ids: Sequence[str]) -> frozenset[str]:
    """Return the categories of the verified adverse findings a report rests on."""
    if not finding_ids:
        return frozenset()
    rows = tx.session.scalars(
        select(Finding.category).where(
            Finding.id.in_(list(finding_ids)),
            Finding.adverse.is_(True),
            Finding.status == Status.VERIFIED.value,
        )
    )
    return frozenset(rows)


def stale_references(
    tx: Tx, case: Case, finding_ids: Sequence[str], now: datetime
) -> tuple[str, ...]:
    """Return the verified adverse findings of a report that rest on a stale reference."""
    if not finding_ids:
        return ()
    months = int(load_pack(case.pack).settings.get("reference_reverify_months", 3))
    adverse = tx.session.execute(
        select(Finding.id, Finding.category).where(
            Finding.id.in_(list(finding_ids)),
            Finding.adverse.is_(True),
            Finding.status == Status.VERIFIED.value,
        )
    ).all()
    stale = []
    for finding_id, category in sorted(adverse):
        sources = tx.session.scalars(select(Source).where(Source.finding_id == finding_id))
        views = [
            SourceView(s.kind, s.origin_normalised, s.supports, s.retracted, as_utc(s.recorded_at))
            for s in sources
        ]
        if needs_reverification(views, now, months, category=category):
            stale.append(finding_id)
    return tuple(stale)


def has_assessment(tx: Tx, case_id: str) -> bool:
    """Tell whether the employer recorded an individualized assessment for the case."""
    return (
        tx.session.scalar(
            select(FeedbackAssessment.id).where(FeedbackAssessment.case_id == case_id).limit(1)
        )
        is not None
    )


def do_record_decision(
    uow: UnitOfWork,
    *,
    actor: Actor,
    case_id: str,
    outcome: str,
    reasons: Sequence[str],
    employment_end: date | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Record the employer's decision after the rules allow it, in the contract's order.

    Only a case in the decidable state may be decided (invalid_state otherwise); then the
    decision rules answer in the contract's order (feedback/policy.py).
    """
    with uow as tx:
        session = tx.session
        case = _employer_case(tx, actor, case_id)
        now = tx.clock.now()
        next_status(case.status, "decide")  # the decidable state (cases/policy.py)
        report = latest_report(tx, case.id)
        notice = latest_notice(tx, case.id)
        waiting_ends_at = as_utc(notice.waiting_ends_at) if notice is not None else None
        disputes = open_disputes(tx, case.id)
        facts = DecisionFacts(
            outcome=outcome,
            reasons=list(reasons),
            open_disputes=disputes,
            rating=report.rating if report else None,
            adverse_categories=adverse_categories(tx, report.finding_ids if report else ()),
            has_assessment=has_assessment(tx, case.id),
            waiting_ends_at=waiting_ends_at,
            now=now,
            stale_references=stale_references(
                tx, case, report.finding_ids if report and outcome == "reject" else (), now
            ),
        )
        check_decision(facts)
        if report is None:
            raise InvalidState("A decision needs a released report.", status=case.status)
        if outcome == "reject" and employment_end is not None:
            raise ValidationFailed("Only a hire has an employment end.", field="employment_end")
        decision_id = new_id("dec")
        sealed_note = None
        if note:
            ensure_clean_text(note)
            vault = tx.vault
            sealed_note = vault.seal(case.id, "decision.note", note)
        session.add(
            FeedbackDecision(
                id=decision_id,
                case_id=case.id,
                org_id=case.employer_org_id,
                outcome=outcome,
                reasons=list(reasons),
                report_id=report.id,
                report_version=report.version,
                employment_end=employment_end,
                note=sealed_note,
                decided_by=actor.id,
                decided_at=now,
                waiting_ends_at=waiting_ends_at,
                open_disputes=disputes,
            )
        )
        policy = RetentionPolicy.from_pack(load_pack(case.pack).settings.get("retention_days", {}))
        case.destroy_due_at = policy.due_after_decision(outcome, now, employment_end)
        transition(
            tx,
            case,
            "decide",
            actor=actor,
            data={
                "decision_id": decision_id,
                "outcome": outcome,
                "reasons": list(reasons),
                "report_id": report.id,
                "report_version": report.version,
                "reasons_version": load_reasons().version,
                "destroy_due_at": iso(case.destroy_due_at) if case.destroy_due_at else None,
            },
        )
        enqueue(
            tx,
            org_id=case.employer_org_id,
            event_type="decision.recorded",
            data={
                "case_id": case.id,
                "decision_id": decision_id,
                "outcome": outcome,
                "status": case.status,
            },
        )
        if outcome == "reject":
            to = candidate_address(tx, case)
            if to is not None:
                lang = candidate_lang(tx.session, case.id)
                message = adverse_decision_message(to, case.id, list(reasons), report.version, lang)
                send_after_commit(tx, [message])
        due = case.destroy_due_at
        tx.commit()
        return {
            "id": decision_id,
            "outcome": outcome,
            "status": "decided",
            "destroy_due_at": due.isoformat() if due else None,
        }


def do_record_assessment(
    uow: UnitOfWork,
    *,
    actor: Actor,
    case_id: str,
    finding_ids: Sequence[str],
    texts: dict[str, str],
) -> str:
    """Record the employer's individualized assessment; the reasoning is screened and sealed."""
    missing = [f for f in ASSESSMENT_FIELDS if not (texts.get(f) or "").strip()]
    if missing:
        raise ValidationFailed(f"Give {', '.join(missing)}.", field=missing[0])
    if not finding_ids:
        raise ValidationFailed("Name the findings assessed.", field="finding_ids")
    for field in ASSESSMENT_FIELDS:
        ensure_clean_text(texts[field])
    with uow as tx:
        session = tx.session
        case = _employer_case(tx, actor, case_id)
        found = set(
            session.scalars(
                select(Finding.id).where(
                    Finding.case_id == case.id, Finding.id.in_(list(finding_ids))
                )
            )
        )
        if found != set(finding_ids):
            raise NotFound("A finding named is not one of this case's.")
        now = tx.clock.now()
        doc = json.dumps({f: texts[f] for f in ASSESSMENT_FIELDS}, ensure_ascii=False)
        vault = tx.vault
        sealed = vault.seal(case.id, "assessment.reasoning", doc)
        assessment_id = new_id("asm")
        session.add(
            FeedbackAssessment(
                id=assessment_id,
                case_id=case.id,
                finding_ids=sorted(found),
                reasoning=sealed,
                created_by=actor.id,
                created_at=now,
            )
        )
        append_event(
            session,
            type=EventType.ASSESSMENT_RECORDED,
            actor=actor.ref,
            at=now,
            case_id=case.id,
            org_id=case.employer_org_id,
            data={"assessment_id": assessment_id, "finding_ids": list[EventValue](sorted(found))},
        )
        tx.commit()
        return assessment_id
