from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from factories.world import make_world
from fairscreen.web.app import create_app


@pytest.fixture
def client(fs):
    with TestClient(create_app(fs), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def world(fs):
    return make_world(fs)


@pytest.fixture
def loopback_allowed(fs):
    """The operator allows 127.0.0.1, where the tests' receivers listen (off by default)."""
    fs.settings.webhook_allow_private = "127.0.0.1"
    return fs
