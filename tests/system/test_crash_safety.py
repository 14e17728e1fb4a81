"""Crash safety: SIGKILL in the middle of a purge, a key rotation and a burst of appends.

Each test runs the real process (`fairscreen purge`, `fairscreen keys rotate`,
`fairscreen serve`) in a subprocess over a fresh database of each backend, watches the
database until the work is visibly under way, kills the process with SIGKILL, and then
checks, with a fresh view of the key file and the database:

- the ledger exports and verifies offline, and its indices run 0..n-1 with no gap and no
  duplicate, matching the sequencer;
- every case is whole (its data key unwraps with the key file and its sealed fields open)
  or destroyed (key shredded, tombstone kept, its rows gone, one destruction event);
- no data key is orphaned: none without its case, no live case without one that unwraps;

and that running the job again finishes what was interrupted.

The purge and the rotation work in transactions of 1,000 and 500 by default; the
subprocesses here use chunks of 20 (through the functions' keyword defaults, the code
path is the same) so that a few hundred cases make many transactions to kill between.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from factories.world import position
from fairscreen.cases.models import Case
from fairscreen.ledger.models import LedgerEvent
from fairscreen.retention.actions import do_purge_due
from fairscreen.vault.keys import LocalKeyProvider
from fairscreen.vault.models import VaultCaseKey
from support.cli import run
from support.server import ServerProcess, free_port
from system.faults import (
    BASE_URL,
    check_invariants,
    open_cases,
    preparer,
    scalar,
    small_world,
    sqlite_held_open,
)

CHUNK = 20


def _env(deployment, base_url: str = BASE_URL) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "FAIRSCREEN_DATA_DIR": str(deployment.data_dir),
        "FAIRSCREEN_DATABASE_URL": deployment.database_url,
        "FAIRSCREEN_BASE_URL": base_url,
    }


def _cli_with_chunk(deployment, function: str, keyword: str, *args: str) -> subprocess.Popen[bytes]:
    """Start `fairscreen ARGS` with `module.function`'s `keyword` default set to CHUNK."""
    module, name = function.rsplit(".", 1)
    return _cli_patched(
        deployment, f"import {module} as m\nm.{name}.__kwdefaults__[{keyword!r}] = {CHUNK}", *args
    )


def _cli_patched(deployment, patch: str, *args: str) -> subprocess.Popen[bytes]:
    """Start `fairscreen ARGS` after running `patch`; its output goes to a file."""
    code = f"{patch}\nfrom fairscreen.cli.main import main\nmain()\n"
    log = deployment.data_dir.parent / f"{args[0]}-{time.monotonic_ns()}.log"
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-c", code, *args],
            env=_env(deployment),
            cwd=deployment.data_dir.parent,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _server(deployment) -> ServerProcess:
    # One base URL for the server and the checks: checkpoints name it as the log's origin.
    return ServerProcess(
        deployment.data_dir,
        database_url=deployment.database_url,
        env={"FAIRSCREEN_BASE_URL": BASE_URL},
    )


def _kill_when(
    proc: subprocess.Popen[bytes], progress: Callable[[], int], total: int, timeout: float = 60
) -> int:
    """SIGKILL `proc` once progress is between 0 and total (exclusive); return progress."""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            done = progress()
            if 0 < done < total:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=30)
                return progress()
            if proc.poll() is not None:
                raise AssertionError(f"exited with {proc.returncode} at {done}/{total}, unkilled")
            time.sleep(0.005)
        raise AssertionError(f"no progress within {timeout} s")
    finally:
        if proc.poll() is None:  # whatever went wrong above, leave no process behind
            proc.kill()
            proc.wait(timeout=30)


