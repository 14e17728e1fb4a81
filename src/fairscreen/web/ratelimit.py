"""Rate limits on the doors a guesser knocks on: staff sign-in and bearer secrets.

Only failures count, so a busy office behind one address is never slowed down by its own
successful requests; once an address (or, for sign-in, an e-mail address) has failed too
often within the window, every attempt through that door is refused with `429
rate_limited` until the window moves on, even one with the right secret, so guessing
cannot continue at a slower pace.

The counting uses the `limits` library (moving window, kept in this process's memory)
rather than our own: it is the library behind slowapi and Flask-Limiter. With several
replicas each keeps its own count, so the effective limit is per replica; the secrets
themselves (160-bit tokens, Argon2id passwords) are what make guessing hopeless, the
limit only stops a flood.
"""

from __future__ import annotations

import math
import time
from enum import StrEnum

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from fairscreen.shared.errors import RateLimited


class Door(StrEnum):
    """The kinds of attempt that are counted apart."""

    SIGN_IN = "sign_in"
    SECRET = "secret"  # candidate tokens, API keys, session cookies


class FailureLimiter:
    """Count failed attempts per door and key; refuse a key that is over its limit."""

    def __init__(self, *, sign_in: str, secret: str) -> None:
        self._items: dict[Door, RateLimitItem] = {
            Door.SIGN_IN: parse(sign_in),
            Door.SECRET: parse(secret),
        }
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def check(self, door: Door, *keys: str) -> None:
        """Refuse (RateLimited, with the seconds to wait) if any key is over the limit."""
        item = self._items[door]
        for key in keys:
            if not self._limiter.test(item, door.value, key):
                stats = self._limiter.get_window_stats(item, door.value, key)
                wait = max(1, math.ceil(stats.reset_time - time.time()))
                raise RateLimited(
                    "Too many failed attempts from here; wait a moment and try again.",
                    retry_after=wait,
                )

    def failed(self, door: Door, *keys: str) -> None:
        """Count one failed attempt against each key."""
        item = self._items[door]
        for key in keys:
            self._limiter.hit(item, door.value, key)
