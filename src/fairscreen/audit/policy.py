"""The bias audit (as NYC Local Law 144 requires of automated tools): pure arithmetic.

Per dimension and for intersections: counts, the rate of adverse ratings and of adverse
decisions, impact ratios against the most favoured group (favourable-outcome rate of the
group over that of the best published group), flags under 0.80 (the four-fifths rule,
29 CFR 1607.4(D)), and groups under 2% of the data reported but excluded from the ratios.

Small cells are suppressed, so that the summary cannot single anyone out:

1. Every figure of a group of fewer than `k` people (count, rates, impact ratios, flag)
   is withheld: the row says `suppressed: true` and why, its figures are null.
2. The totals are taken as known (the number of cases is published, and whoever knows
   that everyone answered a question knows a dimension's total). So within every
   *relation* — a dimension's groups against its total, and each row and column of an
   intersection against the group of the dimension it belongs to — the suppressed cells
   are never one alone, and together they hold at least `k` people: the next smallest
   published cell of that relation is suppressed too until both hold. What "total minus
   the published cells" gives back is then a sum over at least two groups, itself no
   smaller than a publishable group.
3. Beyond single relations, the relations together are a linear system (an
   intersection's cells add up to both of its margins): a suppressed cell that any
   combination of them determines gets a further complementary cell, until none is
   determined. If even suppressing every cell cannot hide one (a dimension of a single
   group), the dimension's rows are withheld entirely and it is named in
   `withheld_dimensions`, so nobody learns which group it was.
4. Every suppressed row gives the same reason: telling "small" from "complementary"
   would give away bounds (a complementary cell holds at least `k`), from which a small
   cell could be worked out. Free-form answers (ethnicity) that are suppressed are folded
   into one row whose label is withheld, since a rare self-description is itself
   identifying.
5. Impact ratios compare published groups only, so a suppressed group's rate does not
   leak through another group's ratio.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from fairscreen.shared.errors import ValidationFailed

DIMENSIONS = ("sex", "age_band", "ethnicity")
INTERSECTIONS = (("sex", "age_band"),)
FREE_FORM = frozenset({"ethnicity"})
SEXES = ("female", "male", "other")
AGE_BANDS = ("under_25", "25_34", "35_44", "45_54", "55_plus")
FOUR_FIFTHS = 0.80
SMALL_GROUP_SHARE = 0.02
MIN_CELL = 10
WITHHELD_LABEL = "(other answers, withheld)"

Cell = tuple[str, str]  # (dimension label, group)


@dataclass(frozen=True)
class Outcome:
    groups: Mapping[str, str]  # dimension -> group, only what the candidate volunteered
    adverse_rating: bool
    adverse_decision: bool | None  # None: no decision yet


@dataclass(frozen=True)
class Relation:
    """Cells whose counts add up to a total an outsider may know (`total` None: published)."""

    parts: tuple[Cell, ...]
    total: Cell | None = None


@dataclass
class Suppression:
    hidden: set[Cell] = field(default_factory=set)
    withheld: set[str] = field(default_factory=set)  # dimensions not shown at all


def reason(k: int) -> str:
    """The one reason every suppressed row gives."""
    return (
        f"fewer than {k} people, or withheld with such a group so that the totals "
        "cannot give it back"
    )


def relations(counts: Mapping[Cell, int]) -> list[Relation]:
    """Every sum an outsider could use: dimensions, and intersections' rows and columns."""
    by_dim: dict[str, list[Cell]] = defaultdict(list)
    for cell in sorted(counts):
        by_dim[cell[0]].append(cell)
    out = [Relation(tuple(cells)) for cells in by_dim.values()]
    for pair in INTERSECTIONS:
        label = "×".join(pair)
        for axis, dim in enumerate(pair):
            lines: dict[str, list[Cell]] = defaultdict(list)
            for cell in by_dim.get(label, []):
                lines[cell[1].split("×")[axis]].append(cell)
            for group, cells in sorted(lines.items()):
                margin = (dim, group)
                out.append(Relation(tuple(cells), margin if margin in counts else None))
    return out


