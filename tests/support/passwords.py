"""The cheap Argon2 cost every in-process test App hashes with (production keeps its own).

One pass over 8 KiB instead of three over 64 MiB: a hash takes microseconds, not a tenth
of a second, and a test world creates five users with passwords. The hashes are still
real Argon2id, so sign-in, wrong passwords and the unknown-user path run the real code.
"""

from __future__ import annotations

from fairscreen.identity.passwords import PasswordCost, Passwords

CHEAP_COST = PasswordCost(time_cost=1, memory_cost=8, parallelism=1)
CHEAP_PASSWORDS = Passwords(CHEAP_COST)
