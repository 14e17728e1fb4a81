"""`fairscreen audit bias`: the publishable bias-audit summary."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from fairscreen.audit.actions import bias_audit
from fairscreen.cli.common import emit, fail, friendly, make_app
from fairscreen.identity.models import Org
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
    with fs.reader() as tx:
        row = tx.session.get(Org, org)
        if row is None:
            fail(f"not_found: no organisation {org}")
            return
    # The command line acts as the organisation's own administrator.
    actor = Actor(kind="staff", id="cli", org_id=org, role="admin", org_kind=row.kind)
    summary = bias_audit(
        fs.reader(), actor=actor, org_id=org, start=_date(start, "from"), end=_date(end, "to")
    )
    lines = [
        f"{g['dimension']:>14} {g['group']:<22} n={g['count']:<5} "
        f"adverse={g['adverse_rating_rate']} ratio={g['impact_ratio']}"
        f"{'  FLAG' if g['flag'] else ''}"
        for g in summary["groups"]
    ]
    emit(
        summary,
        as_json,
        "\n".join([f"rules {summary['rules_version']}, {summary['cases']} cases", *lines]),
    )
