"""Evidence uploads and downloads through HTTP."""

from __future__ import annotations

import hashlib

from factories.consent import consented_case
from fairscreen.verification.actions import do_record_finding

PDF = b"%PDF-1.7\n% scan of a reference letter\n%%EOF\n"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _finding(world) -> tuple[str, str, str]:
    case_id, token = consented_case(world)
    finding_id = do_record_finding(
        world.app.uow(),
        actor=world["investigator"].actor,
        case_id=case_id,
        category="education",
        claim="Master of Engineering, 2018",
    ).id
    return case_id, token, finding_id


def test_investigator_uploads_and_the_case_downloads(client, world):
    _, token, finding_id = _finding(world)
    r = client.post(
        f"/api/v1/findings/{finding_id}/evidence",
        files={"file": ("letter.pdf", PDF, "application/pdf")},
        headers=world["investigator"].headers,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["content_type"] == "application/pdf" and body["size"] == len(PDF)
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    # The working file's scans: the investigators doing the check and the candidate read
    # them; the employer not before a released report rests on the finding (403).
    refused = client.get(f"/api/v1/evidence/{body['id']}", headers=world["hr"].headers)
    assert refused.status_code == 403
    for headers in (world["investigator"].headers, _bearer(token)):
        got = client.get(f"/api/v1/evidence/{body['id']}", headers=headers)
        assert got.status_code == 200 and got.content == PDF
        assert got.headers["content-type"] == "application/pdf"
        assert got.headers["cache-control"] == "no-store"
    r = client.get(f"/api/v1/evidence/{body['id']}", headers=world["inspector"].headers)
    assert r.status_code == 404


def test_a_file_that_is_not_pdf_jpeg_or_png_is_refused(client, world):
    _, _, finding_id = _finding(world)
    r = client.post(
        f"/api/v1/findings/{finding_id}/evidence",
        files={"file": ("diploma.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
        headers=world["investigator"].headers,
    )
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "validation_error"
    assert "only PDF, JPEG or PNG" in r.json()["error"]["message"]


def test_a_file_over_ten_mebibytes_is_refused(client, world):
    _, _, finding_id = _finding(world)
    big = PDF + b"0" * (10 * 1024 * 1024)
    r = client.post(
        f"/api/v1/findings/{finding_id}/evidence",
        files={"file": ("big.pdf", big, "application/pdf")},
        headers=world["investigator"].headers,
    )
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"


def test_a_file_just_under_the_limit_passes_the_body_limit(client, world):
    _, _, finding_id = _finding(world)
    data = PDF + b"0" * (10 * 1024 * 1024 - len(PDF))
    r = client.post(
        f"/api/v1/findings/{finding_id}/evidence",
        files={"file": ("big.pdf", data, "application/pdf")},
        headers=world["investigator"].headers,
    )
    assert r.status_code == 201, r.text
    assert r.json()["size"] == 10 * 1024 * 1024


def test_employer_staff_cannot_upload(client, world):
    _, _, finding_id = _finding(world)
    r = client.post(
        f"/api/v1/findings/{finding_id}/evidence",
        files={"file": ("a.png", b"\x89PNG\r\n\x1a\n1234", "image/png")},
        headers=world["hr"].headers,
    )
    assert r.status_code == 403


def test_missing_file_field_is_a_validation_error(client, world):
    _, _, finding_id = _finding(world)
    r = client.post(
        f"/api/v1/findings/{finding_id}/evidence",
        files={"other": ("a.png", b"\x89PNG\r\n\x1a\n1234", "image/png")},
        headers=world["investigator"].headers,
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
