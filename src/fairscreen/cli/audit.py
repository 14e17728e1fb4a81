"""`fairscreen audit bias`: the publishable bias-audit summary."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

from fairscreen.audit.actions import bias_audit
from fairscreen.cli.common import emit, fail, friendly, make_app, printable
from fairscreen.identity.policy import Actor

app = typer.Typer(no_args_is_help=True, help="Audits.")


def _date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--{name} must be a date YYYY-MM-DD, not {value!r}")
        raise


@app.command("bias")
@friendly
def bias(
    org: Annotated[str, typer.Option(help="Organisation id.")],
    start: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Compute the bias audit of an organisation's ratings and decisions."""
    fs = make_app()
    # The command line is the operator, who holds the database and its key: any window,
    # the same small-cell suppression as everyone.
    actor = Actor(kind="system", id="cli", org_id=org)
    summary = bias_audit(
        fs.reader(),
        actor=actor,
        org_id=org,
        start=_date(start, "from"),
        end=_date(end, "to"),
        min_cell=fs.settings.audit_min_cell,
    )
    emit(summary, as_json, render(summary))


def render(summary: dict[str, Any]) -> str:
    """The human table; every value is passed through `printable` (labels are answers)."""
    lines = [f"rules {printable(summary['rules_version'])}, {summary['cases']} cases"]
    for g in summary["groups"]:
        head = f"{printable(g['dimension']):>14} {printable(g['group']):<22} "
        if g.get("suppressed"):
            lines.append(head + "suppressed")
            continue
        lines.append(
            head + f"n={g['count']:<5} adverse={g['adverse_rating_rate']} "
            f"ratio={g['impact_ratio']}{'  FLAG' if g['flag'] else ''}"
        )
    for dimension in summary.get("withheld_dimensions", []):
        lines.append(f"{printable(dimension):>14} withheld (too few answers to show any group)")
    return "\n".join(lines)
