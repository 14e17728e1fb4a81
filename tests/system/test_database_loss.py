"""Database loss: the PostgreSQL server stopped and started again under a light load.

The real `fairscreen serve` takes reads and case openings from a few clients while the
test stops the shared PostgreSQL cluster (`pg_ctl stop -m fast`: sessions cut, new
connections refused) and starts it again. While it is down every answer is a quick
503 `unavailable` with a Retry-After, never a 500 and never a hang; once it is back the
requests succeed again; and nothing is half-written: a case whose opening was answered
201 exists whole, one answered 503 does not exist at all.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import select

from factories.world import position
from fairscreen.cases.models import Case
from fairscreen.vault.keys import LocalKeyProvider
from support.server import ServerProcess
from system.faults import BASE_URL, check_invariants, open_cases, preparer, small_world

pytestmark = pytest.mark.skipif(
    os.environ.get("FAIRSCREEN_SKIP_POSTGRES") == "1", reason="PostgreSQL is skipped"
)

SLOW = 5.0  # seconds: an answer slower than this counts as a hang


@dataclass
class Answer:
    phase: str  # "before>stopping": sent in one phase, answered in the next
    kind: str  # "read" or "open"
    status: int  # 0: no HTTP answer at all
    code: str | None
    retry_after: str | None
    seconds: float
    email: str | None = None
    case_id: str | None = None


@dataclass
class Load:
    """A few clients looping over a read and a case opening; answers tagged by phase."""

    base_url: str
    headers: dict[str, str]
    position_id: str
    agency_id: str
    read_id: str
    phase: str = "before"
    answers: list[Answer] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def client(self, worker: int) -> None:
        with httpx.Client(base_url=self.base_url, timeout=30, headers=self.headers) as http:
            n = 0
            while not self.stop.is_set():
                n += 1
                phase = self.phase
                if n % 2:
                    self._record(http, phase, "read", None, f"/api/v1/cases/{self.read_id}")
                else:
                    email = f"w{worker}.{n}.{phase}@outage.example"
                    self._record(http, phase, "open", email, "/api/v1/cases")
                time.sleep(0.05)  # a light load

    def _record(
        self, http: httpx.Client, phase: str, kind: str, email: str | None, path: str
    ) -> None:
        started = time.monotonic()
        try:
            if email is None:
                response = http.get(path)
            else:
                body = {
                    "position_id": self.position_id,
                    "agency_id": self.agency_id,
                    "candidate": {"name": "王芳", "email": email},
                    "categories": ["identity"],
                }
                response = http.post(path, json=body)
        except httpx.HTTPError:
            response = None
        if self.phase != phase:  # under way across a change: counted apart
            phase = f"{phase}>{self.phase}"
        if response is None:
            answer = Answer(phase, kind, 0, None, None, time.monotonic() - started, email)
        else:
            error = response.json().get("error") if response.status_code >= 400 else None
            answer = Answer(
                phase,
                kind,
                response.status_code,
                error.get("code") if isinstance(error, dict) else None,
                response.headers.get("retry-after"),
                time.monotonic() - started,
                email,
                response.json().get("id") if response.status_code == 201 else None,
            )
        with self.lock:
            self.answers.append(answer)

    def count(self, phase: str) -> int:
        with self.lock:
            return sum(a.phase == phase for a in self.answers)

    def wait_for(self, phase: str, n: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.count(phase) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.count(phase) >= n, f"only {self.count(phase)} answers {phase}"


@pytest.mark.parametrize("backend", ["postgresql"])
def test_requests_answer_503_while_postgresql_is_down_and_succeed_after(deployment, pg_cluster):
    world = small_world(preparer(deployment))
    pos = position(deployment.app, world["hr"])
    [read_id] = open_cases(preparer(deployment), world, 1)
    server = ServerProcess(
        deployment.data_dir,
        database_url=deployment.database_url,
        env={"FAIRSCREEN_BASE_URL": BASE_URL},
    )
    server.start()
    load = Load(server.url, world["hr"].headers, pos.id, world.agency, read_id)
    clients = [threading.Thread(target=load.client, args=(w,)) for w in range(3)]
    try:
        for thread in clients:
            thread.start()
        load.wait_for("before", 12)
        load.phase = "stopping"  # sessions are being cut: either answer is fine
        pg_cluster.pause()
        try:
            load.phase = "down"
            load.wait_for("down", 24)
        finally:
            load.phase = "starting"
            pg_cluster.resume()
        load.phase = "back"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with load.lock:
                if any(a.phase == "back" and a.status in (200, 201) for a in load.answers):
                    break
            time.sleep(0.05)
        load.phase = "after"
        load.wait_for("after", 12)
    finally:
        load.stop.set()
        for thread in clients:
            thread.join(timeout=60)
        server.kill(signal.SIGTERM)
        pg_cluster.resume()  # already running unless something above failed early

    answers = load.answers
    slow = [a for a in answers if a.seconds > SLOW]
    assert slow == [], f"{len(slow)} answers took over {SLOW} s"
    assert [a for a in answers if a.status == 0] == [], "a request got no HTTP answer"
    assert [a for a in answers if a.status == 500] == []
    assert {a.status for a in answers if a.phase == "before"} <= {200, 201}
    refused = [a for a in answers if a.phase == "down"]
    assert len(refused) >= 20
    assert {(a.status, a.code) for a in refused} == {(503, "unavailable")}
    assert all(a.retry_after and int(a.retry_after) > 0 for a in refused)
    assert {a.kind for a in refused} == {"read", "open"}
    assert any(a.phase == "back" and a.status in (200, 201) for a in answers), "never recovered"
    assert {a.status for a in answers if a.phase == "after"} <= {200, 201}

    # Nothing half-written: each opening either exists whole or not at all.
    keys = LocalKeyProvider(deployment.app.settings.key_file)
    state = check_invariants(deployment)
    with deployment.app.reader() as uow:
        for a in answers:
            if a.kind != "open":
                continue
            index = keys.index_hmac(f"email|{a.email}".encode())
            found = select(Case.id).where(Case.candidate_email_index == index)
            ids = list(uow.session.scalars(found))
            if a.status == 201:
                assert ids == [a.case_id] and a.case_id in state.live
            else:
                assert ids == [], f"an opening answered {a.status} left a case behind"
    assert "unexpected error" not in server.log()
