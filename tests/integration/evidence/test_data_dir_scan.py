"""After a full case, no file in the data dir holds the candidate's data in clear."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from factories.consent import IDENTIFIERS, record_subject
from factories.world import make_world, open_case
from fairscreen.web.app import create_app

NAME = "欧阳明轩"
EMAIL = "ouyang.mingxuan.7731@candidate.example"
CLAIM = "Bachelor of Laws conferred 2014 Zhongnan University registry 88213"
ORIGIN = "Registrar Office Zhongnan University Wuhan desk 5521"
EVIDENCE = b"%PDF-1.4\n% diploma scan QX-PLAINTEXT-MARKER-4417 of the candidate\n%%EOF\n"


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _needles() -> dict[str, bytes]:
    needles = {
        "name": NAME.encode(),
        "email": EMAIL.encode(),
        "claim": CLAIM.encode(),
        "origin": ORIGIN.encode(),
        "evidence": EVIDENCE,
        "evidence marker": b"QX-PLAINTEXT-MARKER-4417",
    }
    # SQLite stores text as UTF-8; also look for the UTF-16 forms other encodings would use.
    for label in ("name", "email"):
        text = needles[label].decode()
        needles[f"{label} (utf-16)"] = text.encode("utf-16-le")
    return needles


def test_no_file_in_the_data_dir_holds_personal_data_in_clear(fs, backend) -> None:
    if backend != "sqlite":
        pytest.skip("the data dir holds the database only on SQLite")
    # A connection held open for the whole test keeps the WAL file from being folded
    # into the database and removed, so it is scanned as it is.
    holder = sqlite3.connect(fs.settings.data_dir / "fairscreen.db", isolation_level=None)
    holder.execute("SELECT count(*) FROM sqlite_master").fetchall()
    world = make_world(fs)
    case_id, token = open_case(world, name=NAME, email=EMAIL, categories=("identity", "education"))
    cand = {"Authorization": f"Bearer {token}"}
    inv = world["investigator"].headers
    with TestClient(create_app(fs), raise_server_exceptions=False) as client:
        r = client.post(
            "/api/v1/candidate/consent",
            json={
                "full_name": NAME,
                "agree": True,
                "categories": ["identity", "education"],
                "separate_consent": [],
                "identifiers": IDENTIFIERS,
            },
            headers=cand,
        )
        assert r.status_code == 200, r.text
        r = client.post(
            f"/api/v1/cases/{case_id}/findings",
            json={"category": "education", "claim": CLAIM},
            headers=inv,
        )
        assert r.status_code == 201, r.text
        finding_id = r.json()["id"]
        for kind in ("issuing_institution", "official_registry"):
            r = client.post(
                f"/api/v1/findings/{finding_id}/sources",
                json={
                    "kind": kind,
                    "origin": f"{ORIGIN} {kind}",
                    "supports": True,
                    **({"subject": record_subject(NAME)} if kind == "official_registry" else {}),
                },
                headers=inv,
            )
            assert r.status_code == 201, r.text
        r = client.post(
            f"/api/v1/findings/{finding_id}/evidence",
            files={"file": ("diploma.pdf", EVIDENCE, "application/pdf")},
            headers=inv,
        )
        assert r.status_code == 201, r.text
        r = client.post(f"/api/v1/cases/{case_id}/report", headers=inv)
        assert r.status_code == 201, r.text
        # the data is really there: the case's own viewers read it back in clear
        case = client.get(f"/api/v1/cases/{case_id}", headers=world["hr"].headers)
        assert NAME in case.text
        assert client.get("/api/v1/candidate/report", headers=cand).status_code == 200
    files = _files(fs.settings.data_dir)
    contents = {p.relative_to(fs.settings.data_dir): p.read_bytes() for p in files}
    holder.close()
    names = {path.parts[0] for path in contents}
    assert {"fairscreen.db", "fairscreen.db-wal", "keys", "outbox", "evidence"} <= names, names
    # the scan does see what is stored in clear (ids), so an absent needle means something
    assert case_id.encode() in contents[Path("fairscreen.db-wal")]
    leaks = [
        f"{label} in {path}"
        for path, data in contents.items()
        for label, needle in _needles().items()
        if needle in data
    ]
    assert leaks == []
