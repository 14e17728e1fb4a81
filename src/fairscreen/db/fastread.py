"""One-statement reads on the server's event loop, for the hottest read path (PostgreSQL).

Every other database call runs synchronously on a worker thread. For a case file served
from the case-file cache (cases/cache.py) the only database work is one small statement;
the hop to a worker thread, and the forty threads contending for the interpreter, cost
more than the statement. Here that statement runs on the event loop through psycopg's
own asyncio connection.

This pool hands a read back rather than fail it: when the database answers with an error,
when connecting failed within the last second, when no connection came free within half a
second (all of them busy) or a statement is still unanswered after two seconds, the read
raises `FastReadUnavailable` and the caller takes its ordinary (threaded, SQLAlchemy)
path, whose errors are the ones users see (`503 unavailable`). An outage therefore
answers as it would without this pool. That is also why this is not psycopg_pool: its
getconn waits for a connection up to a timeout and then fails.

Statements are SQLAlchemy Core selects compiled once for psycopg (one source of truth with
the threaded path); the pool belongs to the event loop that opened it (the server's
lifespan, web/app.py).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import psycopg
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import URL
from sqlalchemy.sql import ClauseElement

RECONNECT_PAUSE = 1.0  # seconds without new connections after one failed to open
WAIT_FOR_IDLE = 0.5  # seconds a read waits for a busy pool before taking the ordinary path
STATEMENT_SECONDS = 2.0  # a statement this slow is abandoned for the ordinary path


class FastReadUnavailable(Exception):
    """The fast path cannot answer now; take the ordinary path."""


class FastReads:
    """A small pool of autocommit asyncio connections to PostgreSQL that hands back, not fails."""

    def __init__(self, url: URL, *, size: int = 20) -> None:
        self._conninfo = url.set(drivername="postgresql").render_as_string(False)
        self._size = size
        # Made on first use: a queue belongs to the event loop it is used on.
        self._idle: asyncio.LifoQueue[psycopg.AsyncConnection[Any]] | None = None
        self._open = 0
        self._failed_at = -RECONNECT_PAUSE
        self._sql: dict[ClauseElement, str] = {}  # the statements are module constants
        self._closed = False

    def _compiled(self, statement: ClauseElement) -> str:
        sql = self._sql.get(statement)
        if sql is None:
            compiled = statement.compile(dialect=postgresql.psycopg.dialect())  # type: ignore[no-untyped-call]
            sql = self._sql[statement] = str(compiled)
        return sql

    async def _connection(self) -> psycopg.AsyncConnection[Any]:
        if self._idle is None:
            self._idle = asyncio.LifoQueue()
        if self._closed:
            raise FastReadUnavailable()
        if not self._idle.empty():
            return self._idle.get_nowait()
        if self._open < self._size:
            if time.monotonic() - self._failed_at < RECONNECT_PAUSE:
                raise FastReadUnavailable()
            self._open += 1
            try:
                return await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True, connect_timeout=5
                )
            except psycopg.Error as exc:
                self._open -= 1
                self._failed_at = time.monotonic()
                raise FastReadUnavailable() from exc
            except BaseException:
                self._open -= 1  # cancelled while connecting
                raise
        try:
            return await asyncio.wait_for(self._idle.get(), WAIT_FOR_IDLE)
        except TimeoutError as exc:
            raise FastReadUnavailable() from exc

    async def fetchone(
        self, statement: ClauseElement, params: dict[str, Any]
    ) -> tuple[Any, ...] | None:
        """Run a select, return its first row (None when it has none), or raise Unavailable."""
        sql = self._compiled(statement)
        connection = await self._connection()
        try:
            async with asyncio.timeout(STATEMENT_SECONDS):
                cursor = await connection.execute(sql, params)
                row = await cursor.fetchone()
        except (psycopg.Error, TimeoutError) as exc:
            self._open -= 1
            await connection.close()  # broken or not, it is not given out again
            raise FastReadUnavailable() from exc
        except BaseException:
            self._open -= 1  # cancelled mid-statement: the connection's state is unknown
            await connection.close()
            raise
        if self._closed or self._idle is None:
            self._open -= 1
            await connection.close()
        else:
            self._idle.put_nowait(connection)
        return row

    async def close(self) -> None:
        """Close the idle connections; those in use close when they come back."""
        self._closed = True
        while self._idle is not None and not self._idle.empty():
            self._open -= 1
            await self._idle.get_nowait().close()
