"""Reading evidence back: decrypted only for those the visibility rule shows its finding to."""

from __future__ import annotations

from dataclasses import dataclass

from fairscreen.cases.actions import case_ref
from fairscreen.cases.models import Case
from fairscreen.cases.queries import sight_of
from fairscreen.db.uow import UnitOfWork
from fairscreen.evidence.actions import FIELD
from fairscreen.evidence.models import EvidenceFile
from fairscreen.identity.policy import Actor, access_case
from fairscreen.shared.errors import Forbidden, NotFound
from fairscreen.shared.sealed import Sealed
from fairscreen.verification.models import Finding


@dataclass(frozen=True)
class EvidenceContent:
    content_type: str
    data: bytes


def open_evidence(uow: UnitOfWork, *, actor: Actor, evidence_id: str) -> EvidenceContent:
    """Return an evidence file decrypted, for a viewer its finding is opened to.

    The investigators doing the check and the candidate read every file; the employer
    only the files of verified findings its released report rests on (`cases.visibility`);
    nobody once the case's destruction is due.
    """
    with uow as tx:
        row = tx.session.get(EvidenceFile, evidence_id)
        case = tx.session.get(Case, row.case_id) if row else None
        access_case(actor, case_ref(case) if case else None)
        assert row is not None and case is not None
        finding = tx.session.get(Finding, row.finding_id)
        sight = sight_of(tx, actor, case)
        if finding is None or not sight.opens_finding(finding.id, finding.status):
            raise Forbidden(
                "This file belongs to a finding you may not see: the employer sees the"
                " evidence of the released report's verified findings only, and nobody"
                " reads a case whose data is due for destruction."
            )
        try:
            blob = tx.evidence.get(row.storage_key)
        except KeyError as exc:
            raise NotFound("The file of this evidence is gone.") from exc
        vault = tx.vault
        data = vault.open_bytes(row.case_id, FIELD, Sealed(blob))
        return EvidenceContent(row.content_type, data)
