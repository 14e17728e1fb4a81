"""A reference's word older than three months must be checked again before it counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from fairscreen.verification.policy import SourceView, months_before, needs_reverification

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def _src(kind: str, origin: str, days_ago: float, *, supports=True, retracted=False):
    return SourceView(kind, origin, supports, retracted, NOW - timedelta(days=days_ago))


@given(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
    st.integers(min_value=0, max_value=60),
)
def test_months_before_moves_back_whole_calendar_months(when, months):
    earlier = months_before(when, months)
    assert (when.year * 12 + when.month) - (earlier.year * 12 + earlier.month) == months
    assert earlier.day == min(when.day, earlier.day) and earlier.time() == when.time()
    assert earlier <= when


def test_the_end_of_a_long_month_lands_on_the_end_of_a_short_one():
    assert months_before(datetime(2026, 5, 31), 3) == datetime(2026, 2, 28)
    assert months_before(datetime(2028, 5, 31), 3) == datetime(2028, 2, 29)


def test_a_finding_a_reference_holds_up_goes_stale_after_three_months():
    sources = [_src("document", "diploma seen", 100), _src("reference", "former manager", 100)]
    assert needs_reverification(sources, NOW, 3)
    # Within three months it still counts.
    fresh = [_src("document", "diploma seen", 80), _src("reference", "former manager", 80)]
    assert not needs_reverification(fresh, NOW, 3)


def test_a_fresh_source_of_any_kind_re_verifies_it():
    sources = [
        _src("document", "diploma seen", 200),
        _src("reference", "former manager", 200),
        _src("reference", "former manager", 3),
    ]
    assert not needs_reverification(sources, NOW, 3)


def test_a_finding_the_records_hold_up_on_their_own_does_not_rest_on_the_reference():
    sources = [_src("official_registry", "CHSI", 400), _src("reference", "former manager", 400)]
    assert not needs_reverification(sources, NOW, 3)


def test_a_retracted_reference_and_findings_without_references_are_not_stale():
    assert not needs_reverification(
        [_src("document", "a", 400), _src("document", "b", 400)], NOW, 3
    )
    retracted = [_src("document", "a", 400), _src("reference", "b", 400, retracted=True)]
    assert not needs_reverification(retracted, NOW, 3)
