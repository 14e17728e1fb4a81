"""`fairscreen org`: organisations."""

from __future__ import annotations

from typing import Annotated

import typer

from fairscreen.cli.common import emit, friendly, make_app
from fairscreen.identity.actions import do_create_org
from fairscreen.identity.policy import SYSTEM

app = typer.Typer(no_args_is_help=True, help="Organisations.")


@app.command("create")
@friendly
def create(
    name: Annotated[str, typer.Option(help="The organisation's name.")],
    kind: Annotated[str, typer.Option(help="employer, agency or regulator.")],
    regulator: Annotated[str | None, typer.Option(help="Id of the regulator over it.")] = None,
    mail_domain: Annotated[
        list[str] | None,
        typer.Option(
            "--mail-domain",
            help="One of its own mail domains (repeat the option for more); no candidate "
            "may be invited at an address there.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create an organisation and print its id."""
    org_id = do_create_org(
        make_app().uow(),
        actor=SYSTEM,
        name=name,
        kind=kind,
        regulator_id=regulator,
        mail_domains=mail_domain or (),
    )
    emit({"id": org_id}, as_json, org_id)
