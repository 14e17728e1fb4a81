"""The composition root: the one place that wires settings, engine, keys, mail and clock."""

from __future__ import annotations

import logging
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from fairscreen.cases.cache import CaseFileCache
from fairscreen.compliance.actions import record_refusal
from fairscreen.db.engine import make_engine, reader_engine
from fairscreen.db.fastread import FastReads
from fairscreen.db.uow import Collaborators, Links, UnitOfWork
from fairscreen.evidence.storage import EvidenceStore, LocalEvidenceStore
from fairscreen.identity.keycache import RecentKeys
from fairscreen.identity.passwords import Passwords
from fairscreen.mail.backends import (
    Mailer,
    Message,
    OutboxMailer,
    SmtpMailer,
    read_outbox,
)
from fairscreen.mail.queue import BackgroundDispatcher, MailDispatcher
from fairscreen.settings import Settings
from fairscreen.shared.clock import Clock, SystemClock
from fairscreen.shared.sealed import Sealed
from fairscreen.vault.crypto import SealError
from fairscreen.vault.keys import KeyProvider, LocalKeyProvider
from fairscreen.vault.service import CaseVault, KeyDestroyed


class App:
    """Everything a request, a command or a job needs, built once per process."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        clock: Clock | None = None,
        engine: Engine | None = None,
        keys: KeyProvider | None = None,
        mailer: Mailer | None = None,
        evidence: EvidenceStore | None = None,
        passwords: Passwords | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.clock: Clock = clock or SystemClock()
        self._engine = engine
        self._keys = keys
        self._mailer = mailer
        self._evidence = evidence
        # Production cost unless the caller (tests) gives another: no setting lowers it.
        self.passwords = passwords or Passwords()
        self.log = logging.getLogger("fairscreen")
        # Set by the web app's lifespan on PostgreSQL (db/fastread.py); None elsewhere.
        self.fast_reads: FastReads | None = None

    @cached_property
    def engine(self) -> Engine:
        """Return the database engine (built on first use)."""
        return self._engine or make_engine(self.settings.database_url)

    @cached_property
    def session_factory(self) -> sessionmaker[Session]:
        """Return the factory for write sessions."""
        return sessionmaker(bind=self.engine, expire_on_commit=False)

    @cached_property
    def read_factory(self) -> sessionmaker[Session]:
        """Return the factory for read-only sessions (no write lock on SQLite)."""
        return sessionmaker(bind=reader_engine(self.engine), expire_on_commit=False)

    @cached_property
    def keys(self) -> KeyProvider:
        """Return the key provider named by the settings."""
        if self._keys is not None:
            return self._keys
        if self.settings.key_provider == "pkcs11":
            from fairscreen.vault import pkcs11  # only needed with an HSM

            provider: KeyProvider = pkcs11.Pkcs11KeyProvider.from_settings(self.settings)
            return provider
        return LocalKeyProvider(self.settings.key_file)

    @cached_property
    def mailer(self) -> Mailer:
        """Return the mailer named by the settings."""
        if self._mailer is not None:
            return self._mailer
        if self.settings.mail == "outbox":
            return OutboxMailer(self.settings.outbox_dir, sealer=self._seal_outbox)
        return SmtpMailer(self.settings.mail)

    @cached_property
    def mail_dispatcher(self) -> MailDispatcher:
        """Return what sends a committed transaction's queued mail (mail/queue.py)."""
        return MailDispatcher(self.uow, self.mailer)

    def send_mail_in_background(self) -> MailDispatcher | None:
        """Send SMTP mail on a thread of its own (the server does: see BackgroundDispatcher)."""
        if not isinstance(self.mailer, SmtpMailer):
            return None  # the outbox writes a file: nothing to wait for
        background = BackgroundDispatcher(self.uow, self.mailer)
        self.__dict__["mail_dispatcher"] = background  # the cached property's value from now on
        return background

    @cached_property
    def case_files(self) -> CaseFileCache:
        """Return this process's cache of sealed case files (cases/cache.py)."""
        return CaseFileCache()

    @cached_property
    def recent_keys(self) -> RecentKeys:
        """Return this process's memory of API keys it has just checked (identity/keycache.py)."""
        return RecentKeys(self.settings.api_key_cache_seconds)

    @property
    def collaborators(self) -> Collaborators:
        """Return what a transaction may use besides its session.

        Made anew for each unit of work (a few references, about a microsecond), so a
        setting changed while the process runs reaches the next transaction.
        """
        settings = self.settings
        return Collaborators(
            clock=self.clock,
            keys=self.keys,
            vault=CaseVault,
            case_files=self.case_files,
            recent_keys=self.recent_keys,
            evidence=self.evidence,
            passwords=self.passwords,
            # Late-bound: `send_mail_in_background` may replace the dispatcher after start.
            dispatch_mail=lambda batch: self.mail_dispatcher.dispatch(batch),
            count_refusal=lambda org_id, case_id, code: record_refusal(
                self.uow(), org_id=org_id, case_id=case_id, code=code
            ),
            links=Links(
                base_url=settings.base_url,
                candidate_token_days=settings.candidate_token_days,
                candidate_token_days_after_signing=settings.candidate_token_days_after_signing,
                outbox_dir=settings.outbox_dir,
                key_provider=settings.key_provider,
                webhook_allow_private=settings.webhook_allow_private,
            ),
            log=self.log,
        )

    @cached_property
    def evidence(self) -> EvidenceStore:
        """Return where evidence files are kept (the data dir's folder unless injected)."""
        return self._evidence or LocalEvidenceStore(self.settings.data_dir / "evidence")

    def uow(self) -> UnitOfWork:
        """Return a new unit of work (a write transaction when entered)."""
        return UnitOfWork(self.session_factory, self.collaborators, read_factory=self.read_factory)

    def reader(self) -> UnitOfWork:
        """Return a unit of work for read-only queries."""
        return UnitOfWork(self.read_factory, self.collaborators)

    def _seal_outbox(self, case_id: str, content: bytes) -> bytes:
        with self.reader() as tx:
            return tx.vault.seal_bytes(case_id, "outbox.message", content).blob

    def _open_outbox(self, case_id: str, blob: bytes) -> bytes | None:
        with self.reader() as tx:
            try:
                return tx.vault.open_bytes(case_id, "outbox.message", Sealed(blob))
            except (KeyDestroyed, SealError):
                return None

    def outbox(self) -> list[Message]:
        """Return the readable messages of the outbox backend."""
        return read_outbox(self.settings.outbox_dir, self._open_outbox)
