"""The Alembic migrations build exactly the schema the models declare, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from fairscreen.db.engine import make_engine
from fairscreen.db.migrate import upgrade
from fairscreen.db.registry import metadata


def _fresh_url(backend, tmp_path, request) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'migrated.db'}"
    cluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database(f"mig_{abs(hash(str(tmp_path))) % 10**8}")


def test_migrations_match_models_and_are_idempotent(backend, tmp_path, request) -> None:
    engine = make_engine(_fresh_url(backend, tmp_path, request))
    upgrade(engine)
    upgrade(engine)  # init is idempotent
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata())
        assert diff == [], f"models and migrations differ; add a migration: {diff}"
        assert conn.execute(text("SELECT size FROM ledger_head")).scalar_one() == 0
    engine.dispose()
