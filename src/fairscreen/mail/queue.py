"""The durable mail queue: a message is a row of the transaction that decides to send it.

A release notice starts the candidate's waiting period, an invitation carries the only
link to the consent form: a message that is lost harms the candidate. So a message is
not handed to the mailer from memory alone. `queue_mail` writes it (sealed under its
case's key) in the caller's transaction; once that commits, the committing process sends
it at once (on its own thread under `serve` with SMTP) and records that it went. If that
process dies first, or the send fails, the `mail.send` job sends it later and retries
on a schedule; after the last attempt the row is marked failed and logged by case id.

Delivery is at least once: a process that dies between the send and its record sends
that message again on the next run, since a duplicate notice harms no one.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from fairscreen.db.lease import claim_due
from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.mail.backends import Mailer, Message
from fairscreen.mail.models import QueuedMail
from fairscreen.shared.ids import new_id
from fairscreen.vault.crypto import SealError
from fairscreen.vault.service import KeyDestroyed

log = logging.getLogger("fairscreen.mail")

FIELD = "mail.message"
# The committing process has this long to send a message itself before the job may take
# it over (also the lease the job takes on what it claims).
HANDOVER = timedelta(minutes=10)
# Waits after the 1st, 2nd, ... failed attempt; after the last, the message is given up.
RETRY_AFTER = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
)

Batch = Sequence[tuple[str, Message]]  # (queued mail id, message)


def queue_mail(tx: Tx, messages: Sequence[Message]) -> list[str]:
    """Queue messages in the caller's transaction; they go once it commits (never if not)."""
    now = tx.clock.now()
    batch: list[tuple[str, Message]] = []
    for message in messages:
        content = json.dumps(asdict(message), ensure_ascii=False)
        row = QueuedMail(
            id=new_id("mail"),
            case_id=message.case_id,
            lang=message.lang,
            created_at=now,
            status="pending",
            next_attempt_at=now + HANDOVER,
            attempts=0,
        )
        if message.case_id is None:
            row.plain = content  # to a staff member's work address, about no case
        else:
            vault = tx.vault
            row.sealed = vault.seal_bytes(message.case_id, FIELD, content.encode())
        tx.session.add(row)
        batch.append((row.id, message))
    if batch:
        tx.dispatch_mail(batch)
    return [mail_id for mail_id, _ in batch]


def _attempt(mailer: Mailer, mail_id: str, message: Message) -> str | None:
    """Send one message; return None, or the type of the error that stopped it."""
    try:
        mailer.send(message)
    except Exception as exc:  # noqa: BLE001 - any failure of one message is retried later
        log.warning("mail %s of case %s not sent: %s", mail_id, message.case_id, type(exc).__name__)
        return type(exc).__name__
    return None


def _record(new_uow: Callable[[], UnitOfWork], outcomes: dict[str, str | None]) -> int:
    """Record the attempts: a sent message loses its content, a failed one is rescheduled.

    Return how many were given up.
    """
    given_up = 0
    if not outcomes:
        return given_up
    with new_uow() as tx:
        now = tx.clock.now()
        sent = [mail_id for mail_id, error in outcomes.items() if error is None]
        if sent:
            tx.session.execute(
                update(QueuedMail)
                .where(QueuedMail.id.in_(sent), QueuedMail.status == "pending")
                .values(
                    status="sent",
                    sent_at=now,
                    sealed=None,
                    plain=None,
                    attempts=QueuedMail.attempts + 1,
                    next_attempt_at=None,
                    last_error=None,
                )
            )
        failed = {mail_id: error for mail_id, error in outcomes.items() if error is not None}
        if failed:
            rows = tx.session.scalars(
                select(QueuedMail).where(
                    QueuedMail.id.in_(list(failed)), QueuedMail.status == "pending"
                )
            )
            for row in rows:
                row.attempts += 1
                row.last_error = failed[row.id]
                row.next_attempt_at = _retry_at(row.attempts, now)
                if row.next_attempt_at is None:
                    row.status = "failed"
                    given_up += 1
                    log.error(
                        "mail %s of case %s given up after %d attempts: %s",
                        row.id,
                        row.case_id,
                        row.attempts,
                        row.last_error,
                    )
        tx.commit()
    return given_up


