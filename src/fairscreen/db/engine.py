"""Engine construction: SQLite pragmas and write locking, PostgreSQL through psycopg 3."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool


def make_engine(url: str) -> Engine:
    """Build an engine for a SQLAlchemy URL, configured the way fairscreen needs it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(False))
    # An unreachable database host must fail in seconds (503 unavailable), not hang for
    # the operating system's TCP timeout; a URL that names its own timeout keeps it.
    connect_args = {} if "connect_timeout" in parsed.query else {"connect_timeout": 5}
    return create_engine(
        url, pool_pre_ping=True, pool_size=20, max_overflow=20, connect_args=connect_args
    )


def _sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        poolclass=QueuePool,
        pool_size=5,
        max_overflow=15,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so that BEGIN is ours (see below).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        # Deleted ciphertext is overwritten, not left in free pages.
        cur.execute("PRAGMA secure_delete=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the write lock up front: a deferred transaction that later
        # upgrades to a writer can fail with SQLITE_BUSY that busy_timeout cannot
        # wait out. Read-only sessions opt out with execution option `fs_readonly`.
        if conn.get_execution_options().get("fs_readonly"):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def reader_engine(engine: Engine) -> Engine:
    """Return the engine's view for read-only sessions.

    On SQLite a reader's BEGIN (deferred, see `_on_begin`) is what gives its statements one
    snapshot of the WAL. PostgreSQL's READ COMMITTED takes a new snapshot per statement
    inside a transaction as well, so a reader's BEGIN and ROLLBACK there would only be two
    more round trips per request: readers run in autocommit instead.
    """
    if is_sqlite(engine):
        return engine.execution_options(fs_readonly=True)
    return engine.execution_options(fs_readonly=True, isolation_level="AUTOCOMMIT")


def is_sqlite(engine: Engine) -> bool:
    """Tell whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"
