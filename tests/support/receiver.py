"""A real HTTP receiver on loopback that records what it is sent, and a tarpit."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@contextmanager
def receiver(
    statuses: list[int] | None = None, hold: threading.Event | None = None
) -> Iterator[dict[str, Any]]:
    """Serve on a free loopback port; answer with `statuses` in turn (then 200).

    With `hold`, each request is recorded and `state["arrived"]` set, then the answer waits
    until `hold` is set: a slow endpoint whose slowness the test controls.
    """
    arrived = threading.Event()
    state: dict[str, Any] = {"requests": [], "statuses": list(statuses or []), "arrived": arrived}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            state["requests"].append({"headers": dict(self.headers.items()), "body": body})
            arrived.set()
            if hold is not None:
                hold.wait(60)
            code = state["statuses"].pop(0) if state["statuses"] else 200
            self.send_response(code)
            self.end_headers()

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            page = b"<html><body>not a ledger</body></html>"
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state["port"] = server.server_address[1]
    state["url"] = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield state
    finally:
        if hold is not None:
            hold.set()
        server.shutdown()
        server.server_close()


@contextmanager
def tarpit(drip_seconds: float = 0.2, body_bytes: int = 0) -> Iterator[dict[str, Any]]:
    """Accept connections and answer one byte every `drip_seconds`, never finishing.

    With `body_bytes`, answer a 200 at once and then a body of that many bytes, fast (an
    endpoint that floods). A bounded tarpit: it stops when the context exits.
    """
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    state: dict[str, Any] = {
        "connections": 0,
        "url": f"http://127.0.0.1:{listener.getsockname()[1]}/hook",
    }

    def serve(conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                if body_bytes:
                    conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % body_bytes)
                    chunk = b"x" * 65536
                    sent = 0
                    while sent < body_bytes and not stop.is_set():
                        conn.sendall(chunk)
                        sent += len(chunk)
                    return
                for byte in b"HTTP/1.1 200 OK\r\nx-slow: " + b"a" * 100000:
                    if stop.wait(drip_seconds):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                return

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            state["connections"] += 1
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stop.set()
        thread.join(5)
        listener.close()
