"""Rate a case from its verified findings and release the report as a new version."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from fairscreen.cases.actions import case_ref, transition
from fairscreen.cases.models import Case
from fairscreen.cases.policy import next_status
from fairscreen.consent.queries import granted_categories
from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.identity.policy import Actor, access_case_as_investigator
from fairscreen.rating.models import RatingReport
from fairscreen.rating.policy import Rating, RatingFinding, RatingInput, rate
from fairscreen.rating.queries import report_view
from fairscreen.scope.policy import load_pack
from fairscreen.shared.errors import ConsentWithdrawn
from fairscreen.shared.ids import new_id
from fairscreen.verification.models import Finding
from fairscreen.verification.policy import Status
from fairscreen.verification.queries import case_findings


def build_input(
    findings: Sequence[Finding],
    *,
    granted: Collection[str],
    today: date,
    lookback_days: Mapping[str, int] | None,
) -> RatingInput:
    """Build the rating input from a case's verified findings: nothing about the person."""
    rated = []
    for f in findings:
        if f.status != Status.VERIFIED.value:
            continue
        age = None if f.fact_date is None else max((today - f.fact_date).days, 0)
        rated.append(
            RatingFinding(
                id=f.id,
                category=f.category,
                adverse=f.adverse,
                severity=f.severity,
                job_related=f.job_related,
                in_scope=f.category in granted,
                verified=True,
                fact_age_days=age,
            )
        )
    return RatingInput(tuple(rated), lookback_days=lookback_days)


def explanation_json(rating: Rating) -> list[dict[str, Any]]:
    """Return a rating's explanation as stored and shown."""
    return [
        {
            "rule_id": e.rule_id,
            "level": e.level.value,
            "finding_ids": list(e.finding_ids),
            "text": dict(e.text),
        }
        for e in rating.explanation
    ]


def changes_since(
    previous: RatingReport | None, rating: Rating, finding_ids: list[str]
) -> dict[str, Any]:
    """Say what a new report version changes against the previous one."""
    if previous is None:
        return {"previous_version": None, "rating_from": None, "rating_to": rating.level.value}
    before = set(previous.finding_ids)
    return {
        "previous_version": previous.version,
        "rating_from": previous.rating,
        "rating_to": rating.level.value,
        "rules_changed": previous.rules_sha256 != rating.rules_sha256,
        "added": sorted(set(finding_ids) - before),
        "removed": sorted(before - set(finding_ids)),
    }


def do_release_report(uow: UnitOfWork, *, actor: Actor, case_id: str) -> dict[str, Any]:
    """Rate the case's verified findings and release the result as a new report version."""
    with uow as tx:
        session = tx.session
        case = session.get(Case, case_id, with_for_update=True)
        access_case_as_investigator(actor, case_ref(case) if case else None)
        assert case is not None
        row = release_in(tx, actor=actor, case=case)
        view = report_view(tx, actor, case, row)
        tx.commit()
        return view


def release_in(tx: Tx, *, actor: Actor, case: Case, revise: bool = False) -> RatingReport:
    """Release a new report version inside the caller's transaction (case locked, access checked).

    With `revise`, a decided case gets a revised version (a resolved dispute changed a
    finding) without leaving the decided state; otherwise a decided case is refused.
    """
    session = tx.session
    if case.collection_stopped_at is not None:
        raise ConsentWithdrawn()
    command = "revise_report" if revise and case.status == "decided" else "release_report"
    next_status(case.status, command)  # refuse early, before any work
    granted = set(granted_categories(session, case.id) or ()) & set(case.categories)
    now = tx.clock.now()
    pack = load_pack(case.pack)
    inp = build_input(
        case_findings(tx, case.id),
        granted=granted,
        today=now.date(),
        lookback_days=pack.settings.get("lookback_days"),
    )
    rating = rate(inp)
    finding_ids = sorted(f.id for f in inp.findings if f.in_scope)
    previous = session.scalar(
        select(RatingReport)
        .where(RatingReport.case_id == case.id)
        .order_by(RatingReport.version.desc())
        .limit(1)
    )
    version = previous.version + 1 if previous else 1
    row = RatingReport(
        id=new_id("rpt"),
        case_id=case.id,
        version=version,
        rating=rating.level.value,
        rules_version=rating.rules_version,
        rules_sha256=rating.rules_sha256,
        explanation=explanation_json(rating),
        finding_ids=finding_ids,
        changes=changes_since(previous, rating, finding_ids),
        released_by=actor.id,
        released_at=now,
    )
    session.add(row)
    transition(
        tx,
        case,
        command,
        actor=actor,
        data={
            "report_id": row.id,
            "version": version,
            "rating": row.rating,
            "rules_version": row.rules_version,
            "rules_sha256": row.rules_sha256,
            "finding_ids": list(finding_ids),
        },
    )
    session.flush()
    # Imported late: feedback builds on rating. The release is the notice to both sides.
    from fairscreen.feedback.notices import on_report_released

    on_report_released(tx, case=case, report=row)
    return row
