"""The SMTP mailer against a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import smtplib
import socket
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

from fairscreen.mail.backends import Message, SmtpMailer


class Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


def test_smtp_mailer_delivers_the_invitation(smtp_server) -> None:
    sink, port = smtp_server
    mailer = SmtpMailer(f"smtp://127.0.0.1:{port}")
    mailer.send(
        Message(
            to="li@c.example",
            subject="背景调查授权邀请",
            body="请打开链接",
            link="http://x/c/fsc_1.abc",
        )
    )
    [(sender, rcpts, raw)] = sink.messages
    assert rcpts == ["li@c.example"]
    parsed = message_from_bytes(raw)
    body = parsed.get_payload(decode=True).decode()
    assert "http://x/c/fsc_1.abc" in body and "请打开链接" in body


def test_a_bad_mail_setting_is_refused() -> None:
    with pytest.raises(ValueError):
        SmtpMailer("http://example")


def test_the_server_sends_smtp_mail_on_its_own_thread_and_keeps_a_refused_one_queued(
    smtp_server, fs, caplog
) -> None:
    """`serve` with SMTP: a request's commit hands its messages to the mail thread; a refused
    recipient does not stop the others, and its message stays queued for the job."""
    import logging

    from sqlalchemy import select

    from fairscreen.bootstrap import App
    from fairscreen.mail.models import QueuedMail
    from fairscreen.mail.queue import BackgroundDispatcher, queue_mail

    sink, port = smtp_server
    settings = fs.settings.model_copy(update={"mail": f"smtp://127.0.0.1:{port}"})
    app = App(settings, clock=fs.clock, engine=fs.engine, passwords=fs.passwords)
    smtp = app.mailer

    class Flaky:
        def send(self, message: Message) -> None:
            if message.to.startswith("refused"):
                raise smtplib.SMTPRecipientsRefused({message.to: (550, b"no such user")})
            smtp.send(message)

    background = app.send_mail_in_background()
    assert isinstance(background, BackgroundDispatcher) and background.mailer is smtp
    background.mailer = Flaky()
    with caplog.at_level(logging.WARNING, logger="fairscreen.mail"):
        for to in ("a@staff.example", "refused@staff.example", "b@staff.example"):
            with app.uow() as uow:
                queue_mail(uow, [Message(to=to, subject="s", body="b")])
                uow.commit()
        background.close()
    assert [rcpts for _, rcpts, _ in sink.messages] == [["a@staff.example"], ["b@staff.example"]]
    with app.reader() as uow:
        rows = list(uow.session.scalars(select(QueuedMail).order_by(QueuedMail.id)))
    assert [(r.status, r.attempts, r.last_error) for r in rows] == [
        ("sent", 1, None),
        ("pending", 1, "SMTPRecipientsRefused"),
        ("sent", 1, None),
    ]
    assert "SMTPRecipientsRefused" in caplog.text and "refused@staff.example" not in caplog.text
