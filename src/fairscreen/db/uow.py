"""The transaction boundary: a unit of work owns one transaction, entered once.

An action takes a `UnitOfWork`, enters it once (`with uow as tx:`) and hands the typed
transaction `Tx` to its helpers. The transaction carries everything a rule may touch
besides rows: the injected clock, the case vault, the after-commit effects. Nothing below
the edges reaches the process's composition root (`bootstrap.App`); its collaborators are
given to the unit of work when bootstrap builds it.

Entering a unit of work that is already entered raises `NestedUnitOfWork`: before, the
second entry silently replaced the session and the outer transaction's rows were lost.

A refusal whose class is counted (`DomainError.counted`) ends the transaction like any
error; the unit of work then counts it for the organisation the transaction acted for,
in a transaction of its own, whatever the channel (API, page, CLI, job).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from fairscreen.shared.clock import Clock
from fairscreen.shared.errors import DomainError

if TYPE_CHECKING:  # types only: the collaborators are injected by bootstrap
    from fairscreen.cases.cache import CaseFileCache
    from fairscreen.evidence.storage import EvidenceStore
    from fairscreen.identity.keycache import RecentKeys
    from fairscreen.identity.passwords import Passwords
    from fairscreen.vault.keys import KeyProvider
    from fairscreen.vault.service import CaseVault


class NestedUnitOfWork(RuntimeError):
    """A unit of work was entered while already entered (a programming error)."""


@dataclass(frozen=True)
class Links:
    """The few settings that rules below the edges need, as plain values."""

    base_url: str  # the absolute address of links the system sends
    candidate_token_days: int  # how long a candidate's link stays valid
    outbox_dir: Path  # the outbox mail backend's folder (purged with its cases)
    key_provider: str  # "local" or "pkcs11", as the processing record states it
    # Hosts, addresses or CIDR ranges webhooks and the witness may reach though not public.
    webhook_allow_private: str = ""
    candidate_token_days_after_signing: int = 7  # a link's life once consent is signed


@dataclass(frozen=True)
class Collaborators:
    """What a transaction may use besides its session; built once by bootstrap."""

    clock: Clock
    keys: KeyProvider
    vault: Callable[[Session, KeyProvider], CaseVault]
    case_files: CaseFileCache
    recent_keys: RecentKeys
    evidence: EvidenceStore
    passwords: Passwords  # staff password hashing (a cheap profile in tests only)
    # Sends a committed transaction's queued mail: (queued mail id, message) pairs.
    dispatch_mail: Callable[[Sequence[tuple[str, Any]]], None]
    # Counts a refusal of a counted class in a transaction of its own: (org, case, code).
    count_refusal: Callable[[str, str | None, str], None]
    links: Links
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("fairscreen"))


class Tx:
    """An entered unit of work: one open transaction and what its rules may use."""

    def __init__(self, unit: UnitOfWork, session: Session) -> None:
        self.session = session
        self.clock: Clock = unit.collaborators.clock
        self.links: Links = unit.collaborators.links
        self.case_files = unit.collaborators.case_files
        self.recent_keys = unit.collaborators.recent_keys
        self.evidence = unit.collaborators.evidence
        self.keys = unit.collaborators.keys  # for system secrets (vault/secrets.py)
        self.passwords = unit.collaborators.passwords
        self._unit = unit
        self._after_commit: list[Callable[[], Any]] = []
        self.cache: dict[str, Any] = {}  # per-transaction memo; dies with it
        self.org_id: str | None = None
        self.case_id: str | None = None

    @cached_property
    def vault(self) -> CaseVault:
        """Return the case vault bound to this transaction (unwrapped keys die with it)."""
        collaborators = self._unit.collaborators
        return collaborators.vault(self.session, collaborators.keys)

    def concerning(self, org_id: str, case_id: str | None = None) -> None:
        """Name the organisation (and case) this transaction acts for; refusals count there."""
        self.org_id = org_id
        self.case_id = case_id

    def after_commit(self, effect: Callable[[], Any]) -> None:
        """Run `effect` once the transaction has committed (never if it rolls back)."""
        self._after_commit.append(effect)

    def dispatch_mail(self, batch: Sequence[tuple[str, Any]]) -> None:
        """Send queued mail after commit (mail/queue.py decides what)."""
        dispatch = self._unit.collaborators.dispatch_mail
        self.after_commit(lambda: dispatch(batch))

    def commit(self) -> None:
        """Commit, then run the queued effects; an effect's failure never undoes the commit."""
        self.session.commit()
        effects, self._after_commit = self._after_commit, []
        for effect in effects:
            try:
                effect()
            except Exception:  # noqa: BLE001 - effects are retried by their own outbox
                self._unit.collaborators.log.exception("after-commit effect failed")


class UnitOfWork:
    """One transaction. An action enters it once, changes rows, and commits once."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        collaborators: Collaborators,
        *,
        read_factory: sessionmaker[Session] | None = None,
    ) -> None:
        self._factory = factory
        self._read_factory = read_factory or factory
        self.collaborators = collaborators
        self._tx: Tx | None = None

    def __enter__(self) -> Tx:
        if self._tx is not None:
            raise NestedUnitOfWork(
                "this unit of work is already entered: pass its Tx to helpers instead"
            )
        self._tx = Tx(self, self._factory())
        return self._tx

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        tx, self._tx = self._tx, None
        assert tx is not None
        # close() ends the transaction (rolling back anything uncommitted) and detaches
        # objects without expiring them, so results read inside stay usable outside.
        tx.session.close()
        tx.cache.clear()
        if isinstance(exc, DomainError) and exc.counted and tx.org_id is not None:
            try:
                self.collaborators.count_refusal(tx.org_id, tx.case_id, exc.code)
            except Exception:  # noqa: BLE001 - the refusal itself must still reach the caller
                self.collaborators.log.exception("could not count a refused attempt")

    def fresh(self) -> UnitOfWork:
        """Return a new, unentered unit of work of the same kind and collaborators."""
        return UnitOfWork(self._factory, self.collaborators, read_factory=self._read_factory)

    def reader(self) -> UnitOfWork:
        """Return a new, unentered unit of work for read-only queries."""
        return UnitOfWork(self._read_factory, self.collaborators)

    @property
    def clock(self) -> Clock:
        """Return the injected clock (for checks made before the transaction opens)."""
        return self.collaborators.clock

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
