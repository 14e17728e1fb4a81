"""Standard Webhooks signing and the retry schedule (pure).

Signature: `v1,` + base64(HMAC-SHA256(key, f"{id}.{timestamp}.{body}")) where the key is
the base64-decoded part of the secret after `whsec_`, so any Standard Webhooks library
verifies our deliveries. Written here (a few lines of hmac) rather than depending on the
`standardwebhooks` package at run time; the tests verify with that package.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from datetime import datetime, timedelta

EVENT_TYPES = (
    "case.consented",
    "case.withdrawn",
    "report.released",
    "report.updated",
    "dispute.opened",
    "dispute.resolved",
    "decision.recorded",
    "case.destroyed",
)
SECRET_PREFIX = "whsec_"
# Seconds after the first attempt: about the Standard Webhooks / Svix schedule, capped.
RETRY_SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 36000)
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1


def new_secret() -> str:
    """Return a new endpoint secret (`whsec_` + base64 of 32 random bytes)."""
    return SECRET_PREFIX + base64.b64encode(os.urandom(32)).decode()


def secret_key(secret: str) -> bytes:
    """Return the HMAC key inside a `whsec_` secret."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("webhook secrets start with whsec_")
    return base64.b64decode(secret[len(SECRET_PREFIX) :])


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """Return the `webhook-signature` header value."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Return the Standard Webhooks headers of a delivery."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
        "content-type": "application/json",
    }


def next_attempt(attempts: int, first_at: datetime) -> datetime | None:
    """Return when to try again after `attempts` failures, or None to give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return first_at + timedelta(seconds=RETRY_SCHEDULE[attempts - 1])
