"""Slow clients are cut off: a dripped body gets 408, dripped headers a closed connection.

Against the real `fairscreen serve` (a subprocess), with both deadlines set to one second.
Each client sends a byte at a time, far slower than that, and far longer in total than the
test waits for: before the deadlines, the server held both connections for as long as the
client kept dripping (one worker's connection slot per attacker, for ever).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.server import ServerProcess

DRIP_SECONDS = 0.2
GIVE_UP_SECONDS = 60  # the test's own bound: a dripping client that is still served fails


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    env = {
        "FAIRSCREEN_REQUEST_HEADER_TIMEOUT": "1",
        "FAIRSCREEN_REQUEST_BODY_TIMEOUT": "1",
        "FAIRSCREEN_SCHEDULER": "false",
    }
    url = f"sqlite:///{data_dir / 'fairscreen.db'}"
    with ServerProcess(data_dir, database_url=url, env=env) as process:
        yield process


def _drip(server: ServerProcess, head: bytes, drip: bytes) -> tuple[bytes, bool]:
    """Send `head`, then `drip` a byte at a time; return what came back and if it closed."""
    answer = b""
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(head)
        sock.settimeout(DRIP_SECONDS)
        given_up = time.monotonic() + GIVE_UP_SECONDS
        sent = 0
        while time.monotonic() < given_up:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                chunk = None
            except ConnectionResetError:
                return answer, True
            if chunk == b"":
                return answer, True
            if chunk:
                answer += chunk
                continue
            if sent < len(drip):
                try:
                    sock.sendall(drip[sent : sent + 1])
                except (BrokenPipeError, ConnectionResetError):
                    return answer, True
                sent += 1
    return answer, False


def test_a_dripped_body_gets_408_and_a_closed_connection(server: ServerProcess) -> None:
    body = json.dumps({"title": "x" * 5000, "purpose": "general", "grade": "staff"}).encode()
    head = (
        b"POST /api/v1/positions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    answer, closed = _drip(server, head, body)
    assert closed, answer
    status, _, rest = answer.partition(b"\r\n")
    assert status == b"HTTP/1.1 408 Request Timeout", answer
    assert json.loads(rest.partition(b"\r\n\r\n")[2])["error"]["code"] == "request_timeout"


def test_dripped_headers_get_a_closed_connection(server: ServerProcess) -> None:
    head = b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    answer, closed = _drip(server, head, b"X-Slow: " + b"a" * 2000 + b"\r\n\r\n")
    assert closed
    assert b"200 OK" not in answer


def test_a_prompt_client_is_served_and_kept_alive(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        assert http.get("/api/v1/health").status_code == 200
        created = http.post("/api/v1/positions", json={"title": "Clerk"})
        assert created.status_code == 401  # the body was read in time; then the key is missing
        assert http.get("/api/v1/health").status_code == 200
