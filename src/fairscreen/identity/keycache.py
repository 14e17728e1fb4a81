"""API keys a process has just checked, so that a burst of requests checks one key once.

Every API request starts by authenticating its key: a statement that reads the key, its
user and organisation. An integration polling a case sends the same key many times a
second; within `api_key_cache_seconds` of a successful check the process answers from
here. What is kept is the key's id, the hash of its secret (never the secret) and the
actor it stands for; the presented secret is still hashed and compared on every request,
in constant time.

Revoking a key forgets it in the revoking process at once (after the commit); other
processes keep trusting it for at most the configured seconds, the bound a deployment
chooses (0: check every request). So may the revoking process, if a check of the same key
read it just before the revocation committed and remembers it just after.

cachetools' TTLCache is used rather than a dictionary with times of our own; it is not
thread-safe, and requests run on a pool of threads, hence the lock.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable

from cachetools import TTLCache

from fairscreen.identity.policy import Actor

MAX_KEYS = 4096


class RecentKeys:
    """Keys checked in the last `seconds`: id -> (secret hash, actor)."""

    def __init__(self, seconds: float, timer: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._keys: TTLCache[str, tuple[str, Actor]] | None = (
            TTLCache(MAX_KEYS, ttl=seconds, timer=timer) if seconds > 0 else None
        )
        self._lock = threading.Lock()

    def recall(self, key_id: str, presented_hash: str) -> Actor | None:
        """Return the actor of a key checked moments ago, if the secret hashes the same."""
        if self._keys is None:
            return None
        with self._lock:
            found = self._keys.get(key_id)
        if found is None or not hmac.compare_digest(found[0], presented_hash):
            return None
        return found[1]

    def remember(self, key_id: str, secret_hash: str, actor: Actor) -> None:
        """Note a key that the database has just accepted."""
        if self._keys is None:
            return
        with self._lock:
            self._keys[key_id] = (secret_hash, actor)

    def forget(self, key_id: str) -> None:
        """Stop trusting a key (it was revoked)."""
        if self._keys is None:
            return
        with self._lock:
            self._keys.pop(key_id, None)