def _safe(rel: Relation, counts: Mapping[Cell, int], hidden: set[Cell], k: int) -> bool:
    cells = [c for c in rel.parts if c in hidden]
    return not cells or (len(cells) >= 2 and sum(counts[c] for c in cells) >= k)


def determined(rels: Sequence[Relation], hidden: set[Cell]) -> list[Cell]:
    """Return the hidden cells that the relations pin down, by Gaussian elimination.

    Unknowns are the hidden cells; each relation is one linear equation (its parts minus
    its total, when the total is itself hidden). A cell is determined when its unit
    vector lies in the row space of the equations over the unknowns.
    """
    unknowns = sorted(hidden)
    index = {c: i for i, c in enumerate(unknowns)}
    rows: list[list[Fraction]] = []
    for rel in rels:
        row = [Fraction(0)] * len(unknowns)
        for c in rel.parts:
            if c in index:
                row[index[c]] += 1
        if rel.total is not None and rel.total in index:
            row[index[rel.total]] -= 1
        if any(row):
            rows.append(row)
    basis: list[list[Fraction]] = []  # reduced rows, each with its own pivot column
    pivots: list[int] = []
    for row in rows:
        for b, p in zip(basis, pivots, strict=True):
            if row[p]:
                f = row[p]
                row = [x - f * y for x, y in zip(row, b, strict=True)]
        lead = next((i for i, x in enumerate(row) if x), None)
        if lead is None:
            continue
        row = [x / row[lead] for x in row]
        for j, b in enumerate(basis):
            if b[lead]:
                f = b[lead]
                basis[j] = [x - f * y for x, y in zip(b, row, strict=True)]
        basis.append(row)
        pivots.append(lead)
    return [
        unknowns[p]
        for b, p in zip(basis, pivots, strict=True)
        if sum(1 for x in b if x) == 1  # a reduced row with one unknown pins it down
    ]


def suppress(counts: Mapping[Cell, int], k: int = MIN_CELL) -> Suppression:
    """Decide which cells are withheld (rules 1-3 of the module docstring)."""
    rels = relations(counts)
    out = Suppression({c for c, n in counts.items() if n < k})
    while True:
        unknown = out.hidden | {c for c in counts if c[0] in out.withheld}
        live = [r for r in rels if r.parts[0][0] not in out.withheld]
        target = next((r for r in live if not _safe(r, counts, unknown, k)), None)
        if target is None:
            # A withheld dimension's cells are unknowns, but its equations still hold.
            pinned = [c for c in determined(rels, unknown) if c[0] not in out.withheld]
            if not pinned:
                return out
            cell = pinned[0]
            around = [r for r in live if cell in r.parts or cell == r.total]
            target = next((r for r in around if any(c not in unknown for c in r.parts)), None)
            if target is None:
                out.withheld.add(cell[0])
                continue
        visible = sorted((counts[c], c) for c in target.parts if c not in unknown)
        if visible:
            out.hidden.add(visible[0][1])
        else:  # every cell already hidden and still exposed: show nothing of it
            out.withheld.add(target.parts[0][0])


def audit(outcomes: Iterable[Outcome], k: int = MIN_CELL) -> list[dict[str, object]]:
    """Return one row per (dimension, group) with rates, impact ratios and flags."""
    rows, _ = audit_summary(outcomes, k)
    return rows