def _retry_at(attempts: int, now: datetime) -> datetime | None:
    if attempts > len(RETRY_AFTER):
        return None
    return now + RETRY_AFTER[attempts - 1]


def send_batch(new_uow: Callable[[], UnitOfWork], mailer: Mailer, batch: Batch) -> None:
    """Send messages this process holds (just committed or just claimed), then record it."""
    outcomes = {mail_id: _attempt(mailer, mail_id, message) for mail_id, message in batch}
    _record(new_uow, outcomes)


def _open(tx: Tx, row: QueuedMail) -> Message | None:
    """Return the queued message, or None once its case's key is destroyed."""
    if row.plain is not None:
        return Message(**json.loads(row.plain))
    if row.case_id is None or row.sealed is None:
        return None
    try:
        vault = tx.vault
        content = vault.open_bytes(row.case_id, FIELD, row.sealed)
    except (KeyDestroyed, SealError):
        return None
    return Message(**json.loads(content))


@dataclass(frozen=True)
class MailReport:
    sent: int
    retrying: int
    failed: int

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "retrying": self.retrying, "failed": self.failed}


def do_send_due(
    new_uow: Callable[[], UnitOfWork], mailer: Mailer, *, limit: int = 100
) -> MailReport:
    """Send the queued messages that are due: left by a process that died, or to retry.

    Claiming takes a lease (HANDOVER) in a short transaction, so several processes never
    send the same message, and no lock is held while the mail server answers.
    """
    batch: list[tuple[str, Message]] = []
    unreadable = 0
    with new_uow() as tx:
        now = tx.clock.now()
        for row in claim_due(tx.session, QueuedMail, now=now, lease=HANDOVER, limit=limit):
            message = _open(tx, row)
            if message is None:  # its case is destroyed: there is no one left to tell
                row.status, row.sealed, row.next_attempt_at = "failed", None, None
                row.last_error = "case destroyed"
                unreadable += 1
                continue
            batch.append((row.id, message))
        tx.commit()
    outcomes = {mail_id: _attempt(mailer, mail_id, message) for mail_id, message in batch}
    given_up = _record(new_uow, outcomes)
    failures = sum(error is not None for error in outcomes.values())
    return MailReport(
        sent=len(outcomes) - failures, retrying=failures - given_up, failed=given_up + unreadable
    )


class MailDispatcher:
    """Sends what a transaction queued, once it has committed: in the caller's thread."""

    def __init__(self, new_uow: Callable[[], UnitOfWork], mailer: Mailer) -> None:
        self.new_uow = new_uow
        self.mailer = mailer

    def dispatch(self, batch: Batch) -> None:
        """Send the batch now and record it (the job takes over whatever this misses)."""
        send_batch(self.new_uow, self.mailer, batch)

    def close(self, timeout: float = 30.0) -> None:
        """Nothing is held: every batch was sent in its caller's thread."""


class BackgroundDispatcher(MailDispatcher):
    """Sends on a thread of its own, so a request does not wait on the mail server.

    `fairscreen serve` uses it for SMTP: an invitation's SMTP conversation was 40 % of
    the time of opening a case, and its tail (bench_load: POST /cases p95 855 ms against a
    p50 of 30 ms). Batches reach it only once their transaction has committed; `close`
    sends what is waiting before the process ends, and what it cannot send in time stays
    queued in the database for the job of this or another replica.
    """

    def __init__(self, new_uow: Callable[[], UnitOfWork], mailer: Mailer) -> None:
        super().__init__(new_uow, mailer)
        self._queue: queue.Queue[Batch | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="fairscreen-mail", daemon=True)
        self._thread.start()

    def dispatch(self, batch: Batch) -> None:
        """Hand the batch to the sending thread."""
        self._queue.put(batch)

    def _run(self) -> None:
        while True:
            batch = self._queue.get()
            try:
                if batch is None:
                    return
                send_batch(self.new_uow, self.mailer, batch)
            except Exception:  # noqa: BLE001 - the rows stay queued; the job retries them
                log.exception("recording sent mail failed; the mail.send job will retry it")
            finally:
                self._queue.task_done()

    def close(self, timeout: float = 30.0) -> None:
        """Send what is waiting, then stop the thread (waits up to `timeout` seconds)."""
        self._queue.put(None)
        self._thread.join(timeout)
