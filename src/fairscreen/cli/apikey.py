"""`fairscreen apikey`: API keys for staff."""

from __future__ import annotations

from typing import Annotated

import typer

from fairscreen.cli.common import emit, friendly, make_app
from fairscreen.identity.actions import API_KEY_DAYS, do_create_api_key, do_create_user
from fairscreen.identity.policy import SYSTEM

app = typer.Typer(no_args_is_help=True, help="API keys.")


@app.command("create")
@friendly
def create(
    org: Annotated[str, typer.Option(help="Organisation id.")],
    role: Annotated[str, typer.Option(help="admin, employer, investigator or regulator.")],
    email: Annotated[str, typer.Option(help="The staff user's e-mail (created if new).")],
    expires_in_days: Annotated[
        int, typer.Option(help="Days until the key expires (1 to 3650).")
    ] = API_KEY_DAYS,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create (or reuse) a user and print a new API key for it; shown once."""
    fs = make_app()
    user_id = do_create_user(fs.uow(), actor=SYSTEM, org_id=org, email=email, role=role)
    key = do_create_api_key(
        fs.uow(), actor=SYSTEM, user_id=user_id, expires_in_days=expires_in_days
    )
    emit({"api_key": key, "user_id": user_id}, as_json, key)
