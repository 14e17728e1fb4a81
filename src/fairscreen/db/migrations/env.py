"""Alembic environment: runs against the engine the caller passes (or the settings' URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from fairscreen.db.registry import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata(),
        render_as_batch=True,  # SQLite cannot ALTER most things in place
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from fairscreen.db.engine import make_engine
    from fairscreen.settings import Settings

    engine = make_engine(config.get_main_option("sqlalchemy.url") or Settings().database_url)
    with engine.connect() as conn:
        _run(conn)
