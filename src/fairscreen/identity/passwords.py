"""Password hashing: Argon2id at a stated cost, one hasher per process (the App holds it).

Production hashes at `PRODUCTION_COST` (64 MiB, three passes), argon2-cffi's default and
RFC 9106's second recommended setting. Tests hand the App a cheap cost instead (a test
world creates five users with passwords): only the App's construction chooses the cost,
so no setting or environment variable can lower it in a deployment.

A sign-in for an unknown, inactive or password-less user still verifies a password, against
a dummy hash made by the same hasher, so the time taken does not tell who exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


@dataclass(frozen=True)
class PasswordCost:
    """Argon2id's work factors: passes, memory in KiB, lanes."""

    time_cost: int
    memory_cost: int
    parallelism: int


PRODUCTION_COST = PasswordCost(time_cost=3, memory_cost=65536, parallelism=4)


class Passwords:
    """Hash new passwords and check offered ones at one cost."""

    def __init__(self, cost: PasswordCost = PRODUCTION_COST) -> None:
        self.cost = cost
        self._hasher = PasswordHasher(
            time_cost=cost.time_cost, memory_cost=cost.memory_cost, parallelism=cost.parallelism
        )

    def hash(self, password: str) -> str:
        """Return the encoded Argon2id hash of a new password."""
        return str(self._hasher.hash(password))

    def check(self, stored: str | None, password: str) -> bool:
        """Say whether `password` matches `stored`; with nothing stored, spend the same time."""
        try:
            if stored is None:
                self._hasher.verify(self.dummy_hash, password)
                return False
            return bool(self._hasher.verify(stored, password))
        except (VerificationError, InvalidHashError):
            return False

    @cached_property
    def dummy_hash(self) -> str:
        """Return the hash that checks without a stored one verify against (made once)."""
        return self.hash("fairscreen-timing-equaliser")

    def warm(self) -> None:
        """Make the dummy hash now, before the first failed sign-in would."""
        _ = self.dummy_hash
