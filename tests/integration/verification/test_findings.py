"""Findings and sources in the database: sealed text, hashed origins, status events."""

from __future__ import annotations

import json

from sqlalchemy import select

from factories.consent import consented_case
from factories.world import make_world
from fairscreen.ledger.models import LedgerEvent
from fairscreen.verification.actions import do_add_source, do_record_finding
from fairscreen.verification.models import Finding, Source


def _events(fs, case_id):
    with fs.reader() as uow:
        rows = uow.session.scalars(
            select(LedgerEvent).where(LedgerEvent.case_id == case_id).order_by(LedgerEvent.idx)
        )
        return [(e.type, json.loads(e.body)["data"]) for e in rows]


def test_claim_origin_and_note_are_stored_only_sealed_and_origin_as_a_keyed_hash(fs):
    world = make_world(fs)
    case_id, _ = consented_case(world)
    inv = world["investigator"].actor
    state = do_record_finding(
        fs.uow(), actor=inv, case_id=case_id, category="education", claim="清华大学 本科"
    )
    do_add_source(
        fs.uow(),
        actor=inv,
        finding_id=state.id,
        kind="document",
        origin="清華大學",
        note="复印件",
        supports=True,
    )
    with fs.reader() as uow:
        finding = uow.session.get(Finding, state.id)
        source = uow.session.scalars(select(Source)).one()
        assert finding is not None and "清华".encode() not in finding.claim.blob
        assert "清".encode() not in source.origin.blob
        assert len(source.origin_normalised) == 64 and "清" not in source.origin_normalised
        vault = uow.vault
        assert vault.open(case_id, "source.note", source.note) == "复印件"


def test_status_changes_append_their_events_with_ids_only(fs):
    world = make_world(fs)
    case_id, _ = consented_case(world)
    inv = world["investigator"].actor
    fid = do_record_finding(
        fs.uow(), actor=inv, case_id=case_id, category="education", claim="硕士学位"
    ).id
    do_add_source(
        fs.uow(), actor=inv, finding_id=fid, kind="self_declared", origin="导师", supports=True
    )
    do_add_source(
        fs.uow(),
        actor=inv,
        finding_id=fid,
        kind="issuing_institution",
        origin="某大学",
        supports=True,
    )
    do_add_source(fs.uow(), actor=inv, finding_id=fid, kind="document", origin="X", supports=False)
    types = [t for t, _ in _events(fs, case_id)]
    assert types[-6:] == [
        "finding.recorded",
        "source.recorded",
        "source.recorded",
        "finding.verified",
        "source.recorded",
        "finding.inconclusive",
    ]
    body = json.dumps(_events(fs, case_id), ensure_ascii=False)
    assert "硕士" not in body and "导师" not in body and "某大学" not in body
