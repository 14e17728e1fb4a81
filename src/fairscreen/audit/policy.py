"""The bias audit (as NYC Local Law 144 requires of automated tools): pure arithmetic.

Per dimension and for intersections: counts, the rate of adverse ratings and of adverse
decisions, impact ratios against the most favoured group (favourable-outcome rate of the
group over that of the best group), flags under 0.80 (the four-fifths rule, 29 CFR
1607.4(D)), and groups under 2% of the data reported but excluded from the ratios.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from fairscreen.shared.errors import ValidationFailed

DIMENSIONS = ("sex", "age_band", "ethnicity")
INTERSECTIONS = (("sex", "age_band"),)
SEXES = ("female", "male", "other")
AGE_BANDS = ("under_25", "25_34", "35_44", "45_54", "55_plus")
FOUR_FIFTHS = 0.80
SMALL_GROUP_SHARE = 0.02


@dataclass(frozen=True)
class Outcome:
    groups: Mapping[str, str]  # dimension -> group, only what the candidate volunteered
    adverse_rating: bool
    adverse_decision: bool | None  # None: no decision yet


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def audit(outcomes: Iterable[Outcome]) -> list[dict[str, object]]:
    """Return one row per (dimension, group) with rates, impact ratios and flags."""
    rows: list[dict[str, object]] = []
    items = list(outcomes)
    dims: list[tuple[str, tuple[str, ...]]] = [(d, (d,)) for d in DIMENSIONS]
    dims += [("×".join(pair), pair) for pair in INTERSECTIONS]
    for label, keys in dims:
        stats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for o in items:
            if not all(k in o.groups for k in keys):
                continue
            group = "×".join(o.groups[k] for k in keys)
            s = stats[group]
            s[0] += 1
            s[1] += int(o.adverse_rating)
            if o.adverse_decision is not None:
                s[2] += 1
                s[3] += int(o.adverse_decision)
        total = sum(s[0] for s in stats.values())
        if not total:
            continue
        eligible = {g: s for g, s in stats.items() if s[0] / total >= SMALL_GROUP_SHARE}
        best_rating = max((1 - s[1] / s[0] for s in eligible.values()), default=0.0)
        best_decision = max((1 - s[3] / s[2] for s in eligible.values() if s[2]), default=0.0)
        for group, s in sorted(stats.items()):
            small = group not in eligible
            fav_rating = 1 - s[1] / s[0]
            ratio = None if small or not best_rating else round(fav_rating / best_rating, 4)
            dec_ratio = None
            if not small and s[2] and best_decision:
                dec_ratio = round((1 - s[3] / s[2]) / best_decision, 4)
            flagged = any(r is not None and r < FOUR_FIFTHS for r in (ratio, dec_ratio))
            rows.append(
                {
                    "dimension": label,
                    "group": group,
                    "count": s[0],
                    "adverse_rating_rate": _ratio(s[1], s[0]),
                    "adverse_decision_rate": _ratio(s[3], s[2]),
                    "impact_ratio": ratio,
                    "decision_impact_ratio": dec_ratio,
                    "flag": flagged,
                    "excluded_small_group": small,
                }
            )
    return rows


def validate_answers(answers: Mapping[str, object]) -> dict[str, str]:
    """Keep only known dimensions with known values (ethnicity is free-form but short)."""
    clean: dict[str, str] = {}
    if "sex" in answers and answers["sex"] is not None:
        if answers["sex"] not in SEXES:
            raise ValidationFailed(f"sex must be one of {', '.join(SEXES)}.", field="sex")
        clean["sex"] = str(answers["sex"])
    if "age_band" in answers and answers["age_band"] is not None:
        if answers["age_band"] not in AGE_BANDS:
            raise ValidationFailed(
                f"age_band must be one of {', '.join(AGE_BANDS)}.", field="age_band"
            )
        clean["age_band"] = str(answers["age_band"])
    if answers.get("ethnicity"):
        value = str(answers["ethnicity"]).strip()
        if len(value) > 40:
            raise ValidationFailed("ethnicity is at most 40 characters.", field="ethnicity")
        clean["ethnicity"] = value
    return clean
