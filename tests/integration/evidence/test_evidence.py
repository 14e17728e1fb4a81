"""Evidence files: checked by content, sealed under the case key, gone with the case."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from factories.consent import candidate, consented_case
from factories.world import make_world
from fairscreen.cases.models import Case
from fairscreen.evidence.actions import do_upload_evidence
from fairscreen.evidence.models import EvidenceFile
from fairscreen.evidence.policy import sniff_type
from fairscreen.evidence.queries import open_evidence
from fairscreen.evidence.storage import LocalEvidenceStore
from fairscreen.retention.actions import do_purge_due
from fairscreen.shared.errors import (
    ConsentWithdrawn,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    ValidationFailed,
)
from fairscreen.verification.actions import do_record_finding

PDF = b"%PDF-1.4\n% diploma of the candidate: Bachelor of Laws 2015\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def _finding(world, case_id: str) -> str:
    return do_record_finding(
        world.app.uow(),
        actor=world["investigator"].actor,
        case_id=case_id,
        category="education",
        claim="Bachelor of Laws, 2015",
    ).id


def _evidence_files(fs) -> list[Path]:
    root = fs.settings.data_dir / "evidence"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")],
)
def test_type_is_told_by_the_first_bytes(data: bytes, content_type: str) -> None:
    assert sniff_type(data) == content_type


def test_anything_else_is_refused_whatever_it_is_called() -> None:
    with pytest.raises(ValidationFailed, match="only PDF, JPEG or PNG"):
        sniff_type(b"GIF89a...")


def test_upload_is_stored_sealed_and_opens_for_the_case(fs) -> None:
    world = make_world(fs)
    case_id, token = consented_case(world)
    finding_id = _finding(world, case_id)
    up = do_upload_evidence(
        fs.uow(), actor=world["investigator"].actor, finding_id=finding_id, data=PDF
    )
    assert up.content_type == "application/pdf" and up.size == len(PDF)
    assert up.sha256 == hashlib.sha256(PDF).hexdigest()
    [path] = _evidence_files(fs)
    stored = path.read_bytes()
    assert b"Bachelor" not in stored and PDF not in stored
    with fs.reader() as uow:
        row = uow.session.get(EvidenceFile, up.id)
        # only the ciphertext's hash is kept: the plaintext's could confirm a guessed file
        assert row.sha256 == hashlib.sha256(stored).hexdigest() != up.sha256
    # The working file's scan: the investigator and the candidate, not the employer's HR
    # before a released report rests on the finding (cases/visibility.py).
    got = open_evidence(fs.reader(), actor=world["investigator"].actor, evidence_id=up.id)
    assert got.data == PDF and got.content_type == "application/pdf"
    with pytest.raises(Forbidden):
        open_evidence(fs.reader(), actor=world["hr"].actor, evidence_id=up.id)
    mine = open_evidence(fs.reader(), actor=candidate(world, token), evidence_id=up.id)
    assert mine.data == PDF


def test_regulators_and_other_cases_cannot_open_it(fs) -> None:
    world = make_world(fs)
    case_id, _ = consented_case(world)
    other_id, other_token = consented_case(world, email="other@c.example")
    up = do_upload_evidence(
        fs.uow(),
        actor=world["investigator"].actor,
        finding_id=_finding(world, case_id),
        data=PNG,
    )
    with pytest.raises(NotFound):
        open_evidence(fs.reader(), actor=world["inspector"].actor, evidence_id=up.id)
    with pytest.raises(NotFound):
        open_evidence(fs.reader(), actor=candidate(world, other_token), evidence_id=up.id)


def test_too_large_is_refused_before_anything_is_stored(fs) -> None:
    world = make_world(fs)
    case_id, _ = consented_case(world)
    finding_id = _finding(world, case_id)
    with pytest.raises(PayloadTooLarge):
        do_upload_evidence(
            fs.uow(),
            actor=world["investigator"].actor,
            finding_id=finding_id,
            data=PDF + b"x" * 100,
            max_size=len(PDF),
        )
    assert _evidence_files(fs) == []


def test_only_the_investigators_doing_the_check_upload(fs) -> None:
    world = make_world(fs)
    case_id, _ = consented_case(world)
    finding_id = _finding(world, case_id)
    with pytest.raises(Forbidden):
        do_upload_evidence(fs.uow(), actor=world["hr"].actor, finding_id=finding_id, data=PDF)


def test_nothing_is_collected_after_consent_stops(fs) -> None:
    world = make_world(fs)
    case_id, _ = consented_case(world)
    finding_id = _finding(world, case_id)
    with fs.uow() as uow:
        uow.session.get(Case, case_id).collection_stopped_at = fs.clock.now()
        uow.commit()
    with pytest.raises(ConsentWithdrawn):
        do_upload_evidence(
            fs.uow(), actor=world["investigator"].actor, finding_id=finding_id, data=PDF
        )
    assert _evidence_files(fs) == []


def test_purge_deletes_the_file_and_the_row(fs) -> None:
    world = make_world(fs)
    case_id, _ = consented_case(world)
    keep_id, _ = consented_case(world, email="keep@c.example")
    for cid in (case_id, keep_id):
        do_upload_evidence(
            fs.uow(), actor=world["investigator"].actor, finding_id=_finding(world, cid), data=PDF
        )
    assert len(_evidence_files(fs)) == 2
    with fs.uow() as uow:
        uow.session.get(Case, case_id).destroy_due_at = fs.clock.now()
        uow.commit()
    assert do_purge_due(fs.uow, now=fs.clock.now()).destroyed == 1
    [left] = _evidence_files(fs)
    assert left.parent.name == keep_id
    assert not (fs.settings.data_dir / "evidence" / case_id).exists()
    with fs.reader() as uow:
        ids = uow.session.scalars(select(EvidenceFile.case_id)).all()
        assert ids == [keep_id]
        assert uow.session.scalar(select(func.count()).select_from(EvidenceFile)) == 1


def test_store_writes_atomically_and_refuses_odd_keys(tmp_path: Path) -> None:
    store = LocalEvidenceStore(tmp_path)
    store.put("case_1/evd_1", b"abc")
    assert store.get("case_1/evd_1") == b"abc"
    assert [p.name for p in (tmp_path / "case_1").iterdir()] == ["evd_1"]  # no temp left
    store.delete("case_1/evd_1")
    store.delete("case_1/evd_1")  # idempotent
    with pytest.raises(KeyError):
        store.get("case_1/evd_1")
    with pytest.raises(ValueError):
        store.put("../escape", b"x")
