"""The bias audit's arithmetic: impact ratios, the four-fifths flag, small groups,
suppression of small cells and the published periods."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairscreen.audit.policy import (
    AGE_BANDS,
    SEXES,
    WITHHELD_LABEL,
    Outcome,
    audit,
    audit_summary,
    published_period,
)
from fairscreen.shared.errors import ValidationFailed


def outcomes(group: str, n: int, adverse: int) -> list[Outcome]:
    return [Outcome({"sex": group}, i < adverse, None) for i in range(n)]


def row(rows, dimension, group):
    return next(r for r in rows if r["dimension"] == dimension and r["group"] == group)


def test_four_fifths_rule_flags_a_disfavoured_group() -> None:
    rows = audit(outcomes("male", 100, 10) + outcomes("female", 100, 40))
    male, female = row(rows, "sex", "male"), row(rows, "sex", "female")
    assert male["impact_ratio"] == 1.0 and not male["flag"]
    assert female["adverse_rating_rate"] == 0.4
    assert female["impact_ratio"] == round(0.6 / 0.9, 4) and female["flag"]


def test_equal_rates_raise_no_flag() -> None:
    rows = audit(outcomes("male", 50, 5) + outcomes("female", 50, 5))
    assert not any(r["flag"] for r in rows)


def test_groups_under_two_percent_are_reported_but_excluded() -> None:
    data = outcomes("male", 100, 0) + outcomes("female", 100, 0) + outcomes("other", 3, 3)
    rows = audit(data, k=3)  # 3 people are publishable at k=3, yet under 2% of 203
    other = row(rows, "sex", "other")
    assert other["count"] == 3 and other["excluded_small_group"]
    assert other["impact_ratio"] is None and not other["flag"]


def test_intersections_are_computed_for_those_who_gave_both() -> None:
    data = [Outcome({"sex": "female", "age_band": "55_plus"}, True, True)] * 10
    data += [Outcome({"sex": "male", "age_band": "25_34"}, False, False)] * 10
    data += [Outcome({"sex": "male"}, False, None)] * 5
    rows = audit(data)
    inter = row(rows, "sex×age_band", "female×55_plus")
    assert inter["count"] == 10 and inter["adverse_decision_rate"] == 1.0
    assert inter["flag"]
    assert row(rows, "sex", "male")["count"] == 15


def test_a_group_of_one_is_not_published_nor_given_back_by_the_others() -> None:
    rows = audit(outcomes("male", 40, 4) + outcomes("female", 30, 12) + outcomes("other", 1, 1))
    other = row(rows, "sex", "other")
    assert other["suppressed"] is True and other["reason"]
    for figure in ("count", "adverse_rating_rate", "adverse_decision_rate", "impact_ratio"):
        assert other[figure] is None
    assert other["flag"] is None
    # 71 cases are published; with "other" alone hidden, 71 - 40 - 30 would give it back.
    female = row(rows, "sex", "female")
    assert female["suppressed"] is True and female["count"] is None
    male = row(rows, "sex", "male")
    assert male["count"] == 40 and male["suppressed"] is False
    # Ratios compare published groups only: male is its own reference, not female's rate.
    assert male["impact_ratio"] == 1.0


def test_every_suppressed_row_gives_the_same_reason() -> None:
    rows = audit(outcomes("male", 40, 4) + outcomes("female", 30, 12) + outcomes("other", 1, 1))
    reasons = {r["reason"] for r in rows if r["suppressed"]}
    assert len(reasons) == 1  # "small" vs "complementary" would bound the small one


def test_a_dimension_of_one_small_group_is_withheld_entirely() -> None:
    rows, withheld = audit_summary(outcomes("male", 4, 1))
    assert withheld == ["sex"] and not [r for r in rows if r["dimension"] == "sex"]


def test_rare_free_form_answers_are_folded_and_their_labels_withheld() -> None:
    data = [Outcome({"ethnicity": "汉族"}, False, None)] * 30
    data += [Outcome({"ethnicity": "鄂伦春族"}, True, None)]
    data += [Outcome({"ethnicity": "赫哲族"}, False, None)]
    data += [Outcome({"ethnicity": "回族"}, False, None)] * 12
    rows = [r for r in audit(data) if r["dimension"] == "ethnicity"]
    assert "鄂伦春族" not in str(rows) and "赫哲族" not in str(rows)
    assert [r["group"] for r in rows if r["suppressed"]] == [WITHHELD_LABEL]
    assert row(rows, "ethnicity", "汉族")["count"] == 30


counts_of = st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(counts=counts_of, k=st.integers(min_value=3, max_value=12))
def test_no_suppressed_cell_is_total_minus_the_published_cells(counts, k) -> None:
    groups = [f"g{i}" for i in range(len(counts))]
    data = [o for g, n in zip(groups, counts, strict=True) for o in outcomes_for("ethnicity", g, n)]
    rows, withheld = audit_summary(data, k)
    shown = [r for r in rows if r["dimension"] == "ethnicity"]
    if withheld:
        assert not shown
        return
    hidden = [n for g, n in zip(groups, counts, strict=True) if row_of(shown, g) is None]
    published = sum(r["count"] for r in shown if not r["suppressed"])
    assert published + sum(hidden) == sum(counts)
    if hidden:
        # total - published is a sum over two cells at least, holding k people at least.
        assert len(hidden) >= 2 and sum(hidden) >= k
        assert all(n < k or n <= min(hidden_or_not(shown)) for n in hidden)
    assert all(r["count"] >= k for r in shown if not r["suppressed"])


def outcomes_for(dimension: str, group: str, n: int) -> list[Outcome]:
    return [Outcome({dimension: group}, i % 3 == 0, None) for i in range(n)]


def row_of(rows, group):
    return next((r for r in rows if r["group"] == group), None)


def hidden_or_not(rows) -> list[int]:
    return [r["count"] for r in rows if not r["suppressed"]] or [10**9]


pairs = st.lists(
    st.tuples(st.sampled_from(SEXES), st.sampled_from(AGE_BANDS)), min_size=1, max_size=120
)


@settings(max_examples=200, deadline=None)
@given(answers=pairs, k=st.integers(min_value=3, max_value=10))
def test_no_suppressed_cell_follows_from_the_margins_of_an_intersection(answers, k) -> None:
    assert pinned_down(answers, k) == []


def test_a_withheld_intersection_still_links_its_margins() -> None:
    # Found by the property above: the intersection was withheld, yet its rows and columns
    # still add up to the published groups, which pinned "55_plus" down.
    answers = [("other", "25_34")] * 2 + [("female", "55_plus")] * 2
    answers += [("male", "under_25")] * 2 + [("male", "35_44"), ("female", "25_34")]
    assert pinned_down(answers, 3) == []


def pinned_down(answers: list[tuple[str, str]], k: int) -> list[tuple[str, str]]:
    """Return the suppressed cells that an outsider's linear equations determine.

    Everyone gave both answers, so each intersection row and column adds up to a group of
    the margins, and each table to the number of cases. Checked by matrix rank (numpy),
    independently of the policy's own elimination.
    """
    data = [Outcome({"sex": s, "age_band": b}, False, None) for s, b in answers]
    rows, withheld = audit_summary(data, k)
    cells = sorted({("sex", s) for s, _ in answers} | {("age_band", b) for _, b in answers})
    cells += sorted({("sex×age_band", f"{s}×{b}") for s, b in answers})
    count = dict.fromkeys(cells, 0)
    for s, b in answers:
        for c in (("sex", s), ("age_band", b), ("sex×age_band", f"{s}×{b}")):
            count[c] += 1
    shown = {(r["dimension"], r["group"]): r for r in rows}
    for c in cells:
        if c in shown and not shown[c]["suppressed"]:
            assert shown[c]["count"] == count[c] >= k
    unknown = [c for c in cells if c[0] in withheld or shown[c]["suppressed"]]
    equations = [{c: 1 for c in cells if c[0] == d} for d in ("sex", "age_band", "sex×age_band")]
    for c in cells:
        if c[0] != "sex×age_band":
            axis = 0 if c[0] == "sex" else 1
            eq = {x: 1 for x in cells if x[0] == "sex×age_band" and x[1].split("×")[axis] == c[1]}
            equations.append({**eq, c: -1})
    if not unknown:
        return []
    a = np.array([[eq.get(u, 0) for u in unknown] for eq in equations], dtype=float)
    rank = np.linalg.matrix_rank(a)
    out = []
    for i, c in enumerate(unknown):
        unit = np.zeros((1, len(unknown)))
        unit[0, i] = 1
        if c[0] not in withheld and np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            out.append(c)
    return out


TODAY = date(2026, 11, 23)


def test_staff_get_the_latest_ended_quarter_by_default() -> None:
    assert published_period(None, None, TODAY) == (date(2026, 7, 1), date(2026, 9, 30))
    assert published_period(None, None, date(2026, 1, 1)) == (date(2025, 10, 1), date(2025, 12, 31))


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 7, 1), date(2026, 9, 29)),  # a quarter but one day
        (date(2026, 7, 2), date(2026, 9, 30)),
        (date(2026, 1, 1), date(2026, 9, 30)),  # three quarters: overlaps the others
        (date(2026, 8, 1), date(2026, 8, 31)),  # a month
        (date(2026, 7, 1), None),
        (date(2026, 10, 1), date(2026, 12, 31)),  # the quarter is not over
    ],
)
def test_any_other_window_is_refused_naming_the_form(start, end) -> None:
    with pytest.raises(ValidationFailed, match="calendar quarter"):
        published_period(start, end, TODAY)


def test_a_whole_ended_quarter_is_accepted() -> None:
    assert published_period(date(2026, 4, 1), date(2026, 6, 30), TODAY) == (
        date(2026, 4, 1),
        date(2026, 6, 30),
    )