def audit_summary(
    outcomes: Iterable[Outcome], k: int = MIN_CELL
) -> tuple[list[dict[str, object]], list[str]]:
    """Return the rows and the dimensions withheld entirely."""
    items = list(outcomes)
    dims: list[tuple[str, tuple[str, ...]]] = [(d, (d,)) for d in DIMENSIONS]
    dims += [("×".join(pair), pair) for pair in INTERSECTIONS]
    stats: dict[Cell, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for label, keys in dims:
        for o in items:
            if not all(k_ in o.groups for k_ in keys):
                continue
            s = stats[(label, "×".join(o.groups[k_] for k_ in keys))]
            s[0] += 1
            s[1] += int(o.adverse_rating)
            if o.adverse_decision is not None:
                s[2] += 1
                s[3] += int(o.adverse_decision)
    hidden = suppress({c: s[0] for c, s in stats.items()}, k)
    rows: list[dict[str, object]] = []
    for label, _keys in dims:
        cells = {c[1]: s for c, s in stats.items() if c[0] == label}
        if not cells or label in hidden.withheld:
            continue
        total = sum(s[0] for s in cells.values())
        shown = {
            g: s
            for g, s in cells.items()
            if (label, g) not in hidden.hidden and s[0] / total >= SMALL_GROUP_SHARE
        }
        best_rating = max((1 - s[1] / s[0] for s in shown.values()), default=0.0)
        best_decision = max((1 - s[3] / s[2] for s in shown.values() if s[2]), default=0.0)
        folded = False
        for group, s in sorted(cells.items()):
            if (label, group) in hidden.hidden:
                if label in FREE_FORM:
                    if folded:
                        continue
                    folded, group = True, WITHHELD_LABEL
                rows.append(_suppressed_row(label, group, k))
                continue
            small = group not in shown
            ratio = None if small or not best_rating else round((1 - s[1] / s[0]) / best_rating, 4)
            dec_ratio = None
            if not small and s[2] and best_decision:
                dec_ratio = round((1 - s[3] / s[2]) / best_decision, 4)
            rows.append(
                {
                    "dimension": label,
                    "group": group,
                    "count": s[0],
                    "adverse_rating_rate": _ratio(s[1], s[0]),
                    "adverse_decision_rate": _ratio(s[3], s[2]),
                    "impact_ratio": ratio,
                    "decision_impact_ratio": dec_ratio,
                    "flag": any(r is not None and r < FOUR_FIFTHS for r in (ratio, dec_ratio)),
                    "excluded_small_group": small,
                    "suppressed": False,
                    "reason": None,
                }
            )
    return rows, sorted(hidden.withheld)


def _suppressed_row(label: str, group: str, k: int) -> dict[str, object]:
    return {
        "dimension": label,
        "group": group,
        "count": None,
        "adverse_rating_rate": None,
        "adverse_decision_rate": None,
        "impact_ratio": None,
        "decision_impact_ratio": None,
        "flag": None,
        "excluded_small_group": None,
        "suppressed": True,
        "reason": reason(k),
    }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def quarter_of(day: date) -> tuple[date, date]:
    """Return the first and last day of the calendar quarter holding `day`."""
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    after = date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1)
    return first, after - timedelta(days=1)


def published_period(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """Staff get published periods: one whole calendar quarter that has ended.

    Any window would let two requests a day apart differ by one candidate, whose answers
    and outcome the difference gives away whatever the cells' size; quarters do not
    overlap, and a quarter is published only once it is over (a growing quarter is the
    same attack over time). No period given: the latest quarter that has ended.
    """
    if start is None and end is None:
        return quarter_of(quarter_of(today)[0] - timedelta(days=1))
    example = quarter_of(quarter_of(today)[0] - timedelta(days=1))
    form = (
        "The bias audit is published by calendar quarter: give 'from' as the first day of "
        "a quarter and 'to' as its last day "
        f"(e.g. from={example[0].isoformat()}&to={example[1].isoformat()}), or neither "
        "for the latest quarter that has ended."
    )
    if start is None or end is None or (start, end) != quarter_of(start):
        raise ValidationFailed(form, field="from" if start is None else "to")
    if end >= today:
        raise ValidationFailed(
            f"The quarter {start.isoformat()} to {end.isoformat()} has not ended; its audit "
            f"is published from {(end + timedelta(days=1)).isoformat()}. " + form,
            field="to",
        )
    return start, end


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
