"""The command line as CONTRACT.md describes it: JSON output, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SKIP_PG_ENV = {"FAIRSCREEN_SKIP_POSTGRES": "1"}


def run(data_dir: Path, *args: str, db_url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        "FAIRSCREEN_DATA_DIR": str(data_dir),
        "PATH": "/usr/bin:/bin",
        "FAIRSCREEN_BASE_URL": "http://cli.test",
        "FAIRSCREEN_DEMO_AUDIT_CASES": "12",
    }
    if db_url:
        env["FAIRSCREEN_DATABASE_URL"] = db_url
    if os.environ.get("PYTHONPATH"):  # a worktree's sources, not the installed ones
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return subprocess.run(
        [sys.executable, "-m", "fairscreen.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=data_dir.parent,
        timeout=120,
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


def test_init_is_idempotent_and_creates_a_private_key_file(data_dir: Path) -> None:
    first = run(data_dir, "init", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["key_created"] is True
    key = data_dir / "keys" / "fairscreen.key"
    assert key.stat().st_mode & 0o777 == 0o600
    before = key.read_bytes()
    second = run(data_dir, "init", "--json")
    assert second.returncode == 0 and json.loads(second.stdout)["key_created"] is False
    assert key.read_bytes() == before


def test_org_and_apikey_create_print_json_and_the_key_works(data_dir: Path) -> None:
    assert run(data_dir, "init").returncode == 0
    reg = json.loads(
        run(
            data_dir, "org", "create", "--name", "Inspectorate", "--kind", "regulator", "--json"
        ).stdout
    )["id"]
    emp = run(
        data_dir,
        "org",
        "create",
        "--name",
        "Acme",
        "--kind",
        "employer",
        "--regulator",
        reg,
        "--json",
    )
    assert emp.returncode == 0, emp.stderr
    org_id = json.loads(emp.stdout)["id"]
    out = run(
        data_dir,
        "apikey",
        "create",
        "--org",
        org_id,
        "--role",
        "employer",
        "--email",
        "hr@acme.example",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    key = json.loads(out.stdout)["api_key"]

    from fastapi.testclient import TestClient

    from fairscreen.bootstrap import App
    from fairscreen.settings import Settings
    from fairscreen.web.app import create_app
    from support.passwords import CHEAP_PASSWORDS

    app = App(
        Settings(data_dir=data_dir, base_url="http://cli.test", _env_file=None),  # type: ignore[call-arg]
        passwords=CHEAP_PASSWORDS,
    )
    with TestClient(create_app(app)) as client:
        r = client.post(
            "/api/v1/positions",
            json={"title": "Clerk", "purpose": "general", "grade": "staff"},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert r.status_code == 201
        r = client.post(
            "/api/v1/cases",
            headers={"Authorization": f"Bearer {key}"},
            json={
                "position_id": r.json()["id"],
                "candidate": {"name": "李娜", "email": "li@c.example"},
                "categories": ["identity"],
            },
        )
        assert r.status_code == 201
    app.engine.dispose()
    listed = run(data_dir, "outbox", "list", "--json")
    assert listed.returncode == 0
    [message] = json.loads(listed.stdout)
    assert message["to"] == "li@c.example"
    assert message["link"].startswith("http://cli.test/c/")
    assert set(message) >= {"to", "subject", "body", "link"}


def test_org_create_takes_its_mail_domains_and_keys_their_days(data_dir: Path) -> None:
    assert run(data_dir, "init").returncode == 0
    made = run(
        data_dir,
        "org",
        "create",
        "--name",
        "Acme",
        "--kind",
        "employer",
        "--mail-domain",
        "acme.cn",
        "--mail-domain",
        "Acme-HR.com",
        "--json",
    )
    assert made.returncode == 0, made.stderr
    org_id = json.loads(made.stdout)["id"]
    public = run(
        data_dir, "org", "create", "--name", "B", "--kind", "employer", "--mail-domain", "qq.com"
    )
    assert public.returncode != 0 and "public mailbox provider" in public.stderr
    key = run(
        data_dir,
        "apikey",
        "create",
        "--org",
        org_id,
        "--role",
        "employer",
        "--email",
        "hr@acme.cn",
        "--expires-in-days",
        "30",
        "--json",
    )
    assert key.returncode == 0, key.stderr

    from fastapi.testclient import TestClient

    from fairscreen.bootstrap import App
    from fairscreen.settings import Settings
    from fairscreen.web.app import create_app

    app = App(Settings(data_dir=data_dir, base_url="http://cli.test", _env_file=None))  # type: ignore[call-arg]
    headers = {"Authorization": f"Bearer {json.loads(key.stdout)['api_key']}"}
    with TestClient(create_app(app)) as client:
        pos = client.post(
            "/api/v1/positions",
            json={"title": "Clerk", "purpose": "general", "grade": "staff"},
            headers=headers,
        ).json()["id"]
        for email, status in (("x@acme-hr.com", 422), ("x@sub.acme.cn", 422), ("x@c.cn", 201)):
            r = client.post(
                "/api/v1/cases",
                headers=headers,
                json={
                    "position_id": pos,
                    "candidate": {"name": "李娜", "email": email},
                    "categories": ["identity"],
                },
            )
            assert r.status_code == status, (email, r.text)
    app.engine.dispose()


def test_errors_are_one_line_on_stderr_with_non_zero_exit(data_dir: Path) -> None:
    assert run(data_dir, "init").returncode == 0
    bad = run(data_dir, "org", "create", "--name", "X", "--kind", "bank", "--json")
    assert bad.returncode != 0
    assert bad.stdout == ""
    assert len(bad.stderr.strip().splitlines()) == 1
    assert "validation_error" in bad.stderr
    missing = run(
        data_dir,
        "apikey",
        "create",
        "--org",
        "org_nope",
        "--role",
        "admin",
        "--email",
        "a@b.example",
    )
    assert missing.returncode != 0 and "not_found" in missing.stderr


def test_demo_seeds_once(data_dir: Path) -> None:
    first = run(data_dir, "demo", "--json")
    assert first.returncode == 0, first.stderr
    world = json.loads(first.stdout)
    assert world["seeded"] is True and len(world["cases"]) >= 3
    again = json.loads(run(data_dir, "demo", "--json").stdout)
    assert again["seeded"] is False
    audit = run(data_dir, "audit", "bias", "--org", world["employer"], "--json")
    assert audit.returncode == 0, audit.stderr
    summary = json.loads(audit.stdout)
    assert summary["cases"] >= 8 and {g["dimension"] for g in summary["groups"]} >= {"sex"}
    assert "candidate.example" not in audit.stdout


def test_the_data_dir_and_every_file_in_it_are_its_owners_alone(data_dir: Path) -> None:
    # The outside test found the data dir and the database world-readable under the usual
    # umask 022: the database holds ciphertext, but its ids, times and shapes are the
    # organisation's, and the outbox holds sealed mail.
    before = os.umask(0o022)  # what a login shell gives the command
    try:
        assert run(data_dir, "init", "--json").returncode == 0
        assert run(data_dir, "demo").returncode == 0
    finally:
        os.umask(before)
    assert data_dir.stat().st_mode & 0o777 == 0o700
    assert (data_dir / "fairscreen.db").stat().st_mode & 0o777 == 0o600
    for path in data_dir.rglob("*"):
        if path.is_symlink():
            continue
        mode = path.stat().st_mode & 0o777
        assert mode & 0o077 == 0, f"{path.relative_to(data_dir)} is {oct(mode)}"
