"""Recording voluntary demographics, and computing the bias audit."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from fairscreen.audit.models import Demographics
from fairscreen.audit.policy import (
    Outcome,
    audit_summary,
    published_period,
    reason,
    validate_answers,
)
from fairscreen.cases.actions import load_case
from fairscreen.cases.models import Case
from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.identity.models import Org
from fairscreen.identity.policy import Actor
from fairscreen.identity.queries import load_org_as_admin_or_regulator
from fairscreen.ledger.event_types import EventType
from fairscreen.ledger.events import append_event
from fairscreen.ledger.models import LedgerEvent
from fairscreen.rating.models import RatingReport
from fairscreen.rating.policy import load_rules
from fairscreen.shared.errors import Forbidden, NotFound, ValidationFailed

ADVERSE = {"yellow", "red"}


def do_record_demographics(
    uow: UnitOfWork, *, actor: Actor, consent: bool, answers: dict[str, Any]
) -> None:
    """Keep the candidate's voluntary answers, sealed and apart from the case file."""
    if actor.kind != "candidate" or actor.case_id is None:
        raise Forbidden()
    if consent is not True:
        raise ValidationFailed(
            "These answers are optional; give them only with your separate consent.",
            field="consent",
        )
    clean = validate_answers(answers)
    with uow as tx:
        case = load_case(tx.session, actor, actor.case_id)
        vault = tx.vault
        sealed = vault.seal(case.id, "audit_demographics.answers", json.dumps(clean))
        row = tx.session.get(Demographics, case.id)
        now = tx.clock.now()
        if row is None:
            tx.session.add(
                Demographics(
                    case_id=case.id, org_id=case.employer_org_id, answers=sealed, consented_at=now
                )
            )
        else:
            row.answers, row.consented_at = sealed, now
        append_event(
            tx.session,
            type=EventType.DEMOGRAPHICS_VOLUNTEERED,
            actor=actor.ref,
            at=now,
            case_id=case.id,
            org_id=case.employer_org_id,
            data={},
        )
        tx.commit()


def _decisions(tx: Tx, case_ids: list[str]) -> dict[str, str]:
    # Decisions are read from the ledger, where every decision is recorded with its outcome.
    out: dict[str, str] = {}
    for case_id, body in tx.session.execute(
        select(LedgerEvent.case_id, LedgerEvent.body)
        .where(LedgerEvent.type == EventType.DECISION_RECORDED, LedgerEvent.case_id.in_(case_ids))
        .order_by(LedgerEvent.idx)
    ):
        outcome = json.loads(body).get("data", {}).get("outcome")
        if outcome:
            out[str(case_id)] = str(outcome)
    return out


def bias_audit(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org_id: str,
    start: date | None,
    end: date | None,
    min_cell: int,
) -> dict[str, Any]:
    """Compute the publishable bias-audit summary of an organisation over a period.

    Staff (the organisation's admin, its regulator) get published periods only: one whole
    calendar quarter that has ended (`policy.published_period`). The regulator too: it never
    sees personal data, and overlapping windows would hand it the answers of whoever lies in
    their difference. The operator at the command line (`SYSTEM`), who holds the database
    and its key anyway, may ask for any window. Every figure of a cell under `min_cell`
    people is suppressed for everyone.
    """
    today = uow.clock.now().date()
    with uow as tx:
        if actor.kind == "system":
            org = tx.session.get(Org, org_id)
            if org is None:
                raise NotFound()
            end = end or today
            start = start or end - timedelta(days=365)
            if start > end:
                raise ValidationFailed("'from' must not be after 'to'.", field="from")
        else:
            org = load_org_as_admin_or_regulator(tx.session, actor, org_id)
            start, end = published_period(start, end, today)
        since = datetime.combine(start, time.min, tzinfo=UTC)
        until = datetime.combine(end, time.max, tzinfo=UTC)
        rows = list(
            tx.session.execute(
                select(Demographics.case_id, Demographics.answers)
                .join(Case, Case.id == Demographics.case_id)
                .where(
                    Demographics.org_id == org.id,
                    Case.created_at >= since,
                    Case.created_at <= until,
                    Demographics.answers.is_not(None),
                )
            )
        )
        case_ids = [r.case_id for r in rows]
        latest = (
            select(RatingReport.case_id, func.max(RatingReport.version).label("v"))
            .where(RatingReport.case_id.in_(case_ids))
            .group_by(RatingReport.case_id)
            .subquery()
        )
        ratings = dict(
            tx.session.execute(
                select(RatingReport.case_id, RatingReport.rating).join(
                    latest,
                    (latest.c.case_id == RatingReport.case_id)
                    & (latest.c.v == RatingReport.version),
                )
            ).all()
        )
        decisions = _decisions(tx, case_ids)
        outcomes = []
        vault = tx.vault
        for case_id, sealed in rows:
            if case_id not in ratings or sealed is None:
                continue  # no report yet: nothing the rating decided
            groups = json.loads(vault.open(case_id, "audit_demographics.answers", sealed))
            decision = decisions.get(case_id)
            outcomes.append(
                Outcome(
                    groups,
                    ratings[case_id] in ADVERSE,
                    None if decision is None else decision == "reject",
                )
            )
        rules = load_rules()
        groups, withheld = audit_summary(outcomes, min_cell)
        return {
            "organisation": org.id,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "generated_at": tx.clock.now().isoformat(),
            "rules_version": rules.version,
            "rules_sha256": rules.sha256,
            "cases": len(outcomes),
            "groups": groups,
            "withheld_dimensions": withheld,
            "min_cell": min_cell,
            "method": "impact ratio = favourable-outcome rate of the group / that of the "
            "most favoured published group; flag under 0.80; groups under 2% excluded; "
            f"suppressed: {reason(min_cell)}",
        }
