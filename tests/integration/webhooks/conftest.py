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
