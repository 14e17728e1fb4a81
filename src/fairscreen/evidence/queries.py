"""Reading evidence back: decrypted only for those who may see the case's personal data."""

from __future__ import annotations

from dataclasses import dataclass

from fairscreen.cases.actions import case_ref
from fairscreen.cases.models import Case
from fairscreen.db.uow import UnitOfWork
from fairscreen.evidence.actions import FIELD
from fairscreen.evidence.models import EvidenceFile
from fairscreen.identity.policy import Actor, access_case, may_see_personal_data
from fairscreen.shared.errors import Forbidden, NotFound
from fairscreen.shared.sealed import Sealed


@dataclass(frozen=True)
class EvidenceContent:
    content_type: str
    data: bytes


def open_evidence(uow: UnitOfWork, *, actor: Actor, evidence_id: str) -> EvidenceContent:
    """Return an evidence file decrypted, for viewers of the case's personal data."""
    with uow as tx:
        row = tx.session.get(EvidenceFile, evidence_id)
        case = tx.session.get(Case, row.case_id) if row else None
        ref = access_case(actor, case_ref(case) if case else None)
        assert row is not None
        if not may_see_personal_data(actor, ref):
            raise Forbidden("Your role may not see this case's personal data.")
        try:
            blob = tx.evidence.get(row.storage_key)
        except KeyError as exc:
            raise NotFound("The file of this evidence is gone.") from exc
        vault = tx.vault
        data = vault.open_bytes(row.case_id, FIELD, Sealed(blob))
        return EvidenceContent(row.content_type, data)
