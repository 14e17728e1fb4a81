"""Step 3: record findings and their sources; the status is recomputed on every change."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from fairscreen.cases.actions import case_ref
from fairscreen.cases.models import Case
from fairscreen.consent.queries import check_collecting
from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.identity.policy import Actor, access_case_as_investigator
from fairscreen.ledger.event_types import EventType
from fairscreen.ledger.events import append_event
from fairscreen.matching.actions import check_subject
from fairscreen.scope.guard import screen_text
from fairscreen.scope.policy import Pack, load_pack
from fairscreen.shared.errors import (
    ForbiddenCategory,
    ForbiddenContent,
    IdentityNotMatched,
    NotFound,
    OutOfScope,
    ValidationFailed,
)
from fairscreen.shared.ids import new_id
from fairscreen.verification.models import Finding, Source
from fairscreen.verification.policy import (
    SEVERITIES,
    SourceView,
    Status,
    load_rules,
    origin_organisation,
    status_of,
)

STATUS_EVENTS = {
    Status.VERIFIED: EventType.FINDING_VERIFIED,
    Status.INCONCLUSIVE: EventType.FINDING_INCONCLUSIVE,
    Status.UNVERIFIED: EventType.FINDING_UNVERIFIED,
}


@dataclass(frozen=True)
class FindingState:
    """A finding's id and verification status after a change."""

    id: str
    status: str


def _screen(text: str) -> tuple[bool, str | None]:
    """Run the free-text guard; return (ok, topic)."""
    result = screen_text(text)
    return result.ok, result.topic


def check_text(text: str, field: str) -> None:
    """Refuse text that touches a topic that may never be recorded."""
    ok, topic = _screen(text)
    if not ok:
        raise ForbiddenContent(
            f"The {field} touches a topic that may never be recorded: {topic}.",
            field=field,
            topic=topic,
        )


def _case_for_investigator(tx: Tx, actor: Actor, case_id: str) -> Case:
    case = tx.session.get(Case, case_id, with_for_update=True)
    access_case_as_investigator(actor, case_ref(case) if case else None)
    assert case is not None
    return case


def check_finding(pack: Pack, *, category: str, severity: str | None, adverse: bool) -> str:
    """Check a finding's category, litigation role and severity; return the severity."""
    if category in pack.forbidden:
        raise ForbiddenCategory(
            f"'{category}' may never be collected for employment.", category=category
        )
    if pack.taxonomy.get(category) is None:
        raise ValidationFailed(f"Unknown category '{category}'.", field="category")
    chosen = severity or ("material" if adverse else "minor")
    if chosen not in SEVERITIES:
        raise ValidationFailed(
            f"severity must be one of {', '.join(SEVERITIES)}.", field="severity"
        )
    return chosen


def check_litigation_role(pack: Pack, category: str, subject_role: str | None) -> None:
    """Refuse litigation where the candidate was not a defendant (suing is a right)."""
    if category != "litigation":
        return
    if not subject_role:
        raise ValidationFailed(
            "A litigation finding needs the candidate's role (subject_role).",
            field="subject_role",
        )
    if subject_role not in pack.litigation_roles_allowed:
        raise ForbiddenCategory(
            f"Litigation where the candidate was {subject_role} may not be recorded.",
            category=category,
            subject_role=subject_role,
        )


def do_record_finding(
    uow: UnitOfWork,
    *,
    actor: Actor,
    case_id: str,
    category: str,
    claim: str,
    adverse: bool = False,
    subject_role: str | None = None,
    severity: str | None = None,
    job_related: bool = True,
    fact_date: date | None = None,
) -> FindingState:
    """Record a finding (unverified until sources verify it); nothing is kept on refusal."""
    with uow as tx:
        case = _case_for_investigator(tx, actor, case_id)
        tx.concerning(case.employer_org_id, case.id)
        pack = load_pack(case.pack)
        chosen = check_finding(pack, category=category, severity=severity, adverse=adverse)
        check_collecting(tx.session, case, category)
        check_litigation_role(pack, category, subject_role)
        if not claim.strip():
            raise ValidationFailed("Describe the finding.", field="claim")
        check_text(claim, "claim")
        now = tx.clock.now()
        if fact_date is not None and fact_date > now.date():
            raise ValidationFailed("The fact cannot lie in the future.", field="fact_date")
        result = status_of([], category=category)
        finding_id = new_id("fnd")
        vault = tx.vault
        sealed = vault.seal(case.id, "finding.claim", claim)
        tx.session.add(
            Finding(
                id=finding_id,
                case_id=case.id,
                employer_org_id=case.employer_org_id,
                agency_org_id=case.agency_org_id,
                category=category,
                claim=sealed,
                adverse=adverse,
                subject_role=subject_role,
                severity=chosen,
                job_related=job_related,
                fact_date=fact_date,
                status=result.status.value,
                reason_code=result.reason_code.value,
                rules_version=result.rules_version,
                recorded_by=actor.id,
                recorded_at=now,
                updated_at=now,
            )
        )
        append_event(
            tx.session,
            type=EventType.FINDING_RECORDED,
            actor=actor.ref,
            at=now,
            case_id=case.id,
            org_id=case.employer_org_id,
            data={
                "finding_id": finding_id,
                "category": category,
                "adverse": adverse,
                "severity": chosen,
                "status": result.status.value,
                "rules_version": result.rules_version,
            },
        )
        tx.commit()
        return FindingState(finding_id, result.status.value)


