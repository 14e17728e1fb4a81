"""Time the rating of one case with 50 findings (target: under 1 ms).

    python bench/bench_rating.py [--json OUT]

Prints a table and, with --json, writes {"figures": [{"name", "value", "unit", "target",
"met"}]}. The figure is the median of several timed batches, so one slow batch (a GC
pause, a noisy neighbour) does not decide it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from fairscreen.rating.policy import SEVERITIES, RatingFinding, RatingInput, load_rules, rate

TARGET_MS = 1.0
CATEGORIES = (
    "education",
    "qualifications",
    "employment_history",
    "professional_conduct",
    "criminal_record",
    "credit",
    "litigation",
    "driving_record",
)


def case_with(n: int) -> RatingInput:
    """Build a case of n findings that exercises every rule and every filter."""
    findings = tuple(
        RatingFinding(
            id=f"finding-{i:03d}",
            category=CATEGORIES[i % len(CATEGORIES)],
            adverse=i % 3 != 0,
            severity=SEVERITIES[i % len(SEVERITIES)],
            job_related=i % 5 != 0,
            in_scope=i % 11 != 0,
            verified=i % 7 != 0,
            fact_age_days=None if i % 13 == 0 else (i * 97) % 4000,
        )
        for i in range(n)
    )
    return RatingInput(findings, {"default": 2555, "criminal_record": 3650})


def time_rating(n: int, batches: int = 15, calls: int = 200) -> float:
    """Return the median milliseconds per rating of an n-finding case."""
    rules = load_rules()  # loaded once at start-up in the app, so not part of the figure
    inp = case_with(n)
    rate(inp, rules)
    per_call = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(calls):
            rate(inp, rules)
        per_call.append((time.perf_counter() - start) / calls * 1000)
    return statistics.median(per_call)


def main() -> int:
    """Run the benchmark, print the table and write the JSON figures."""
    parser = argparse.ArgumentParser(description="Time the rating of a 50-finding case.")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args()
    value = time_rating(50)
    figures = [
        {
            "name": "rating: rate a case with 50 findings (median)",
            "value": round(value, 4),
            "unit": "ms",
            "target": TARGET_MS,
            "met": value < TARGET_MS,
        }
    ]
    print(f"{'figure':<50} {'value':>10} {'unit':<4} {'target':>8}  met")
    for f in figures:
        print(
            f"{f['name']:<50} {f['value']:>10} {f['unit']:<4} {'< ' + str(f['target']):>8}  "
            f"{'yes' if f['met'] else 'NO'}"
        )
    if args.json:
        args.json.write_text(json.dumps({"figures": figures}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
