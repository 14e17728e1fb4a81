"""`fairscreen ledger export | verify | witness` against the test database and a live server."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import delete, update
from typer.testing import CliRunner

from fairscreen.cli.main import cli
from fairscreen.ledger.checkpoints import origin_for, public_verifier_key
from fairscreen.ledger.events import append_event
from fairscreen.ledger.models import LedgerCheckpoint, LedgerEvent, LedgerHead, LedgerNode
from fairscreen.web.app import create_app
from support.receiver import receiver


def append(fs, n: int, kind: str = "test.appended") -> None:
    with fs.uow() as uow:
        for i in range(n):
            append_event(uow.session, type=kind, actor="system", at=fs.clock.now(), data={"i": i})
        uow.commit()


def run(fs, *args: str, allow_private: str = "127.0.0.1"):
    env = {
        "FAIRSCREEN_DATA_DIR": str(fs.settings.data_dir),
        "FAIRSCREEN_DATABASE_URL": fs.settings.database_url,
        "FAIRSCREEN_BASE_URL": fs.settings.base_url,
        # The test server listens on loopback: allowed explicitly (refused by default).
        "FAIRSCREEN_WEBHOOK_ALLOW_PRIVATE": allow_private,
    }
    return CliRunner().invoke(cli, list(args), env=env)


def published_key(fs) -> str:
    """The verifier key the operator publishes, known to the witness beforehand."""
    return public_verifier_key(origin_for(fs.settings.base_url), fs.keys.ledger_signing_key())


def test_an_export_verifies_and_a_flipped_byte_is_named_by_its_index(fs, tmp_path: Path) -> None:
    append(fs, 20)
    out = tmp_path / "ledger.jsonl"
    exported = run(fs, "ledger", "export", str(out), "--json")
    assert exported.exit_code == 0, exported.output
    summary = json.loads(exported.stdout)
    assert summary["events"] == 20
    verified = run(fs, "ledger", "verify", str(out), "--key", summary["verifier_key"])
    assert verified.exit_code == 0, verified.output
    assert "20 events" in verified.stdout

    lines = out.read_bytes().split(b"\n")
    target = lines[1 + 13]  # the event line of index 13
    position = target.index(b'"i":13') + len(b'"i":1')
    lines[14] = target[:position] + b"4" + target[position + 1 :]
    out.write_bytes(b"\n".join(lines))
    tampered = run(fs, "ledger", "verify", str(out))
    assert tampered.exit_code == 1
    assert "error: ledger export fails at index 13:" in tampered.stderr


def test_an_export_interleaves_earlier_checkpoints_and_ends_with_one_covering_all(
    fs, tmp_path: Path
) -> None:
    append(fs, 3)
    out = tmp_path / "first.jsonl"
    assert run(fs, "ledger", "export", str(out)).exit_code == 0
    append(fs, 4)
    assert run(fs, "ledger", "export", str(out)).exit_code == 0
    kinds = [json.loads(line).get("kind") for line in out.read_text().splitlines()[1:]]
    assert kinds == ["event"] * 3 + ["checkpoint"] + ["event"] * 4 + ["checkpoint"]
    result = run(fs, "ledger", "verify", str(out), "--json")
    assert json.loads(result.stdout) == {"ok": True, "events": 7, "checkpoints": 2}


def test_verify_with_another_key_fails(fs, tmp_path: Path) -> None:
    append(fs, 2)
    out = tmp_path / "ledger.jsonl"
    run(fs, "ledger", "export", str(out))
    other = "other.example/log+00000000+AQ" + "A" * 42 + "="
    result = run(fs, "ledger", "verify", str(out), "--key", other)
    assert result.exit_code == 1
    assert "error: ledger export fails at index 0" in result.stderr


@pytest.fixture
def server(fs) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(fs), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def test_the_witness_accepts_growth_and_detects_a_rewritten_log(fs, server, tmp_path) -> None:
    state = tmp_path / "witness.json"
    append(fs, 5)
    key = published_key(fs)
    first = run(fs, "ledger", "witness", server, "--state", str(state), "--key", key, "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["size"] == 5
    append(fs, 4)
    second = run(fs, "ledger", "witness", server, "--state", str(state), "--json")
    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout)["previous_size"] == 5
    assert json.loads(state.read_text())["size"] == 9

    with fs.uow() as uow:
        for table in (LedgerEvent, LedgerNode, LedgerCheckpoint):
            uow.session.execute(delete(table))
        uow.session.execute(update(LedgerHead).values(size=0))
        uow.commit()
    append(fs, 12, kind="test.rewritten")
    rewritten = run(fs, "ledger", "witness", server, "--state", str(state))
    assert rewritten.exit_code == 1
    assert "forked or rewritten" in rewritten.stderr
    assert json.loads(state.read_text())["size"] == 9


def test_the_witness_state_defaults_under_the_data_dir(fs, server) -> None:
    result = run(fs, "ledger", "witness", server, "--key", published_key(fs))
    assert result.exit_code == 0, result.output
    host = server.split("//")[1].replace(":", "_")
    assert (fs.settings.data_dir / "witness" / f"{host}.json").is_file()


def test_the_witness_trusts_no_key_the_server_hands_it(fs, server, tmp_path) -> None:
    append(fs, 3)
    state = tmp_path / "witness.json"
    unpinned = run(fs, "ledger", "witness", server, "--state", str(state))
    assert unpinned.exit_code == 1 and "give --key" in unpinned.stderr
    other = "x" * 20 + published_key(fs)[20:]
    wrong = run(fs, "ledger", "witness", server, "--state", str(state), "--key", other)
    assert wrong.exit_code == 1
    assert "not the one this witness trusts" in wrong.stderr and not state.exists()


def test_a_witness_pointed_at_something_else_says_so_in_one_line(fs, tmp_path) -> None:
    with receiver() as rx:  # answers GET with a 200 page that is not JSON
        base = rx["url"].rsplit("/", 1)[0]
        result = run(
            fs, "ledger", "witness", base, "--state", str(tmp_path / "w.json"), "--key", "k"
        )
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "did not answer JSON" in result.stderr
    assert "Traceback" not in result.output


def test_the_witness_reaches_no_loopback_address_by_default(fs, server, tmp_path) -> None:
    result = run(fs, "ledger", "witness", server, "--key", published_key(fs), allow_private="")
    assert result.exit_code == 1 and "not a public address" in result.stderr