@pytest.mark.parametrize("killed", ["purge", "serve"])
def test_a_purge_killed_midway_leaves_each_case_whole_or_destroyed(deployment, killed):
    """Abandoned cases due; `fairscreen purge`, or `serve` in its scheduled purge, is
    killed between chunks; the next `fairscreen purge` destroys the rest."""
    n = 160
    past = datetime.now(UTC) - timedelta(days=60)  # invitations never answered: due now
    with sqlite_held_open(deployment):
        prep = preparer(deployment, past)
        world = small_world(prep)
        due = open_cases(prep, world, n)
        recent = open_cases(preparer(deployment), world, 5)  # not due: must stay whole

    # `serve` starts its scheduler, whose first tick runs the purge, before it listens.
    args = ["purge", "--json"] if killed == "purge" else ["serve", "--port", str(free_port())]
    purge = _cli_with_chunk(deployment, "fairscreen.retention.actions.do_purge_due", "chunk", *args)
    destroyed_count = select(func.count()).select_from(Case).where(Case.status == "destroyed")
    killed_at = _kill_when(purge, lambda: scalar(deployment, destroyed_count), n)
    assert 0 < killed_at < n

    after_crash = check_invariants(deployment)
    assert len(after_crash.destroyed) == killed_at
    assert after_crash.destroyed < set(due)
    assert set(recent) <= after_crash.live

    rerun = run(deployment.data_dir, "purge", "--json", db_url=deployment.database_url)
    assert rerun.returncode == 0, rerun.stderr
    assert json.loads(rerun.stdout)["destroyed"] == n - killed_at

    final = check_invariants(deployment, via_cli=True)
    assert final.destroyed == set(due)
    assert final.live == set(recent)
    assert final.ledger_size == after_crash.ledger_size + (n - killed_at)


# -- (b) key rotation --------------------------------------------------------------------


def test_a_key_rotation_killed_midway_resumes_and_loses_no_key(deployment):
    """`fairscreen keys rotate` killed between batches while `serve` runs, then `serve` too.

    Every key still unwraps with the key file; the server meanwhile reads re-wrapped
    cases and wraps new ones under the new KEK; the rerun resumes the same rotation.
    """
    with sqlite_held_open(deployment):
        world = small_world(preparer(deployment))
        old = open_cases(preparer(deployment, datetime.now(UTC) - timedelta(days=60)), world, 8)
        live = open_cases(preparer(deployment), world, 160)
    # Some data keys are already shredded: the rotation must leave them alone.
    do_purge_due(deployment.app.uow, now=datetime.now(UTC))
    before = check_invariants(deployment)
    assert before.destroyed == set(old) and before.kek_ids == Counter({"k1": len(live)})
    pos = position(deployment.app, world["hr"])

    server = _server(deployment)
    server.start()
    try:
        rotate = _cli_with_chunk(
            deployment, "fairscreen.vault.actions.do_rewrap_all", "batch", "keys", "rotate"
        )
        on_k2 = select(func.count()).select_from(VaultCaseKey).where(VaultCaseKey.kek_id == "k2")
        killed_at = _kill_when(rotate, lambda: scalar(deployment, on_k2), len(live))
        assert 0 < killed_at < len(live)
        with deployment.app.reader() as uow:
            rewrapped = uow.session.scalars(
                select(VaultCaseKey.case_id).where(VaultCaseKey.kek_id == "k2").limit(1)
            ).one()
        with httpx.Client(base_url=server.url, timeout=10, headers=world["hr"].headers) as http:
            # The running server opens a case re-wrapped by the other process...
            assert http.get(f"/api/v1/cases/{rewrapped}").status_code == 200
            # ...and wraps a new case's key under the new KEK, not the one being retired.
            body = {
                "position_id": pos.id,
                "agency_id": world.agency,
                "candidate": {"name": "李娜", "email": "during@rotation.example"},
                "categories": ["identity"],
            }
            answer = http.post("/api/v1/cases", json=body)
            assert answer.status_code == 201, answer.text
            during = answer.json()["id"]
    finally:
        server.kill(signal.SIGKILL)
    live.append(during)

    after_crash = check_invariants(deployment)  # both KEKs are in the key file: all unwrap
    assert after_crash.kek_ids == Counter({"k1": len(live) - 1 - killed_at, "k2": killed_at + 1})
    assert after_crash.live == set(live) and after_crash.destroyed == set(old)

    rerun = run(deployment.data_dir, "keys", "rotate", "--json", db_url=deployment.database_url)
    assert rerun.returncode == 0, rerun.stderr
    # The rerun resumes the same rotation rather than starting another KEK version.
    report = json.loads(rerun.stdout)
    assert report == {"kek_id": "k2", "rewrapped": len(live) - 1 - killed_at, "retired": ["k1"]}

    final = check_invariants(deployment, via_cli=True)
    assert final.kek_ids == Counter({"k2": len(live)})
    assert LocalKeyProvider(deployment.app.settings.key_file).kek_ids() == ["k2"]
    with deployment.app.reader() as uow:
        rotated = list(
            uow.session.scalars(select(LedgerEvent.idx).where(LedgerEvent.type == "keys.rotated"))
        )
    assert len(rotated) == 1
    assert "Traceback" not in server.log()


