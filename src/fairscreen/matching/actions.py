"""Keeping the candidate's identifiers and checking a record's subject against them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fairscreen.cases.actions import load_case
from fairscreen.cases.models import Case
from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.identity.policy import Actor
from fairscreen.ledger.event_types import EventType
from fairscreen.ledger.events import append_event
from fairscreen.matching.models import CandidateIdentifiers
from fairscreen.matching.policy import Identifiers, MatchResult, own_identifiers, require_match
from fairscreen.shared.errors import Forbidden, IdentityNotMatched


def store_identifiers(tx: Tx, case: Case, raw: Mapping[str, Any]) -> None:
    """Validate, seal and keep the candidate's identifiers (inside an entered unit of work).

    Every path that takes them from the candidate calls this, so the validation is one.
    """
    parsed = own_identifiers(raw, tx.clock.now().date())  # before anything is stored
    payload = {
        "id_number": parsed.id_number,
        "date_of_birth": parsed.date_of_birth,
        "addresses": list(parsed.addresses),
    }
    vault = tx.vault
    sealed = vault.seal(case.id, "matching_identifiers.identifiers", json.dumps(payload))
    row = tx.session.get(CandidateIdentifiers, case.id)
    now = tx.clock.now()
    if row is None:
        tx.session.add(CandidateIdentifiers(case_id=case.id, identifiers=sealed, updated_at=now))
    else:
        row.identifiers, row.updated_at = sealed, now


def do_set_identifiers(uow: UnitOfWork, *, actor: Actor, raw: Mapping[str, Any]) -> None:
    """Record the candidate's own identifiers, used only to match records to them."""
    if actor.kind != "candidate" or actor.case_id is None:
        raise Forbidden()
    with uow as tx:
        case = load_case(tx.session, actor, actor.case_id)
        store_identifiers(tx, case, raw)
        append_event(
            tx.session,
            type=EventType.IDENTIFIERS_PROVIDED,
            actor=actor.ref,
            at=tx.clock.now(),
            case_id=case.id,
            org_id=case.employer_org_id,
            data={},
        )
        tx.commit()


def check_subject(
    tx: Tx, case: Case, subject: Mapping[str, Any], *, court_document: bool = False
) -> MatchResult:
    """Match a record's subject with the candidate (inside an entered unit of work).

    `court_document`: the source is of a kind whose document may name the candidate.
    """
    vault = tx.vault
    row = tx.session.get(CandidateIdentifiers, case.id)
    own: dict[str, Any] = {}
    if row is not None and row.identifiers is not None:
        own = json.loads(vault.open(case.id, "matching_identifiers.identifiers", row.identifiers))
    if case.candidate_name is None:
        raise IdentityNotMatched("The case no longer holds the candidate's name.")
    own["name"] = vault.open(case.id, "case.candidate_name", case.candidate_name)
    return require_match(
        Identifiers.parse(own), Identifiers.parse(subject), court_document=court_document
    )
