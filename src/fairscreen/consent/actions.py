"""Consent commands: sign (籤署授權), refuse before signing, withdraw at any time.

Refusal and withdrawal keep the candidate's token valid, so the candidate can still read
the case and the consent receipt; what stops is collection: `collection_stopped_at` is
set, and `consent.policy.check_collection` refuses every further finding or source with
`consent_withdrawn`. Destruction is due at once (`destroy_due_at = now`) and carried out
by retention.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fairscreen.cases.actions import load_case, shorten_candidate_tokens, transition
from fairscreen.cases.models import Case
from fairscreen.cases.policy import next_status
from fairscreen.cases.queries import candidate_fields
from fairscreen.consent.models import ConsentRecord
from fairscreen.consent.policy import (
    STAFF_DEVICE_WINDOW_HOURS,
    check_consent_choice,
    names_match,
    staff_device_match,
)
from fairscreen.consent.queries import consent_document_for, standing_consent
from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.identity.actions import Client, client_hashes
from fairscreen.identity.addresses import mask_address
from fairscreen.identity.policy import Actor
from fairscreen.identity.queries import staff_clients_from
from fairscreen.ledger.event_types import EventType
from fairscreen.ledger.events import append_event, iso
from fairscreen.matching.actions import store_identifiers
from fairscreen.scope.models import Position
from fairscreen.scope.policy import load_pack, scope_hash
from fairscreen.shared.errors import Forbidden, ValidationFailed
from fairscreen.shared.ids import new_id
from fairscreen.shared.languages import DEFAULT_LANGUAGE, LANGUAGES
from fairscreen.webhooks.actions import enqueue


@dataclass(frozen=True)
class Evidence:
    """How the signature was given: the network origin and the browser (both sealed)."""

    ip: str | None = None
    user_agent: str | None = None


def _candidate_case(tx: Tx, actor: Actor) -> Case:
    if actor.kind != "candidate" or actor.case_id is None:
        raise Forbidden("This is for the candidate, through the invitation link.")
    return load_case(tx.session, actor, actor.case_id, for_update=True)


def _lang(lang: str | None) -> str:
    if lang is None:
        return DEFAULT_LANGUAGE
    if lang not in LANGUAGES:
        raise ValidationFailed(f"lang must be one of: {', '.join(LANGUAGES)}.", field="lang")
    return lang


def _scope(tx: Tx, case: Case, granted: Sequence[str]) -> str:
    position = tx.session.get(Position, case.position_id)
    assert position is not None
    return scope_hash(load_pack(case.pack), granted, position.purpose, position.grade)


def _staff_device(tx: Tx, case: Case, evidence: Evidence) -> str | None:
    """Tell whether the signing client matches a recent staff session of the employer."""
    ip_hash, full_hash = client_hashes(tx, Client(evidence.ip, evidence.user_agent))
    if ip_hash is None:
        return None
    since = tx.clock.now() - timedelta(hours=STAFF_DEVICE_WINDOW_HOURS)
    same_network = staff_clients_from(tx.session, case.employer_org_id, ip_hash, since)
    return staff_device_match(same_network, full_hash)


def _stop(case: Case, now: datetime) -> None:
    # Destruction is immediate on refusal or withdrawal; retention carries it out.
    case.collection_stopped_at = case.collection_stopped_at or now
    case.destroy_due_at = now


def do_sign_consent(
    uow: UnitOfWork,
    *,
    actor: Actor,
    full_name: str,
    agree: bool,
    categories: Sequence[str],
    separate_consent: Sequence[str] = (),
    lang: str | None = None,
    evidence: Evidence = Evidence(),
    identifiers: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Record the candidate's signed consent, freeze the granted scope, start the check."""
    lang = _lang(lang)
    if agree is not True:
        raise ValidationFailed("Tick 'I agree' to sign the authorisation.", field="agree")
    with uow as tx:
        case = _candidate_case(tx, actor)
        next_status(case.status, "sign_consent")  # refuse early, before any work
        fields = candidate_fields(tx, actor, case)
        if fields is None or not names_match(full_name, fields["name"]):
            raise ValidationFailed(
                "The name you typed does not match the name on this check; type your full "
                "name as the employer gave it.",
                field="full_name",
            )
        pack = load_pack(case.pack)
        granted, declined, separately = check_consent_choice(
            requested=case.categories,
            granted=categories,
            separate_consent=separate_consent,
            is_sensitive=pack.is_sensitive,
        )
        if identifiers:
            store_identifiers(tx, case, identifiers)
        doc = consent_document_for(tx, actor, case, lang)
        scope_sha = _scope(tx, case, granted)
        now = tx.clock.now()
        record_id = new_id("cns")
        vault = tx.vault
        match = _staff_device(tx, case, evidence)
        # The link that signed came by mail to the case's address: the invitation, or a
        # fresh link asked for at /c/renew, which goes to the same address.
        reached = mask_address(fields["email"])
        record = ConsentRecord(
            id=record_id,
            case_id=case.id,
            decision="signed",
            document_version=doc.version,
            document_sha256=doc.sha256,
            document_lang=doc.lang,
            granted_categories=granted,
            declined_categories=declined,
            separate_consent=separately,
            scope_sha256=scope_sha,
            signed_name=vault.seal(case.id, "consent_record.signed_name", full_name),
            ip=vault.seal(case.id, "consent_record.ip", evidence.ip) if evidence.ip else None,
            user_agent=(
                vault.seal(case.id, "consent_record.user_agent", evidence.user_agent)
                if evidence.user_agent
                else None
            ),
            reached_by=vault.seal(case.id, "consent_record.reached_by", reached),
            staff_device_match=match,
            at=now,
        )
        tx.session.add(record)
        transition(
            tx,
            case,
            "sign_consent",
            actor=actor,
            data={
                "consent_id": record_id,
                "document_version": doc.version,
                "document_sha256": doc.sha256,
                "lang": doc.lang,
                "scope_sha256": scope_sha,
                "granted": list(granted),
                "declined": list(declined),
                "separate_consent": list(separately),
                "signed_from_staff_device": match is not None,
            },
        )
        if match is not None:
            append_event(
                tx.session,
                type=EventType.CONSENT_STAFF_DEVICE_MATCHED,
                actor=actor.ref,
                at=now,
                case_id=case.id,
                org_id=case.employer_org_id,
                data={"consent_id": record_id, "match": match},
            )
        shorten_candidate_tokens(tx, case.id)
        enqueue(
            tx,
            org_id=case.employer_org_id,
            event_type="case.consented",
            data={"case_id": case.id, "status": case.status},
        )
        tx.commit()
        return {
            "status": case.status,
            "granted": granted,
            "declined": declined,
            "receipt_id": record_id,
        }


