"""Read-only views of findings and sources, personal text opened only for allowed viewers."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from fairscreen.cases.models import Case
from fairscreen.cases.queries import sight_of
from fairscreen.cases.visibility import Sight
from fairscreen.db.uow import Tx
from fairscreen.identity.policy import Actor
from fairscreen.shared.sealed import Sealed
from fairscreen.verification.models import Finding, Source


def case_findings(tx: Tx, case_id: str) -> list[Finding]:
    """Return a case's findings in the order they were recorded."""
    return list(
        tx.session.scalars(
            select(Finding)
            .where(Finding.case_id == case_id)
            .order_by(Finding.recorded_at, Finding.id)
        )
    )


def sources_by_finding(tx: Tx, case_id: str) -> dict[str, list[Source]]:
    """Return a case's sources grouped by finding, in the order they were recorded."""
    grouped: dict[str, list[Source]] = defaultdict(list)
    rows = tx.session.scalars(
        select(Source).where(Source.case_id == case_id).order_by(Source.recorded_at, Source.id)
    )
    for source in rows:
        grouped[source.finding_id].append(source)
    return grouped


class Opener:
    """Opens a case's sealed fields for a viewer who may see them, else gives None.

    Whether the viewer may read the case's personal data at all is the visibility
    rule's (`cases.visibility`); which findings are shown to open is the caller's to
    ask of `sight` (a finding not shown is not passed here).
    """

    def __init__(self, tx: Tx, actor: Actor, case: Case, sight: Sight | None = None) -> None:
        self.tx = tx
        self.case_id = case.id
        self.sight = sight if sight is not None else sight_of(tx, actor, case)
        self.allowed = self.sight.personal_data
        if self.allowed:
            self.allowed = tx.vault.is_readable(case.id)

    def __call__(self, field: str, sealed: Sealed | None) -> str | None:
        """Return the plaintext of a sealed field, or None when not allowed or absent."""
        if not self.allowed or sealed is None:
            return None
        return self.tx.vault.open(self.case_id, field, sealed)


def _split(text: str | None) -> list[str] | None:
    return None if text is None else [p for p in text.split(",") if p]


def source_view(source: Source, open_: Opener) -> dict[str, Any]:
    """Return one source as the viewer may see it."""
    return {
        "id": source.id,
        "kind": source.kind,
        "origin": open_("source.origin", source.origin),
        "supports": source.supports,
        "note": open_("source.note", source.note),
        "matched_identifiers": _split(
            open_("source.matched_identifiers", source.matched_identifiers)
        ),
        "retracted": source.retracted,
        "recorded_at": source.recorded_at.isoformat(),
    }


def finding_view(finding: Finding, sources: list[Source], open_: Opener) -> dict[str, Any]:
    """Return one finding with its sources as the viewer may see it."""
    return {
        "id": finding.id,
        "category": finding.category,
        "claim": open_("finding.claim", finding.claim),
        "adverse": finding.adverse,
        "severity": finding.severity,
        "job_related": finding.job_related,
        "subject_role": finding.subject_role,
        "fact_date": finding.fact_date.isoformat() if finding.fact_date else None,
        "status": finding.status,
        "reason_code": finding.reason_code,
        "rules_version": finding.rules_version,
        "sources": [source_view(s, open_) for s in sources],
    }


def findings_view(
    tx: Tx,
    actor: Actor,
    case: Case,
    loaded: tuple[list[Finding], dict[str, list[Source]]] | None = None,
) -> list[dict[str, Any]]:
    """Return the findings of a case the viewer may see, as they may see them (in a tx).

    The organisation doing the check sees its whole working file; the employer only the
    released report's verified findings (`cases.visibility`).
    `loaded` is the case's findings and sources when the caller has read them already.
    """
    open_ = Opener(tx, actor, case)
    findings, sources = loaded or (case_findings(tx, case.id), sources_by_finding(tx, case.id))
    return [
        finding_view(f, sources.get(f.id, []), open_)
        for f in findings
        if open_.sight.shows_finding(f.id, f.status)
    ]
