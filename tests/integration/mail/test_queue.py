"""The durable mail queue: no committed message is lost, none is sent twice by two senders.

`fs` stands for a replica; a dispatcher that never sends stands for one that died just
after its commit (tests/system/test_crash_safety.py kills a real server).
"""

from __future__ import annotations

import logging
import smtplib

import pytest
from sqlalchemy import select, text, update

from factories.world import make_world, open_case
from fairscreen.bootstrap import App
from fairscreen.identity.policy import SYSTEM
from fairscreen.mail.backends import Message
from fairscreen.mail.models import QueuedMail
from fairscreen.mail.queue import HANDOVER, RETRY_AFTER, do_send_due, queue_mail
from fairscreen.retention.purge import destroy_cases
from fairscreen.vault.models import VaultCaseKey

EMAIL = "li.na@candidate.example"


class Recorder:
    """A mail server that keeps what it is given; `refuse` makes the next sends fail."""

    def __init__(self, refuse: int = 0) -> None:
        self.sent: list[Message] = []
        self.refuse = refuse
        self.during_send = None

    def send(self, message: Message) -> None:
        if self.during_send is not None:
            self.during_send()
        if self.refuse:
            self.refuse -= 1
            raise smtplib.SMTPRecipientsRefused({message.to: (450, b"mailbox busy")})
        self.sent.append(message)


class Died:
    """The committing process died before it could send what it had queued."""

    def dispatch(self, batch) -> None:
        pass

    def close(self, timeout: float = 30.0) -> None:
        pass


@pytest.fixture
def mailer(fs, monkeypatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr(fs, "mailer", recorder)
    monkeypatch.delattr(fs, "mail_dispatcher", raising=False)  # built again on the recorder
    return recorder


def _rows(fs: App) -> list[QueuedMail]:
    with fs.reader() as uow:
        return list(uow.session.scalars(select(QueuedMail).order_by(QueuedMail.created_at)))


def test_a_committed_invitation_is_sent_once_and_its_content_is_then_dropped(fs, mailer):
    world = make_world(fs)
    case_id, _ = open_case(world, email=EMAIL)

    assert [(m.to, m.case_id) for m in mailer.sent] == [(EMAIL, case_id)]
    [row] = _rows(fs)
    assert (row.case_id, row.status, row.attempts) == (case_id, "sent", 1)
    assert row.sealed is None and row.plain is None and row.sent_at == fs.clock.now()
    assert do_send_due(fs.uow, mailer).as_dict() == {"sent": 0, "retrying": 0, "failed": 0}
    assert len(mailer.sent) == 1


def test_a_transaction_that_rolls_back_queues_and_sends_nothing(fs, mailer):
    world = make_world(fs)
    case_id, _ = open_case(world, email=EMAIL)
    mailer.sent.clear()
    with fs.uow() as uow:
        queue_mail(uow, [Message(to=EMAIL, subject="s", body="b", case_id=case_id)])
    # left without commit: rolled back
    assert len(_rows(fs)) == 1 and mailer.sent == []


def test_mail_queued_by_a_process_that_died_is_sent_by_the_job_after_the_handover(
    fs, mailer, clock, monkeypatch
):
    monkeypatch.setattr(fs, "mail_dispatcher", Died())
    world = make_world(fs)
    case_id, _ = open_case(world, email=EMAIL)
    assert mailer.sent == []
    [row] = _rows(fs)
    assert row.status == "pending" and row.sealed is not None and row.plain is None
    with fs.reader() as uow:  # stored sealed: neither the address nor the link is readable
        raw = uow.session.execute(
            text("SELECT sealed FROM mail_queued WHERE id = :id"), {"id": row.id}
        ).scalar_one()
    assert EMAIL.encode() not in bytes(raw) and b"/c/" not in bytes(raw)

    assert do_send_due(fs.uow, mailer).sent == 0  # the process that queued it may still send
    clock.advance(seconds=HANDOVER.total_seconds())
    assert do_send_due(fs.uow, mailer).as_dict() == {"sent": 1, "retrying": 0, "failed": 0}
    [message] = mailer.sent
    assert message.to == EMAIL and message.case_id == case_id and "/c/" in message.body
    assert _rows(fs)[0].status == "sent"


def test_a_refused_send_is_retried_on_schedule_and_logged_without_the_address(
    fs, mailer, clock, caplog
):
    mailer.refuse = 2
    world = make_world(fs)
    with caplog.at_level(logging.WARNING, logger="fairscreen.mail"):
        case_id, _ = open_case(world, email=EMAIL)
        [row] = _rows(fs)
        assert (row.status, row.attempts, row.last_error) == (
            "pending",
            1,
            "SMTPRecipientsRefused",
        )
        assert row.next_attempt_at == clock.now() + RETRY_AFTER[0]

        clock.advance(seconds=RETRY_AFTER[0].total_seconds() - 1)
        assert do_send_due(fs.uow, mailer).retrying == 0  # not due yet
        clock.advance(seconds=1)
        assert do_send_due(fs.uow, mailer).as_dict() == {"sent": 0, "retrying": 1, "failed": 0}
        clock.advance(seconds=RETRY_AFTER[1].total_seconds())
        assert do_send_due(fs.uow, mailer).as_dict() == {"sent": 1, "retrying": 0, "failed": 0}

    assert [m.to for m in mailer.sent] == [EMAIL]
    [row] = _rows(fs)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)
    assert case_id in caplog.text and "SMTPRecipientsRefused" in caplog.text
    assert EMAIL not in caplog.text


