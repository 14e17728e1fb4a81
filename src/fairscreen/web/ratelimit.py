"""Rate limits on the doors a guesser knocks on: staff sign-in and bearer secrets.

Only failures count, so a busy office behind one address is never slowed down by its own
successful requests, and no one is locked out by someone else's failures:

- **Secrets** (candidate tokens, API keys): failures count per client address and per
  presented token or key id. A valid secret is always accepted, whatever failed before it
  from the same address or against the same id; past the limit, a further failure is
  answered `429 rate_limited` with `Retry-After` instead of 401. A cookie that no longer
  opens a session (signed out, expired, the case closed) is not a guess: the browser is
  told to drop it and nothing is counted.
- **Sign-in**: failures count per client address (a moving window: past it, that address
  waits, because each check costs an Argon2 hash), and per e-mail address as a growing
  delay rather than a lock. After a few free failures, an address that failed for an
  e-mail waits 1 s before its next attempt for it, then 2, 4, ... up to a cap; an address
  that has not failed for that e-mail is checked at once. An attacker therefore slows
  down only their own attempts, and the account's owner gets in at once from anywhere
  else, or within the cap from the attacker's own network.

The moving windows use the `limits` library (kept in this process's memory), the library
behind slowapi and Flask-Limiter; the growing delay is a few lines of our own, on the
injected clock, because `limits` has no backoff. With several replicas each keeps its
own counts, so the effective limit is per replica; the secrets themselves (256-bit
tokens, Argon2id passwords of 12 characters or more) are what make guessing hopeless, the
limits only slow a flood.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from fairscreen.shared.errors import RateLimited

TOO_MANY = "Too many failed attempts from here; wait a moment and try again."
# Bounds on what the growing delay remembers, so a flood of made-up e-mail addresses
# costs a bounded amount of memory (the oldest are forgotten first).
MAX_ACCOUNTS = 10_000
MAX_ADDRESSES_PER_ACCOUNT = 100


class Door(StrEnum):
    """The kinds of attempt that are counted apart."""

    SIGN_IN = "sign_in"
    SECRET = "secret"  # candidate tokens and API keys presented in a header or a link


def secret_id(presented: str) -> str:
    """Return the id part of a presented secret (`fsk_<id>.<secret>`: before the dot)."""
    return "id:" + presented.partition(".")[0][:80]


@dataclass
class _Account:
    """The failed sign-ins to one e-mail address: how many, and when from each address."""

    failures: int = 0
    last: float = 0.0
    by_address: OrderedDict[str, float] = field(default_factory=OrderedDict)


class GrowingDelay:
    """Per e-mail address, make each address that failed wait longer before trying again."""

    def __init__(
        self,
        *,
        free: int,
        max_delay: float,
        now: Callable[[], float],
        forget_after: float = 3600.0,
    ) -> None:
        self.free, self.max_delay, self.now = free, max_delay, now
        self.forget_after = max(forget_after, max_delay)
        self._accounts: OrderedDict[str, _Account] = OrderedDict()

    def delay(self, failures: int) -> float:
        """Return the wait after `failures` failures: none while free, then 1, 2, 4 ... s."""
        if failures <= self.free:
            return 0.0
        return float(min(self.max_delay, 2.0 ** min(failures - self.free - 1, 32)))

    def _account(self, email: str) -> _Account | None:
        account = self._accounts.get(email)
        if account is not None and self.now() - account.last > self.forget_after:
            del self._accounts[email]
            return None
        return account

    def wait(self, email: str, address: str) -> float:
        """Return the seconds `address` must still wait before trying `email` again."""
        account = self._account(email)
        if account is None or address not in account.by_address:
            return 0.0
        due = account.by_address[address] + self.delay(account.failures)
        return max(0.0, due - self.now())

    def failed(self, email: str, address: str) -> None:
        """Count a failed sign-in to `email` from `address`."""
        now = self.now()
        account = self._account(email) or _Account()
        account.failures += 1
        account.last = now
        account.by_address[address] = now
        account.by_address.move_to_end(address)
        while len(account.by_address) > MAX_ADDRESSES_PER_ACCOUNT:
            account.by_address.popitem(last=False)
        self._accounts[email] = account
        self._accounts.move_to_end(email)
        while len(self._accounts) > MAX_ACCOUNTS:
            self._accounts.popitem(last=False)

    def succeeded(self, email: str, address: str) -> None:
        """Clear `address` for `email` (the count stays: others' failures still slow them)."""
        account = self._accounts.get(email)
        if account is not None:
            account.by_address.pop(address, None)


class FailureLimiter:
    """Count failed attempts per door and key; refuse what is over its limit."""

    def __init__(
        self,
        *,
        sign_in: str,
        secret: str,
        sign_in_free: int = 5,
        sign_in_max_delay: float = 60.0,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._items: dict[Door, RateLimitItem] = {
            Door.SIGN_IN: parse(sign_in),
            Door.SECRET: parse(secret),
        }
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self.accounts = GrowingDelay(free=sign_in_free, max_delay=sign_in_max_delay, now=now)

    def check(self, door: Door, *keys: str) -> None:
        """Refuse (RateLimited, with the seconds to wait) if any key is over the limit."""
        item = self._items[door]
        for key in keys:
            if not self._limiter.test(item, door.value, key):
                stats = self._limiter.get_window_stats(item, door.value, key)
                wait = max(1, math.ceil(stats.reset_time - time.time()))
                raise RateLimited(TOO_MANY, retry_after=wait)

    def failed(self, door: Door, *keys: str) -> None:
        """Count one failed attempt against each key."""
        item = self._items[door]
        for key in keys:
            self._limiter.hit(item, door.value, key)

    def secret_failed(self, address: str, presented: str) -> None:
        """Count a failed secret; past the limit of its address or its id, answer 429."""
        keys = (address, secret_id(presented))
        try:
            self.check(Door.SECRET, *keys)
        finally:
            self.failed(Door.SECRET, *keys)

    def check_sign_in(self, address: str, email: str) -> None:
        """Refuse a sign-in from a spent address, or one that must still wait for `email`."""
        self.check(Door.SIGN_IN, address)
        wait = self.accounts.wait(email, address)
        if wait > 0:
            raise RateLimited(TOO_MANY, retry_after=max(1, math.ceil(wait)))

    def sign_in_failed(self, address: str, email: str) -> None:
        """Count a failed sign-in against the address and, as a growing delay, the e-mail."""
        self.failed(Door.SIGN_IN, address)
        self.accounts.failed(email, address)

    def signed_in(self, address: str, email: str) -> None:
        """Note a successful sign-in: this address no longer waits for this e-mail."""
        self.accounts.succeeded(email, address)
