"""Read-only views of released reports: the employer's and the candidate's are the same."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from fairscreen.cases.actions import load_case
from fairscreen.cases.models import Case
from fairscreen.cases.policy import REPORTED
from fairscreen.cases.queries import case_facts
from fairscreen.cases.visibility import REPORT_STATES, case_sight
from fairscreen.consent.policy import rights_by_language
from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.identity.policy import Actor, require_staff
from fairscreen.rating.models import RatingReport
from fairscreen.shared.errors import Forbidden, InvalidState
from fairscreen.statements.actions import accounts_by_finding
from fairscreen.verification.models import Finding, Source
from fairscreen.verification.queries import (
    Opener,
    case_findings,
    findings_view,
    source_view,
    sources_by_finding,
)


def latest_report(tx: Tx, case_id: str) -> RatingReport | None:
    """Return the newest released report of a case, if any."""
    return tx.session.scalar(
        select(RatingReport)
        .where(RatingReport.case_id == case_id)
        .order_by(RatingReport.version.desc())
        .limit(1)
    )


def report_summary(row: RatingReport) -> dict[str, Any]:
    """Return a report version without its findings (no personal data)."""
    return {
        "id": row.id,
        "case_id": row.case_id,
        "version": row.version,
        "rating": row.rating,
        "rules_version": row.rules_version,
        "rules_sha256": row.rules_sha256,
        "released_at": row.released_at.isoformat(),
        "changes": dict(row.changes),
    }


def report_view(
    tx: Tx,
    actor: Actor,
    case: Case,
    row: RatingReport,
    loaded: tuple[list[Finding], dict[str, list[Source]]] | None = None,
) -> dict[str, Any]:
    """Return a released report as the viewer may see it (inside an entered tx).

    Its findings are the ones it rests on that the viewer is shown (`cases.visibility`:
    verified ones only, for the employer); the others are listed without their content.
    `loaded` is the case's findings and sources when the caller has read them already.
    """
    used = set(row.finding_ids)
    sight = case_sight(actor, case_facts(case, used), tx.clock.now())
    open_ = Opener(tx, actor, case, sight)
    findings, sources = loaded or (case_findings(tx, case.id), sources_by_finding(tx, case.id))
    shown = {f.id for f in findings if f.id in used and sight.shows_finding(f.id, f.status)}
    accounts = accounts_by_finding(tx, case.id, open_.allowed)
    return {
        **report_summary(row),
        "explanation": [dict(e) for e in row.explanation],
        "findings": [
            {
                "id": f.id,
                "category": f.category,
                "claim": open_("finding.claim", f.claim),
                "adverse": f.adverse,
                "status": f.status,
                "sources": [source_view(s, open_) for s in sources.get(f.id, [])],
                "candidate_account": accounts.get(f.id, []),
            }
            for f in findings
            if f.id in shown
        ],
        "not_used": [
            {"id": f.id, "category": f.category, "status": f.status}
            for f in findings
            if f.id not in shown
        ],
    }


def list_reports(uow: UnitOfWork, *, actor: Actor, case_id: str) -> list[dict[str, Any]]:
    """Return every released version of a case's report, oldest first."""
    require_staff(actor)
    with uow as tx:
        case = load_case(tx.session, actor, case_id)
        rows = tx.session.scalars(
            select(RatingReport)
            .where(RatingReport.case_id == case.id)
            .order_by(RatingReport.version)
        )
        return [report_summary(r) for r in rows]


def candidate_report(uow: UnitOfWork, *, actor: Actor) -> dict[str, Any]:
    """Return the candidate's released report, the same as the employer's, with their rights."""
    if actor.kind != "candidate" or actor.case_id is None:
        raise Forbidden()
    with uow as tx:
        case = load_case(tx.session, actor, actor.case_id)
        row = latest_report(tx, case.id)
        if row is None or case.status not in REPORTED:
            raise InvalidState("No report has been released for this check yet.")
        return {**report_view(tx, actor, case, row), "rights": rights_by_language()}


def case_section(tx: Tx, actor: Actor, case: Case) -> dict[str, Any]:
    """Add the findings and the latest report to the case file (a `cases.queries` section)."""
    row = latest_report(tx, case.id)
    # The findings and their sources are read once for both parts of the case file.
    loaded = (case_findings(tx, case.id), sources_by_finding(tx, case.id))
    return {
        "findings": findings_view(tx, actor, case, loaded),
        "report": report_view(tx, actor, case, row, loaded)
        if row and case.status in REPORT_STATES
        else None,
    }
