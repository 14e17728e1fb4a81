"""`fairscreen outbox`: the messages the outbox mail backend has sent."""

from __future__ import annotations

from typing import Annotated

import typer

from fairscreen.cli.common import emit, friendly, make_app

app = typer.Typer(no_args_is_help=True, help="The mail outbox.")


@app.command("list")
@friendly
def list_(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List sent messages (those of destroyed cases can no longer be read)."""
    rows = []
    for m in make_app().outbox():
        row = {"to": m.to, "subject": m.subject, "body": m.body, "link": m.link}
        if m.link and "/c/" in m.link:
            row["token"] = m.link.rsplit("/c/", 1)[1]
        rows.append(row)
    human = "\n".join(f"{r['to']}\t{r['subject']}\t{r['link'] or ''}" for r in rows) or "(empty)"
    emit(rows, as_json, human)
