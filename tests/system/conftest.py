"""System tests: the real server in a subprocess over a fresh database of each backend."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fairscreen.bootstrap import App
from fairscreen.provision import initialise
from fairscreen.settings import Settings
from support.passwords import CHEAP_PASSWORDS


@dataclass
class Deployment:
    """A data folder and a database, initialised as `fairscreen init` would."""

    data_dir: Path
    database_url: str
    app: App


@pytest.fixture
def deployment(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Deployment]:
    data_dir = tmp_path / "var"
    if backend == "postgresql":
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database("fs_" + uuid.uuid4().hex[:12])
    else:
        url = f"sqlite:///{data_dir / 'fairscreen.db'}"
    settings = Settings(
        data_dir=data_dir, database_url=url, base_url="http://served.test", _env_file=None
    )  # type: ignore[call-arg]
    app = App(settings, passwords=CHEAP_PASSWORDS)
    initialise(app)
    try:
        yield Deployment(data_dir, url, app)
    finally:
        app.engine.dispose()
