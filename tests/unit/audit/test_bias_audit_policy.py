"""The bias audit's arithmetic: impact ratios, the four-fifths flag, small groups."""

from __future__ import annotations

from fairscreen.audit.policy import Outcome, audit


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
    rows = audit(outcomes("male", 100, 0) + outcomes("female", 100, 0) + outcomes("other", 3, 3))
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
