"""Read-only views of cases, shaped for the viewer's rights."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, or_, select
from sqlalchemy.orm import Session

from fairscreen.cases.actions import case_ref
from fairscreen.cases.models import Case
from fairscreen.cases.policy import COLLECTING, STATUSES, can
from fairscreen.cases.visibility import CaseFacts, Sight, case_sight, next_change
from fairscreen.db.fastread import FastReads, FastReadUnavailable
from fairscreen.db.uow import Collaborators, Tx, UnitOfWork
from fairscreen.identity.policy import (
    Actor,
    CaseRef,
    access_case,
    require_staff,
)
from fairscreen.scope.models import Position
from fairscreen.shared.errors import NotFound, ValidationFailed
from fairscreen.vault.keys import WrappedKey
from fairscreen.vault.models import VaultCaseKey
from fairscreen.vault.service import open_with_key


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def case_facts(case: Case, report_finding_ids: Collection[str] | None = None) -> CaseFacts:
    """Return what the visibility rule needs to know of a case (its report's used findings)."""
    return CaseFacts(case_ref(case), case.status, case.destroy_due_at, report_finding_ids)


def released_finding_ids(tx: Tx, case_id: str) -> list[str] | None:
    """Return the findings the case's latest released report rests on (None: no report)."""
    # Imported late: fairscreen.rating builds on this package.
    from fairscreen.rating.models import RatingReport

    ids = tx.session.scalar(
        select(RatingReport.finding_ids)
        .where(RatingReport.case_id == case_id)
        .order_by(RatingReport.version.desc())
        .limit(1)
    )
    return None if ids is None else list(ids)


def sight_of(tx: Tx, actor: Actor, case: Case, *, personal_only: bool = False) -> Sight:
    """Return what the actor may see of the case now (`cases.visibility`, the one rule).

    With `personal_only` the report is not read: enough to decide on personal fields.
    Kept for the transaction: a case file asks once for each of its sections.
    """
    key = ("sight", case.id, case.status, case.destroy_due_at, actor, personal_only)
    memo = tx.cache.get(repr(key))
    if isinstance(memo, Sight):
        return memo
    used = None if personal_only else released_finding_ids(tx, case.id)
    sight = case_sight(actor, case_facts(case, used), tx.clock.now())
    tx.cache[repr(key)] = sight
    return sight


def candidate_fields(tx: Tx, actor: Actor, case: Case) -> dict[str, str] | None:
    """Open the candidate's name and e-mail for a viewer who may see them."""
    if not sight_of(tx, actor, case, personal_only=True).personal_data:
        return None
    if case.candidate_name is None or case.candidate_email is None:
        return None
    vault = tx.vault
    return {
        "name": vault.open(case.id, "case.candidate_name", case.candidate_name),
        "email": vault.open(case.id, "case.candidate_email", case.candidate_email),
    }


def summary(case: Case) -> dict[str, Any]:
    """Return the non-personal summary of a case."""
    return {
        "id": case.id,
        "status": case.status,
        "position_id": case.position_id,
        "employer_id": case.employer_org_id,
        "agency_id": case.agency_org_id,
        "categories": list(case.categories),
        "pack_version": case.pack_version,
        "created_at": _iso(case.created_at),
        "updated_at": _iso(case.updated_at),
    }


def case_view(uow: UnitOfWork, *, actor: Actor, case_id: str) -> dict[str, Any]:
    """Return one case file as the viewer may see it."""
    view: dict[str, Any] = json.loads(case_file(uow, actor=actor, case_id=case_id))
    return view


# The field a cached case file is sealed under (its associated data, with the case id).
CASE_FILE_FIELD = "case.file"


# The one statement of a case-file read while the file is cached: who may see the case,
# its stamp, and its wrapped data key (cases/cache.py). Core, not the ORM: it runs on
# every read, and a session with its identity map costs more than the statement.
_STAMP = (
    select(
        Case.employer_org_id,
        Case.agency_org_id,
        Case.version,
        Case.revision,
        VaultCaseKey.kek_id,
        VaultCaseKey.wrapped,
    )
    .outerjoin(VaultCaseKey, VaultCaseKey.case_id == Case.id)
    .where(Case.id == bindparam("case_id"))
)


def case_file(uow: UnitOfWork, *, actor: Actor, case_id: str) -> bytes:
    """Return one case file as the viewer may see it, as UTF-8 JSON.

    Served from the process's case-file cache (cases/cache.py) when this viewer's file was
    built at the case's current stamp; built, sealed and kept otherwise. The stamp is read
    first, so a file is never kept under a stamp newer than what it was built from.
    """
    require_staff(actor)
    with uow.connection() as connection:
        row = connection.execute(_STAMP, {"case_id": case_id}).first()
    stamp = _stamp_of(actor, case_id, row)
    cached = _open_cached(uow.collaborators, actor, case_id, stamp)
    if cached is not None:
        return cached
    with uow as tx:
        now = tx.clock.now()
        view = _build_case_view(tx, actor, case_id)
        data = json.dumps(view, ensure_ascii=False, separators=(",", ":")).encode()
        if stamp.wrapped is not None:
            sealed = tx.vault.seal_bytes(case_id, CASE_FILE_FIELD, data)
            tx.case_files.put(case_id, actor, stamp.key, _valid_until(view, now), sealed)
    return data


async def cached_case_file(
    uow: UnitOfWork, fast_reads: FastReads | None, *, actor: Actor, case_id: str
) -> bytes | None:
    """Return the viewer's cached case file if it is current, reading the stamp on the loop.

    None when the file has to be built, or when the fast read cannot answer now (no
    PostgreSQL fast path, no idle connection, a database error): call `case_file` then.
    Refusals (`not_found`) are raised here as there.
    """
    require_staff(actor)
    if fast_reads is None:
        return None
    try:
        row = await fast_reads.fetchone(_STAMP, {"case_id": case_id})
    except FastReadUnavailable:
        return None
    return _open_cached(uow.collaborators, actor, case_id, _stamp_of(actor, case_id, row))


@dataclass(frozen=True)
class _Stamp:
    key: tuple[int, int]  # (version, revision)
    kek_id: str | None
    wrapped: bytes | None


def _stamp_of(actor: Actor, case_id: str, row: Any) -> _Stamp:
    """Check the viewer may see the case (else not_found); return its stamp and data key."""
    if row is None:
        raise NotFound()
    employer_org_id, agency_org_id, version, revision, kek_id, wrapped = row
    access_case(actor, CaseRef(case_id, employer_org_id, agency_org_id))
    return _Stamp((version, revision), kek_id, wrapped)


def _open_cached(using: Collaborators, actor: Actor, case_id: str, stamp: _Stamp) -> bytes | None:
    if stamp.wrapped is None or stamp.kek_id is None:
        return None  # destroyed: nothing is served from a copy
    sealed = using.case_files.get(case_id, actor, stamp.key, using.clock.now())
    if sealed is None:
        return None
    wrapped = WrappedKey(stamp.kek_id, bytes(stamp.wrapped))
    return open_with_key(using.keys, case_id, wrapped, CASE_FILE_FIELD, sealed)


def _build_case_view(tx: Tx, actor: Actor, case_id: str) -> dict[str, Any]:
    # The key is held here for the view's life: the identity map only keeps it weakly.
    case, position, _key = _load_case_file(tx.session, actor, case_id)
    view = summary(case)
    view["position"] = (
        {
            "id": position.id,
            "title": position.title,
            "purpose": position.purpose,
            "grade": position.grade,
        }
        if position
        else None
    )
    view["candidate"] = candidate_fields(tx, actor, case)
    # What pages ask of the state, so that no template compares status strings.
    view["collecting"] = case.status in COLLECTING
    view["may_decide"] = can(case.status, "decide")
    # The jurisdiction pack the case runs under: pages read its rules, not the default's.
    view["pack"] = case.pack
    # When the case's data falls due for destruction (and so is read by nobody).
    view["destroy_due_at"] = _iso(case.destroy_due_at)
    view.update({"consent": None, "findings": [], "report": None, "disputes": []})
    for section in SECTIONS:
        view.update(section(tx, actor, case))
    return view


def _valid_until(view: dict[str, Any], now: datetime) -> datetime | None:
    """Return when the file's time-bound parts change by themselves (None: never)."""
    edges = [edge for until in VALID_UNTIL if (edge := until(view, now)) is not None]
    return min(edges, default=None)


def _load_case_file(
    session: Session, actor: Actor, case_id: str
) -> tuple[Case, Position | None, VaultCaseKey | None]:
    """Load a case the actor may see, its position and data key in one statement, or raise.

    The case's data key comes in the same row: the vault then finds it in the session's
    identity map instead of asking the database again (a case read was 14 statements).
    """
    row = session.execute(
        select(Case, Position, VaultCaseKey)
        .outerjoin(Position, Position.id == Case.position_id)
        .outerjoin(VaultCaseKey, VaultCaseKey.case_id == Case.id)
        .where(Case.id == case_id)
    ).first()
    case = row[0] if row is not None else None
    access_case(actor, case_ref(case) if case is not None else None)
    assert row is not None
    return row[0], row[1], row[2]


# Other modules add their part of the case file here (consent, findings, report, ...):
# each is a function (uow, actor, case) -> dict of top-level keys.
SECTIONS: list[Any] = []


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int
    # True when there are more than `total` (= COUNT_CAP) matches: counting every one of an
    # organisation's million cases on each page view would cost more than the page itself.
    total_capped: bool = False


COUNT_CAP = 10_000


def count_capped(session: Session, query: Any) -> tuple[int, bool]:
    """Count a query's rows up to COUNT_CAP; say whether there are more."""
    cap = COUNT_CAP
    n = session.scalar(
        select(func.count()).select_from(query.with_only_columns(Case.id).limit(cap + 1).subquery())
    )
    n = int(n or 0)
    return min(n, cap), n > cap


def _visible_cases(actor: Actor) -> Any:
    """Return the select of the cases a staff actor's organisation works on."""
    query = select(Case)
    if actor.org_kind == "agency":
        return query.where(Case.agency_org_id == actor.org_id)
    if actor.role == "investigator":
        # An employer's own investigators see the cases their organisation checks itself.
        return query.where(Case.employer_org_id == actor.org_id, Case.agency_org_id.is_(None))
    return query.where(Case.employer_org_id == actor.org_id)


def list_cases(
    uow: UnitOfWork, *, actor: Actor, status: str | None = None, limit: int = 50, offset: int = 0
) -> Page:
    """Return the cases the actor may see, newest first, a page at a time."""
    require_staff(actor, "admin", "employer", "investigator")
    if status is not None and status not in STATUSES:
        raise ValidationFailed(f"Unknown status '{status}'.", field="status")
    if not 1 <= limit <= 200:
        raise ValidationFailed("limit must be between 1 and 200.", field="limit")
    if offset < 0:
        raise ValidationFailed("offset must not be negative.", field="offset")
    with uow as tx:
        query = _visible_cases(actor)
        if status:
            query = query.where(Case.status == status)
        total, capped = count_capped(tx.session, query)
        rows = tx.session.scalars(
            query.order_by(Case.created_at.desc(), Case.id.desc()).limit(limit).offset(offset)
        )
        return Page([summary(c) for c in rows], total, limit, offset, capped)


def _consent_section(tx: Tx, actor: Actor, case: Case) -> dict[str, Any]:
    """Return the consent part of the case file (granted, declined, hashes)."""
    # Imported late: fairscreen.consent builds on this module.
    from fairscreen.consent.queries import consent_section

    return consent_section(tx, actor, case)


SECTIONS.append(_consent_section)


def _findings_section(tx: Tx, actor: Actor, case: Case) -> dict[str, Any]:
    """Return the findings and the latest released report of the case file."""
    # Imported late: fairscreen.rating builds on this package.
    from fairscreen.rating.queries import case_section

    return case_section(tx, actor, case)


SECTIONS.append(_findings_section)


def _feedback_section(tx: Tx, actor: Actor, case: Case) -> dict[str, Any]:
    """Return the disputes, complaints and decision of the case file."""
    # Imported late: fairscreen.feedback builds on this package.
    from fairscreen.feedback.queries import case_section

    return case_section(tx, actor, case)


SECTIONS.append(_feedback_section)

# What in a built case file depends on the time it was built at, not only on its rows:
# each is a function (view, now) -> the next time its part of the file would read
# differently, or None. The case-file cache keeps a file no longer than that.
VALID_UNTIL: list[Callable[[dict[str, Any], datetime], datetime | None]] = []


def _disputes_fall_overdue(view: dict[str, Any], now: datetime) -> datetime | None:
    """Return when the next open dispute or complaint of the file falls overdue."""
    # Imported late: fairscreen.feedback builds on this package.
    from fairscreen.feedback.queries import next_overdue

    return next_overdue([*view.get("disputes", []), *view.get("complaints", [])], now)


VALID_UNTIL.append(_disputes_fall_overdue)


def _destruction_falls_due(view: dict[str, Any], now: datetime) -> datetime | None:
    """Return when the case's destruction falls due: from then on its file shows no data."""
    due = view.get("destroy_due_at")
    if due is None:
        return None
    ref = CaseRef(view["id"], view["employer_id"], view["agency_id"])
    facts = CaseFacts(ref, view["status"], datetime.fromisoformat(due))
    return next_change(facts, now)


VALID_UNTIL.append(_destruction_falls_due)


def find_cases(
    uow: UnitOfWork,
    *,
    actor: Actor,
    status: str | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
    oldest_first: bool = False,
) -> Page:
    """Return the cases the actor may see, filtered by status and a search, a page at a time.

    The search matches a part of the case id or of the position's title, or the
    candidate's e-mail address exactly (through its keyed hash: e-mails are stored sealed).
    Each item adds the position's title and, for a viewer who may see it, the candidate.
    """
    require_staff(actor, "admin", "employer", "investigator")
    if status is not None and status not in STATUSES:
        raise ValidationFailed(f"Unknown status '{status}'.", field="status")
    if not 1 <= limit <= 200:
        raise ValidationFailed("limit must be between 1 and 200.", field="limit")
    if offset < 0:
        raise ValidationFailed("offset must not be negative.", field="offset")
    q = (q or "").strip()[:200]
    with uow as tx:
        query = _visible_cases(actor).join(Position, Position.id == Case.position_id)
        if status:
            query = query.where(Case.status == status)
        if q:
            like = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            like += "%"
            matches: list[ColumnElement[bool]] = [
                func.lower(Case.id).like(like, escape="\\"),
                func.lower(Position.title).like(like, escape="\\"),
            ]
            if "@" in q:
                vault = tx.vault
                email = unicodedata.normalize("NFKC", q).lower()
                matches.append(Case.candidate_email_index == vault.lookup_hash("email", email))
            query = query.where(or_(*matches))
        total, capped = count_capped(tx.session, query)
        order = (
            (Case.created_at.asc(), Case.id.asc())
            if oldest_first
            else (Case.created_at.desc(), Case.id.desc())
        )
        rows = list(tx.session.scalars(query.order_by(*order).limit(limit).offset(offset)))
        titles = {
            p.id: p.title
            for p in tx.session.scalars(
                select(Position).where(Position.id.in_({c.position_id for c in rows}))
            )
        }
        items = []
        for case in rows:
            item = summary(case)
            item["position_title"] = titles.get(case.position_id)
            vault = tx.vault
            readable = vault.is_readable(case.id)
            item["candidate"] = candidate_fields(tx, actor, case) if readable else None
            items.append(item)
        return Page(items, total, limit, offset, capped)


def screening_agencies(uow: UnitOfWork, *, actor: Actor) -> list[dict[str, str]]:
    """Return the screening agencies an employer may engage for a case, by name."""
    require_staff(actor, "admin", "employer")
    # Imported late: identity's models are not otherwise needed by case queries.
    from fairscreen.identity.models import Org

    with uow as tx:
        rows = tx.session.scalars(select(Org).where(Org.kind == "agency").order_by(Org.name))
        return [{"id": o.id, "name": o.name} for o in rows]
