"""Upload evidence to a finding: checked, sealed under the case key, stored, evented."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fairscreen.cases.actions import case_ref
from fairscreen.cases.models import Case
from fairscreen.consent.queries import check_collecting
from fairscreen.db.uow import UnitOfWork
from fairscreen.evidence.models import EvidenceFile
from fairscreen.evidence.policy import MAX_SIZE, check_size, sniff_type
from fairscreen.identity.policy import Actor, access_case_as_investigator
from fairscreen.ledger.event_types import EventType
from fairscreen.ledger.events import append_event
from fairscreen.shared.errors import (
    NotFound,
)
from fairscreen.shared.ids import new_id
from fairscreen.verification.models import Finding

FIELD = "evidence.file"


@dataclass(frozen=True)
class Uploaded:
    """What the uploader learns: the plaintext hash is given here and never stored."""

    id: str
    content_type: str
    size: int
    sha256: str

    def as_dict(self) -> dict[str, object]:
        """Return the answer as plain data."""
        return {
            "id": self.id,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }


def storage_keys_of(session: Session, case_ids: list[str]) -> list[str]:
    """Return the storage keys of the cases' evidence (read before their rows go)."""
    return list(
        session.scalars(select(EvidenceFile.storage_key).where(EvidenceFile.case_id.in_(case_ids)))
    )


def do_upload_evidence(
    uow: UnitOfWork,
    *,
    actor: Actor,
    finding_id: str,
    data: bytes,
    max_size: int = MAX_SIZE,
) -> Uploaded:
    """Attach a PDF, JPEG or PNG to a finding; the file is kept only sealed."""
    with uow as tx:
        session = tx.session
        finding = session.get(Finding, finding_id)
        if finding is None:
            raise NotFound()
        case = session.get(Case, finding.case_id, with_for_update=True)
        access_case_as_investigator(actor, case_ref(case) if case else None)
        assert case is not None
        tx.concerning(case.employer_org_id, case.id)
        check_size(len(data), max_size)
        content_type = sniff_type(data)
        check_collecting(session, case, finding.category)
        now = tx.clock.now()
        evidence_id = new_id("evd")
        vault = tx.vault
        blob = vault.seal_bytes(case.id, FIELD, data).blob
        stored_sha = hashlib.sha256(blob).hexdigest()
        key = f"{case.id}/{evidence_id}"
        session.add(
            EvidenceFile(
                id=evidence_id,
                case_id=case.id,
                finding_id=finding.id,
                storage_key=key,
                content_type=content_type,
                size=len(data),
                sha256=stored_sha,
                uploaded_by=actor.id,
                uploaded_at=now,
            )
        )
        append_event(
            session,
            type=EventType.EVIDENCE_UPLOADED,
            actor=actor.ref,
            at=now,
            case_id=case.id,
            org_id=case.employer_org_id,
            data={
                "evidence_id": evidence_id,
                "finding_id": finding.id,
                "content_type": content_type,
                "size": len(data),
                "ciphertext_sha256": stored_sha,
            },
        )
        store = tx.evidence
        # Written before the commit so a committed row always has its file; a failed
        # commit removes the (sealed, unreferenced) file again.
        store.put(key, blob)
        try:
            tx.commit()
        except BaseException:
            store.delete(key)
            raise
        return Uploaded(evidence_id, content_type, len(data), hashlib.sha256(data).hexdigest())
