"""The server's warm-up fills every per-process cache a request would otherwise fill."""

from __future__ import annotations

import gc

from fairscreen.identity.passwords import Passwords
from fairscreen.scope import guard, lexicon, normalise
from fairscreen.web.warmup import freeze_heap, warm_up
from support.passwords import CHEAP_COST


def test_warm_up_fills_the_caches_a_first_request_would_pay_for() -> None:
    lexicon._load.cache_clear()
    normalise._tables.cache_clear()
    passwords = Passwords(CHEAP_COST)
    with guard._MATCHERS_LOCK:
        guard._MATCHERS.clear()

    took = warm_up(passwords)

    assert {"lexicon cn", "password check", "rating rules", "messages zh-Hans"} <= set(took)
    assert all(ms >= 0 for ms in took.values())
    assert lexicon._load.cache_info().currsize == 1
    assert normalise._tables.cache_info().currsize == 1
    assert "dummy_hash" in vars(passwords)  # made, not left to the first failed sign-in
    assert lexicon.load_lexicon("cn").digest in guard._MATCHERS


def test_freezing_the_heap_puts_the_warmed_caches_out_of_the_collectors_sight() -> None:
    warm_up(Passwords(CHEAP_COST))
    matcher = guard._MATCHERS[lexicon.load_lexicon("cn").digest]
    try:
        before = len(gc.get_objects())
        frozen = freeze_heap()
        assert frozen > 0
        assert len(gc.get_objects()) < before - frozen // 2  # they left the collector's view
        # A full collection now looks at none of them: the frozen are not among its objects.
        assert not any(obj is matcher for obj in gc.get_objects())
    finally:
        gc.unfreeze()
    assert any(obj is matcher for obj in gc.get_objects())