def check_source_kind(pack: Pack, category: str, kind: str) -> None:
    """Refuse a source kind the rules do not know or the scope does not allow for a category."""
    method = load_rules().kind(kind).method  # unknown kinds: validation_error
    if method is None:  # the candidate's own word: always allowed
        return
    if method not in pack.methods_for(category):
        raise OutOfScope(
            f"A source of kind '{kind}' may not be used for '{category}'.",
            category=category,
            kind=kind,
        )


def do_add_source(
    uow: UnitOfWork,
    *,
    actor: Actor,
    finding_id: str,
    kind: str,
    origin: str,
    supports: bool,
    note: str | None = None,
    subject: Mapping[str, Any] | None = None,
) -> FindingState:
    """Add a source to a finding and recompute its status under the verification rules."""
    with uow as tx:
        finding = tx.session.get(Finding, finding_id, with_for_update=True)
        if finding is None:
            raise NotFound()
        case = _case_for_investigator(tx, actor, finding.case_id)
        tx.concerning(case.employer_org_id, case.id)
        check_collecting(tx.session, case, finding.category)
        check_source_kind(load_pack(case.pack), finding.category, kind)
        if not origin.strip():
            raise ValidationFailed("Name the source's origin.", field="origin")
        check_text(origin, "origin")
        if note:
            check_text(note, "note")
        matched = _match_subject(tx, case, kind, finding.category, subject)
        now = tx.clock.now()
        source_id = new_id("src")
        vault = tx.vault
        source = Source(
            id=source_id,
            finding_id=finding.id,
            case_id=case.id,
            kind=kind,
            origin=vault.seal(case.id, "source.origin", origin),
            origin_normalised=_origin_hash(vault.lookup_hash, origin),
            supports=supports,
            note=vault.seal(case.id, "source.note", note) if note else None,
            matched_identifiers=(
                vault.seal(case.id, "source.matched_identifiers", ",".join(matched))
                if matched is not None
                else None
            ),
            retracted=False,
            recorded_by=actor.id,
            recorded_at=now,
        )
        tx.session.add(source)
        tx.session.flush()
        previous = finding.status
        status = recompute(tx, finding)
        data = {"finding_id": finding.id, "source_id": source_id, "kind": kind}
        append_event(
            tx.session,
            type=EventType.SOURCE_RECORDED,
            actor=actor.ref,
            at=now,
            case_id=case.id,
            org_id=case.employer_org_id,
            data={**data, "supports": supports},
        )
        if status.value != previous:
            append_event(
                tx.session,
                type=STATUS_EVENTS[status],
                actor=actor.ref,
                at=now,
                case_id=case.id,
                org_id=case.employer_org_id,
                data={
                    "finding_id": finding.id,
                    "status": status.value,
                    "previous": previous,
                    "reason": finding.reason_code,
                    "rules_version": finding.rules_version,
                },
            )
        tx.commit()
        return FindingState(finding.id, finding.status)


def _match_subject(
    tx: Tx, case: Case, kind: str, category: str, subject: Mapping[str, Any] | None
) -> list[str] | None:
    """Tie a record about a person to the candidate, or refuse (matching/policy.py)."""
    rules = load_rules()
    if not rules.subject_required(kind, category):
        if subject is not None:
            raise ValidationFailed("Only records about a person carry a subject.", field="subject")
        return None
    if subject is None:
        raise IdentityNotMatched(
            f"A {kind.replace('_', ' ')} source for a {category.replace('_', ' ')} finding is "
            "a record about a person: give the identifiers on the record (subject: the name, "
            "the ID number, and the date of birth or address).",
            reason="subject_required",
            missing=["name", "id_number", "date_of_birth", "address"],
        )
    result = check_subject(tx, case, subject, court_document=rules.kind(kind).court_document)
    return [*result.matched, *(["court_document"] if result.court_document else [])]


def _origin_hash(lookup_hash: Callable[[str, str], str], origin: str) -> str:
    # Compared without plaintext; an origin that normalises to nothing stays blank.
    normalised = origin_organisation(origin)
    return lookup_hash("origin", normalised) if normalised else ""


def recompute(tx: Tx, finding: Finding) -> Status:
    """Store a finding's status from all its sources; return it (call after any change)."""
    sources = tx.session.scalars(select(Source).where(Source.finding_id == finding.id)).all()
    result = status_of(
        [
            SourceView(s.kind, s.origin_normalised, s.supports, s.retracted, s.recorded_at)
            for s in sources
        ],
        category=finding.category,
    )
    finding.status = result.status.value
    finding.reason_code = result.reason_code.value
    finding.rules_version = result.rules_version
    finding.updated_at = tx.clock.now()
    return result.status
