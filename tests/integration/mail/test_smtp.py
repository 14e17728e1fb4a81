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


def test_the_background_mailer_sends_in_order_and_survives_a_failed_send(
    smtp_server, caplog
) -> None:
    import logging

    from fairscreen.mail.backends import BackgroundMailer

    sink, port = smtp_server
    smtp = SmtpMailer(f"smtp://127.0.0.1:{port}")

    class Flaky:
        def send(self, message: Message) -> None:
            if message.to.startswith("refused"):
                raise smtplib.SMTPRecipientsRefused({message.to: (550, b"no such user")})
            smtp.send(message)

    mailer = BackgroundMailer(Flaky(), logging.getLogger("fairscreen.test"))
    with caplog.at_level(logging.WARNING, logger="fairscreen.test"):
        for to in ("a@c.example", "refused@c.example", "b@c.example"):
            mailer.send(Message(to=to, subject="s", body="b", case_id="case_1"))
        mailer.close()
    assert [rcpts for _, rcpts, _ in sink.messages] == [["a@c.example"], ["b@c.example"]]
    assert "case_1" in caplog.text and "SMTPRecipientsRefused" in caplog.text
    assert "refused@c.example" not in caplog.text  # no address in the logs
