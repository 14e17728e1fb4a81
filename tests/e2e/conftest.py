"""Browser tests: the real app under uvicorn on a loopback port, driven by Debian's Chromium.

The server and the tests share one App (SQLite in a temporary folder, a FrozenClock), so a
test prepares a case through the actions and then walks through it as the candidate would.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from factories.world import World, make_world
from fairscreen.bootstrap import App
from fairscreen.db.engine import make_engine
from fairscreen.db.registry import metadata
from fairscreen.settings import Settings
from fairscreen.shared.clock import FrozenClock
from fairscreen.vault.keys import LocalKeyProvider
from fairscreen.web.app import create_app
from support.passwords import CHEAP_PASSWORDS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-background-networking",  # else Chromium keeps calling hosts it cannot reach
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


@dataclass
class Site:
    """The running server and the world behind it."""

    url: str
    app: App
    clock: FrozenClock
    world: World


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Start the app with uvicorn in a thread on a free loopback port."""
    if not CHROMIUM.exists():
        pytest.skip("the browser tests need /usr/bin/chromium")
    import uvicorn

    data_dir = tmp_path_factory.mktemp("e2e") / "var"
    data_dir.mkdir(parents=True)
    url = f"sqlite:///{data_dir / 'fairscreen.db'}"
    port = _free_port()
    settings = Settings(
        data_dir=data_dir, database_url=url, base_url=f"http://127.0.0.1:{port}", _env_file=None
    )  # type: ignore[call-arg]
    LocalKeyProvider.create(settings.key_file)
    engine = make_engine(url)
    metadata().create_all(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO ledger_head (id, size) VALUES (1, 0)"))
    clock = FrozenClock()
    app = App(settings, clock=clock, engine=engine, passwords=CHEAP_PASSWORDS)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(app), host="127.0.0.1", port=port, log_level="warning", access_log=False
        )
    )
    thread = threading.Thread(target=server.run, name="e2e-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield Site(f"http://127.0.0.1:{port}", app, clock, make_world(app))
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


@pytest.fixture(scope="session")
def browser(site: Site) -> Iterator[Any]:
    """Launch Debian's Chromium headless (never a downloaded one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A fresh phone-sized browser context (its own cookies), reading Simplified Chinese."""
    context = browser.new_context(**PHONE, locale="zh-CN")
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture(scope="session")
def shots() -> Path:
    """Return the folder for screenshots (gitignored), created on demand."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
