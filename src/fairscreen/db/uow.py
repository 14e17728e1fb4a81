"""The unit of work: owns one transaction; effects (mail, webhooks) run after commit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from fairscreen.bootstrap import App


class UnitOfWork:
    """One transaction. Actions enter it, change rows, and call `commit()` once."""

    def __init__(self, app: App, factory: sessionmaker[Session]) -> None:
        self.app = app
        self._factory = factory
        self._after_commit: list[Callable[[], Any]] = []
        self.session: Session
        self._cache: dict[str, Any] = {}

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        self._after_commit = []
        self._cache = {}
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() ends the transaction (rolling back anything uncommitted) and detaches
        # objects without expiring them, so results read inside stay usable outside.
        self.session.close()
        self._cache.clear()

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """Yield a bare connection of this unit's engine, for one statement without a session.

        For the few reads on every request's path (a session and its identity map cost more
        than the statement); it is returned to the pool at once, outside any transaction
        of the unit's own.
        """
        bind = self._factory.kw["bind"]
        with bind.connect() as connection:
            yield connection

    @property
    def cache(self) -> dict[str, Any]:
        """Per-transaction memo (unwrapped case keys live here and die with it)."""
        return self._cache

    def after_commit(self, effect: Callable[[], Any]) -> None:
        """Run `effect` once the transaction has committed (never if it rolls back)."""
        self._after_commit.append(effect)

    def commit(self) -> None:
        """Commit, then run the queued effects; an effect's failure never undoes the commit."""
        self.session.commit()
        effects, self._after_commit = self._after_commit, []
        for effect in effects:
            try:
                effect()
            except Exception:  # noqa: BLE001 - effects are retried by their own outbox
                self.app.log.exception("after-commit effect failed")