def test_a_message_that_never_goes_is_given_up_after_the_last_attempt(fs, mailer, clock, caplog):
    mailer.refuse = 100
    world = make_world(fs)
    with caplog.at_level(logging.ERROR, logger="fairscreen.mail"):
        case_id, _ = open_case(world, email=EMAIL)
        reports = []
        for wait in RETRY_AFTER:
            clock.advance(seconds=wait.total_seconds())
            reports.append(do_send_due(fs.uow, mailer).as_dict())
    assert reports[-1] == {"sent": 0, "retrying": 0, "failed": 1}
    assert all(r == {"sent": 0, "retrying": 1, "failed": 0} for r in reports[:-1])
    [row] = _rows(fs)
    assert (row.status, row.attempts, row.next_attempt_at) == (
        "failed",
        len(RETRY_AFTER) + 1,
        None,
    )
    assert "given up" in caplog.text and case_id in caplog.text and EMAIL not in caplog.text
    clock.advance(days=30)
    assert do_send_due(fs.uow, mailer).as_dict() == {"sent": 0, "retrying": 0, "failed": 0}


def test_two_replicas_running_the_job_at_once_send_each_message_once(
    fs, mailer, clock, monkeypatch
):
    """Replica A claims the due messages, and while its mail server answers, replica B's
    job runs: B finds nothing to send, the lease keeps A's claim."""
    monkeypatch.setattr(fs, "mail_dispatcher", Died())
    world = make_world(fs)
    opened = [open_case(world, email=f"c{i}@candidate.example")[0] for i in range(3)]
    clock.advance(seconds=HANDOVER.total_seconds())
    other = App(fs.settings, clock=clock, engine=fs.engine, passwords=fs.passwords)
    other_mail = Recorder()
    b_reports = []
    mailer.during_send = lambda: b_reports.append(do_send_due(other.uow, other_mail).as_dict())

    report = do_send_due(fs.uow, mailer)

    assert report.sent == 3 and other_mail.sent == []
    assert b_reports == [{"sent": 0, "retrying": 0, "failed": 0}] * 3
    assert sorted(m.case_id for m in mailer.sent) == sorted(opened)
    assert {r.status for r in _rows(fs)} == {"sent"}


def test_destroying_a_case_removes_its_queued_mail_before_it_is_sent(
    fs, mailer, clock, monkeypatch
):
    monkeypatch.setattr(fs, "mail_dispatcher", Died())
    world = make_world(fs)
    destroyed, _ = open_case(world, email=EMAIL)
    kept, _ = open_case(world, email="kept@candidate.example")
    with fs.uow() as uow:
        from fairscreen.cases.models import Case

        case = uow.session.get(Case, destroyed)
        destroy_cases(
            uow, [case], actor=SYSTEM, now=clock.now(), reasons={destroyed: "erasure_request"}
        )
        uow.commit()
    assert [r.case_id for r in _rows(fs)] == [kept]
    clock.advance(seconds=HANDOVER.total_seconds())
    assert do_send_due(fs.uow, mailer).sent == 1
    assert [m.case_id for m in mailer.sent] == [kept]


def test_a_queued_message_whose_case_key_is_gone_is_dropped_not_retried(
    fs, mailer, clock, monkeypatch
):
    monkeypatch.setattr(fs, "mail_dispatcher", Died())
    world = make_world(fs)
    case_id, _ = open_case(world, email=EMAIL)
    with fs.uow() as uow:
        uow.session.execute(
            update(VaultCaseKey).where(VaultCaseKey.case_id == case_id).values(wrapped=None)
        )
        uow.commit()
    clock.advance(seconds=HANDOVER.total_seconds())
    assert do_send_due(fs.uow, mailer).as_dict() == {"sent": 0, "retrying": 0, "failed": 1}
    [row] = _rows(fs)
    assert (row.status, row.last_error, row.sealed) == ("failed", "case destroyed", None)
    assert mailer.sent == []


def test_a_message_about_no_case_goes_to_a_work_address_unsealed(fs, mailer, clock):
    with fs.uow() as uow:
        queue_mail(uow, [Message(to="hr@employer.example", subject="desk", body="3 waiting")])
        uow.commit()
    assert [m.to for m in mailer.sent] == ["hr@employer.example"]
    [row] = _rows(fs)
    assert row.case_id is None and row.status == "sent" and row.plain is None


def test_the_mail_job_is_registered_to_run_often():
    from fairscreen.jobs.registry import JOBS

    [job] = [j for j in JOBS if j.name == "mail.send"]
    assert job.every_seconds <= RETRY_AFTER[0].total_seconds()  # a retry waits no longer
