"""Sending mail: the `outbox` backend (files) for development and tests, SMTP in production.

Outbox messages about a case are sealed under that case's data key, so the outbox
holds no readable personal data and becomes unreadable when the case is destroyed.
"""

from __future__ import annotations

import base64
import json
import smtplib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from fairscreen.shared.ids import new_id

Sealer = Callable[[str, bytes], bytes]  # (case_id, plaintext) -> ciphertext
Opener = Callable[[str, bytes], bytes | None]  # None when the case's key is destroyed


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    link: str | None = None
    case_id: str | None = None
    lang: str | None = None  # the recipient's language, as rendered (mail/render.py)


class Mailer(Protocol):
    def send(self, message: Message) -> None: ...


class OutboxMailer:
    """Write each message as one JSON file under the outbox folder."""

    def __init__(self, folder: Path, sealer: Sealer | None = None) -> None:
        self.folder = folder
        self.sealer = sealer

    def send(self, message: Message) -> None:
        """Write the message atomically (temp file, then rename)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        msg_id = new_id("msg")
        content = json.dumps(asdict(message), ensure_ascii=False).encode()
        record: dict[str, str | None] = {"id": msg_id, "case_id": message.case_id}
        if message.case_id and self.sealer:
            record["sealed"] = base64.b64encode(self.sealer(message.case_id, content)).decode()
        else:
            record["plain"] = content.decode()
        tmp = self.folder / f".{msg_id}.tmp"
        tmp.write_text(json.dumps(record), encoding="utf-8")
        tmp.rename(self.folder / f"{msg_id}.json")


def read_outbox(folder: Path, opener: Opener | None = None) -> list[Message]:
    """Return the readable messages in send order (those of destroyed cases are gone)."""
    messages: list[Message] = []
    if not folder.exists():
        return messages
    for path in sorted(folder.glob("msg_*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if "plain" in record:
            content: bytes | None = record["plain"].encode()
        elif opener is not None:
            content = opener(record["case_id"], base64.b64decode(record["sealed"]))
        else:
            content = None
        if content is not None:
            messages.append(Message(**json.loads(content)))
    return messages


class SmtpMailer:
    """Send through `smtp://[user:pass@]host[:port]` (`smtps://` for TLS)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("FAIRSCREEN_MAIL must be `outbox` or an smtp:// URL")
        self.tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = "fairscreen <no-reply@fairscreen.invalid>"

    def send(self, message: Message) -> None:
        """Send one message."""
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email.set_content(message.body + (f"\n\n{message.link}\n" if message.link else ""))
        smtp_cls = smtplib.SMTP_SSL if self.tls else smtplib.SMTP
        with smtp_cls(self.host, self.port, timeout=30) as smtp:
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(email)
