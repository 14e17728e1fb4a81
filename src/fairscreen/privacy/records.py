"""The record of processing activities (PIPL Art. 55-56, GDPR Art. 30), from live configuration."""

from __future__ import annotations

from typing import Any

from sqlalchemy import distinct, func, select

from fairscreen.cases.models import Case
from fairscreen.db.uow import UnitOfWork
from fairscreen.identity.models import Org
from fairscreen.identity.policy import Actor
from fairscreen.identity.queries import load_org_as_admin_or_regulator
from fairscreen.scope.models import Position
from fairscreen.scope.policy import load_pack


def processing_record(uow: UnitOfWork, *, actor: Actor, org_id: str) -> dict[str, Any]:
    """Generate the record of processing activities of an organisation."""
    with uow as tx:
        session = tx.session
        org = load_org_as_admin_or_regulator(session, actor, org_id)
        pack = load_pack(org.pack)
        positions = list(session.scalars(select(Position).where(Position.org_id == org.id)))
        requested = set()
        for cats in session.scalars(select(Case.categories).where(Case.employer_org_id == org.id)):
            requested.update(cats)
        agencies = list(
            session.execute(
                select(Org.id, Org.name).where(
                    Org.id.in_(
                        select(distinct(Case.agency_org_id)).where(
                            Case.employer_org_id == org.id, Case.agency_org_id.is_not(None)
                        )
                    )
                )
            )
        )
        employers = list(
            session.execute(
                select(Org.id, Org.name).where(
                    Org.id.in_(
                        select(distinct(Case.employer_org_id)).where(Case.agency_org_id == org.id)
                    )
                )
            )
        )
        live = int(
            session.scalar(
                select(func.count())
                .select_from(Case)
                .where(
                    (Case.employer_org_id == org.id) | (Case.agency_org_id == org.id),
                    Case.status != "destroyed",
                )
            )
            or 0
        )
        allowed = sorted({c for p in positions for c in p.allowed_categories})
        tax = pack.taxonomy
        from fairscreen.rating.policy import load_rules as load_rating_rules
        from fairscreen.scope.guard import load_lexicon

        return {
            "organisation": {
                "id": org.id,
                "name": org.name,
                "kind": org.kind,
                "regulator_id": org.regulator_id,
            },
            "role": "controller" if org.kind == "employer" else "entrusted party (processor)",
            "law": dict(pack.settings.get("law", {})),
            "purposes": sorted({p.purpose for p in positions}) or ["pre-employment screening"],
            "legal_basis": "consent of the individual (PIPL Art. 13(1)); separate consent for "
            "sensitive personal information (PIPL Art. 29)",
            "data_subjects": "job candidates",
            "categories": [
                {
                    "code": c,
                    "name": dict(tax.categories[c].names),
                    "sensitive": tax.categories[c].sensitive,
                    "methods": list(tax.categories[c].methods),
                }
                for c in sorted(set(allowed) | requested)
                if c in tax.categories
            ],
            "never_collected": sorted(pack.forbidden),
            "recipients": [
                {"id": a.id, "name": a.name, "role": "screening agency"} for a in agencies
            ]
            + [{"id": e.id, "name": e.name, "role": "requesting employer"} for e in employers],
            "cross_border_transfers": "none",
            "retention_days": dict(pack.settings.get("retention_days", {})),
            "security_measures": [
                "AES-256-GCM encryption of every personal field under a per-case data key",
                f"data keys wrapped by a key-encryption key ({tx.links.key_provider} "
                "key provider), destroyed on expiry (crypto-shredding)",
                "tamper-evident Merkle ledger of every step (RFC 9162), signed checkpoints",
                "role- and organisation-scoped access; API keys and tokens stored hashed",
                "free-text guard against forbidden topics",
            ],
            "rule_versions": {
                "pack": pack.version,
                "taxonomy": tax.version,
                "rating_rules": load_rating_rules().version,
                "lexicon": load_lexicon(pack.code).version,
            },
            "live_cases": live,
            "generated_at": tx.clock.now().isoformat(),
        }
