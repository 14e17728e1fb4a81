"""A process trusts an API key it has just checked for a bounded time, and only its secret."""

from __future__ import annotations

from fairscreen.identity.keycache import RecentKeys
from fairscreen.identity.policy import Actor
from fairscreen.shared.ids import secret_hash

HR = Actor(kind="staff", id="usr_1", org_id="org_1", role="employer", org_kind="employer")


class Ticking:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_key_is_recalled_within_its_time_and_not_after() -> None:
    timer = Ticking()
    keys = RecentKeys(1.0, timer=timer)
    keys.remember("k1", secret_hash("s3cret"), HR)
    assert keys.recall("k1", secret_hash("s3cret")) == HR
    timer.now += 0.99
    assert keys.recall("k1", secret_hash("s3cret")) == HR
    timer.now += 0.02
    assert keys.recall("k1", secret_hash("s3cret")) is None


def test_another_secret_under_a_remembered_key_id_is_not_recalled() -> None:
    keys = RecentKeys(5.0, timer=Ticking())
    keys.remember("k1", secret_hash("s3cret"), HR)
    assert keys.recall("k1", secret_hash("guess")) is None
    assert keys.recall("k2", secret_hash("s3cret")) is None


def test_a_forgotten_key_is_checked_again_and_zero_seconds_remembers_nothing() -> None:
    keys = RecentKeys(5.0, timer=Ticking())
    keys.remember("k1", secret_hash("s3cret"), HR)
    keys.forget("k1")
    assert keys.recall("k1", secret_hash("s3cret")) is None
    off = RecentKeys(0)
    off.remember("k1", secret_hash("s3cret"), HR)
    assert off.recall("k1", secret_hash("s3cret")) is None
