"""Run the benchmarks in bench/, print one table, write var/bench/latest.json.

Usage: python bench/run_all.py [NAME ...]

With no names every bench_*.py runs (`make bench`). With names (`bench_load`,
`bench_million`, ...) only those run, and their figures replace theirs in latest.json
while every other benchmark's figures stay as they were, each marked with the commit and
time of its own run: one slow benchmark can be run again without the others.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).parent
TARGET = Path("var/bench/latest.json")


def _commit() -> str:
    found = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
        cwd=HERE,
    )
    return found.stdout.strip() or "unknown"


def _previous(names: set[str]) -> tuple[list[dict[str, object]], list[str]]:
    """Return the figures and failures of latest.json for the benchmarks not run now."""
    if not TARGET.exists():
        return [], []
    try:
        data = json.loads(TARGET.read_text())
    except ValueError:
        return [], []
    kept = [f for f in data.get("figures", []) if f.get("bench") not in names]
    failed = [name for name in data.get("failed", []) if Path(name).stem not in names]
    return kept, failed


def main(argv: list[str]) -> int:
    """Run each chosen bench_*.py with --json and merge their figures."""
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        unknown = set(argv) - {s.stem for s in scripts}
        if unknown:
            print(f"no such benchmark: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        scripts = [s for s in scripts if s.stem in argv]
    figures, failed = _previous({s.stem for s in scripts}) if argv else ([], [])
    commit = _commit()
    for script in scripts:
        ran_at = datetime.now(UTC).isoformat(timespec="seconds")
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            print(f"== {script.name}", flush=True)
            subprocess.run([sys.executable, str(script), "--json", out.name], check=False)
            text = Path(out.name).read_text()
            # A script that misses a target may exit non-zero; its figures still count.
            if not text:
                failed.append(script.name)
                continue
            data = json.loads(text)
        for fig in data.get("figures", []):
            fig.update(bench=script.stem, commit=commit, ran_at=ran_at)
            figures.append(fig)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(
        json.dumps({"figures": figures, "failed": failed}, indent=2, ensure_ascii=False)
    )
    width = max((len(str(f["name"])) for f in figures), default=10)
    print()
    print(f"{'figure'.ljust(width)}  {'value':>14}  unit        target          met")
    for f in figures:
        targeted = f.get("target") not in (None, "")
        met = ("yes" if f.get("met") else "NO") if targeted else ""
        value = f["value"]
        shown = f"{value:,.3f}" if isinstance(value, float) else str(value)
        print(
            f"{str(f['name']).ljust(width)}  {shown:>14}  {str(f.get('unit', '')):<10}  "
            f"{str(f.get('target', '')):<14}  {met}"
        )
    print(f"\nwritten to {TARGET}")
    missed = [f for f in figures if f.get("target") not in (None, "") and not f.get("met")]
    print(f"{len(missed)} target(s) missed" if missed else "every target met")
    return 1 if failed or missed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