def do_refuse_consent(
    uow: UnitOfWork, *, actor: Actor, lang: str | None = None, evidence: Evidence = Evidence()
) -> dict[str, Any]:
    """Record the candidate's refusal before signing; nothing is collected, all is destroyed."""
    lang = _lang(lang)
    with uow as tx:
        case = _candidate_case(tx, actor)
        next_status(case.status, "refuse_consent")
        doc = consent_document_for(tx, actor, case, lang)
        now = tx.clock.now()
        record_id = new_id("cns")
        vault = tx.vault
        record = ConsentRecord(
            id=record_id,
            case_id=case.id,
            decision="refused",
            document_version=doc.version,
            document_sha256=doc.sha256,
            document_lang=doc.lang,
            granted_categories=[],
            declined_categories=list(case.categories),
            separate_consent=[],
            scope_sha256=_scope(tx, case, []),
            ip=vault.seal(case.id, "consent_record.ip", evidence.ip) if evidence.ip else None,
            user_agent=(
                vault.seal(case.id, "consent_record.user_agent", evidence.user_agent)
                if evidence.user_agent
                else None
            ),
            at=now,
        )
        tx.session.add(record)
        _stop(case, now)
        transition(
            tx,
            case,
            "refuse_consent",
            actor=actor,
            data={
                "consent_id": record_id,
                "document_version": doc.version,
                "document_sha256": doc.sha256,
                "destroy_due_at": iso(now),
            },
        )
        tx.commit()
        return {"status": case.status, "receipt_id": record_id, "destroy_due_at": now.isoformat()}


def do_withdraw_consent(uow: UnitOfWork, *, actor: Actor) -> dict[str, Any]:
    """Withdraw consent: collection stops at once and the case's data is due for destruction."""
    with uow as tx:
        case = _candidate_case(tx, actor)
        next_status(case.status, "withdraw_consent")
        now = tx.clock.now()
        record = standing_consent(tx.session, case.id)
        if record is not None:
            record.withdrawn_at = now
        _stop(case, now)
        transition(
            tx,
            case,
            "withdraw_consent",
            actor=actor,
            data={
                "consent_id": record.id if record else None,
                "destroy_due_at": iso(now),
            },
        )
        enqueue(
            tx,
            org_id=case.employer_org_id,
            event_type="case.withdrawn",
            data={"case_id": case.id, "status": case.status},
        )
        tx.commit()
        return {"status": case.status, "destroy_due_at": now.isoformat()}
