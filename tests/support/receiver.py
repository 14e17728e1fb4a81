"""A real HTTP receiver on loopback that records what it is sent."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@contextmanager
def receiver(statuses: list[int] | None = None) -> Iterator[dict[str, Any]]:
    """Serve on a free loopback port; answer with `statuses` in turn (then 200)."""
    state: dict[str, Any] = {"requests": [], "statuses": list(statuses or [])}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            state["requests"].append({"headers": dict(self.headers.items()), "body": body})
            code = state["statuses"].pop(0) if state["statuses"] else 200
            self.send_response(code)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
