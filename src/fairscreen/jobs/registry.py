"""The explicit registry of background jobs: what runs, and how often."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fairscreen.bootstrap import App


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    run: Callable[[App], object]
    # Jobs of one lane run one after another on one thread; a job that waits on other
    # people's servers gets a lane of its own, so it never delays purge, mail or checkpoints.
    lane: str = "main"


def _purge(app: App) -> object:
    from fairscreen.retention.actions import do_purge_due

    return do_purge_due(app.uow, now=app.clock.now())


def _archive_decided(app: App) -> object:
    from fairscreen.retention.lifecycle import do_archive_decided

    return do_archive_decided(app.uow, now=app.clock.now())


def _deliver_webhooks(app: App) -> object:
    from fairscreen.webhooks.actions import do_deliver_due

    return do_deliver_due(app.uow)


def _send_mail(app: App) -> object:
    from fairscreen.mail.queue import do_send_due

    return do_send_due(app.uow, app.mailer)


def _checkpoint(app: App) -> object:
    from fairscreen.ledger.checkpoints import checkpoint_job

    return checkpoint_job(app)


def _feedback_desk(app: App) -> object:
    from fairscreen.feedback.reminders import do_remind_and_escalate

    return do_remind_and_escalate(app.uow, now=app.clock.now())


JOBS: list[Job] = [
    Job("ledger.checkpoint", 60, _checkpoint),
    Job("retention.purge", 3600, _purge),
    Job("webhooks.deliver", 5, _deliver_webhooks, lane="webhooks"),
    Job("mail.send", 30, _send_mail),
    Job("retention.archive_decided", 3600, _archive_decided),
]
JOBS.append(Job("feedback.reminders", 3600, _feedback_desk))
