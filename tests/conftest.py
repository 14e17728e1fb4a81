"""Test fixtures: every database test runs on SQLite and on a real PostgreSQL.

The schema is built once per test session (per worker under `pytest -n`): SQLite tests get
a copy of a template database file (4 ms; `create_all` took 100 ms a test), PostgreSQL
tests share one database per worker, emptied before each test by DELETE in foreign-key
order (20 ms after a test world; TRUNCATE of the 34 tables took 350 ms, a new database
from a template 140-190 ms). Each pytest-xdist worker has its own PostgreSQL cluster.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).parent))

from fairscreen.bootstrap import App  # noqa: E402
from fairscreen.db.engine import make_engine  # noqa: E402
from fairscreen.db.registry import metadata  # noqa: E402
from fairscreen.settings import Settings  # noqa: E402
from fairscreen.shared.clock import FrozenClock  # noqa: E402
from fairscreen.vault.keys import LocalKeyProvider  # noqa: E402
from support.passwords import CHEAP_PASSWORDS  # noqa: E402
from support.pg import PostgresCluster  # noqa: E402

SKIP_PG = os.environ.get("FAIRSCREEN_SKIP_POSTGRES") == "1"
BACKENDS = ["sqlite"] if SKIP_PG else ["sqlite", "postgresql"]
# The pytest-xdist worker this process is (gw0, gw1, ...), "main" without workers.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under `pytest -n --dist loadgroup`, the browser tests stay on one worker.

    They share one server, one world and one Chromium per session (tests/e2e/conftest.py);
    split over two workers they would start two of each for ten tests.
    """
    for item in items:
        if item.get_closest_marker("e2e") is not None:
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster(name=WORKER)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def pg_template_url(pg_cluster: PostgresCluster) -> str:
    url = pg_cluster.create_database(f"fs_tests_{WORKER}")
    engine = make_engine(url)
    create_schema(engine)
    engine.dispose()
    return url


def create_schema(engine: Any) -> None:
    """Create the tables from the models (fast); test_migrations checks Alembic agrees."""
    metadata().create_all(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO ledger_head (id, size) VALUES (1, 0)"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database file holding the empty schema, built once, copied by each test."""
    path = tmp_path_factory.mktemp("sqlite-template") / "fairscreen.db"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path


def _empty(engine: Any) -> None:
    """Delete every row, children first (no TRUNCATE: it rebuilds 34 tables' files)."""
    tables = [t.name for t in reversed(metadata().sorted_tables)]
    with engine.begin() as conn:
        for table in tables:
            conn.execute(text(f'DELETE FROM "{table}"'))
        conn.execute(text("INSERT INTO ledger_head (id, size) VALUES (1, 0)"))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def fs(
    backend: str, tmp_path: Path, clock: FrozenClock, request: pytest.FixtureRequest
) -> Iterator[App]:
    """The app container on a clean database of the parametrised backend."""
    data_dir = tmp_path / "var"
    if backend == "postgresql":
        url = request.getfixturevalue("pg_template_url")
    else:
        url = f"sqlite:///{data_dir / 'fairscreen.db'}"
    settings = Settings(
        data_dir=data_dir,
        database_url=url,
        base_url="http://testserver",
        demo_audit_cases=12,
        _env_file=None,
    )  # type: ignore[call-arg]
    data_dir.mkdir(parents=True, exist_ok=True)
    LocalKeyProvider.create(settings.key_file)
    if backend == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_template"), data_dir / "fairscreen.db")
    engine = make_engine(url)
    if backend == "postgresql":
        _empty(engine)
    app = App(settings, clock=clock, engine=engine, passwords=CHEAP_PASSWORDS)
    try:
        yield app
    finally:
        engine.dispose()