# The two last steps of a rotation: record keys.rotated, then retire the old KEK in the
# key file. Killed before the record, or between the record and the retirement.
ROTATION_CRASHES = {
    "before recording": (
        "import os, fairscreen.vault.actions as v\nv.append_event = lambda *a, **k: os._exit(137)"
    ),
    "after recording, before retiring": (
        "import os, fairscreen.vault.keys as k\n"
        "k.LocalKeyProvider.retire = lambda *a, **kw: os._exit(137)"
    ),
}


@pytest.mark.parametrize("moment", sorted(ROTATION_CRASHES))
def test_a_key_rotation_killed_at_its_end_finishes_on_the_next_run(deployment, moment):
    """The next run finishes the same rotation: k2 current, k1 retired, recorded once."""
    with sqlite_held_open(deployment):
        live = open_cases(preparer(deployment), small_world(preparer(deployment)), 5)
    rotate = _cli_patched(deployment, ROTATION_CRASHES[moment], "keys", "rotate", "--json")
    assert rotate.wait(timeout=120) == 137
    keys = LocalKeyProvider(deployment.app.settings.key_file)
    # Every data key is under k2 already; k1 is still in the file, not yet retired.
    assert keys.current_kek_id() == "k2" and keys.kek_ids() == ["k1", "k2"]
    assert check_invariants(deployment).kek_ids == Counter({"k2": len(live)})

    rerun = run(deployment.data_dir, "keys", "rotate", "--json", db_url=deployment.database_url)
    assert rerun.returncode == 0, rerun.stderr
    final = check_invariants(deployment)
    with deployment.app.reader() as uow:
        rotated = list(
            uow.session.scalars(select(LedgerEvent.body).where(LedgerEvent.type == "keys.rotated"))
        )
    assert json.loads(rerun.stdout)["kek_id"] == "k2"
    assert LocalKeyProvider(deployment.app.settings.key_file).kek_ids() == ["k2"]
    assert final.kek_ids == Counter({"k2": len(live)})
    assert len(rotated) == 1 and '"retired":["k1"]' in rotated[0]


# -- (c) a burst of ledger appends through the server ------------------------------------


def test_a_server_killed_in_a_burst_of_appends_keeps_every_acknowledged_case(deployment):
    """Concurrent case openings over HTTP; SIGKILL the server; restart; nothing lost or torn."""
    world = small_world(deployment.app)
    pos = position(deployment.app, world["hr"])
    server = _server(deployment)
    server.start()
    acknowledged: list[str] = []
    failures: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()

    def client(worker: int) -> None:
        with httpx.Client(base_url=server.url, timeout=10, headers=world["hr"].headers) as http:
            i = 0
            while not stop.is_set():
                i += 1
                body = {
                    "position_id": pos.id,
                    "agency_id": world.agency,
                    "candidate": {"name": "李娜", "email": f"w{worker}.{i}@burst.example"},
                    "categories": ["identity", "education"],
                }
                try:
                    answer = http.post("/api/v1/cases", json=body)
                except httpx.TransportError:
                    return  # the server is gone
                with lock:
                    if answer.status_code == 201:
                        acknowledged.append(answer.json()["id"])
                    else:
                        failures.append(f"{answer.status_code} {answer.text[:200]}")

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(client, w) for w in range(8)]
            deadline = time.monotonic() + 30
            while len(acknowledged) < 40 and time.monotonic() < deadline:
                time.sleep(0.01)
            server.kill(signal.SIGKILL)  # with requests in flight
            stop.set()
            for future in futures:
                future.result()
    finally:
        stop.set()
        server.kill(signal.SIGKILL)
    assert failures == []
    assert len(acknowledged) >= 40

    after_crash = check_invariants(deployment)
    # Every case the server answered 201 for is there, whole; nothing else half-exists.
    assert set(acknowledged) <= after_crash.live
    assert after_crash.destroyed == set()

    with server:  # the next run: appends carry on from the same head
        with httpx.Client(base_url=server.url, timeout=10, headers=world["hr"].headers) as http:
            body = {
                "position_id": pos.id,
                "agency_id": world.agency,
                "candidate": {"name": "李娜", "email": "after@burst.example"},
                "categories": ["identity"],
            }
            answer = http.post("/api/v1/cases", json=body)
            assert answer.status_code == 201, answer.text
            later = answer.json()["id"]
            checkpoint = http.get("/api/v1/ledger/checkpoint")
            assert checkpoint.status_code == 200, checkpoint.text
    final = check_invariants(deployment, via_cli=True)
    assert final.live == after_crash.live | {later}
    assert final.ledger_size > after_crash.ledger_size
    assert "Traceback" not in server.log()
