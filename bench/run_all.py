"""Run every benchmark in bench/, print one table, write var/bench/latest.json."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent


def main() -> int:
    """Run each bench_*.py with --json and merge their figures."""
    figures: list[dict[str, object]] = []
    failed: list[str] = []
    for script in sorted(HERE.glob("bench_*.py")):
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
            fig["bench"] = script.stem
            figures.append(fig)
    target = Path("var/bench/latest.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
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
    print(f"\nwritten to {target}")
    missed = [f for f in figures if f.get("target") not in (None, "") and not f.get("met")]
    print(f"{len(missed)} target(s) missed" if missed else "every target met")
    return 1 if failed or missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
