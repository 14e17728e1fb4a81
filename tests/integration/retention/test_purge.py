"""Destruction: crypto-shredding first, rows gone, tombstone and certificate kept."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from factories.consent import consented_case
from factories.world import make_world, open_case
from fairscreen.cases.actions import authenticate_candidate
from fairscreen.cases.models import Case
from fairscreen.consent.models import ConsentRecord
from fairscreen.db.uow import Tx
from fairscreen.evidence.actions import do_upload_evidence
from fairscreen.identity.policy import SYSTEM
from fairscreen.ledger.models import LedgerEvent
from fairscreen.retention.actions import (
    do_destroy_now,
    do_place_hold,
    do_purge_due,
    do_release_hold,
    do_request_erasure,
)
from fairscreen.retention.models import Tombstone
from fairscreen.shared.errors import LegalHold, Unauthenticated
from fairscreen.vault.models import VaultCaseKey
from fairscreen.vault.service import KeyDestroyed
from fairscreen.verification.actions import do_record_finding

PDF = b"%PDF-1.4\n% diploma of the candidate\n%%EOF\n"


def _due(fs, case_id: str) -> None:
    with fs.uow() as uow:
        uow.session.get(Case, case_id).destroy_due_at = fs.clock.now()
        uow.commit()


def test_purge_destroys_the_key_first_and_keeps_a_certificate(fs) -> None:
    world = make_world(fs)
    case_id, token = open_case(world)
    keep_id, _ = open_case(world, email="keep@c.example")
    _due(fs, case_id)
    report = do_purge_due(fs.uow, now=fs.clock.now())
    assert report.destroyed == 1
    with fs.reader() as uow:
        vault = uow.vault
        case = uow.session.get(Case, case_id)
        assert case.status == "destroyed"
        assert case.candidate_name is None and case.candidate_email is None
        assert uow.session.get(VaultCaseKey, case_id).wrapped is None
        assert not vault.is_readable(case_id) and vault.is_readable(keep_id)
        tomb = uow.session.get(Tombstone, case_id)
        assert tomb.reason == "retention_expired" and len(tomb.event_chain_sha256) == 64
        last = uow.session.scalar(select(LedgerEvent).where(LedgerEvent.idx == tomb.ledger_index))
        assert last.type == "case.destroyed" and tomb.certificate_id in last.body
    with pytest.raises(Unauthenticated):
        authenticate_candidate(fs.reader(), token)
    # the invitation in the outbox went with the case; the other case's stays
    assert [m.case_id for m in fs.outbox()] == [keep_id]


def test_purge_is_idempotent(fs) -> None:
    world = make_world(fs)
    case_id, _ = open_case(world)
    _due(fs, case_id)
    assert do_purge_due(fs.uow, now=fs.clock.now()).destroyed == 1
    assert do_purge_due(fs.uow, now=fs.clock.now()).destroyed == 0


def test_a_backup_taken_before_purge_cannot_reveal_the_case(fs) -> None:
    world = make_world(fs)
    case_id, _ = open_case(world)
    with fs.reader() as uow:
        backup = uow.session.get(Case, case_id).candidate_name  # a copy of the ciphertext
    _due(fs, case_id)
    do_purge_due(fs.uow, now=fs.clock.now())
    with fs.reader() as uow, pytest.raises(KeyDestroyed):
        vault = uow.vault
        vault.open(case_id, "case.candidate_name", backup)


def test_case_never_consented_to_is_abandoned_after_30_days(fs, clock) -> None:
    world = make_world(fs)
    case_id, _ = open_case(world)
    assert do_purge_due(fs.uow, now=clock.now()).destroyed == 0
    clock.advance(days=31)
    report = do_purge_due(fs.uow, now=clock.now())
    assert report.destroyed == 1 and report.by_reason == {"abandoned": 1}


def test_legal_hold_suspends_destruction_until_released(fs, clock) -> None:
    world = make_world(fs)
    case_id, _ = open_case(world)
    hold_id = do_place_hold(
        fs.uow(),
        actor=world["admin"].actor,
        case_id=case_id,
        reason="Labour arbitration 2026-118 pending",
        ends_at=clock.now() + timedelta(days=90),
    )
    _due(fs, case_id)
    report = do_purge_due(fs.uow, now=clock.now())
    assert report.destroyed == 0 and report.skipped_held == 1
    with pytest.raises(LegalHold):
        do_destroy_now(fs.uow(), actor=SYSTEM, case_id=case_id, reason="test")
    do_release_hold(fs.uow(), actor=world["admin"].actor, hold_id=hold_id)
    assert do_purge_due(fs.uow, now=clock.now()).destroyed == 1


def test_erasure_request_is_carried_out_by_the_next_purge(fs) -> None:
    world = make_world(fs)
    case_id, token = open_case(world)
    actor = authenticate_candidate(fs.reader(), token)
    request = do_request_erasure(fs.uow(), actor=actor)
    assert request.due_at > fs.clock.now() + timedelta(days=15)  # 15 working days
    report = do_purge_due(fs.uow, now=fs.clock.now())
    assert report.by_reason == {"erasure_request": 1}


def test_every_row_holding_case_data_is_deleted(fs) -> None:
    world = make_world(fs)
    case_id, _ = open_case(world)
    with fs.uow() as uow:
        uow.session.add(
            ConsentRecord(
                id="cr1",
                case_id=case_id,
                decision="signed",
                document_version="v",
                document_sha256="0" * 64,
                document_lang="en",
                granted_categories=["identity"],
                declined_categories=[],
                separate_consent=[],
                scope_sha256="0" * 64,
                at=fs.clock.now(),
            )
        )
        uow.commit()
    _due(fs, case_id)
    do_purge_due(fs.uow, now=fs.clock.now())
    with fs.reader() as uow:
        n = uow.session.scalar(select(func.count()).select_from(ConsentRecord))
        assert n == 0
        assert uow.session.get(Tombstone, case_id).counts["consent_record"] == 1


def test_two_purges_at_once_destroy_each_case_once(fs) -> None:
    world = make_world(fs)
    ids = [open_case(world, email=f"c{i}@c.example")[0] for i in range(12)]
    for case_id in ids:
        _due(fs, case_id)
    reports = []

    def run() -> None:
        reports.append(do_purge_due(fs.uow, now=fs.clock.now(), chunk=3))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.destroyed for r in reports) == 12
    with fs.reader() as uow:
        events = uow.session.scalars(
            select(LedgerEvent.case_id).where(LedgerEvent.type == "case.destroyed")
        ).all()
        assert sorted(events) == sorted(ids)
        indices = uow.session.scalars(select(LedgerEvent.idx).order_by(LedgerEvent.idx)).all()
        assert indices == list(range(len(indices)))


def _with_evidence(world, email: str) -> str:
    case_id, _ = consented_case(world, email=email)
    finding = do_record_finding(
        world.app.uow(),
        actor=world["investigator"].actor,
        case_id=case_id,
        category="education",
        claim="Bachelor of Laws, 2015",
    )
    do_upload_evidence(
        world.app.uow(), actor=world["investigator"].actor, finding_id=finding.id, data=PDF
    )
    return case_id


def _left_outside_the_database(fs) -> dict[str, set[str]]:
    """Return, per case, the evidence files and outbox messages on disk."""
    found: dict[str, set[str]] = {}
    evidence = fs.settings.data_dir / "evidence"
    for path in evidence.rglob("*") if evidence.exists() else []:
        if path.is_file():
            found.setdefault(path.relative_to(evidence).parts[0], set()).add("evidence")
    for path in fs.settings.outbox_dir.glob("msg_*.json"):
        case_id = json.loads(path.read_text(encoding="utf-8"))["case_id"]
        found.setdefault(case_id, set()).add("outbox")
    return found


def test_the_next_purge_removes_files_a_crash_after_the_commit_left_behind(fs, monkeypatch) -> None:
    """Killed between the destruction's commit and the removal of its evidence and outbox
    messages (nothing after the commit ran), the purge leaves them to its next run."""
    world = make_world(fs)
    gone = _with_evidence(world, "gone@c.example")
    kept = _with_evidence(world, "kept@c.example")
    assert _left_outside_the_database(fs) == {
        gone: {"evidence", "outbox"},
        kept: {"evidence", "outbox"},
    }
    _due(fs, gone)
    with monkeypatch.context() as crash:
        crash.setattr(Tx, "after_commit", lambda _self, _effect: None)
        assert do_purge_due(fs.uow, now=fs.clock.now()).destroyed == 1
    with fs.reader() as uow:
        assert uow.session.get(Tombstone, gone) is not None
    assert gone in _left_outside_the_database(fs)  # unreadable, but still there

    assert do_purge_due(fs.uow, now=fs.clock.now()).destroyed == 0
    assert _left_outside_the_database(fs) == {kept: {"evidence", "outbox"}}
