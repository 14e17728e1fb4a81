"""Identifiers: opaque, URL-safe, time-ordered enough to page by."""

from __future__ import annotations

import hashlib
import secrets
import time


def new_id(prefix: str) -> str:
    """Return a new id such as `case_01j...`: a time prefix keeps inserts index-friendly."""
    millis = int(time.time() * 1000)
    return f"{prefix}_{millis:011x}{secrets.token_hex(8)}"


def new_secret(nbytes: int = 32) -> str:
    """Return a high-entropy URL-safe secret."""
    return secrets.token_urlsafe(nbytes)


def secret_hash(secret: str) -> str:
    """Return the SHA-256 hex digest under which a high-entropy secret is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()
