"""The consent receipt: the candidate's copy of a consent record (ISO/IEC TS 27560 fields)."""

from __future__ import annotations

from typing import Any

from fairscreen.cases.actions import load_case
from fairscreen.consent.document import load_template
from fairscreen.consent.policy import rights_in
from fairscreen.consent.queries import consent_status, latest_consent
from fairscreen.db.uow import UnitOfWork
from fairscreen.identity.models import Org
from fairscreen.identity.policy import Actor
from fairscreen.scope.models import Position
from fairscreen.scope.policy import load_pack
from fairscreen.shared.errors import Forbidden, NotFound
from fairscreen.shared.languages import DEFAULT_LANGUAGE, page_language, text_in

SCHEMA = "fairscreen-consent-receipt/1 (ISO/IEC TS 27560:2023)"
LEGAL_BASIS = "consent (PIPL Art. 13(1), 14, 29)"
COLLECTION_METHOD = "web form, typed-name signature"
WITHDRAWAL_METHOD = (
    "the withdraw button on the candidate page, or POST /api/v1/candidate/consent/withdraw "
    "with the invitation token; collection stops at once and the data is destroyed"
)


def _org(org: Org | None) -> dict[str, str] | None:
    return {"id": org.id, "name": org.name} if org else None


def consent_receipt(
    uow: UnitOfWork, *, actor: Actor, lang: str = DEFAULT_LANGUAGE
) -> dict[str, Any]:
    """Return the receipt of the candidate's latest consent decision."""
    if actor.kind != "candidate" or actor.case_id is None:
        raise Forbidden("This is for the candidate, through the invitation link.")
    lang = page_language(lang)
    with uow as tx:
        session = tx.session
        case = load_case(session, actor, actor.case_id)
        record = latest_consent(session, case.id)
        if record is None:
            raise NotFound("You have not signed or refused consent yet.")
        pack = load_pack(case.pack)
        position = session.get(Position, case.position_id)
        assert position is not None
        purposes = load_template()["purposes"]
        days = dict(pack.settings.get("retention_days", {}))
        status = consent_status(record)
        return {
            "record_id": record.id,
            "schema_version": SCHEMA,
            "pii_principal_id": case.id,
            "controller": _org(session.get(Org, case.employer_org_id)),
            "processor": _org(session.get(Org, case.agency_org_id)) if case.agency_org_id else None,
            "jurisdiction": {"pack": case.pack, "pack_version": case.pack_version},
            "purposes": [
                {
                    "code": position.purpose,
                    "description": text_in(purposes[position.purpose], lang)
                    if position.purpose in purposes
                    else position.purpose,
                    "position_grade": position.grade,
                }
            ],
            "decision": record.decision,
            "pii_categories": [
                {
                    "code": code,
                    "name": text_in(pack.taxonomy.categories[code].names, lang),
                    "sensitive": pack.is_sensitive(code),
                    "separate_consent": code in record.separate_consent,
                }
                for code in record.granted_categories
            ],
            "declined_categories": list(record.declined_categories),
            "processing_methods": {
                code: list(pack.methods_for(code)) for code in record.granted_categories
            },
            "legal_basis": LEGAL_BASIS,
            "notice": {
                "version": record.document_version,
                "sha256": record.document_sha256,
                "lang": record.document_lang,
            },
            "scope_sha256": record.scope_sha256,
            "consent_timestamp": record.at.isoformat(),
            "collection_method": COLLECTION_METHOD,
            "status": "active" if status == "signed" else status,
            "withdrawn_at": record.withdrawn_at.isoformat() if record.withdrawn_at else None,
            "retention": {
                "not_hired_days_after_decision": days.get("not_hired", 180),
                "hired_days_after_employment_end": days.get("hired_after_end", 30),
                "on_refusal_or_withdrawal": "destroyed at once",
                "destroy_due_at": case.destroy_due_at.isoformat() if case.destroy_due_at else None,
            },
            "rights": rights_in(lang),
            "withdrawal_method": WITHDRAWAL_METHOD,
        }
